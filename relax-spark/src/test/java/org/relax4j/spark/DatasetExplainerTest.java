package org.relax4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Baseline;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;

/** Per-image explanations on local[2]: exactness against Relax.explain, failures, atomic files, resume, retries. */
class DatasetExplainerTest {
    static final int SIZE = 32;
    static final RelaxConfig CONFIG = RelaxConfig.builder().masks(64).batchSize(16).seed(5).threads(1).build();
    static final SparkTests.ProjectionModel MODEL = new SparkTests.ProjectionModel(16, 11);

    @TempDir
    static Path images;
    static SparkSession spark;

    @BeforeAll
    static void images() throws IOException {
        spark = SparkTests.spark();
        SparkTests.png(images, "a.png", SIZE, 1);
        SparkTests.png(images, "b.png", SIZE, 2);
        SparkTests.png(images, "c.png", 40, 3);
        Files.write(images.resolve("bad.png"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Files.createDirectories(images.resolve("sub"));
        SparkTests.png(images.resolve("sub"), "a.png", SIZE, 4);
    }

    static Dataset<Row> files() {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(images.toString());
    }

    static DatasetExplainer.Builder explainer() {
        return DatasetExplainer.builder(CONFIG, MODEL).imageSize(SIZE);
    }

    static Map<String, Row> byId(Dataset<Row> result) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : result.collectAsList()) {
            m.put(r.getAs("id"), r);
        }
        return m;
    }

    static Explanation single(String path) throws IOException {
        InputTensor rgb = Images.resize(Images.read(Path.of(java.net.URI.create(path))), SIZE, SIZE);
        InputTensor x = Normalization.imagenet().normalize(rgb);
        try (Relax relax = new Relax(CONFIG)) {
            return relax.explain(x, MODEL.open(1));
        }
    }

    static float[] floats(Row r, String column) {
        List<Float> l = r.getList(r.fieldIndex(column));
        float[] f = new float[l.size()];
        for (int k = 0; k < f.length; k++) {
            f[k] = l.get(k);
        }
        return f;
    }

    static void assertSameMaps(Explanation e, Row r) {
        assertEquals(ResultSchema.OK, r.getAs("status"), () -> r.getAs("id") + ": " + r.getAs("message"));
        assertArrayEquals(e.importance().values(), floats(r, "importance"));
        assertArrayEquals(e.uncertainty().values(), floats(r, "uncertainty"));
        assertArrayEquals(e.variance().values(), floats(r, "variance"));
        assertArrayEquals(e.uRelax().values(), floats(r, "u_relax"));
        assertArrayEquals(e.error().standardError().values(), floats(r, "standard_error"));
        assertEquals(e.masksUsed(), (long) r.getAs("masks_used"));
        assertEquals(e.error().bound(), (double) r.getAs("error_bound"));
        assertEquals(SIZE, (int) r.getAs("height"));
    }

    @Test
    void mapsAreBitIdenticalToRelaxExplainAndBadImagesFailAlone() throws IOException {
        Map<String, Row> rows = byId(explainer().build().explain(files()));
        assertEquals(Set.of("a", "a-2", "b", "c", "bad"), rows.keySet());
        for (String id : List.of("a", "a-2", "b", "c")) {
            Row r = rows.get(id);
            assertSameMaps(single(r.getAs("path")), r);
            assertNull(r.getAs("output"));
        }
        assertTrue(((String) rows.get("a-2").getAs("path")).contains("/sub/"), "a-2 is the later path");
        Row bad = rows.get("bad");
        assertEquals(ResultSchema.FAILED, bad.getAs("status"));
        assertTrue(((String) bad.getAs("message")).contains("not an image"), (String) bad.getAs("message"));
        assertNull(bad.getAs("importance"));
    }

