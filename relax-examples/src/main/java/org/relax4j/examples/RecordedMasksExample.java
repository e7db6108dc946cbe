package org.relax4j.examples;

import org.relax4j.Explanation;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.mask.RecordedMasks;

/**
 * Example 4: reproduce another implementation's run mask for mask. Each mask is a cells × cells 0/1 grid plus a
 * shift; with the similarities that implementation recorded, {@code replay} needs no encoder at all.
 */
public final class RecordedMasksExample {
    private RecordedMasksExample() {
    }

    /**
     * Replays recorded masks and similarities.
     *
     * @param cells the grid size
     * @param grids the grids, mask after mask, row-major, 1 = kept. Not modified.
     * @param shifts per mask [row shift, column shift]. Not modified.
     * @param similarities per mask, its recorded similarity. Not modified.
     * @param size the image's height and width
     * @return the maps the recorded run gives
     */
    public static Explanation run(int cells, byte[] grids, int[] shifts, float[] similarities, int size) {
        // snippet:start recorded-masks
        // Or RecordedMasks.read(cells, Path.of("grids.u8"), Path.of("shifts.i32")) for raw little-endian files.
        RecordedMasks masks = new RecordedMasks(cells, grids, shifts);
        RelaxConfig config = RelaxConfig.builder().cells(cells).masks(masks.size()).maskSource(masks).build();
        try (Relax relax = new Relax(config)) {
            return relax.replay(size, size, similarities);       // or relax.explain(x, encoder) on the same masks
        }
        // snippet:end
    }
}
