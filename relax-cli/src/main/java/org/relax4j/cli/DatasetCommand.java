package org.relax4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Images;
import org.relax4j.io.Checksums;
import org.relax4j.spark.DatasetExplainer;
import org.relax4j.spark.EncoderFactory;
import org.relax4j.spark.ExecutorEncoders;
import org.relax4j.spark.ResultSchema;
import org.relax4j.spark.ResultTables;
import org.relax4j.spark.TargetImage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code relax dataset INPUT... --out DIR}: every image of a dataset on Apache Spark (relax-spark), with the same
 * per-image files as {@code relax explain} and one Parquet table.
 */
@Command(name = "dataset", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain every image under INPUT (files, folders, globs; any Hadoop path or URI) on Apache",
                "Spark: an embedded local Spark by default (nothing to install), or a cluster through",
                "spark-submit. Writes, per image, OUT/<image name>/ with the files of 'relax explain'",
                "(each folder appears complete or not at all), and one Parquet table of all maps",
                "(--table). OUT/<name> is the image's path under INPUT without its extension. A rerun",
                "skips an image only if its folder holds this image's maps (same file checksum) under the",
                "same settings and model; a bad image gets status 'failed' in the table instead of stopping",
                "the job (unless --fail-fast). Links are followed only to files inside INPUT.", ""},
        footer = {"", "On a cluster: spark-submit --class org.relax4j.cli.RelaxCli relax-cli/target/relax-spark-submit.jar",
                "  dataset hdfs:///photos --out /shared/relax-out   (see the README, 'Explaining datasets')", "",
                "Exit codes: 0 done, 1 failed (some image, or the job), 2 bad usage."},
        usageHelpWidth = 100)
