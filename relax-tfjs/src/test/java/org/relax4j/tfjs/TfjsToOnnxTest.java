package org.relax4j.tfjs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small synthetic TensorFlow.js graph model, written by the test, converted and run in ONNX Runtime, compared
 * with a direct NHWC computation in Java.
 *
 * <pre>
 * input [-1, 6, 6, 2] → Mul(2) → _FusedConv2D 3×3 stride 2 SAME (uint8 filter) + bias + Relu6 → [N, 3, 3, 3]
 *   → FusedDepthwiseConv2dNative 3×3 ×2 SAME (float16 filter) + bias (uint16) → [N, 3, 3, 6]
 *   → Sub(per-channel const) → AddV2(itself, depthwise output)  = "add"
 *   add → Mean[1, 2] → "mean" [N, 6];  add → Mean[1] → "mean_h" [N, 3, 6]
 *   add → AvgPool 3×3 VALID → Squeeze[1, 2] → _FusedMatMul [6, 4] + bias → Softmax = "prob" [N, 4]
 * </pre>
 */
class TfjsToOnnxTest {
    static final int H = 6;
    static final int C = 2;
    static final int C1 = 3;
    static final int M = 2;
    static final int C2 = C1 * M;
    static final int CLASSES = 4;

    @TempDir
    static Path tmp;

    static Path plainDir;
    static Path jsDir;
    static float[] convW;
    static float[] convB;
    static float[] dwW;
    static float[] dwB;
    static float[] shift;
    static float[] fcW;
    static float[] fcB;

    @BeforeAll
    static void writeModels() throws IOException {
        Random rnd = new Random(2024);
        Synthetic s = new Synthetic();
        s.node("{\"name\":\"input\",\"op\":\"Placeholder\",\"attr\":{\"shape\":{\"shape\":{\"dim\":[{\"size\":\"-1\"},"
                + "{\"size\":\"6\"},{\"size\":\"6\"},{\"size\":\"2\"}]}},\"dtype\":{\"type\":\"DT_FLOAT\"}}}");
        s.constF32("scale", new long[0], new float[] {2f});
        s.node(op("mul", "Mul", "\"scale\",\"input\"", ""));

        // uint8-quantized conv filter: value = q * scale + min
        byte[] q = new byte[3 * 3 * C * C1];
        rnd.nextBytes(q);
        double qMin = -0.5;
        double qScale = 1.0 / 255;
        convW = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            convW[i] = (float) ((q[i] & 0xFF) * qScale + qMin);
        }
        s.weight("conv/w", new long[] {3, 3, C, C1}, "{\"min\":" + qMin + ",\"scale\":" + qScale
                + ",\"dtype\":\"uint8\"}", q);
        convB = OnnxModelBuilderTest.random(rnd, C1, 1f);
        s.constF32("conv/b", new long[] {C1}, convB);
        s.node(op("conv", "_FusedConv2D", "\"mul\",\"conv/w\",\"conv/b\"", convAttrs(2, "BiasAdd", "Relu6")));

        // float16 depthwise filter
        dwW = new float[3 * 3 * C1 * M];
        ByteBuffer half = ByteBuffer.allocate(dwW.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dwW.length; i++) {
            int h16 = 0x3000 + rnd.nextInt(0x1000); // 0.125 .. 0.25 range, exact halves
            if (rnd.nextBoolean()) {
                h16 |= 0x8000;
            }
            half.putShort((short) h16);
            dwW[i] = TfjsGraphModel.halfToFloat((short) h16);
        }
        s.weight("dw/w", new long[] {3, 3, C1, M}, "{\"dtype\":\"float16\"}", half.array());
        // uint16-quantized depthwise bias
        ByteBuffer q16 = ByteBuffer.allocate(C2 * 2).order(ByteOrder.LITTLE_ENDIAN);
        dwB = new float[C2];
        for (int i = 0; i < C2; i++) {
            int v = rnd.nextInt(65536);
            q16.putShort((short) v);
            dwB[i] = (float) (v * (2.0 / 65535) + -1.0);
        }
        s.weight("dw/b", new long[] {C2}, "{\"min\":-1.0,\"scale\":" + (2.0 / 65535) + ",\"dtype\":\"uint16\"}",
                q16.array());
        s.node(op("dw", "FusedDepthwiseConv2dNative", "\"conv\",\"dw/w\",\"dw/b\"", convAttrs(1, "BiasAdd")));

