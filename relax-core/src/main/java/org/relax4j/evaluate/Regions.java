package org.relax4j.evaluate;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.relax4j.data.InputTensor;

/**
 * What one step of a curve moves: single pixels, square patches or superpixels. A map ranks regions by its mean over
 * each; pixel steps judge the map's finest detail, patch and superpixel steps judge it at the scale an object has
 * (and leave the model fewer tell-tale edges of scattered pixels).
 */
public final class Regions {
    private final String name;
    private final int height;
    private final int width;
    private final int[] labels;
    private final int count;

    private Regions(String name, int height, int width, int[] labels, int count) {
        this.name = name;
        this.height = height;
        this.width = width;
        this.labels = labels;
        this.count = count;
    }

    /** {@return every pixel its own region} @param height rows @param width columns */
    public static Regions pixels(int height, int width) {
        return new Regions("pixels", height, width, IntStream.range(0, height * width).toArray(), height * width);
    }

    /**
     * Square patches of {@code size} pixels a side, row-major; the last row and column of patches may be smaller.
     *
     * @param height rows
     * @param width columns
     * @param size the patch side, in [1, min(height, width)]
     * @return the patches
     */
    public static Regions patches(int height, int width, int size) {
        if (size < 1 || size > Math.min(height, width)) {
            throw new IllegalArgumentException("patch size must be in [1, " + Math.min(height, width) + "], got "
                    + size);
        }
        int across = (width + size - 1) / size;
        int[] labels = new int[height * width];
        for (int i = 0; i < height; i++) {
            for (int j = 0; j < width; j++) {
                labels[i * width + j] = (i / size) * across + j / size;
            }
        }
        return new Regions("patches(" + size + ")", height, width, labels, across * ((height + size - 1) / size));
    }