final class DatasetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Image files or folders (searched recursively), "
            + "local paths or URIs (hdfs://, s3a://, ...). PNG, JPEG, GIF and BMP.")
    List<String> inputs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "relax-out",
            description = "Output folder, on a file system every executor sees. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--table", paramLabel = "PATH",
            description = "The Parquet table of results, written aside and swapped in when the run is done "
                    + "(skipped images keep their maps); something already at PATH is replaced only if it is a relax "
                    + "results table. Default: OUT/results.parquet.")
    String table;

    @Mixin
    SparkOptions sparkOptions;

    @Option(names = "--fail-fast", description = "Stop the job at the first image that fails.")
    boolean failFast;

    @Option(names = "--target", paramLabel = "IMAGE",
            description = "Explain every image's match with this image (as 'relax explain IMAGE --target'): masks "
                    + "are weighted by the similarity to the target's representation. Default: each image's own.")
    Path target;

    @Option(names = "--split-masks", paramLabel = "N",
            description = "One large explanation over the cluster: INPUT is one image, whose masks are split into N "
                    + "tasks (whole batches each) and merged exactly; writes OUT/<name>/ as 'relax explain' does. "
                    + "Not with --target or --target-error.")
    Integer splitMasks;

    @Option(names = "--resume", paramLabel = "auto|strict", defaultValue = "auto",
            description = "A folder of an earlier run is reused when it holds this image's maps under the same "
                    + "settings and model. Otherwise 'auto' explains the image again and replaces the folder; "
                    + "'strict' keeps the folder and fails the image. Default: ${DEFAULT-VALUE}.")
    String resume;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Tasks to split the images over. Default: one per image.")
    int partitions;

    @Option(names = "--threads-per-task", paramLabel = "T", defaultValue = "1",
            description = "RELAX engine threads per task (Spark runs one task per core). Default: ${DEFAULT-VALUE}.")
    int threadsPerTask;

    @Option(names = "--encoder-threads", paramLabel = "T", defaultValue = "0",
            description = "Threads of the model, opened once per executor and shared by its tasks. "
                    + "Default: the executor's processors.")
    int encoderThreads;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    RelaxOptions options;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        RelaxConfig config = buildConfig();
        modelOptions.check(spec, options.cells, true);
        sparkOptions.check(spec);
        if (!resume.equals("auto") && !resume.equals("strict")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--resume must be auto or strict, got '"
                    + resume + "'");
        }
        if (splitMasks != null && (splitMasks < 1 || target != null || config.adaptive())) {
            throw new CommandLine.ParameterException(spec.commandLine(), splitMasks < 1
                    ? "--split-masks must be at least 1, got " + splitMasks
                    : "--split-masks runs all masks of one explanation at once: not with "
                    + (target != null ? "--target" : "--target-error"));
        }
        TargetImage targetImage = null;
        if (target != null) {
            if (!Files.isRegularFile(target)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target: no image file at " + target);
            }
            if (modelOptions.size <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target needs --size N (every image is "
                        + "compared with one target of that size), not --size 0");
            }
            try {
                int size = modelOptions.size;
                targetImage = TargetImage.of(target.toAbsolutePath().toString(), Checksums.sha256(target),
                        Images.readAtSize(target, size, size));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target: " + e.getMessage());
            }
        }
        String tablePath = table != null ? table : out.resolve("results.parquet").toString();
        try {
            ResultTables.check(tablePath);
        } catch (IllegalArgumentException ex) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--table " + ex.getMessage());
        }
        // The output lock of every writer (explain's too): one run at a time per --out.
        OutputFolder lock;
        try {
            lock = OutputFolder.open(out, OutputFolder.DISK);
        } catch (IllegalArgumentException ex) {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        long start = System.nanoTime();
        SparkSession spark = new SparkDriver(sparkOptions).start("relax dataset", err, quiet);
        if (spark == null) {
            lock.close();
            return RelaxCli.FAILED;
        }
        // A signal cancels the Spark job; each task stops after its current batch (ExplainPartition), the table
        // is left as it was, and complete image folders stay.
        SignalGuard guard = SparkDriver.cancelJobsOnSignal(spark, err);
        try (lock; guard) {
            EncoderFactory factory = SparkDriver.encoder(spark, modelOptions, m -> log(err, m));
            // The files are listed on the driver (through Hadoop's file system API, so any URI works): a Spark job
            // to list, count and name them cost seconds of a short job's start-up; the list is small.
            ImageFiles.Listing listing;
            try {
                listing = ImageFiles.list(inputs, spark.sparkContext().hadoopConfiguration(), out);
            } catch (IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(), "INPUT: " + ex.getMessage());
            }
            listing.notices().forEach(n -> log(err, n));
            Map<String, String> paths = listing.named();
            if (paths.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no images (" + ImageFiles.EXTENSIONS
                        + ") under " + String.join(", ", inputs));
            }
            log(err, "images: " + paths.size() + " found");
            if (splitMasks != null) {
                return explainSplit(spark, factory, config, paths, stdout);
            }
            DatasetExplainer explainer = DatasetExplainer.builder(config, factory).imageSize(modelOptions.size).outputDir(out)
                    .failFast(failFast).strictResume(resume.equals("strict")).target(targetImage).threadsPerTask(threadsPerTask).encoderThreads(encoderThreads)
                    .partitions(partitions).build();
            Dataset<Row> result;
            int tasks = partitions > 0 ? partitions : paths.size();
            try (TaskProgress progress = quiet ? null : TaskProgress.start(spark.sparkContext(), err, "dataset", tasks)) {
                result = explainer.explainNamedTo(spark, paths, tablePath);
            } catch (Exception ex) { // Spark's SparkException is checked in Java's terms, and thrown unchecked
                return SparkDriver.jobFailed(spark, guard, ex, err, "complete image folders kept in " + out
                        + "; the table " + tablePath + " was not changed");
            }
            long ok = 0;
            long skipped = 0;
            long failed = 0;
            // One small job for the summary: status, path and message of every image.
            for (Row r : result.select("status", "path", "message").collectAsList()) {
                String s = r.getString(0);
                if (ResultSchema.OK.equals(s)) {
                    ok++;
                } else if (ResultSchema.SKIPPED.equals(s)) {
                    skipped++;
                } else {
                    if (++failed <= 20) {
                        err.println("relax: failed: " + r.getString(1) + ": " + r.getString(2));
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            stdout.println(String.format(Locale.ROOT, "%s: %d images explained, %d already complete (skipped), "
                            + "%d failed, in %.1f s (%.0f images/hour); table %s", out, ok, skipped, failed, seconds,
                    ok * 3600 / seconds, tablePath));
            return failed > 0 ? RelaxCli.FAILED : 0;
        } finally {
            ExecutorEncoders.closeAll();
            spark.stop();
        }
    }

    /** --split-masks: one image's masks split over the cluster's tasks, its files written as explain writes them. */
    private int explainSplit(SparkSession spark, EncoderFactory factory, RelaxConfig config, Map<String, String> paths,
                             PrintWriter stdout) throws IOException {
        if (paths.size() != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--split-masks explains one image; INPUT "
                    + "holds " + paths.size());
        }
        Map.Entry<String, String> image = paths.entrySet().iterator().next();
        Path file = Path.of(java.net.URI.create(image.getKey()));
        int size = modelOptions.size;
        org.relax4j.data.InputTensor rgb = size > 0 ? Images.readAtSize(file, size, size)
                : Images.read(file);
        long start = System.nanoTime();
        org.relax4j.Explanation e = org.relax4j.spark.SplitExplainer.explanation(spark,
                org.relax4j.image.Normalization.imagenet().normalize(rgb), factory, config, splitMasks,
                threadsPerTask);
        org.relax4j.spark.ImageOutputs.publish(out, image.getValue(), image.getKey(), Checksums.sha256(file), rgb, e,
                factory.describeJson(), null);
        stdout.println(String.format(Locale.ROOT, "%s: %d masks in %d tasks, in %.1f s; error <= %.3f (%.0f %% bound)",
                out.resolve(image.getValue()), e.masksUsed(), splitMasks, (System.nanoTime() - start) / 1e9,
                e.error().bound(), 100 * e.error().confidence()));
        return 0;
    }

    private RelaxConfig buildConfig() {
        if (partitions < 0 || encoderThreads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--partitions and --encoder-threads must be >= 0");
        }
        return options.toConfig(spec, "--threads-per-task", threadsPerTask);
    }

    private void log(PrintWriter err, String s) {
        if (!quiet) {
            err.println(s);
        }
    }
}
