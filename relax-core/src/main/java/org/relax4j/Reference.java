package org.relax4j;

import java.io.Serializable;

/**
 * What masked representations are compared with, encoded once: the unmasked input's representation, the target's
 * (the same array for {@link Target#unmasked()}), and the similarity between the two. {@link Relax#reference} makes
 * it with the encoder checks; a split explanation computes it once and sends it to every part, so that all weight
 * their masks against the same vector. Serializable; the arrays are not copied, so treat them as read-only.
 *
 * @param unmasked the unmasked input's representation
 * @param target the representation masked ones are compared with
 * @param targetSimilarity the similarity of {@code unmasked} to {@code target}
 */
public record Reference(float[] unmasked, float[] target, double targetSimilarity)
        implements Serializable {
}
