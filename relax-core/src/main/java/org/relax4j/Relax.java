package org.relax4j;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineRun;
import org.relax4j.engine.Engines;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskSource;

/**
 * The RELAX explainer (Wickstrøm et al., IJCV 2023): masks the input many times with smooth random masks,
 * encodes every masked copy, weights each mask by the similarity of its representation to the unmasked one,
 * and accumulates per-pixel importance, uncertainty and U-RELAX.
 *
 * <pre>{@code
 * try (Relax relax = new Relax(RelaxConfig.defaults())) {
 *     Explanation e = relax.explain(input, encoder);
 *     float[] importance = e.importance().values();
 * }
 * }</pre>
 *
 * <p>Every explanation carries an estimate of its importance map's error ({@link Explanation#error()}), made
 * from independent blocks of its own masks; with {@link RelaxConfig.Builder#targetError} the run stops as soon as
 * that estimate reaches the target. Memory is bounded by the batch size, never by the number of masks. The same configuration (seed
 * included) gives bit-identical maps on every run, thread count and batch size. An instance owns its engine
 * (created in the constructor, so a missing OpenCL device fails here, not mid-run) and is closed when done.
 * Not thread safe: run one explanation at a time per instance.
 */
public final class Relax implements AutoCloseable {
    private final RelaxConfig config;
    private final Engine engine;
    private final boolean ownsEngine;

    /**
     * Creates the configured engine.
     *
     * @param config the settings, including the engine to create
     */
    public Relax(RelaxConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.engine = Engines.create(config.engine(), config.threads(), config.device());
        this.ownsEngine = true;
    }

    /**
     * Uses an engine the caller owns (and closes); {@code config.engine()} is ignored.
     *
     * @param config the settings
     * @param engine the engine to run on
     */
    public Relax(RelaxConfig config, Engine engine) {
        this.config = Objects.requireNonNull(config, "config");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.ownsEngine = false;
    }

    /** {@return the configuration} */
    public RelaxConfig config() {
        return config;
    }

    /** {@return the engine's description, e.g. "cpu, 2 threads"} */
    public String engineDescription() {
        return engine.name() + " (" + engine.device() + ")";
    }

    /**
     * Explains {@code input} under {@code encoder}, without progress reports or cancellation.
     *
     * @param input the input to explain
     * @param encoder the model that maps inputs to embeddings
     * @return the importance and uncertainty maps
     */
    public Explanation explain(InputTensor input, Encoder encoder) {
        return explain(input, encoder, ProgressListener.NONE, null);
    }

    /**
     * Explains {@code input} under {@code encoder}.
     *
     * @return the importance and uncertainty maps, with their error estimate and provenance
     * @param input the input, (C, H, W); for images, usually ImageNet-normalised, since masks multiply it
     * @param encoder the model; called once with the unmasked input, then once per batch
     * @param listener told after every batch; not null
     * @param cancellation checked before every batch; may be null
     * @throws IllegalArgumentException if the input is too small for the cells
     * @throws EncoderException if the encoder throws or returns a wrong shape, non-finite values, or a zero
     *         unmasked representation (with cosine similarity); or, after the run, if every masked input got the
     *         same similarity (the encoder ignores its input, so the maps would be flat) or the accumulated maps are
     *         not finite (similarities too large for float32)
     * @throws CancellationException if cancelled
     */
    public Explanation explain(InputTensor input, Encoder encoder, ProgressListener listener,
                               CancellationToken cancellation) {
        return explain(input, encoder, Target.unmasked(), listener, cancellation);
    }

