package org.relax4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineRun;
import org.relax4j.engine.Engines;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskSource;

/**
 * One batch of RELAX's own work on each engine, in the order the explainer does it: render + mask
 * ({@link #mask}), accumulate ({@link #accumulate}), and both ({@link #batch}: what a batch costs apart from the
 * encoder). Times are per batch.
 *
 * <p>The engine and its run are created per trial and reused by every invocation, so the run's state mutates:
 * {@link #mask} and {@link #batch} walk through fresh masks (as an explanation does), {@link #accumulate} adds
 * the same batch of masks again and again (the estimator's cost does not depend on the values). The trial's
 * tear-down then checks the engine against the CPU engine on this size and batch ({@link CrossCheck}).
 *
 * <p>Sizes and batch sizes: {@code -p size=112,224,448} and {@code -p batch=16,100,256} show how the work grows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class BatchBench {
    /** Batches {@link #accumulate} adds per invocation, between two waits for an asynchronous engine. */
    static final int ACCUMULATE_BATCHES = 10;

    /**
     * Engine name for {@link Engines#create}: {@code cpu}, {@code opencl} (relax-gpu), {@code tornado} (relax-tornado,
     * in a JVM started with TornadoVM's options) or {@code nd4j} (the baseline).
     */
    @Param({"cpu", "opencl", "tornado", "nd4j"})
    public String engine;

    /** Input height and width (3 channels). */
    @Param({"224"})
    public int size;

    /** Masks per batch. */
    @Param({"100"})
    public int batch;

    private Engine eng;
    private EngineRun run;
    private InputTensor input;
    private MaskSource masks;
    private float[] sims;
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        eng = Engines.create(engine, BenchData.threads(), null);
        input = BenchData.input(size);
        masks = BenchData.masks();
        sims = BenchData.similarities(batch, 1);
        run = eng.open(input, masks, batch, 1e-10f);
        // The range that accumulate() adds over and over.
        run.masked(0, batch);
        next = batch;
    }

    /** Renders masks and writes the masked batch the encoder would read (then hints the next batch, as the explainer does). */
    @Benchmark
    public InputBatch mask() {
        long first = next;
        next += batch;
        InputBatch b = run.masked(first, batch);
        run.prefetch(next, batch);
        return b;
    }

    /**
     * Adds a batch of masks (already drawn) to the estimator, {@value #ACCUMULATE_BATCHES} times, then reads the
     * state once, which waits for an asynchronous engine to finish.
     */
    @Benchmark
    @OperationsPerInvocation(ACCUMULATE_BATCHES)
    public WeightedWelford accumulate() {
        for (int k = 0; k < ACCUMULATE_BATCHES; k++) {
            run.accumulate(0, batch, sims);
        }
        return run.state();
    }

    /** One batch of the explainer's loop without the encoder: masked, prefetch of the next batch, accumulate. */
    @Benchmark
    public InputBatch batch() {
        long first = next;
        next += batch;
        InputBatch b = run.masked(first, batch);
        run.prefetch(next, batch);
        run.accumulate(first, batch, sims);
        return b;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (run != null) {
                run.state();
                run.close();
            }
            if (eng != null) {
                CrossCheck.engine(eng, input, masks, batch, 3);
            }
        } finally {
            if (eng != null) {
                eng.close();
            }
        }
    }
}
