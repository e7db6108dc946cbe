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

    private final long seed;
    private final int cells;
    private final float keepProbability;
    private final int order;
    private final Block[] cache = new Block[CACHED_BLOCKS];

    /**
     * @param seed any 64-bit value
     * @param cells cells per grid side, in [1, 181] (so that the block order fits comfortably in memory)
     * @param keepProbability probability that a cell is kept, in [0, 1]
     */
    public BalancedMasks(long seed, int cells, float keepProbability) {
        if (cells < 1 || cells > 181) {
            throw new IllegalArgumentException("cells must be in [1, 181] for balanced masks, got " + cells);
        }
        if (!(keepProbability >= 0f && keepProbability <= 1f)) {
            throw new IllegalArgumentException("keepProbability must be in [0, 1], got " + keepProbability);
        }
        this.seed = seed;
        this.cells = cells;
        this.keepProbability = keepProbability;
        this.order = orderFor(cells);
    }

    /**
     * {@return the Hadamard order B for {@code cells}: the smallest power of two ≥ cells² + 1 (a block has 2B
     * masks)}
     *
     * @param cells cells per grid side
     */
    public static int orderFor(int cells) {
        int needed = cells * cells + 1;
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
        return cells;
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
        int per = cells * cells;
        System.arraycopy(b.grids, i * per, grid, gridOffset, per);
        int row = i / 2;
        shift[shiftOffset] = b.shifts[2 * row];
        shift[shiftOffset + 1] = b.shifts[2 * row + 1];
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
        int per = cells * cells;
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

        // 5. Shifts, one per row (shared by its fold-over): every pair ⌊B / cells²⌋ times, the rest distinct random
        //    pairs, dealt out in random order.
        int[] pairs = identity(per);
        int repeats = order / per;
        int rest = order - repeats * per;
        rng.partialShuffle(pairs, rest);
        int[] list = new int[order];
        for (int t = 0; t < order; t++) {
            list[t] = t < repeats * per ? t % per : pairs[t - repeats * per];
        }
        rng.partialShuffle(list, order);
        int[] shifts = new int[2 * order];
        for (int i = 0; i < order; i++) {
            shifts[2 * i] = list[i] / cells;
            shifts[2 * i + 1] = list[i] % cells;
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
        return o instanceof BalancedMasks b && b.seed == seed && b.cells == cells
                && Float.compare(b.keepProbability, keepProbability) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seed, cells, keepProbability, "balanced");
    }

    @Override
    public String toString() {
        return "BalancedMasks(seed=" + seed + ", cells=" + cells + ", keepProbability=" + keepProbability
                + ", block=" + blockSize() + ")";
    }
}
