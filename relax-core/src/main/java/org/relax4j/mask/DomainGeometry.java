package org.relax4j.mask;

/**
 * Renders masks of any {@link MaskDomain}: for smooth masks, the reference's per-axis steps (spec, "One mask,
 * exactly": linear interpolation with half-pixel centres, reflect padding, a crop at the shift) applied to one axis
 * at a time, last axis first; for discrete masks, the grid itself.
 *
 * <p>Per axis a the tables are {@link MaskGeometry}'s (the same {@code fillAxis}): for shift s and output index i,
 * two grid indices and two weights. One step replaces an axis of {@code cells[a]} values by one of
 * {@code shape[a]} values:
 * <pre>
 *   out[o][i][k] = w0[s][i] * in[o][i0[s][i]][k] + w1[s][i] * in[o][i1[s][i]][k]
 * </pre>
 * in float32 in exactly this order. For rank 2 the two steps are {@link MaskGeometry#blendColumns} and
 * {@link MaskGeometry#maskRow}, so an image's masks are bit-identical to the reference's (a test checks it); rank 1
 * is one step and rank 3 three. Immutable and thread-safe; callers pass their own scratch.
 */
public final class DomainGeometry implements MaskRenderer {
    private final MaskDomain domain;
    private final int rank;
    private final int[] shape;
    private final int[] cells;
    private final int[][] index;
    private final float[][] weight;
    private final int scratch;

    /** @param domain the domain to render masks for */
    public DomainGeometry(MaskDomain domain) {
        this.domain = domain;
        this.rank = domain.rank();
        this.shape = domain.shape();
        this.cells = domain.cells();
        this.index = new int[rank][];
        this.weight = new float[rank][];
        int most = 0;
        if (!domain.isDiscrete()) {
            for (int a = 0; a < rank; a++) {
                index[a] = new int[2 * cells[a] * shape[a]];
                weight[a] = new float[2 * cells[a] * shape[a]];
                MaskGeometry.fillAxis(cells[a], shape[a], index[a], weight[a]);
            }
            // After the steps for axes r-1 .. a: cells on axes < a, positions on axes ≥ a.
            for (int a = rank - 1; a >= 1; a--) {
                long n = 1;
                for (int b = 0; b < rank; b++) {
                    n *= b < a ? cells[b] : shape[b];
                }
                most = (int) Math.max(most, n);
            }
        }
        this.scratch = most;
    }

    /** {@return the domain} */
    @Override
    public MaskDomain domain() {
        return domain;
    }

    /** {@return the scratch floats {@link #render} needs: two buffers of this length} */
    public int scratchLength() {
        return scratch;
    }

    /**
     * Renders one mask over the domain's positions, row-major (last axis fastest).
     *
     * @param grid the mask's grid, {@code product(cells)} values of 0/1 from {@code gridOffset}. Not modified.
     * @param gridOffset index of the grid's first value
     * @param shift one shift per axis from {@code shiftOffset}, each in [0, cells[a]); ignored for discrete masks.
     *        Not modified.
     * @param shiftOffset index of the first axis's shift
     * @param out receives {@code positions()} values in [0, 1] from {@code outOffset}. Modified.
     * @param outOffset index of the first value written
     * @param scratchA scratch of at least {@link #scratchLength()} floats. Modified.
     * @param scratchB another such scratch buffer. Modified.
     */
    public void render(byte[] grid, int gridOffset, int[] shift, int shiftOffset, float[] out, int outOffset,
                       float[] scratchA, float[] scratchB) {
        if (domain.isDiscrete()) {
            int n = domain.positions();
            for (int p = 0; p < n; p++) {
                out[outOffset + p] = grid[gridOffset + p];
            }
            return;
        }
        for (int a = 0; a < rank; a++) {
            int s = shift[shiftOffset + a];
            if (s < 0 || s >= cells[a]) {
                throw new IllegalArgumentException("shift on axis " + a + " must be in [0, " + cells[a] + "), got " + s);
            }
        }
        // The last axis reads the byte grid; each later step reads the previous step's floats.
        int a = rank - 1;
        int outer = 1;
        for (int b = 0; b < a; b++) {
            outer *= cells[b];
        }
        float[] dst = a == 0 ? out : scratchA;
        int dstOffset = a == 0 ? outOffset : 0;
        int[] ix = index[a];
        float[] wt = weight[a];
        int n = shape[a];
        int base = 2 * shift[shiftOffset + a] * n;
        for (int o = 0; o < outer; o++) {
            int g = gridOffset + o * cells[a];
            int d = dstOffset + o * n;
            for (int i = 0; i < n; i++) {
                int k = base + 2 * i;
                dst[d + i] = wt[k] * grid[g + ix[k]] + wt[k + 1] * grid[g + ix[k + 1]];
            }
        }
        float[] src = dst;
        int inner = n;
        for (a = rank - 2; a >= 0; a--) {
            outer /= cells[a];
            dst = a == 0 ? out : (src == scratchA ? scratchB : scratchA);
            dstOffset = a == 0 ? outOffset : 0;
            step(src, outer, cells[a], inner, shape[a], index[a], weight[a], 2 * shift[shiftOffset + a] * shape[a],
                    dst, dstOffset);
            inner *= shape[a];
            src = dst;
        }
    }

    /** One axis: (outer, cells, inner) floats from {@code src} to (outer, n, inner) in {@code dst}. */
    private static void step(float[] src, int outer, int cells, int inner, int n, int[] ix, float[] wt, int base,
                             float[] dst, int dstOffset) {
        for (int o = 0; o < outer; o++) {
            int in = o * cells * inner;
            int d = dstOffset + o * n * inner;
            for (int i = 0; i < n; i++) {
                int k = base + 2 * i;
                float w0 = wt[k];
                float w1 = wt[k + 1];
                int s0 = in + ix[k] * inner;
                int s1 = in + ix[k + 1] * inner;
                int di = d + i * inner;
                for (int j = 0; j < inner; j++) {
                    dst[di + j] = w0 * src[s0 + j] + w1 * src[s1 + j];
                }
            }
        }
    }

    /**
     * {@return mask {@code index} of {@code source} rendered into a new array (a convenience for tests and tools)}
     *
     * @param source masks whose grids fit this domain
     * @param maskIndex the mask's index in {@code source}
     */
    @Override
    public float[] render(MaskSource source, long maskIndex) {
        byte[] g = new byte[source.gridLength()];
        int[] s = new int[rank];
        source.draw(maskIndex, g, 0, s, 0);
        float[] out = new float[domain.positions()];
        render(g, 0, s, 0, out, 0, new float[scratch], new float[scratch]);
        return out;
    }
}
