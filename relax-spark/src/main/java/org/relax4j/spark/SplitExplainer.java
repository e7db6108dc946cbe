package org.relax4j.spark;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.PartialExplanation;
import org.relax4j.data.PixelMap;
import org.relax4j.Reference;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Target;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;
import org.relax4j.estimate.ErrorEstimate;

/**
 * One large explanation split over the cluster: the mask range {@code [0, masks)} is cut into contiguous ranges of
 * whole batches, one per task; each task runs {@link Relax#explainRange} over its range with the executor's encoder
 * (the same batch step as {@link Relax#explain}: baseline, encoder checks, similarity) and returns its partial
 * estimator state and its masks' similarities. The driver merges them with {@link Relax#combine}: the states in mask
 * order with the estimator's exact merge (Chan et al.; spec, "The estimator"), so the order in which tasks finish
 * does not matter, and every similarity into the error estimate (and the control variate) in mask order, so the
 * error estimate is the single-JVM one.
 *
 * <p>The maps equal the single-JVM run's to about 1e-6 relative, not bit for bit: the single-JVM update runs in
 * float32 in mask order, the merge in double (spec). The unmasked representation is computed once, by one task,
 * and sent to all, so that every task weights its masks against the same vector.
 */
public final class SplitExplainer {
    private SplitExplainer() {
    }

    /** The merged explanation. */
    public record Result(PixelMap importance, PixelMap uncertainty, PixelMap variance, PixelMap uRelax,
                         ErrorEstimate error, long masksUsed, int tasks, Duration total) {
    }

    /**
     * Explains {@code input} with {@code config.masksToRun()} masks (whole blocks of the design) split over
     * {@code tasks} tasks.
     *
     * @param input the input as {@link org.relax4j.Relax#explain} takes it (for images: resized and
     *        ImageNet-normalised). Not modified.
     * @param tasks number of mask ranges, at least 1 (fewer if there are fewer batches)
     * @param threadsPerTask engine threads in each task
     * @throws IllegalArgumentException if the configuration is adaptive (a target error needs the masks in order)
     *         or cannot be shipped
     */
    public static Result explain(SparkSession spark, InputTensor input, EncoderFactory factory, RelaxConfig config,
                                 int tasks, int threadsPerTask) {
        Objects.requireNonNull(input, "input");
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
        }
        return explain(spark, input, factory, config, ranges(config.masksToRun(config.maskSource(input.shape())),
                config.batchSize(), tasks), threadsPerTask);
    }

    /**
     * Cuts {@code [0, masks)} into at most {@code tasks} contiguous ranges of whole batches, as even as possible.
     *
     * @return {first, count} pairs in mask order
     */
    static List<long[]> ranges(long masks, int batchSize, int tasks) {
        long batches = (masks + batchSize - 1) / batchSize;
        int n = (int) Math.min(tasks, batches);
        List<long[]> out = new ArrayList<>();
        long done = 0;
        for (int k = 0; k < n; k++) {
            long batchesHere = batches / n + (k < batches % n ? 1 : 0);
            long first = done * batchSize;
            long last = Math.min(masks, (done + batchesHere) * batchSize);
            out.add(new long[] {first, last - first});
            done += batchesHere;
        }
        return out;
    }

    /** As {@link #explain(SparkSession, InputTensor, EncoderFactory, RelaxConfig, int, int)}, over given ranges. */
    static Result explain(SparkSession spark, InputTensor input, EncoderFactory factory, RelaxConfig config,
                          List<long[]> ranges, int threadsPerTask) {
        long start = System.nanoTime();
        Explanation e = explanation(spark, input, factory, config, ranges, threadsPerTask);
        return new Result(e.importance(), e.uncertainty(), e.variance(), e.uRelax(), e.error(), e.masksUsed(),
                ranges.size(), Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * As {@link #explain(SparkSession, InputTensor, EncoderFactory, RelaxConfig, int, int)}, as the whole
     * {@link Explanation} (with its provenance), for writing the files {@code relax explain} writes.
     */
    public static Explanation explanation(SparkSession spark, InputTensor input, EncoderFactory factory,
                                          RelaxConfig config, int tasks, int threadsPerTask) {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
        }
        return explanation(spark, input, factory, config, ranges(config.masksToRun(config.maskSource(input.shape())),
                config.batchSize(), tasks), threadsPerTask);
    }

    private static Explanation explanation(SparkSession spark, InputTensor input, EncoderFactory factory,
                                           RelaxConfig config, List<long[]> ranges, int threadsPerTask) {
        ExplainSettings settings = ExplainSettings.of(config);
        // The driver merges on the cpu engine: combining needs no engine work, and no device on the driver.
        try (Engine cpu = Engines.create(Engines.CPU, config.threads(), null);
             Relax driver = new Relax(config, cpu)) {
            driver.requireSplittable();
            String key = ExecutorEncoders.key(factory);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<Input> x = jsc.broadcast(new Input(input.channels(), input.shape(), input.toArray()));
            int encoderThreads = Runtime.getRuntime().availableProcessors();

            Reference ref = jsc.parallelize(List.of(0), 1).map(i -> {
                try (Relax relax = new Relax(settings.toConfig(1))) {
                    return relax.reference(x.value().tensor(), ExecutorEncoders.get(factory, key, encoderThreads),
                            Target.unmasked());
                }
            }).collect().get(0);
            Broadcast<Reference> refb = jsc.broadcast(ref);

            List<PartialExplanation> parts = new ArrayList<>(jsc.parallelize(ranges, ranges.size()).map(r -> {
                try (Relax relax = new Relax(settings.toConfig(threadsPerTask))) {
                    return relax.explainRange(x.value().tensor(), ExecutorEncoders.get(factory, key, encoderThreads),
                            refb.value(), r[0], (int) r[1]);
                }
            }).collect());
            return driver.combine(input, Target.unmasked(), ref, parts);
        }
    }

    /** The input as it travels (InputTensor is not serialisable). */
    record Input(int channels, int[] shape, float[] data) implements Serializable {
        InputTensor tensor() {
            return InputTensor.of(channels, shape, data);
        }
    }
}
