package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relax4j.model.Layout;
import org.relax4j.tfjs.TfjsGraphModel;
import org.relax4j.tfjs.TfjsToOnnx;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;
import org.relax4j.image.Normalization;

/**
 * The real MobileNetV2 from nsfwjs 4.3.0, fetched with npm into the cache on first use ({@code $RELAX4J_CACHE}
 * or {@code ~/.cache/relax4j}). Without a cached model and without npm the tests are skipped, except in CI
 * ({@code CI=true}) where they fail.
 */
class MobileNetV2Test {
    static final int S = PretrainedModels.MOBILENET_V2_SIZE;
    static final int D = PretrainedModels.MOBILENET_V2_DIM;

    static Path cachedModel;
    static TfjsGraphModel tfjs;
    static TfjsToOnnx.Result converted;
    static OnnxEncoder encoder;

    @BeforeAll
    static void setUp() {
        Path cache = PretrainedModels.defaultCacheDir();
        boolean cached = Files.isRegularFile(cache.resolve(PretrainedModels.MOBILENET_V2_FILE))
                && Files.isRegularFile(cache.resolve("nsfwjs-" + PretrainedModels.NSFWJS_VERSION)
                .resolve("mobilenet_v2_mid").resolve("model.min.js"));
        if (!cached && !npmAvailable()) {
            String why = "MobileNetV2 not cached in " + cache + " and npm is not available to fetch it";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why);
            }
            assumeTrue(false, why);
        }
        cachedModel = PretrainedModels.ensureMobileNetV2(cache, line -> System.out.println("[set-up] " + line));
        Path dir = PretrainedModels.ensureNsfwjsModelFiles(cache, line -> System.out.println("[set-up] " + line));
        tfjs = TfjsGraphModel.read(dir);
        // Convert afresh rather than trusting the cached file, so that the converter under test is the one run.
        long t0 = System.nanoTime();
        converted = PretrainedModels.convertMobileNetV2(dir);
        System.out.printf("[set-up] converted MobileNetV2 in %.2f s%n", (System.nanoTime() - t0) / 1e9);
        encoder = OnnxEncoder.builder(converted.onnx()).intraOpThreads(2).build();
    }

    @AfterAll
    static void tearDown() {
        if (encoder != null) {
            encoder.close();
        }
    }

    @Test
    void graphAndConversionHaveTheExpectedStructure() {
        assertEquals(Map.ofEntries(Map.entry("Placeholder", 1), Map.entry("Const", 108), Map.entry("Mul", 1),
                Map.entry("Sub", 1), Map.entry("_FusedConv2D", 35), Map.entry("FusedDepthwiseConv2dNative", 17),
                Map.entry("AddV2", 10), Map.entry("AvgPool", 1), Map.entry("Squeeze", 1),
                Map.entry("_FusedMatMul", 1), Map.entry("Softmax", 1), Map.entry("Identity", 1)), tfjs.opCounts());
        Map<String, Integer> ops = converted.convertedOps();
        assertEquals(35, ops.get("_FusedConv2D"));
        assertEquals(17, ops.get("FusedDepthwiseConv2dNative"));
        assertEquals(10, ops.get("AddV2"));
        assertEquals(106, ops.get("Const"), "all weights but the classifier's two");
        assertFalse(ops.containsKey("_FusedMatMul") || ops.containsKey("Softmax"), "the classifier is not converted");
        assertArrayEquals(new long[] {-1, 3, S, S}, converted.inputShape());
        assertArrayEquals(new long[] {-1, D}, converted.outputShape());
        assertEquals(PretrainedModels.MOBILENET_V2_EMBEDDING_NODE, converted.outputName());
    }

    @Test
    void randomisedFromTheTopItStillRunsAndItsEmbeddingMoves() throws IOException {
        ParameterRandomization pr = ParameterRandomization.of(Files.readAllBytes(cachedModel));
        assertEquals(52, pr.layers().size(), "35 convolutions and 17 depthwise ones: " + pr.layers());
        float[] x = new float[3 * S * S];
        java.util.Arrays.fill(x, 0.5f);
        InputBatch in = InputBatch.of(org.relax4j.data.InputTensor.of(3, S, S, x));
        float[] original = encoder.encode(in).row(0);
        for (int layers : new int[] {1, 52}) {
            try (OnnxEncoder e = PretrainedModels.builder(PretrainedModels.MOBILENET_V2, pr.randomizeTop(layers, 7))
                    .intraOpThreads(2).build()) {
                float[] y = e.encode(in).row(0);
                double dot = 0;
                double a = 0;
                double b = 0;
                for (int k = 0; k < D; k++) {
                    assertTrue(Float.isFinite(y[k]), "finite after randomising " + layers);
                    dot += original[k] * y[k];
                    a += original[k] * original[k];
                    b += y[k] * y[k];
                }
                double cos = dot / Math.sqrt(a * b);
                assertTrue(cos < 0.99, layers + " layers randomised, cosine to the original " + cos);
            }
        }
    }

    @Test
    void cachedModelLoadsWithTheExpectedInput() throws IOException {
        assertTrue(Files.size(cachedModel) > 10_000_000, "float32 weights, about 17 MB");
        try (OnnxEncoder e = OnnxEncoder.builder(cachedModel).intraOpThreads(1).build()) {
            assertEquals(PretrainedModels.MOBILENET_V2_INPUT, e.inputName());
            assertArrayEquals(new long[] {-1, 3, S, S}, e.inputShape());
            assertEquals(Layout.NCHW, e.layout(), "converted channels-first: RELAX's batches go in as they are");
        }
    }

    /** The channels-first model computes what TensorFlow's NHWC interface computes, bit for bit. */
    @Test
    void channelsFirstGivesTheSameEmbeddingsAsTheNhwcInterface() throws IOException {
        TfjsToOnnx.Result nhwc = TfjsToOnnx.convert(tfjs, PretrainedModels.MOBILENET_V2_EMBEDDING_NODE);
        assertArrayEquals(new long[] {-1, S, S, 3}, nhwc.inputShape());
        float[] chelsea = loadResized("chelsea.png");
        float[] coffee = loadResized("coffee.png");
        float[] batch = java.util.Arrays.copyOf(chelsea, 2 * chelsea.length);
        System.arraycopy(coffee, 0, batch, chelsea.length, coffee.length);
        InputBatch in = new InputBatch(batch, 0, 2, 3, S, S);
        try (OnnxEncoder transposed = OnnxEncoder.builder(nhwc.onnx()).intraOpThreads(2).build()) {
            assertEquals(Layout.NHWC, transposed.layout());
            assertArrayEquals(transposed.encode(in).data(), encoder.encode(in).data());
        }
    }

    /**
     * Reference values from TensorFlow.js 4.22.0 (tfjs-core, tfjs-converter, CPU backend) running the same
     * nsfwjs graph on the same two synthetic images: per row the sum, the L2 norm and the six largest entries.
     */
    @Test
    void matchesTensorFlowJs() {
        float[] x = new float[2 * 3 * S * S];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < S; i++) {
                for (int j = 0; j < S; j++) {
                    x[(c * S + i) * S + j] = (float) (0.5 + 0.5 * Math.sin(0.05 * i * (c + 1) + 0.07 * j + 0.3 * c));
                    x[((3 + c) * S + i) * S + j] = ((i * 7 + j * 13 + c * 29) % 256) / 255f;
                }
            }
        }
        Embeddings e = encoder.encode(new InputBatch(x, 0, 2, 3, S, S));
        assertEquals(D, e.dim());
        double[][] expected = {
            {512.8153, 30.81521, 1663, 5.73003, 886, 5.46235, 1656, 5.31595, 1103, 5.11731, 1304, 4.90513, 1380,
                4.18662},
            {325.5021, 24.56502, 1304, 5.22644, 1753, 4.50793, 654, 4.48092, 238, 4.39610, 779, 4.23424, 1591,
                3.87071},
        };
        for (int r = 0; r < 2; r++) {
            float[] row = e.row(r);
            double sum = 0;
            for (float v : row) {
                sum += v;
            }
            assertEquals(expected[r][0], sum, 0.05, "sum of row " + r);
            assertEquals(expected[r][1], norm(row), 1e-3, "norm of row " + r);
            for (int k = 2; k < expected[r].length; k += 2) {
                int index = (int) expected[r][k];
                assertEquals(expected[r][k + 1], row[index], 1e-3, "row " + r + ", entry " + index);
            }
        }
    }

    @Test
    void photosGiveDistinctStableEmbeddings() throws IOException {
        float[] chelsea = loadResized("chelsea.png");
        float[] coffee = loadResized("coffee.png");
        float[] brighter = chelsea.clone();
        for (int i = 0; i < brighter.length; i++) {
            brighter[i] = Math.min(1f, brighter[i] + 1f / 255);
        }
        int n = 3 * S * S;
        float[] batch = new float[4 * n];
        System.arraycopy(chelsea, 0, batch, 0, n);
        System.arraycopy(coffee, 0, batch, n, n);
        System.arraycopy(chelsea, 0, batch, 2 * n, n);
        System.arraycopy(brighter, 0, batch, 3 * n, n);
        Embeddings e = encoder.encode(new InputBatch(batch, 0, 4, 3, S, S));
        for (float v : e.data()) {
            assertTrue(Float.isFinite(v), "finite embedding values");
        }
        float[] alone = encoder.encode(new InputBatch(chelsea, 0, 1, 3, S, S)).row(0);
        double different = cosine(e.row(0), e.row(1));
        double same = cosine(e.row(0), e.row(2));
        double sameAlone = cosine(e.row(0), alone);
        double bright = cosine(e.row(0), e.row(3));
        System.out.printf("cosine chelsea/coffee %.4f, chelsea twice %.7f (alone %.7f), +1/255 %.5f%n", different,
                same, sameAlone, bright);
        assertTrue(different < 0.9, "different photos: cosine " + different);
        assertTrue(same > 0.99999, "same photo in one batch: cosine " + same);
        assertTrue(sameAlone > 0.99999, "same photo in another batch: cosine " + sameAlone);
        assertTrue(bright > 0.99, "+1/255 brightness: cosine " + bright);
    }

    @Test
    void declaredUnitPixelsSeeTheSameImageFromImagenetInput() throws IOException {
        float[] rgb = loadResized("coffee.png");
        Normalization imagenet = Normalization.imagenet();
        float[] normalised = imagenet.normalize(org.relax4j.data.InputTensor.of(3, S, S, rgb)).toArray();
        float[] direct = encoder.encode(new InputBatch(rgb, 0, 1, 3, S, S)).row(0);
        try (OnnxEncoder declared = OnnxEncoder.builder(converted.onnx()).intraOpThreads(2)
                .pixels(PretrainedModels.MOBILENET_V2_PIXELS).build()) {
            float[] viaDeclared = declared.encode(new InputBatch(normalised, 0, 1, 3, S, S)).row(0);
            assertTrue(cosine(direct, viaDeclared) > 0.99999, "cosine " + cosine(direct, viaDeclared));
            float[] masked = declared.encode(new InputBatch(new float[3 * S * S], 0, 1, 3, S, S)).row(0);
            assertTrue(norm(masked) > 0, "the ImageNet-mean image has a non-zero embedding");
        }
    }

    // ---- helpers ----

    /** Reads {@code ../samples/name} (the repository's samples) as RGB in [0, 1], resized bilinearly to 224², CHW. */
    static float[] loadResized(String name) throws IOException {
        Path file = Path.of("..", "samples", name);
        if (!Files.isRegularFile(file)) {
            fail("sample image missing: " + file.toAbsolutePath());
        }
        BufferedImage img = ImageIO.read(file.toFile());
        int w = img.getWidth();
        int h = img.getHeight();
        float[] src = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                src[(0 * h + y) * w + x] = ((rgb >> 16) & 0xFF) / 255f;
                src[(1 * h + y) * w + x] = ((rgb >> 8) & 0xFF) / 255f;
                src[(2 * h + y) * w + x] = (rgb & 0xFF) / 255f;
            }
        }
        return resizeBilinear(src, 3, h, w, S, S);
    }

    /** Bilinear resize with half-pixel centres: source coordinate (d + 0.5)·(in/out) − 0.5, clamped to the edges. */
    static float[] resizeBilinear(float[] src, int c, int h, int w, int oh, int ow) {
        float[] out = new float[c * oh * ow];
        for (int y = 0; y < oh; y++) {
            double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / oh - 0.5));
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < ow; x++) {
                double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / ow - 0.5));
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                for (int ch = 0; ch < c; ch++) {
                    int base = ch * h * w;
                    double top = src[base + y0 * w + x0] * (1 - fx) + src[base + y0 * w + x1] * fx;
                    double bottom = src[base + y1 * w + x0] * (1 - fx) + src[base + y1 * w + x1] * fx;
                    out[(ch * oh + y) * ow + x] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static double norm(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    static boolean npmAvailable() {
        try {
            boolean windows = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win");
            Process p = new ProcessBuilder(windows ? "npm.cmd" : "npm", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
