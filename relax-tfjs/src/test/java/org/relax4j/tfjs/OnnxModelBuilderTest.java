package org.relax4j.tfjs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import org.junit.jupiter.api.Test;

/** The protobuf encoder and the ONNX writer, checked byte-wise and by running written models in ONNX Runtime. */
class OnnxModelBuilderTest {

    @Test
    void encodesWireFormat() {
        assertArrayEquals(bytes(0x08, 0xAC, 0x02), new ProtoWriter().int64(1, 300).toByteArray());
        assertArrayEquals(bytes(0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01),
                new ProtoWriter().int64(2, -1).toByteArray());
        assertArrayEquals(bytes(0x15, 0x00, 0x00, 0x80, 0x3F), new ProtoWriter().float32(2, 1f).toByteArray());
        assertArrayEquals(bytes(0x0A, 0x02, 'a', 'b'), new ProtoWriter().string(1, "ab").toByteArray());
        assertArrayEquals(bytes(0xA2, 0x01, 0x02, 0x08, 0x07), // field 20 holding the message {1: 7}
                new ProtoWriter().message(20, new ProtoWriter().int64(1, 7)).toByteArray());
        assertArrayEquals(bytes(0x0A, 0x03, 0x01, 0x96, 0x01), new ProtoWriter().packedInt64(1, new long[] {1, 150})
                .toByteArray());
    }

    /** Conv (stride 2, pads 1) → Clip(0, 6) → ReduceMean over H, W; NCHW input with a dynamic batch. */
    @Test
    void convRelu6MeanMatchesHandComputation() {
        int cin = 2;
        int cout = 3;
        int size = 5;
        int k = 3;
        Random rnd = new Random(42);
        float[] w = random(rnd, cout * cin * k * k, 3f);
        float[] bias = random(rnd, cout, 1f);

        OnnxModelBuilder b = new OnnxModelBuilder("conv");
        b.input("x", OnnxModelBuilder.FLOAT, new long[] {-1, cin, size, size});
        b.initializer("w", new long[] {cout, cin, k, k}, w);
        b.initializer("b", new long[] {cout}, bias);
        b.initializer("lo", new long[0], new float[] {0f});
        b.initializer("hi", new long[0], new float[] {6f});
        b.node("Conv", "conv").inputs("x", "w", "b").outputs("c").attr("kernel_shape", new long[] {k, k})
                .attr("strides", new long[] {2, 2}).attr("pads", new long[] {1, 1, 1, 1}).add();
        b.node("Clip", "relu6").inputs("c", "lo", "hi").outputs("r").add();
        b.node("ReduceMean", "mean").inputs("r").outputs("y").attr("axes", new long[] {2, 3})
                .attr("keepdims", 0L).add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, cout});
        byte[] model = b.toBytes("test", "1");

        int batch = 3;
        float[] x = random(rnd, batch * cin * size * size, 2f);
        float[] expected = new float[batch * cout];
        int out = 3; // (5 + 2 - 3) / 2 + 1
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < cout; o++) {
                double mean = 0;
                for (int oy = 0; oy < out; oy++) {
                    for (int ox = 0; ox < out; ox++) {
                        double acc = bias[o];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * 2 - 1 + ky;
                                    int ix = ox * 2 - 1 + kx;
                                    if (iy < 0 || ix < 0 || iy >= size || ix >= size) {
                                        continue;
                                    }
                                    acc += w[((o * cin + ci) * k + ky) * k + kx]
                                            * x[((n * cin + ci) * size + iy) * size + ix];
                                }
                            }
                        }
                        mean += Math.min(6, Math.max(0, acc));
                    }
                }
                expected[n * cout + o] = (float) (mean / (out * out));
            }
        }
        float[] y = Ort.run(model, "x", new long[] {batch, cin, size, size}, x);
        assertEquals(batch * cout, y.length);
        assertArrayEquals(expected, y, 1e-5f);
    }

    /** MatMul + Add on a 2-D input, run through a plain ONNX Runtime session. */
    @Test
    void matMulMatchesHandComputation() throws Exception {
        Random rnd = new Random(7);
        float[] w = random(rnd, 4 * 3, 1f);
        float[] bias = random(rnd, 3, 1f);
        OnnxModelBuilder b = new OnnxModelBuilder("dense");
        b.input("a", OnnxModelBuilder.FLOAT, new long[] {-1, 4});
        b.initializer("w", new long[] {4, 3}, w);
        b.initializer("bias", new long[] {3}, bias);
        b.node("MatMul", "mm").inputs("a", "w").outputs("m").add();
        b.node("Add", "add").inputs("m", "bias").outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 3});

        float[] a = random(rnd, 2 * 4, 1f);
        float[] expected = new float[2 * 3];
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                double acc = bias[c];
                for (int i = 0; i < 4; i++) {
                    acc += a[r * 4 + i] * w[i * 3 + c];
                }
                expected[r * 3 + c] = (float) acc;
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(b.toBytes("test", "1"), opts);
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(a), new long[] {2, 4});
             OrtSession.Result r = session.run(Map.of("a", in))) {
            FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] actual = new float[y.remaining()];
            y.get(actual);
            assertArrayEquals(expected, actual, 1e-5f);
        }
    }

    static float[] random(Random rnd, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rnd.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
