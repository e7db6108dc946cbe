package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Json;
import org.relax4j.image.Npy;

/**
 * {@code relax evaluate} end to end on a small ONNX model (every pixel matters to it) and a real photo at 32 × 32:
 * every metric, comparator and check runs, the files are written, the passes spent are the ones announced, and the
 * explanation evaluated is bit for bit the one {@code relax explain} writes with the same settings.
 */
class EvaluateCommandTest {
    private static final Path CHELSEA = Path.of("..", "samples", "chelsea.png");

    @TempDir
    static Path tmp;
    static Path model;
    static String[] common;
    static int exit;
    static String evalOut;
    static String evalErr;
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
    static void evaluate() throws Exception {
        model = TinyModels.writeLinear(tmp.resolve("linear.onnx"), 32, 16, 4);
        common = new String[] {"--model", model.toString(), "--size", "32", "--cells", "4", "--masks", "64",
            "--seed", "5", "--threads", "1"};
        exit = run(concat(new String[] {"evaluate", CHELSEA.toString(), "--steps", "8", "--random-orders", "3",
            "--subsets", "12", "--stability-seeds", "2", "--out", tmp.resolve("eval").toString()}, common));
        evalOut = stdout;
        evalErr = stderr;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object json, String... path) {
        Object o = json;
        for (String key : path) {
            o = ((Map<String, Object>) o).get(key);
        }
        return (T) o;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMetricComparatorAndCheckRunsAndIsWritten() throws Exception {
        assertEquals(0, exit, "evalErr: " + evalErr);
        Path dir = tmp.resolve("eval").resolve("chelsea");
        Map<String, Object> json = Json.readObject(Files.readString(dir.resolve("evaluation.json")));
        List<String> maps = at(json, "maps");
        assertEquals(List.of("importance", "u-relax", "rise", "dot", "occlusion", "random", "gaussian", "edges"), maps);
        for (String m : maps) {
            assertEquals(32, Npy.read(dir.resolve("map_" + m.replace('-', '_') + ".npy")).height(), m);
        }
        List<Object> curves = at(json, "metrics", "curves");
        assertEquals(6, curves.size(), "deletion and insertion for mean, blur and road");
        List<Object> faith = at(json, "metrics", "faithfulness");
        assertEquals(3, faith.size());
        // The passes announced are the passes spent: per substrate (3 random + 2 x 8 maps) x 9 points once (insertion
        // is read off deletion), plus 12 subsets and the input once.
        long curvePasses = 3 * ((3 + 2 * 8) * 9 + 13);
        assertEquals(curvePasses, ((Number) at(json, "encoderPasses", "curvesAndSubsets")).longValue());
        assertEquals(curvePasses, ((Number) at(json, "metrics", "encoderPasses")).longValue());
        assertEquals(50L, ((Number) at(json, "encoderPasses", "occlusion")).longValue(), "7 x 7 windows + 1");
        assertTrue(evalErr.contains("encoder passes (explanation 64, occlusion 50, curves and subsets " + curvePasses
                + ", sanity 1 x 64, stability " + (64 + 3 * 2 * 9) + ")"), evalErr); // another seed; 3 mask prefixes
        // Deletion starts from the input itself (cosine 1 to its own representation) and insertion ends there; the
        // symmetric gain is the reverse order's AUC minus the map's.
        Map<String, Object> deletion = (Map<String, Object>) curves.get(0);
        Map<String, Object> insertion = (Map<String, Object>) curves.get(1);
        assertEquals("deletion", deletion.get("mode"));
        List<Number> y = at(deletion, "maps", "importance", "curve");
        assertEquals(9, y.size());
        assertEquals(1.0, y.get(0).doubleValue(), 1e-5);
        List<Number> yi = at(insertion, "maps", "importance", "curve");
        assertEquals(1.0, yi.get(8).doubleValue(), 1e-5);
        double auc = ((Number) at(deletion, "maps", "importance", "auc")).doubleValue();
        double reversed = ((Number) at(deletion, "maps", "importance", "reversedAuc")).doubleValue();
        assertEquals(reversed - auc, ((Number) at(deletion, "maps", "importance", "symmetricGain")).doubleValue(),
                1e-12);
        List<Object> stages = at(json, "sanity", "stages");
        assertEquals(1, stages.size(), "one layer: the MatMul");
        double rho = ((Number) at(stages.get(0), "spearman")).doubleValue();
        assertTrue(rho < 0.9, "the map changes with the weights: " + rho);
        assertEquals(2, ((Number) at(json, "stability", "seeds")).intValue());
        assertTrue(evalOut.contains("FC mean") && evalOut.contains("sanity") && evalOut.contains("stability over 2 seeds"),
                evalOut);
        BufferedImage png = ImageIO.read(dir.resolve("evaluation.png").toFile());
        assertTrue(png.getWidth() >= 1000 && png.getHeight() > 600, png.getWidth() + "x" + png.getHeight());
        assertTrue(((Map<String, Object>) json.get("explanation")).containsKey("settings"), "the settings travel");
    }

    @Test
    void evaluationNeverChangesTheExplanationAndReadsAnEarlierResult() throws Exception {
        assertEquals(0, run(concat(new String[] {"explain", CHELSEA.toString(), "--out",
            tmp.resolve("explained").toString(), "-q"}, common)), stderr);
        Path explained = tmp.resolve("explained").resolve("chelsea");
        float[] fromExplain = Npy.read(explained.resolve("importance.npy")).values();
        float[] fromEvaluate = Npy.read(tmp.resolve("eval").resolve("chelsea").resolve("map_importance.npy"))
                .values();
        assertArrayEquals(fromExplain, fromEvaluate, "bit for bit");

        assertEquals(0, run("evaluate", "--maps", explained.toString(), "--model", model.toString(), "--size", "32",
                "--metrics", "deletion", "--substrates", "mean", "--comparators", "random,rise", "--steps", "4",
                "--random-orders", "2", "--out", tmp.resolve("again").toString(), "-q"), stderr);
        Map<String, Object> json = Json.readObject(Files.readString(tmp.resolve("again").resolve("chelsea")
                .resolve("evaluation.json")));
        assertEquals(List.of("importance", "random"), at(json, "maps"), "rise needs the run's masks: left out");
        assertEquals(explained.toString(), at(json, "explanation", "result"));
        assertArrayEquals(fromExplain, Npy.read(tmp.resolve("again").resolve("chelsea")
                .resolve("map_importance.npy")).values());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMatchIsJudgedAgainstItsTarget() throws Exception {
        Path coffee = Path.of("..", "samples", "coffee.png");
        assertEquals(0, run(concat(new String[] {"explain", CHELSEA.toString(), "--target", coffee.toString(), "--out",
            tmp.resolve("matched").toString(), "-q"}, common)), stderr);
        assertEquals(0, run(concat(new String[] {"evaluate", CHELSEA.toString(), "--target", coffee.toString(),
            "--metrics", "deletion", "--substrates", "mean", "--comparators", "random", "--steps", "4",
            "--random-orders", "2", "--out", tmp.resolve("match-eval").toString(), "-q"}, common)), stderr);
        Path dir = tmp.resolve("match-eval").resolve("chelsea");
        assertArrayEquals(Npy.read(tmp.resolve("matched").resolve("chelsea").resolve("importance.npy")).values(),
                Npy.read(dir.resolve("map_importance.npy")).values(), "the match explanation, bit for bit");
        Map<String, Object> json = Json.readObject(Files.readString(dir.resolve("evaluation.json")));
        assertEquals(coffee.toString(), json.get("targetImage"));
        // y_0 of deletion is the input's similarity to the target, not 1.
        Map<String, Object> deletion = ((List<Map<String, Object>>) at(json, "metrics", "curves")).get(0);
        double y0 = ((List<Number>) at(deletion, "maps", "importance", "curve")).get(0).doubleValue();
        double targetSimilarity = ((Number) at(json, "explanation", "targetSimilarity")).doubleValue();
        assertEquals(targetSimilarity, y0, 1e-5);
        assertTrue(y0 < 0.999, "a match, not the input itself: " + y0);
    }

    @Test
    void badOptionsAreNamedBeforeAnyWork() {
        String img = CHELSEA.toString();
        assertEquals(2, run("evaluate", img, "--metrics", "deletion,speed"));
        assertTrue(stderr.contains("--metrics: unknown 'speed'; valid: deletion, insertion, faithfulness, sanity, "
                + "stability"), stderr);
        assertEquals(2, run("evaluate", img, "--regions", "tiles:4"));
        assertTrue(stderr.contains("--regions: regions must be 'pixels', 'patches:SIZE' or 'superpixels:N'"), stderr);
        assertEquals(2, run("evaluate", img, "--comparators", "lime"));
        assertTrue(stderr.contains("valid: importance, u-relax, rise, dot, occlusion"), stderr);
        assertEquals(2, run("evaluate", img, "--maps", "somewhere"));
        assertTrue(stderr.contains("IMAGE files or --maps DIR, not both"), stderr);
        assertEquals(2, run("evaluate", "--maps", tmp.toString(), "--model", model.toString(), "--size", "32"));
        assertTrue(stderr.contains("no summary.json"), stderr);
        assertEquals(2, run("evaluate", "--maps", tmp.toString(), "--masks", "100"));
        assertTrue(stderr.contains("--masks does not apply with --maps"), stderr);
        assertEquals(2, run("evaluate", img, "--stability-seeds", "1"));
        assertTrue(stderr.contains("--stability-seeds must be at least 2"), stderr);
        assertEquals(2, run("evaluate", img, "--steps", "0"));
        assertTrue(stderr.contains("--steps: steps must be at least 1"), stderr);
        assertEquals(2, run("evaluate", img, "--conf", "spark.executor.memory=1g"));
        assertTrue(stderr.contains("--conf and --executor-wait apply on Spark: give --master too"), stderr);
        assertEquals(2, run("evaluate", img, "--master", "nowhere"));
        assertTrue(stderr.contains("--master nowhere is not a Spark master URL"), stderr);
        assertEquals(2, run("evaluate", "--maps", tmp.toString(), "--master", "local[2]"));
        assertTrue(stderr.contains("not with --master"), stderr);
    }

    /**
     * A dataset on Spark: each image's task parses the driver's arguments again and evaluates as one machine does —
     * the same numbers and maps, bit for bit (the image's path and the wall times aside) — and the driver sums the
     * images up.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aDatasetOnSparkGivesEachImageTheSameEvaluationAsOneMachine() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("photos"));
        Files.copy(CHELSEA, in.resolve("chelsea.png"));
        Files.copy(Path.of("..", "samples", "coffee.png"), in.resolve("coffee.png"));
        Path out = tmp.resolve("spark-eval");
        assertEquals(0, run(concat(new String[] {"evaluate", in.toString(), "--master", "local[2]", "--steps", "8",
            "--random-orders", "3", "--subsets", "12", "--stability-seeds", "2", "--out", out.toString()}, common)),
            stderr);
        Path local = tmp.resolve("eval").resolve("chelsea");
        Path spark = out.resolve("chelsea");
        Map<String, Object> a = Json.readObject(Files.readString(local.resolve("evaluation.json")));
        Map<String, Object> b = Json.readObject(Files.readString(spark.resolve("evaluation.json")));
        assertEquals(in.resolve("chelsea.png").toAbsolutePath().toString(), b.get("image"));
        for (Map<String, Object> m : List.of(a, b)) {
            m.remove("image");
            m.remove("seconds");
            ((Map<String, Object>) m.get("metrics")).remove("seconds");
            ((Map<String, Object>) m.get("explanation")).remove("timings");
        }
        assertEquals(Json.write(a), Json.write(b));
        for (String f : List.of("map_importance.npy", "map_occlusion.npy", "map_rise.npy", "map_edges.npy")) {
            assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(spark.resolve(f)), f);
        }
        assertTrue(Files.isRegularFile(out.resolve("coffee").resolve("evaluation.png")));
        Map<String, Object> summary = Json.readObject(Files.readString(out.resolve(EvaluateOnSpark.SUMMARY)));
        assertEquals(2, ((List<Object>) summary.get("images")).size());
        double gainChelsea = ((Number) at(((List<Object>) at(a, "metrics", "curves")).get(0), "maps", "importance",
                "symmetricGain")).doubleValue();
        Map<String, Object> del = at(summary, "curves", "deletion mean", "importance", "symmetricGain");
        assertEquals(2, ((Number) del.get("images")).intValue());
        assertTrue(((Number) del.get("min")).doubleValue() <= gainChelsea
                && gainChelsea <= ((Number) del.get("max")).doubleValue(), summary.toString());
        assertTrue(stdout.contains("over 2 images") && stdout.contains("2 images evaluated, 0 failed"), stdout);
        assertTrue(stderr.contains("2/2 tasks"), stderr);
    }
}
