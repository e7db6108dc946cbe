package org.relax4j.mask;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Masks recorded elsewhere (another implementation's run), replayed mask for mask: grids (N, cells, cells) of
 * 0/1 and shifts (N, 2) as [dx, dy]. Immutable and thread-safe.
 */
public final class RecordedMasks implements MaskSource {
    private final int cells;
    private final int count;
    private final byte[] grids;
    private final int[] shifts;

    /**
     * @param cells cells per grid side
     * @param grids N·cells² values, each 0 or 1, mask-major then row-major. Copied.
     * @param shifts 2N values, [dx, dy] per mask, each in [0, cells). Copied.
     * @throws IllegalArgumentException naming the first bad length or value
     */
    public RecordedMasks(int cells, byte[] grids, int[] shifts) {
        Objects.requireNonNull(grids, "grids");
        Objects.requireNonNull(shifts, "shifts");
        if (cells < 1) {
            throw new IllegalArgumentException("cells must be at least 1, got " + cells);
        }
        int per = cells * cells;
        if (grids.length == 0 || grids.length % per != 0) {
            throw new IllegalArgumentException("grids length " + grids.length + " is not a positive multiple of cells² = " + per);
        }
        int n = grids.length / per;
        if (shifts.length != 2 * n) {
            throw new IllegalArgumentException("shifts length " + shifts.length + " does not match " + n
                    + " grids (need " + (2 * n) + ")");
        }
        for (int k = 0; k < grids.length; k++) {
            if (grids[k] != 0 && grids[k] != 1) {
                throw new IllegalArgumentException("grid value of mask " + (k / per) + " at cell " + (k % per) + " is "
                        + grids[k] + "; must be 0 or 1");
            }
        }
        for (int k = 0; k < shifts.length; k++) {
            if (shifts[k] < 0 || shifts[k] >= cells) {
                throw new IllegalArgumentException("shift " + (k % 2 == 0 ? "dx" : "dy") + " of mask " + (k / 2) + " is "
                        + shifts[k] + "; must be in [0, " + cells + ")");
            }
        }
        this.cells = cells;
        this.count = n;
        this.grids = grids.clone();
        this.shifts = shifts.clone();
    }

    /**
     * Reads raw little-endian files as the golden run stores them: {@code uint8 (N, cells, cells)} grids and
     * {@code int32 (N, 2)} shifts.
     *
     * @param cells cells per grid side
     * @param gridFile the grids, {@code uint8 (N, cells, cells)}
     * @param shiftFile the shifts, {@code int32 (N, 2)}
     * @return the recorded masks
     * @throws IOException if a file cannot be read
     */
    public static RecordedMasks read(int cells, Path gridFile, Path shiftFile) throws IOException {
        byte[] g = Files.readAllBytes(gridFile);
        ByteBuffer sb = ByteBuffer.wrap(Files.readAllBytes(shiftFile)).order(ByteOrder.LITTLE_ENDIAN);
        if (sb.remaining() % 4 != 0) {
            throw new IllegalArgumentException(shiftFile + ": " + sb.remaining() + " bytes is not a whole number of int32");
        }
        int[] s = new int[sb.remaining() / 4];
        sb.asIntBuffer().get(s);
        return new RecordedMasks(cells, g, s);
    }

    /**
     * {@return the first {@code n} masks}
     *
     * @param n how many masks, in [1, size()]
     */
    public RecordedMasks first(int n) {
        if (n < 1 || n > count) {
            throw new IllegalArgumentException("n must be in [1, " + count + "], got " + n);
        }
        int per = cells * cells;
        byte[] g = new byte[n * per];
        System.arraycopy(grids, 0, g, 0, g.length);
        int[] s = new int[2 * n];
        System.arraycopy(shifts, 0, s, 0, s.length);
        return new RecordedMasks(cells, g, s);
    }

    @Override
    public int cells() {
        return cells;
    }

    @Override
    public long size() {
        return count;
    }

    @Override
    public void draw(long index, byte[] grid, int gridOffset, int[] shift, int shiftOffset) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("mask index " + index + " is outside the " + count + " recorded masks");
        }
        int per = cells * cells;
        System.arraycopy(grids, (int) index * per, grid, gridOffset, per);
        shift[shiftOffset] = shifts[(int) index * 2];
        shift[shiftOffset + 1] = shifts[(int) index * 2 + 1];
    }

    @Override
    public String toString() {
        return "RecordedMasks(count=" + count + ", cells=" + cells + ")";
    }
}