    /** Every setting travels: a discrete configuration runs discrete masks on the executors, as in one JVM. */
    @Test
    void discreteMasksAndABlurredBaselineTravelToTheExecutors() throws IOException {
        RelaxConfig discrete = CONFIG.toBuilder().masks(256).discrete(true).baseline(Baseline.blurred(2)).build();
        Row r = byId(DatasetExplainer.builder(discrete, MODEL).imageSize(SIZE).build().explain(files())).get("b");
        InputTensor x = Normalization.imagenet().normalize(Images.resize(Images.read(
                Path.of(java.net.URI.create(r.getAs("path")))), SIZE, SIZE));
        try (Relax relax = new Relax(discrete)) {
            Explanation e = relax.explain(x, MODEL.open(1));
            assertSameMaps(e, r);
            try (Relax smooth = new Relax(discrete.toBuilder().discrete(false).build())) {
                assertFalse(Arrays.equals(e.importance().values(), smooth.explain(x, MODEL.open(1)).importance()
                        .values()), "discrete masks give other maps than smooth ones");
            }
        }
    }

    /** Paths listed on the driver (names made there, no shuffle) give the same ids and the same maps. */
    @Test
    void pathsFromTheDriverGiveTheSameIdsAndMaps() throws IOException {
        List<String> paths = new java.util.ArrayList<>();
        for (Row r : files().select("path").collectAsList()) {
            paths.add(r.getString(0));
        }
        java.util.Collections.reverse(paths);
        Map<String, Row> rows = byId(explainer().build().explainPaths(spark, paths));
        assertEquals(Set.of("a", "a-2", "b", "c", "bad"), rows.keySet());
        assertTrue(((String) rows.get("a-2").getAs("path")).contains("/sub/"), "a-2 is the later path");
        for (String id : List.of("a", "a-2", "b", "c")) {
            assertSameMaps(single(rows.get(id).getAs("path")), rows.get(id));
        }
        assertEquals(ResultSchema.FAILED, rows.get("bad").getAs("status"));
    }

    @Test
    void imageDataSourceAndPathsGiveTheSameMaps() throws IOException {
        Dataset<Row> imageRows = spark.read().format("image").option("recursiveFileLookup", "true")
                .load(images.toString());
        Map<String, Row> fromImages = byId(explainer().build().explain(imageRows));
        Dataset<Row> paths = files().select("path");
        Map<String, Row> fromPaths = byId(explainer().build().explain(paths));
        for (String id : List.of("a", "b", "c")) {
            Explanation e = single(fromPaths.get(id).getAs("path"));
            assertSameMaps(e, fromPaths.get(id));
            assertSameMaps(e, fromImages.get(id));
        }
        assertEquals(ResultSchema.FAILED, fromImages.get("bad").getAs("status"));
    }

    @Test
    void writesFilesAtomicallyAndResumeSkipsFinishedImages(@TempDir Path out) throws IOException {
        Dataset<Row> table = explainer().outputDir(out).build().explainTo(files(), out.resolve("results.parquet")
                .toString());
        Map<String, Row> first = byId(table);
        assertEquals(ResultSchema.FAILED, first.get("bad").getAs("status"));
        for (String id : List.of("a", "a-2", "b", "c")) {
            assertEquals(ResultSchema.OK, first.get(id).getAs("status"));
            assertEquals(out.resolve(id).toString(), first.get(id).getAs("output"));
            assertCompleteFolder(out.resolve(id));
        }
        assertEquals(Set.of("a", "a-2", "b", "c", "results.parquet"), listing(out));
        FileTime written = Files.getLastModifiedTime(out.resolve("b").resolve(ImageOutputs.SUMMARY));

        Map<String, Row> second = byId(explainer().outputDir(out).build().explain(files()));
        for (String id : List.of("a", "a-2", "b", "c")) {
            Row r = second.get(id);
            assertEquals(ResultSchema.SKIPPED, r.getAs("status"));
            assertArrayEquals(floats(first.get(id), "importance"), floats(r, "importance"));
            assertArrayEquals(floats(first.get(id), "u_relax"), floats(r, "u_relax"));
            assertEquals((long) first.get(id).getAs("masks_used"), (long) r.getAs("masks_used"));
        }
        assertEquals(ResultSchema.FAILED, second.get("bad").getAs("status"), "failed images are tried again");
        assertEquals(written, Files.getLastModifiedTime(out.resolve("b").resolve(ImageOutputs.SUMMARY)));
    }