    /**
     * Explains {@code input} under {@code encoder}, weighting each mask by the similarity of the masked input's
     * representation to {@code target}: with {@link Target#unmasked()}, RELAX as published; with another
     * representation (a query's, another image's), which parts of the input make it match that target.
     *
     * @return the maps, with their error estimate, provenance and {@link Explanation#targetSimilarity()}
     * @param input the input, C channels over a spatial shape of rank 1 to 3 (the configured masks' domain: smooth
     *        masks with {@link RelaxConfig#cells()} per axis, or {@link RelaxConfig#discrete()} masks)
     * @param encoder the model; called once with the unmasked input (once more with a target input), then once per
     *        batch
     * @param target what masked representations are compared with
     * @param listener told after every batch; not null
     * @param cancellation checked before every batch; may be null
     * @throws IllegalArgumentException if the input does not fit the masks (rank, size for the cells), a baseline
     *         tensor has another shape, or the estimator does not support the domain
     * @throws EncoderException as {@link #explain(InputTensor, Encoder, ProgressListener, CancellationToken)}, and if
     *         the target representation's length differs from the encoder's
     * @throws CancellationException if cancelled
     */
    public Explanation explain(InputTensor input, Encoder encoder, Target target, ProgressListener listener,
                               CancellationToken cancellation) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(listener, "listener");
        long start = System.nanoTime();
        Masking m = masking(input);
        long cap = config.masksToRun(m.masks);
        try (ErrorTracking errors = errorTracking(m)) {
            int maxBatch = (int) Math.min(batchSize(errors), cap);
            // Opening the run first checks the input against the masks before the encoder spends any time.
            try (Batches batches = new Batches(m, input, encoder, maxBatch, listener)) {
                long t = System.nanoTime();
                Reference ref = reference(input, encoder, target);
                batches.encoderNanos += System.nanoTime() - t;
                double estimate = Double.NaN;
                long used = 0;
                for (long first = 0; first < cap; first += maxBatch) {
                    if (cancellation != null && cancellation.isCancelled()) {
                        throw new CancellationException("explanation cancelled after " + first + " of " + cap + " masks");
                    }
                    int count = (int) Math.min(maxBatch, cap - first);
                    long next = first + count;
                    float[] sims = batches.run(ref.target(), first, count,
                            next < cap ? (int) Math.min(maxBatch, cap - next) : 0);
                    t = System.nanoTime();
                    errors.add(first, count, sims);
                    boolean stop = config.adaptive() && next < cap && errors.reached(config.targetError());
                    // The estimate costs a pass over the pixels and the blocks' Gram matrix: outside adaptive runs it
                    // is refreshed for the progress report at every tenth of the run only.
                    if (config.adaptive() || next * 10 / cap != first * 10 / cap || next >= cap) {
                        estimate = errors.bound();
                    }
                    batches.accumulationNanos += System.nanoTime() - t;
                    used = next;
                    listener.onProgress(new Progress(next, stop ? next : cap,
                            Duration.ofNanos(System.nanoTime() - start), estimate));
                    if (stop) {
                        break;
                    }
                }
                t = System.nanoTime();
                WeightedWelford state = batches.run.state();
                batches.accumulationNanos += System.nanoTime() - t;
                return finish(m, state, errors, used, batches.range, batches.timings(start), target,
                        ref.targetSimilarity());
            }
        }
    }

    /**
     * What masked representations are compared with: encodes the unmasked input (and a target input), with the
     * encoder checks, and refuses a target that cosine similarity cannot use. The first step of every explanation;
     * public for a split explanation, which makes it once and hands it to every {@link #explainRange}.
     *
     * @param input the input, as {@link #explain} takes it
     * @param encoder the model
     * @param target what masked representations are compared with
     * @return the unmasked and target representations and their similarity
     * @throws EncoderException as {@link #explain}
     */
    public Reference reference(InputTensor input, Encoder encoder, Target target) {
        Embeddings unmasked = encode(encoder, unmaskedBatch(input), 1, -1, "the unmasked input");
        int dim = unmasked.dim();
        float[] own = java.util.Arrays.copyOf(unmasked.data(), dim);
        float[] h0 = targetRepresentation(target, encoder, own);
        if (config.similarity() == Similarity.cosine() && squaredNorm(h0) == 0) {
            throw new EncoderException("the " + (target.isUnmasked() ? "encoder's representation of the unmasked "
                    + "input" : "target representation") + " is all zeros: cosine similarity to it is undefined, "
                    + "so RELAX cannot weight masks");
        }
        return new Reference(own, h0, config.similarity().similarity(h0, 0, own, 0, dim));
    }

    /**
     * One part of a split explanation: masks {@code [first, first + count)} through the engine and the encoder,
     * exactly as {@link #explain} runs them (baseline, encoder checks, similarity to the reference), without the
     * error estimate, which {@link #combine} computes over all parts. The ranges of a split are usually whole
     * batches; a part runs in batches of the configured size from its first mask.
     *
     * @param input the input, as {@link #explain} takes it
     * @param encoder the model
     * @param reference from {@link #reference}, the same for every part
     * @param first the first mask
     * @param count the number of masks, at least 1
     * @return the estimator's state over the range, with every mask's similarity
     * @throws IllegalArgumentException if the configuration is adaptive (a target error needs the masks in order)
     * @throws EncoderException as {@link #explain}
     */
    public PartialExplanation explainRange(InputTensor input, Encoder encoder, Reference reference, long first,
                                           int count) {
        Objects.requireNonNull(reference, "reference");
        requireSplittable();
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + count);
        }
        Masking m = masking(input);
        int maxBatch = Math.min(config.batchSize(), count);
        float[] all = new float[count];
        try (Batches batches = new Batches(m, input, encoder, maxBatch, ProgressListener.NONE)) {
            for (int done = 0; done < count; done += maxBatch) {
                int n = Math.min(maxBatch, count - done);
                int after = Math.min(maxBatch, count - done - n);
                float[] sims = batches.run(reference.target(), first + done, n, after);
                System.arraycopy(sims, 0, all, done, n);
            }
            WeightedWelford s = batches.run.state();
            return new PartialExplanation(first, s.weights(), s.importance(), s.uncertainty(), all);
        }
    }

    /**
     * Merges the parts of a split explanation into the explanation: their states in mask order with the estimator's
     * exact merge (spec, "The estimator"), and every similarity into the error estimate (and the control variate) in
     * mask order, as {@link #explain} does. The maps equal the single run's to about 1e-6 relative (the merge runs
     * in double, the single run's update in float32), bit for bit when there is one part; the error estimate is the
     * single run's.
     *
     * @param input the input the parts explained (its shape decides the masks)
     * @param target the target the reference was made for
     * @param reference the parts' reference
     * @param parts the parts in any order; together exactly masks [0, n)
     * @return the explanation of masks [0, n)
     * @throws IllegalArgumentException if the parts overlap, leave a gap or do not start at mask 0
     */
    public Explanation combine(InputTensor input, Target target, Reference reference,
                               java.util.Collection<PartialExplanation> parts) {
        long start = System.nanoTime();
        requireSplittable();
        java.util.List<PartialExplanation> sorted = new java.util.ArrayList<>(parts);
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no parts to combine");
        }
        sorted.sort(java.util.Comparator.comparingLong(PartialExplanation::first));
        Masking m = masking(input);
        WeightedWelford merged = null;
        SimilarityRange range = new SimilarityRange();
        long next = 0;
        try (ErrorTracking errors = errorTracking(m)) {
            for (PartialExplanation p : sorted) {
                if (p.first() != next) {
                    throw new IllegalArgumentException("parts must cover the masks from 0 without gaps or overlaps; "
                            + "after mask " + next + " comes a part starting at " + p.first());
                }
                WeightedWelford s = p.state();
                merged = merged == null ? s : merged.merge(s);
                for (int k = 0; k < p.count(); k++) {
                    range.add(p.first() + k, p.similarities()[k]);
                }
                errors.add(p.first(), p.count(), p.similarities());
                next += p.count();
            }
            Duration d = Duration.ofNanos(System.nanoTime() - start);
            return finish(m, merged, errors, next, range, new Timings(Duration.ZERO, Duration.ZERO, d, d), target,
                    reference.targetSimilarity());
        }
    }

    /**
     * Checks that this configuration can be explained in parts ({@link #explainRange}, {@link #combine}): not with a
     * target error, which needs the masks in order to decide where to stop.
     *
     * @throws IllegalArgumentException naming the target error, if there is one
     */
    public void requireSplittable() {
        if (config.adaptive()) {
            throw new IllegalArgumentException("targetError = " + config.targetError() + ": a split explanation runs "
                    + "all its masks at once, so it cannot stop at a target error; run it in one JVM instead");
        }
    }

    /**
     * The batch size to run with: the configured one, except that an adaptive run lines batches up with the error
     * estimate's blocks (a multiple of the block size, or a power-of-two fraction of it), so that it can stop at a
     * block's end without rounding the configured batch size up.
     */
    private int batchSize(ErrorTracking errors) {
        int b = config.batchSize();
        if (!config.adaptive()) {
            return b;
        }
        int block = errors.blockSize();
        if (b >= block) {
            return b / block * block;
        }
        int fraction = block;
        while (fraction > b || block % fraction != 0) {
            fraction--;
        }
        return fraction;
    }

    /**
     * Replays a run recorded elsewhere without an encoder: mask n of the configured mask source (usually
     * {@link org.relax4j.mask.RecordedMasks}) gets similarity {@code similarities[n]}. With the reference's
     * recorded masks and similarities this reproduces its maps bit for bit.
     *
     * @param height the input's height
     * @param width the input's width
     * @return the maps
     * @param similarities one finite value per mask, in mask order. Not modified.
     */
    public Explanation replay(int height, int width, float[] similarities) {
        Objects.requireNonNull(similarities, "similarities");
        // No input: nothing is masked, so no baseline either.
        int[] shape = {height, width};
        MaskSource masks = config.maskSource(shape);
        Masking m = new Masking(shape, masks, MaskDomain.of(shape, masks), null, InputTensor.filled(1, height, width,
                0f));
        if (similarities.length == 0 || similarities.length > masks.size()) {
            throw new IllegalArgumentException(similarities.length + " similarities for a mask source of "
                    + masks.size() + " masks");
        }
        for (int n = 0; n < similarities.length; n++) {
            if (!Float.isFinite(similarities[n])) {
                throw new IllegalArgumentException("similarity of mask " + n + " is " + similarities[n]);
            }
        }
        long start = System.nanoTime();
        int total = similarities.length;
        int maxBatch = Math.min(config.batchSize(), total);
        float[] sims = new float[maxBatch];
        SimilarityRange range = new SimilarityRange();
        try (EngineRun run = engine.open(m.engineInput, masks, maxBatch, config.initialWeight());
             ErrorTracking errors = errorTracking(m)) {
            for (int first = 0; first < total; first += maxBatch) {
                int count = Math.min(maxBatch, total - first);
                System.arraycopy(similarities, first, sims, 0, count);
                run.accumulate(first, count, sims);
                errors.add(first, count, sims);
                for (int k = 0; k < count; k++) {
                    range.add(first + k, sims[k]);
                }
            }
            WeightedWelford state = run.state();
            Duration d = Duration.ofNanos(System.nanoTime() - start);
            return finish(m, state, errors, total, range, new Timings(Duration.ZERO, Duration.ZERO, d, d),
                    Target.unmasked(), Double.NaN);
        }
    }

    /** The last step of every explanation: the error estimate, the estimator's importance, the checks. */
    private Explanation finish(Masking m, WeightedWelford state, ErrorTracking errors, long used,
                               SimilarityRange range, Timings timings, Target target, double targetSimilarity) {
        long t = System.nanoTime();
        ErrorEstimate error = errors.finish();
        float[] importance = null;
        if (errors.adjusts()) {
            ErrorTracking.Adjusted adjusted = errors.adjust();
            importance = adjusted.importance();
            error = adjusted.error();
        }
        Duration extra = Duration.ofNanos(System.nanoTime() - t);
        checkMeaningful(state, range, used, m.shape);
        Timings all = new Timings(timings.masking(), timings.encoder(), timings.accumulation().plus(extra),
                timings.total().plus(extra));
        return new Explanation(m.shape, state, importance, used, error, all, engineDescription(), config, target,
                targetSimilarity, m.masks.toString());
    }

    /**
     * An input's masks: their source and domain for its shape, and the input the engine masks. Engines only multiply,
     * so with a baseline b they mask x − b and b is added back to every batch (class Baseline).
     */
    private Masking masking(InputTensor input) {
        int[] shape = input.shape();
        MaskSource masks = config.maskSource(shape);
        MaskDomain domain = MaskDomain.of(shape, masks);
        float[] baseline = config.baseline().valuesFor(input);
        return new Masking(shape, masks, domain, baseline, baseline == null ? input : minus(input, baseline));
    }

    private record Masking(int[] shape, MaskSource masks, MaskDomain domain, float[] baseline,
                           InputTensor engineInput) {
    }

    private ErrorTracking errorTracking(Masking m) {
        return new ErrorTracking(m.masks, m.domain, config.confidence(), config.stopConfidence(),
                config.estimator().controlVariate(m.domain, config.keepProbability()), config.threads());
    }

    /**
     * The one batch step of every explanation: render the masked batch, add the baseline, start the next batch,
     * encode with the encoder checks, score against the target with the similarity, accumulate, and hand the
     * similarities to the listener. Keeps the time spent in each part. Not thread safe.
     */
    private final class Batches implements AutoCloseable {
        final EngineRun run;
        final Masking m;
        final Encoder encoder;
        final ProgressListener listener;
        final float[] sims;
        final SimilarityRange range = new SimilarityRange();
        long maskingNanos;
        long encoderNanos;
        long accumulationNanos;
        private int dim = -1;

        Batches(Masking m, InputTensor input, Encoder encoder, int maxBatch, ProgressListener listener) {
            this.m = m;
            this.encoder = encoder;
            this.listener = listener;
            this.sims = new float[maxBatch];
            this.run = engine.open(m.engineInput, m.masks, maxBatch, config.initialWeight());
        }

        /**
         * Masks [first, first + count) through the encoder into the estimator; {@code nextCount} masks from
         * {@code first + count} come next (0: none).
         *
         * @return the batch's similarities, in a buffer reused by the next call
         */
        float[] run(float[] target, long first, int count, int nextCount) {
            long t = System.nanoTime();
            InputBatch batch = run.masked(first, count);
            if (m.baseline != null) {
                addBaseline(batch, m.baseline);
            }
            long next = first + count;
            if (nextCount > 0) {
                run.prefetch(next, nextCount);
            }
            maskingNanos += System.nanoTime() - t;

            t = System.nanoTime();
            Embeddings e = encode(encoder, batch, count, target.length, "masks [" + first + ", " + next + ")");
            encoderNanos += System.nanoTime() - t;

            t = System.nanoTime();
            similarities(target, e, count, first, sims, range);
            run.accumulate(first, count, sims);
            accumulationNanos += System.nanoTime() - t;
            listener.onBatch(first, count, sims);
            return sims;
        }

        Timings timings(long start) {
            return new Timings(Duration.ofNanos(maskingNanos), Duration.ofNanos(encoderNanos),
                    Duration.ofNanos(accumulationNanos), Duration.ofNanos(System.nanoTime() - start));
        }

        @Override
        public void close() {
            run.close();
        }
    }


    /** The representation masked ones are compared with: the unmasked input's own, a given one, or another input's. */
    private static float[] targetRepresentation(Target target, Encoder encoder, float[] own) {
        if (target.isUnmasked()) {
            return own;
        }
        float[] h;
        if (target.representation() != null) {
            h = target.representation();
        } else {
            Embeddings e = encode(encoder, unmaskedBatch(target.input()), 1, -1, "the target input");
            h = java.util.Arrays.copyOf(e.data(), e.dim());
        }
        if (h.length != own.length) {
            throw new EncoderException("the target representation has " + h.length + " values but the encoder returns "
                    + own.length + " for the input; a target must come from the same model");
        }
        return h;
    }

    /** {@code x − b}, the input the engine masks when there is a baseline. */
    private static InputTensor minus(InputTensor x, float[] b) {
        float[] d = x.toArray();
        for (int k = 0; k < d.length; k++) {
            d[k] -= b[k];
        }
        return InputTensor.of(x.channels(), x.shape(), d);
    }

    /** Adds the baseline to every input of a masked batch: {@code m·(x − b) + b}. */
    private static void addBaseline(InputBatch batch, float[] b) {
        float[] d = batch.data();
        int n = batch.sampleLength();
        for (int i = 0; i < batch.size(); i++) {
            int o = batch.offsetOf(i);
            for (int k = 0; k < n; k++) {
                d[o + k] += b[k];
            }
        }
    }

    private static Embeddings encode(Encoder encoder, InputBatch batch, int rows, int dim, String what) {
        Embeddings e;
        try {
            e = encoder.encode(batch);
        } catch (RuntimeException ex) {
            throw new EncoderException("encoder failed on " + what + ": " + ex, ex);
        }
        if (e == null) {
            throw new EncoderException("encoder returned null for " + what);
        }
        if (e.rows() != rows) {
            throw new EncoderException("encoder returned " + e.rows() + " rows for " + what + " (a batch of " + rows
                    + "); it must return one representation per input");
        }
        if (dim >= 0 && e.dim() != dim) {
            throw new EncoderException("encoder returned representations of " + e.dim() + " values for " + what
                    + ", but " + dim + " for the unmasked input");
        }
        float[] d = e.data();
        for (int k = 0; k < rows * e.dim(); k++) {
            if (!Float.isFinite(d[k])) {
                throw new EncoderException("encoder returned " + d[k] + " at row " + (k / e.dim()) + ", column "
                        + (k % e.dim()) + " for " + what + "; representations must be finite");
            }
        }
        return e;
    }

    /**
     * The unmasked input as a batch of one, on a copy: the encoder gets a view it could write into, and the
     * caller's tensor (which the engine keeps masking) must stay as it is. Masked batches need no copy, since
     * engines render every element of each batch afresh.
     */
    private static InputBatch unmaskedBatch(InputTensor input) {
        return new InputBatch(input.toArray(), 0, 1, input.channels(), input.shape());
    }

    /** The smallest and largest similarity of a run, and the mask with the largest magnitude. Not thread safe. */
    private static final class SimilarityRange {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        float largest = -1f;
        long largestMask = -1;

        void add(long mask, float s) {
            min = Math.min(min, s);
            max = Math.max(max, s);
            if (Math.abs(s) > largest) {
                largest = Math.abs(s);
                largestMask = mask;
            }
        }
    }

    /**
     * Refuses results that only look like maps: every masked input with the same similarity (the encoder ignores
     * its input, e.g. returns zeros for every masked input, so importance is that value everywhere and uncertainty
     * zero), or a state that overflowed float32 (a similarity of 1e30 squares to infinity).
     */
    private static void checkMeaningful(WeightedWelford state, SimilarityRange range, long total, int[] shape) {
        if (total >= 2 && range.min == range.max) {
            throw new EncoderException("all " + total + " masked inputs have the same similarity (" + range.min
                    + ") to the unmasked input: the encoder's representation does not change when the input is masked "
                    + "(does it ignore its input?), or every mask keeps the whole input; the maps would be flat");
        }
        String which = firstNonFinite(state.importance(), "importance", shape);
        if (which == null) {
            which = firstNonFinite(state.uncertainty(), "uncertainty", shape);
        }
        if (which != null) {
            throw new EncoderException("the accumulated maps are not finite (" + which + "): similarities ranged over ["
                    + range.min + ", " + range.max + "], the largest in magnitude at mask " + range.largestMask
                    + "; values this large overflow float32 when squared; use a similarity bounded like cosine's");
        }
    }

    private static String firstNonFinite(float[] map, String name, int[] shape) {
        int width = shape[shape.length - 1];
        for (int p = 0; p < map.length; p++) {
            if (!Float.isFinite(map[p])) {
                String at = shape.length == 2 ? "pixel (" + p / width + ", " + p % width + ")" : "position " + p;
                return name + " at " + at + " is " + map[p];
            }
        }
        return null;
    }

    private void similarities(float[] h0, Embeddings e, int count, long first, float[] out, SimilarityRange range) {
        Similarity sim = config.similarity();
        float[] d = e.data();
        int dim = e.dim();
        for (int b = 0; b < count; b++) {
            float s = sim.similarity(h0, 0, d, b * dim, dim);
            if (!Float.isFinite(s)) {
                throw new EncoderException("similarity " + sim + " returned " + s + " for mask " + (first + b));
            }
            out[b] = s;
            range.add(first + b, s);
        }
    }

    private static double squaredNorm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s;
    }

    /** Closes the engine if this instance created it. */
    @Override
    public void close() {
        if (ownsEngine) {
            engine.close();
        }
    }
}
