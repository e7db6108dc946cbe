package org.relax4j.gpu;

import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clEnqueueCopyBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseMemObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.Fixtures;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.engine.CpuEngine;
import org.relax4j.engine.EngineComparison;
import org.relax4j.engine.EngineRun;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.CounterDraws;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.RandomMasks;

/**
 * Times every kernel of the {@code opencl} engine at one batch shape (default: batch 100 of 3×224×224, 7 cells),
 * against a device-to-device {@code clEnqueueCopyBuffer} of the batch measured in the same run, and prints a table
 * with the achieved bandwidth. Also compares both host-transfer modes and both ways of accumulating, checks the
 * results against the CPU engine, and measures how much of the device's work hides behind a (sleeping) encoder.
 *
 * <p>A measuring tool, not a test: it lives in relax-gpu's test sources (it reaches into package-private runs) and
 * ships in the device bundle's {@code relax-gpu-tests.jar}, never in the main jar.
 * <pre>
 *   java -cp relax-core.jar:relax-core-tests.jar:relax-gpu.jar:relax-gpu-tests.jar:jocl.jar org.relax4j.gpu.KernelTimings \
 *        [--device D] [--batch 100] [--channels 3] [--height 224] [--width 224] [--cells 7] [--reps 5] [--batches 6]
 * </pre>
 * Times are medians over {@code reps} after one warm-up, from enqueue to {@code clFinish} (so they include launch
 * overhead). "Bytes" counts the traffic a kernel cannot avoid: what it writes plus what it must read once (a
 * kernel that reads the input for every mask is credited with one read; tables and grids are cache-resident).
 */
public final class KernelTimings {
    private final String device;
    private final int batch;
    private final int channels;
    private final int height;
    private final int width;
    private final int cells;
    private final int reps;
    private final int batches;
    private final List<String[]> rows = new ArrayList<>();
    private double copySeconds;

    private KernelTimings(String device, int batch, int channels, int height, int width, int cells, int reps, int batches) {
        this.device = device;
        this.batch = batch;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.cells = cells;
        this.reps = reps;
        this.batches = batches;
    }