        shift = OnnxModelBuilderTest.random(rnd, C2, 0.5f);
        s.constF32("shift", new long[] {C2}, shift);
        s.node(op("sub", "Sub", "\"dw\",\"shift\"", ""));
        s.node(op("add", "AddV2", "\"sub\",\"dw\",\"^mul\"", "")); // plus a control input, ignored
        s.constI32("axes", new long[] {2}, new int[] {1, 2});
        s.node(op("mean", "Mean", "\"add\",\"axes\"", "\"keep_dims\":{\"b\":false}"));
        s.constI32("axis_h", new long[] {1}, new int[] {1});
        s.node(op("mean_h", "Mean", "\"add\",\"axis_h\"", "\"keep_dims\":{\"b\":false}"));
        s.node(op("pool", "AvgPool", "\"add\"", "\"ksize\":{\"list\":{\"i\":[\"1\",\"3\",\"3\",\"1\"]}},"
                + "\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"padding\":{\"s\":\"" + b64("VALID")
                + "\"},\"data_format\":{\"s\":\"" + b64("NHWC") + "\"}"));
        s.node(op("squeeze", "Squeeze", "\"pool\"", "\"squeeze_dims\":{\"list\":{\"i\":[\"1\",\"2\"]}}"));
        fcW = OnnxModelBuilderTest.random(rnd, C2 * CLASSES, 1f);
        fcB = OnnxModelBuilderTest.random(rnd, CLASSES, 1f);
        s.constF32("fc/w", new long[] {C2, CLASSES}, fcW);
        s.constF32("fc/b", new long[] {CLASSES}, fcB);
        s.node(op("fc", "_FusedMatMul", "\"squeeze\",\"fc/w\",\"fc/b\"", "\"transpose_a\":{\"b\":false},"
                + "\"transpose_b\":{\"b\":false},\"num_args\":{\"i\":\"1\"},\"fused_ops\":{\"list\":{\"s\":[\""
                + b64("BiasAdd") + "\"]}}"));
        s.node(op("prob", "Softmax", "\"fc\"", ""));
        s.node(op("resized", "ResizeBilinear", "\"add\"", ""));

