package org.relax4j.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.relax4j.Explanation;
import org.relax4j.Json;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.data.InputTensor;
import org.relax4j.image.Heatmaps;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.image.Npy;
import org.relax4j.io.Checksums;
import org.relax4j.io.FileSink;
import org.relax4j.mask.MaskDesign;
import org.relax4j.retrieve.Gallery;
import org.relax4j.retrieve.Retrieval;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code relax retrieve QUERY --gallery DIR}: content-based image retrieval with explanations — the gallery embedded
 * once (cached beside it), ranked by cosine similarity to the query, and each of the top K hits explained both ways.
 */
@Command(name = "retrieve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Find the gallery images most similar to QUERY under the model and explain each match both "
                + "ways: which regions of the query make it resemble the result, and which regions of the result make "
                + "it resemble the query. Writes into OUT/<query name>/:",
                "  retrieval.html   the query and the ranked results with both maps (self-contained)",
                "  retrieval.json   ranks, similarities, each map's error bound, the settings",
                "  pair_NN.png      result NN: the query's map beside the result's",
                "  pair_NN_query.npy, pair_NN_result.npy   the importance maps (float32 H x W)", ""},
        footer = {"", "The gallery's embeddings are cached in DIR/.relax4j-gallery-<key>.bin (keyed by the model, the "
                + "image size and each file's SHA-256): a rerun embeds only new or changed files.", "",
                "Defaults differ from explain: --design balanced --masks 512 (2 x K explanations), unless given.",
                "The result's map is the same as 'relax explain RESULT --target QUERY' with the same settings.", "",
                "With --master (or under spark-submit) the gallery's new or changed images are embedded as a Spark job",
                "(one task per batch; the same embeddings as here); ranking and explanations run on the driver.", "",
                "Exit codes: 0 done, 1 failed, 2 bad usage, 130/143 stopped by SIGINT/SIGTERM."},
        usageHelpWidth = 100)
