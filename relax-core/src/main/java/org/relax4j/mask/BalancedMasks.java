package org.relax4j.mask;

import java.util.Objects;

/**
 * Balanced blocks of masks: every single mask has exactly the distribution of {@link RandomMasks} (each cell kept
 * with probability p, independently; shifts uniform), but the masks of a block are chosen together so that the
 * noise other cells add to a pixel's estimate largely cancels within the block.
 *
 * <p>Let B be the smallest power of two ≥ cells² + 1 (64 for 7 cells). A block has 2B masks: B rows of an
 * orthogonal array built from the Sylvester–Hadamard matrix of order B, {@code h(r, j) = popcount(r & j) mod 2},
 * each followed by its fold-over (its antithetic twin):
 * <ol>
 *   <li>cell c reads column {@code col[c]}, cells² distinct columns drawn from the B − 1 non-constant ones;</li>
 *   <li>each column is XOR-ed with a random bit {@code flip[c]}, giving a level {@code a(r, c)} ∈ {0, 1};</li>
 *   <li>(Tang's orthogonal-array Latin hypercube, for any p) within each level the B/2 rows get a random rank
 *       ρ, the cell's uniform is {@code u = (a·B/2 + ρ + U) / B} with U uniform in [0, 1), and the cell is kept
 *       when {@code u < p}. For p = ½ this is exactly "kept when a = 0": the plain Hadamard design;</li>
 *   <li>row i of the block is Hadamard row {@code π(i)} of a random row permutation π; mask 2i uses the uniforms
 *       u, mask 2i + 1 the antithetic uniforms 1 − u (kept when {@code 1 − u < p}; for p = ½ the complement grid)
 *       with the same shift;</li>
 *   <li>shifts: every (dx, dy) pair goes to ⌊B / cells²⌋ rows per block, the remaining rows get distinct pairs
 *       drawn at random, and the list is dealt to the rows by another random permutation.</li>
 * </ol>
 * So within a block every cell is kept about 2pB times and, at p = ½, exactly B times, every pair of cells agrees
 * exactly B times, and every product of three cells' ±1 levels sums to zero (a strength-3 array: the fold-over
 * cancels the pairwise interactions of the similarity that a plain orthogonal array leaves as noise — on the
 * synthetic benchmark encoder it halves the error at the same number of masks). The XOR bits, permutations and U
 * make each single mask's cells independent Bernoulli(p) and its shift uniform, so the estimator targets exactly
 * the reference's maps. Blocks are independent of each other, which is what the error estimate needs
 * ({@link #blockSize()}).
 *
 * <p>Mask n depends only on (seed, cells, p, n): block n / 2B is rebuilt from its own counter-based draws
 * ({@link CounterRng}), so any mask can be drawn in any order, from any thread, on any engine. Immutable and
 * thread-safe; the last few blocks built are cached.
 */
public final class BalancedMasks implements MaskSource {
    /** Keeps this design's random stream apart from {@link RandomMasks}' for the same seed. */
    private static final long STREAM = 0x6A09E667F3BCC909L;
    private static final int CACHED_BLOCKS = 4;
    /** Most grid cells a balanced design takes (181², as for square grids before). */
    public static final int MAX_CELLS = 181 * 181;

    private final long seed;
    private final int[] gridShape;
    private final int per;
    private final boolean discrete;
    private final float keepProbability;
    private final int order;
    private final Block[] cache = new Block[CACHED_BLOCKS];

    /**
     * Smooth masks over an image: a cells × cells grid and two shifts.
     *
     * @param seed any 64-bit value
     * @param cells cells per grid side, in [1, 181] (so that the block order fits comfortably in memory)
     * @param keepProbability probability that a cell is kept, in [0, 1]
     */
    public BalancedMasks(long seed, int cells, float keepProbability) {
        this(seed, new int[] {cells, cells}, false, keepProbability);
    }