    /**
     * SLIC superpixels (Achanta et al., 2012) in CIELAB over the image's RGB: about {@code n} compact regions that
     * follow colour edges. Ten assignment rounds; regions left empty are dropped and the labels renumbered, and a
     * region may be in more than one piece (no connectivity pass).
     *
     * @param rgb the image, 3 channels in [0, 1]
     * @param n the number of superpixels wanted, at least 1
     * @param compactness the weight of distance against colour (SLIC's m; 10 is usual for CIELAB), positive
     * @return the superpixels
     */
    public static Regions superpixels(InputTensor rgb, int n, double compactness) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("superpixels need an RGB image, got " + rgb.channels() + " channels");
        }
        if (n < 1 || n > rgb.pixels()) {
            throw new IllegalArgumentException("superpixels must be in [1, " + rgb.pixels() + "], got " + n);
        }
        if (!(compactness > 0) || !Double.isFinite(compactness)) {
            throw new IllegalArgumentException("compactness must be finite and > 0, got " + compactness);
        }
        int h = rgb.height();
        int w = rgb.width();
        int pixels = h * w;
        double[][] lab = lab(rgb);
        int step = Math.max(1, (int) Math.round(Math.sqrt((double) pixels / n)));
        int rows = Math.max(1, h / step);
        int cols = Math.max(1, w / step);
        int k = rows * cols;
        double[][] centre = new double[k][5]; // l, a, b, i, j
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = Math.min(h - 1, (int) ((r + 0.5) * h / rows));
                int j = Math.min(w - 1, (int) ((c + 0.5) * w / cols));
                int p = i * w + j;
                centre[r * cols + c] = new double[] {lab[0][p], lab[1][p], lab[2][p], i, j};
            }
        }
        int[] labels = new int[pixels];
        double[] best = new double[pixels];
        double spatial = compactness * compactness / ((double) step * step);
        for (int round = 0; round < 10; round++) {
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            for (int c = 0; c < k; c++) {
                double[] ce = centre[c];
                int i0 = Math.max(0, (int) ce[3] - 2 * step);
                int i1 = Math.min(h - 1, (int) ce[3] + 2 * step);
                int j0 = Math.max(0, (int) ce[4] - 2 * step);
                int j1 = Math.min(w - 1, (int) ce[4] + 2 * step);
                for (int i = i0; i <= i1; i++) {
                    for (int j = j0; j <= j1; j++) {
                        int p = i * w + j;
                        double dl = lab[0][p] - ce[0];
                        double da = lab[1][p] - ce[1];
                        double db = lab[2][p] - ce[2];
                        double di = i - ce[3];
                        double dj = j - ce[4];
                        double d = dl * dl + da * da + db * db + spatial * (di * di + dj * dj);
                        if (d < best[p]) {
                            best[p] = d;
                            labels[p] = c;
                        }
                    }
                }
            }
            double[][] sum = new double[k][6];
            for (int p = 0; p < pixels; p++) {
                double[] s = sum[labels[p]];
                s[0] += lab[0][p];
                s[1] += lab[1][p];
                s[2] += lab[2][p];
                s[3] += p / w;
                s[4] += p % w;
                s[5]++;
            }
            for (int c = 0; c < k; c++) {
                if (sum[c][5] > 0) {
                    for (int q = 0; q < 5; q++) {
                        centre[c][q] = sum[c][q] / sum[c][5];
                    }
                }
            }
        }
        int[] renumber = new int[k];
        Arrays.fill(renumber, -1);
        int used = 0;
        for (int p = 0; p < pixels; p++) {
            if (renumber[labels[p]] < 0) {
                renumber[labels[p]] = used++;
            }
            labels[p] = renumber[labels[p]];
        }
        return new Regions("superpixels(" + n + ")", h, w, labels, used);
    }

    /** sRGB in [0, 1] to CIELAB (D65), per pixel. */
    private static double[][] lab(InputTensor rgb) {
        int pixels = rgb.pixels();
        float[] x = rgb.unsafeData();
        double[][] out = new double[3][pixels];
        for (int p = 0; p < pixels; p++) {
            double r = linear(x[p]);
            double g = linear(x[pixels + p]);
            double b = linear(x[2 * pixels + p]);
            double fx = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
            double fy = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
            double fz = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
            out[0][p] = 116 * fy - 16;
            out[1][p] = 500 * (fx - fy);
            out[2][p] = 200 * (fy - fz);
        }
        return out;
    }

    private static double linear(double c) {
        c = Math.min(1, Math.max(0, c));
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    private static double f(double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }

    /** {@return the name for reports, with parameters} */
    public String name() {
        return name;
    }

    /** {@return how many regions} */
    public int count() {
        return count;
    }

    /** {@return the image's rows} */
    public int height() {
        return height;
    }

    /** {@return the image's columns} */
    public int width() {
        return width;
    }

    /** {@return each pixel's region, a copy} */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * {@return region indices from the highest mean score to the lowest; ties in index order, so reproducible}
     *
     * @param map one score per pixel. Not modified.
     */
    public int[] order(float[] map) {
        if (map.length != labels.length) {
            throw new IllegalArgumentException("the map has " + map.length + " values, the regions " + labels.length
                    + " pixels");
        }
        double[] sum = new double[count];
        int[] size = new int[count];
        for (int p = 0; p < labels.length; p++) {
            sum[labels[p]] += map[p];
            size[labels[p]]++;
        }
        double[] mean = new double[count];
        for (int r = 0; r < count; r++) {
            mean[r] = sum[r] / size[r];
        }
        return IntStream.range(0, count).boxed()
                .sorted((a, b) -> {
                    int c = Double.compare(mean[b], mean[a]);
                    return c != 0 ? c : Integer.compare(a, b);
                })
                .mapToInt(Integer::intValue).toArray();
    }

    /** {@return for each region (by index), its pixels in increasing order} */
    int[][] members() {
        int[] size = new int[count];
        for (int l : labels) {
            size[l]++;
        }
        int[][] out = new int[count][];
        for (int r = 0; r < count; r++) {
            out[r] = new int[size[r]];
        }
        int[] fill = new int[count];
        for (int p = 0; p < labels.length; p++) {
            out[labels[p]][fill[labels[p]]++] = p;
        }
        return out;
    }

    @Override
    public String toString() {
        return name + ": " + count + " regions over " + height + "x" + width;
    }
}
