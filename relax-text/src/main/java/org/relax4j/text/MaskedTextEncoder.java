package org.relax4j.text;

import java.util.Objects;

import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.data.InputBatch;

/**
 * The {@link Encoder} RELAX runs for one text: each input of a batch is a row of N keep-values, one per word of
 * {@link Words} (1 keeps the word, 0 drops it), and its representation is MiniLM's embedding of the text with the
 * dropped words removed ({@link WordMasking#REMOVE}) or replaced by {@code [MASK]} ({@link WordMasking#MASK_TOKEN}).
 * {@code [CLS]} and {@code [SEP]} are always kept; a word's sub-word tokens are kept or dropped together.
 *
 * <p>RELAX masks an input of ones over the words, shape {N}, in its discrete mode (every position kept or dropped
 * on its own), so the batches reaching this encoder hold exactly those keep-values, and the unmasked input (all
 * ones) is the whole text: its representation is exactly {@code model.embed(text)}.
 *
 * <p>Thread-safety: as the model; holds no state between calls.
 */
public final class MaskedTextEncoder implements Encoder {
    private final MiniLm model;
    private final Words words;
    private final WordMasking masking;
    private final long[] ids;

    /**
     * @param model the sentence-embedding model; stays open while this encoder is used, not closed by it
     * @param words the text's mask units, from {@code model.tokenize(text)}
     * @param masking how dropped words reach the model
     */
    public MaskedTextEncoder(MiniLm model, Words words, WordMasking masking) {
        this.model = Objects.requireNonNull(model, "model");
        this.words = Objects.requireNonNull(words, "words");
        this.masking = Objects.requireNonNull(masking, "masking");
        this.ids = words.tokenization().ids();
    }

    /** {@return the mask units} */
    public Words words() {
        return words;
    }

    /** {@return how dropped words reach the model} */
    public WordMasking masking() {
        return masking;
    }

    /**
     * Embeds each row of keep-values.
     *
     * @param batch B rows of N keep-values (any shape with N values per input), each 0 or 1. Not modified.
     * @return B unit-length embeddings, a new array
     * @throws IllegalArgumentException if an input does not hold N values, or a keep-value is neither 0 nor 1
     */
    @Override
    public Embeddings encode(InputBatch batch) {
        int n = words.size();
        if (batch.sampleLength() != n) {
            throw new IllegalArgumentException("each input must hold one keep-value per word: the text has " + n
                    + " words, the batch has " + batch.sampleLength() + " values per input");
        }
        int rows = batch.size();
        int length = ids.length;
        long[] rowIds = new long[rows * length];
        long[] attention = new long[rows * length];
        float[] data = batch.data();
        for (int b = 0; b < rows; b++) {
            int base = b * length;
            System.arraycopy(ids, 0, rowIds, base, length);
            java.util.Arrays.fill(attention, base, base + length, 1L);
            int from = batch.offsetOf(b);
            for (int w = 0; w < n; w++) {
                float keep = data[from + w];
                if (keep == 1f) {
                    continue;
                }
                if (keep != 0f) {
                    throw new IllegalArgumentException("keep-values must be 0 or 1 (use RelaxConfig's discrete mode),"
                            + " input " + b + " has " + keep + " for word " + w + " \"" + words.word(w) + "\"");
                }
                drop(rowIds, attention, base, w);
            }
        }
        return new Embeddings(rows, model.dimension(), model.embed(rowIds, attention, rows, length));
    }

    private void drop(long[] rowIds, long[] attention, int base, int word) {
        for (int t = words.firstToken(word); t < words.endToken(word); t++) {
            if (masking == WordMasking.REMOVE) {
                rowIds[base + t] = model.padTokenId();
                attention[base + t] = 0L;
            } else {
                rowIds[base + t] = model.maskTokenId();
            }
        }
    }
}