        plainDir = Files.createDirectories(tmp.resolve("plain"));
        s.writePlain(plainDir);
        jsDir = Files.createDirectories(tmp.resolve("js"));
        s.writeJsWrapped(jsDir);
    }

    @Test
    void readsWeightsAcrossShardsAndDequantizes() {
        TfjsGraphModel m = TfjsGraphModel.read(plainDir);
        assertArrayEquals(convW, m.weight("conv/w").values(), 1e-7f);
        assertArrayEquals(dwW, m.weight("dw/w").values(), 0f);
        assertArrayEquals(dwB, m.weight("dw/b").values(), 1e-6f);
        assertArrayEquals(fcB, m.weight("fc/b").values(), 0f); // the last weight: in the second shard
        assertArrayEquals(new float[] {1, 2}, m.weight("axes").values(), 0f);
        assertEquals(List.of("input"), m.placeholders());
        assertEquals(1, m.opCounts().get("_FusedConv2D"));
    }

    @Test
    void convertsAndMatchesDirectComputation() {
        TfjsGraphModel m = TfjsGraphModel.read(plainDir);
        int batch = 3;
        Random rnd = new Random(99);
        float[] nhwc = OnnxModelBuilderTest.random(rnd, batch * H * H * C, 1.5f);
        Reference ref = new Reference(nhwc, batch);

        assertArrayEquals(ref.mean, run(m, "mean", nhwc, batch, 6), 1e-4f, "mean");
        assertArrayEquals(ref.meanH, run(m, "mean_h", nhwc, batch, 3 * 6), 1e-4f, "mean_h");
        assertArrayEquals(ref.prob, run(m, "prob", nhwc, batch, CLASSES), 1e-5f, "prob");

        TfjsToOnnx.Result r = TfjsToOnnx.convert(m, "prob");
        assertArrayEquals(new long[] {-1, 6, 6, 2}, r.inputShape());
        assertArrayEquals(new long[] {-1, CLASSES}, r.outputShape());
        // only the nodes 'prob' depends on: no Mean, no ResizeBilinear, not the axes constants
        assertEquals(Map.ofEntries(Map.entry("Placeholder", 1), Map.entry("Const", 8), Map.entry("Mul", 1),
                Map.entry("_FusedConv2D", 1), Map.entry("FusedDepthwiseConv2dNative", 1), Map.entry("Sub", 1),
                Map.entry("AddV2", 1), Map.entry("AvgPool", 1), Map.entry("Squeeze", 1),
                Map.entry("_FusedMatMul", 1), Map.entry("Softmax", 1)), r.convertedOps());
    }

    @Test
    void jsWrappedLayoutGivesTheSameModel() {
        TfjsGraphModel plain = TfjsGraphModel.read(plainDir);
        TfjsGraphModel js = TfjsGraphModel.read(jsDir);
        assertArrayEquals(TfjsToOnnx.convert(plain, "prob").onnx(), TfjsToOnnx.convert(js, "prob").onnx());
    }

    @Test
    void unknownOpIsNamedWithItsNode() {
        TfjsGraphModel m = TfjsGraphModel.read(plainDir);
        UnsupportedTfjsOpException e = assertThrows(UnsupportedTfjsOpException.class,
                () -> TfjsToOnnx.convert(m, "resized"));
        assertEquals("ResizeBilinear", e.op());
        assertEquals("resized", e.node());
        assertTrue(e.getMessage().contains("'ResizeBilinear'") && e.getMessage().contains("'resized'"),
                e.getMessage());
    }

    @Test
    void unknownOutputNodeListsTheGraphsSinks() {
        TfjsGraphModel m = TfjsGraphModel.read(plainDir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TfjsToOnnx.convert(m, "nope"));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("prob")
                && e.getMessage().contains("mean_h"), e.getMessage());
    }

    @Test
    void missingModelAndShardAreReported() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TfjsGraphModel.read(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("model.json"), e.getMessage());
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.copy(plainDir.resolve("model.json"), broken.resolve("model.json"));
        e = assertThrows(IllegalArgumentException.class, () -> TfjsGraphModel.read(broken));
        assertTrue(e.getMessage().contains("weights-1.bin"), e.getMessage());
    }

    /** Runs the conversion up to {@code node} on an NHWC input in ONNX Runtime. */
    private static float[] run(TfjsGraphModel m, String node, float[] nhwc, int batch, int dim) {
        TfjsToOnnx.Result r = TfjsToOnnx.convert(m, node);
        float[] y = Ort.run(r.onnx(), r.inputName(), new long[] {batch, H, H, C}, nhwc);
        assertEquals(batch * dim, y.length);
        return y;
    }

    /** The same graph computed directly in NHWC, in double precision. */
    static final class Reference {
        final float[] mean;
        final float[] meanH;
        final float[] prob;

        Reference(float[] x, int batch) {
            double[] in = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                in[i] = 2.0 * x[i];
            }
            // conv 3x3 stride 2 SAME on 6x6: out 3, pad total max((3-1)*2+3-6, 0) = 1 → top/left 0, bottom/right 1
            int o1 = 3;
            double[] c1 = new double[batch * o1 * o1 * C1];
            for (int b = 0; b < batch; b++) {
                for (int oy = 0; oy < o1; oy++) {
                    for (int ox = 0; ox < o1; ox++) {
                        for (int co = 0; co < C1; co++) {
                            double acc = convB[co];
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy * 2 + ky;
                                    int ix = ox * 2 + kx;
                                    if (iy >= H || ix >= H) {
                                        continue;
                                    }
                                    for (int ci = 0; ci < C; ci++) {
                                        acc += in[((b * H + iy) * H + ix) * C + ci]
                                                * convW[((ky * 3 + kx) * C + ci) * C1 + co];
                                    }
                                }
                            }
                            c1[((b * o1 + oy) * o1 + ox) * C1 + co] = Math.min(6, Math.max(0, acc));
                        }
                    }
                }
            }
            // depthwise 3x3 stride 1 SAME on 3x3: pads 1 each side; output channel c*M + m
            double[] add = new double[batch * o1 * o1 * C2];
            for (int b = 0; b < batch; b++) {
                for (int oy = 0; oy < o1; oy++) {
                    for (int ox = 0; ox < o1; ox++) {
                        for (int c = 0; c < C1; c++) {
                            for (int mm = 0; mm < M; mm++) {
                                double acc = dwB[c * M + mm];
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int iy = oy - 1 + ky;
                                        int ix = ox - 1 + kx;
                                        if (iy < 0 || ix < 0 || iy >= o1 || ix >= o1) {
                                            continue;
                                        }
                                        acc += c1[((b * o1 + iy) * o1 + ix) * C1 + c]
                                                * dwW[((ky * 3 + kx) * C1 + c) * M + mm];
                                    }
                                }
                                int at = ((b * o1 + oy) * o1 + ox) * C2 + c * M + mm;
                                add[at] = (acc - shift[c * M + mm]) + acc;
                            }
                        }
                    }
                }
            }
            float[] mean = new float[batch * C2];
            float[] meanH = new float[batch * o1 * C2]; // [N, W, C]
            float[] prob = new float[batch * CLASSES];
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < C2; c++) {
                    double all = 0;
                    for (int ox = 0; ox < o1; ox++) {
                        double col = 0;
                        for (int oy = 0; oy < o1; oy++) {
                            col += add[((b * o1 + oy) * o1 + ox) * C2 + c];
                        }
                        meanH[(b * o1 + ox) * C2 + c] = (float) (col / o1);
                        all += col;
                    }
                    mean[b * C2 + c] = (float) (all / (o1 * o1));
                }
                double[] logits = new double[CLASSES];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < CLASSES; k++) {
                    double acc = fcB[k];
                    for (int c = 0; c < C2; c++) {
                        acc += mean[b * C2 + c] * (double) fcW[c * CLASSES + k]; // 3x3 VALID pool = the mean
                    }
                    logits[k] = acc;
                    max = Math.max(max, acc);
                }
                double sum = 0;
                for (int k = 0; k < CLASSES; k++) {
                    sum += Math.exp(logits[k] - max);
                }
                for (int k = 0; k < CLASSES; k++) {
                    prob[b * CLASSES + k] = (float) (Math.exp(logits[k] - max) / sum);
                }
            }
            this.mean = mean;
            this.meanH = meanH;
            this.prob = prob;
        }
    }

    private static String convAttrs(int stride, String... fused) {
        StringBuilder f = new StringBuilder();
        for (String s : fused) {
            f.append(f.length() == 0 ? "" : ",").append('"').append(b64(s)).append('"');
        }
        return "\"dilations\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"T\":{\"type\":\"DT_FLOAT\"},"
                + "\"data_format\":{\"s\":\"" + b64("NHWC") + "\"},\"strides\":{\"list\":{\"i\":[\"1\",\"" + stride
                + "\",\"" + stride + "\",\"1\"]}},\"num_args\":{\"i\":\"1\"},\"padding\":{\"s\":\"" + b64("SAME")
                + "\"},\"explicit_paddings\":{\"list\":{}},\"fused_ops\":{\"list\":{\"s\":[" + f + "]}}";
    }

    static String op(String name, String op, String inputs, String attrs) {
        return "{\"name\":\"" + name + "\",\"op\":\"" + op + "\",\"input\":[" + inputs + "],\"attr\":{" + attrs + "}}";
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Accumulates nodes and weights of a synthetic model and writes it in either layout. */
    static final class Synthetic {
        /** {@code n} values uniform in [-scale, scale) from {@code rnd}. */
        static float[] randomValues(Random rnd, int n, float scale) {
            return OnnxModelBuilderTest.random(rnd, n, scale);
        }

        private final List<String> nodes = new ArrayList<>();
        private final List<String> specs = new ArrayList<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        void node(String json) {
            nodes.add(json);
        }

        void weight(String name, long[] shape, String quantization, byte[] bytes) {
            node("{\"name\":\"" + name + "\",\"op\":\"Const\",\"attr\":{\"value\":{\"tensor\":{\"dtype\":\"DT_FLOAT\"}},"
                    + "\"dtype\":{\"type\":\"DT_FLOAT\"}}}");
            specs.add("{\"name\":\"" + name + "\",\"shape\":" + Arrays.toString(shape) + ",\"dtype\":\"float32\""
                    + (quantization == null ? "" : ",\"quantization\":" + quantization) + "}");
            data.writeBytes(bytes);
        }

        void constF32(String name, long[] shape, float[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            weight(name, shape, null, b.array());
        }

        void constI32(String name, long[] shape, int[] values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(values);
            node("{\"name\":\"" + name + "\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":\"DT_INT32\"}}}");
            specs.add("{\"name\":\"" + name + "\",\"shape\":" + Arrays.toString(shape) + ",\"dtype\":\"int32\"}");
            data.writeBytes(b.array());
        }

        private String document(String paths) {
            return "{\"format\":\"graph-model\",\"generatedBy\":\"test\",\"modelTopology\":{\"node\":["
                    + String.join(",", nodes) + "],\"versions\":{\"producer\":1}},\"weightsManifest\":[{\"paths\":["
                    + paths + "],\"weights\":[" + String.join(",", specs) + "]}]}";
        }

        /** model.json and two .bin shards, split in the middle of a weight. */
        void writePlain(Path dir) throws IOException {
            byte[] all = data.toByteArray();
            int split = all.length / 2 + 1;
            Files.write(dir.resolve("weights-1.bin"), Arrays.copyOfRange(all, 0, split));
            Files.write(dir.resolve("weights-2.bin"), Arrays.copyOfRange(all, split, all.length));
            Files.writeString(dir.resolve("model.json"), document("\"weights-1.bin\",\"weights-2.bin\""));
        }

        /** model.min.js and one shard module, as UMD wrappers around the literals (the nsfwjs layout). */
        void writeJsWrapped(Path dir) throws IOException {
            String head = "!function(t){if(\"object\"==typeof exports&&\"undefined\"!=typeof module)module.exports"
                    + "=t();else{this.m=t()}}(function(){return function(){}({1:[function(t,e,a){e.exports=";
            String tail = "},{}]},{},[1])(1)});";
            Files.writeString(dir.resolve("model.min.js"), head + document("\"group1-shard1of1\"") + tail);
            Files.writeString(dir.resolve("group1-shard1of1.min.js"),
                    head + "\"" + Base64.getEncoder().encodeToString(data.toByteArray()) + "\"" + tail);
        }
    }
}
