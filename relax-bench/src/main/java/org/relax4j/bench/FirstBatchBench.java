package org.relax4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineRun;
import org.relax4j.engine.Engines;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskSource;

/**
 * The first batch of a fresh JVM, measured once per fork: opening the run, render + mask, accumulate and the state.
 * The engine is created before the clock starts (the OpenCL engine builds {@code relax.cl} then); what is timed is
 * what a first explanation waits for beyond that: TornadoVM compiles its Java kernels on a run's first execution,
 * the OpenCL driver sets up its queue, and every engine's Java code runs cold. {@link BatchBench} gives the steady
 * state.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(5)
public class FirstBatchBench {
    /** Engine name, as {@link BatchBench#engine}. */
    @Param({"cpu", "opencl", "tornado", "nd4j"})
    public String engine;

    /** Input height and width (3 channels). */
    @Param({"224"})
    public int size;

    /** Masks per batch. */
    @Param({"100"})
    public int batch;

    private Engine eng;
    private InputTensor input;
    private MaskSource masks;
    private float[] sims;

    @Setup(Level.Trial)
    public void setUp() {
        eng = Engines.create(engine, BenchData.threads(), null);
        input = BenchData.input(size);
        masks = BenchData.masks();
        sims = BenchData.similarities(batch, 1);
    }

    /** Open, render + mask, accumulate, state: the first batch of the JVM's first explanation. */
    @Benchmark
    public WeightedWelford firstBatch() {
        try (EngineRun run = eng.open(input, masks, batch, 1e-10f)) {
            run.masked(0, batch);
            run.accumulate(0, batch, sims);
            return run.state();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        eng.close();
    }
}
