package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;
import org.relax4j.Similarity;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.image.Npy;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.PretrainedModels;

/**
 * The main job end to end, with the real pretrained MobileNetV2 (fetched with npm and converted on first use) and a
 * real photo, plus an encoder-agnostic faithfulness check of the map it writes.
 */
class ExplainCommandTest {
    private static final Path CHELSEA = Path.of("..", "samples", "chelsea.png");
    private static final int MASKS = 400;

    @TempDir
    static Path out;

    static int exit;
    static String explainErr;
    static String stdout;
    static String stderr;

    static int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = RelaxCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        stdout = o.toString();
        stderr = e.toString();
        return code;
    }

    @BeforeAll
    static void explainChelsea() {
        exit = run("explain", CHELSEA.toString(), "--masks", String.valueOf(MASKS), "--seed", "3", "--out", out.toString());
        explainErr = stderr;
    }

    @Test
    void writesMapsPicturesAndSummary() throws Exception {
        assertEquals(0, exit, "exit code; stderr: " + explainErr);
        Path dir = out.resolve("chelsea");
        for (String f : new String[] {"summary.png", "importance.png", "uncertainty.png", "u_relax.png", "importance.npy",
                "uncertainty.npy", "variance.npy", "u_relax.npy", "standard_error.npy", "standard_error.png",
                "summary.json"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        PixelMap importance = Npy.read(dir.resolve("importance.npy"));
        assertEquals(224, importance.height());
        assertEquals(224, importance.width());
        assertTrue(importance.max() > importance.min(), "the map is not flat");
        BufferedImage summary = ImageIO.read(dir.resolve("summary.png").toFile());
        assertTrue(summary.getWidth() > 3 * 224, "three panels side by side");
        String json = Files.readString(dir.resolve("summary.json"));
        assertTrue(json.contains("\"masksUsed\": " + MASKS), json);
        assertTrue(json.contains("\"seed\": 3"), json);
        assertTrue(json.contains("ImageNet mean"), json);
        assertTrue(json.contains("\"encoderSeconds\""), json);
        assertTrue(json.contains("\"design\": \"random\""), json);
        assertTrue(json.contains("\"errorEstimate\"") && json.contains("\"bound\": 0."), json);
        assertTrue(explainErr.contains("masks 100%"), "progress is reported: " + explainErr);
    }

    /**
     * Deleting (setting to the mean colour) the 20 % of pixels RELAX ranks most important must move the embedding
     * further from the original than deleting the 20 % ranked least important.
     */
    @Test
    void deletingTheMostImportantPixelsChangesTheEmbeddingMore() throws Exception {
        assertEquals(0, exit, "exit code; stderr: " + explainErr);
        float[] importance = Npy.read(out.resolve("chelsea").resolve("importance.npy")).values();
        InputTensor x = Images.normalize(Images.resize(Images.read(CHELSEA), 224, 224), Normalization.imagenet());
        Integer[] order = new Integer[importance.length];
        for (int p = 0; p < order.length; p++) {
            order[p] = p;
        }
        Arrays.sort(order, (a, b) -> Float.compare(importance[b], importance[a]));
        int k = importance.length / 5;
        float[] mostDeleted = x.toArray();
        float[] leastDeleted = x.toArray();
        int pixels = x.pixels();
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < 3; c++) {
                mostDeleted[c * pixels + order[r]] = 0f;
                leastDeleted[c * pixels + order[order.length - 1 - r]] = 0f;
            }
        }
        float[] batch = new float[3 * 3 * pixels];
        System.arraycopy(x.toArray(), 0, batch, 0, 3 * pixels);
        System.arraycopy(mostDeleted, 0, batch, 3 * pixels, 3 * pixels);
        System.arraycopy(leastDeleted, 0, batch, 6 * pixels, 3 * pixels);
        try (OnnxEncoder enc = PretrainedModels.openMobileNetV2(PretrainedModels.defaultCacheDir(), 2,
                s -> { })) {
            Embeddings e = enc.encode(new InputBatch(batch, 0, 3, 3, 224, 224));
            float most = Similarity.cosine().similarity(e.data(), 0, e.data(), e.dim(), e.dim());
            float least = Similarity.cosine().similarity(e.data(), 0, e.data(), 2 * e.dim(), e.dim());
            System.out.printf("faithfulness (%d masks): cosine to the original after deleting the most important 20 %%: "
                    + "%.4f, the least important 20 %%: %.4f%n", MASKS, most, least);
            assertTrue(most < least - 0.02, "cosine after deleting the most important 20 %: " + most
                    + ", the least important 20 %: " + least);
        }
    }

    /**
     * Match explanations: an image explained against itself as the target gives exactly the plain maps (the target's
     * representation is the unmasked one); against another image, the similarity is below 1, match.png is written and
     * the summary names the target; a baseline is recorded.
     */
    @Test
    void explainsAMatchWithATargetImage() throws Exception {
        assertEquals(0, exit, "exit code; stderr: " + explainErr);
        Path self = out.resolve("self");
        assertEquals(0, run("explain", CHELSEA.toString(), "--target", CHELSEA.toString(), "--masks",
                String.valueOf(MASKS), "--seed", "3", "--out", self.toString()), stderr);
        assertTrue(stdout.contains("similarity to the target 1.000"), stdout);
        assertEquals(Arrays.toString(Npy.read(out.resolve("chelsea").resolve("importance.npy")).values()),
                Arrays.toString(Npy.read(self.resolve("chelsea").resolve("importance.npy")).values()));

        Path other = out.resolve("other");
        Path coffee = CHELSEA.resolveSibling("coffee.png");
        assertEquals(0, run("explain", CHELSEA.toString(), "--target", coffee.toString(), "--baseline", "blur:8",
                "--masks", "100", "--out", other.toString()), stderr);
        Path dir = other.resolve("chelsea");
        String json = Files.readString(dir.resolve("summary.json"));
        assertTrue(json.contains("\"targetImage\": \"" + coffee) && json.contains("\"target\": \"input\"")
                && json.contains("\"baseline\": \"blur:8\""), json);
        double similarity = Double.parseDouble(json.replaceAll("(?s).*\"targetSimilarity\": ([0-9.Ee-]+).*", "$1"));
        assertTrue(similarity < 0.95, "a cat and a coffee cup: " + similarity);
        BufferedImage match = ImageIO.read(dir.resolve("match.png").toFile());
        assertTrue(match.getWidth() > 2 * 224, "target beside the map: " + match.getWidth());

        // Half cat, half coffee cup: against the cat photo the cat half matters more, against the cup photo the cup half.
        Path both = CHELSEA.resolveSibling("cat-and-coffee.png");
        double[] catHalf = new double[2];
        double[] cupHalf = new double[2];
        Path[] targets = {CHELSEA, coffee};
        for (int t = 0; t < 2; t++) {
            Path d = out.resolve("halves-" + t);
            assertEquals(0, run("explain", both.toString(), "--target", targets[t].toString(), "--masks", "300",
                    "--design", "balanced", "--out", d.toString()), stderr);
            PixelMap r = Npy.read(d.resolve("cat-and-coffee").resolve("importance.npy"));
            catHalf[t] = r.mean(0, 224, 0, 112);
            cupHalf[t] = r.mean(0, 224, 112, 224);
        }
        assertTrue(catHalf[0] > cupHalf[0], "target cat: cat half " + catHalf[0] + ", cup half " + cupHalf[0]);
        assertTrue(cupHalf[1] > catHalf[1], "target cup: cat half " + catHalf[1] + ", cup half " + cupHalf[1]);
        System.out.printf("match halves: target cat %.4f vs %.4f, target cup %.4f vs %.4f%n", catHalf[0], cupHalf[0],
                catHalf[1], cupHalf[1]);

        assertEquals(2, run("explain", CHELSEA.toString(), "--baseline", "grey"));
        assertTrue(stderr.contains("--baseline must be zero, a number, blur or blur:SIGMA, got 'grey'"), stderr);
        assertEquals(2, run("explain", CHELSEA.toString(), "--target", "no-such.png"));
        assertTrue(stderr.contains("--target: no image file at no-such.png"), stderr);
    }

    /**
     * A balanced design with a target error stops at a block's end, once the error bound is within the target (at
     * the stop confidence asked for: here the reported bound's own, 0.9).
     */
    @Test
    void stopsAtTheTargetError() throws Exception {
        Path dir = out.resolve("adaptive");
        assertEquals(0, run("explain", CHELSEA.toString(), "--design", "balanced", "--target-error", "0.4",
                "--stop-confidence", "0.9", "--masks", "2000", "--out", dir.toString()), stderr);
        String json = Files.readString(dir.resolve("chelsea").resolve("summary.json"));
        assertTrue(json.contains("\"design\": \"balanced\"") && json.contains("\"targetError\": 0.4")
                && json.contains("\"stopConfidence\": 0.9"), json);
        long used = Long.parseLong(json.replaceAll("(?s).*\"masksUsed\": (\\d+).*", "$1"));
        double bound = Double.parseDouble(json.replaceAll("(?s).*\"bound\": ([0-9.Ee-]+).*", "$1"));
        assertTrue(used < 2000 && used % 128 == 0, "masks used: " + used);
        assertTrue(bound <= 0.4, "bound " + bound);
        assertTrue(stdout.contains("estimated error ≤0.") && stdout.contains("(90 % bound; target 0.4 met at the 90 % "
                + "bound)"), stdout);
        assertEquals(0, run("explain", CHELSEA.toString(), "--design", "balanced", "--estimator", "control-variate",
                "--masks", "256", "--out", dir.toString()), stderr);
        json = Files.readString(dir.resolve("chelsea").resolve("summary.json"));
        assertTrue(json.contains("\"estimator\": \"control-variate\"") && json.contains("\"masksUsed\": 256"), json);
        assertEquals(2, run("explain", CHELSEA.toString(), "--estimator", "lasso"));
        assertTrue(stderr.contains("--estimator must be ratio or control-variate, got 'lasso'"), stderr);
        assertEquals(2, run("explain", CHELSEA.toString(), "--design", "sobol"));
        assertTrue(stderr.contains("--design must be random or balanced, got 'sobol'"), stderr);
        assertEquals(2, run("explain", CHELSEA.toString(), "--target-error", "-1"));
        assertTrue(stderr.contains("--target-error must be > 0"), stderr);
        assertEquals(2, run("explain", CHELSEA.toString(), "--target-error", "0.2", "--stop-confidence", "1"));
        assertTrue(stderr.contains("--stop-confidence must be in [0.5, 1), got 1.0"), stderr);
    }

    @Test
    void usageErrorsExitWithTwoAndFailuresWithOne() {
        assertEquals(2, run("explain", CHELSEA.toString(), "--masks", "0"));
        assertTrue(stderr.contains("masks must be at least 1"), stderr);
        assertEquals(2, run("explain", CHELSEA.toString(), "--no-such-option"));
        assertEquals(2, run("explain"));
        assertEquals(2, run("explain", CHELSEA.toString(), "--model", "missing.onnx"));
        assertTrue(stderr.contains("no ONNX file at missing.onnx"), stderr);
        assertEquals(1, run("explain", "no-such-image.png", "--out", out.toString()));
        assertTrue(stderr.contains("relax: error: no image file at no-such-image.png"), stderr);
        assertEquals(1, run("explain", CHELSEA.toString(), "--engine", "tpu", "--out", out.toString()));
        assertTrue(stderr.contains("no engine named 'tpu'"), stderr);
        // relax-tornado is not on this class path: the run says what the engine needs.
        assertEquals(1, run("explain", CHELSEA.toString(), "--engine", "tornado", "--out", out.toString()));
        assertTrue(stderr.contains("the tornado engine needs relax-tornado and TornadoVM: set TORNADOVM_HOME"), stderr);
        assertEquals(0, run("engines"));
        assertTrue(stdout.contains("cpu: cpu, ") && stdout.contains("tornado: unavailable (the tornado engine needs"),
                stdout);
        assertEquals(0, run("explain", "--help"));
        assertTrue(stdout.contains("--keep-probability") && stdout.contains("Default: 0.5"), stdout);
    }
}
