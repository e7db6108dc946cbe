package org.relax4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.relax4j.CancellationToken;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.InputTensor;
import org.relax4j.PixelMap;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Timings;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.image.Heatmaps;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.image.Npy;
import org.relax4j.mask.MaskDesign;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.PretrainedModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code relax explain IMAGE...}: RELAX maps of each image, as PNG heatmaps, NumPy files and a JSON summary. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain each IMAGE under an image encoder. Writes, per image, into OUT/<image name>/:",
                "  summary.png     importance, uncertainty and U-RELAX over the image, with colour bars",
                "  importance.png, uncertainty.png, u_relax.png   one map each",
                "  *.npy           the maps (importance, uncertainty, variance, u_relax, standard_error),",
                "                  float32 H x W",
                "  summary.json    settings, model, engine, timings, masks used, error estimate", ""},
        footer = {"", "Masks multiply the ImageNet-normalised image, so a fully masked pixel becomes the",
                "ImageNet mean colour, as in the reference implementation. A model that takes RGB in",
                "[0, 1] (--pixels unit) gets the masked image un-normalised.", "",
                "Exit codes: 0 done, 1 failed (image, model or engine), 2 bad usage."},
        usageHelpWidth = 100)
final class ExplainCommand implements Callable<Integer> {

    /** What the model's input pixels are. */
    enum PixelSpace { unit, imagenet }

    static final String MOBILENET = "mobilenet-v2";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files.")
    List<Path> images;

    @Option(names = "--model", paramLabel = "FILE|mobilenet-v2", defaultValue = MOBILENET,
            description = "The encoder: '" + MOBILENET + "' (MobileNetV2 1.4 ImageNet features, 1792-d, from the npm "
                    + "package nsfwjs 4.3.0, fetched and converted to ONNX on first use) or an ONNX model file. "
                    + "Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--model-input", paramLabel = "NAME", description = "The ONNX model's input to feed (default: its first).")
    String modelInput;

    @Option(names = "--model-output", paramLabel = "NAME", description = "The ONNX model's output to explain (default: its first).")
    String modelOutput;

    @Option(names = "--pixels", paramLabel = "unit|imagenet",
            description = "What the model takes: 'unit' = RGB in [0, 1], 'imagenet' = ImageNet-normalised RGB. "
                    + "Default: unit for " + MOBILENET + ", imagenet for a model file.")
    PixelSpace pixels;

