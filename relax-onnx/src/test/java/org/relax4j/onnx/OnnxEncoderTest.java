package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.data.Embeddings;
import org.relax4j.Fixtures;
import org.relax4j.data.InputBatch;
import org.relax4j.image.Normalization;
import org.relax4j.model.Layout;
import org.relax4j.tfjs.OnnxModelBuilder;

class OnnxEncoderTest {

    @TempDir
    Path tmp;

    /** Input "x" of the given shape; outputs "y" = ReduceMean over H, W (per-channel mean) and "sum" = ReduceSum. */
    static byte[] channelMeanModel(long[] shape, boolean nhwc) {
        OnnxModelBuilder b = new OnnxModelBuilder("mean");
        b.input("x", OnnxModelBuilder.FLOAT, shape);
        long[] axes = nhwc ? new long[] {1, 2} : new long[] {2, 3};
        b.node("ReduceMean", "mean").inputs("x").outputs("y").attr("axes", axes).attr("keepdims", 0L).add();
        b.node("ReduceSum", "sum").inputs("x").outputs("sum").attr("keepdims", 0L).add();
        long c = nhwc ? shape[3] : shape[1];
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {shape[0], c});
        b.output("sum", OnnxModelBuilder.FLOAT, new long[0]);
        return b.toBytes("test", "1");
    }

    private static float[] channelMeans(float[] nchw, int batch, int c, int plane) {
        float[] out = new float[batch * c];
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < c; ch++) {
                double s = 0;
                for (int p = 0; p < plane; p++) {
                    s += nchw[(b * c + ch) * plane + p];
                }
                out[b * c + ch] = (float) (s / plane);
            }
        }
        return out;
    }

    @Test
    void fixedBatchIsChunkedPaddedAndTrimmed() {
        byte[] model = channelMeanModel(new long[] {2, 4, 5, 3}, true);
        float[] x = Fixtures.randomFloats(5 * 3 * 4 * 5, -1f, 1f, 3);
        try (OnnxEncoder enc = OnnxEncoder.builder(model).build()) {
            assertEquals(Layout.NHWC, enc.layout(), "AUTO infers NHWC from [2, 4, 5, 3]");
            Embeddings e = enc.encode(new InputBatch(x, 0, 5, 3, 4, 5));
            assertEquals(5, e.rows());
            assertEquals(3, e.dim());
            assertArrayEquals(channelMeans(x, 5, 3, 20), e.data(), 1e-5f);
        }
    }

    @Test
    void dynamicBatchWithMaxBatchGivesTheSameRows() {
        byte[] model = channelMeanModel(new long[] {-1, 3, 4, 4}, false);
        float[] x = Fixtures.randomFloats(7 * 3 * 16 + 48, -1f, 1f, 4);
        InputBatch batch = new InputBatch(x, 48, 7, 3, 4, 4); // a view that starts at an offset
        float[] expected = channelMeans(java.util.Arrays.copyOfRange(x, 48, x.length), 7, 3, 16);
        try (OnnxEncoder whole = OnnxEncoder.builder(model).layout(Layout.NCHW).build();
             OnnxEncoder chunked = OnnxEncoder.builder(model).maxBatch(3).build()) {
            assertArrayEquals(expected, whole.encode(batch).data(), 1e-5f);
            assertArrayEquals(expected, chunked.encode(batch).data(), 1e-5f);
        }
    }

    @Test
    void flattensAnyOutputToRows() {
        OnnxModelBuilder b = new OnnxModelBuilder("relu");
        b.input("x", OnnxModelBuilder.FLOAT, new long[] {-1, 2, 3, 4});
        b.node("Relu", "relu").inputs("x").outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 2, 3, 4});
        float[] x = Fixtures.randomFloats(2 * 24, -1f, 1f, 5);
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = Math.max(0, x[i]);
        }
        try (OnnxEncoder enc = OnnxEncoder.builder(b.toBytes("t", "1")).build()) {
            assertEquals(Layout.NCHW, enc.layout());
            Embeddings e = enc.encode(new InputBatch(x, 0, 2, 2, 3, 4));
            assertEquals(24, e.dim());
            assertArrayEquals(expected, e.data(), 0f);
        }
    }

    @Test
    void missingModelFileIsNamed() {
        Path missing = tmp.resolve("absent.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxEncoder.builder(missing).build());
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("absent.onnx"), e.getMessage());
    }

    @Test
    void unknownOutputListsTheModelsOutputs() throws Exception {
        Path file = tmp.resolve("m.onnx");
        Files.write(file, channelMeanModel(new long[] {-1, 4, 4, 3}, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxEncoder.builder(file).outputName("logits").build());
        String m = e.getMessage();
        assertTrue(m.contains("no output 'logits'") && m.contains("'y'") && m.contains("'sum'")
                && m.contains("[-1, 4, 4, 3]"), m);
        e = assertThrows(IllegalArgumentException.class, () -> OnnxEncoder.builder(file).inputName("image").build());
        assertTrue(e.getMessage().contains("no input 'image'") && e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void inputOfRankOtherThanFourIsRejected() {
        OnnxModelBuilder b = new OnnxModelBuilder("dense");
        b.input("v", OnnxModelBuilder.FLOAT, new long[] {-1, 8});
        b.node("Relu", "r").inputs("v").outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 8});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxEncoder.builder(b.toBytes("t", "1")).build());
        assertTrue(e.getMessage().contains("rank 2") && e.getMessage().contains("[-1, 8]"), e.getMessage());
    }

    @Test
    void batchTheModelCannotTakeNamesTheInputShape() {
        byte[] model = channelMeanModel(new long[] {-1, 224, 224, 3}, true);
        try (OnnxEncoder enc = OnnxEncoder.builder(model).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> enc.encode(new InputBatch(new float[3 * 100 * 100], 0, 1, 3, 100, 100)));
            assertTrue(e.getMessage().contains("[-1, 224, 224, 3]") && e.getMessage().contains("height 100"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> enc.encode(new InputBatch(new float[224 * 224], 0, 1, 1, 224, 224)));
            assertTrue(e.getMessage().contains("channels 1"), e.getMessage());
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() {
        OnnxEncoder enc = OnnxEncoder.builder(channelMeanModel(new long[] {-1, 3, 2, 2}, false)).build();
        enc.close();
        enc.close();
        assertThrows(IllegalStateException.class, () -> enc.encode(new InputBatch(new float[12], 0, 1, 3, 2, 2)));
    }

    @Test
    void optionsAreValidatedWithTheirNames() {
        OnnxEncoder.Builder b = OnnxEncoder.builder(new byte[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.intraOpThreads(-1));
        assertTrue(e.getMessage().contains("intraOpThreads (-1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.maxBatch(-2));
        assertTrue(e.getMessage().contains("maxBatch (-2)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OnnxEncoder.builder(new byte[0]));
    }

    @Test
    void layoutIsInferredFromTheInputShape() {
        assertEquals(Layout.NHWC, Layout.infer(new long[] {-1, 224, 224, 3}));
        assertEquals(Layout.NHWC, Layout.infer(new long[] {1, 28, 28, 1}));
        assertEquals(Layout.NCHW, Layout.infer(new long[] {-1, 3, 224, 224}));
        assertEquals(Layout.NCHW, Layout.infer(new long[] {-1, 3, 8, 3}));
        assertEquals(Layout.NCHW, Layout.infer(new long[] {-1, -1, -1, -1}));
    }

    /** Input "x" of the given shape, output "y" = x. */
    static byte[] identityModel(long[] shape) {
        OnnxModelBuilder b = new OnnxModelBuilder("identity");
        b.input("x", OnnxModelBuilder.FLOAT, shape);
        b.node("Identity", "id").inputs("x").outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, shape);
        return b.toBytes("test", "1");
    }

    @Test
    void declaredPixelsMapImagenetInputIntoTheModelsSpaceInEitherLayout() {
        int plane = 6;
        float[] x = Fixtures.randomFloats(2 * 3 * plane, -2f, 2f, 9);
        float[] mean = Normalization.imagenet().mean();
        float[] std = Normalization.imagenet().std();
        InputBatch batch = new InputBatch(x, 0, 2, 3, 2, 3);
        try (OnnxEncoder nchw = OnnxEncoder.builder(identityModel(new long[] {-1, 3, 2, 3}))
                .pixels(Normalization.unit()).build();
             OnnxEncoder nhwc = OnnxEncoder.builder(identityModel(new long[] {-1, 2, 3, 3}))
                .pixels(Normalization.unit()).build();
             OnnxEncoder undeclared = OnnxEncoder.builder(identityModel(new long[] {-1, 3, 2, 3})).build()) {
            float[] a = nchw.encode(batch).data();
            float[] b = nhwc.encode(batch).data();
            for (int s = 0; s < 2; s++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < plane; p++) {
                        float expected = x[(s * 3 + c) * plane + p] * std[c] + mean[c];
                        assertEquals(expected, a[(s * 3 + c) * plane + p], 0f);
                        assertEquals(expected, b[(s * plane + p) * 3 + c], 0f);
                    }
                }
            }
            assertArrayEquals(x, undeclared.encode(batch).data(), 0f, "undeclared: the input's space, unchanged");
            assertEquals(Normalization.unit(), nchw.pixels());
            assertEquals(Normalization.imagenet(), undeclared.pixels());
        }
        Normalization grey = Normalization.of(new float[] {0.5f}, new float[] {0.5f});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxEncoder.builder(identityModel(new long[] {-1, 1, 2, 2})).pixels(grey).build());
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
        try (OnnxEncoder g = OnnxEncoder.builder(identityModel(new long[] {-1, 1, 2, 2})).inputPixels(grey)
                .pixels(Normalization.of(new float[] {0f}, new float[] {1f})).build()) {
            float[] y = g.encode(new InputBatch(new float[] {0f, 1f, -1f, 2f}, 0, 1, 1, 2, 2)).data();
            assertArrayEquals(new float[] {0.5f, 1f, 0f, 1.5f}, y, 0f);
        }
    }

    @Test
    void usesTheCallersSessionOptionsOrSessionAndLeavesThemOpen() throws OrtException {
        byte[] model = channelMeanModel(new long[] {-1, 3, 2, 2}, false);
        float[] x = Fixtures.randomFloats(3 * 4, -1f, 1f, 5);
        InputBatch batch = new InputBatch(x, 0, 1, 3, 2, 2);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            float[] expected;
            try (OnnxEncoder plain = OnnxEncoder.builder(model).build()) {
                expected = plain.encode(batch).data();
            }
            try (OnnxEncoder withOptions = OnnxEncoder.builder(model).sessionOptions(options).build()) {
                assertArrayEquals(expected, withOptions.encode(batch).data(), 0f);
            }
            try (OrtSession session = env.createSession(model, options)) {
                try (OnnxEncoder wrapping = OnnxEncoder.builder(session).build()) {
                    assertArrayEquals(expected, wrapping.encode(batch).data(), 0f);
                }
                // the encoder did not close the caller's session
                assertEquals(1, session.getNumInputs());
                try (OnnxEncoder again = OnnxEncoder.builder(session).outputName("y").build()) {
                    assertArrayEquals(expected, again.encode(batch).data(), 0f);
                }
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> OnnxEncoder.builder(model).sessionOptions(options).intraOpThreads(2).build());
            assertTrue(e.getMessage().contains("sessionOptions and intraOpThreads"), e.getMessage());
        }
    }
}
