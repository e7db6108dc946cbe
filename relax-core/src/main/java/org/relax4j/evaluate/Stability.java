package org.relax4j.evaluate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much a map moves when only the masks' seed changes, and whether the error estimate predicted it: two
 * independent runs differ per pixel by about √2 standard errors, so the root mean square of the difference over
 * √2 should match the standard errors' root mean square (ratio near 1; above 1: the estimate was too optimistic).
 *
 * @param seeds how many runs
 * @param meanSpearman the mean rank correlation over every pair of runs
 * @param minSpearman the lowest
 * @param observedError the root mean square over pairs and pixels of the difference, over √2
 * @param predictedError the root mean square of the runs' standard errors
 */
public record Stability(int seeds, double meanSpearman, double minSpearman, double observedError,
                        double predictedError) {

    /**
     * @param maps one map per seed, at least 2, same length
     * @param standardErrors each run's per-pixel standard error (null entries: none known)
     * @return the comparison
     */
    public static Stability of(List<float[]> maps, List<float[]> standardErrors) {
        if (maps.size() < 2) {
            throw new IllegalArgumentException("stability needs at least 2 runs, got " + maps.size());
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double sq = 0;
        long n = 0;
        int pairs = 0;
        for (int a = 0; a < maps.size(); a++) {
            for (int b = a + 1; b < maps.size(); b++) {
                double s = MapAgreement.spearman(maps.get(a), maps.get(b));
                sum += s;
                min = Math.min(min, s);
                pairs++;
                float[] x = maps.get(a);
                float[] y = maps.get(b);
                for (int p = 0; p < x.length; p++) {
                    double d = x[p] - y[p];
                    sq += d * d / 2;
                    n++;
                }
            }
        }
        double se = 0;
        long m = 0;
        for (float[] s : standardErrors) {
            if (s != null) {
                for (float v : s) {
                    se += (double) v * v;
                    m++;
                }
            }
        }
        return new Stability(maps.size(), sum / pairs, min, Math.sqrt(sq / n), m == 0 ? Double.NaN : Math.sqrt(se / m));
    }

    /** {@return observed over predicted error (NaN when nothing was predicted)} */
    public double ratio() {
        return observedError / predictedError;
    }

    /** {@return the numbers as JSON-ready values} */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seeds", seeds);
        m.put("meanSpearman", meanSpearman);
        m.put("minSpearman", minSpearman);
        m.put("observedError", observedError);
        m.put("predictedError", predictedError);
        m.put("observedOverPredicted", ratio());
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "stability over %d seeds: Spearman mean %.3f (min %.3f); seed-to-seed error "
                + "%.3g vs the estimate's %.3g (ratio %.2f)", seeds, meanSpearman, minSpearman, observedError,
                predictedError, ratio());
    }
}
