package org.relax4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.Json;
import org.relax4j.Progress;
import org.relax4j.ProgressListener;
import org.relax4j.Provenance;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Similarity;
import org.relax4j.Target;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;
import org.relax4j.evaluate.EvaluationFigure;
import org.relax4j.evaluate.EvaluationSettings;
import org.relax4j.evaluate.MapAgreement;
import org.relax4j.evaluate.MapEvaluation;
import org.relax4j.evaluate.MaskWeightings;
import org.relax4j.evaluate.Occlusion;
import org.relax4j.evaluate.PerturbationCurves;
import org.relax4j.evaluate.ReferenceMaps;
import org.relax4j.evaluate.Regions;
import org.relax4j.evaluate.SanityCheck;
import org.relax4j.evaluate.Stability;
import org.relax4j.evaluate.Substrate;
import org.relax4j.image.ExplanationFiles;
import org.relax4j.image.Normalization;
import org.relax4j.image.Npy;
import org.relax4j.io.Checksums;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.ParameterRandomization;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code relax evaluate IMAGE...}: explains each image and judges the maps — RELAX's and the comparators' — with
 * deletion and insertion curves, faithfulness correlation, the model-randomisation sanity check and the seed
 * stability check; or ({@code --maps DIR}) judges an earlier {@code relax explain} result.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain each IMAGE and measure whether the maps deserve trust. Writes, per image, into "
                + "OUT/<image name>/:",
                "  evaluation.json   every number, the curves, and the settings they were computed with",
                "  evaluation.png    curves over the random orders' band, faithfulness bars, the maps",
                "  map_<name>.npy    each map evaluated (float32 H x W)",
                "and prints a table. The encoder passes and their expected time are printed before any work.", ""},
        footer = {"", "Metrics: deletion and insertion (similarity to the unmasked representation as pixels are",
                "removed or revealed in the map's order; AUC, gain over random orders, symmetric gain),",
                "faithfulness (correlation of the map's sum over random cell subsets with the drop when they are",
                "removed), sanity (the explanation under the model with its top layers re-initialised, 1, 2, 4, ...",
                "up to all layers: Spearman and SSIM to the original map), stability (other mask seeds: Spearman, and",
                "the seed-to-seed spread against the error estimate; the curves at fewer masks).", "",
                "Comparators: importance and u-relax (RELAX), rise and dot (the same masks and similarities weighted",
                "as RISE does and by the dot product; no extra passes), occlusion (a sliding window, ~50 passes),",
                "random, gaussian (centred) and edges (Sobel): the floor any explanation must beat.", "",
                "Exit codes: 0 done, 1 failed, 2 bad usage."},
        usageHelpWidth = 100)
final class EvaluateCommand implements Callable<Integer> {

    /** The metrics by name on the command line: the map metrics and the explainer checks. */
    enum Check { deletion, insertion, faithfulness, sanity, stability }

    /** The maps compared, by name. */
    enum Comparator {
        importance, u_relax, rise, dot, occlusion, random, gaussian, edges;

        String label() {
            return name().replace('_', '-');
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "PNG or JPEG files (not with --maps); with "
            + "--master also folders (searched recursively), as 'relax dataset' takes them.")
    List<Path> images = new ArrayList<>();

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RelaxOptions options;

    @Option(names = "--maps", paramLabel = "DIR",
            description = "Evaluate an earlier 'relax explain' result folder (its summary.json names the image and "
                    + "the settings) instead of explaining anew; rise and dot need the run's masks and are left out.")
    Path maps;

    @Option(names = "--target", paramLabel = "IMAGE",
            description = "Explain and judge a match: masks are weighted, and curves measured, by the similarity to "
                    + "this image's representation (as 'relax explain --target').")
    Path target;

    @Option(names = "--metrics", paramLabel = "LIST", split = ",",
            description = "Which of deletion, insertion, faithfulness, sanity, stability. Default: all.")
    List<String> metrics;

    @Option(names = "--substrates", paramLabel = "LIST", split = ",",
            description = "What removed pixels become: mean (mean colour), blur (kernel 11, sigma 5), road (ROAD's "
                    + "noisy linear imputation). Default: all.")
    List<String> substrates;

