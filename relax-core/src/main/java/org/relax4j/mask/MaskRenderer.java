package org.relax4j.mask;

/**
 * Renders the masks of one {@link MaskDomain}: the mask formula (spec, "One mask, exactly") in one place per
 * domain. {@link MaskDomain#renderer()} gives the domain's renderer: {@link MaskGeometry}, the fast path for the
 * reference's case (smooth masks over an image, square grids), whose tables engines and the error estimate use
 * directly; {@link DomainGeometry} for every other domain. Both give the same masks where both apply (a test checks
 * it bit for bit). Implementations are immutable and thread-safe.
 */
public interface MaskRenderer {

    /** {@return the domain whose masks this renders} */
    MaskDomain domain();

    /**
     * {@return mask {@code index} of {@code source} over the domain's positions, row-major, in a new array}
     *
     * @param source masks whose grids fit the domain
     * @param index the mask's index in {@code source}
     */
    float[] render(MaskSource source, long index);
}
