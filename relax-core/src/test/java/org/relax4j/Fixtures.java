package org.relax4j;

import java.util.Random;
import org.relax4j.data.InputTensor;

/**
 * Random test fixtures, one home for every module's tests (shared through relax-core's test-jar): each is a pure
 * function of its arguments and a fixed seed.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** A (c, h, w) input with values uniform in [-2, 2), about the range of an ImageNet-normalised image. */
    public static InputTensor randomInput(int c, int h, int w, long seed) {
        return InputTensor.of(c, h, w, randomFloats(c * h * w, -2f, 2f, seed));
    }

    /** Similarities that look like real ones: uniform in [0.3, 1). */
    public static float[] randomSimilarities(int n, long seed) {
        return randomFloats(n, 0.3f, 1f, seed);
    }

    /** {@code n} floats {@code low + (high - low) · nextFloat()} from {@code new Random(seed)}. */
    public static float[] randomFloats(int n, float low, float high, long seed) {
        Random rnd = new Random(seed);
        float[] d = new float[n];
        for (int k = 0; k < n; k++) {
            d[k] = low + (high - low) * rnd.nextFloat();
        }
        return d;
    }
}
