package org.relax4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Images;
import org.relax4j.tfjs.OnnxModelBuilder;

/** Runs every example that needs neither network nor GPU (GpuEngine is compiled, not run). */
class ExamplesTest {
    static final Path CHELSEA = Path.of("..", "samples", "chelsea.png");

    @TempDir
    Path tmp;

    /**
     * DJL's ONNX Runtime engine creates ONNX Runtime's process-wide environment with its own thread pools and fails
     * if one exists already, so in a JVM that also opens OnnxEncoders, DJL's engine must start first.
     */
    @org.junit.jupiter.api.BeforeAll
    static void startDjlsOnnxRuntimeEngineFirst() {
        ai.djl.engine.Engine.getEngine("OnnxRuntime");
    }

    /** NHWC (N, 32, 32, 3) → Transpose → Conv 3x3 stride 4 → Relu → global mean → (N, 4). */
    static Path smallModel(Path dir) throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("small");
        b.input("x", OnnxModelBuilder.FLOAT, new long[] {-1, 32, 32, 3});
        Random rnd = new Random(5);
        float[] w = new float[4 * 27];
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) rnd.nextGaussian() * 0.3f;
        }
        String wn = b.initializer("w", new long[] {4, 3, 3, 3}, w);
        b.node("Transpose", "t").inputs("x").outputs("t").attr("perm", new long[] {0, 3, 1, 2}).add();
        b.node("Conv", "c").inputs("t", wn).outputs("c").attr("kernel_shape", new long[] {3, 3})
                .attr("strides", new long[] {4, 4}).add();
        b.node("Relu", "r").inputs("c").outputs("r").add();
        b.node("GlobalAveragePool", "p").inputs("r").outputs("p").add();
        b.node("Flatten", "f").inputs("p").outputs("y").attr("axis", 1L).add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 4});
        Path file = dir.resolve("small.onnx");
        Files.write(file, b.toBytes("examples", "1"));
        return file;
    }

    @Test
    void quickStartWritesHeatmapAndNpz() throws Exception {
        Explanation e = QuickStart.run(CHELSEA, tmp, 200);
        assertEquals(224, e.importance().height());
        assertTrue(Files.size(tmp.resolve("summary.png")) > 0);
        assertTrue(Files.size(tmp.resolve("maps.npz")) > 5 * 224 * 224 * 4);
    }

    @Test
    void customEncoderAndSimilarity() throws Exception {
        InputTensor x = Images.readImageNet(CHELSEA, 32);
        CustomEncoder encoder = new CustomEncoder(new float[][] {{1f, 0f, -1f}, {0.5f, 0.5f, 0.5f}, {0f, 1f, 0f}});
        assertEquals(3, encoder.encode(org.relax4j.data.InputBatch.of(x)).dim());
        Explanation e = CustomSimilarity.run(x, encoder);
        assertEquals(600, e.masksUsed());
        for (float v : e.importance().values()) {
            assertTrue(Float.isFinite(v));
        }
    }

    /**
     * A signal whose first half carries the representation's first coordinate: the match to (1, 0) — "first half
     * high, second half low" — depends on the first half, and the maps have the signal's shape.
     */
    @Test
    void signalsAndMatchesExplainRankOneInputs() {
        float[] signal = new float[64];
        for (int p = 0; p < 64; p++) {
            signal[p] = p < 32 ? 1f : 0.2f;
        }
        Explanation[] e = SignalsAndMatches.run(signal);
        assertEquals(1, e[0].importance().rank());
        assertEquals(64, e[0].importance().size());
        assertEquals(512, e[1].masksUsed());
        float[] r = e[1].importance().values();
        double first = 0;
        double second = 0;
        for (int p = 0; p < 32; p++) {
            first += r[p] / 32;
            second += r[32 + p] / 32;
        }
        assertTrue(first > second, "first half " + first + ", second half " + second);
        assertTrue(e[1].targetSimilarity() > 0.9 && e[1].targetSimilarity() < 1, "" + e[1].targetSimilarity());
    }

    @Test
    void recordedMasksReplayEqualsTheRunThatDrewThem() {
        int cells = 7;
        int n = 300;
        Random rnd = new Random(11);
        byte[] grids = new byte[n * cells * cells];
        int[] shifts = new int[2 * n];
        float[] sims = new float[n];
        for (int k = 0; k < grids.length; k++) {
            grids[k] = (byte) (rnd.nextBoolean() ? 1 : 0);
        }
        for (int k = 0; k < shifts.length; k++) {
            shifts[k] = rnd.nextInt(cells);
        }
        for (int k = 0; k < n; k++) {
            sims[k] = rnd.nextFloat();
        }
        Explanation replayed = RecordedMasksExample.run(cells, grids, shifts, sims, 28);
        assertEquals(n, replayed.masksUsed());
        Explanation again = RecordedMasksExample.run(cells, grids, shifts, sims, 28);
        assertArrayEquals(replayed.importance().values(), again.importance().values(), 0f);
    }

    @Test
    void onnxWithAProviderFallsBackToTheCpu() throws Exception {
        Path model = smallModel(tmp);
        InputTensor x = Images.readImageNet(CHELSEA, 32);
        Explanation e = OnnxExecutionProvider.run(model, x, 100);
        assertEquals(100, e.masksUsed());
    }

    @Test
    void djlGivesTheSameMapsAsOnnxRuntimeDirectly() throws Exception {
        Path model = smallModel(tmp);
        Explanation viaDjl = DjlExample.run(model, CHELSEA, 32, 100);
        Explanation viaOnnx = OnnxExecutionProvider.run(model, Images.readImageNet(CHELSEA, 32), 100);
        assertArrayEquals(viaOnnx.importance().values(), viaDjl.importance().values(), 0f);
    }

    @Test
    void pretrainedMobileNetWhereTheModelIsCached() throws Exception {
        Path cached = org.relax4j.onnx.PretrainedModels.defaultCacheDir()
                .resolve(org.relax4j.onnx.PretrainedModels.MOBILENET_V2_FILE);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(cached),
                "no converted MobileNetV2 at " + cached + " (this example would fetch it with npm)");
        assertEquals(16, PretrainedMobileNet.run(CHELSEA, 16).masksUsed());
    }

    @Test
    void imageRetrievalRanksTheQueryFirstAndExplainsEachHitBothWays(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path cached = org.relax4j.onnx.PretrainedModels.defaultCacheDir()
                .resolve(org.relax4j.onnx.PretrainedModels.MOBILENET_V2_FILE);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(cached),
                "no converted MobileNetV2 at " + cached + " (this example would fetch it with npm)");
        for (String s : new String[] {"chelsea.png", "coffee.png", "astronaut.png"}) {
            Files.copy(CHELSEA.resolveSibling(s), dir.resolve(s));
        }
        java.util.List<org.relax4j.retrieve.Retrieval.Pair> pairs = ImageRetrieval.run(CHELSEA, dir, 2, 128);
        assertEquals(2, pairs.size());
        assertEquals("chelsea.png", pairs.get(0).hit().file().getFileName().toString());
        assertEquals(1.0, pairs.get(0).hit().similarity(), 1e-6);
        assertEquals(128, pairs.get(1).result().masksUsed());
        assertEquals(pairs.get(1).hit().similarity(), pairs.get(1).result().targetSimilarity(), 1e-5,
                "the result's similarity to the query target is the hit's similarity");
    }

    @Test
    void gpuExampleCompilesAgainstTheEngineName() {
        // Not run (it needs an OpenCL device); the name it asks for is the one relax-gpu registers.
        try (Relax relax = new Relax(RelaxConfig.builder().masks(1).build())) {
            assertTrue(relax.engineDescription().startsWith("cpu"), relax.engineDescription());
        }
    }

    @Test
    void textMatchPutsOsloFirstAndWritesThePage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path html = dir.resolve("oslo.html");
        org.relax4j.text.TextExplanation e = TextMatch.run(html, 300);
        assertEquals(0, e.rankOf("Oslo"), e.toString());
        assertEquals(e.size() - 1, e.rankOf("pizza"), e.toString());
        assertTrue(Files.readString(html).contains(">Oslo<"));
    }
}
