package org.relax4j.tornado;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineComparison;
import org.relax4j.engine.EngineRun;
import org.relax4j.engine.Engines;
import org.relax4j.mask.RandomMasks;

/**
 * A device check, not a benchmark of record (that is relax-bench's JMH suite): on one device, the first batch of a
 * fresh run (TornadoVM compiles its kernels then) and the steady batch time (render + mask + accumulate, 3×224×224,
 * batch 100) of the cpu, opencl and tornado engines, each engine's maps compared with the cpu engine's. Used by
 * relax-gpu's nvidia-opencl-check.sh on a machine with an NVIDIA GPU.
 *
 * <pre>java @tornado-argfile -cp ... org.relax4j.tornado.EngineTimings [DEVICE_PART] [BATCHES]</pre>
 */
public final class EngineTimings {
    private EngineTimings() {
    }

    public static void main(String[] args) {
        String device = args.length > 0 ? args[0] : null;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int batch = 100;
        InputTensor input = InputTensor.filled(3, 224, 224, 0.5f);
        RandomMasks masks = new RandomMasks(1L, 7, 0.5f);
        float[] sims = new float[batch];
        for (int k = 0; k < batch; k++) {
            sims[k] = (float) Math.sin(k);
        }
        float[] reference = null;
        boolean failed = false;
        System.out.println("| engine | device | first batch | per batch (mean of " + batches + ") | importance vs cpu |");
        System.out.println("|---|---|---|---|---|");
        for (String name : List.of("cpu", "opencl", "tornado")) {
            List<Double> times = new ArrayList<>();
            try (Engine e = Engines.create(name, Runtime.getRuntime().availableProcessors(),
                    name.equals("cpu") ? null : device)) {
                long t0 = System.nanoTime();
                float[] importance;
                double first;
                try (EngineRun run = e.open(input, masks, batch, 1e-10f)) {
                    for (int b = 0; b <= batches; b++) {
                        long s = System.nanoTime();
                        run.masked((long) b * batch, batch);
                        run.accumulate((long) b * batch, batch, sims);
                        run.state();
                        times.add((System.nanoTime() - (b == 0 ? t0 : s)) / 1e6);
                    }
                    importance = run.state().importance();
                }
                first = times.remove(0);
                double mean = times.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                String check;
                if (reference == null) {
                    reference = importance;
                    check = "(reference)";
                } else {
                    double d = EngineComparison.maxRelativeDifference(reference, importance);
                    check = String.format(Locale.ROOT, "max rel. diff %.2g%s", d, d == 0 ? " (bit-identical)" : "");
                    failed |= d > EngineComparison.MAP_TOLERANCE;
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %.1f ms | %.2f ms | %s |%n", name, e.device(), first, mean,
                        check);
            } catch (RuntimeException ex) {
                System.out.println("| " + name + " | unavailable: " + ex.getMessage().lines().findFirst().orElse("")
                        + " | | | |");
                failed = true;
            }
        }
        System.exit(failed ? 1 : 0);
    }
}
