package org.relax4j.cli;

import org.relax4j.Baseline;
import org.relax4j.data.InvalidSettingException;
import org.relax4j.RelaxConfig;
import org.relax4j.engine.Engines;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options that become a {@link RelaxConfig}, shared by {@code relax explain} and {@code relax dataset} (a
 * picocli mixin), with the configuration's own defaults.
 */
final class RelaxOptions {
    @Option(names = "--masks", paramLabel = "N",
            defaultValue = "" + RelaxConfig.DEFAULT_NUM_BATCHES * RelaxConfig.DEFAULT_BATCH_SIZE,
            description = "Number of masks (with --target-error: the most to use). Default: ${DEFAULT-VALUE}.")
    long masks;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "" + RelaxConfig.DEFAULT_BATCH_SIZE,
            description = "Masks per encoder call. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--cells", paramLabel = "S", defaultValue = "" + RelaxConfig.DEFAULT_CELLS,
            description = "Masks are drawn on an S x S grid. Default: ${DEFAULT-VALUE}.")
    int cells;

    @Option(names = "--keep-probability", paramLabel = "P", defaultValue = "" + RelaxConfig.DEFAULT_KEEP_PROBABILITY,
            description = "Probability that a grid cell is kept. Default: ${DEFAULT-VALUE}.")
    float keepProbability;

    @Option(names = "--design", paramLabel = "random|balanced", defaultValue = "random",
            description = "How masks are chosen: 'random' (independent, the reference's) or 'balanced' (blocks of "
                    + "masks balanced by an orthogonal array: the same map quality from several times fewer masks). "
                    + "Default: ${DEFAULT-VALUE}.")
    String design;

    @Option(names = "--estimator", paramLabel = "ratio|control-variate", defaultValue = "ratio",
            description = "How importance is estimated: 'ratio' (the reference's weighted mean) or 'control-variate' "
                    + "(subtracts a surrogate of the similarity fitted on the run and adds its exact contribution: the "
                    + "same map with a smaller error from the same masks). Default: ${DEFAULT-VALUE}.")
    String estimator;

    @Option(names = "--target-error", paramLabel = "E",
            description = "Stop as soon as the importance map's estimated relative error (its bound at "
                    + "--stop-confidence) is at most E, e.g. 0.1; --masks is then the most masks to use. "
                    + "Default: use all --masks.")
    Double targetError;

    @Option(names = "--stop-confidence", paramLabel = "C",
            description = "With --target-error: the confidence of the bound compared with E, in [0.5, 1). Measured, "
                    + "0.8 ends at least 90 %% of runs within E; raise it for more margin, at more passes. "
                    + "Default: " + RelaxConfig.DEFAULT_STOP_CONFIDENCE + ".")
    Double stopConfidence;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + RelaxConfig.DEFAULT_SEED,
            description = "Seed of the random masks; the same seed gives the same maps. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--engine", paramLabel = "cpu|opencl", defaultValue = Engines.CPU,
            description = "Where RELAX's own work runs. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--device", paramLabel = "D",
            description = "OpenCL device: an index or part of its name (or set RELAX4J_OPENCL_DEVICE). Default: a GPU if any.")
    String device;

    @Option(names = "--baseline", paramLabel = "zero|VALUE|blur[:SIGMA]", defaultValue = "zero",
            description = "What masked-out pixels become: the masked image is x*m + b*(1-m). 'zero' (the reference's, "
                    + "x*m; in ImageNet-normalised space the mean colour), a constant VALUE in the normalised space, or "
                    + "'blur:SIGMA', the image blurred by a Gaussian of SIGMA pixels (blur = blur:10). "
                    + "Default: ${DEFAULT-VALUE}.")
    String baseline;

    /**
     * The configuration with {@code threads} engine threads; a value the builder refuses is reported under its
     * option's name ("--batch-size must be at least 1, got 0"), not the builder's.
     *
     * @throws CommandLine.ParameterException naming the option
     */
    RelaxConfig toConfig(CommandSpec spec, String threadsOption, int threads) {
        checkMeaningful(spec, threadsOption, threads);
        RelaxConfig.Builder b = RelaxConfig.builder();
        option(spec, "--masks", () -> b.masks(masks));
        option(spec, "--batch-size", () -> b.batchSize(batchSize));
        option(spec, "--cells", () -> b.cells(cells));
        option(spec, "--keep-probability", () -> b.keepProbability(keepProbability));
        option(spec, "--engine", () -> b.engine(engine));
        option(spec, threadsOption, () -> b.threads(threads));
        option(spec, "--design", () -> b.design(MaskDesign.parse(design)));
        option(spec, "--estimator", () -> b.estimator(ImportanceEstimator.parse(estimator)));
        if (targetError != null) {
            option(spec, "--target-error", () -> b.targetError(targetError));
        }
        if (stopConfidence != null) {
            option(spec, "--stop-confidence", () -> b.stopConfidence(stopConfidence));
        }
        option(spec, "--baseline", () -> b.baseline(Baseline.parse(baseline)));
        b.seed(seed).device(device);
        try {
            return b.build();
        } catch (IllegalArgumentException ex) {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    /** Most host threads a run may ask for, per available processor: more only queue, and look like a hang. */
    static final int MAX_THREADS_PER_PROCESSOR = 16;

    /**
     * Refuses combinations that the configuration would accept but that cannot give a meaningful map, or that
     * would be silently ignored, naming the option (RELIABILITY.md).
     */
    private void checkMeaningful(CommandSpec spec, String threadsOption, int threads) {
        if (stopConfidence != null && targetError == null) {
            throw usage(spec, "--stop-confidence applies only with --target-error (it is the confidence of the bound "
                    + "compared with the target); give --target-error, or leave --stop-confidence out");
        }
        if (device != null && Engines.CPU.equals(engine)) {
            throw usage(spec, "--device " + device + " applies only to a device engine (--engine opencl); the cpu "
                    + "engine runs on the host's threads (--threads)");
        }
        if (keepProbability == 1f) {
            throw usage(spec, "--keep-probability 1 keeps every cell of every mask: every masked input equals the "
                    + "input and the maps would be flat; choose a value below 1 (the reference's is 0.5)");
        }
        // Ranges (masks ≥ 1, cells ≥ 1, p in (0, 1]) are the configuration's to check and name.
        if (masks >= 1 && cells >= 1 && keepProbability > 0 && keepProbability < 1
                && keepProbability * (double) cells * cells * masks < 1) {
            throw usage(spec, "--keep-probability " + keepProbability + ": with " + cells + " x " + cells + " cells and "
                    + masks + " masks, fewer than one cell would be kept in all the masks together, so the maps "
                    + "would be flat; choose a larger value (the reference's is 0.5)");
        }
        if (cells == 1) {
            throw usage(spec, "--cells 1: a 1 x 1 grid masks every pixel alike, so the maps would be flat; use at "
                    + "least 2 (the reference's is " + RelaxConfig.DEFAULT_CELLS + ")");
        }
        if (masks == 1) {
            throw usage(spec, "--masks 1: one mask gives no uncertainty and no error estimate; use at least 2");
        }
        int most = MAX_THREADS_PER_PROCESSOR * Runtime.getRuntime().availableProcessors();
        if (threads > most) {
            throw usage(spec, threadsOption + " " + threads + " is more than " + MAX_THREADS_PER_PROCESSOR
                    + " per processor of this machine (" + Runtime.getRuntime().availableProcessors()
                    + "); at most " + most);
        }
    }

    private static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static void option(CommandSpec spec, String name, Runnable set) {
        try {
            set.run();
        } catch (InvalidSettingException ex) {
            // "batchSize must be at least 1, got 0" -> "--batch-size must be at least 1, got 0"
            throw new CommandLine.ParameterException(spec.commandLine(), name + " " + ex.problem());
        } catch (IllegalArgumentException ex) {
            // A value the option's parser refused ("design must be random or balanced, got 'x'"): said as it is.
            throw new CommandLine.ParameterException(spec.commandLine(), name + ": " + ex.getMessage());
        }
    }
}