final class RetrieveCommand implements Callable<Integer> {
    /** Masks per explanation unless --masks is given: four balanced blocks. */
    static final long DEFAULT_MASKS = 512;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "QUERY", description = "The query image (PNG or JPEG).")
    Path query;

    @Option(names = "--gallery", paramLabel = "DIR", required = true,
            description = "A folder of PNG or JPEG images (not searched recursively).")
    Path gallery;

    /** Results explained unless --top is given. */
    static final int DEFAULT_TOP = 5;

    @Option(names = "--top", paramLabel = "K", defaultValue = "" + DEFAULT_TOP,
            description = "How many results to return and explain. Default: ${DEFAULT-VALUE}.")
    int top;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RelaxOptions options;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for the engine and the model. Default: the number of processors.")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "relax-retrieve",
            description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    @Mixin
    SparkOptions sparkOptions;

    /** Whether the gallery is embedded on Spark (--master, or spark-submit's master). */
    private boolean spark;

    /** Where result files go; tests may substitute one. */
    OutputFolder.Sink sink = OutputFolder.DISK;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (top < 1) {
            throw usage("--top must be at least 1, got " + top);
        }
        modelOptions.check(spec, options.cells, false);
        spark = sparkOptions.requested(spec);
        RelaxConfig config = config(nThreads);
        if (!Files.isRegularFile(query)) {
            throw usage("no query image at " + query);
        }
        if (!Files.isDirectory(gallery)) {
            throw usage("--gallery: no folder at " + gallery);
        }
        OutputFolder folder;
        try {
            folder = OutputFolder.open(out, sink);
        } catch (IllegalArgumentException ex) {
            throw usage(ex.getMessage());
        }
        try (SignalGuard guard = SignalGuard.install(err)) {
            return retrieve(config, nThreads, folder, guard, err, stdout);
        }
    }

    private int retrieve(RelaxConfig config, int nThreads, OutputFolder folder, SignalGuard guard, PrintWriter err,
                         PrintWriter stdout) throws Exception {
        try (folder; ModelOptions.Opened enc = modelOptions.open(nThreads, s -> log(err, s), spec);
             Relax relax = new Relax(config)) {
            log(err, "model: " + enc.description);
            Gallery g;
            try {
                Gallery.ImageNetLoader loader = new Gallery.ImageNetLoader(modelOptions.size);
                g = spark ? RetrieveOnSpark.open(this, galleryKey(enc), loader, config.batchSize(), err)
                        : Gallery.open(gallery, galleryKey(enc), loader, enc.encoder, config.batchSize(),
                        s -> log(err, s));
            } catch (IllegalArgumentException ex) {
                throw usage("--gallery: " + ex.getMessage());
            }
            InputTensor queryRgb = modelOptions.readImage(query);
            InputTensor q = Normalization.imagenet().normalize(queryRgb);
            List<Gallery.Hit> hits = g.search(Retrieval.representation(enc.encoder, q), top);
            for (Gallery.Hit h : hits) {
                stdout.println(String.format(Locale.ROOT, "%2d  %.4f  %s", h.rank(), h.similarity(), h.file()));
            }
            List<Retrieval.Pair> pairs = new ArrayList<>();
            List<InputTensor> rgbs = new ArrayList<>();
            for (Gallery.Hit h : hits) {
                InputTensor rgb = modelOptions.readImage(h.file());
                rgbs.add(rgb);
                log(err, String.format(Locale.ROOT, "explaining result %d of %d (%s) both ways", h.rank(),
                        hits.size(), h.file().getFileName()));
                ProgressListener bar = quiet ? ProgressListener.NONE
                        : new ProgressBar(err, "#" + h.rank(), System.console() != null);
                pairs.add(Retrieval.explain(relax, enc.encoder, q, Normalization.imagenet().normalize(rgb), h, bar,
                        guard.token()));
            }
            String name = ExplainCommand.uniqueName(query, new java.util.HashSet<>());
            Path dir;
            try (OutputFolder.Staging staging = folder.begin(name)) {
                writeReport(staging::write, query.toString(), Checksums.sha256(query), gallery.toString(), g, queryRgb,
                        pairs, rgbs, enc.json, enc.description, config);
                dir = staging.commit();
            }
            stdout.println(dir + ": retrieval.html, retrieval.json, " + pairs.size() + " pairs");
            return 0;
        } catch (CancellationException ex) {
            err.println("relax: stopped" + (guard.signalled() ? " by a signal" : "") + "; nothing partial was written");
            return guard.exitCode();
        }
    }

    /** The explanation settings: the options, with retrieval's own defaults for the design and the masks. */
    private RelaxConfig config(int nThreads) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return withRetrievalDefaults(options.toConfig(spec, "--threads", nThreads), parsed.hasMatchedOption("--design"),
                parsed.hasMatchedOption("--masks"));
    }

    /**
     * Retrieval's own defaults (balanced, {@value #DEFAULT_MASKS} masks: 2 x K explanations) where the design or the
     * number of masks was not given; shared with {@code relax serve}'s {@code POST /retrieve}.
     */
    static RelaxConfig withRetrievalDefaults(RelaxConfig c, boolean designGiven, boolean masksGiven) {
        RelaxConfig.Builder b = c.toBuilder();
        if (!designGiven) {
            b.design(MaskDesign.BALANCED);
        }
        if (!masksGiven) {
            b.masks(DEFAULT_MASKS);
        }
        return b.build();
    }

    /** What identifies the gallery's embeddings: the model and the preprocessing. */
    private String galleryKey(ModelOptions.Opened enc) {
        return galleryKey(enc.json, modelOptions.size);
    }

    /** The gallery cache's key for a model (as its provenance describes it) at an input size. */
    static String galleryKey(Map<String, Object> modelJson, int size) {
        return Json.write(Map.of("model", modelJson, "size", size, "pixels", "imagenet-normalised"));
    }

    /**
     * Writes the report of one query: {@code retrieval.json}, {@code retrieval.html}, and per hit {@code pair_NN.png},
     * {@code pair_NN_query.npy}, {@code pair_NN_result.npy}; for {@code relax retrieve} and {@code relax serve}.
     */
    static void writeReport(FileSink dir, String query, String querySha256, String gallery, Gallery g,
                            InputTensor queryRgb, List<Retrieval.Pair> pairs, List<InputTensor> rgbs,
                            Map<String, Object> modelJson, String modelDescription, RelaxConfig config)
            throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("query", query);
        root.put("querySha256", querySha256);
        root.put("gallery", gallery);
        root.put("galleryImages", g.entries().size());
        root.put("galleryEmbeddedNow", g.embedded());
        root.put("galleryCache", g.cacheFile().getFileName().toString());
        root.put("model", modelJson);
        List<Object> hits = new ArrayList<>();
        StringBuilder rows = new StringBuilder();
        for (int k = 0; k < pairs.size(); k++) {
            Retrieval.Pair p = pairs.get(k);
            String stem = String.format(Locale.ROOT, "pair_%02d", p.hit().rank());
            BufferedImage picture = Heatmaps.beside(
                    Heatmaps.render(queryRgb, List.of(new Heatmaps.Panel("query: what resembles the result",
                            p.query().importance()))),
                    Heatmaps.render(rgbs.get(k), List.of(new Heatmaps.Panel("result: what resembles the query",
                            p.result().importance()))));
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            Images.writePng(picture, png);
            dir.write(stem + ".png", o -> o.write(png.toByteArray()));
            dir.write(stem + "_query.npy", o -> Npy.write(o, p.query().importance()));
            dir.write(stem + "_result.npy", o -> Npy.write(o, p.result().importance()));
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("rank", p.hit().rank());
            h.put("file", p.hit().file().toString());
            h.put("similarity", p.hit().similarity());
            h.put("queryMap", side(p.query(), stem + "_query.npy"));
            h.put("resultMap", side(p.result(), stem + "_result.npy"));
            h.put("picture", stem + ".png");
            hits.add(h);
            rows.append(String.format(Locale.ROOT, "<section><h2>#%d &nbsp;%s &nbsp;<span class=s>similarity %.4f"
                            + "</span></h2><img src=\"data:image/png;base64,%s\" alt=\"maps of result %d\"><p>query "
                            + "map: %s; result map: %s</p></section>%n", p.hit().rank(),
                    escape(p.hit().file().getFileName().toString()), p.hit().similarity(),
                    Base64.getEncoder().encodeToString(png.toByteArray()), p.hit().rank(), bound(p.query()),
                    bound(p.result())));
        }
        root.put("hits", hits);
        root.put("settings", pairs.isEmpty() ? Map.of()
                : pairs.get(0).query().provenance(modelJson).toMap().get("settings"));
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        Images.writePng(Heatmaps.renderImage(queryRgb, "query"), q);
        String html = "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>relax retrieve: "
                + escape(Path.of(query).getFileName().toString()) + "</title><style>body{font-family:sans-serif;margin:2em;"
                + "color:#222}section{margin:1.5em 0;border-top:1px solid #ccc}h2{font-size:1.1em}.s{color:#555;"
                + "font-weight:normal}img{max-width:100%}p{color:#444;font-size:.9em}</style></head><body>"
                + "<h1>Why these results?</h1><p>Query <b>" + escape(query) + "</b>, gallery <b>"
                + escape(gallery) + "</b> (" + g.entries().size() + " images), model "
                + escape(modelDescription) + ". Each result: on the left, the regions of the query that make it "
                + "resemble the result; on the right, the regions of the result that make it resemble the query "
                + "(RELAX importance, " + config.masks() + " masks, " + config.design().name().toLowerCase(Locale.ROOT)
                + " design).</p><img src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(q.toByteArray())
                + "\" alt=\"the query\">\n" + rows + "</body></html>\n";
        dir.write("retrieval.json", o -> o.write(json));
        dir.write("retrieval.html", o -> o.write(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, Object> side(Explanation e, String npy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("npy", npy);
        m.put("masksUsed", e.masksUsed());
        m.put("targetSimilarity", e.targetSimilarity());
        m.put("errorBound", e.error().isKnown() ? e.error().bound() : null);
        m.put("errorConfidence", e.error().confidence());
        return m;
    }

    private static String bound(Explanation e) {
        return e.error().isKnown() ? String.format(Locale.ROOT, "error ≤ %.3f (%.0f %% bound), %d masks",
                e.error().bound(), 100 * e.error().confidence(), e.masksUsed()) : e.masksUsed() + " masks";
    }

    private static String escape(String s) {
        return org.relax4j.io.Html.escape(s);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private void log(PrintWriter err, String s) {
        if (!quiet) {
            err.println(s);
        }
    }
}
