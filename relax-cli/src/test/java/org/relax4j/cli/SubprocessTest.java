package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command in its own JVM: stopped by SIGTERM / SIGINT in the middle of a run (while ONNX Runtime works), and
 * given a photo far larger than its heap would hold decoded whole.
 */
class SubprocessTest {
    static final int SIZE = 64;
    /** Bounds every wait on the child; a safety net against a hung child, not a timing assertion. */
    static final int POLLS = 1200;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static Path model;
    static Path image;

    @BeforeAll
    static void setUp() throws IOException {
        // big enough that most of a batch's time is spent inside ONNX Runtime, where a signal used to crash it
        model = TinyModels.writeLinear(shared.resolve("linear.onnx"), SIZE, 256, 1);
        image = HardeningTest.writeImage(shared.resolve("a.png"), 80, 80, 1);
    }

    Process start(Path work, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(RelaxCli.class.getName());
        cmd.addAll(List.of(args));
        Files.createDirectories(work);
        return new ProcessBuilder(cmd).directory(work.toFile()).redirectOutput(work.resolve("stdout.txt").toFile())
                .redirectError(work.resolve("stderr.txt").toFile()).start();
    }

    static String read(Path f) throws IOException {
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** Waits until the child's stderr contains {@code text}. */
    static void awaitOutput(Process p, Path work, String text) throws Exception {
        for (int i = 0; i < POLLS; i++) {
            if (read(work.resolve("stderr.txt")).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                fail("exited " + p.exitValue() + " before printing '" + text + "': " + read(work.resolve("stderr.txt")));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        fail("no '" + text + "' from the child: " + read(work.resolve("stderr.txt")));
    }

    /** Whether this process's children inherit SIGINT as ignored (a shell without job control does that). */
    static boolean sigintIgnored(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    private void stopsCleanly(String signal, int expectedExit) throws Exception {
        Path work = tmp.resolve("work-" + signal);
        Path out = tmp.resolve("out");
        Path earlier = Files.createDirectories(out.resolve("a"));
        Files.writeString(earlier.resolve("summary.json"), "{\"seed\": 7}\n");
        Process p = start(work, List.of("-Xmx256m"), "explain", image.toString(), "--model", model.toString(), "--size",
                String.valueOf(SIZE), "--masks", "1000000000", "--batch-size", "50", "--threads", "1", "--out",
                out.toString());
        try {
            awaitOutput(p, work, "/1000000000 masks");
            if (signal.equals("TERM")) {
                p.destroy();
            } else {
                assumeTrue(Files.isDirectory(Path.of("/proc", String.valueOf(p.pid()))), "no /proc to check signals");
                assumeTrue(!sigintIgnored(p.pid()), "SIGINT is ignored by processes started here");
                assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
            }
            assertTrue(p.waitFor(POLLS / 10, TimeUnit.SECONDS), "the child stopped");
        } finally {
            p.destroyForcibly();
        }
        String stderr = read(work.resolve("stderr.txt"));
        String stdout = read(work.resolve("stdout.txt"));
        assertEquals(expectedExit, p.exitValue(), stderr + stdout);
        assertFalse(stdout.contains("fatal error") || stderr.contains("fatal error"), stdout + stderr);
        try (var files = Files.list(work)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("hs_err"))
                    .toList(), "no JVM crash log");
        }
        assertTrue(stderr.contains("relax: SIG" + signal + ": stopping after the current batch"), stderr);
        assertTrue(stderr.contains("relax: stopped by a signal; complete results kept: none; nothing partial was written"),
                stderr);
        assertEquals(List.of(".relax.lock", "a"), HardeningTest.names(out), "no staging folder left");
        assertEquals(List.of("summary.json"), HardeningTest.names(earlier), "the earlier result is untouched");
        assertEquals("{\"seed\": 7}\n", Files.readString(earlier.resolve("summary.json")));
    }

    @Test
    void sigtermStopsTheRunCleanly() throws Exception {
        stopsCleanly("TERM", 143);
    }

    @Test
    void sigintStopsTheRunCleanly() throws Exception {
        stopsCleanly("INT", 130);
    }

    /** {@code relax dataset} on the embedded Spark, stopped by SIGTERM while its tasks run. */
    @Test
    void sigtermStopsADatasetRunCleanlyAndLeavesTheTable() throws Exception {
        Path work = tmp.resolve("work-dataset");
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (int k = 0; k < 3; k++) {
            HardeningTest.writeImage(in.resolve("i" + k + ".png"), 80, 80, k);
        }
        Path out = tmp.resolve("dout");
        Path table = Files.createDirectories(out.resolve("results.parquet"));
        Files.writeString(table.resolve(org.relax4j.spark.ResultTables.MARKER), "earlier\n");
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
        // Spark needs the same --add-opens as this test JVM (the jar's manifest carries them for java -jar)
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")) {
                jvm.add(a);
            }
        }
        Process p = start(work, jvm, "dataset", in.toString(), "--out", out.toString(), "--model", model.toString(),
                "--size", String.valueOf(SIZE), "--masks", "1000000000", "--batch-size", "50", "--master", "local[2]");
        try {
            awaitOutput(p, work, "images: 3 found");
            Thread.sleep(2000); // lets the tasks start (not a timing assertion: a signal before them must work too)
            p.destroy();
            assertTrue(p.waitFor(POLLS / 10, TimeUnit.SECONDS), "the child stopped");
        } finally {
            p.destroyForcibly();
        }
        String stderr = read(work.resolve("stderr.txt"));
        assertEquals(143, p.exitValue(), stderr);
        assertTrue(stderr.contains("relax: stopped by a signal; complete image folders kept in " + out), stderr);
        assertFalse(stderr.contains("You hit a bug") || stderr.contains("fatal error"), stderr);
        try (var files = Files.list(work)) {
            assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("hs_err"))
                    .toList(), "no JVM crash log");
        }
        assertEquals(List.of(org.relax4j.spark.ResultTables.MARKER), HardeningTest.names(table), "the table as it was");
        assertEquals(List.of(".relax.lock", "results.parquet"), HardeningTest.names(out), "nothing staged is left");
    }

    @Test
    void aHugePhotoIsDecodedSubsampledWithinASmallHeap() throws Exception {
        // 4000 x 3000: 48 MB as ints alone, twice that as floats; decoded whole it cannot fit a 48 MB heap
        BufferedImage big = new BufferedImage(4000, 3000, BufferedImage.TYPE_3BYTE_BGR);
        int[] row = new int[4000];
        for (int i = 0; i < 3000; i++) {
            for (int j = 0; j < 4000; j++) {
                row[j] = (i / 12) << 16 | (j / 16) << 8 | ((i + j) / 28);
            }
            big.setRGB(0, i, 4000, 1, row, 0, 4000);
        }
        Path photo = tmp.resolve("photo.png");
        ImageIO.write(big, "png", photo.toFile());
        big = null;
        Path work = tmp.resolve("work");
        Path out = tmp.resolve("out");
        Process p = start(work, List.of("-Xmx48m"), "explain", photo.toString(), "--model", model.toString(), "--size",
                String.valueOf(SIZE), "--masks", "20", "--batch-size", "10", "--threads", "1", "-q", "--out",
                out.toString());
        assertTrue(p.waitFor(POLLS / 10, TimeUnit.SECONDS), "the child finished");
        assertEquals(0, p.exitValue(), read(work.resolve("stderr.txt")));
        assertEquals(HardeningTest.RESULT, HardeningTest.names(out.resolve("photo")));
    }
}
