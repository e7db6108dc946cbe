package org.relax4j;

import java.util.Objects;
import org.relax4j.data.InputTensor;

/**
 * What each masked input's representation is compared with. By default ({@link #unmasked()}) the unmasked input's
 * own representation — RELAX as published: which parts of the input its representation depends on. With another
 * representation (a search query's embedding, another image's), RELAX explains a <i>match</i>: which parts of the
 * input make its representation similar to the target's ("which words of this document make it match this query",
 * "which regions of image A make it look like image B").
 *
 * <p>Immutable.
 */
public final class Target {
    private static final Target UNMASKED = new Target(null, null);

    private final float[] representation;
    private final InputTensor input;

    private Target(float[] representation, InputTensor input) {
        this.representation = representation;
        this.input = input;
    }

    /** {@return the unmasked input's own representation: RELAX as published, the default} */
    public static Target unmasked() {
        return UNMASKED;
    }

    /**
     * {@return a given representation, e.g. a query's embedding from the same model}
     *
     * @param representation finite values, as many as the encoder returns per input. Copied.
     * @throws IllegalArgumentException if empty or not finite
     */
    public static Target of(float[] representation) {
        Objects.requireNonNull(representation, "representation");
        if (representation.length == 0) {
            throw new IllegalArgumentException("target representation is empty");
        }
        for (int k = 0; k < representation.length; k++) {
            if (!Float.isFinite(representation[k])) {
                throw new IllegalArgumentException("target representation value " + k + " is " + representation[k]
                        + "; it must be finite");
            }
        }
        return new Target(representation.clone(), null);
    }

    /**
     * {@return the representation of another input under the same encoder (encoded once at the start of the run),
     * e.g. another image of the same size}
     *
     * @param other the input whose representation is the target
     */
    public static Target input(InputTensor other) {
        return new Target(null, Objects.requireNonNull(other, "other"));
    }

    /** {@return whether this is the default, the unmasked input's own representation} */
    public boolean isUnmasked() {
        return representation == null && input == null;
    }

    /** {@return the given representation (a copy), or null if it is the unmasked input's or another input's} */
    public float[] representation() {
        return representation == null ? null : representation.clone();
    }

    /** {@return the other input whose representation is the target, or null} */
    public InputTensor input() {
        return input;
    }

    /** {@return "unmasked", "representation" or "input", as provenance records it} */
    public String kind() {
        return isUnmasked() ? "unmasked" : representation != null ? "representation" : "input";
    }

    @Override
    public String toString() {
        return "Target(" + kind() + (representation != null ? ", " + representation.length + " values" : "")
                + (input != null ? ", " + input : "") + ")";
    }
}