    @Option(names = "--comparators", paramLabel = "LIST", split = ",",
            description = "Maps besides RELAX's importance: u-relax, rise, dot, occlusion, random, gaussian, edges. "
                    + "Default: all.")
    List<String> comparators;

    @Option(names = "--steps", paramLabel = "N",
            description = "Steps per deletion or insertion curve. Default: " + EvaluationSettings.DEFAULT_STEPS + ".")
    Integer steps;

    @Option(names = "--random-orders", paramLabel = "N",
            description = "Random orders in each curve's band. Default: " + EvaluationSettings.DEFAULT_RANDOM_ORDERS
                    + ".")
    Integer randomOrders;

    @Option(names = "--regions", paramLabel = "pixels|patches:S|superpixels:N",
            description = "What one curve step moves. Default: " + EvaluationSettings.DEFAULT_REGIONS + ".")
    String regions;

    @Option(names = "--subsets", paramLabel = "N",
            description = "Faithfulness correlation's random subsets. Default: " + EvaluationSettings.DEFAULT_SUBSETS
                    + ".")
    Integer subsets;

    @Option(names = "--stability-seeds", paramLabel = "N", defaultValue = "3",
            description = "Mask seeds for the stability check, the explanation's own included. Default: "
                    + "${DEFAULT-VALUE}.")
    int stabilitySeeds;

    @Option(names = "--evaluation-seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the random orders, subsets, noise and re-initialised weights. Default: "
                    + "${DEFAULT-VALUE}.")
    long evaluationSeed;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for the engine and the model. Default: the number of processors; on Spark, per "
                    + "task, 1 (Spark runs one task per core).")
    Integer threads;

    @Mixin
    SparkOptions sparkOptions;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "relax-eval",
            description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    /** Where result files go; tests may substitute one. */
    OutputFolder.Sink sink = OutputFolder.DISK;

