package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.image.Normalization;
import org.relax4j.tfjs.OnnxModelBuilder;

/**
 * A conv → relu → flatten → matmul model: two layers, randomised from the top; every field not edited is copied byte
 * for byte, the edited model runs in ONNX Runtime, and the new weights keep the old ones' spread.
 */
class ParameterRandomizationTest {
    private static final float[] CONV = randoms(2 * 3 * 3 * 3, 1, 0.5);
    private static final float[] BIAS = {0.1f, -0.2f};
    private static final float[] DENSE = randoms(2 * 6 * 6 * 5, 2, 0.2);

    private static float[] randoms(int n, long seed, double sd) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = (float) (sd * r.nextGaussian());
        }
        return v;
    }

    static byte[] model() {
        OnnxModelBuilder b = new OnnxModelBuilder("two-layers");
        b.input("x", OnnxModelBuilder.FLOAT, new long[] {-1, 3, 8, 8});
        String w = b.initializer("conv_w", new long[] {2, 3, 3, 3}, CONV);
        String bias = b.initializer("conv_b", new long[] {2}, BIAS);
        String d = b.initializer("dense_w", new long[] {72, 5}, DENSE);
        b.node("Conv", "conv").inputs("x", w, bias).outputs("c").add();
        b.node("Relu", "relu").inputs("c").outputs("r").add();
        b.node("Flatten", "flatten").inputs("r").outputs("f").attr("axis", 1L).add();
        b.node("MatMul", "dense").inputs("f", d).outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 5});
        return b.toBytes("relax-onnx-test", "1");
    }

    private static byte[] bytesOf(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static float[] run(byte[] model) {
        float[] x = randoms(3 * 8 * 8, 9, 1);
        try (OnnxEncoder e = OnnxEncoder.builder(model).pixels(Normalization.imagenet()).intraOpThreads(1).build()) {
            return e.encode(InputBatch.of(InputTensor.of(3, 8, 8, x))).row(0);
        }
    }

    @Test
    void layersAreFoundInGraphOrderAndRandomisedFromTheTop() {
        byte[] original = model();
        ParameterRandomization pr = ParameterRandomization.of(original);
        assertEquals(List.of(new ParameterRandomization.Layer("conv", "Conv", List.of("conv_w", "conv_b"), 56),
                new ParameterRandomization.Layer("dense", "MatMul", List.of("dense_w"), 360)), pr.layers());
        assertArrayEquals(original, pr.randomizeTop(0, 1), "nothing randomised: the same bytes");

        byte[] top = pr.randomizeTop(1, 1);
        assertTrue(contains(top, bytesOf(CONV)) && contains(top, bytesOf(BIAS)), "the conv layer is kept");
        assertFalse(contains(top, bytesOf(DENSE)), "the dense layer is re-initialised");
        byte[] all = pr.randomizeTop(2, 1);
        assertFalse(contains(all, bytesOf(CONV)) || contains(all, bytesOf(DENSE)));
        assertArrayEquals(all, pr.randomizeTop(2, 1), "same seed, same model");
        assertFalse(java.util.Arrays.equals(all, pr.randomizeTop(2, 2)));

        float[] y0 = run(original);
        float[] y1 = run(top);
        float[] y2 = run(all);
        assertFalse(java.util.Arrays.equals(y0, y1) || java.util.Arrays.equals(y1, y2));
        // The new dense weights keep the old spread (σ 0.2): the outputs stay on the same scale.
        ParameterRandomization again = ParameterRandomization.of(top);
        assertEquals(pr.layers(), again.layers(), "the edited model reads back with the same layers");
        double s0 = 0;
        double s1 = 0;
        for (int k = 0; k < y0.length; k++) {
            s0 += y0[k] * y0[k];
            s1 += y1[k] * y1[k];
        }
        assertTrue(s1 > s0 / 10 && s1 < s0 * 10, "output scale " + s0 + " vs " + s1);
    }

    @Test
    void whatIsNotAModelIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterRandomization.of(new byte[] {(byte) 0xFF, 0x01}));
        assertTrue(e.getMessage().startsWith("not an ONNX model"), e.getMessage());
        OnnxModelBuilder b = new OnnxModelBuilder("relu");
        b.input("x", OnnxModelBuilder.FLOAT, new long[] {-1, 4});
        b.node("Relu", "relu").inputs("x").outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 4});
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> ParameterRandomization.of(b.toBytes("t", "1")));
        assertTrue(none.getMessage().contains("no layer with parameters"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParameterRandomization.of(model()).randomizeTop(3, 0));
    }
}
