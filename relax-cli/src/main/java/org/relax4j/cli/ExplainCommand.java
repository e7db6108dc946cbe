package org.relax4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Target;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.image.ExplanationFiles;
import org.relax4j.image.Normalization;
import org.relax4j.io.Checksums;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                "Each image's files appear together once complete (never half-written); a failed image is",
                "reported and the others go on. Ctrl-C stops after the current batch, keeping finished images.", "",
                "Exit codes: 0 done, 1 failed (image, model or engine), 2 bad usage, 130/143 stopped by",
                "SIGINT/SIGTERM."},
        usageHelpWidth = 100)
final class ExplainCommand implements Callable<Integer> {

    static final String MOBILENET = ModelOptions.MOBILENET;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files.")
    List<Path> images;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RelaxOptions options;

    @Option(names = "--target", paramLabel = "IMAGE",
            description = "Explain a match: weight each mask by the similarity of the masked image's representation to "
                    + "this image's (under the same model), instead of to the unmasked image's own. Shows which regions "
                    + "of IMAGE make it look like the target; also writes match.png.")
    Path target;


    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for the engine and the model. Default: the number of processors.")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "relax-out",
            description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    /** The --target image, read once at the model's size. */
    private InputTensor targetRgb;

    /** Where result files go; tests substitute one that fails like a full disk. */
    OutputFolder.Sink sink = OutputFolder.DISK;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        checkUsage();
        RelaxConfig config = buildConfig(nThreads);
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new IOException("no image file at " + image);
            }
        }
        if (target != null && !Files.isRegularFile(target)) {
            throw usage("--target: no image file at " + target);
        }
        String memory = MemoryPreflight.ofThisMachine().check(Math.min(config.batchSize(), config.masks()), 3,
                modelOptions.size, modelOptions.size, "--size");
        if (memory != null) {
            throw usage(memory);
        }
        try (SignalGuard guard = SignalGuard.install(err)) {
            return explainAll(config, nThreads, guard, err);
        }
    }

    /** Explains every image, going on after a failed one; the results kept are reported if a signal stops it. */
    private int explainAll(RelaxConfig config, int nThreads, SignalGuard guard, PrintWriter err) throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        List<String> kept = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        OutputFolder folder;
        try {
            folder = OutputFolder.open(out, sink);
        } catch (IllegalArgumentException ex) {
            throw usage(ex.getMessage());
        }
        WarmUp warmUp = WarmUp.start(config, modelOptions.size); // while the model loads
        try (folder; Relax relax = new Relax(config); ModelOptions.Opened enc = openModel(nThreads, err, warmUp)) {
            log(err, "engine: " + relax.engineDescription());
            log(err, "model: " + enc.description);
            targetRgb = target == null ? null : modelOptions.readImage(target);
            Set<String> used = new HashSet<>();
            for (Path image : images) {
                String name = uniqueName(image, used);
                if (guard.token().isCancelled()) {
                    throw new CancellationException("stopped before " + image);
                }
                try {
                    Path dir = explainOne(image, name, relax, enc, folder, guard, err, stdout);
                    kept.add(dir.toString());
                } catch (CancellationException ex) {
                    throw ex;
                } catch (Exception ex) {
                    failed.add(image.toString());
                    err.println("relax: error: " + image + ": " + ex.getMessage());
                    if (RelaxCli.isBug(ex)) {
                        ex.printStackTrace(err);
                    }
                } catch (OutOfMemoryError ex) {
                    failed.add(image.toString());
                    err.println("relax: error: " + image + ": out of memory (the Java heap holds "
                            + (Runtime.getRuntime().maxMemory() >> 20) + " MB); use a smaller --batch-size or give "
                            + "Java more memory (java -Xmx...)");
                }
            }
        } catch (CancellationException ex) {
            if (System.console() != null) {
                err.println(); // end the progress line
            }
            err.println("relax: stopped" + (guard.signalled() ? " by a signal" : "") + "; complete results kept: "
                    + (kept.isEmpty() ? "none" : String.join(", ", kept)) + "; nothing partial was written");
            return guard.exitCode();
        }
        if (!failed.isEmpty()) {
            err.println("relax: " + failed.size() + " of " + images.size() + " images failed: " + String.join(", ", failed)
                    + (kept.isEmpty() ? "" : "; written: " + String.join(", ", kept)));
            return RelaxCli.FAILED;
        }
        return 0;
    }

    private ModelOptions.Opened openModel(int nThreads, PrintWriter err, WarmUp warmUp) {
        try {
            return modelOptions.open(nThreads, s -> log(err, s), spec);
        } finally {
            warmUp.stop();
        }
    }

    /** One image: explained, then its files staged and moved into place together. */
    private Path explainOne(Path image, String name, Relax relax, ModelOptions.Opened enc, OutputFolder folder,
                            SignalGuard guard, PrintWriter err, PrintWriter stdout) throws IOException {
        InputTensor rgb = modelOptions.readImage(image);
        InputTensor x = Normalization.imagenet().normalize(rgb);
        ProgressBar bar = new ProgressBar(err, name, System.console() != null);
        Target t = targetRgb == null ? Target.unmasked() : Target.input(Normalization.imagenet().normalize(targetRgb));
        Explanation e = relax.explain(x, enc.encoder, t, quiet ? p -> { } : bar, guard.token());
        Path dir;
        try (OutputFolder.Staging staging = folder.begin(name)) {
            writeOutputs(staging, image, rgb, e, enc);
            dir = staging.commit();
        }
        stdout.println(dir + ": " + String.format(Locale.ROOT,
                "%d masks in %.1f s (encoder %.1f s, RELAX %.2f s), estimated error %s",
                e.masksUsed(), sec(e.timings().total()), sec(e.timings().encoder()),
                sec(e.timings().relaxOwn()), ProgressBar.formatError(e.error().bound())) + errorNote(e)
                + (targetRgb == null ? "" : String.format(Locale.ROOT, ", similarity to the target %.3f",
                        e.targetSimilarity())));
        return dir;
    }

    /**
     * Which bound the printed error is, and for an adaptive run whether its target was met: the stop compares a
     * bound at another confidence, so the printed (reported) bound may exceed the target of a run that met it.
     */
    private static String errorNote(Explanation e) {
        ErrorEstimate error = e.error();
        if (!error.isKnown()) {
            return "";
        }
        RelaxConfig c = e.config();
        String note = " (" + percent(error.confidence()) + " bound";
        if (c.adaptive()) {
            note += error.boundAt(c.stopConfidence()) <= c.targetError()
                    ? "; target " + c.targetError() + " met at the " + percent(c.stopConfidence()) + " bound"
                    : "; target " + c.targetError() + " not reached within --masks";
        }
        return note + ")";
    }

    private static String percent(double confidence) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * confidence);
    }

    /** Checks what needs no file, model or engine, so that usage errors come before any work. */
    private void checkUsage() {
        modelOptions.check(spec, options.cells, false);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** The configuration; a value the builder refuses is reported under its option's name, not the builder's. */
    private RelaxConfig buildConfig(int nThreads) {
        return options.toConfig(spec, "--threads", nThreads);
    }

    private void log(PrintWriter err, String s) {
        if (!quiet) {
            err.println(s);
        }
    }

    /** {@return the image's file name without extension, made unique among {@code used} with -2, -3, ...} */
    static String uniqueName(Path image, Set<String> used) {
        String base = image.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        String name = base;
        for (int k = 2; !used.add(name); k++) {
            name = base + "-" + k;
        }
        return name;
    }

    private void writeOutputs(OutputFolder.Staging dir, Path image, InputTensor rgb, Explanation e, ModelOptions.Opened enc)
            throws IOException {
        ExplanationFiles.write(dir::write, new ExplanationFiles.Result(image.toString(), Checksums.sha256(image), rgb,
                e, enc.json, target == null ? null : target.toString(), target == null ? null : Checksums.sha256(target),
                targetRgb));
    }

    private static double sec(java.time.Duration d) {
        return d.toNanos() / 1e9;
    }
}
