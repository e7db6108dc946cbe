package org.relax4j.cli;

import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.relax4j.Json;
import org.relax4j.Progress;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.io.Checksums;
import org.relax4j.retrieve.Gallery;
import org.relax4j.retrieve.Retrieval;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relax serve}: an HTTP service that loads the model once, keeps it warm, and explains images sent to it; with
 * a viewer page at {@code /}. The API is described by {@code GET /openapi.json}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve explanations over HTTP from a warm model, with a viewer in the browser.",
                "The model is loaded once; open the printed address for the viewer. The API (POST /explain,",
                "POST /explain-text, GET /health, GET /metrics) is described at /openapi.json. Request fields",
                "are named like this command's explanation options (masks, design, estimator, target-error, ...),",
                "which set their defaults; POST /explain-text takes explain-text's (text, query, masks, seed,",
                "masking, units).", ""},
        footer = {"", "Requests are explained first come, first served by --concurrency workers; up to --queue more",
                "wait, and further requests are refused (503) until a place is free. Each limit refuses with its own",
                "status and names the option: --max-upload (413), --max-pixels (413), --max-masks (422),",
                "--max-seconds (504). A client of an event stream (Accept: text/event-stream) that goes away",
                "cancels its explanation at the next batch.", "",
                "Bound to 127.0.0.1 unless --host says otherwise; give --token (or RELAX4J_TOKEN) when binding to",
                "another address: every request but GET /health, / and /openapi.json must then carry",
                "'Authorization: Bearer TOKEN'. Ctrl-C stops the service after the running explanations stop."},
        usageHelpWidth = 100)
final class ServeCommand implements Callable<Integer> {

