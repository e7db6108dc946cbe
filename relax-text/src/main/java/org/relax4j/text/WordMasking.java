package org.relax4j.text;

/**
 * How a dropped word reaches the model.
 */
public enum WordMasking {
    /**
     * The word's tokens are taken out through the attention mask and become padding ({@code [PAD]}, attention 0),
     * as the padding of a batch is: no other token attends to them and mean pooling leaves them out, so the
     * representation is that of the text without those words. The remaining tokens keep their positions (the gap
     * is not closed). The default: for a mean-pooled sentence embedding this is what "the text without those
     * words" means, and it puts no token in the text that was not there. (Attention 0 alone is not quite enough
     * for the quantised MiniLM: a left-out token's activations still enter its dynamic quantisation scale, so the
     * word would still leak in; as {@code [PAD]} it cannot.)
     */
    REMOVE,
    /**
     * The word's tokens are replaced by {@code [MASK]} and still attended to and pooled: the text with a blank
     * where each dropped word was, closer to BERT's pre-training but leaving the blanks' own contribution in the
     * mean.
     */
    MASK_TOKEN
}
