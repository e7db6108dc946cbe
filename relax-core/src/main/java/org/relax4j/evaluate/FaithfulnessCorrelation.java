package org.relax4j.evaluate;

import java.util.Objects;
import java.util.SplittableRandom;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;

/**
 * Faithfulness correlation (Bhatt et al., 2020) in representation space: the image is cut into a grid of cells; for
 * many random subsets of cells, the map's sum over the subset is set against the drop in similarity to the reference
 * when the subset is replaced by the {@link Substrate}. The Pearson correlation over the subsets is the score: near 1
 * when what the map marks is what the representation loses, near 0 when the map is unrelated to it.
 */
public final class FaithfulnessCorrelation {

    /**
     * @param correlation Pearson's r between the map's sums and the drops
     * @param mapSums the map's sum over each subset
     * @param drops each subset's drop: the input's similarity to the reference minus the perturbed input's
     */
    public record Result(double correlation, double[] mapSums, double[] drops) {
    }

    private final Encoder encoder;
    private final Similarity similarity;
    private final Substrate substrate;
    private final int cells;
    private final int subsetCells;
    private final int subsets;
    private final int batchSize;

    /**
     * @param encoder the model the map explains
     * @param similarity how representations are compared
     * @param substrate what removed pixels become
     * @param cells the grid's cells per side, at least 2
     * @param subsetCells cells removed per subset, in [1, cells²)
     * @param subsets how many random subsets, at least 3
     * @param batchSize inputs per encoder call, at least 1
     */
    public FaithfulnessCorrelation(Encoder encoder, Similarity similarity, Substrate substrate, int cells,
                                   int subsetCells, int subsets, int batchSize) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        this.substrate = Objects.requireNonNull(substrate, "substrate");
        if (cells < 2) {
            throw new IllegalArgumentException("cells must be at least 2, got " + cells);
        }
        if (subsetCells < 1 || subsetCells >= cells * cells) {
            throw new IllegalArgumentException("subsetCells must be in [1, " + (cells * cells) + "), got " + subsetCells);
        }
        if (subsets < 3) {
            throw new IllegalArgumentException("subsets must be at least 3 (a correlation needs them), got " + subsets);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.cells = cells;
        this.subsetCells = subsetCells;
        this.subsets = subsets;
        this.batchSize = batchSize;
    }

    /**
     * The subsets and their drops: what every map of one input is correlated with (so compute it once).
     *
     * @param cellsOfPixel each pixel's cell
     * @param subsets each subset's cells
     * @param drops each subset's drop in similarity
     */
    public record Drops(int[] cellsOfPixel, boolean[][] subsets, double[] drops) {
    }

    /**
     * @param input the input (C, H, W), at least {@code cells} pixels a side
     * @param reference the representation similarities are measured against (usually the input's own)
     * @param map one score per pixel
     * @param seed the subsets' seed
     * @return the correlation and what it was computed from
     */
    public Result evaluate(InputTensor input, float[] reference, float[] map, long seed) {
        return correlate(drops(input, reference, seed), map);
    }

    /**
     * Draws the subsets and measures each one's drop: {@link #subsets} encoder passes plus one.
     *
     * @param input the input (C, H, W), at least {@code cells} pixels a side
     * @param reference the representation similarities are measured against
     * @param seed the subsets' seed
     * @return the drops
     */
    public Drops drops(InputTensor input, float[] reference, long seed) {
        int h = input.height();
        int w = input.width();
        int pixels = input.pixels();
        if (h < cells || w < cells) {
            throw new IllegalArgumentException("an input of " + h + "x" + w + " is too small for " + cells + " cells");
        }
        int c = input.channels();
        int sample = c * pixels;
        float[] x = input.unsafeData();
        float[] fixed = substrate.dependsOnRemoved() ? null : substrate.apply(input, null).unsafeData();
        double base = similarity.similarity(reference, 0, encoder.encode(InputBatch.of(input)).row(0), 0,
                reference.length);
        int[] cellOf = new int[pixels];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                cellOf[i * w + j] = (i * cells / h) * cells + j * cells / w;
            }
        }
        boolean[][] chosen = new boolean[subsets][];
        SplittableRandom rng = new SplittableRandom(seed);
        Similarities sims = new Similarities(encoder, similarity, reference, subsets, batchSize, c, h, w);
        for (int s = 0; s < subsets; s++) {
            chosen[s] = chooseCells(rng);
            float[] sub = fixed;
            if (sub == null) {
                boolean[] removed = new boolean[pixels];
                for (int p = 0; p < pixels; p++) {
                    removed[p] = chosen[s][cellOf[p]];
                }
                sub = substrate.apply(input, removed).unsafeData();
            }
            float[] batch = sims.buffer();
            int o = sims.nextOffset();
            System.arraycopy(x, 0, batch, o, sample);
            for (int p = 0; p < pixels; p++) {
                if (chosen[s][cellOf[p]]) {
                    for (int ch = 0; ch < c; ch++) {
                        batch[o + ch * pixels + p] = sub[ch * pixels + p];
                    }
                }
            }
            sims.added();
        }
        double[] similarities = sims.values();
        double[] drops = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            drops[s] = base - similarities[s];
        }
        return new Drops(cellOf, chosen, drops);
    }

    /**
     * @param drops from {@link #drops}
     * @param map one score per pixel
     * @return Pearson's r between the map's sum over each subset and its drop
     */
    public Result correlate(Drops drops, float[] map) {
        int[] cellOf = drops.cellsOfPixel();
        if (map.length != cellOf.length) {
            throw new IllegalArgumentException("the map has " + map.length + " values, the input " + cellOf.length
                    + " pixels");
        }
        double[] perCell = new double[cells * cells];
        for (int p = 0; p < map.length; p++) {
            perCell[cellOf[p]] += map[p];
        }
        double[] sums = new double[drops.subsets().length];
        for (int s = 0; s < sums.length; s++) {
            for (int q = 0; q < perCell.length; q++) {
                if (drops.subsets()[s][q]) {
                    sums[s] += perCell[q];
                }
            }
        }
        return new Result(pearson(sums, drops.drops()), sums, drops.drops().clone());
    }

    /** {@return the encoder passes of one {@link #drops} call} */
    public int passes() {
        return subsets + 1;
    }

    /** {@code subsetCells} distinct cells, by a partial Fisher–Yates shuffle. */
    private boolean[] chooseCells(SplittableRandom rng) {
        int n = cells * cells;
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        boolean[] chosen = new boolean[n];
        for (int k = 0; k < subsetCells; k++) {
            int j = k + rng.nextInt(n - k);
            int t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
            chosen[idx[k]] = true;
        }
        return chosen;
    }

    /** Pearson's r; NaN when either side is constant. */
    static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int k = 0; k < n; k++) {
            ma += a[k];
            mb += b[k];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int k = 0; k < n; k++) {
            sab += (a[k] - ma) * (b[k] - mb);
            saa += (a[k] - ma) * (a[k] - ma);
            sbb += (b[k] - mb) * (b[k] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }
}
