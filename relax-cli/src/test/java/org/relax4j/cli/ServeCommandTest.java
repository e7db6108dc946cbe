package org.relax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javalin.http.HandlerType;
import io.javalin.router.ParsedEndpoint;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Json;
import org.relax4j.image.ExplanationFiles;

/**
 * {@code relax serve} over real HTTP: the maps it serves are {@code relax explain}'s bit for bit; progress streams as
 * server-sent events; clients are served in the order they came; a client that leaves cancels its work; every limit
 * is refused with its status and names its option; the OpenAPI description covers every route.
 */
class ServeCommandTest {
    static final Path CHELSEA = Path.of("..", "samples", "chelsea.png");

    @TempDir
    static Path tmp;

    static Served server;

    @BeforeAll
    static void start() throws Exception {
        server = new Served("--concurrency", "1", "--queue", "4", "--max-pixels", "200000", "--max-masks", "5000",
                "--design", "balanced", "--seed", "3", "-q");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** Server-sent events read from a stream: (event, data) pairs. */
    static Iterator<String[]> events(Stream<String> lines) {
        Iterator<String> it = lines.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public String[] next() {
                String event = null;
                StringBuilder data = new StringBuilder();
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.isEmpty() && event != null) {
                        break;
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
                return new String[] {event, data.toString()};
            }
        };
    }

