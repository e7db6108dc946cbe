package org.relax4j.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The units RELAX masks in one text: words (sub-word pieces grouped) or single tokens, each with its characters in
 * the text and its contiguous token range {@code [firstToken(i), endToken(i))}. Special tokens belong to no unit.
 * Immutable.
 */
public final class Words {
    private final Tokenization tokens;
    private final Granularity granularity;
    private final int[] firstToken;
    private final int[] endToken;
    private final int[] charStart;
    private final int[] charEnd;

    private Words(Tokenization tokens, Granularity granularity, int[] firstToken, int[] endToken) {
        this.tokens = tokens;
        this.granularity = granularity;
        this.firstToken = firstToken;
        this.endToken = endToken;
        int n = firstToken.length;
        this.charStart = new int[n];
        this.charEnd = new int[n];
        for (int i = 0; i < n; i++) {
            charStart[i] = tokens.charStart(firstToken[i]);
            charEnd[i] = tokens.charEnd(endToken[i] - 1);
        }
    }

    /**
     * Groups a text's tokens into mask units.
     *
     * <p>{@link Granularity#WORD}: consecutive non-special tokens with the same word index form one word.
     * {@link Granularity#TOKEN}: every non-special token is a unit of its own.
     *
     * @param tokens the tokenised text. Not modified.
     * @param granularity words or tokens
     * @return the units, in text order; empty when the text has no token but special ones
     */
    public static Words of(Tokenization tokens, Granularity granularity) {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(granularity, "granularity");
        List<int[]> ranges = new ArrayList<>();
        int t = 0;
        int n = tokens.size();
        while (t < n) {
            if (tokens.special(t)) {
                t++;
                continue;
            }
            int end = t + 1;
            if (granularity == Granularity.WORD) {
                while (end < n && !tokens.special(end) && tokens.wordId(end) == tokens.wordId(t)) {
                    end++;
                }
            }
            ranges.add(new int[] {t, end});
            t = end;
        }
        int[] first = new int[ranges.size()];
        int[] last = new int[ranges.size()];
        for (int i = 0; i < first.length; i++) {
            first[i] = ranges.get(i)[0];
            last[i] = ranges.get(i)[1];
        }
        return new Words(tokens, granularity, first, last);
    }

    /** {@return the tokenised text these units group} */
    public Tokenization tokenization() {
        return tokens;
    }

    /** {@return words or tokens} */
    public Granularity granularity() {
        return granularity;
    }

    /** {@return number of units N} */
    public int size() {
        return firstToken.length;
    }

    /**
     * {@return unit {@code i} as it is written in the text (original case and accents)}
     *
     * @param i unit index in [0, N)
     */
    public String word(int i) {
        return tokens.text().substring(charStart[i], charEnd[i]);
    }

    /** {@return all units as written in the text, in order} */
    public List<String> list() {
        List<String> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            out.add(word(i));
        }
        return out;
    }

    /**
     * {@return the first character of unit {@code i} in the text}
     *
     * @param i unit index in [0, N)
     */
    public int charStart(int i) {
        return charStart[i];
    }

    /**
     * {@return the end (exclusive) of unit {@code i} in the text}
     *
     * @param i unit index in [0, N)
     */
    public int charEnd(int i) {
        return charEnd[i];
    }

    /**
     * {@return the first token of unit {@code i}}
     *
     * @param i unit index in [0, N)
     */
    public int firstToken(int i) {
        return firstToken[i];
    }

    /**
     * {@return one past the last token of unit {@code i}}
     *
     * @param i unit index in [0, N)
     */
    public int endToken(int i) {
        return endToken[i];
    }

    @Override
    public String toString() {
        return granularity.name().toLowerCase(java.util.Locale.ROOT) + "s" + Arrays.toString(list().toArray());
    }
}
