package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Provenance;

/**
 * {@code relax dataset} on the embedded Spark writes the same files as {@code relax explain}, with the same maps,
 * reports a bad image without stopping, and skips finished images on a rerun.
 */
class DatasetCommandTest {
    private static final Path CHELSEA = Path.of("..", "samples", "chelsea.png");

    static String[] outErr(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = RelaxCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new String[] {String.valueOf(code), o.toString(), e.toString()};
    }

    @Test
    void sameFilesAsExplainBadImagesReportedAndResume(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(CHELSEA, in.resolve("chelsea.png"));
        Files.write(in.resolve("broken.png"), new byte[] {9, 9, 9});
        Path data = dir.resolve("dataset");
        Path single = dir.resolve("explain");
        String[] common = {"--masks", "40", "--batch-size", "20", "--seed", "3", "-q"};

        String[] d = outErr(concat(new String[] {"dataset", in.toString(), "--master", "local[2]", "--encoder-threads",
                "2", "--out", data.toString()}, common));
        assertEquals("1", d[0], "a failed image gives exit code 1; " + d[2]);
        assertTrue(d[1].contains("1 images explained, 0 already complete (skipped), 1 failed"), d[1]);
        assertTrue(d[2].contains("broken.png"), d[2]);

        String[] x = outErr(concat(new String[] {"explain", CHELSEA.toString(), "--threads", "2", "--out",
                single.toString()}, common));
        assertEquals("0", x[0], x[2]);
        List<String> files = List.of("importance.npy", "uncertainty.npy", "variance.npy", "u_relax.npy",
                "standard_error.npy", "summary.png", "importance.png", "uncertainty.png", "u_relax.png",
                "summary.json");
        for (String f : files) {
            assertTrue(Files.isRegularFile(data.resolve("chelsea").resolve(f)), f);
            if (f.endsWith(".npy")) {
                assertArrayEquals(Files.readAllBytes(single.resolve("chelsea").resolve(f)),
                        Files.readAllBytes(data.resolve("chelsea").resolve(f)), f);
            }
        }
        assertTrue(Files.isDirectory(data.resolve("results.parquet")));
        // One description of the model and one record of the settings, whichever command wrote them.
        Provenance fromDataset = Provenance.fromJson(Files.readString(data.resolve("chelsea").resolve("summary.json")));
        Provenance fromExplain = Provenance.fromJson(Files.readString(single.resolve("chelsea").resolve("summary.json")));
        assertEquals(fromExplain.model(), fromDataset.model());
        assertEquals(fromExplain.config().settings(), fromDataset.config().settings());

        String[] again = outErr(concat(new String[] {"dataset", in.toString(), "--out", data.toString()}, common));
        assertTrue(again[1].contains("0 images explained, 1 already complete (skipped), 1 failed"), again[1]);

        String[] loud = outErr("dataset", in.toString(), "--out", data.toString(), "--masks", "40", "--batch-size", "20",
                "--seed", "3");
        assertTrue(loud[2].contains("images: 2 found") && loud[2].contains("dataset: 2/2 tasks done"), loud[2]);

        String[] blurred = outErr(concat(new String[] {"dataset", in.toString(), "--out", dir.resolve("blurred").toString(),
                "--baseline", "blur:6"}, common));
        assertTrue(Files.readString(dir.resolve("blurred").resolve("chelsea").resolve("summary.json"))
                .contains("\"baseline\": \"blur:6\""), blurred[2]);

        String[] missing = outErr(concat(new String[] {"dataset", dir.resolve("no-such").toString(), "--out",
                data.toString()}, common));
        assertEquals("2", missing[0], missing[2]);
        assertTrue(missing[2].contains("INPUT: no file or folder at") && missing[2].contains("no-such"), missing[2]);
    }