    static HttpResponse<Stream<String>> stream(Served s, Served.Form form) throws Exception {
        return s.http.send(s.post("/explain", form).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
    }

    static long metric(Served s, String name) throws Exception {
        for (String line : s.get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Test
    void servesTheCommandLinesMapsBitForBit() throws Exception {
        Path out = tmp.resolve("cli");
        StringWriter err = new StringWriter();
        int code = RelaxCli.run(new String[] {"explain", CHELSEA.toString(), "--masks", "256", "--design", "balanced",
                "--seed", "3", "-q", "--out", out.toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(0, code, err.toString());

        HttpResponse<String> r = server.explain(Served.form().file("image", CHELSEA).field("masks", 256));
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> json = Json.readObject(r.body());
        assertEquals(256L, ((Number) json.get("masksUsed")).longValue());
        assertEquals("chelsea.png", json.get("image"));
        Map<String, Object> cliSummary = Json.readObject(Files.readString(out.resolve("chelsea").resolve("summary.json")));
        assertEquals(cliSummary.get("settings"), json.get("settings"));
        assertEquals(cliSummary.get("imageSha256"), json.get("imageSha256"));
        @SuppressWarnings("unchecked")
        Map<String, Object> files = (Map<String, Object>) json.get("files");
        for (String map : ExplanationFiles.MAPS) {
            HttpResponse<byte[]> npy = server.bytes((String) files.get(map + ".npy"));
            assertEquals(200, npy.statusCode());
            assertArrayEquals(Files.readAllBytes(out.resolve("chelsea").resolve(map + ".npy")), npy.body(), map);
        }
        for (String f : List.of("maps.npz", "summary.png", "input.png", "summary.json")) {
            assertEquals(200, server.bytes((String) files.get(f)).statusCode(), f);
        }
        BufferedImage input = ImageIO.read(new java.io.ByteArrayInputStream(server.bytes((String) files.get("input.png"))
                .body()));
        assertEquals(224, input.getWidth());
        HttpResponse<String> missing = server.get("/results/" + json.get("id") + "/nothing.npy");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("importance.npy"), missing.body());
    }

    @Test
    void explainsTextAsExplainTextDoes() throws Exception {
        String text = "The weather in Oslo is cold.";
        StringWriter cliOut = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, RelaxCli.run(new String[] {"explain-text", text, "--query", "climate of Norway", "--masks", "64",
                "--seed", "5", "--json", "-q"}, new PrintWriter(cliOut), new PrintWriter(err)), err.toString());
        HttpResponse<String> r = server.explainText(Map.of("text", text, "query", "climate of Norway", "masks", "64",
                "seed", "5"));
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> served = Json.readObject(r.body());
        Map<String, Object> cli = Json.readObject(cliOut.toString());
        for (String key : cli.keySet()) {
            if (!key.equals("provenance")) { // its timings differ run to run
                assertEquals(cli.get(key), served.get(key), key);
            }
        }
        assertRefused(400, "the fields are text, query", server.explainText(Map.of("text", text, "design", "balanced")));
        assertRefused(400, "masks must be at least 1", server.explainText(Map.of("text", text, "masks", "0")));
        assertRefused(400, "no field 'text'", server.explainText(Map.of("query", "x")));
    }

    @Test
    void streamsProgressThenTheResult() throws Exception {
        HttpResponse<Stream<String>> r = stream(server, Served.form().file("image", CHELSEA).field("masks", 400)
                .field("target-error", 0.05));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Iterator<String[]> events = events(r.body());
        assertEquals("queued", events.next()[0]);
        long lastDone = 0;
        long total = -1;
        String[] e;
        while ((e = events.next())[0].equals("progress")) {
            Map<String, Object> p = Json.readObject(e[1]);
            long done = ((Number) p.get("masksDone")).longValue();
            assertTrue(done > lastDone, "progress moves on: " + done + " after " + lastDone);
            lastDone = done;
            total = ((Number) p.get("masksTotal")).longValue();
        }
        assertEquals("result", e[0], e[1]);
        Map<String, Object> result = Json.readObject(e[1]);
        assertEquals(total, ((Number) result.get("masksUsed")).longValue());
        assertEquals(lastDone, total);
        assertTrue(lastDone >= 400, "all of --masks (the target error is out of reach): " + lastDone);
    }

    @Test
    void answersFourClientsAtOnceInTheOrderTheyCame() throws Exception {
        List<CompletableFuture<Integer>> finished = new ArrayList<>();
        List<Long> ahead = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        for (int k = 0; k < 4; k++) {
            HttpResponse<Stream<String>> r = stream(server, Served.form().file("image", CHELSEA).field("masks", 128)
                    .field("seed", k));
            assertEquals(200, r.statusCode());
            Iterator<String[]> events = events(r.body());
            String[] queued = events.next();
            assertEquals("queued", queued[0]);
            ahead.add(((Number) Json.readObject(queued[1]).get("ahead")).longValue());
            finished.add(CompletableFuture.supplyAsync(() -> {
                String[] e;
                do {
                    e = events.next();
                } while (e[0].equals("progress"));
                assertEquals("result", e[0], e[1]);
                return answered.getAndIncrement(); // the n-th answer to arrive
            }));
        }
        List<Integer> order = new ArrayList<>();
        for (CompletableFuture<Integer> f : finished) {
            order.add(f.get(2, TimeUnit.MINUTES));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L), ahead, "each client saw the ones before it");
        assertEquals(List.of(0, 1, 2, 3), order, "answered in the order they came");
    }

    @Test
    void aClientThatGoesAwayCancelsItsExplanation() throws Exception {
        long before = metric(server, "relax_explanations_cancelled_total");
        long completed = metric(server, "relax_explanations_completed_total");
        HttpResponse<Stream<String>> r = stream(server, Served.form().file("image", CHELSEA).field("masks", 5000));
        Iterator<String[]> events = events(r.body());
        assertEquals("queued", events.next()[0]);
        assertEquals("progress", events.next()[0]);
        r.body().close(); // the client goes away
        // Waits as long as it takes (JUnit's own time-out aside): the property is that it stops, not how fast.
        while (metric(server, "relax_explanations_cancelled_total") == before) {
            Thread.sleep(100);
        }
        assertEquals(completed, metric(server, "relax_explanations_completed_total"), "stopped, not run to its end");
        assertEquals(0, metric(server, "relax_running") + metric(server, "relax_waiting"));
    }

    @Test
    void refusesWhatExceedsALimitNamingTheOption() throws Exception {
        // A 1 GB upload: refused from its headers — no byte of the body is ever sent, and the answer comes (a server
        // that waited for the body would time the read out instead).
        try (Socket socket = new Socket("127.0.0.1", server.running.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /explain HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                    + "Content-Length: 1073741824\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String status = reader.readLine();
            assertTrue(status.contains(" 413"), status);
            StringBuilder rest = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null && !line.contains("--max-upload")) {
                rest.append(line).append('\n');
            }
            assertTrue(line != null, "the message names --max-upload: " + rest);
        }

        BufferedImage big = new BufferedImage(600, 400, BufferedImage.TYPE_INT_RGB);
        Path bigFile = tmp.resolve("big.png");
        ImageIO.write(big, "png", bigFile.toFile());
        assertRefused(413, "--max-pixels", server.explain(Served.form().file("image", bigFile)));
        assertRefused(422, "--max-masks 5000", server.explain(Served.form().file("image", CHELSEA)
                .field("masks", 6000)));
        assertRefused(400, "target-error", server.explain(Served.form().file("image", CHELSEA)
                .field("mask", 10)));
        assertRefused(400, "design must be random or balanced", server.explain(Served.form().file("image", CHELSEA)
                .field("design", "sobol")));
        assertRefused(400, "relax serve --engine", server.explain(Served.form().file("image", CHELSEA)
                .field("engine", "opencl")));
        assertRefused(400, "field 'image'", server.explain(Served.form().field("masks", 10)));
        Path notImage = Files.writeString(tmp.resolve("notes.png"), "not an image");
        assertRefused(400, "not an image", server.explain(Served.form().file("image", notImage)));
        assertRefused(415, "multipart/form-data", server.http.send(server.request("/explain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertRefused(404, "no such endpoint", server.get("/nowhere"));
        assertRefused(404, "--keep-results", server.get("/results/0123/importance.npy"));
    }

    @Test
    void aRefusalMadeBeforeTheBodyIsReadStillReachesTheClient() throws Exception {
        // Refused before the body is read (no token, no gallery) while the client is still sending it. A server that
        // answered and closed at once made the client's later writes reset the connection, and the answer was lost
        // ("received no bytes", once in CI). Now the body is read first: the answer comes, the connection lives on.
        try (Served guarded = new Served("--token", "s3cret", "-q")) {
            for (Served s : List.of(guarded, server)) {
                try (Socket socket = new Socket("127.0.0.1", s.running.port())) {
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                    byte[] half = new byte[256 << 10];
                    out.write(("POST /retrieve HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; "
                            + "boundary=x\r\nContent-Length: " + 2 * half.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(half);
                    out.flush();
                    Thread.sleep(300); // the server has seen the headers and decided by now
                    out.write(half);
                    out.flush();
                    String[] answer = readResponse(in);
                    assertTrue(answer[0].contains(s == guarded ? " 401" : " 501"), answer[0]);
                    assertTrue(answer[1].contains(s == guarded ? "--token" : "--gallery"), answer[1]);
                    out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertTrue(readResponse(in)[0].contains(" 200"), "the same connection serves the next request");
                }
            }
        }
    }

    /** One HTTP/1.1 response with a Content-Length: its status line and its body. */
    static String[] readResponse(InputStream in) throws java.io.IOException {
        String status = line(in);
        int length = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        return new String[] {status, new String(in.readNBytes(length), StandardCharsets.UTF_8)};
    }

    private static String line(InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new java.io.EOFException("connection closed after '" + b + "'");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Test
    void badServerOptionsAreUsageErrorsBeforeAnyWork() {
        for (String[] c : new String[][] {{"--masks", "1", "--masks 1"}, {"--concurrency", "0", "--concurrency"},
                {"--gallery", tmp.resolve("none").toString(), "--gallery"}, {"--port", "70000", "--port"}}) {
            StringWriter err = new StringWriter();
            int code = RelaxCli.run(new String[] {"serve", c[0], c[1]}, new PrintWriter(new StringWriter()),
                    new PrintWriter(err));
            assertEquals(2, code, err.toString());
            assertTrue(err.toString().contains(c[2]), err.toString());
        }
    }

    static void assertRefused(int status, String says, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers()
                .toString());
        Map<String, Object> json = Json.readObject(r.body());
        assertEquals((long) status, ((Number) json.get("status")).longValue());
        assertTrue(((String) json.get("error")).contains(says), r.body());
    }

    @Test
    void aTokenAFullQueueAndTheTimeLimit() throws Exception {
        try (Served guarded = new Served("--token", "s3cret", "--queue", "0", "--max-seconds", "2", "-q")) {
            assertEquals(200, guarded.get("/health").statusCode());
            HttpResponse<String> noToken = guarded.get("/metrics");
            assertRefused(401, "--token", noToken);
            assertEquals("Bearer", noToken.headers().firstValue("WWW-Authenticate").orElse(""));
            assertRefused(401, "--token", guarded.token("wrong").get("/metrics"));
            assertEquals(200, guarded.token("s3cret").get("/metrics").statusCode());

            HttpResponse<Stream<String>> slow = stream(guarded, Served.form().file("image", CHELSEA)
                    .field("masks", 5000));
            Iterator<String[]> events = events(slow.body());
            assertEquals("queued", events.next()[0]);
            assertRefused(503, "--queue", guarded.explain(Served.form().file("image", CHELSEA)));
            String[] e;
            do {
                e = events.next();
            } while (e[0].equals("progress"));
            assertEquals("error", e[0], e[1]);
            Map<String, Object> error = Json.readObject(e[1]);
            assertEquals(504L, ((Number) error.get("status")).longValue());
            assertTrue(((String) error.get("error")).contains("--max-seconds 2"), e[1]);
            assertEquals(1, metric(guarded, "relax_explanations_timed_out_total"));
        }
    }

    @Test
    void retrievesAndExplainsAsRetrieveDoes() throws Exception {
        Path gallery = Files.createDirectories(tmp.resolve("gallery"));
        for (String s : List.of("chelsea.png", "coffee.png", "astronaut.png")) {
            Files.copy(CHELSEA.resolveSibling(s), gallery.resolve(s));
        }
        Path query = CHELSEA.resolveSibling("cat-and-coffee.png");
        Path out = tmp.resolve("retrieve-cli");
        StringWriter err = new StringWriter();
        assertEquals(0, RelaxCli.run(new String[] {"retrieve", query.toString(), "--gallery", gallery.toString(),
                "--top", "2", "--masks", "128", "-q", "--out", out.toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(err)), err.toString());
        Map<String, Object> cli = Json.readObject(Files.readString(out.resolve("cat-and-coffee")
                .resolve("retrieval.json")));

        try (Served withGallery = new Served("--gallery", gallery.toString(), "-q")) {
            HttpResponse<String> r = withGallery.http.send(withGallery.post("/retrieve", Served.form()
                    .file("image", query).field("top", 2).field("masks", 128)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            Map<String, Object> served = Json.readObject(r.body());
            assertEquals(cli.get("settings"), served.get("settings"), "balanced, 128 masks: retrieve's defaults");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> hits = (List<Map<String, Object>>) served.get("hits");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> cliHits = (List<Map<String, Object>>) cli.get("hits");
            assertEquals(2, hits.size());
            @SuppressWarnings("unchecked")
            Map<String, Object> files = (Map<String, Object>) served.get("files");
            for (int k = 0; k < 2; k++) {
                assertEquals(cliHits.get(k).get("file"), hits.get(k).get("file"));
                assertEquals(cliHits.get(k).get("similarity"), hits.get(k).get("similarity"));
                for (String side : List.of("_query.npy", "_result.npy")) {
                    String name = String.format(java.util.Locale.ROOT, "pair_%02d%s", k + 1, side);
                    assertArrayEquals(Files.readAllBytes(out.resolve("cat-and-coffee").resolve(name)),
                            withGallery.bytes((String) files.get(name)).body(), name);
                }
            }
            assertTrue(files.containsKey("retrieval.html"), files.keySet().toString());
            assertRefused(400, "top must be at least 1", withGallery.http.send(withGallery.post("/retrieve",
                    Served.form().file("image", query).field("top", 0)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        assertRefused(501, "--gallery", server.http.send(server.post("/retrieve", Served.form().file("image", query))
                .build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void describesEveryRouteAndReportsHealthAndMetrics() throws Exception {
        Map<String, Object> api = Json.readObject(server.get("/openapi.json").body());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) api.get("paths");
        int routes = 0;
        for (ParsedEndpoint p : server.running.app.unsafe.internalRouter.allHttpHandlers()) {
            HandlerType method = p.endpoint.method;
            if (method == HandlerType.GET || method == HandlerType.POST) {
                routes++;
                assertTrue(paths.containsKey(p.endpoint.path), "undocumented route " + p.endpoint.path);
                assertTrue(paths.get(p.endpoint.path).containsKey(method.name().toLowerCase(java.util.Locale.ROOT)),
                        method + " " + p.endpoint.path);
            }
        }
        assertEquals(paths.size(), routes, "every documented path is a route: " + paths.keySet());

        Map<String, Object> health = Json.readObject(server.get("/health").body());
        assertEquals("ready", health.get("status"));
        assertEquals("mobilenet-v2", health.get("model"));
        String metrics = server.get("/metrics").body();
        assertTrue(metrics.contains("# TYPE relax_explanations_completed_total counter"), metrics);
        assertTrue(metrics.contains("relax_http_responses_total{route=\"/health\",status=\"200\"}"), metrics);
        String page = server.get("/").body();
        assertTrue(page.contains("<canvas id=\"view\""), "the viewer");
    }
}
