package org.relax4j.spark;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.relax4j.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.EncoderException;
import org.relax4j.InputBatch;
import org.relax4j.InputTensor;
import org.relax4j.PixelMap;
import org.relax4j.RelaxConfig;
import org.relax4j.Similarity;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineRun;
import org.relax4j.engine.Engines;
import org.relax4j.estimate.BlockErrorEstimator;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.estimate.URelax;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;

/**
 * One large explanation split over the cluster: the mask range {@code [0, masks)} is cut into contiguous ranges of
 * whole batches, one per task; each task runs the engine over its range with the executor's encoder and returns
 * its partial estimator state ({@link WeightedWelford}: W, R, U per pixel) and its masks' similarities. The driver
 * merges the states in mask order with the estimator's exact merge (Chan et al.; spec, "The estimator"), so the
 * order in which tasks finish does not matter, and feeds the similarities to a {@link BlockErrorEstimator} (masks
 * are rendered again from their grids, as the single-JVM run does), so the error estimate is the single-JVM one.
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
        return explain(spark, input, factory, config, ranges(config.masksToRun(), config.batchSize(), tasks),
                threadsPerTask);
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
        if (config.estimator() != ImportanceEstimator.RATIO) {
            throw new IllegalArgumentException("split-mask mode computes the ratio estimator only; estimator = "
                    + config.estimator().id() + " needs every mask's features in one place: explain the image whole");
        }
        if (config.adaptive()) {
            throw new IllegalArgumentException("targetError = " + config.targetError() + ": a split explanation runs "
                    + "all its masks at once, so it cannot stop at a target error; run it in one JVM instead");
        }
        ExplainSettings settings = ExplainSettings.of(config);
        String key = ExecutorEncoders.key(factory);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Input> x = jsc.broadcast(new Input(input.channels(), input.height(), input.width(),
                input.toArray()));
        int encoderThreads = Runtime.getRuntime().availableProcessors();

        float[] h0 = jsc.parallelize(List.of(0), 1).map(i -> {
            Encoder enc = ExecutorEncoders.get(factory, key, encoderThreads);
            Embeddings e = enc.encode(InputBatch.of(x.value().tensor()));
            checkFinite(e, "the unmasked input");
            return e.data().clone();
        }).collect().get(0);
        if (squaredNorm(h0) == 0) {
            throw new EncoderException("the encoder's representation of the unmasked input is all zeros: cosine "
                    + "similarity to it is undefined, so RELAX cannot weight masks");
        }
        Broadcast<float[]> h0b = jsc.broadcast(h0);

        List<Partial> partials = new ArrayList<>(jsc.parallelize(ranges, ranges.size())
                .map(r -> partial(x.value().tensor(), h0b.value(), r[0], (int) r[1], settings, threadsPerTask,
                        ExecutorEncoders.get(factory, key, encoderThreads)))
                .collect());
        partials.sort(Comparator.comparingLong(p -> p.first));

        WeightedWelford merged = null;
        RelaxConfig c = settings.toConfig(1);
        MaskSource masks = c.maskSource();
        MaskGeometry geometry = new MaskGeometry(masks.cells(), input.height(), input.width());
        BlockErrorEstimator errors = new BlockErrorEstimator(input.height(), input.width(),
                BlockErrorEstimator.blockSizeFor(masks), masks.cells(), c.confidence());
        long used = 0;
        for (Partial p : partials) {
            WeightedWelford s = WeightedWelford.of(p.w, p.r, p.u);
            merged = merged == null ? s : merged.merge(s);
            for (int k = 0; k < p.similarities.length; k++) {
                errors.add(p.first + k, geometry.render(masks, p.first + k), 0, p.similarities[k]);
            }
            used += p.similarities.length;
        }
        errors.finish();
        int h = input.height();
        int w = input.width();
        float[] r = merged.importance();
        float[] u = merged.uncertainty();
        return new Result(new PixelMap(h, w, r), new PixelMap(h, w, u), new PixelMap(h, w, merged.variance()),
                new PixelMap(h, w, URelax.compute(r, u)), errors.estimate(), used, partials.size(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** One task: masks [first, first + count) through the engine and the encoder. */
    static Partial partial(InputTensor x, float[] h0, long first, int count, ExplainSettings settings, int threads,
                           Encoder encoder) {
        RelaxConfig c = settings.toConfig(threads);
        int maxBatch = Math.min(c.batchSize(), count);
        float[] sims = new float[count];
        float[] batchSims = new float[maxBatch];
        Similarity sim = c.similarity();
        try (Engine engine = Engines.create(c.engine(), threads, c.device());
             EngineRun run = engine.open(x, c.maskSource(), maxBatch, c.initialWeight())) {
            for (int done = 0; done < count; done += maxBatch) {
                int n = Math.min(maxBatch, count - done);
                long from = first + done;
                InputBatch batch = run.masked(from, n);
                Embeddings e = encoder.encode(batch);
                if (e.rows() != n || e.dim() != h0.length) {
                    throw new EncoderException("encoder returned " + e.rows() + "x" + e.dim() + " for masks [" + from
                            + ", " + (from + n) + "); expected " + n + "x" + h0.length);
                }
                checkFinite(e, "masks [" + from + ", " + (from + n) + ")");
                for (int b = 0; b < n; b++) {
                    batchSims[b] = sim.similarity(h0, 0, e.data(), b * e.dim(), e.dim());
                }
                System.arraycopy(batchSims, 0, sims, done, n);
                run.accumulate(from, n, batchSims);
            }
            WeightedWelford s = run.state();
            return new Partial(first, s.weights(), s.importance(), s.uncertainty(), sims);
        }
    }

    private static void checkFinite(Embeddings e, String what) {
        for (float v : e.data()) {
            if (!Float.isFinite(v)) {
                throw new EncoderException("encoder returned " + v + " for " + what + "; representations must be finite");
            }
        }
    }

    private static double squaredNorm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return s;
    }

    /** A task's partial estimator state over masks [first, first + similarities.length). */
    static final class Partial implements Serializable {
        private static final long serialVersionUID = 1L;
        final long first;
        final float[] w;
        final float[] r;
        final float[] u;
        final float[] similarities;

        Partial(long first, float[] w, float[] r, float[] u, float[] similarities) {
            this.first = first;
            this.w = w;
            this.r = r;
            this.u = u;
            this.similarities = similarities;
        }
    }

    /** The input as it travels (InputTensor is not serialisable). */
    record Input(int channels, int height, int width, float[] data) implements Serializable {
        InputTensor tensor() {
            return InputTensor.of(channels, height, width, data);
        }
    }
}
