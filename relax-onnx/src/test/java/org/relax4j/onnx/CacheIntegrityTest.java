package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.tfjs.OnnxModelBuilder;

/** Cache entries carry checksums; damaged ones are named and rebuilt. */
class CacheIntegrityTest {
    @TempDir
    Path tmp;

    private static void truncate(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Test
    void aFileIsCheckedAgainstItsRecord() throws IOException {
        Path f = tmp.resolve("model.onnx");
        byte[] bytes = "not really a model, but 40 bytes of it..".getBytes(StandardCharsets.US_ASCII);
        assertTrue(CacheIntegrity.checkFile(f).contains("no recorded checksum"));
        Files.write(f, bytes);
        assertTrue(CacheIntegrity.checkFile(f).contains("no recorded checksum"), "a file without a record is suspect");
        CacheIntegrity.recordFile(f, bytes);
        assertNull(CacheIntegrity.checkFile(f));
        assertTrue(Files.readString(CacheIntegrity.recordOf(f)).endsWith("  model.onnx\n"), "sha256sum format");
        truncate(f, 17);
        String problem = CacheIntegrity.checkFile(f);
        assertTrue(problem.startsWith(f + " is damaged (17 bytes"), problem);
        truncate(f, 0);
        assertTrue(CacheIntegrity.checkFile(f).contains("(empty"), CacheIntegrity.checkFile(f));
    }

    @Test
    void aDirectoryNamesItsDamagedFile() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("nsfwjs"));
        Files.writeString(d.resolve("model.min.js"), "{\"modelTopology\": {}}");
        Files.writeString(d.resolve("group1-shard1of2.min.js"), "x".repeat(1000));
        assertTrue(CacheIntegrity.checkDirectory(d).contains("no recorded checksums"));
        CacheIntegrity.recordDirectory(d);
        assertNull(CacheIntegrity.checkDirectory(d));
        truncate(d.resolve("group1-shard1of2.min.js"), 100);
        String problem = CacheIntegrity.checkDirectory(d);
        assertTrue(problem.contains("group1-shard1of2.min.js is damaged (100 bytes"), problem);
        CacheIntegrity.recordDirectory(d);
        Files.delete(d.resolve("model.min.js"));
        assertTrue(CacheIntegrity.checkDirectory(d).contains("model.min.js is missing"));
    }

    @Test
    void anEmptyModelFileIsNamed() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.onnx"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxEncoder.builder(empty).build());
        assertTrue(e.getMessage().contains("ONNX model file is empty") && e.getMessage().contains("empty.onnx"),
                e.getMessage());
    }

    /** Seeds a private cache from the shared one (the set-up of MobileNetV2Test), then damages and repairs it. */
    @Test
    void damagedEntriesAreRebuilt() throws IOException {
        Path shared = PretrainedModels.defaultCacheDir();
        assumeTrue(Files.isRegularFile(shared.resolve(PretrainedModels.MOBILENET_V2_FILE))
                || "true".equalsIgnoreCase(System.getenv("CI")) || MobileNetV2Test.npmAvailable(),
                "no cached MobileNetV2 and no npm to fetch it");
        Path original = PretrainedModels.ensureMobileNetV2(shared, s -> { });
        byte[] good = Files.readAllBytes(original);
        Path cache = tmp.resolve("cache");
        copyTree(shared, cache);
        Path model = cache.resolve(PretrainedModels.MOBILENET_V2_FILE);
        List<String> log = new ArrayList<>();

        truncate(model, good.length / 3);
        assertEquals(model, PretrainedModels.ensureMobileNetV2(cache, log::add));
        assertTrue(log.get(0).startsWith("cache: " + model + " is damaged"), log.toString());
        assertArrayEquals(good, Files.readAllBytes(model), "converted again");
        assertNull(CacheIntegrity.checkFile(model));

        // a truncated shard is found when the nsfwjs files are next needed, and fetched again
        assumeTrue(MobileNetV2Test.npmAvailable(), "npm is needed to fetch nsfwjs again");
        Path dir = cache.resolve("nsfwjs-" + PretrainedModels.NSFWJS_VERSION).resolve("mobilenet_v2_mid");
        Path shard = dir.resolve("group1-shard1of2.min.js");
        truncate(shard, 100_000);
        log.clear();
        assertEquals(dir, PretrainedModels.ensureNsfwjsModelFiles(cache, log::add));
        assertTrue(log.get(0).contains(shard + " is damaged (100000 bytes"), log.toString());
        assertNull(CacheIntegrity.checkDirectory(dir));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** A valid model of another kind in the cache's place (with a matching record) is not taken for MobileNetV2. */
    @Test
    void anotherValidModelInTheCacheIsNotReportedAsMobileNetV2(@TempDir Path cache) {
        OnnxModelBuilder b = new OnnxModelBuilder("not-mobilenet");
        b.input(PretrainedModels.MOBILENET_V2_INPUT, OnnxModelBuilder.FLOAT, new long[] {-1, 2, 2, 3});
        String w = b.initializer("w", new long[] {12, 10}, new float[120]);
        b.node("Flatten", "flatten").inputs(PretrainedModels.MOBILENET_V2_INPUT).outputs("f").attr("axis", 1L).add();
        b.node("MatMul", "matmul").inputs("f", w).outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 10});
        byte[] bytes = b.toBytes("relax-onnx-test", "1");
        Path file = cache.resolve(PretrainedModels.MOBILENET_V2_FILE);
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CacheIntegrity.recordFile(file, bytes);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PretrainedModels.openMobileNetV2(cache, 1, s -> { }));
        assertTrue(e.getMessage().contains("returns 10 values, not MobileNetV2's 1792-d embedding")
                && e.getMessage().contains("delete it and it is rebuilt"), e.getMessage());
    }
}