    public static void main(String[] args) {
        String device = null;
        int[] v = {100, 3, 224, 224, 7, 5, 6};
        String[] names = {"--batch", "--channels", "--height", "--width", "--cells", "--reps", "--batches"};
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--device") && i + 1 < args.length) {
                device = args[++i];
                continue;
            }
            int k = Arrays.asList(names).indexOf(args[i]);
            if (k < 0 || i + 1 >= args.length) {
                System.err.println("usage: KernelTimings [--device D] [--batch N] [--channels C] [--height H] [--width W]"
                        + " [--cells K] [--reps R] [--batches N]");
                System.exit(2);
            }
            v[k] = Integer.parseInt(args[++i]);
        }
        new KernelTimings(device, v[0], v[1], v[2], v[3], v[4], v[5], v[6]).run();
    }

    private interface Step {
        void run();
    }

    /** Median seconds of {@code reps} timed runs after one warm-up; each run ends with the device idle. */
    private double time(Step step, Step finish) {
        step.run();
        finish.run();
        double[] t = new double[reps];
        for (int k = 0; k < reps; k++) {
            long start = System.nanoTime();
            step.run();
            finish.run();
            t[k] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    private final List<String> notes = new ArrayList<>();

    /** Accumulation is compute-bound (its compulsory traffic is tiny): also report pixel-mask updates per second. */
    private double updates(String what, double seconds) {
        notes.add(fmt("%s: %.0f million pixel-mask updates/s", what, (double) batch * height * width / seconds / 1e6));
        return seconds;
    }

    private void row(String what, double seconds, double bytes) {
        double gbs = bytes / seconds / 1e9;
        double copyGbs = copyBytes() / copySeconds / 1e9;
        rows.add(new String[] {what, fmt("%.2f", seconds * 1e3), fmt("%.1f", bytes / 1e6), fmt("%.1f", gbs),
                bytes > 0 ? fmt("%.0f%%", 100 * gbs / copyGbs) : "-"});
    }

    private static String fmt(String f, Object... v) {
        return String.format(Locale.ROOT, f, v);
    }

    private double batchBytes() {
        return (double) batch * channels * height * width * Float.BYTES;
    }

    private double copyBytes() {
        return 2 * batchBytes();
    }

    private InputTensor input() {
        return Fixtures.randomInput(channels, height, width, 11);
    }

    private static float[] similarities(int n) {
        return Fixtures.randomSimilarities(n, 5);
    }

    /**
     * Seconds for one device-to-device {@code clEnqueueCopyBuffer} of {@code bytes}, the average of
     * {@code repetitions} after one warm-up: the bandwidth yardstick of the table.
     */
    private static double copyBufferSeconds(KernelProgram program, long bytes, int repetitions) {
        Releaser r = new Releaser();
        try {
            cl_command_queue q = program.createQueue();
            r.add("clReleaseCommandQueue", () -> clReleaseCommandQueue(q));
            cl_mem a = ClCalls.call("clCreateBuffer", () -> clCreateBuffer(program.context(), CL_MEM_READ_WRITE, bytes, null, null));
            r.add("clReleaseMemObject", () -> clReleaseMemObject(a));
            cl_mem b = ClCalls.call("clCreateBuffer", () -> clCreateBuffer(program.context(), CL_MEM_READ_WRITE, bytes, null, null));
            r.add("clReleaseMemObject", () -> clReleaseMemObject(b));
            ClCalls.run("clEnqueueCopyBuffer", () -> clEnqueueCopyBuffer(q, b, a, 0, 0, bytes, 0, null, null));
            ClCalls.run("clFinish", () -> clFinish(q));
            long t = System.nanoTime();
            for (int k = 0; k < repetitions; k++) {
                ClCalls.run("clEnqueueCopyBuffer", () -> clEnqueueCopyBuffer(q, a, b, 0, 0, bytes, 0, null, null));
            }
            ClCalls.run("clFinish", () -> clFinish(q));
            return (System.nanoTime() - t) / 1e9 / repetitions;
        } finally {
            r.releaseAll();
        }
    }

    private void run() {
        InputTensor x = input();
        RandomMasks masks = new RandomMasks(2024, cells, 0.5f);
        float[] sims = similarities(batch);
        double pixels = (double) height * width;
        double inputBytes = channels * pixels * Float.BYTES;
        double stateBytes = 6 * pixels * Float.BYTES;
        MaskGeometry geometry = new MaskGeometry(cells, height, width);
        DeviceBackend.RunLayout layout = new DeviceBackend.RunLayout(x.toArray(), channels, height, width, geometry,
                batch, batch, 1e-10f);
        CounterDraws draws = masks.counterDraws().orElseThrow();
        try (OpenClBackend backend = new OpenClBackend(device, KernelProgram.defaultSource(),
                new OpenClBackend.Options(TransferMode.MAPPED, Accumulation.Mode.RECOMPUTE))) {
            System.out.println("device: " + backend.description());
            System.out.println("build options: " + backend.program().buildOptions());
            System.out.println("host transfer the engine uses here: " + TransferMode.AUTO.resolve(backend.program().device()));
            System.out.println(String.format(Locale.ROOT, "batch %d x %d x %d x %d (%.1f MB), %d cells, median of %d runs",
                    batch, channels, height, width, batchBytes() / 1e6, cells, reps));
            copySeconds = copyBufferSeconds(backend.program(), (long) batchBytes(), reps);
            row("clEnqueueCopyBuffer (device to device, 1 batch)", copySeconds, copyBytes());
            try (OpenClRun dev = backend.openRun(layout)) {
                row("relax_draw_masks + relax_blend", time(() -> dev.drawCounterMasks(0, draws, 0, batch),
                        dev::finish), batch * (cells * cells + 8.0 + (double) cells * width * Float.BYTES));
                row("relax_render (masked batch)", time(() -> dev.renderKernels(0, batch), dev::finish),
                        batchBytes() + inputBytes);
                row("relax_accumulate (masks recomputed from blends)", updates("relax_accumulate",
                        time(() -> dev.accumulate(0, batch, sims), dev::finish)), stateBytes);
                row("host transfer MAPPED (map, copy to float[], unmap)", time(() -> {
                    dev.startTransfer(0);
                    dev.copyRendered(0, batch, hostArray());
                }, dev::finish), batchBytes());
            }
        }
        try (OpenClBackend backend = new OpenClBackend(device, KernelProgram.defaultSource(),
                new OpenClBackend.Options(TransferMode.ARRAY_READ, Accumulation.Mode.READ_BACK));
             OpenClRun dev = backend.openRun(layout)) {
            dev.drawCounterMasks(0, draws, 0, batch);
            row("relax_render (masked batch + masks)", time(() -> dev.renderKernels(0, batch), dev::finish),
                    batchBytes() + inputBytes + batch * pixels * Float.BYTES);
            row("relax_accumulate_masks (masks read back)", updates("relax_accumulate_masks",
                    time(() -> dev.accumulate(0, batch, sims), dev::finish)), stateBytes + batch * pixels * Float.BYTES);
            row("host transfer ARRAY_READ (blocking read to float[])", time(() -> {
                dev.startTransfer(0);
                dev.copyRendered(0, batch, hostArray());
            }, dev::finish), batchBytes());
        }
        printTable();
        compareWithCpu(x, masks, sims);
        overlap(x);
    }

    private float[] host;

    private float[] hostArray() {
        if (host == null) {
            host = new float[(int) (batchBytes() / Float.BYTES)];
        }
        return host;
    }

    private void printTable() {
        String[] head = {"step (per batch)", "ms", "MB", "GB/s", "of copy"};
        int[] wd = new int[head.length];
        for (int c = 0; c < head.length; c++) {
            wd[c] = head[c].length();
            for (String[] r : rows) {
                wd[c] = Math.max(wd[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, head, wd);
        String[] rule = new String[head.length];
        for (int c = 0; c < head.length; c++) {
            rule[c] = "-".repeat(wd[c]);
        }
        line(sb, rule, wd);
        for (String[] r : rows) {
            line(sb, r, wd);
        }
        System.out.print(sb);
        for (String n : notes) {
            System.out.println(n);
        }
    }

    private static void line(StringBuilder sb, String[] cells, int[] wd) {
        sb.append('|');
        for (int c = 0; c < cells.length; c++) {
            String v = cells[c];
            String pad = " ".repeat(wd[c] - v.length());
            sb.append(' ').append(c == 0 ? v + pad : pad + v).append(" |");
        }
        sb.append('\n');
    }

    /** Whole batches through both engines: time per batch, and the largest differences. */
    private void compareWithCpu(InputTensor x, RandomMasks masks, float[] sims) {
        int threads = Runtime.getRuntime().availableProcessors();
        double[] seconds = new double[2];
        float[][] masked = new float[2][];
        WeightedWelford[] state = new WeightedWelford[2];
        int n = Math.max(2, batches);
        try (CpuEngine cpu = new CpuEngine(threads); OpenClEngine cl = new OpenClEngine(device)) {
            org.relax4j.engine.Engine[] engines = {cpu, cl};
            for (int e = 0; e < 2; e++) {
                try (EngineRun run = engines[e].open(x, masks, batch, 1e-10f)) {
                    long start = System.nanoTime();
                    for (int k = 0; k < n; k++) {
                        InputBatch b = run.masked((long) k * batch, batch);
                        if (k + 1 < n) {
                            run.prefetch((long) (k + 1) * batch, batch);
                        }
                        if (k == n - 1) {
                            masked[e] = Arrays.copyOfRange(b.data(), b.offset(), b.offset() + batch * b.sampleLength());
                        }
                        run.accumulate((long) k * batch, batch, sims);
                    }
                    state[e] = run.state();
                    seconds[e] = (System.nanoTime() - start) / 1e9 / n;
                }
            }
        }
        System.out.println(fmt("engines, per batch of masked + prefetch + accumulate (%d batches): ", n)
                + fmt("cpu (%d threads) ", threads) + fmt("%.1f ms, ", seconds[0] * 1e3)
                + fmt("opencl %.1f ms", seconds[1] * 1e3));
        System.out.println("max |masked opencl - cpu| = " + EngineComparison.maxAbsDifference(masked[0], masked[1])
                + ", max |R| diff = " + EngineComparison.maxAbsDifference(state[0].importance(), state[1].importance())
                + ", max |U| diff = " + EngineComparison.maxAbsDifference(state[0].uncertainty(), state[1].uncertainty())
                + ", max |W| diff = " + EngineComparison.maxAbsDifference(state[0].weights(), state[1].weights())
                + (Arrays.equals(masked[0], masked[1]) && Arrays.equals(state[0].importance(), state[1].importance())
                        && Arrays.equals(state[0].uncertainty(), state[1].uncertainty()) ? " (bit-identical)" : ""));
    }

    /**
     * The pipeline's overlap: explains with an encoder that returns at once (device time alone, T_dev), then with
     * one that sleeps about T_dev per batch; without overlap the second would take T_dev + N·sleep.
     */
    private void overlap(InputTensor x) {
        int n = Math.max(2, batches);
        RelaxConfig config = RelaxConfig.builder().engine(OpenClEngine.NAME).device(device).batchSize(batch)
                .masks((long) n * batch).seed(3).cells(cells).build();
        try (Relax relax = new Relax(config)) {
            relax.explain(x, encoder(0));
            long t = System.nanoTime();
            relax.explain(x, encoder(0));
            double dev = (System.nanoTime() - t) / 1e9;
            long sleepMs = Math.max(1, Math.round(dev / n * 1e3));
            t = System.nanoTime();
            relax.explain(x, encoder(sleepMs));
            double both = (System.nanoTime() - t) / 1e9;
            double enc = (n + 1) * sleepMs / 1e3;
            System.out.println(fmt("overlap (%d batches): ", n)
                    + fmt("device alone (instant encoder) %.2f s; ", dev)
                    + fmt("encoder alone (sleeping %d ms per call) ", sleepMs) + fmt("%.2f s; ", enc)
                    + fmt("both %.2f s, ", both) + fmt("vs %.2f s if serial ", dev + enc)
                    + fmt("and %.2f s if perfectly overlapped", Math.max(dev, enc)));
        }
    }

    /** A tiny encoder: [1, mean of the first row] per input; sleeps {@code ms} per call to stand in for a model. */
    private static Encoder encoder(long ms) {
        return b -> {
            if (ms > 0) {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            float[] out = new float[b.size() * 2];
            for (int i = 0; i < b.size(); i++) {
                float s = 0;
                int o = b.offsetOf(i);
                for (int j = 0; j < b.width(); j++) {
                    s += b.data()[o + j];
                }
                out[2 * i] = 1f;
                out[2 * i + 1] = s / b.width();
            }
            return new Embeddings(b.size(), 2, out);
        };
    }
}