    /**
     * Masks of any rank: the orthogonal array's columns go to the grid's cells in row-major order, and the shifts
     * balance over every tuple of per-axis shifts (discrete masks have none).
     *
     * @param seed any 64-bit value
     * @param gridShape cells per axis (rank 1 to 3), at most {@value #MAX_CELLS} cells in all; for discrete masks
     *        the input's shape. Copied.
     * @param discrete whether the grids are the masks themselves (see {@link MaskSource#discrete()})
     * @param keepProbability probability that a cell is kept, in [0, 1]
     */
    public BalancedMasks(long seed, int[] gridShape, boolean discrete, float keepProbability) {
        int n = RandomMasks.checkGrid(gridShape);
        if (n > MAX_CELLS) {
            throw new IllegalArgumentException("balanced masks take at most " + MAX_CELLS + " grid cells (181 x 181), "
                    + "got " + MaskDomain.describe(gridShape) + " = " + n);
        }
        if (!(keepProbability >= 0f && keepProbability <= 1f)) {
            throw new IllegalArgumentException("keepProbability must be in [0, 1], got " + keepProbability);
        }
        this.seed = seed;
        this.gridShape = gridShape.clone();
        this.per = n;
        this.discrete = discrete;
        this.keepProbability = keepProbability;
        this.order = orderForCells(n);
    }

    /**
     * {@return the Hadamard order B for a square grid: the smallest power of two ≥ cells² + 1}
     *
     * @param cells cells per grid side
     */
    public static int orderFor(int cells) {
        return orderForCells(cells * cells);
    }

    private static int orderForCells(int gridCells) {
        int needed = gridCells + 1;
        int b = 2;
        while (b < needed) {
            b <<= 1;
        }
        return b;
    }

    /** {@return the seed of the masks} */
    public long seed() {
        return seed;
    }

    @Override
    public int cells() {
        return gridShape[0];
    }

    @Override
    public int[] gridShape() {
        return gridShape.clone();
    }

    @Override
    public int gridLength() {
        return per;
    }

    @Override
    public boolean discrete() {
        return discrete;
    }

    /** {@return the probability that a grid cell is kept} */
    public float keepProbability() {
        return keepProbability;
    }

    @Override
    public long size() {
        return Long.MAX_VALUE;
    }

    /** Masks per block: twice the Hadamard order B (each row and its fold-over); 128 for 7 cells. */
    @Override
    public int blockSize() {
        return 2 * order;
    }

    @Override
    public void draw(long index, byte[] grid, int gridOffset, int[] shift, int shiftOffset) {
        if (index < 0) {
            throw new IndexOutOfBoundsException("mask index " + index + " is negative");
        }
        Block b = block(index / blockSize());
        int i = (int) (index % blockSize());
        System.arraycopy(b.grids, i * per, grid, gridOffset, per);
        int rank = gridShape.length;
        System.arraycopy(b.shifts, (i / 2) * rank, shift, shiftOffset, rank);
    }

    private Block block(long k) {
        int slot = (int) Math.floorMod(k, (long) CACHED_BLOCKS);
        synchronized (cache) {
            Block b = cache[slot];
            if (b != null && b.index == k) {
                return b;
            }
        }
        Block b = build(k);
        synchronized (cache) {
            cache[slot] = b;
        }
        return b;
    }

