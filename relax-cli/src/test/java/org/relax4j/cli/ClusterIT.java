package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relax dataset} on a real Spark standalone cluster: a master and two workers in JVMs of their own, executors
 * launched by the workers (issue 21). Runs after {@code package} (Failsafe), since it launches the built jars as a
 * user does: {@code java -jar relax.jar dataset --master spark://…} and {@code spark-submit … relax-spark-submit.jar}.
 * Sized small (three images, few masks) to add a few minutes to the suite.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Path SAMPLES = Path.of("..", "samples");
    private static final Path RELAX_JAR = Path.of("target", "relax.jar");
    private static final Path SUBMIT_JAR = Path.of("target", "relax-spark-submit.jar");
    /** 224: the command line and Spark decode an image alike only where no subsampling applies (see the note). */
    private static final String SIZE = "224";

    @TempDir
    static Path dir;
    static SparkCluster cluster;
    static Path model;
    static Path in;

    @BeforeAll
    static void cluster() throws Exception {
        model = TinyModels.writeLinear(dir.resolve("linear.onnx"), 224, 8, 3);
        in = Files.createDirectories(dir.resolve("in"));
        for (String s : List.of("chelsea", "coffee", "astronaut")) {
            Files.copy(SAMPLES.resolve(s + ".png"), in.resolve(s + ".png"));
        }
        cluster = SparkCluster.start(Files.createDirectories(dir.resolve("cluster")), 2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Runs a command to its end (bounded), output in {@code log}; {@return its exit code}. */
    static int run(List<String> cmd, Path log) throws Exception {
        return finish(start(cmd, log), log);
    }

    static List<String> relaxJar(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-jar", RELAX_JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The maps of {@code relax explain} of one image in this JVM, against a dataset's folder of it. */
    static void assertSameAsExplain(String image, Path datasetResult, String... settings) throws IOException {
        Path single = dir.resolve("explain-" + datasetResult.getParent().getFileName());
        List<String> args = new ArrayList<>(List.of("explain", in.resolve(image + ".png").toString(), "--out",
                single.toString(), "-q"));
        args.addAll(List.of(settings));
        String[] r = DatasetCommandTest.outErr(args.toArray(new String[0]));
        assertEquals("0", r[0], r[2]);
        for (String f : List.of("importance.npy", "uncertainty.npy", "variance.npy", "u_relax.npy",
                "standard_error.npy")) {
            assertArrayEquals(Files.readAllBytes(single.resolve(image).resolve(f)),
                    Files.readAllBytes(datasetResult.resolve(f)), image + " " + f);
        }
    }

    static void assertTableComplete(Path out, int images) throws IOException {
        Path table = out.resolve("results.parquet");
        assertTrue(Files.isRegularFile(table.resolve(org.relax4j.spark.ResultTables.MARKER)), "table written");
        try (var s = Files.list(out)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".relax-tmp"))
                    .toList(), "nothing partial left");
        }
        for (String image : List.of("chelsea", "coffee", "astronaut").subList(0, images)) {
            assertTrue(Files.isRegularFile(out.resolve(image).resolve("summary.json")), image);
        }
    }

    @Test
    void aModelFileFromRelaxJarGivesExplainsMapsOnTheCluster() throws Exception {
        Path out = dir.resolve("out-jar");
        String[] settings = {"--model", model.toString(), "--size", SIZE, "--masks", "40", "--batch-size", "20",
                "--seed", "3"};
        List<String> cmd = relaxJar("dataset", in.toString(), "--master", cluster.url(), "--out", out.toString());
        cmd.addAll(List.of(settings));
        Path log = dir.resolve("jar.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertTrue(Files.readString(log).contains("3 images explained, 0 already complete (skipped), 0 failed"),
                Files.readString(log));
        assertTableComplete(out, 3);
        for (String image : List.of("chelsea", "coffee", "astronaut")) {
            assertSameAsExplain(image, out.resolve(image), settings);
        }
    }

    @Test
    void thePretrainedModelTravelsToTheExecutors() throws Exception {
        Path out = dir.resolve("out-pretrained");
        List<String> cmd = relaxJar("dataset", in.resolve("chelsea.png").toString(), "--master", cluster.url(),
                "--out", out.toString(), "--masks", "20", "--batch-size", "10");
        Path log = dir.resolve("pretrained.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertSameAsExplain("chelsea", out.resolve("chelsea"), "--masks", "20", "--batch-size", "10");
    }

    /**
     * {@code relax evaluate --master}: each image a task in an executor's JVM, parsed from the driver's arguments,
     * the model's bytes from the driver; each image's evaluation is the one {@code relax evaluate} computes here.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aDatasetEvaluatedOnTheCluster() throws Exception {
        Path out = dir.resolve("out-evaluate");
        String[] settings = {"--model", model.toString(), "--size", SIZE, "--masks", "40", "--batch-size", "20",
            "--seed", "3", "--threads", "1", "--metrics", "deletion,faithfulness", "--steps", "4", "--random-orders",
            "2", "--subsets", "6", "--comparators", "random,occlusion", "--substrates", "mean,blur"};
        List<String> cmd = relaxJar("evaluate", in.toString(), "--master", cluster.url(), "--out", out.toString());
        cmd.addAll(List.of(settings));
        Path log = dir.resolve("evaluate.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertTrue(Files.readString(log).contains("3 images evaluated, 0 failed"), Files.readString(log));
        assertTrue(Files.isRegularFile(out.resolve(EvaluateOnSpark.SUMMARY)));
        List<String> here = new ArrayList<>(List.of("evaluate", in.resolve("coffee.png").toString(), "--out",
                dir.resolve("evaluate-here").toString(), "-q"));
        here.addAll(List.of(settings));
        String[] r = DatasetCommandTest.outErr(here.toArray(new String[0]));
        assertEquals("0", r[0], r[2]);
        java.util.Map<String, Object> a = org.relax4j.Json.readObject(Files.readString(dir.resolve("evaluate-here")
                .resolve("coffee").resolve("evaluation.json")));
        java.util.Map<String, Object> b = org.relax4j.Json.readObject(Files.readString(out.resolve("coffee")
                .resolve("evaluation.json")));
        for (java.util.Map<String, Object> m : List.of(a, b)) {
            m.remove("image");
            m.remove("seconds");
            ((java.util.Map<String, Object>) m.get("metrics")).remove("seconds");
            ((java.util.Map<String, Object>) m.get("explanation")).remove("timings");
        }
        assertEquals(org.relax4j.Json.write(a), org.relax4j.Json.write(b));
    }

    /**
     * {@code relax retrieve --master} with the pretrained MobileNetV2: the gallery embedded by the executors (their
     * encoder with its own thread count) is the gallery this JVM embeds, byte for byte, and so are the ranking and maps.
     */
    @Test
    void aGalleryEmbeddedOnTheCluster() throws Exception {
        List<Path> caches = new ArrayList<>();
        List<String> hits = new ArrayList<>();
        for (String where : List.of("cluster", "here")) {
            Path g = Files.createDirectories(dir.resolve("gallery-" + where));
            for (String s : List.of("chelsea", "coffee", "astronaut", "cat-and-coffee")) {
                Files.copy(SAMPLES.resolve(s + ".png"), g.resolve(s + ".png"));
            }
            Path out = dir.resolve("retrieve-" + where);
            List<String> args = new ArrayList<>(List.of("retrieve", g.resolve("coffee.png").toString(), "--gallery",
                    g.toString(), "--top", "1", "--masks", "20", "--batch-size", "2", "--threads", "1", "--out",
                    out.toString()));
            if (where.equals("cluster")) {
                List<String> cmd = relaxJar(args.toArray(new String[0]));
                cmd.addAll(List.of("--master", cluster.url()));
                Path log = dir.resolve("retrieve.log");
                assertEquals(0, run(cmd, log), Files.readString(log));
                assertTrue(Files.readString(log).contains("gallery: 2/2 tasks done"), Files.readString(log));
            } else {
                String[] r = DatasetCommandTest.outErr(args.toArray(new String[0]));
                assertEquals("0", r[0], r[2]);
            }
            try (var files = Files.list(g)) {
                caches.add(files.filter(p -> p.getFileName().toString().startsWith(".relax4j-gallery-")).findFirst()
                        .orElseThrow());
            }
            hits.add(org.relax4j.Json.write(org.relax4j.Json.readObject(Files.readString(out.resolve("coffee")
                    .resolve("retrieval.json"))).get("hits")).replace("gallery-" + where, "G"));
        }
        assertArrayEquals(Files.readAllBytes(caches.get(1)), Files.readAllBytes(caches.get(0)));
        assertEquals(hits.get(1), hits.get(0));
    }

    /** spark-submit (Spark's own class, from the cluster's jars) of relax-spark-submit.jar with these arguments. */
    static List<String> sparkSubmit(String... relaxArgs) {
        List<String> cmd = SparkCluster.javaCommand(cluster.sparkHome(), "org.apache.spark.deploy.SparkSubmit");
        cmd.addAll(List.of("--master", cluster.url(), "--class", RelaxCli.class.getName(), SUBMIT_JAR.toString()));
        cmd.addAll(List.of(relaxArgs));
        return cmd;
    }

    @Test
    void sparkSubmitWithTheSubmitJar() throws Exception {
        Path out = dir.resolve("out-submit");
        String[] settings = {"--model", model.toString(), "--size", SIZE, "--masks", "40", "--batch-size", "20"};
        List<String> cmd = sparkSubmit("dataset", in.toString(), "--out", out.toString());
        cmd.addAll(List.of(settings));
        Path log = dir.resolve("submit.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertTableComplete(out, 3);
        assertSameAsExplain("coffee", out.resolve("coffee"), settings);
    }

    @Test
    void sparkSubmitWithThePretrainedModel() throws Exception {
        Path out = dir.resolve("out-submit-pretrained");
        List<String> cmd = sparkSubmit("dataset", in.resolve("astronaut.png").toString(), "--out", out.toString(),
                "--masks", "20", "--batch-size", "10");
        Path log = dir.resolve("submit-pretrained.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertSameAsExplain("astronaut", out.resolve("astronaut"), "--masks", "20", "--batch-size", "10");
    }

    /** --target: every image's match with one target, as explain --target computes it. */
    @Test
    void aTargetOnTheCluster() throws Exception {
        Path out = dir.resolve("out-target");
        String[] settings = {"--model", model.toString(), "--size", SIZE, "--masks", "40", "--batch-size", "20",
                "--target", in.resolve("coffee.png").toString()};
        List<String> cmd = relaxJar("dataset", in.toString(), "--master", cluster.url(), "--out", out.toString());
        cmd.addAll(List.of(settings));
        Path log = dir.resolve("target.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertTableComplete(out, 3);
        assertSameAsExplain("chelsea", out.resolve("chelsea"), settings);
    }

    /** --split-masks: one image's masks over both workers' tasks, the partial sums merged. */
    @Test
    void oneExplanationSplitOverTheCluster() throws Exception {
        Path out = dir.resolve("out-split");
        String[] settings = {"--model", model.toString(), "--size", SIZE, "--masks", "60", "--batch-size", "10",
                "--seed", "5"};
        List<String> cmd = relaxJar("dataset", in.resolve("chelsea.png").toString(), "--master", cluster.url(),
                "--out", out.toString(), "--split-masks", "3");
        cmd.addAll(List.of(settings));
        Path log = dir.resolve("split.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertTrue(Files.readString(log).contains("60 masks in 3 tasks"), Files.readString(log));
        Path single = dir.resolve("explain-split");
        List<String> args = new ArrayList<>(List.of("explain", in.resolve("chelsea.png").toString(), "--out",
                single.toString(), "-q"));
        args.addAll(List.of(settings));
        String[] r = DatasetCommandTest.outErr(args.toArray(new String[0]));
        assertEquals("0", r[0], r[2]);
        // Partial sums merged (Chan et al.) differ from one running sum in the last bits only (SplitRunTest's bounds).
        for (String f : List.of("importance.npy", "uncertainty.npy")) {
            assertTrue(org.relax4j.engine.EngineComparison.maxRelativeDifference(
                    org.relax4j.image.Npy.read(single.resolve("chelsea").resolve(f)).values(),
                    org.relax4j.image.Npy.read(out.resolve("chelsea").resolve(f)).values())
                    <= (f.startsWith("importance") ? 1e-6 : org.relax4j.engine.EngineComparison.MAP_TOLERANCE), f);
        }
    }

    /**
     * Executors that cannot start (an agent jar that is not there): the workers launch and lose them over and over;
     * the wait ends with the cause in one line. (Spark 4.2's master did not give such an application up within two
     * minutes, so the "refused or lost" line is not reached this way.)
     */
    @Test
    void executorsThatCannotStartAreNamedInOneLine() throws Exception {
        Path log = dir.resolve("refused.log");
        int code = run(relaxJar("dataset", in.toString(), "--master", cluster.url(), "--out",
                dir.resolve("out-refused").toString(), "--conf", "spark.executor.extraJavaOptions=-javaagent:/no/such/agent.jar",
                "--executor-wait", "10", "--model", model.toString(), "--size", SIZE, "--masks", "20"), log);
        String text = Files.readString(log);
        assertEquals(1, code, text);
        assertTrue(text.contains("relax: error: no executor started on " + cluster.url() + " within 10 s "
                + "(--executor-wait)"), text);
        assertTrue(cluster.log("worker0").contains("no/such/agent.jar"), "the worker logged the launch command with it");
        assertTrue(!Files.exists(dir.resolve("out-refused").resolve("results.parquet")), "no table");
    }

    /** No worker has the memory asked for: nothing starts; the wait ends with the cause in one line. */
    @Test
    void aClusterWithoutRoomForTheExecutorsIsNamedInOneLine() throws Exception {
        Path log = dir.resolve("no-room.log");
        assertEquals(1, run(relaxJar("dataset", in.toString(), "--master", cluster.url(), "--out",
                dir.resolve("out-no-room").toString(), "--conf", "spark.executor.memory=8g", "--executor-wait", "8",
                "--model", model.toString(), "--size", SIZE, "--masks", "20"), log));
        String text = Files.readString(log);
        assertTrue(text.contains("relax: error: no executor started on " + cluster.url() + " within 8 s "
                + "(--executor-wait)"), text);
    }

    @Test
    void anUnreachableMasterIsNamedInOneLine() throws Exception {
        Path log = dir.resolve("unreachable.log");
        assertEquals(1, run(relaxJar("dataset", in.toString(), "--master", "spark://127.0.0.1:1", "--out",
                dir.resolve("out-none").toString()), log));
        assertTrue(Files.readString(log).contains("relax: error: the Spark master spark://127.0.0.1:1 cannot be "
                + "reached"), Files.readString(log));
    }

    /** Starts a command, output in {@code log}. */
    static Process start(List<String> cmd, Path log) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits (bounded) until {@code log} contains {@code text} while {@code p} runs. */
    static void awaitLog(Process p, Path log, String text) throws Exception {
        for (int i = 0; i < 3000; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("ended before '" + text + "': " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("no '" + text + "': " + Files.readString(log));
    }

    static int finish(Process p, Path log) throws Exception {
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                throw new AssertionError("did not finish: " + Files.readString(log));
            }
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** Long enough per image (a few seconds) that a fault lands in the middle of the job. */
    static final String[] SLOW = {"--model", "", "--size", SIZE, "--masks", "3000", "--batch-size", "100"};

    static List<String> slowDataset(Path input, Path out) {
        List<String> cmd = relaxJar("dataset", input.toString(), "--master", cluster.url(), "--out", out.toString());
        String[] s = SLOW.clone();
        s[1] = model.toString();
        cmd.addAll(List.of(s));
        return cmd;
    }

    /** An executor's JVM killed (SIGKILL) during the job; an image that cannot be read fails alone. */
    @Test
    void anExecutorKilledInTheMiddleIsRetriedAndABadImageFailsAlone() throws Exception {
        Path input = Files.createDirectories(dir.resolve("in-faults"));
        for (String name : List.of("chelsea", "coffee", "astronaut")) {
            Files.copy(SAMPLES.resolve(name + ".png"), input.resolve(name + ".png"));
        }
        Files.write(input.resolve("bad.png"), new byte[] {1, 2, 3});
        Path out = dir.resolve("out-faults");
        Path log = dir.resolve("faults.log");
        Process p = start(slowDataset(input, out), log);
        awaitLog(p, log, "images: 4 found");
        ProcessHandle executor = null;
        for (int i = 0; i < 1200 && executor == null; i++) {
            executor = cluster.anyExecutor().orElse(null);
            Thread.sleep(100);
        }
        assertTrue(executor != null, "an executor started");
        Thread.sleep(3000); // into the explanations (not a timing assertion: a kill at any moment must be survived)
        executor.destroyForcibly();
        assertEquals(1, finish(p, log), "exit 1: one image failed; " + Files.readString(log));
        String text = Files.readString(log);
        assertTrue(text.contains("3 images explained, 0 already complete (skipped), 1 failed"), text);
        assertTrue(text.contains("bad.png"), text);
        assertTableComplete(out, 3);
        for (String image : List.of("chelsea", "coffee", "astronaut")) {
            try (var files = Files.list(out.resolve(image))) {
                assertEquals(11, files.count(), image + ": a whole result folder (5 maps as .npy and .png, "
                        + "summary.png, summary.json)");
            }
        }
    }

    /** The driver killed mid-job: a rerun keeps what was complete and explains the rest. */
    @Test
    void aRunWhoseDriverWasKilledResumes() throws Exception {
        Path out = dir.resolve("out-resume");
        Path log = dir.resolve("killed-driver.log");
        Process p = start(slowDataset(in, out), log);
        awaitLog(p, log, "dataset: 1/3 tasks done");
        p.destroyForcibly();
        p.waitFor();
        Path again = dir.resolve("resumed.log");
        assertEquals(0, run(slowDataset(in, out), again), Files.readString(again));
        String text = Files.readString(again);
        assertTrue(text.matches("(?s).*[0-2] images explained, [1-3] already complete \\(skipped\\), 0 failed.*"), text);
        assertTableComplete(out, 3);
    }

    /** Last: a worker lost for good (it and its executors killed); the job finishes on the other. */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void aWorkerLostForGoodLeavesTheJobToTheOther() throws Exception {
        Path out = dir.resolve("out-worker");
        Path log = dir.resolve("worker.log");
        Process p = start(slowDataset(in, out), log);
        awaitLog(p, log, "images: 3 found");
        for (int i = 0; i < 1200 && cluster.executors().size() < 2; i++) {
            Thread.sleep(100);
        }
        cluster.killWorker(1);
        assertEquals(0, finish(p, log), Files.readString(log));
        assertTrue(Files.readString(log).contains("3 images explained"), Files.readString(log));
        assertTableComplete(out, 3);
    }
}
