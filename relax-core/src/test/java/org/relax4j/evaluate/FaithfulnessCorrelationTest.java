package org.relax4j.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;

/**
 * With a linear "representation" v = Σ a_p x_p, a similarity that is v itself, an input of ones and a substrate of
 * zeros, removing a subset drops the similarity by exactly the sum of a over it: the map a correlates 1, −a
 * correlates −1, and a map unrelated to a correlates weakly.
 */
class FaithfulnessCorrelationTest {
    private static final int SIDE = 12;
    private static final float[] A = new float[SIDE * SIDE];

    static {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int p = 0; p < A.length; p++) {
            A[p] = (float) r.nextDouble();
        }
    }

    private static final Encoder LINEAR = batch -> {
        float[] out = new float[batch.size()];
        for (int b = 0; b < batch.size(); b++) {
            double v = 0;
            for (int p = 0; p < A.length; p++) {
                v += A[p] * batch.data()[batch.offset() + b * A.length + p];
            }
            out[b] = (float) v;
        }
        return new Embeddings(batch.size(), 1, out);
    };
    private static final Similarity VALUE = (ref, ro, other, oo, dim) -> other[oo];
    private static final Substrate ZEROS = Substrate.fixed("zeros",
            in -> InputTensor.filled(in.channels(), in.height(), in.width(), 0f));

    private static FaithfulnessCorrelation.Result run(float[] map) {
        InputTensor x = InputTensor.filled(1, SIDE, SIDE, 1f);
        return new FaithfulnessCorrelation(LINEAR, VALUE, ZEROS, 4, 5, 40, 16).evaluate(x, new float[1], map, 3L);
    }

    @Test
    void theMapThatIsTheModelCorrelatesOne() {
        FaithfulnessCorrelation.Result r = run(A);
        assertEquals(1.0, r.correlation(), 1e-5);
        for (int s = 0; s < r.drops().length; s++) {
            assertEquals(r.mapSums()[s], r.drops()[s], 1e-3, "drop = the map's sum, subset " + s);
        }
        float[] negative = new float[A.length];
        for (int p = 0; p < A.length; p++) {
            negative[p] = -A[p];
        }
        assertEquals(-1.0, run(negative).correlation(), 1e-5);
    }

    @Test
    void anUnrelatedMapCorrelatesWeaklyAndAFlatOneNotAtAll() {
        float[] other = new float[A.length];
        java.util.SplittableRandom r = new java.util.SplittableRandom(99);
        for (int p = 0; p < other.length; p++) {
            other[p] = (float) r.nextDouble();
        }
        double c = run(other).correlation();
        assertTrue(Math.abs(c) < 0.6, "unrelated map: " + c);
        assertTrue(Double.isNaN(run(new float[A.length]).correlation()), "a flat map has no correlation");
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FaithfulnessCorrelation(LINEAR, VALUE, ZEROS, 4, 16, 40, 16));
        assertTrue(e.getMessage().contains("subsetCells must be in [1, 16), got 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FaithfulnessCorrelation(LINEAR, VALUE, ZEROS, 4, 5, 2, 1));
        InputTensor x = InputTensor.filled(1, SIDE, SIDE, 1f);
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> new FaithfulnessCorrelation(LINEAR, VALUE, ZEROS, 4, 5, 40, 16).evaluate(x, new float[1],
                        new float[3], 1L));
        assertTrue(m.getMessage().contains("the map has 3 values, the input 144 pixels"), m.getMessage());
    }
}
