package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Provenance;

/**
 * {@code relax dataset} with the user's files around it (RELIABILITY.md, "relax dataset"): it never deletes or
 * replaces what it did not write, never reuses maps made under other settings or from another file, names folders
 * after the files' paths, follows no link out of INPUT, and runs alone in its --out.
 */
class DatasetSafetyTest {
    private static final Path SAMPLES = Path.of("..", "samples");
    @TempDir
    static Path shared;
    static Path model;

    @BeforeAll
    static void model() throws IOException {
        model = TinyModels.writeLinear(shared.resolve("linear.onnx"), 32, 8, 5);
    }

    static String[] run(Path in, Path out, String... more) {
        String[] common = {"dataset", in.toString(), "--out", out.toString(), "--master", "local[2]", "--model",
                model.toString(), "--size", "32", "--masks", "20", "--batch-size", "10", "-q"};
        String[] args = new String[common.length + more.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(more, 0, args, common.length, more.length);
        return DatasetCommandTest.outErr(args);
    }

    static Path input(Path dir) throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(SAMPLES.resolve("chelsea.png"), in.resolve("a.png"));
        Files.createDirectories(in.resolve("sub"));
        Files.copy(SAMPLES.resolve("coffee.png"), in.resolve("sub").resolve("a.png"));
        return in;
    }

    static long seed(Path result) throws IOException {
        return Provenance.fromJson(Files.readString(result.resolve("summary.json"))).config().seed();
    }

    @Test
    void aTableOrFolderThatRelaxDidNotWriteIsNeverReplaced(@TempDir Path dir) throws IOException {
        Path in = input(dir);
        Path out = dir.resolve("out");
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        String[] t = run(in, out, "--table", mine.toString());
        assertEquals("2", t[0], t[2]);
        assertTrue(t[2].contains("--table " + mine + " exists and is not a relax results table"), t[2]);
        assertEquals("keep me", Files.readString(mine.resolve("notes.txt")));
        String[] asInput = run(in, out, "--table", in.toString());
        assertEquals("2", asInput[0], asInput[2]);
        assertTrue(Files.isRegularFile(in.resolve("a.png")), "the input folder is not a table");

        Files.createDirectories(out.resolve("a"));
        Files.writeString(out.resolve("a").resolve("precious.txt"), "mine");
        String[] r = run(in, out);
        assertEquals("1", r[0], "the image whose name is taken fails alone: " + r[2]);
        assertTrue(r[2].contains("exists and is not a relax result"), r[2]);
        assertEquals(List.of("precious.txt"), DatasetCommandTest.names(out.resolve("a")));
        assertTrue(Files.isRegularFile(out.resolve("sub").resolve("a").resolve("summary.json")), "the other image");
        assertTrue(Files.isRegularFile(out.resolve("results.parquet").resolve(org.relax4j.spark.ResultTables.MARKER)));
    }

    @Test
    void aRerunReusesMapsOnlyForTheSameFileSettingsAndModel(@TempDir Path dir) throws IOException {
        Path in = input(dir);
        Path out = dir.resolve("out");
        String[] first = run(in, out, "--seed", "3");
        assertEquals("0", first[0], first[2]);
        assertTrue(first[1].contains("2 images explained, 0 already complete"), first[1]);
        assertEquals(3, seed(out.resolve("a")));
        assertEquals(3, seed(out.resolve("sub").resolve("a")), "named after the path under INPUT");

        String[] same = run(in, out, "--seed", "3");
        assertTrue(same[1].contains("0 images explained, 2 already complete"), same[1]);

        String[] otherSeed = run(in, out, "--seed", "4");
        assertTrue(otherSeed[1].contains("2 images explained, 0 already complete"), "other settings: " + otherSeed[1]);
        assertEquals(4, seed(out.resolve("a")));

        Files.copy(SAMPLES.resolve("astronaut.png"), in.resolve("a.png"), StandardCopyOption.REPLACE_EXISTING);
        String[] changed = run(in, out, "--seed", "4");
        assertTrue(changed[1].contains("1 images explained, 1 already complete"), "a changed file: " + changed[1]);

        String[] strict = run(in, out, "--seed", "5", "--resume", "strict");
        assertEquals("1", strict[0], strict[2]);
        assertTrue(strict[1].contains("0 images explained, 0 already complete (skipped), 2 failed"), strict[1]);
        assertTrue(strict[2].contains("strict resume keeps it"), strict[2]);
        assertEquals(4, seed(out.resolve("a")), "kept");

        // A new file beside them renames nothing.
        Files.copy(SAMPLES.resolve("coffee.png"), in.resolve("0.png"));
        String[] added = run(in, out, "--seed", "4");
        assertTrue(added[1].contains("1 images explained, 2 already complete"), added[1]);
    }

    @Test
    void linksSpecialFilesAndAnOutputInsideTheInputAreNotRead(@TempDir Path dir) throws IOException {
        Path in = input(dir);
        Path outside = Files.copy(SAMPLES.resolve("astronaut.png"), dir.resolve("outside.png"));
        Files.createSymbolicLink(in.resolve("self"), Path.of("."));
        Files.createSymbolicLink(in.resolve("up"), Path.of(".."));
        Files.createSymbolicLink(in.resolve("outside.png"), outside);
        Files.createSymbolicLink(in.resolve("inside.png"), Path.of("a.png"));
        Path out = in.resolve("out");
        String[] r = DatasetCommandTest.outErr("dataset", in.toString(), "--out", out.toString(), "--master",
                "local[2]", "--model", model.toString(), "--size", "32", "--masks", "20", "--batch-size", "10");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[2].contains("images: 3 found"), r[2]);
        assertTrue(r[2].contains("self: a link to a folder is not followed"), r[2]);
        assertTrue(r[2].contains("outside.png: a link to a file outside the input"), r[2]);
        String[] again = DatasetCommandTest.outErr("dataset", in.toString(), "--out", out.toString(), "--master",
                "local[2]", "--model", model.toString(), "--size", "32", "--masks", "20", "--batch-size", "10");
        assertTrue(again[2].contains("images: 3 found") && again[2].contains("the output folder is inside the input"),
                "its own PNGs are not inputs: " + again[2]);
        assertFalse(Files.exists(out.resolve("outside")));
    }

    @Test
    void oneRunAtATimePerOutputFolder(@TempDir Path dir) throws IOException {
        Path in = input(dir);
        Path out = dir.resolve("out");
        try (OutputFolder busy = OutputFolder.open(out, OutputFolder.DISK)) {
            String[] r = run(in, out);
            assertEquals("2", r[0], r[2]);
            assertTrue(r[2].contains("is in use by another relax run"), r[2]);
        }
    }
}
