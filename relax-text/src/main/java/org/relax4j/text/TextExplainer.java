package org.relax4j.text;

import java.util.Objects;

import org.relax4j.CancellationToken;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Target;

/**
 * Explains texts under MiniLM with RELAX: which words the text's embedding depends on ({@link #explain(String)}),
 * or which words make the text match a query ({@link #explain(String, String)}).
 *
 * <p>RELAX masks an input of ones over the N words, shape {N}, with discrete masks (every word kept with
 * probability 0.5, on its own; {@link RelaxConfig.Builder#discrete}); {@link MaskedTextEncoder} turns each row of
 * keep-values into the text without the dropped words. A word's importance is the mean similarity of the masked
 * texts' embeddings to the target over the masks that keep it; with a query, the target is the query's embedding
 * ({@link Target#of}), so the importance says which words make the text match the query.
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
    private final WordMasking masking;
    private final Granularity granularity;
    private final Relax relax;

    private TextExplainer(Builder b) {
        this.model = b.model;
        this.masking = b.masking;
        this.granularity = b.granularity;
        this.relax = new Relax(RelaxConfig.builder().discrete(true).masks(b.masks).seed(b.seed).batchSize(b.batchSize)
                .threads(1).build());
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
        return explain(text, query, ProgressListener.NONE, null);
    }

    /**
     * As {@link #explain(String, String)}, reporting progress and stopping when cancelled.
     *
     * @param text the text, at least one word and at most {@value MiniLm#MAX_TOKENS} tokens
     * @param query the query, or null for the text's own embedding as the target
     * @param listener told after every batch of masks; not null
     * @param cancellation checked before every batch; may be null
     * @return per word, importance and uncertainty
     * @throws IllegalArgumentException if the text has no word or too many tokens
     * @throws java.util.concurrent.CancellationException if cancelled
     */
    public TextExplanation explain(String text, String query, ProgressListener listener,
            CancellationToken cancellation) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(listener, "listener");
        Words words = Words.of(model.tokenize(text), granularity);
        if (words.size() == 0) {
            throw new IllegalArgumentException("the text has no words to explain: \"" + text + "\"");
        }
        MaskedTextEncoder encoder = new MaskedTextEncoder(model, words, masking);
        InputTensor ones = InputTensor.filled(1, new int[] {words.size()}, 1f);
        Target target = query == null ? Target.unmasked() : Target.of(model.embed(query));
        Explanation e = relax.explain(ones, encoder, target, listener, cancellation);
        return TextExplanation.of(words, masking, query, e.targetSimilarity(), e);
    }

    /** {@return RELAX's settings: discrete masks over the words, the masks and seed set here} */
    public RelaxConfig config() {
        return relax.config();
    }

    /** Releases RELAX's engine; the model belongs to the caller and stays open. */
    @Override
    public void close() {
        relax.close();
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
         * @param batchSize masked texts per encoder call, at least 1 (default 100; MiniLM runs every text on its
         *     own anyway, see {@link MiniLm})
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
}
