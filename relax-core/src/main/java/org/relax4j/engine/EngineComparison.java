package org.relax4j.engine;

/**
 * How far two engines' outputs are apart, measured the way the engine contract states its tolerances: masked
 * inputs by the largest absolute difference, maps by the largest relative difference. A NaN where the other side
 * has a number counts as infinitely far.
 */
public final class EngineComparison {
    /**
     * The engine contract's tolerance for masked inputs: the largest absolute difference an engine's masked inputs
     * may have from the formula's (an engine that keeps the evaluation order, as the OpenCL kernels do, has 0).
     */
    public static final double MASKED_TOLERANCE = 1e-6;
    /**
     * The engine contract's tolerance for maps (W, R, U, and the maps derived from them): the largest
     * {@link #maxRelativeDifference relative difference} from the CPU engine's.
     */
    public static final double MAP_TOLERANCE = 1e-5;

    private EngineComparison() {
    }

    /**
     * {@return the largest {@code |expected[k] - actual[k]|} over {@code length} values from the two offsets}
     *
     * @param expected the reference values. Not modified.
     * @param expectedOffset index of the first value in {@code expected}
     * @param actual the values to compare. Not modified.
     * @param actualOffset index of the first value in {@code actual}
     * @param length the number of values
     */
    public static double maxAbsDifference(float[] expected, int expectedOffset, float[] actual, int actualOffset,
                                          int length) {
        double worst = 0;
        for (int k = 0; k < length; k++) {
            double d = Math.abs((double) expected[expectedOffset + k] - actual[actualOffset + k]);
            worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
        }
        return worst;
    }

    /**
     * {@return the largest absolute difference of two arrays of equal length}
     *
     * @param expected the reference values. Not modified.
     * @param actual the values to compare. Not modified.
     */
    public static double maxAbsDifference(float[] expected, float[] actual) {
        checkLengths(expected, actual);
        return maxAbsDifference(expected, 0, actual, 0, expected.length);
    }

    /**
     * The largest {@code |expected[k] - actual[k]| / max(|expected[k]|, 1e-3 · max|expected|)}: relative, except
     * that values near zero are compared against a thousandth of the map's scale.
     *
     * @param expected the reference values. Not modified.
     * @param actual the values to compare. Not modified.
     * @return the largest relative difference
     */
    public static double maxRelativeDifference(float[] expected, float[] actual) {
        checkLengths(expected, actual);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int k = 0; k < expected.length; k++) {
            double d = Math.abs((double) expected[k] - actual[k]) / Math.max(Math.abs(expected[k]), 1e-3 * scale);
            worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
        }
        return worst;
    }

    private static void checkLengths(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException("cannot compare " + expected.length + " values with " + actual.length);
        }
    }
}
