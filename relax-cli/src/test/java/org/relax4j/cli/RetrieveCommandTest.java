package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Json;
import org.relax4j.data.InputBatch;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.image.Npy;
import org.relax4j.onnx.OnnxEncoder;

/**
 * {@code relax retrieve} on a small ONNX model and a gallery of the sample photos and crops of them: the ranking is a
 * brute-force cosine over the gallery, the query itself ranks first with similarity 1, the result's map is
 * {@code relax explain RESULT --target QUERY}'s bit for bit, and a rerun embeds only what changed.
 */
class RetrieveCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path gallery;
    static int exit;
    static String out;
    static String err;
    static String firstErr;

    static int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = RelaxCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        out = o.toString();
        err = e.toString();
        return code;
    }

    static final String[] SETTINGS = {"--size", "32", "--cells", "4", "--masks", "64", "--seed", "2", "--threads",
        "1"};

    static String[] args(String... first) {
        List<String> a = new ArrayList<>(List.of(first));
        a.addAll(List.of("--model", model.toString()));
        a.addAll(List.of(SETTINGS));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void retrieve() throws Exception {
        model = TinyModels.writeLinear(tmp.resolve("linear.onnx"), 32, 16, 4);
        gallery = Files.createDirectories(tmp.resolve("gallery"));
        for (String s : new String[] {"chelsea.png", "coffee.png", "astronaut.png", "cat-and-coffee.png"}) {
            Files.copy(Path.of("..", "samples", s), gallery.resolve(s));
        }
        exit = run(args("retrieve", gallery.resolve("chelsea.png").toString(), "--gallery", gallery.toString(),
                "--top", "3", "--out", tmp.resolve("out").toString()));
        firstErr = err;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json() throws Exception {
        return Json.readObject(Files.readString(tmp.resolve("out").resolve("chelsea").resolve("retrieval.json")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theRankingIsABruteForceCosineAndTheQueryComesFirst() throws Exception {
        assertEquals(0, exit, firstErr);
        Map<String, Object> json = json();
        List<Map<String, Object>> hits = (List<Map<String, Object>>) json.get("hits");
        assertEquals(3, hits.size());
        // Brute force, here: every gallery image through the same model.
        List<Object[]> all = new ArrayList<>();
        try (OnnxEncoder e = OnnxEncoder.builder(model).pixels(Normalization.imagenet()).intraOpThreads(1).build()) {
            float[] q = null;
            List<Path> files;
            try (var s = Files.list(gallery)) {
                files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
            }
            List<float[]> embs = new ArrayList<>();
            for (Path f : files) {
                float[] v = e.encode(InputBatch.of(Normalization.imagenet().normalize(
                        Images.resize(Images.readForSize(f, 32, 32), 32, 32)))).row(0);
                embs.add(v);
                if (f.getFileName().toString().equals("chelsea.png")) {
                    q = v;
                }
            }
            for (int k = 0; k < files.size(); k++) {
                double dot = 0;
                double a = 0;
                double b = 0;
                for (int d = 0; d < q.length; d++) {
                    dot += (double) q[d] * embs.get(k)[d];
                    a += (double) q[d] * q[d];
                    b += (double) embs.get(k)[d] * embs.get(k)[d];
                }
                all.add(new Object[] {files.get(k).getFileName().toString(), dot / Math.sqrt(a * b)});
            }
        }
        all.sort(Comparator.comparingDouble(o -> -(double) o[1]));
        for (int r = 0; r < 3; r++) {
            assertEquals(all.get(r)[0], Path.of((String) hits.get(r).get("file")).getFileName().toString(), "rank "
                    + (r + 1));
            assertEquals((double) all.get(r)[1], ((Number) hits.get(r).get("similarity")).doubleValue(), 1e-6);
        }
        assertEquals("chelsea.png", Path.of((String) hits.get(0).get("file")).getFileName().toString());
        assertEquals(1.0, ((Number) hits.get(0).get("similarity")).doubleValue(), 1e-6, "the query itself");
        String html = Files.readString(tmp.resolve("out").resolve("chelsea").resolve("retrieval.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("#3"), "self-contained, three results");
        assertTrue(((Map<String, Object>) json.get("settings")).get("design").equals("balanced"),
                "balanced masks by default: " + json.get("settings"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theResultsMapIsExplainWithTheQueryAsTarget() throws Exception {
        assertEquals(0, exit, err);
        Map<String, Object> second = ((List<Map<String, Object>>) json().get("hits")).get(1);
        Path result = Path.of((String) second.get("file"));
        assertEquals(0, run(args("explain", result.toString(), "--target", gallery.resolve("chelsea.png").toString(),
                "--design", "balanced", "--out", tmp.resolve("explained").toString(), "-q")), err);
        String stem = result.getFileName().toString().replaceFirst("\\.png$", "");
        assertArrayEquals(Npy.read(tmp.resolve("explained").resolve(stem).resolve("importance.npy")).values(),
                Npy.read(tmp.resolve("out").resolve("chelsea").resolve("pair_02_result.npy")).values(), "bit for bit");
    }

    @Test
    void aRerunEmbedsOnlyWhatChanged() throws Exception {
        assertEquals(0, exit, firstErr);
        assertTrue(firstErr.contains("4 images, 4 embedded, 0 from the cache"), firstErr);
        Files.copy(Path.of("..", "samples", "coffee.png"), gallery.resolve("coffee-copy.png"));
        assertEquals(0, run(args("retrieve", gallery.resolve("astronaut.png").toString(), "--gallery",
                gallery.toString(), "--top", "1", "--out", tmp.resolve("out2").toString())), err);
        // The copy has the same checksum as coffee.png: nothing to embed.
        assertTrue(err.contains("5 images, 0 embedded, 5 from the cache"), err);
        Files.copy(Path.of("..", "samples", "chelsea.png"), gallery.resolve("coffee-copy.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(gallery.resolve("coffee-copy.png"), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, run(args("retrieve", gallery.resolve("astronaut.png").toString(), "--gallery",
                gallery.toString(), "--top", "1", "--out", tmp.resolve("out3").toString())), err);
        assertTrue(err.contains("5 images, 1 embedded, 4 from the cache"), err);
        Files.delete(gallery.resolve("coffee-copy.png"));
    }

    @Test
    void badOptionsAreNamed() throws Exception {
        assertEquals(2, run(args("retrieve", gallery.resolve("chelsea.png").toString(), "--gallery",
                gallery.toString(), "--top", "0")));
        assertTrue(err.contains("--top must be at least 1"), err);
        assertEquals(2, run(args("retrieve", gallery.resolve("chelsea.png").toString(), "--gallery",
                tmp.resolve("nowhere").toString())));
        assertTrue(err.contains("--gallery: no folder at"), err);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(2, run(args("retrieve", gallery.resolve("chelsea.png").toString(), "--gallery", empty.toString(),
                "--out", tmp.resolve("o4").toString())));
        assertTrue(err.contains("holds no PNG or JPEG image"), err);
    }

    /**
     * {@code --master local[2]}: the gallery embedded as a Spark job (three tasks of two images) gives the cache, the
     * ranking and the maps of a run in one JVM, byte for byte — the executors' encoder has its own thread count.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aGalleryEmbeddedOnSparkIsTheSameGallery() throws Exception {
        Map<String, Path> caches = new java.util.LinkedHashMap<>();
        Map<String, Map<String, Object>> reports = new java.util.LinkedHashMap<>();
        for (String where : new String[] {"jvm", "spark"}) {
            Path g = Files.createDirectories(tmp.resolve("gallery-" + where));
            for (String s : new String[] {"chelsea.png", "coffee.png", "astronaut.png", "cat-and-coffee.png"}) {
                Files.copy(Path.of("..", "samples", s), g.resolve(s));
            }
            Files.copy(Path.of("..", "samples", "coffee.png"), g.resolve("coffee-copy.png"));
            List<String> a = new ArrayList<>(List.of(args("retrieve", g.resolve("coffee.png").toString(), "--gallery",
                    g.toString(), "--top", "2", "--batch-size", "2", "--out", tmp.resolve("o-" + where).toString())));
            if (where.equals("spark")) {
                a.addAll(List.of("--master", "local[2]"));
            }
            assertEquals(0, run(a.toArray(String[]::new)), err);
            assertTrue(err.contains("5 images, 5 embedded, 0 from the cache"), err);
            if (where.equals("spark")) {
                assertTrue(err.contains("on Spark, 3 tasks of up to 2") && err.contains("gallery: 3/3 tasks done"),
                        err);
            }
            try (var files = Files.list(g)) {
                caches.put(where, files.filter(p -> p.getFileName().toString().startsWith(".relax4j-gallery-"))
                        .findFirst().orElseThrow());
            }
            reports.put(where, Json.readObject(Files.readString(tmp.resolve("o-" + where).resolve("coffee")
                    .resolve("retrieval.json"))));
        }
        assertArrayEquals(Files.readAllBytes(caches.get("jvm")), Files.readAllBytes(caches.get("spark")));
        assertEquals(Json.write(reports.get("jvm").get("hits")).replace("gallery-jvm", "gallery-spark"),
                Json.write(reports.get("spark").get("hits")));
        for (String f : new String[] {"pair_01_query.npy", "pair_02_result.npy"}) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("o-jvm").resolve("coffee").resolve(f)),
                    Files.readAllBytes(tmp.resolve("o-spark").resolve("coffee").resolve(f)), f);
        }
        assertEquals(2, run(args("retrieve", gallery.resolve("chelsea.png").toString(), "--gallery",
                gallery.toString(), "--executor-wait", "5")));
        assertTrue(err.contains("give --master too"), err);
    }
}