    private Set<Check> checks;
    private Set<Comparator> chosen;
    private EvaluationSettings settings;
    private boolean mapMetricsOn;
    private org.relax4j.CancellationToken token = new org.relax4j.CancellationToken();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        checkUsage();
        if (sparkOptions.requested(spec)) {
            if (maps != null) {
                throw usage("--maps evaluates one earlier result here; not with --master");
            }
            options.toConfig(spec, "--threads", threads != null ? threads : 1); // its usage errors before Spark starts
            return EvaluateOnSpark.run(this, err, stdout);
        }
        List<Subject> subjects = new ArrayList<>();
        if (maps != null) {
            subjects.add(Subject.fromResult(maps, spec));
        } else {
            for (Path image : images) {
                if (!Files.isRegularFile(image)) {
                    throw new IOException("no image file at " + image);
                }
                subjects.add(new Subject(image, target));
            }
        }
        RelaxConfig cliConfig = options.toConfig(spec, "--threads", nThreads);
        OutputFolder folder;
        try {
            folder = OutputFolder.open(out, sink);
        } catch (IllegalArgumentException ex) {
            throw usage(ex.getMessage());
        }
        try (SignalGuard guard = SignalGuard.install(err)) {
            return evaluateAll(subjects, cliConfig, nThreads, folder, guard, err, stdout);
        }
    }

    /**
     * Evaluates every subject, going on after a failed one. A signal stops it at the next encoder call (every phase
     * calls the encoder often), keeping the results already written.
     */
    private int evaluateAll(List<Subject> subjects, RelaxConfig cliConfig, int nThreads, OutputFolder folder,
                            SignalGuard guard, PrintWriter err, PrintWriter stdout) throws Exception {
        int failed = 0;
        List<String> kept = new ArrayList<>();
        token = guard.token();
        try (folder; ModelOptions.Opened enc = modelOptions.open(nThreads, s -> log(err, s), spec)) {
            log(err, "model: " + enc.description);
            Set<String> used = new HashSet<>();
            for (Subject subject : subjects) {
                RelaxConfig config = subject.config != null ? subject.config.toBuilder().threads(nThreads).build()
                        : cliConfig;
                String name = ExplainCommand.uniqueName(subject.image, used);
                try {
                    if (subject.model != null && !String.valueOf(subject.model.get("name"))
                            .equals(String.valueOf(enc.json.get("name")))) {
                        throw usage("--maps " + maps + " was explained with model " + subject.model.get("name")
                                + "; evaluate it with the same --model (now " + enc.json.get("name") + ")");
                    }
                    Path dir = evaluateOne(subject, name, config, enc, nThreads, folder, err, stdout);
                    stdout.println(dir + ": evaluation.json, evaluation.png");
                    kept.add(dir.toString());
                } catch (CommandLine.ParameterException | CancellationException ex) {
                    throw ex;
                } catch (Exception ex) {
                    failed++;
                    err.println("relax: error: " + subject.image + ": " + ex.getMessage());
                    if (RelaxCli.isBug(ex)) {
                        ex.printStackTrace(err);
                    }
                }
            }
        } catch (CancellationException ex) {
            err.println("relax: stopped" + (guard.signalled() ? " by a signal" : "") + "; complete results kept: "
                    + (kept.isEmpty() ? "none" : String.join(", ", kept)) + "; nothing partial was written");
            return guard.exitCode();
        }
        if (failed > 0) {
            err.println("relax: " + failed + " of " + subjects.size() + " images failed");
            return RelaxCli.FAILED;
        }
        return 0;
    }

    /**
     * One image of a Spark job, on an executor: this command parsed from the driver's arguments, the model's bytes
     * preloaded ({@link ModelOptions#preloaded}), the result written into {@code folder} (whose lock the driver
     * holds) exactly as a run on this machine writes it.
     *
     * @param cancelled true once the task is killed: the evaluation stops at its next encoder call
     * @return the result's folder
     */
    Path evaluateTask(Path image, String name, OutputFolder folder, java.util.function.BooleanSupplier cancelled,
                      PrintWriter err, PrintWriter stdout) throws Exception {
        int nThreads = threads != null ? threads : 1;
        checkUsage();
        token = org.relax4j.CancellationToken.when(cancelled);
        RelaxConfig config = options.toConfig(spec, "--threads", nThreads);
        try (ModelOptions.Opened enc = modelOptions.open(nThreads, s -> log(err, s), spec)) {
            return evaluateOne(new Subject(image, target), name, config, enc, nThreads, folder, err, stdout);
        }
    }

    /** What to evaluate: an image, and for {@code --maps} the earlier result's maps, settings and model. */
    private record Subject(Path image, Path result, RelaxConfig config, Map<String, Object> model, Path target) {
        Subject(Path image, Path target) {
            this(image, null, null, null, target);
        }

        static Subject fromResult(Path dir, CommandSpec spec) throws IOException {
            Path summary = dir.resolve(ExplanationFiles.SUMMARY);
            if (!Files.isRegularFile(summary)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--maps " + dir + ": no "
                        + ExplanationFiles.SUMMARY + " (not a 'relax explain' result folder)");
            }
            Map<String, Object> json = Json.readObject(Files.readString(summary, StandardCharsets.UTF_8));
            Provenance p;
            try {
                p = Provenance.fromMap(json);
            } catch (IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--maps " + summary + ": "
                        + ex.getMessage());
            }
            Path image = Path.of(String.valueOf(json.get("image")));
            if (!Files.isRegularFile(image)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--maps " + dir + ": the image it "
                        + "explains, " + image + ", is not there (paths are as 'relax explain' was given them)");
            }
            Path target = json.get(ExplanationFiles.TARGET_IMAGE) == null ? null
                    : Path.of(String.valueOf(json.get(ExplanationFiles.TARGET_IMAGE)));
            if (target != null && !Files.isRegularFile(target)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--maps " + dir + ": its target image, "
                        + target + ", is not there");
            }
            return new Subject(image, dir, p.config(), p.model(), target);
        }
    }

    private Path evaluateOne(Subject subject, String name, RelaxConfig config, ModelOptions.Opened enc, int nThreads,
                             OutputFolder folder, PrintWriter err, PrintWriter stdout) throws Exception {
        long start = System.nanoTime();
        InputTensor rgb = modelOptions.readImage(subject.image);
        InputTensor x = Normalization.imagenet().normalize(rgb);
        int h = x.height();
        int w = x.width();
        Encoder encoder = cancellable(enc.encoder);
        Similarity cosine = Similarity.cosine();
        // A match explanation is judged against its target: y is the similarity to the target's representation.
        InputTensor targetX = subject.target == null ? null
                : Normalization.imagenet().normalize(modelOptions.readImage(subject.target));
        Target target = targetX == null ? Target.unmasked() : Target.input(targetX);
        float[] reference = encoder.encode(InputBatch.of(targetX == null ? x : targetX)).row(0);
        boolean fresh = subject.result == null;
        Set<Comparator> comps = EnumSet.copyOf(chosen);
        if (!fresh) {
            comps.remove(Comparator.rise);
            comps.remove(Comparator.dot);
        }
        Occlusion occlusion = new Occlusion(encoder, cosine, Substrate.meanColour(), Math.max(1, h / 4),
                Math.max(1, h / 8), settings.batchSize());
        int sanityLayers = 0;
        byte[] modelBytes = null;
        if (checks.contains(Check.sanity)) {
            modelBytes = modelOptions.bytes(s -> log(err, s));
            sanityLayers = ParameterRandomization.of(modelBytes).layers().size();
        }
        // The budget, before any work.
        // Designs in blocks round the masks up to whole blocks, as the explanation does.
        long block = config.maskSource(new int[] {h, w}).blockSize();
        long masks = (config.masks() + block - 1) / block * block;
        int mapCount = comps.size();
        long explainPasses = fresh ? masks : 0;
        long occPasses = comps.contains(Comparator.occlusion) ? occlusion.passes(h, w) : 0;
        long curvePasses = mapMetricsOn ? settings.passes(mapCount) : 0;
        int[] cascade = sanityLayers > 0 ? SanityCheck.cascade(sanityLayers) : new int[0];
        long sanityPasses = cascade.length * masks;
        int prefixCurves = !mapMetricsOn ? 0 : (int) settings.metrics().stream()
                .filter(m -> m != EvaluationSettings.Metric.faithfulness).count();
        long stabilityPasses = checks.contains(Check.stability) ? (stabilitySeeds - 1) * masks
                + (fresh ? 3L * prefixCurves * (settings.steps() + 1) : 0) : 0;
        long total = explainPasses + occPasses + curvePasses + sanityPasses + stabilityPasses;
        double rate = passesPerSecond(encoder, x, config.batchSize());
        double imputation = mapMetricsOn && settings.substrates().contains(EvaluationSettings.SubstrateKind.road)
                ? curvePasses / settings.substrates().size() * secondsPerImputation(x) : 0;
        log(err, String.format(Locale.ROOT, "%s: budget %d encoder passes (explanation %s%d, occlusion %d, "
                        + "curves and subsets %d, sanity %d x %d, stability %d), about %.0f s at %.0f passes/s%s",
                name, total, config.adaptive() ? "up to " : "", explainPasses, occPasses, curvePasses, cascade.length,
                masks, stabilityPasses, total / rate + imputation, rate, imputation > 0 ? String.format(Locale.ROOT,
                        " (%.0f s of it ROAD's imputation)", imputation) : ""));

        // The explanation and the maps.
        Map<String, float[]> mapsByName = new LinkedHashMap<>();
        Explanation e = null;
        float[] importance;
        float[] uncertainty;
        float[] standardError = null;
        float[] sims = null;
        Map<String, Object> explanationJson = new LinkedHashMap<>();
        MaskWeightings weightings = null;
        if (fresh) {
            try (Relax relax = new Relax(config)) {
                weightings = new MaskWeightings(config, h, w, encoder, reference, progress(err, name));
                float[][] recorded = {new float[1024]};
                MaskWeightings mw = weightings;
                e = relax.explain(x, mw.encoder(), target, new ProgressListener() {
                    @Override
                    public void onProgress(Progress p) {
                        mw.onProgress(p);
                    }

                    @Override
                    public void onBatch(long first, int count, float[] s) {
                        if (first + count > recorded[0].length) {
                            recorded[0] = java.util.Arrays.copyOf(recorded[0], (int) Math.min(Integer.MAX_VALUE - 8,
                                    Math.max(2L * recorded[0].length, first + count)));
                        }
                        System.arraycopy(s, 0, recorded[0], (int) first, count);
                        mw.onBatch(first, count, s);
                    }
                }, token);
                sims = java.util.Arrays.copyOf(recorded[0], (int) e.masksUsed());
            }
            importance = e.importance().values();
            uncertainty = e.uncertainty().values();
            if (e.error().isKnown()) {
                standardError = e.error().standardError().values();
            }
            explanationJson.putAll(e.provenance(enc.json).toMap());
        } else {
            importance = Npy.read(subject.result.resolve("importance.npy")).values();
            uncertainty = Npy.read(subject.result.resolve("uncertainty.npy")).values();
            Path se = subject.result.resolve("standard_error.npy");
            standardError = Files.isRegularFile(se) ? Npy.read(se).values() : null;
            explanationJson.put("result", subject.result.toString());
            if (importance.length != h * w) {
                throw new IllegalArgumentException("--maps " + subject.result + ": maps of " + importance.length
                        + " values, the image at --size " + modelOptions.size + " has " + h * w);
            }
        }
        mapsByName.put(Comparator.importance.label(), importance);
        for (Comparator c : comps) {
            switch (c) {
                case importance -> { }
                case u_relax -> mapsByName.put(c.label(), uRelaxOrder(importance, uncertainty));
                case rise -> mapsByName.put(c.label(), weightings.rise());
                case dot -> mapsByName.put(c.label(), weightings.dotProduct());
                case occlusion -> {
                    log(err, name + ": occlusion, " + occPasses + " passes");
                    mapsByName.put(c.label(), occlusion.map(x, reference));
                }
                case random -> mapsByName.put(c.label(), ReferenceMaps.random(h, w, evaluationSeed));
                case gaussian -> mapsByName.put(c.label(), ReferenceMaps.centredGaussian(h, w));
                case edges -> mapsByName.put(c.label(), ReferenceMaps.edges(rgb));
                default -> throw new AssertionError(c);
            }
        }

        // The metrics over the maps.
        MapEvaluation.Report report = !mapMetricsOn ? null : MapEvaluation.evaluate(encoder, cosine, x,
                rgb, reference, mapsByName, settings, s -> log(err, name + ": " + s));
        if (report != null) {
            stdout.println(name + " (" + report.regions() + "):");
            stdout.print(report.table());
        }

        SanityCheck sanity = cascade.length == 0 ? null
                : sanity(name, config, x, target, importance, modelBytes, cascade, nThreads, err);
        if (sanity != null) {
            stdout.print(sanity.table());
        }
        Stability stability = null;
        List<Map<String, Object>> byMasks = new ArrayList<>();
        if (checks.contains(Check.stability)) {
            stability = stability(name, config, x, encoder, target, importance, standardError, err);
            stdout.println(stability);
            if (fresh && report != null) {
                byMasks = byMasks(config, sims, importance, x, rgb, reference, encoder, report, h, w, stdout);
            }
        }

        // The files.
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("image", subject.image.toString());
        root.put(ExplanationFiles.IMAGE_SHA256, Checksums.sha256(subject.image));
        if (subject.target != null) {
            root.put(ExplanationFiles.TARGET_IMAGE, subject.target.toString());
            root.put(ExplanationFiles.TARGET_SHA256, Checksums.sha256(subject.target));
        }
        root.put("model", enc.json);
        root.put("explanation", explanationJson);
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("planned", total);
        budget.put("explanation", explainPasses);
        budget.put("occlusion", occPasses);
        budget.put("curvesAndSubsets", curvePasses);
        budget.put("sanity", sanityPasses);
        budget.put("stability", stabilityPasses);
        root.put("encoderPasses", budget);
        root.put("checks", checks.stream().map(Enum::name).toList());
        root.put("maps", new ArrayList<>(mapsByName.keySet()));
        root.put("mapNotes", Map.of("u-relax", "ranked: pixels of at most median uncertainty by importance, then the "
                + "others by importance", "rise", "sum of s*M / (N*p) over the explanation's masks", "dot",
                "sum of <h(x*M), h(x)>*M / N over the explanation's masks", "occlusion",
                "window " + Math.max(1, h / 4) + ", stride " + Math.max(1, h / 8) + ", mean colour"));
        if (report != null) {
            root.put("metrics", report.toMap());
        }
        if (sanity != null) {
            root.put("sanity", Map.of("seed", evaluationSeed, "stages", sanity.toList()));
        }
        if (stability != null) {
            Map<String, Object> st = new LinkedHashMap<>(stability.toMap());
            st.put("byMasks", byMasks);
            root.put("stability", st);
        }
        root.put("seconds", (System.nanoTime() - start) / 1e9);
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        Path dir;
        try (OutputFolder.Staging staging = folder.begin(name)) {
            for (Map.Entry<String, float[]> m : mapsByName.entrySet()) {
                staging.write("map_" + m.getKey().replace('-', '_') + ".npy",
                        o -> Npy.write(o, new PixelMap(h, w, m.getValue())));
            }
            if (report != null) {
                // The picture shows U-RELAX's own map; the curves rank by its order (uRelaxOrder).
                Map<String, float[]> shown = new LinkedHashMap<>(mapsByName);
                shown.computeIfPresent(Comparator.u_relax.label(),
                        (k, v) -> org.relax4j.internal.URelax.compute(importance, uncertainty));
                staging.write("evaluation.png", o -> EvaluationFigure.write(o, report, rgb, shown));
            }
            staging.write("evaluation.json", o -> o.write(json));
            dir = staging.commit();
        }
        return dir;
    }

    /** The explanation under the model randomised from the top, 1, 2, 4, ... layers, against the original map. */
    private SanityCheck sanity(String name, RelaxConfig config, InputTensor x, Target target, float[] importance,
                               byte[] modelBytes, int[] cascade, int nThreads, PrintWriter err) {
        SanityCheck sanity = new SanityCheck(importance, x.height(), x.width());
        ParameterRandomization pr = ParameterRandomization.of(modelBytes);
        int layers = pr.layers().size();
        try (Relax relax = new Relax(config)) {
            for (int top : cascade) {
                log(err, name + ": sanity, " + top + " of " + layers + " layers re-initialised");
                try (OnnxEncoder randomised = modelOptions.openEdited(pr.randomizeTop(top, evaluationSeed), nThreads,
                        spec)) {
                    sanity.add(top, layers, relax.explain(x, randomised, target, ProgressListener.NONE, token)
                            .importance().values());
                }
            }
        }
        return sanity;
    }

    /** The same explanation from other mask seeds, against the first and its error estimate. */
    private Stability stability(String name, RelaxConfig config, InputTensor x, Encoder encoder, Target target,
                                float[] importance, float[] standardError, PrintWriter err) {
        List<float[]> maps = new ArrayList<>(List.of(importance));
        List<float[]> errors = new ArrayList<>(java.util.Arrays.asList(standardError));
        for (int k = 1; k < stabilitySeeds; k++) {
            RelaxConfig other = config.toBuilder().seed(config.seed() + k).build();
            log(err, name + ": stability, seed " + other.seed());
            try (Relax relax = new Relax(other)) {
                Explanation r = relax.explain(x, encoder, target, ProgressListener.NONE, token);
                maps.add(r.importance().values());
                errors.add(r.error().isKnown() ? r.error().standardError().values() : null);
            }
        }
        return Stability.of(maps, errors);
    }

    /**
     * The metrics at fewer masks: the explanation's first N/8, N/4 and N/2 masks replayed from its recorded
     * similarities (no encoder pass), each map's curve in the first substrate, and its rank agreement with the map of
     * all masks.
     */
    private List<Map<String, Object>> byMasks(RelaxConfig config, float[] sims, float[] full, InputTensor x,
                                              InputTensor rgb, float[] reference, Encoder encoder,
                                              MapEvaluation.Report report, int h, int w, PrintWriter stdout) {
        List<Map<String, Object>> out = new ArrayList<>();
        int block = config.maskSource(new int[] {h, w}).blockSize();
        Regions regions = settings.regions(rgb);
        Substrate substrate = settings.substrate(settings.substrates().get(0));
        PerturbationCurves pc = new PerturbationCurves(encoder, Similarity.cosine(), substrate, settings.steps(),
                settings.batchSize());
        RelaxConfig replayConfig = config.toBuilder().masks(sims.length).targetError(Double.NaN).build();
        for (int div : new int[] {8, 4, 2}) {
            int n = sims.length / div / block * block;
            if (n < 2 * block) {
                continue;
            }
            float[] map;
            try (Relax relax = new Relax(replayConfig)) {
                map = relax.replay(h, w, java.util.Arrays.copyOf(sims, n)).importance().values();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("masks", n);
            m.put("spearmanToAllMasks", MapAgreement.spearman(map, full));
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  at %d masks: Spearman to all %.3f",
                    n, MapAgreement.spearman(map, full)));
            for (MapEvaluation.CurveSet c : report.curves()) {
                if (!c.substrate().equals(substrate.name())) {
                    continue;
                }
                double auc = pc.curve(x, reference, regions, regions.order(map), c.mode()).auc();
                String key = c.mode().name().toLowerCase(Locale.ROOT) + "Auc";
                m.put(key, auc);
                line.append(String.format(Locale.ROOT, ", %s AUC %.3f (all masks %.3f)", key.replace("Auc", ""),
                        auc, c.maps().get(Comparator.importance.label()).map().auc()));
            }
            out.add(m);
            stdout.println(line);
        }
        return out;
    }

    /**
     * U-RELAX as an order: the pixels U-RELAX keeps (uncertainty at most the median) by importance, then the others
     * by importance — its map's zeros would otherwise tie half the image and order it by index.
     */
    static float[] uRelaxOrder(float[] importance, float[] uncertainty) {
        float[] kept = org.relax4j.internal.URelax.compute(importance, uncertainty);
        float median = org.relax4j.internal.URelax.lowerMedian(uncertainty);
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : importance) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float drop = hi - lo + 1;
        float[] out = new float[importance.length];
        for (int p = 0; p < out.length; p++) {
            out[p] = uncertainty[p] <= median ? kept[p] : importance[p] - drop;
        }
        return out;
    }

    /** The encoder, stopping the run at its next call once a signal came (every phase calls it often). */
    private Encoder cancellable(Encoder encoder) {
        return batch -> {
            if (token.isCancelled()) {
                throw new CancellationException("stopped");
            }
            return encoder.encode(batch);
        };
    }

    /** Passes per second of the encoder on this input, from one timed batch after one warm-up batch. */
    private static double passesPerSecond(Encoder encoder, InputTensor x, int batchSize) {
        int n = Math.max(1, Math.min(batchSize, 16));
        float[] data = new float[n * x.unsafeData().length];
        for (int b = 0; b < n; b++) {
            System.arraycopy(x.unsafeData(), 0, data, b * x.unsafeData().length, x.unsafeData().length);
        }
        InputBatch batch = new InputBatch(data, 0, n, x.channels(), x.shape());
        encoder.encode(batch);
        long t = System.nanoTime();
        encoder.encode(batch);
        return n / Math.max(1e-9, (System.nanoTime() - t) / 1e9);
    }

    /** Seconds of one ROAD imputation of the input with its central quarter removed (a large hole: slow). */
    private double secondsPerImputation(InputTensor x) {
        boolean[] removed = new boolean[x.pixels()];
        int h = x.height();
        int w = x.width();
        for (int i = h / 4; i < 3 * h / 4; i++) {
            java.util.Arrays.fill(removed, i * w + w / 4, i * w + 3 * w / 4, true);
        }
        Substrate road = settings.substrate(EvaluationSettings.SubstrateKind.road);
        road.apply(x, removed);
        long t = System.nanoTime();
        road.apply(x, removed);
        return (System.nanoTime() - t) / 1e9;
    }

    private ProgressListener progress(PrintWriter err, String name) {
        return quiet ? ProgressListener.NONE : new ProgressBar(err, name, System.console() != null);
    }

    /** Checks every option that needs no file or model, naming it. */
    private void checkUsage() {
        if (maps != null && !images.isEmpty()) {
            throw usage("give IMAGE files or --maps DIR, not both");
        }
        if (maps == null && images.isEmpty()) {
            throw usage("name at least one IMAGE (or --maps DIR)");
        }
        if (maps != null && target != null) {
            throw usage("--target does not apply with --maps: the result's own target (its summary.json) is used");
        }
        if (target != null && !Files.isRegularFile(target)) {
            throw usage("--target: no image file at " + target);
        }
        if (maps != null) {
            // The earlier result's settings are the ones evaluated; an explanation option would be silently ignored.
            for (CommandLine.Model.OptionSpec o : spec.mixins().get("options").options()) {
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw usage(o.longestName() + " does not apply with --maps: the result's own settings (its "
                            + "summary.json) are the ones evaluated");
                }
            }
        }
        checks = EnumSet.noneOf(Check.class);
        for (String m : metrics == null ? List.of("deletion", "insertion", "faithfulness", "sanity", "stability")
                : metrics) {
            checks.add(parse(Check.class, m, "--metrics"));
        }
        chosen = EnumSet.noneOf(Comparator.class);
        chosen.add(Comparator.importance);
        if (comparators == null) {
            chosen.addAll(EnumSet.allOf(Comparator.class));
        } else {
            for (String c : comparators) {
                chosen.add(parse(Comparator.class, c.replace('-', '_'), "--comparators"));
            }
        }
        if (checks.contains(Check.stability) && stabilitySeeds < 2) {
            throw usage("--stability-seeds must be at least 2 (the explanation's seed and another), got "
                    + stabilitySeeds);
        }
        List<EvaluationSettings.Metric> mapMetrics = new ArrayList<>();
        for (Check c : checks) {
            if (c.ordinal() <= Check.faithfulness.ordinal()) {
                mapMetrics.add(EvaluationSettings.Metric.valueOf(c.name()));
            }
        }
        EvaluationSettings.Builder b = EvaluationSettings.builder().seed(evaluationSeed);
        if (!mapMetrics.isEmpty()) {
            b.metrics(mapMetrics);
        }
        if (substrates != null) {
            List<EvaluationSettings.SubstrateKind> kinds = new ArrayList<>();
            for (String s : substrates) {
                kinds.add(parse(EvaluationSettings.SubstrateKind.class, s, "--substrates"));
            }
            b.substrates(kinds);
        }
        try {
            if (steps != null) {
                b.steps(steps);
            }
            if (randomOrders != null) {
                b.randomOrders(randomOrders);
            }
            if (regions != null) {
                b.regions(regions);
            }
            if (subsets != null) {
                b.subsets(subsets);
            }
            settings = b.build();
        } catch (IllegalArgumentException ex) {
            throw usage(optionOf(ex.getMessage()) + ex.getMessage());
        }
        // Sanity or stability alone: the settings keep their default metrics for the record, and none runs.
        mapMetricsOn = !mapMetrics.isEmpty();
        modelOptions.check(spec, options.cells, false);
    }

    private static String optionOf(String message) {
        if (message.startsWith("steps")) {
            return "--steps: ";
        }
        if (message.startsWith("randomOrders")) {
            return "--random-orders: ";
        }
        if (message.startsWith("regions")) {
            return "--regions: ";
        }
        if (message.startsWith("subsets")) {
            return "--subsets: ";
        }
        return "";
    }

    private <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(value.trim())) {
                return e;
            }
        }
        List<String> valid = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            valid.add(e.name().replace('_', '-'));
        }
        throw usage(option + ": unknown '" + value + "'; valid: " + String.join(", ", valid));
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private final long started = System.nanoTime();

    /** A progress line, stamped with the seconds since the command started. */
    private void log(PrintWriter err, String s) {
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "[%6.1f s] ", (System.nanoTime() - started) / 1e9) + s);
        }
    }

}
