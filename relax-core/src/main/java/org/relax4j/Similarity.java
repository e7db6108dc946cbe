package org.relax4j;

/**
 * Scores how similar a masked input's representation stays to the unmasked one; RELAX weights each mask by
 * this score (spec, "The estimator").
 *
 * <p>Implementations must be pure functions, safe to call from several threads.
 */
@FunctionalInterface
public interface Similarity {

    /** The reference's epsilon in the cosine's denominator. */
    float COSINE_EPSILON = 1e-8f;

    /**
     * @param referenceOffset index of h0's first value in {@code reference}
     * @param otherOffset index of the first value in {@code other}
     * @param dim the representations' length D
     * @param reference the unmasked representation h0, {@code dim} values from {@code referenceOffset}. Not modified.
     * @param other a masked representation, {@code dim} values from {@code otherOffset}. Not modified.
     * @return the similarity, a finite number
     */
    float similarity(float[] reference, int referenceOffset, float[] other, int otherOffset, int dim);

    /**
     * Cosine similarity {@code h0·h / max(‖h0‖·‖h‖, 1e-8)} as in the reference (spec, "Defaults"), accumulated
     * in double precision and rounded once to float.
     *
     * @return the cosine similarity
     */
    static Similarity cosine() {
        return CosineSimilarity.INSTANCE;
    }
}

final class CosineSimilarity implements Similarity {
    static final CosineSimilarity INSTANCE = new CosineSimilarity();

    @Override
    public float similarity(float[] a, int ao, float[] b, int bo, int dim) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < dim; k++) {
            double x = a[ao + k];
            double y = b[bo + k];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return (float) (dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), COSINE_EPSILON));
    }

    @Override
    public String toString() {
        return "cosine";
    }
}