    /** Options of {@link RelaxOptions} that are the server's own, not a request's. */
    private static final Set<String> SERVER_ONLY = Set.of("--engine", "--device");

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RelaxOptions options;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only).")
    String host;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080",
            description = "Port to listen on; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Require 'Authorization: Bearer TOKEN' (default: the RELAX4J_TOKEN environment variable).")
    String token;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1",
            description = "Explanations running at once. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "16",
            description = "Explanations that may wait for a worker. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--max-upload", paramLabel = "MB", defaultValue = "32",
            description = "Largest request body, in MB. Default: ${DEFAULT-VALUE}.")
    long maxUploadMb;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "50000000",
            description = "Largest image, in pixels (width x height). Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(names = "--max-masks", paramLabel = "N", defaultValue = "20000",
            description = "Most masks one request may ask for. Default: ${DEFAULT-VALUE}.")
    long maxMasks;

    @Option(names = "--max-seconds", paramLabel = "S", defaultValue = "300",
            description = "Longest an explanation may run. Default: ${DEFAULT-VALUE}.")
    long maxSeconds;

    @Option(names = "--keep-results", paramLabel = "N", defaultValue = "16",
            description = "Finished results kept for download (the oldest go first). Default: ${DEFAULT-VALUE}.")
    int keepResults;

    @Option(names = "--gallery", paramLabel = "DIR",
            description = "A folder of PNG or JPEG images for POST /retrieve, embedded at start (cached beside them, "
                    + "as relax retrieve does).")
    Path gallery;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for each engine and for the model. Default: the number of processors.")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "No start-up lines (engine, model, gallery) and no request log.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try (SignalGuard guard = SignalGuard.install(err); Running running = start(err)) {
            err.println("relax serve: ready at " + running.url() + " (viewer; API at " + running.url()
                    + "openapi.json). Ctrl-C stops it.");
            err.flush();
            while (!guard.token().isCancelled()) {
                Thread.sleep(200);
            }
            err.println("relax serve: stopping");
            return guard.exitCode();
        }
    }

    /** A started service. */
    static final class Running implements AutoCloseable {
        final Javalin app;
        final ExplainService service;
        final ModelOptions.Opened model;
        final String host;

        Running(Javalin app, ExplainService service, ModelOptions.Opened model, String host) {
            this.app = app;
            this.service = service;
            this.model = model;
            this.host = host;
        }

        int port() {
            return app.port();
        }

        String url() {
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/";
        }

        @Override
        public void close() throws Exception {
            app.stop();
            try (model) {
                service.close();
            }
        }
    }

    /** Checks the options, loads and warms the model, and starts listening. */
    Running start(PrintWriter err) throws Exception {
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        checkUsage();
        RelaxConfig defaults = options.toConfig(spec, "--threads", nThreads); // usage errors name the option
        if (token == null) {
            token = System.getenv("RELAX4J_TOKEN");
        }
        if (token != null && token.isBlank()) {
            throw usage("--token is empty");
        }
        if (token == null && !InetAddress.getByName(host).isLoopbackAddress()) {
            err.println("relax serve: warning: listening on " + host + " without --token: anyone who reaches this "
                    + "address can use the service");
        }
        ModelOptions.Opened model = modelOptions.open(nThreads, s -> log(err, s), spec);
        List<Engine> engines = new ArrayList<>();
        ExplainService service;
        try {
            for (int k = 0; k < concurrency; k++) {
                engines.add(Engines.create(defaults.engine(), defaults.threads(), defaults.device()));
            }
            service = new ExplainService(model.encoder, model.json, engines, new ExplainService.Limits(concurrency,
                    queue, maxMasks, Duration.ofSeconds(maxSeconds), keepResults));
            log(err, "engine: " + engines.get(0).name() + " (" + engines.get(0).device() + ")");
            log(err, "model: " + model.description);
            warmUp(defaults, model, engines.get(0));
        } catch (Exception | Error ex) {
            for (Engine e : engines) {
                e.close();
            }
            model.close();
            throw ex;
        }
        Gallery galleryIndex = null;
        if (gallery != null) {
            try {
                galleryIndex = Gallery.open(gallery, RetrieveCommand.galleryKey(model.json, modelOptions.size),
                        new Gallery.ImageNetLoader(modelOptions.size), model.encoder,
                        defaults.batchSize(), s -> log(err, s));
                log(err, "gallery: " + galleryIndex.entries().size() + " images in " + gallery + " ("
                        + galleryIndex.embedded() + " embedded now)");
            } catch (Exception ex) {
                service.close();
                model.close();
                if (ex instanceof IllegalArgumentException) {
                    throw usage("--gallery: " + ex.getMessage());
                }
                throw ex;
            }
        }
        Http http = new Http(service, nThreads, model, galleryIndex, err);
        Javalin app;
        try {
            app = http.create().start(host, port);
        } catch (RuntimeException ex) {
            service.close();
            model.close();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + rootMessage(ex), ex);
        }
        return new Running(app, service, model, host);
    }

    /**
     * One small explanation before the first request, so that it meets warm code: ONNX Runtime's first runs (memory
     * planning) and the JIT of our loops would otherwise land on the first user.
     */
    private void warmUp(RelaxConfig defaults, ModelOptions.Opened model, Engine engine) {
        int size = modelOptions.size;
        RelaxConfig small = defaults.toBuilder().masks(2L * defaults.batchSize()).targetError(Double.NaN).build();
        InputTensor image = WarmUp.pattern(size);
        for (int k = 0; k < 3; k++) {
            try (Relax relax = new Relax(small, engine)) {
                org.relax4j.Explanation e = relax.explain(image, model.encoder);
                // The files too (PNG encoding, fonts, JSON): measured, a first request that rendered them itself
                // took 0.3 s longer than the next ones.
                org.relax4j.io.FileSink discard = (name, content) -> content.writeTo(OutputStream.nullOutputStream());
                org.relax4j.image.ExplanationFiles.Result r = new org.relax4j.image.ExplanationFiles.Result("warm-up",
                        null, image, e, model.json, null, null, null);
                org.relax4j.image.ExplanationFiles.write(discard, r);
                org.relax4j.image.Npz.FORMAT.write(r, discard);
                Json.readObject(Json.write(e.provenance(model.json).toMap()));
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
    }

    private static String rootMessage(Throwable ex) {
        while (ex.getCause() != null) {
            ex = ex.getCause();
        }
        return ex.getMessage();
    }

    private void checkUsage() {
        modelOptions.check(spec, options.cells, false);
        positive("--concurrency", concurrency);
        if (queue < 0) {
            throw usage("--queue must be at least 0, got " + queue);
        }
        positive("--max-upload", maxUploadMb);
        positive("--max-pixels", maxPixels);
        positive("--max-masks", maxMasks);
        positive("--max-seconds", maxSeconds);
        positive("--keep-results", keepResults);
        if (gallery != null && !Files.isDirectory(gallery)) {
            throw usage("--gallery: no folder at " + gallery);
        }
        if (port < 0 || port > 65535) {
            throw usage("--port must be in [0, 65535], got " + port);
        }
    }

    private void positive(String option, long value) {
        if (value < 1) {
            throw usage(option + " must be at least 1, got " + value);
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private void log(PrintWriter err, String s) {
        if (!quiet) {
            err.println(s);
            err.flush();
        }
    }

    /** The explanation options a request may set, by field name ("masks", "target-error", ...). */
    static Set<String> requestFields() {
        return OptionNames.REQUEST_FIELDS;
    }

    /** The names of {@link RelaxOptions}' options (read once from its picocli model), and the fields made of them. */
    private static final class OptionNames {
        /** Every option of {@link RelaxOptions}: this command's own values for them are a request's defaults. */
        static final Set<String> ALL = new TreeSet<>();
        /** Those a request may set, without the dashes: all but the server's own. */
        static final Set<String> REQUEST_FIELDS = new TreeSet<>();

        static {
            for (OptionSpec o : new CommandLine(new RequestOptions()).getCommandSpec().options()) {
                ALL.add(o.longestName());
                if (!SERVER_ONLY.contains(o.longestName())) {
                    REQUEST_FIELDS.add(o.longestName().substring(2));
                }
            }
        }
    }

    /** A request's explanation options: the picocli model of {@link RelaxOptions}, parsed from the fields. */
    @Command(name = "request")
    static final class RequestOptions {
        @Spec
        CommandSpec spec;

        @Mixin
        RelaxOptions options;
    }

    /**
     * The configuration for a request: this command's explanation options (as given on its command line), then the
     * request's fields over them, checked exactly as {@code relax explain} checks its options.
     *
     * @throws ExplainService.Failure 400 naming the field
     */
    RelaxConfig requestConfig(Map<String, String> fields, int nThreads) {
        List<String> args = new ArrayList<>();
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        if (given != null) {
            for (OptionSpec o : given.matchedOptions()) {
                if (OptionNames.ALL.contains(o.longestName())) {
                    for (String v : o.originalStringValues()) {
                        args.add(o.longestName());
                        args.add(v);
                    }
                }
            }
        }
        Set<String> allowed = requestFields();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (SERVER_ONLY.contains("--" + f.getKey()) || "threads".equals(f.getKey())) {
                throw new ExplainService.Failure(400, "field '" + f.getKey() + "' is the server's setting (relax serve --"
                        + f.getKey() + "), not a request's");
            }
            if (!allowed.contains(f.getKey())) {
                throw new ExplainService.Failure(400, "unknown field '" + f.getKey() + "'; the fields are image, "
                        + "target and " + String.join(", ", allowed));
            }
            args.add("--" + f.getKey());
            args.add(f.getValue());
        }
        RequestOptions ro = new RequestOptions();
        CommandLine cl = new CommandLine(ro);
        cl.setOverwrittenOptionsAllowed(true); // a request's field overrides the server's default
        try {
            cl.parseArgs(args.toArray(new String[0]));
            return ro.options.toConfig(ro.spec, "--threads", nThreads);
        } catch (CommandLine.ParameterException ex) {
            // "--masks ..." -> "masks ...": a request names fields, not options
            String message = ex.getMessage().replaceAll("(?<![\\w-])--([a-z][a-z-]*)", "$1")
                    .replaceAll("'--([a-z][a-z-]*)'", "'$1'");
            throw new ExplainService.Failure(400, message);
        }
    }

    /** The HTTP side: routes, limits, authentication. */
    final class Http {
        private final ExplainService service;
        private final int nThreads;
        private final long maxUploadBytes;
        /** The text explainer, or null where this jar lacks the text model's libraries. */
        private final ServeText text;
        /** The gallery for {@code POST /retrieve}, or null without --gallery. */
        private final Gallery galleryIndex;
        private final ModelOptions.Opened model;
        private final PrintWriter log;

        Http(ExplainService service, int nThreads, ModelOptions.Opened model, Gallery galleryIndex, PrintWriter log) {
            this.service = service;
            this.log = log;
            this.model = model;
            this.galleryIndex = galleryIndex;
            this.nThreads = nThreads;
            this.maxUploadBytes = maxUploadMb << 20;
            this.text = RelaxCli.present(RelaxCli.TEXT_LIBRARY) ? new ServeText(nThreads) : null;
        }

        Javalin create() {
            return Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.http.maxRequestSize = maxUploadBytes;
                cfg.jetty.multipartConfig.maxFileSize(maxUploadBytes, SizeUnit.BYTES);
                cfg.jetty.multipartConfig.maxTotalRequestSize(maxUploadBytes, SizeUnit.BYTES);
                cfg.jetty.multipartConfig.maxInMemoryFileSize(4, SizeUnit.MB);
                cfg.routes.before(ctx -> ctx.attribute("relax-start", System.nanoTime())); // first: refusals too
                cfg.routes.before(this::guard);
                cfg.routes.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(resource("viewer.html")));
                cfg.routes.get("/openapi.json", ctx -> ctx.contentType("application/json")
                        .result(resource("openapi.json")));
                cfg.routes.get("/health", this::health);
                cfg.routes.get("/metrics", this::metrics);
                cfg.routes.post("/explain", this::explain);
                cfg.routes.post("/explain-text", this::explainText);
                cfg.routes.post("/retrieve", this::retrieve);
                cfg.routes.get("/results/{id}/{file}", this::file);
                cfg.routes.after(ctx -> {
                    service.metrics.response(route(ctx), ctx.statusCode());
                    Long start = ctx.attribute("relax-start");
                    if (!quiet && start != null && !ctx.path().equals("/health") && !ctx.path().equals("/metrics")) {
                        // One line a request, for whoever watches the service (health checks and scrapes left out).
                        log.println(String.format(Locale.ROOT, "%s %s %d %.2f s", ctx.method(), ctx.path(),
                                ctx.statusCode(), (System.nanoTime() - start) / 1e9));
                        log.flush();
                    }
                });
                cfg.routes.exception(ExplainService.Failure.class, (ex, ctx) -> error(ctx, ex.status, ex.getMessage()));
                cfg.routes.exception(Exception.class, (ex, ctx) -> error(ctx, 500, "internal error: " + ex));
                cfg.routes.error(404, "*", ctx -> {
                    if (ctx.attribute("relax-error") == null) { // not one of ours: Javalin's plain-text 404
                        error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path() + " (see /openapi.json)");
                    }
                });
            });
        }

        private String route(Context ctx) {
            String p = ctx.path();
            return p.startsWith("/results/") ? "/results" : p;
        }

        /** Authentication and the upload limit, before any body is read. */
        private void guard(Context ctx) {
            String p = ctx.path();
            boolean open = p.equals("/") || p.equals("/health") || p.equals("/openapi.json");
            if (token != null && !open) {
                String auth = ctx.header("Authorization");
                byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
                if (auth == null || !MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8))) {
                    ctx.header("WWW-Authenticate", "Bearer");
                    throw new ExplainService.Failure(401, "this server needs 'Authorization: Bearer TOKEN' (relax "
                            + "serve --token)");
                }
            }
            long length = ctx.req().getContentLengthLong();
            if (length > maxUploadBytes) {
                // Said before a byte of the body is read; the connection is closed rather than drained.
                ctx.header("Connection", "close");
                throw new ExplainService.Failure(413, "the request body is " + mb(length) + " MB; this server "
                        + "takes at most " + maxUploadMb + " MB (relax serve --max-upload)");
            }
        }

        private void error(Context ctx, int status, String message) {
            if (!"close".equalsIgnoreCase(ctx.res().getHeader("Connection"))) {
                readRestOfBody(ctx);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", status);
            body.put("error", message);
            ctx.attribute("relax-error", message);
            ctx.status(status).contentType("application/json").result(Json.write(body));
        }

        /**
         * Reads what is left of a refused request's body before the answer. Jetty closes a connection whose body is
         * still arriving; the client's next writes then reset it and the answer is lost ("received no bytes"). Bounded
         * by {@code --max-upload}: the guard refused longer declared bodies, and an undeclared one past it is cut off.
         */
        private void readRestOfBody(Context ctx) {
            try {
                InputStream in = ctx.req().getInputStream();
                byte[] buffer = new byte[64 << 10];
                long left = maxUploadBytes;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    left -= n;
                    if (left < 0) {
                        ctx.header("Connection", "close");
                        return;
                    }
                }
            } catch (IOException | IllegalStateException ex) {
                ctx.header("Connection", "close"); // unreadable (a broken upload): close rather than guess
            }
        }

        private void health(Context ctx) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "ready");
            body.put("model", modelOptions.model);
            body.put("running", service.running());
            body.put("waiting", service.waiting());
            body.put("concurrency", service.limits().concurrency());
            body.put("queue", service.limits().queue());
            ctx.contentType("application/json").result(Json.write(body));
        }

        private void metrics(Context ctx) {
            ExplainService.Metrics m = service.metrics;
            StringBuilder sb = new StringBuilder();
            metric(sb, "relax_explanations_submitted_total", "counter", "Explanations accepted into the queue.",
                    m.submitted.get());
            metric(sb, "relax_explanations_completed_total", "counter", "Explanations finished.", m.completed.get());
            metric(sb, "relax_explanations_failed_total", "counter", "Explanations that failed.", m.failed.get());
            metric(sb, "relax_explanations_cancelled_total", "counter",
                    "Explanations cancelled because the client went away.", m.cancelled.get());
            metric(sb, "relax_explanations_timed_out_total", "counter", "Explanations stopped by --max-seconds.",
                    m.timedOut.get());
            metric(sb, "relax_requests_rejected_total", "counter", "Requests refused: queue full or too many masks.",
                    m.rejected.get());
            metric(sb, "relax_masks_total", "counter", "Masks encoded by finished explanations.", m.masks.get());
            metric(sb, "relax_encoder_seconds_total", "counter", "Encoder time of finished explanations.",
                    m.encoderNanos.get() / 1e9);
            metric(sb, "relax_explanation_seconds_total", "counter", "Wall time of finished explanations.",
                    m.totalNanos.get() / 1e9);
            metric(sb, "relax_running", "gauge", "Explanations running now.", service.running());
            metric(sb, "relax_waiting", "gauge", "Explanations waiting for a worker.", service.waiting());
            metric(sb, "relax_results_kept", "gauge", "Results kept for download.", service.keptCount());
            Runtime rt = Runtime.getRuntime();
            metric(sb, "relax_heap_used_bytes", "gauge", "Java heap in use.", rt.totalMemory() - rt.freeMemory());
            long retained = 0;
            for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory
                    .getMemoryPoolMXBeans()) {
                java.lang.management.MemoryUsage after = pool.getCollectionUsage();
                if (after != null) {
                    retained += after.getUsed();
                }
            }
            // What survived the last collection of each pool: the measure of growth (garbage does not count).
            metric(sb, "relax_heap_after_gc_bytes", "gauge", "Java heap in use after the last garbage collection.",
                    retained);
            sb.append("# HELP relax_http_responses_total HTTP responses by route and status.\n")
                    .append("# TYPE relax_http_responses_total counter\n");
            new java.util.TreeMap<>(m.responses).forEach((k, v) -> {
                String[] parts = k.split("\u0000");
                sb.append("relax_http_responses_total{route=\"").append(parts[0]).append("\",status=\"")
                        .append(parts[1]).append("\"} ").append(v.get()).append('\n');
            });
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(sb.toString());
        }

        private void metric(StringBuilder sb, String name, String type, String help, double value) {
            sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
                    .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                    .append(name).append(' ').append(value == Math.rint(value) && Math.abs(value) < 1e15
                            ? Long.toString((long) value) : Double.toString(value)).append('\n');
        }

        private void file(Context ctx) {
            ExplainService.Result r = service.result(ctx.pathParam("id"));
            if (r == null) {
                throw new ExplainService.Failure(404, "no result " + ctx.pathParam("id") + " (kept are the last "
                        + service.limits().keepResults() + "; relax serve --keep-results)");
            }
            String name = ctx.pathParam("file");
            byte[] bytes = r.files().get(name);
            if (bytes == null) {
                throw new ExplainService.Failure(404, "result " + r.id() + " has no file " + name + "; it has "
                        + String.join(", ", r.files().keySet()));
            }
            ctx.contentType(name.endsWith(".png") ? "image/png" : name.endsWith(".json") ? "application/json"
                    : "application/octet-stream");
            ctx.result(bytes);
        }

        /** {@code POST /explain}: JSON when done, or server-sent events with progress when asked for. */
        private void explain(Context ctx) throws Exception {
            ExplainService.Request request = readRequest(ctx, Map.of(), false);
            ExplainService.Job job = service.submit(request);
            respond(ctx, job);
        }

        /**
         * {@return the form's text fields but the {@code files} (which a multipart form also lists, without values),
         * each given once} @throws ExplainService.Failure 400 for a repeated one
         */
        private Map<String, String> formFields(Context ctx, Set<String> files) {
            Map<String, String> fields = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> f : ctx.formParamMap().entrySet()) {
                if (files.contains(f.getKey())) {
                    continue;
                }
                if (f.getValue().size() != 1) {
                    throw new ExplainService.Failure(400, "field '" + f.getKey() + "' given " + f.getValue().size()
                            + " times; give it once");
                }
                fields.put(f.getKey(), f.getValue().get(0));
            }
            return fields;
        }

        /** {@code POST /explain-text}: form fields named like {@code relax explain-text}'s options. */
        private void explainText(Context ctx) throws Exception {
            if (text == null) {
                throw new ExplainService.Failure(501, "this jar has no text model (relax-lite.jar): run relax serve "
                        + "from the full relax.jar for POST /explain-text");
            }
            ExplainService.Job job = text.submit(service, formFields(ctx, Set.of()));
            respond(ctx, job);
        }

        /**
         * {@code POST /retrieve}: the gallery's nearest images to the uploaded one, each match explained both ways,
         * as {@code relax retrieve} does (its defaults: balanced masks, 512 each, unless given).
         */
        private void retrieve(Context ctx) throws Exception {
            if (galleryIndex == null) {
                throw new ExplainService.Failure(501, "this server has no gallery: start it with relax serve "
                        + "--gallery DIR");
            }
            Map<String, String> extras = new LinkedHashMap<>();
            extras.put("top", String.valueOf(RetrieveCommand.DEFAULT_TOP));
            ExplainService.Request request = readRequest(ctx, extras, true);
            int top;
            try {
                top = Integer.parseInt(extras.get("top"));
            } catch (NumberFormatException ex) {
                throw new ExplainService.Failure(400, "top: '" + extras.get("top") + "' is not a whole number");
            }
            if (top < 1) {
                throw new ExplainService.Failure(400, "top must be at least 1, got " + top);
            }
            RelaxConfig config = request.config();
            Gallery g = galleryIndex;
            ExplainService.Job job = service.submit(config.masks() * 2 * Math.min(top, g.entries().size()),
                    (j, engine) -> {
                        try (Relax relax = new Relax(config, engine)) {
                            InputTensor q = Normalization.imagenet().normalize(request.rgb());
                            List<Gallery.Hit> hits = g.search(Retrieval.representation(model.encoder, q), top);
                            List<Retrieval.Pair> pairs = new ArrayList<>();
                            List<InputTensor> rgbs = new ArrayList<>();
                            for (Gallery.Hit h : hits) {
                                InputTensor rgb = modelOptions.readImage(h.file());
                                rgbs.add(rgb);
                                pairs.add(Retrieval.explain(relax, model.encoder, q,
                                        Normalization.imagenet().normalize(rgb), h, p -> j.progress = p, j.token));
                            }
                            Map<String, byte[]> files = new LinkedHashMap<>();
                            RetrieveCommand.writeReport((name, content) -> files.put(name,
                                    ExplainService.bytes(content)), request.imageName(), request.imageSha256(), gallery.toString(), g, request.rgb(), pairs,
                                    rgbs, model.json, model.description, config);
                            return service.keep(j.id, files, Json.readObject(new String(files.get("retrieval.json"),
                                    StandardCharsets.UTF_8)));
                        }
                    });
            respond(ctx, job);
        }

        /**
         * The uploaded image (and target), and the explanation settings from the other fields. Fields named in
         * {@code extras} go there instead (their values there are the defaults); for {@code retrieval}, no target,
         * and retrieval's defaults for the design and the masks.
         */
        private ExplainService.Request readRequest(Context ctx, Map<String, String> extras, boolean retrieval)
                throws IOException {
            String type = ctx.contentType();
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
                throw new ExplainService.Failure(415, "send multipart/form-data with the image in a field 'image' "
                        + "(e.g. curl -F image=@photo.jpg); got " + (type == null ? "no content type" : type));
            }
            UploadedFile image;
            UploadedFile target;
            Map<String, String> fields = new LinkedHashMap<>();
            try {
                image = ctx.uploadedFile("image");
                target = ctx.uploadedFile("target");
                for (Map.Entry<String, String> f : formFields(ctx, Set.of("image", "target")).entrySet()) {
                    (extras.containsKey(f.getKey()) ? extras : fields).put(f.getKey(), f.getValue());
                }
            } catch (ExplainService.Failure ex) {
                throw ex;
            } catch (RuntimeException ex) {
                String m = rootMessage(ex);
                if (m != null && m.toLowerCase(Locale.ROOT).contains("max")) {
                    ctx.header("Connection", "close");
                    throw new ExplainService.Failure(413, "the upload is larger than this server takes ("
                            + maxUploadMb + " MB; relax serve --max-upload)");
                }
                throw new ExplainService.Failure(400, "could not read the multipart form: " + m);
            }
            if (image == null) {
                throw new ExplainService.Failure(400, "no field 'image': send the image as a file field named "
                        + "'image' (curl -F image=@photo.jpg)");
            }
            if (retrieval && target != null) {
                throw new ExplainService.Failure(400, "field 'target': a retrieval's targets are the gallery's images");
            }
            RelaxConfig config = requestConfig(fields, nThreads);
            if (retrieval) {
                CommandLine.ParseResult given = spec.commandLine().getParseResult();
                config = RetrieveCommand.withRetrievalDefaults(config, fields.containsKey("design")
                        || given != null && given.hasMatchedOption("--design"), fields.containsKey("masks")
                        || given != null && given.hasMatchedOption("--masks"));
            }
            Path dir = Files.createTempDirectory("relax-serve-");
            try {
                Upload img = read(dir, "image", image);
                Upload tgt = target == null ? null : read(dir, "target", target);
                return new ExplainService.Request(img.name, img.sha256, img.rgb, tgt == null ? null : tgt.name,
                        tgt == null ? null : tgt.sha256, tgt == null ? null : tgt.rgb, config);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }

        private record Upload(String name, String sha256, InputTensor rgb) {
        }

        /** An uploaded image, checked against --max-pixels from its header before it is decoded. */
        private Upload read(Path dir, String field, UploadedFile file) throws IOException {
            String name = file.filename() == null || file.filename().isBlank() ? field : file.filename();
            Path tmp = dir.resolve(field);
            try (InputStream in = file.content()) {
                Files.copy(in, tmp);
            }
            long[] size;
            try {
                size = Images.dimensions(tmp);
            } catch (IOException ex) {
                throw new ExplainService.Failure(400, "field '" + field + "' (" + name + ") is not an image this "
                        + "server can read (PNG, JPEG, GIF, BMP)");
            }
            if (size[0] * size[1] > maxPixels) {
                throw new ExplainService.Failure(413, "field '" + field + "' (" + name + ") is " + size[0] + " x "
                        + size[1] + " = " + size[0] * size[1] + " pixels; this server takes at most " + maxPixels
                        + " (relax serve --max-pixels)");
            }
            try {
                return new Upload(name, Checksums.sha256(tmp), modelOptions.readImage(tmp));
            } catch (IOException ex) {
                throw new ExplainService.Failure(400, "field '" + field + "' (" + name + "): "
                        + ex.getMessage().replace(tmp.toString(), name));
            }
        }

        /** The job's answer: server-sent events if the client asked for them, else JSON when it is done. */
        private void respond(Context ctx, ExplainService.Job job) throws Exception {
            String accept = ctx.header("Accept");
            if (accept != null && accept.contains("text/event-stream")) {
                stream(ctx, job);
            } else {
                answer(ctx, job);
            }
        }

        /** Waits for the result; a client that goes away cancels the explanation (noticed by Jetty). */
        private void answer(Context ctx, ExplainService.Job job) throws Exception {
            org.eclipse.jetty.ee10.servlet.ServletContextRequest core =
                    org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req());
            if (core != null) {
                core.addFailureListener(failure -> job.cancel());
            }
            ExplainService.Result r = await(job);
            ctx.contentType("application/json").result(Json.write(body(r)));
        }

        private ExplainService.Result await(ExplainService.Job job) throws Exception {
            try {
                return job.result.get();
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof Exception e) {
                    throw e;
                }
                throw ex;
            }
        }

        /** The summary's content, with the result's id and a link to each of its files. */
        private Map<String, Object> body(ExplainService.Result r) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", r.id());
            body.putAll(r.summary());
            Map<String, Object> links = new LinkedHashMap<>();
            for (String f : r.files().keySet()) {
                links.put(f, "/results/" + r.id() + "/" + f);
            }
            body.put("files", links);
            return body;
        }

        /**
         * Server-sent events: {@code queued}, {@code progress} (at most every 200 ms), then {@code result} (the JSON
         * answer) or {@code error}. A comment every second finds a client that went away, which cancels the job.
         */
        private void stream(Context ctx, ExplainService.Job job) throws Exception {
            ctx.status(200);
            ctx.res().setContentType("text/event-stream; charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-cache");
            ctx.res().setHeader("X-Accel-Buffering", "no");
            OutputStream out = ctx.res().getOutputStream();
            try {
                send(out, "queued", Map.of("id", job.id, "ahead", job.queuedAhead));
                Progress last = null;
                long lastWrite = System.nanoTime();
                while (true) {
                    try {
                        ExplainService.Result r = job.result.get(200, TimeUnit.MILLISECONDS);
                        if (job.progress != last) {
                            progress(out, job.progress); // the last batch's, so that a client sees it reach the end
                        }
                        send(out, "result", body(r));
                        return;
                    } catch (TimeoutException ex) {
                        Progress p = job.progress;
                        if (p != null && p != last) {
                            last = p;
                            progress(out, p);
                            lastWrite = System.nanoTime();
                        } else if (System.nanoTime() - lastWrite > 1_000_000_000L) {
                            out.write(": waiting\n\n".getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            lastWrite = System.nanoTime();
                        }
                    } catch (ExecutionException ex) {
                        int status = ex.getCause() instanceof ExplainService.Failure f ? f.status : 500;
                        send(out, "error", Map.of("status", status, "error", String.valueOf(ex.getCause().getMessage())));
                        return;
                    }
                }
            } catch (IOException gone) {
                job.cancel(); // the client closed the stream
            }
        }

        private void progress(OutputStream out, Progress p) throws IOException {
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("masksDone", p.masksDone());
            ev.put("masksTotal", p.masksTotal());
            ev.put("elapsedSeconds", p.elapsed().toMillis() / 1000.0);
            ev.put("estimatedError", Double.isNaN(p.estimatedError()) ? null : p.estimatedError());
            send(out, "progress", ev);
        }

        private void send(OutputStream out, String event, Map<String, ?> data) throws IOException {
            String json = Json.write(data).replace("\n", "");
            out.write(("event: " + event + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ServeCommand.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
