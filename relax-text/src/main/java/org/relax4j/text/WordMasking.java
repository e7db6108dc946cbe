package org.relax4j.text;

/**
 * How a dropped word reaches the model.
 */
public enum WordMasking {
    /**
     * The word's tokens are taken out through the attention mask (attention 0): no other token attends to them and
     * mean pooling leaves them out, so the representation is that of the text without those words. The remaining
     * tokens keep their positions (the gap is not closed). The default: for a mean-pooled sentence embedding this
     * is what "the text without those words" means, and it adds no token the model never saw in training at that
     * place.
     */
    REMOVE,
    /**
     * The word's tokens are replaced by {@code [MASK]} and still attended to and pooled: the text with a blank
     * where each dropped word was, closer to BERT's pre-training but leaving the blanks' own contribution in the
     * mean.
     */
    MASK_TOKEN
}
