package org.relax4j.examples;

import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Similarity;

/** Example 3: score masked representations with your own similarity instead of the cosine. */
public final class CustomSimilarity {
    private CustomSimilarity() {
    }

    /**
     * Explains {@code x} weighting masks by a Gaussian kernel of the Euclidean distance.
     *
     * @param x the input
     * @param encoder the encoder
     * @return the explanation
     */
    public static Explanation run(InputTensor x, Encoder encoder) {
        // snippet:start custom-similarity
        // Must be a pure function: it is called from several threads.
        Similarity gaussian = (h0, o0, h, o, dim) -> {
            double d2 = 0;
            for (int k = 0; k < dim; k++) {
                double diff = h0[o0 + k] - h[o + k];
                d2 += diff * diff;
            }
            return (float) Math.exp(-d2 / dim);
        };
        try (Relax relax = new Relax(RelaxConfig.builder().masks(600).similarity(gaussian).build())) {
            return relax.explain(x, encoder);
        }
        // snippet:end
    }
}
