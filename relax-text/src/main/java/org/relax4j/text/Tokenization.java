package org.relax4j.text;

import java.util.Arrays;
import java.util.Objects;

/**
 * One text as the tokenizer splits it: the token ids the model reads (special tokens {@code [CLS]} and
 * {@code [SEP]} included), each token's piece of the text, and the word each token belongs to.
 *
 * <p>Token {@code t}: id {@link #id(int)}, surface {@link #token(int)} (e.g. {@code "##ly"}), characters
 * {@code [charStart(t), charEnd(t))} of {@link #text()}, and word index {@link #wordId(int)}, or -1 for a special
 * token. Words are the tokenizer's pre-tokenised words (BERT: runs of letters and digits split at whitespace,
 * every punctuation character a word of its own); a word's sub-word pieces share its word index. Immutable.
 */
public final class Tokenization {
    private final String text;
    private final long[] ids;
    private final String[] tokens;
    private final int[] wordIds;
    private final int[] charStart;
    private final int[] charEnd;

    /**
     * @param text the text. Not null.
     * @param ids the token ids, special tokens included. Copied.
     * @param tokens each token's surface form. Copied.
     * @param wordIds each token's word index, -1 for special tokens. Copied.
     * @param charStart each token's first character in {@code text}, -1 for special tokens. Copied.
     * @param charEnd each token's end (exclusive) in {@code text}, -1 for special tokens. Copied.
     * @throws IllegalArgumentException if the arrays differ in length, naming both lengths
     */
    public Tokenization(String text, long[] ids, String[] tokens, int[] wordIds, int[] charStart, int[] charEnd) {
        this.text = Objects.requireNonNull(text, "text");
        int n = ids.length;
        if (tokens.length != n || wordIds.length != n || charStart.length != n || charEnd.length != n) {
            throw new IllegalArgumentException("token arrays differ in length: ids " + n + ", tokens " + tokens.length
                    + ", wordIds " + wordIds.length + ", charStart " + charStart.length + ", charEnd "
                    + charEnd.length);
        }
        this.ids = ids.clone();
        this.tokens = tokens.clone();
        this.wordIds = wordIds.clone();
        this.charStart = charStart.clone();
        this.charEnd = charEnd.clone();
    }

    /** {@return the text} */
    public String text() {
        return text;
    }

    /** {@return number of tokens T, special tokens included} */
    public int size() {
        return ids.length;
    }

    /** {@return a copy of the token ids} */
    public long[] ids() {
        return ids.clone();
    }

    /**
     * {@return the id of token {@code t}}
     *
     * @param t token index in [0, T)
     */
    public long id(int t) {
        return ids[t];
    }

    /**
     * {@return the surface form of token {@code t}, e.g. {@code "[CLS]"}, {@code "oslo"} or {@code "##ly"}}
     *
     * @param t token index in [0, T)
     */
    public String token(int t) {
        return tokens[t];
    }

    /**
     * {@return the word index of token {@code t}, or -1 for a special token}
     *
     * @param t token index in [0, T)
     */
    public int wordId(int t) {
        return wordIds[t];
    }

    /**
     * {@return whether token {@code t} is a special token ({@code [CLS]}, {@code [SEP]}), never masked}
     *
     * @param t token index in [0, T)
     */
    public boolean special(int t) {
        return wordIds[t] < 0;
    }

    /**
     * {@return the first character of token {@code t} in the text, or -1 for a special token}
     *
     * @param t token index in [0, T)
     */
    public int charStart(int t) {
        return charStart[t];
    }

    /**
     * {@return the end (exclusive) of token {@code t} in the text, or -1 for a special token}
     *
     * @param t token index in [0, T)
     */
    public int charEnd(int t) {
        return charEnd[t];
    }

    @Override
    public String toString() {
        return "Tokenization" + Arrays.toString(tokens);
    }
}
