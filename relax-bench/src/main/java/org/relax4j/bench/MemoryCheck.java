package org.relax4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;

/**
 * "Peak memory does not grow with the number of masks": explains the same input with few and with many masks
 * (mean encoder, batches of 100, 224 × 224) and, after every batch, collects garbage and records the live heap
 * and the process's resident set (which also holds off-heap ND4J arrays and PoCL's buffers). Each count's
 * figures are maxima over its batches.
 */
public final class MemoryCheck {

    /** One explanation's figures. */
    public record Sample(String engine, long masks, double liveHeapMb, double rssMb, double seconds) {
    }

    /** Heap of the forked JVM. */
    static final int HEAP_MB = 1024;

    private MemoryCheck() {
    }

    /**
     * Runs the check in this JVM and prints one line per count: {@code MEMORY engine masks liveHeapMb rssMb seconds}.
     * {@link BenchSuite} starts this in a fresh JVM per engine and count, so that nothing left over from an
     * earlier explanation or engine counts against the next.
     *
     * @param args the engine name, then the mask counts
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: MemoryCheck ENGINE MASKS...");
            System.exit(2);
        }
        long[] counts = Arrays.stream(args, 1, args.length).mapToLong(Long::parseLong).toArray();
        for (Sample s : run(args[0], counts)) {
            System.out.printf(Locale.ROOT, "MEMORY %s %d %.1f %.1f %.3f%n", s.engine(), s.masks(), s.liveHeapMb(),
                    s.rssMb(), s.seconds());
        }
    }

    /** Runs {@link #main} in a new JVM with this one's class path and returns its samples. */
    static List<Sample> forked(String engineName, long... maskCounts) throws IOException, InterruptedException {
        // A fixed, pre-touched heap: the resident set then changes only with native memory (ND4J, PoCL).
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (engineName.equals("tornado")) { // TornadoVM's own JVM options (tornado-argfile), as this JVM was given them
            java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> !a.startsWith("-Xm") && !a.startsWith("-XX:+AlwaysPreTouch")).forEach(command::add);
        }
        command.addAll(List.of("-Xms" + HEAP_MB + "m", "-Xmx" + HEAP_MB + "m", "-XX:+AlwaysPreTouch",
                "-cp", System.getProperty("java.class.path"), MemoryCheck.class.getName(), engineName));
        for (long n : maskCounts) {
            command.add(Long.toString(n));
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Sample> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 6 && f[0].equals("MEMORY")) {
                    out.add(new Sample(f[1], Long.parseLong(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                            Double.parseDouble(f[5])));
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException("memory check of " + engineName + " exited with " + rc);
        }
        return out;
    }

    /** Explains with each count of masks in turn on one engine. */
    public static List<Sample> run(String engineName, long... maskCounts) {
        List<Sample> out = new ArrayList<>();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        InputTensor input = BenchData.input(224);
        try (Engine engine = Engines.create(engineName, BenchData.threads(), null)) {
            for (long n : maskCounts) {
                RelaxConfig config = RelaxConfig.builder().masks(n).batchSize(RelaxConfig.DEFAULT_BATCH_SIZE)
                        .seed(BenchData.MASK_SEED).threads(BenchData.threads()).build();
                double[] peak = new double[2];
                long start = System.nanoTime();
                try (Relax relax = new Relax(config, engine)) {
                    relax.explain(input, BenchData.encoder("mean"), p -> {
                        System.gc();
                        peak[0] = Math.max(peak[0], memory.getHeapMemoryUsage().getUsed() / 1e6);
                        peak[1] = Math.max(peak[1], residentMb());
                    }, null);
                }
                out.add(new Sample(engineName, n, peak[0], peak[1], (System.nanoTime() - start) / 1e9));
            }
        }
        return out;
    }

    /** VmRSS of this process in MB, or NaN where /proc is not there. */
    static double residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) / 1e3;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
