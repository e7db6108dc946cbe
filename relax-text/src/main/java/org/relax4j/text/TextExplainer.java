package org.relax4j.text;

import java.util.Objects;

import org.relax4j.Embeddings;
import org.relax4j.InputBatch;

/**
 * Explains texts under MiniLM with RELAX: which words the text's embedding depends on ({@link #explain(String)}),
 * or which words make the text match a query ({@link #explain(String, String)}).
 *
 * <pre>{@code
 * try (MiniLm model = MiniLm.load();
 *      TextExplainer explainer = TextExplainer.builder(model).masks(1000).seed(42).build()) {
 *     TextExplanation e = explainer.explain("The weather in Oslo is cold. I love pizza.", "climate of Norway");
 *     System.out.print(AnsiText.render(e, AnsiText.colourByDefault()));
 * }
 * }</pre>
 *
 * <p>Thread-safety: one explanation at a time per explainer.
 */
public final class TextExplainer implements AutoCloseable {
    /** Masks per explanation unless set: enough for stable word rankings on sentences of up to about 30 words. */
    public static final int DEFAULT_MASKS = 1000;

    private final MiniLm model;
    private final int masks;
    private final long seed;
    private final WordMasking masking;
    private final Granularity granularity;
    private final int batchSize;

    private TextExplainer(Builder b) {
        this.model = b.model;
        this.masks = b.masks;
        this.seed = b.seed;
        this.masking = b.masking;
        this.granularity = b.granularity;
        this.batchSize = b.batchSize;
    }

    /**
     * {@return a builder for an explainer over {@code model}}
     *
     * @param model the model; not closed by the explainer
     */
    public static Builder builder(MiniLm model) {
        return new Builder(model);
    }

    /**
     * Explains which words the text's own embedding depends on.
     *
     * @param text the text, at least one word and at most {@value MiniLm#MAX_TOKENS} tokens
     * @return per word, importance and uncertainty
     * @throws IllegalArgumentException if the text has no word or too many tokens
     */
    public TextExplanation explain(String text) {
        return explain(text, null);
    }

    /**
     * Explains which words make the text match a query: each mask is weighted by the similarity of the masked
     * text's embedding to the query's embedding.
     *
     * @param text the text, at least one word and at most {@value MiniLm#MAX_TOKENS} tokens
     * @param query the query, or null for the text's own embedding as the target
     * @return per word, importance and uncertainty
     * @throws IllegalArgumentException if the text has no word or too many tokens
     */
    public TextExplanation explain(String text, String query) {
        Objects.requireNonNull(text, "text");
        Words words = Words.of(model.tokenize(text), granularity);
        if (words.size() == 0) {
            throw new IllegalArgumentException("the text has no words to explain: \"" + text + "\"");
        }
        MaskedTextEncoder encoder = new MaskedTextEncoder(model, words, masking);
        float[] unmasked = model.embed(text);
        float[] target = query == null ? unmasked : model.embed(query);
        double targetSimilarity = dot(unmasked, target);
        float[][] maps = LocalDiscreteRelax.run(words.size(), encoder, target, masks, batchSize, seed);
        return new TextExplanation(words, maps[0], maps[1], masks, Double.NaN, masking, query, targetSimilarity);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Nothing to release: the model belongs to the caller. */
    @Override
    public void close() {
    }

    /** Settings of a {@link TextExplainer}; every value checked when set. */
    public static final class Builder {
        private final MiniLm model;
        private int masks = DEFAULT_MASKS;
        private long seed;
        private WordMasking masking = WordMasking.REMOVE;
        private Granularity granularity = Granularity.WORD;
        private int batchSize = 100;

        private Builder(MiniLm model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /**
         * @param masks masked copies of the text to embed, at least 1 (default {@value TextExplainer#DEFAULT_MASKS})
         * @return this builder
         */
        public Builder masks(int masks) {
            if (masks < 1) {
                throw new IllegalArgumentException("masks must be >= 1, got " + masks);
            }
            this.masks = masks;
            return this;
        }

        /**
         * @param seed the masks' seed (default 0); the same seed gives the same explanation
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param masking how dropped words reach the model (default {@link WordMasking#REMOVE})
         * @return this builder
         */
        public Builder masking(WordMasking masking) {
            this.masking = Objects.requireNonNull(masking, "masking");
            return this;
        }

        /**
         * @param granularity what one mask position covers (default {@link Granularity#WORD})
         * @return this builder
         */
        public Builder granularity(Granularity granularity) {
            this.granularity = Objects.requireNonNull(granularity, "granularity");
            return this;
        }

        /**
         * @param batchSize masked texts per encoder call, at least 1 (default 100)
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** {@return the explainer} */
        public TextExplainer build() {
            return new TextExplainer(this);
        }
    }

    /** Interim: RELAX with binary per-word masks, until relax-core's discrete mode and targets are merged. */
    static final class LocalDiscreteRelax {
        private LocalDiscreteRelax() {
        }

        static float[][] run(int n, MaskedTextEncoder encoder, float[] target, int masks, int batchSize, long seed) {
            double[] w = new double[n];
            double[] mean = new double[n];
            double[] m2 = new double[n];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            for (int first = 0; first < masks; first += batchSize) {
                int count = Math.min(batchSize, masks - first);
                float[] keep = new float[count * n];
                for (int i = 0; i < keep.length; i++) {
                    keep[i] = rng.nextBoolean() ? 1f : 0f;
                }
                Embeddings e = encoder.encode(new InputBatch(keep, 0, count, 1, 1, n));
                for (int b = 0; b < count; b++) {
                    double s = 0;
                    for (int d = 0; d < e.dim(); d++) {
                        s += (double) target[d] * e.data()[b * e.dim() + d];
                    }
                    for (int j = 0; j < n; j++) {
                        if (keep[b * n + j] == 0f) {
                            continue;
                        }
                        w[j] += 1;
                        double delta = s - mean[j];
                        mean[j] += delta / w[j];
                        m2[j] += delta * (s - mean[j]);
                    }
                }
            }
            float[] imp = new float[n];
            float[] unc = new float[n];
            for (int j = 0; j < n; j++) {
                imp[j] = (float) mean[j];
                unc[j] = (float) m2[j];
            }
            return new float[][] {imp, unc};
        }
    }
}