    @Option(names = "--size", paramLabel = "N", defaultValue = "224",
            description = "Images are resized to N x N (bilinear). Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--masks", paramLabel = "N", defaultValue = "3000", description = "Number of masks. Default: ${DEFAULT-VALUE}.")
    long masks;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "100",
            description = "Masks per encoder call. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--cells", paramLabel = "S", defaultValue = "7",
            description = "Masks are drawn on an S x S grid. Default: ${DEFAULT-VALUE}.")
    int cells;

    @Option(names = "--keep-probability", paramLabel = "P", defaultValue = "0.5",
            description = "Probability that a grid cell is kept. Default: ${DEFAULT-VALUE}.")
    float keepProbability;

    @Option(names = "--design", paramLabel = "random|balanced", defaultValue = "random",
            description = "How masks are chosen: 'random' (independent, the reference's) or 'balanced' (blocks of "
                    + "masks balanced by an orthogonal array: the same map quality from several times fewer masks). "
                    + "Default: ${DEFAULT-VALUE}.")
    String design;

    @Option(names = "--target-error", paramLabel = "E",
            description = "Stop as soon as the importance map's estimated relative error (its 90 % bound) is at most "
                    + "E, e.g. 0.1; --masks is then the most masks to use. Default: use all --masks.")
    Double targetError;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the random masks; the same seed gives the same maps. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--engine", paramLabel = "cpu|opencl", defaultValue = "cpu",
            description = "Where RELAX's own work runs. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--device", paramLabel = "D",
            description = "OpenCL device: an index or part of its name (or set RELAX4J_OPENCL_DEVICE). Default: a GPU if any.")
    String device;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for the engine and the model. Default: the number of processors.")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "relax-out",
            description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where the converted pretrained model is kept. Default: $RELAX4J_CACHE or ~/.cache/relax4j.")
    Path cache;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        RelaxConfig config = buildConfig(nThreads);
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new IOException("no image file at " + image);
            }
        }
        Files.createDirectories(out);

        try (Relax relax = new Relax(config); ModelEncoder enc = openModel(nThreads, err)) {
            log(err, "engine: " + relax.engineDescription());
            log(err, "model: " + enc.description);
            Set<String> used = new HashSet<>();
            for (Path image : images) {
                InputTensor rgb = Images.resize(Images.read(image), size, size);
                InputTensor x = Normalization.imagenet().normalize(rgb);
                String name = uniqueName(image, used);
                ProgressBar bar = new ProgressBar(err, name, System.console() != null);
                Explanation e = relax.explain(x, enc.encoder, quiet ? p -> { } : bar, new CancellationToken());
                Path dir = out.resolve(name);
                Files.createDirectories(dir);
                writeOutputs(dir, image, rgb, e, enc);
                stdout.println(dir + ": " + String.format(Locale.ROOT,
                        "%d masks in %.1f s (encoder %.1f s, RELAX %.2f s), estimated error %s",
                        e.masksUsed(), sec(e.timings().total()), sec(e.timings().encoder()),
                        sec(e.timings().relaxOwn()), ProgressBar.formatError(e.error().bound())));
            }
        }
        return 0;
    }

    private RelaxConfig buildConfig(int nThreads) {
        try {
            RelaxConfig.Builder b = RelaxConfig.builder().masks(masks).batchSize(batchSize).cells(cells)
                    .keepProbability(keepProbability).seed(seed).engine(engine).device(device).threads(nThreads)
                    .design(MaskDesign.parse(design));
            if (targetError != null) {
                b.targetError(targetError);
            }
            return b.build();
        } catch (IllegalArgumentException ex) {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    private void log(PrintWriter err, String s) {
        if (!quiet) {
            err.println(s);
        }
    }

    /** The encoder and what to say about it. */
    private static final class ModelEncoder implements AutoCloseable {
        final Encoder encoder;
        final AutoCloseable closeable;
        final String description;
        final Map<String, Object> json;

        ModelEncoder(Encoder encoder, AutoCloseable closeable, String description, Map<String, Object> json) {
            this.encoder = encoder;
            this.closeable = closeable;
            this.description = description;
            this.json = json;
        }

        @Override
        public void close() throws Exception {
            closeable.close();
        }
    }

    private ModelEncoder openModel(int nThreads, PrintWriter err) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (MOBILENET.equals(model)) {
            if (pixels == PixelSpace.imagenet) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        MOBILENET + " takes RGB in [0, 1]; --pixels imagenet does not apply to it");
            }
            Path dir = cache != null ? cache : PretrainedModels.defaultCacheDir();
            OnnxEncoder enc = PretrainedModels.openMobileNetV2(dir, nThreads, s -> log(err, s));
            json.put("name", MOBILENET);
            json.put("source", "npm nsfwjs@" + PretrainedModels.NSFWJS_VERSION + " dist/models/mobilenet_v2_mid, "
                    + "converted from TensorFlow.js to ONNX");
            json.put("file", dir.resolve(PretrainedModels.MOBILENET_V2_FILE).toString());
            json.put("output", PretrainedModels.MOBILENET_V2_EMBEDDING_NODE);
            json.put("dimension", PretrainedModels.MOBILENET_V2_DIM);
            json.put("pixels", PixelSpace.unit.name());
            return new ModelEncoder(enc, enc, MOBILENET + " (" + PretrainedModels.MOBILENET_V2_DIM + "-d embedding)", json);
        }
        Path file = Path.of(model);
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model: no ONNX file at " + file
                    + " (or use '" + MOBILENET + "')");
        }
        OnnxEncoder.Builder b = OnnxEncoder.builder(file).intraOpThreads(nThreads);
        if (modelInput != null) {
            b.inputName(modelInput);
        }
        if (modelOutput != null) {
            b.outputName(modelOutput);
        }
        PixelSpace space = pixels != null ? pixels : PixelSpace.imagenet;
        OnnxEncoder onnx = b.pixels(space == PixelSpace.unit ? Normalization.unit() : Normalization.imagenet()).build();
        Encoder enc = onnx;
        json.put("name", file.getFileName().toString());
        json.put("file", file.toAbsolutePath().toString());
        json.put("input", onnx.inputName());
        json.put("output", onnx.outputName());
        json.put("layout", onnx.layout().name());
        json.put("pixels", space.name());
        return new ModelEncoder(enc, onnx, file + " (input " + onnx.inputName() + ", output " + onnx.outputName() + ")", json);
    }

    private static String uniqueName(Path image, Set<String> used) {
        String base = image.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        String name = base;
        for (int k = 2; !used.add(name); k++) {
            name = base + "-" + k;
        }
        return name;
    }

    private void writeOutputs(Path dir, Path image, InputTensor rgb, Explanation e, ModelEncoder enc) throws IOException {
        Map<String, PixelMap> maps = new LinkedHashMap<>();
        maps.put("importance", e.importance());
        maps.put("uncertainty", e.uncertainty());
        maps.put("variance", e.variance());
        maps.put("u_relax", e.uRelax());
        maps.put("standard_error", e.error().standardError());
        Map<String, Object> mapJson = new LinkedHashMap<>();
        for (Map.Entry<String, PixelMap> m : maps.entrySet()) {
            Npy.write(dir.resolve(m.getKey() + ".npy"), m.getValue());
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("npy", m.getKey() + ".npy");
            stats.put("min", m.getValue().min());
            stats.put("max", m.getValue().max());
            mapJson.put(m.getKey(), stats);
        }
        Heatmaps.writeSummary(dir.resolve("summary.png"), rgb, e);
        Heatmaps.write(dir.resolve("importance.png"), rgb, List.of(new Heatmaps.Panel("importance", e.importance())));
        Heatmaps.write(dir.resolve("uncertainty.png"), rgb, List.of(new Heatmaps.Panel("uncertainty", e.uncertainty())));
        Heatmaps.write(dir.resolve("u_relax.png"), rgb, List.of(new Heatmaps.Panel("U-RELAX", e.uRelax(), true)));
        if (e.error().isKnown()) {
            Heatmaps.write(dir.resolve("standard_error.png"), rgb,
                    List.of(new Heatmaps.Panel("importance standard error", e.error().standardError())));
        }

        RelaxConfig c = e.config();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("masks", c.masks());
        settings.put("batchSize", c.batchSize());
        settings.put("cells", c.cells());
        settings.put("keepProbability", c.keepProbability());
        settings.put("initialWeight", c.initialWeight());
        settings.put("seed", c.seed());
        settings.put("design", c.design().id());
        settings.put("targetError", c.adaptive() ? c.targetError() : null);
        settings.put("similarity", c.similarity().toString());
        settings.put("engine", c.engine());
        settings.put("threads", c.threads());
        settings.put("size", List.of(rgb.height(), rgb.width()));
        Timings t = e.timings();
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("totalSeconds", sec(t.total()));
        timings.put("encoderSeconds", sec(t.encoder()));
        timings.put("maskingSeconds", sec(t.masking()));
        timings.put("accumulationSeconds", sec(t.accumulation()));
        timings.put("relaxOwnSeconds", sec(t.relaxOwn()));
        timings.put("encoderImagesPerSecond", (e.masksUsed() + 1) / Math.max(1e-9, sec(t.encoder())));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("image", image.toString());
        root.put("model", enc.json);
        root.put("masking", "masks multiply the ImageNet-normalised image: a fully masked pixel is the ImageNet mean "
                + "colour (0 after normalisation), as in the reference implementation");
        root.put("settings", settings);
        root.put("engine", e.engine());
        root.put("masksUsed", e.masksUsed());
        ErrorEstimate err = e.error();
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("relativeError", finiteOrNull(err.relativeError()));
        error.put("bound", finiteOrNull(err.bound()));
        error.put("confidence", err.confidence());
        error.put("blocks", err.blocks());
        error.put("effectiveDegreesOfFreedom", finiteOrNull(err.effectiveDegreesOfFreedom()));
        error.put("meaning", "relative L2 error of the centred importance map against the limit of infinitely many "
                + "masks, estimated from independent blocks of this run's masks; the true error is within 'bound' "
                + "with probability 'confidence'");
        root.put("errorEstimate", error);
        root.put("timings", timings);
        root.put("maps", mapJson);
        Files.writeString(dir.resolve("summary.json"), Json.write(root));
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double sec(java.time.Duration d) {
        return d.toNanos() / 1e9;
    }
}
