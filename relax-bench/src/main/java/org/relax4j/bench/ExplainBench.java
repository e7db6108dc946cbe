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
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.engine.CpuEngine;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;

/**
 * A whole explanation (default 3000 masks in batches of 100, 224 × 224 × 3) with a trivial encoder, so that
 * RELAX's own work dominates: {@code encoder=mean} reads every masked input once (the least any encoder does),
 * {@code encoder=probe} reads 64 pixels per channel and so times everything except the encoder — the figure
 * the spec gives for the PyTorch reference (3.3 s for 3000 masks on 2 cores).
 *
 * <p>The tear-down checks the last explanation's maps against the CPU engine's on the same configuration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(1)
public class ExplainBench {
    @Param({"cpu", "opencl", "tornado", "nd4j"})
    public String engine;

    /** {@code mean} or {@code probe}; see {@link BenchData#encoder}. */
    @Param({"probe", "mean"})
    public String encoder;

    @Param({"3000"})
    public int masks;

    @Param({"224"})
    public int size;

    @Param({"100"})
    public int batch;

    private Engine eng;
    private Relax relax;
    private RelaxConfig config;
    private InputTensor input;
    private Encoder enc;
    private Explanation last;

    @Setup(Level.Trial)
    public void setUp() {
        eng = Engines.create(engine, BenchData.threads(), null);
        config = RelaxConfig.builder().masks(masks).batchSize(batch).seed(BenchData.MASK_SEED)
                .threads(BenchData.threads()).build();
        relax = new Relax(config, eng);
        input = BenchData.input(size);
        enc = BenchData.encoder(encoder);
    }

    @Benchmark
    public Explanation explain() {
        last = relax.explain(input, enc);
        return last;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (last != null && !(eng instanceof CpuEngine)) {
                try (CpuEngine cpu = new CpuEngine(BenchData.threads()); Relax reference = new Relax(config, cpu)) {
                    Explanation expected = reference.explain(input, BenchData.encoder(encoder));
                    CrossCheck.maps(expected, last, engine + " explanation of " + masks + " masks");
                }
            }
        } finally {
            relax.close();
            eng.close();
        }
    }
}