    @Test
    void failFastFailsTheJobNamingTheImage() {
        Exception e = assertThrows(Exception.class,
                () -> explainer().failFast(true).build().explain(files()).collectAsList());
        assertTrue(String.valueOf(e.getMessage()).contains("bad.png"), e.getMessage());
    }

    @Test
    void killedAttemptsAreRetriedAndLeaveNoPartialFiles(@TempDir Path out) throws IOException {
        // What a task killed while writing leaves: a hidden temporary folder, and (from a writer that is not
        // atomic) an image folder without its summary.
        Path tmp = Files.createDirectories(out.resolve(ImageOutputs.TEMP_PREFIX + "b-0123"));
        Files.write(tmp.resolve("importance.npy"), new byte[10]);
        Files.createDirectories(out.resolve("c"));
        Files.write(out.resolve("c").resolve("importance.npy"), new byte[10]);

        Map<String, Row> rows = byId(DatasetExplainer.builder(CONFIG, new KillingModel()).imageSize(SIZE)
                .outputDir(out).build().explain(files()));
        for (String id : List.of("a", "a-2", "b", "c")) {
            assertEquals(ResultSchema.OK, rows.get(id).getAs("status"), () -> String.valueOf(rows.get(id)));
            assertSameMaps(single(rows.get(id).getAs("path")), rows.get(id));
            assertCompleteFolder(out.resolve(id));
        }
        assertEquals(Set.of("a", "a-2", "b", "c"), listing(out));
        assertTrue(KillingModel.KILLED.get() > 0, "some attempts were killed");
    }

    @Test
    void eachExecutorOpensItsEncoderOnce() {
        CountingModel model = new CountingModel();
        DatasetExplainer.builder(CONFIG, model).imageSize(SIZE).build().explain(files()).collectAsList();
        DatasetExplainer.builder(CONFIG, model).imageSize(SIZE).partitions(2).build().explain(files()).collectAsList();
        assertEquals(1, CountingModel.OPENED.get(), "one executor JVM (local mode), 5 + 2 tasks, one encoder");
    }

    @Test
    void rejectsWhatCannotBeShipped() {
        Encoder notSerialisable = b -> new Embeddings(b.size(), 1, new float[b.size()]);
        assertThrows(IllegalArgumentException.class, () -> EncoderFactory.of(notSerialisable));
        assertThrows(IllegalArgumentException.class, () -> explainer().inputCol("nope").build().explain(files()));
    }

    static void assertCompleteFolder(Path dir) {
        Set<String> files = listing(dir);
        for (String f : List.of("summary.json", "summary.png", "importance.png", "uncertainty.png", "u_relax.png",
                "importance.npy", "uncertainty.npy", "variance.npy", "u_relax.npy", "standard_error.npy")) {
            assertTrue(files.contains(f), dir + " lacks " + f + ": " + files);
        }
    }

    static Set<String> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".results.parquet"))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Stands for a task killed mid-explanation: every first attempt of an even partition dies at a masked batch. */
    static final class KillingModel implements EncoderFactory {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger KILLED = new AtomicInteger();

        @Override
        public Encoder open(int threads) {
            Encoder inner = MODEL.open(threads);
            return batch -> {
                TaskContext ctx = TaskContext.get();
                if (batch.size() > 1 && ctx != null && ctx.attemptNumber() == 0 && ctx.partitionId() % 2 == 0) {
                    KILLED.incrementAndGet();
                    throw new SimulatedKill();
                }
                return inner.encode(batch);
            };
        }
    }

    /** Not an Exception: the explainer cannot turn it into a failed row, so the task fails and Spark retries it. */
    static final class SimulatedKill extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedKill() {
            super("simulated task kill");
        }
    }

    static final class CountingModel implements EncoderFactory {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger OPENED = new AtomicInteger();

        @Override
        public Encoder open(int threads) {
            OPENED.incrementAndGet();
            return MODEL.open(threads);
        }
    }

}