    /** --target: every image's match to one target image, as explain --target gives it. */
    @Test
    void aTargetExplainsEachImagesMatchAsExplainDoes(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("..", "samples", "cat-and-coffee.png"), in.resolve("half.png"));
        Path model = TinyModels.writeLinear(dir.resolve("linear.onnx"), 224, 8, 4);
        String[] common = {"--model", model.toString(), "--masks", "30", "--batch-size", "10", "-q"};
        Path target = Path.of("..", "samples", "chelsea.png");
        String[] d = outErr(concat(new String[] {"dataset", in.toString(), "--master", "local[1]", "--out",
                dir.resolve("d").toString(), "--target", target.toString()}, common));
        assertEquals("0", d[0], d[2]);
        String[] x = outErr(concat(new String[] {"explain", in.resolve("half.png").toString(), "--out",
                dir.resolve("x").toString(), "--target", target.toString()}, common));
        assertEquals("0", x[0], x[2]);
        for (String f : List.of("importance.npy", "uncertainty.npy")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("x").resolve("half").resolve(f)),
                    Files.readAllBytes(dir.resolve("d").resolve("half").resolve(f)), f);
        }
        assertTrue(Files.isRegularFile(dir.resolve("d").resolve("half").resolve("match.png")));
        String[] otherTarget = outErr(concat(new String[] {"dataset", in.toString(), "--master", "local[1]", "--out",
                dir.resolve("d").toString(), "--target", Path.of("..", "samples", "coffee.png").toString()}, common));
        assertTrue(otherTarget[1].contains("1 images explained, 0 already complete"), "another target: "
                + otherTarget[1]);
    }

    /** --split-masks: one image's masks over several tasks give explain's maps (to the merge's 1e-6). */
    @Test
    void splitMasksGiveExplainsMapsForOneImage(@TempDir Path dir) throws Exception {
        Path model = TinyModels.writeLinear(dir.resolve("linear.onnx"), 224, 8, 6);
        String[] common = {"--model", model.toString(), "--masks", "60", "--batch-size", "10", "-q"};
        String[] d = outErr(concat(new String[] {"dataset", CHELSEA.toString(), "--master", "local[2]", "--out",
                dir.resolve("d").toString(), "--split-masks", "3"}, common));
        assertEquals("0", d[0], d[2]);
        assertTrue(d[1].contains("60 masks in 3 tasks"), d[1]);
        String[] x = outErr(concat(new String[] {"explain", CHELSEA.toString(), "--out", dir.resolve("x").toString()},
                common));
        assertEquals("0", x[0], x[2]);
        float[] split = org.relax4j.image.Npy.read(dir.resolve("d").resolve("chelsea").resolve("importance.npy"))
                .values();
        float[] whole = org.relax4j.image.Npy.read(dir.resolve("x").resolve("chelsea").resolve("importance.npy"))
                .values();
        assertTrue(org.relax4j.engine.EngineComparison.maxRelativeDifference(whole, split) <= 1e-6);
        String[] refused = outErr(concat(new String[] {"dataset", CHELSEA.toString(), "--out",
                dir.resolve("r").toString(), "--split-masks", "2", "--target-error", "0.2"}, common));
        assertEquals("2", refused[0], refused[2]);
        assertTrue(refused[2].contains("not with --target-error"), refused[2]);
    }

    @Test
    void sparkSettingsAndTheExecutorWaitAreCheckedFirst(@TempDir Path dir) {
        String out = dir.resolve("o").toString();
        String[] notSpark = outErr("dataset", CHELSEA.toString(), "--out", out, "--conf", "executor.memory=4g");
        assertEquals("2", notSpark[0], notSpark[2]);
        assertTrue(notSpark[2].contains("--conf executor.memory: Spark's settings start with 'spark.'"), notSpark[2]);
        String[] master = outErr("dataset", CHELSEA.toString(), "--out", out, "--conf", "spark.master=local[1]");
        assertEquals("2", master[0], master[2]);
        assertTrue(master[2].contains("use --master"), master[2]);
        String[] wait = outErr("dataset", CHELSEA.toString(), "--out", out, "--executor-wait", "0");
        assertEquals("2", wait[0], wait[2]);
        assertTrue(wait[2].contains("--executor-wait must be at least 1 second, got 0"), wait[2]);
    }

    /** A model file is described the same by both commands too (the dataset's driver reads it as explain does). */
    @Test
    void aModelFileIsDescribedAlikeByExplainAndDataset(@TempDir Path dir) throws Exception {
        Path model = TinyModels.writeLinear(dir.resolve("linear.onnx"), 32, 8, 2);
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(CHELSEA, in.resolve("chelsea.png"));
        String[] common = {"--model", model.toString(), "--size", "32", "--masks", "20", "--batch-size", "10", "-q"};
        String[] d = outErr(concat(new String[] {"dataset", in.toString(), "--master", "local[1]", "--out",
                dir.resolve("d").toString()}, common));
        assertEquals("0", d[0], d[2]);
        String[] x = outErr(concat(new String[] {"explain", CHELSEA.toString(), "--out", dir.resolve("x").toString()},
                common));
        assertEquals("0", x[0], x[2]);
        Map<String, Object> fromDataset = Provenance.fromJson(Files.readString(dir.resolve("d").resolve("chelsea")
                .resolve("summary.json"))).model();
        assertEquals(Provenance.fromJson(Files.readString(dir.resolve("x").resolve("chelsea").resolve("summary.json")))
                .model(), fromDataset);
        assertEquals("x", fromDataset.get("input"));
        assertEquals("y", fromDataset.get("output"));
        assertEquals("NCHW", fromDataset.get("layout"));
        assertEquals(8, fromDataset.get("dimension"));
    }

    /** The names in {@code dir}, sorted. */
    static List<String> names(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] c = new String[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
