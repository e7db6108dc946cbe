package org.relax4j.text;

/**
 * What one mask position covers: a word or a single token.
 */
public enum Granularity {
    /**
     * A word: all sub-word pieces of one word are kept or dropped together ({@code "unbelievably"} =
     * {@code un ##bel ##ie ##va ##bly} is one position). Words are the tokenizer's pre-tokenised words, so every
     * punctuation character is a word of its own ({@code "cold."} is {@code cold} and {@code .}), and its
     * importance is reported like any other word's. The default.
     */
    WORD,
    /** A single token: every sub-word piece is kept or dropped on its own. */
    TOKEN
}