    /** One block's grids and shifts, in mask order; see the class comment for the steps. */
    private Block build(long k) {
        Draws rng = new Draws(CounterRng.maskKey(seed ^ STREAM, k));
        int half = order / 2;

        // 1-2. Columns of the Hadamard matrix and their XOR bits.
        int[] columns = new int[order - 1];
        for (int j = 0; j < columns.length; j++) {
            columns[j] = j + 1;
        }
        rng.partialShuffle(columns, per);
        // 4. Which Hadamard row each mask of the block takes.
        int[] rowOf = identity(order);
        rng.partialShuffle(rowOf, order);

        // Mask 2i is row i, mask 2i + 1 its fold-over (antithetic uniforms, same shift).
        byte[] grids = new byte[2 * order * per];
        boolean plainHadamard = keepProbability == 0.5f;
        double threshold = (double) keepProbability * order;
        double foldThreshold = (1.0 - keepProbability) * order;
        int[] rank = new int[half];
        int[][] rowsAtLevel = new int[2][half];
        for (int c = 0; c < per; c++) {
            int col = columns[c];
            int flip = (int) (rng.next() & 1);
            if (plainHadamard) {
                for (int i = 0; i < order; i++) {
                    int level = (Integer.bitCount(rowOf[i] & col) & 1) ^ flip;
                    grids[2 * i * per + c] = level == 0 ? (byte) 1 : (byte) 0;
                    grids[(2 * i + 1) * per + c] = level == 0 ? (byte) 0 : (byte) 1;
                }
                continue;
            }
            // 3. Tang's OA-based Latin hypercube: a random rank within each level, then a uniform inside the stratum.
            int[] count = new int[2];
            for (int i = 0; i < order; i++) {
                int level = (Integer.bitCount(rowOf[i] & col) & 1) ^ flip;
                rowsAtLevel[level][count[level]++] = i;
            }
            for (int level = 0; level < 2; level++) {
                fillIdentity(rank);
                rng.partialShuffle(rank, half);
                for (int q = 0; q < half; q++) {
                    int i = rowsAtLevel[level][q];
                    // u·B; the fold-over keeps the cell when 1 − u < p, i.e. u·B > (1 − p)·B
                    double u = level * half + rank[q] + CounterRng.uniform(rng.next());
                    grids[2 * i * per + c] = u < threshold ? (byte) 1 : (byte) 0;
                    grids[(2 * i + 1) * per + c] = u > foldThreshold ? (byte) 1 : (byte) 0;
                }
            }
        }

        // 5. Shifts, one per row (shared by its fold-over): every tuple of per-axis shifts ⌊B / G⌋ times (there are
        //    exactly G = cells-product tuples), the rest distinct random tuples, dealt out in random order. Tuple t is
        //    row-major over the axes: for an image, (dx, dy) = (t / cells, t % cells).
        int axes = gridShape.length;
        int[] shifts = new int[axes * order];
        if (discrete) {
            return new Block(k, grids, shifts);
        }
        int[] tuples = identity(per);
        int repeats = order / per;
        int rest = order - repeats * per;
        rng.partialShuffle(tuples, rest);
        int[] list = new int[order];
        for (int t = 0; t < order; t++) {
            list[t] = t < repeats * per ? t % per : tuples[t - repeats * per];
        }
        rng.partialShuffle(list, order);
        for (int i = 0; i < order; i++) {
            int t = list[i];
            for (int a = axes - 1; a >= 0; a--) {
                shifts[axes * i + a] = t % gridShape[a];
                t /= gridShape[a];
            }
        }
        return new Block(k, grids, shifts);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        fillIdentity(a);
        return a;
    }

    private static void fillIdentity(int[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
    }

    /** A block's grids in mask order, and one shift per row (mask pair). */
    private record Block(long index, byte[] grids, int[] shifts) {
    }

    /** Sequential counter-based draws for one block: draw t is {@code CounterRng.bits(key, t)}. */
    private static final class Draws {
        private final long key;
        private int t;

        Draws(long key) {
            this.key = key;
        }

        long next() {
            return CounterRng.bits(key, t++);
        }

        /** Fisher–Yates on the first {@code m} places: a[0..m) becomes a uniform random m-subset in random order. */
        void partialShuffle(int[] a, int m) {
            for (int i = 0; i < m; i++) {
                int j = i + CounterRng.below(next(), a.length - i);
                int tmp = a[i];
                a[i] = a[j];
                a[j] = tmp;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BalancedMasks b && b.seed == seed && java.util.Arrays.equals(b.gridShape, gridShape)
                && b.discrete == discrete && Float.compare(b.keepProbability, keepProbability) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seed, java.util.Arrays.hashCode(gridShape), discrete, keepProbability, "balanced");
    }

    @Override
    public String toString() {
        return "BalancedMasks(seed=" + seed + ", " + (discrete ? "discrete " : "cells=")
                + MaskDomain.describe(gridShape) + ", keepProbability=" + keepProbability
                + ", block=" + blockSize() + ")";
    }
}
