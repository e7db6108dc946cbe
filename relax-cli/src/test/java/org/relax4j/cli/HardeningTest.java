package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line under a careless or hostile user: usage errors name the option and exit 2 with one line,
 * results are complete or absent, failures are reported per image, and a second run into a folder in use is
 * refused. A tiny ONNX model (32 x 32 inputs) keeps every run well under a second.
 */
class HardeningTest {
    static final int SIZE = 32;

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    static Path model;
    static Path image;
    static Path image2;

    String stdout;
    String stderr;

    @BeforeAll
    static void setUp() throws IOException {
        model = TinyModels.writeLinear(shared.resolve("linear.onnx"), SIZE, 16, 1);
        image = writeImage(shared.resolve("a.png"), 48, 40, 1);
        image2 = writeImage(shared.resolve("b.png"), 40, 40, 2);
    }

    static Path writeImage(Path file, int w, int h, long seed) throws IOException {
        Random rnd = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                img.setRGB(j, i, rnd.nextInt(1 << 24));
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    int run(String... args) {
        return run(CommandLine.defaultFactory(), args);
    }

    int run(CommandLine.IFactory factory, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = RelaxCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true), factory);
        stdout = o.toString();
        stderr = e.toString();
        return code;
    }

    /** A quick explanation of {@code images} under the tiny model into {@code out}, plus extra options. */
    String[] explain(Path out, List<Path> images, String... extra) {
        List<String> a = new ArrayList<>(List.of("explain", "--model", model.toString(), "--size", String.valueOf(SIZE),
                "--masks", "40", "--batch-size", "20", "--threads", "1", "-q", "--out", out.toString()));
        a.addAll(Arrays.asList(extra));
        images.forEach(p -> a.add(p.toString()));
        return a.toArray(new String[0]);
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    static final List<String> RESULT = List.of("importance.npy", "importance.png", "standard_error.npy",
            "standard_error.png", "summary.json", "summary.png", "u_relax.npy", "u_relax.png", "uncertainty.npy",
            "uncertainty.png", "variance.npy");

    private void assertUsage(String fragment, String... args) {
        assertEquals(2, run(args), stderr);
        String[] lines = stderr.split("\n");
        assertEquals(2, lines.length, "one line and a pointer to --help, not the whole help: " + stderr);
        assertTrue(lines[0].startsWith("relax: error: ") && lines[0].contains(fragment), stderr);
        assertEquals("see 'relax explain --help'", lines[1]);
    }

    @Test
    void usageErrorsNameTheOptionInOneLine() throws IOException {
        String img = image.toString();
        assertUsage("--batch-size must be at least 1, got 0", "explain", img, "--batch-size", "0");
        assertUsage("--keep-probability must be in (0, 1], got 2.0", "explain", img, "--keep-probability", "2");
        assertUsage("--threads must be at least 1, got 0", "explain", img, "--threads", "0");
        assertUsage("--size must be at least 1, got 0", "explain", img, "--model", model.toString(), "--size", "0");
        assertUsage("--size 300: mobilenet-v2 takes 224 x 224 images only", "explain", img, "--size", "300");
        assertUsage("--model-input applies to an ONNX model file", "explain", img, "--model-input", "x");
        assertUsage("--model-output applies to an ONNX model file", "explain", img, "--model-output", "y");
        assertUsage("--size 8 is too small for --cells 20", "explain", img, "--model", model.toString(), "--size", "8",
                "--cells", "20");
        assertUsage("--batch-size 10000 with 224x224 inputs needs about", "explain", img, "--masks", "10000",
                "--batch-size", "10000");
        assertTrue(stderr.contains("use --batch-size "), stderr);
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertUsage("--out " + file + " is a file, not a folder", explain(file, List.of(image)));
        assertUsage("--out " + file.resolve("sub") + ": cannot create the folder", explain(file.resolve("sub"), List.of(image)));
        Path empty = Files.createFile(tmp.resolve("empty.onnx"));
        assertUsage("--model " + empty + ": ONNX model file is empty", "explain", img, "--model", empty.toString());
        assertUsage("Unknown option: '--no-such'", "explain", img, "--no-such");
        assertFalse(Files.exists(tmp.resolve("relax-out")));
    }

    /** Options the configuration accepts but that give no meaningful map, or would be ignored (RELIABILITY.md). */
    @Test
    void meaninglessOrIgnoredOptionsAreRefusedByName() throws IOException {
        String img = image.toString();
        String m = model.toString();
        assertUsage("--stop-confidence applies only with --target-error", "explain", img, "--model", m,
                "--stop-confidence", "0.9");
        assertUsage("--device 1 applies only to a device engine", "explain", img, "--model", m, "--device", "1");
        assertUsage("--keep-probability 1 keeps every cell of every mask", "explain", img, "--model", m,
                "--keep-probability", "1");
        assertUsage("fewer than one cell would be kept in all the masks together", "explain", img, "--model", m,
                "--keep-probability", "1e-9");
        assertUsage("--cells 1: a 1 x 1 grid masks every pixel alike", "explain", img, "--model", m, "--cells", "1");
        assertUsage("--masks 1: one mask gives no uncertainty", "explain", img, "--model", m, "--masks", "1");
        assertUsage("--threads 100000 is more than 16 per processor", "explain", img, "--model", m, "--threads",
                "100000");
        assertUsageOf("dataset", "--master local[0] is not a Spark master URL", "dataset", img, "--master",
                "local[0]", "--out", tmp.resolve("d").toString());
        assertUsageOf("dataset", "--master bogus://x is not a Spark master URL", "dataset", img, "--master",
                "bogus://x", "--out", tmp.resolve("d").toString());
        assertUsageOf("explain-text", "--query is empty", "explain-text", "Some words", "--query", " ");
        assertUsageOf("explain-text", "--html " + tmp.resolve("no-such").resolve("p.html") + ": no folder",
                "explain-text", "Some words", "--html", tmp.resolve("no-such").resolve("p.html").toString());
        assertUsageOf("explain-text", "--png " + tmp + " is a folder", "explain-text", "Some words", "--png",
                tmp.toString());
        assertFalse(Files.exists(tmp.resolve("d")), "nothing written by a refused run");
    }

    private void assertUsageOf(String command, String fragment, String... args) {
        assertEquals(2, run(args), stderr);
        String[] lines = stderr.split("\n");
        assertTrue(lines[0].startsWith("relax: error: ") && lines[0].contains(fragment), stderr);
        assertEquals("see 'relax " + command + " --help'", lines[lines.length - 1], stderr);
    }

    @Test
    void aModelFileThatIsNotOnnxIsNamed() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.onnx"), "not a protobuf");
        assertEquals(1, run("explain", image.toString(), "--model", bad.toString(), "--size", "32", "--out",
                tmp.resolve("out").toString()));
        assertTrue(stderr.startsWith("relax: error: --model " + bad + ": ONNX Runtime could not load"), stderr);
        assertEquals(1, stderr.split("\n").length, stderr);
    }

    @Test
    void aRerunReplacesTheEarlierResultWhole() throws IOException {
        Path out = tmp.resolve("out");
        assertEquals(0, run(explain(out, List.of(image), "--seed", "1")), stderr);
        Path dir = out.resolve("a");
        Files.write(dir.resolve("variance.npy"), new byte[0]); // as a full disk left it before
        Files.writeString(dir.resolve("stale.json"), "{}");
        assertEquals(0, run(explain(out, List.of(image), "--seed", "2")), stderr);
        assertEquals(RESULT, names(dir), "only the new run's files");
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"seed\": 2"));
        assertTrue(Files.size(dir.resolve("variance.npy")) > 0);
        assertEquals(List.of(".relax.lock", "a"), names(out), "no staging folders left");
    }

    @Test
    void aFolderOfSomethingElseIsNotReplaced() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("a"));
        Files.writeString(out.resolve("a").resolve("notes.txt"), "mine");
        assertEquals(1, run(explain(out, List.of(image))));
        assertTrue(stderr.contains(out.resolve("a") + " exists and is not an earlier relax result"), stderr);
        assertEquals(List.of("notes.txt"), names(out.resolve("a")));
        assertEquals(List.of(".relax.lock", "a"), names(out));
    }

    @Test
    void aDamagedImageIsReportedAndTheOthersGoOn() throws IOException {
        byte[] png = Files.readAllBytes(image);
        Path cut = Files.write(tmp.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        Path out = tmp.resolve("out");
        assertEquals(1, run(explain(out, List.of(image, cut, image2))));
        assertTrue(stderr.contains("relax: error: " + cut + ": " + cut + " is damaged or truncated"), stderr);
        assertTrue(stderr.contains("relax: 1 of 3 images failed: " + cut), stderr);
        assertEquals(List.of(".relax.lock", "a", "b"), names(out));
        assertEquals(RESULT, names(out.resolve("a")));
        assertEquals(RESULT, names(out.resolve("b")));
    }

    @Test
    void aFullDiskLeavesTheEarlierResultAndNothingPartial() throws IOException {
        Path out = tmp.resolve("out");
        assertEquals(0, run(explain(out, List.of(image), "--seed", "1")), stderr);
        byte[] before = Files.readAllBytes(out.resolve("a").resolve("summary.json"));
        // the disk fills after 5000 bytes of the next run's files: importance.npy (4224 bytes) fits, the next does not
        long[] budget = {5000};
        OutputFolder.Sink full = file -> {
            OutputStream disk = OutputFolder.DISK.open(file);
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if ((budget[0] -= len) < 0) {
                        throw new FileSystemException(file.toString(), null, "No space left on device");
                    }
                    disk.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    disk.close();
                }
            };
        };
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K k = CommandLine.defaultFactory().create(cls);
                if (k instanceof ExplainCommand c) {
                    c.sink = full;
                }
                return k;
            }
        };
        assertEquals(1, run(factory, explain(out, List.of(image), "--seed", "2")));
        assertTrue(stderr.contains("relax: error: " + image + ": cannot write " + out.resolve("a").resolve("uncertainty.npy")
                + " (No space left on device)"), stderr);
        assertArrayEquals(before, Files.readAllBytes(out.resolve("a").resolve("summary.json")), "earlier result kept");
        assertEquals(RESULT, names(out.resolve("a")));
        assertEquals(List.of(".relax.lock", "a"), names(out), "no staging folder left");
    }

    @Test
    void aSecondRunIntoAFolderInUseIsRefused() throws IOException {
        Path out = tmp.resolve("out");
        try (OutputFolder first = OutputFolder.open(out, OutputFolder.DISK)) {
            assertUsage("--out " + out + " is in use by another relax run", explain(out, List.of(image)));
        }
        assertEquals(0, run(explain(out, List.of(image))), stderr);
    }

    @Test
    void leftoversOfAKilledRunAreTidied() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createDirectories(out.resolve(OutputFolder.STAGING_PREFIX + "0123abcd-a"));
        Files.writeString(out.resolve(OutputFolder.STAGING_PREFIX + "0123abcd-a").resolve("summary.png"), "half");
        // killed between renaming the earlier result aside and moving the new one in: the earlier one comes back
        Path aside = Files.createDirectories(out.resolve(OutputFolder.OLD_PREFIX + "89abcdef-b"));
        Files.writeString(aside.resolve("summary.json"), "{}");
        try (OutputFolder f = OutputFolder.open(out, OutputFolder.DISK)) {
            assertEquals(List.of(".relax.lock", "b"), names(out));
            assertEquals(List.of("summary.json"), names(out.resolve("b")));
        }
    }

    @Test
    void theMemoryPreflightNamesTheOption() {
        MemoryPreflight m = new MemoryPreflight(1L << 30, 8L << 30);
        assertNull(m.check(100, 3, 224, 224, "--size"));
        String heap = m.check(2000, 3, 224, 224, "--size");
        assertTrue(heap.startsWith("--batch-size 2000 with 224x224 inputs needs about 3.7 GB of Java heap, but 1.0 GB "
                + "is free; use --batch-size 385 or less, or give Java more memory"), heap);
        String nat = new MemoryPreflight(64L << 30, 8L << 30).check(1000, 3, 224, 224, "--size");
        assertTrue(nat.contains("for the model's work, more than this machine's 8.0 GB") && nat.contains("use --batch-size 385"),
                nat);
        assertTrue(m.check(1, 3, 10000, 10000, "--size").contains("even --batch-size 1 does not fit; use a smaller --size"));
    }
}
