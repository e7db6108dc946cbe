package org.relax4j.tfjs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.relax4j.tfjs.TfjsToOnnxTest.b64;
import static org.relax4j.tfjs.TfjsToOnnxTest.op;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per op of the converter's registry: a tiny TensorFlow.js graph whose output node {@code y} is that op,
 * converted, run in ONNX Runtime on an NHWC input, and compared with the op computed directly in Java (double
 * precision) on the same values. {@link #everyRegisteredOpHasACase()} fails when an op is registered without a case.
 */
class OpLoweringTest {
    static final int N = 2;
    static final int H = 4;
    static final int W = 4;
    static final int C = 2;

    @TempDir
    Path tmp;

    /** A graph around the op under test, the input's shape, and the expected output for an input. */
    interface Case {
        /** Adds the nodes after the placeholder {@code x}; the output node is {@code y}. */
        void graph(TfjsToOnnxTest.Synthetic s);

        /** The expected output (flattened, TensorFlow's layout) for the input. */
        float[] expected(float[] x);

        default long[] inputShape() {
            return new long[] {N, H, W, C};
        }
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();
    private static final Random RND = new Random(31);
    private static final float[] PER_CHANNEL = {0.75f, -1.25f};
    private static final float[] DIVISORS = {0.5f, 1.5f};

    static {
        CASES.put("Placeholder", unary("Identity", v -> v)); // the placeholder's transposes in and out
        CASES.put("Identity", unary("Identity", v -> v));
        CASES.put("Const", binary("AddV2", PER_CHANNEL, Double::sum)); // a per-channel constant, permuted to NCHW
        CASES.put("Mul", binary("Mul", PER_CHANNEL, (a, b) -> a * b));
        CASES.put("Sub", binary("Sub", PER_CHANNEL, (a, b) -> a - b));
        CASES.put("Add", binary("Add", PER_CHANNEL, Double::sum));
        CASES.put("AddV2", binary("AddV2", PER_CHANNEL, Double::sum));
        CASES.put("RealDiv", binary("RealDiv", DIVISORS, (a, b) -> a / b));
        CASES.put("Maximum", binary("Maximum", PER_CHANNEL, Math::max));
        CASES.put("Minimum", binary("Minimum", PER_CHANNEL, Math::min));
        CASES.put("BiasAdd", binary("BiasAdd", PER_CHANNEL, Double::sum));
        CASES.put("Relu", unary("Relu", v -> Math.max(0, v)));
        CASES.put("Relu6", unary("Relu6", v -> Math.min(6, Math.max(0, 4 * v))));
        CASES.put("Elu", unary("Elu", OpLoweringTest::elu));
        CASES.put("LeakyRelu", unary("LeakyRelu", v -> v > 0 ? v : 0.1 * v));
        CASES.put("Sigmoid", unary("Sigmoid", v -> 1 / (1 + Math.exp(-v))));
        CASES.put("Tanh", unary("Tanh", Math::tanh));
        CASES.put("Conv2D", conv("Conv2D", false, 1, "SAME", null));
        CASES.put("_FusedConv2D", conv("_FusedConv2D", false, 2, "SAME", "Tanh"));
        CASES.put("DepthwiseConv2dNative", conv("DepthwiseConv2dNative", true, 1, "VALID", null));
        CASES.put("FusedDepthwiseConv2dNative", conv("FusedDepthwiseConv2dNative", true, 1, "SAME", "Elu"));
        CASES.put("AvgPool", pool("AvgPool", 2, 2, "VALID"));
        CASES.put("MaxPool", pool("MaxPool", 3, 1, "SAME"));
        CASES.put("Mean", mean());
        CASES.put("Squeeze", squeeze());
        CASES.put("Softmax", softmax());
        CASES.put("MatMul", matMul("MatMul", false));
        CASES.put("_FusedMatMul", matMul("_FusedMatMul", true));
    }

    @Test
    void everyRegisteredOpHasACase() {
        assertEquals(new TreeSet<>(TfjsToOnnx.SUPPORTED_OPS), new TreeSet<>(CASES.keySet()),
                "registered ops vs ops with a case here");
    }

    @TestFactory
    List<DynamicTest> eachOpMatchesADirectComputation() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Case> e : CASES.entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), e.getValue())));
        }
        return tests;
    }

    private void check(String opName, Case c) {
        TfjsToOnnxTest.Synthetic s = new TfjsToOnnxTest.Synthetic();
        long[] shape = c.inputShape();
        StringBuilder dims = new StringBuilder();
        int size = 1;
        for (long d : shape) {
            dims.append(dims.length() == 0 ? "" : ",").append("{\"size\":\"").append(d == N ? -1 : d).append("\"}");
            size *= (int) d;
        }
        s.node("{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":[" + dims
                + "]}},\"dtype\":{\"type\":\"DT_FLOAT\"}}}");
        c.graph(s);
        s.constF32("unused", new long[] {1}, new float[] {0f}); // every model here has a weights shard
        Path dir = tmp.resolve(opName);
        try {
            Files.createDirectories(dir);
            s.writePlain(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TfjsToOnnx.Result r = TfjsToOnnx.convert(TfjsGraphModel.read(dir), "y");
        assertEquals(1, r.convertedOps().get(opName), opName + " converted once: " + r.convertedOps());
        float[] x = TfjsToOnnxTest.Synthetic.randomValues(new Random(opName.hashCode()), size, 1.5f);
        float[] expected = c.expected(x);
        float[] actual = Ort.run(r.onnx(), "x", shape, x);
        assertArrayEquals(expected, actual, 1e-5f, opName);
    }

    // ---- cases ----

    private static Case unary(String op, DoubleUnaryOperator f) {
        return new Case() {
            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                String in = "\"x\"";
                if (op.equals("Relu6")) { // scale first so that both clip bounds are reached
                    s.constF32("four", new long[0], new float[] {4f});
                    s.node(op("x4", "Mul", "\"x\",\"four\"", ""));
                    in = "\"x4\"";
                }
                s.node(op("y", op, in, op.equals("LeakyRelu") ? "\"alpha\":{\"f\":0.1}" : ""));
            }

            @Override
            public float[] expected(float[] x) {
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    y[i] = (float) f.applyAsDouble(x[i]);
                }
                return y;
            }
        };
    }

    private interface DoubleBinary {
        double apply(double a, double b);
    }

    /** {@code y = op(x, k)} with {@code k} a per-channel constant of shape [C]. */
    private static Case binary(String op, float[] k, DoubleBinary f) {
        return new Case() {
            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                s.constF32("k", new long[] {C}, k);
                s.node(op("y", op, "\"x\",\"k\"", ""));
            }

            @Override
            public float[] expected(float[] x) {
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    y[i] = (float) f.apply(x[i], k[i % C]);
                }
                return y;
            }
        };
    }

    private static double elu(double v) {
        return v > 0 ? v : Math.exp(v) - 1;
    }

    private static double activate(String act, double v) {
        if (act == null) {
            return v;
        }
        return act.equals("Tanh") ? Math.tanh(v) : elu(v);
    }

    /** A 3×3 convolution (K = 3 filters, or depthwise with multiplier 2), optionally fused with a bias and act. */
    private static Case conv(String op, boolean depthwise, int stride, String padding, String act) {
        int k = 3;
        int m = depthwise ? 2 : 3;
        int cout = depthwise ? C * m : m;
        float[] filter = TfjsToOnnxTest.Synthetic.randomValues(RND, k * k * C * m, 0.5f);
        float[] bias = TfjsToOnnxTest.Synthetic.randomValues(RND, cout, 0.5f);
        boolean fused = act != null;
        return new Case() {
            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                s.constF32("f", new long[] {k, k, C, m}, filter);
                String inputs = "\"x\",\"f\"";
                String fusedAttrs = "";
                if (fused) {
                    s.constF32("b", new long[] {cout}, bias);
                    inputs += ",\"b\"";
                    fusedAttrs = ",\"num_args\":{\"i\":\"1\"},\"fused_ops\":{\"list\":{\"s\":[\"" + b64("BiasAdd")
                            + "\",\"" + b64(act) + "\"]}}";
                }
                s.node(op("y", op, inputs, "\"strides\":{\"list\":{\"i\":[\"1\",\"" + stride + "\",\"" + stride
                        + "\",\"1\"]}},\"padding\":{\"s\":\"" + b64(padding) + "\"},\"data_format\":{\"s\":\""
                        + b64("NHWC") + "\"}" + fusedAttrs));
            }

            @Override
            public float[] expected(float[] x) {
                int oh = padding.equals("SAME") ? (H + stride - 1) / stride : (H - k) / stride + 1;
                int ow = padding.equals("SAME") ? (W + stride - 1) / stride : (W - k) / stride + 1;
                int padTop = padding.equals("SAME") ? Math.max((oh - 1) * stride + k - H, 0) / 2 : 0;
                int padLeft = padding.equals("SAME") ? Math.max((ow - 1) * stride + k - W, 0) / 2 : 0;
                float[] y = new float[N * oh * ow * cout];
                for (int b = 0; b < N; b++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            for (int o = 0; o < cout; o++) {
                                double acc = fused ? bias[o] : 0;
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        int iy = i * stride - padTop + ky;
                                        int ix = j * stride - padLeft + kx;
                                        if (iy < 0 || ix < 0 || iy >= H || ix >= W) {
                                            continue;
                                        }
                                        int base = ((b * H + iy) * W + ix) * C;
                                        if (depthwise) {
                                            int ci = o / m;
                                            acc += x[base + ci] * (double) filter[((ky * k + kx) * C + ci) * m + o % m];
                                        } else {
                                            for (int ci = 0; ci < C; ci++) {
                                                acc += x[base + ci] * (double) filter[((ky * k + kx) * C + ci) * m + o];
                                            }
                                        }
                                    }
                                }
                                y[((b * oh + i) * ow + j) * cout + o] = (float) activate(act, acc);
                            }
                        }
                    }
                }
                return y;
            }
        };
    }

    /** A k×k pool with stride s (AvgPool averages the valid elements only, as TensorFlow). */
    private static Case pool(String op, int k, int stride, String padding) {
        return new Case() {
            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                s.node(op("y", op, "\"x\"", "\"ksize\":{\"list\":{\"i\":[\"1\",\"" + k + "\",\"" + k + "\",\"1\"]}},"
                        + "\"strides\":{\"list\":{\"i\":[\"1\",\"" + stride + "\",\"" + stride + "\",\"1\"]}},"
                        + "\"padding\":{\"s\":\"" + b64(padding) + "\"}"));
            }

            @Override
            public float[] expected(float[] x) {
                boolean same = padding.equals("SAME");
                int oh = same ? (H + stride - 1) / stride : (H - k) / stride + 1;
                int ow = same ? (W + stride - 1) / stride : (W - k) / stride + 1;
                int padTop = same ? Math.max((oh - 1) * stride + k - H, 0) / 2 : 0;
                int padLeft = same ? Math.max((ow - 1) * stride + k - W, 0) / 2 : 0;
                float[] y = new float[N * oh * ow * C];
                for (int b = 0; b < N; b++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            for (int ch = 0; ch < C; ch++) {
                                double sum = 0;
                                double max = Double.NEGATIVE_INFINITY;
                                int count = 0;
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        int iy = i * stride - padTop + ky;
                                        int ix = j * stride - padLeft + kx;
                                        if (iy < 0 || ix < 0 || iy >= H || ix >= W) {
                                            continue;
                                        }
                                        double v = x[((b * H + iy) * W + ix) * C + ch];
                                        sum += v;
                                        max = Math.max(max, v);
                                        count++;
                                    }
                                }
                                y[((b * oh + i) * ow + j) * C + ch] = (float) (op.equals("AvgPool") ? sum / count : max);
                            }
                        }
                    }
                }
                return y;
            }
        };
    }

    /** The mean over H and W per (image, channel). */
    private static float[] spatialMean(float[] x) {
        float[] y = new float[N * C];
        for (int b = 0; b < N; b++) {
            for (int ch = 0; ch < C; ch++) {
                double sum = 0;
                for (int p = 0; p < H * W; p++) {
                    sum += x[(b * H * W + p) * C + ch];
                }
                y[b * C + ch] = (float) (sum / (H * W));
            }
        }
        return y;
    }

    private static Case mean() {
        return new Case() {
            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                s.constI32("axes", new long[] {2}, new int[] {1, 2});
                s.node(op("y", "Mean", "\"x\",\"axes\"", "\"keep_dims\":{\"b\":false}"));
            }

            @Override
            public float[] expected(float[] x) {
                return spatialMean(x);
            }
        };
    }

    /** AvgPool over the whole image ([N, 1, 1, C]), then Squeeze of axes 1 and 2. */
    private static Case squeeze() {
        return new Case() {
            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                s.node(op("p", "AvgPool", "\"x\"", "\"ksize\":{\"list\":{\"i\":[\"1\",\"" + H + "\",\"" + W
                        + "\",\"1\"]}},\"padding\":{\"s\":\"" + b64("VALID") + "\"}"));
                s.node(op("y", "Squeeze", "\"p\"", "\"squeeze_dims\":{\"list\":{\"i\":[\"1\",\"2\"]}}"));
            }

            @Override
            public float[] expected(float[] x) {
                return spatialMean(x);
            }
        };
    }

    /** Softmax over the channels of a 4-D value. */
    private static Case softmax() {
        return new Case() {
            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                s.node(op("y", "Softmax", "\"x\"", ""));
            }

            @Override
            public float[] expected(float[] x) {
                float[] y = new float[x.length];
                for (int p = 0; p < x.length; p += C) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int ch = 0; ch < C; ch++) {
                        max = Math.max(max, x[p + ch]);
                    }
                    double sum = 0;
                    for (int ch = 0; ch < C; ch++) {
                        sum += Math.exp(x[p + ch] - max);
                    }
                    for (int ch = 0; ch < C; ch++) {
                        y[p + ch] = (float) (Math.exp(x[p + ch] - max) / sum);
                    }
                }
                return y;
            }
        };
    }

    /** A 2-D input [N, 3] times a constant; fused: transpose_b, bias and Sigmoid. */
    private static Case matMul(String op, boolean fused) {
        int in = 3;
        int out = 4;
        float[] w = TfjsToOnnxTest.Synthetic.randomValues(RND, in * out, 1f); // [in, out], or [out, in] if fused
        float[] bias = TfjsToOnnxTest.Synthetic.randomValues(RND, out, 1f);
        return new Case() {
            @Override
            public long[] inputShape() {
                return new long[] {N, in};
            }

            @Override
            public void graph(TfjsToOnnxTest.Synthetic s) {
                s.constF32("w", fused ? new long[] {out, in} : new long[] {in, out}, w);
                if (fused) {
                    s.constF32("b", new long[] {out}, bias);
                    s.node(op("y", op, "\"x\",\"w\",\"b\"", "\"transpose_b\":{\"b\":true},\"num_args\":{\"i\":\"1\"},"
                            + "\"fused_ops\":{\"list\":{\"s\":[\"" + b64("BiasAdd") + "\",\"" + b64("Sigmoid") + "\"]}}"));
                } else {
                    s.node(op("y", op, "\"x\",\"w\"", ""));
                }
            }

            @Override
            public float[] expected(float[] x) {
                float[] y = new float[N * out];
                for (int r = 0; r < N; r++) {
                    for (int o = 0; o < out; o++) {
                        double acc = fused ? bias[o] : 0;
                        for (int i = 0; i < in; i++) {
                            acc += x[r * in + i] * (double) (fused ? w[o * in + i] : w[i * out + o]);
                        }
                        y[r * out + o] = (float) (fused ? 1 / (1 + Math.exp(-acc)) : acc);
                    }
                }
                return y;
            }
        };
    }
}
