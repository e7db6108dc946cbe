package org.relax4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;

/**
 * The benchmark suite in one command: {@code java -jar relax-bench/target/benchmarks.jar}. Runs a short, fixed
 * set of JMH benchmarks on every engine that can be created here (cpu, opencl, tornado, nd4j), then the memory check,
 * and prints one Markdown table: time per batch or per explanation ± the 99.9 % error, the speed-up over the
 * ND4J baseline, allocation per batch (JMH's GC profiler), and, for the 3000-mask explanation without the
 * encoder, the speed-up over the PyTorch reference's 3.3 s. Progress goes to stderr, JMH's own output to log
 * files in a temporary folder.
 *
 * <p>Options: {@code --quick} (a smoke run: fewer, shorter iterations and 300-mask explanations),
 * {@code --engines=cpu,nd4j} (a subset), {@code --no-memory} (skip the memory check). Any argument that does not
 * start with {@code --} hands all arguments to JMH's own main ({@code org.openjdk.jmh.Main}), e.g.
 * {@code java -jar benchmarks.jar BatchBench -p engine=cpu -prof gc}.
 */
public final class BenchSuite {
    /** The PyTorch reference's "everything but the encoder" for 3000 masks at 224 × 224 on 2 cores (spec). */
    static final double REFERENCE_SECONDS = 3.3;
    static final String BASELINE = Nd4jEngine.NAME;
    private static final List<String> ALL_ENGINES = List.of(Engines.CPU, "opencl", "tornado", BASELINE);

    private BenchSuite() {
    }

    /** One JMH run to do: a benchmark method and its parameters. */
    private record Job(String stage, Class<?> bench, String method, Map<String, String> params) {
        String engine() {
            return params.get("engine");
        }

        int size() {
            return Integer.parseInt(params.get("size"));
        }

        int batch() {
            return Integer.parseInt(params.get("batch"));
        }

        /** Everything but the engine: rows with the same key are compared with each other. */
        String key() {
            Map<String, String> p = new LinkedHashMap<>(params);
            p.remove("engine");
            return stage + p;
        }
    }

    /** A finished job: score in the benchmark's unit (ms), its error, and bytes allocated per operation. */
    private record Row(Job job, double score, double error, double allocPerOp, String failure) {
    }

    public static void main(String[] args) throws Exception {
        if (!Arrays.stream(args).allMatch(a -> a.startsWith("--"))) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        boolean quick = false;
        boolean memory = true;
        List<String> wanted = ALL_ENGINES;
        for (String a : args) {
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--no-memory")) {
                memory = false;
            } else if (a.startsWith("--engines=")) {
                wanted = List.of(a.substring("--engines=".length()).split(","));
            } else {
                System.err.println("unknown option " + a + "; options: --quick, --engines=cpu,opencl,tornado,nd4j, --no-memory");
                System.exit(2);
            }
        }
        PrintStream out = System.out;
        PrintStream log = System.err;

        Map<String, String> devices = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String name : wanted) {
            try (Engine e = Engines.create(name, BenchData.threads(), null)) {
                devices.put(name, e.device());
            } catch (RuntimeException | LinkageError e) {
                skipped.put(name, String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
                log.println("skipping engine " + name + ": " + skipped.get(name));
            }
        }
        List<String> engines = new ArrayList<>(devices.keySet());
        if (engines.isEmpty()) {
            log.println("no engine can run here");
            System.exit(1);
        }

        String masks = quick ? "300" : "3000";
        List<Job> jobs = new ArrayList<>();
        for (String stage : List.of("mask", "accumulate", "batch")) {
            for (String e : engines) {
                jobs.add(new Job(stage, BatchBench.class, stage, params(e, "224", "100")));
            }
        }
        for (String e : engines) {
            jobs.add(new Job("first", FirstBatchBench.class, "firstBatch", params(e, "224", "100")));
        }
        for (String[] sb : new String[][] {{"112", "100"}, {"448", "100"}, {"224", "16"}, {"224", "256"}}) {
            for (String e : engines) {
                jobs.add(new Job("batch", BatchBench.class, "batch", params(e, sb[0], sb[1])));
            }
        }
        for (String encoder : List.of("mean", "probe")) {
            for (String e : engines) {
                Map<String, String> p = params(e, "224", "100");
                p.put("encoder", encoder);
                p.put("masks", masks);
                jobs.add(new Job("explain", ExplainBench.class, "explain", p));
            }
        }

        Path logs = Files.createTempDirectory("relax-bench-");
        log.println("running " + jobs.size() + " JMH benchmarks" + (quick ? " (quick)" : "") + "; JMH output in " + logs);
        List<Row> rows = new ArrayList<>();
        long suiteStart = System.nanoTime();
        for (int k = 0; k < jobs.size(); k++) {
            Job job = jobs.get(k);
            Path file = logs.resolve(String.format(Locale.ROOT, "%02d-%s-%s.log", k + 1, job.method(), job.engine()));
            Row row = run(job, file, quick);
            rows.add(row);
            log.printf(Locale.ROOT, "[%2d/%d %4.0fs] %-10s %-7s %s: %s%n", k + 1, jobs.size(),
                    (System.nanoTime() - suiteStart) / 1e9, job.stage(), job.engine(), job.params(),
                    row.failure() != null ? "FAILED (" + row.failure() + ")" : formatTime(row.score(), row.error()));
        }

        List<MemoryCheck.Sample> samples = new ArrayList<>();
        if (memory) {
            long[] counts = quick ? new long[] {100, 300} : new long[] {300, 3000};
            for (String e : engines) {
                log.println("memory check: " + e + " with " + Arrays.toString(counts) + " masks");
                try {
                    for (long n : counts) {
                        samples.addAll(MemoryCheck.forked(e, n));
                    }
                } catch (IOException | RuntimeException ex) {
                    log.println("memory check failed for " + e + ": " + ex);
                }
            }
        }

        report(out, rows, devices, skipped, samples, quick);
    }

    private static Map<String, String> params(String engine, String size, String batch) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("engine", engine);
        p.put("size", size);
        p.put("batch", batch);
        return p;
    }

    private static Row run(Job job, Path logFile, boolean quick) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + Pattern.quote(job.bench().getName() + "." + job.method()) + "$")
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(false)
                .output(logFile.toString());
        for (Map.Entry<String, String> p : job.params().entrySet()) {
            o.param(p.getKey(), p.getValue());
        }
        if (quick && job.bench() == FirstBatchBench.class) {
            o.forks(2);
        } else if (quick) {
            o.warmupIterations(1).measurementIterations(2);
            if (job.bench() == BatchBench.class) {
                o.warmupTime(TimeValue.milliseconds(500)).measurementTime(TimeValue.milliseconds(500));
            }
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        // JMH keeps the iterations that finished when a tear-down (the cross-check) throws, so read its log too.
        String failure = failure(logFile);
        if (results.isEmpty() || failure != null) {
            return new Row(job, Double.NaN, Double.NaN, Double.NaN,
                    (failure != null ? failure : "no result") + "; see " + logFile);
        }
        RunResult r = results.iterator().next();
        Result<?> primary = r.getPrimaryResult();
        return new Row(job, primary.getScore(), primary.getScoreError(), medianAllocation(r), null);
    }

    /** The first exception in a JMH log that reports a failure, or null if the run did not fail. */
    private static String failure(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            if (lines.stream().noneMatch(l -> l.contains("<failure>"))) {
                return null;
            }
            return lines.stream().filter(l -> l.contains("Exception") || l.contains("Error:")).findFirst()
                    .orElse("failed").trim();
        } catch (IOException e) {
            return "JMH log unreadable: " + e.getMessage();
        }
    }

    private static void report(PrintStream out, List<Row> rows, Map<String, String> devices, Map<String, String> skipped,
                               List<MemoryCheck.Sample> samples, boolean quick) {
        out.println("### Machine");
        out.println();
        out.println("- CPU: " + Machine.cpuModel() + ", nproc " + Runtime.getRuntime().availableProcessors());
        out.println("- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
        for (Map.Entry<String, String> d : devices.entrySet()) {
            out.println("- engine " + d.getKey() + ": " + d.getValue());
        }
        for (Map.Entry<String, String> s : skipped.entrySet()) {
            out.println("- engine " + s.getKey() + ": skipped, " + s.getValue());
        }
        out.println();
        out.println("### Results" + (quick ? " (--quick: smoke run, not for comparison)" : ""));
        out.println();
        out.println("Time per batch (explain: per explanation) ± JMH's 99.9 % error; speed-up = ND4J baseline's time / "
                + "this engine's; allocation per batch from JMH's GC profiler (all threads), also as a share of the masked "
                + "batch; explain rows include each explanation's own buffers (a run allocates its masked batch once). "
                + "Every non-cpu row passed a cross-check of its maps against the cpu engine in the trial's tear-down.");
        out.println();
        out.println("| stage | input | batch | engine | time | speed-up vs nd4j | alloc / batch | vs PyTorch 3.3 s |");
        out.println("|---|---|---|---|---|---|---|---|");
        Map<String, Row> baseline = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.job().engine().equals(BASELINE) && r.failure() == null) {
                baseline.put(r.job().key(), r);
            }
        }
        for (Row r : rows) {
            Job j = r.job();
            boolean explain = j.stage().equals("explain");
            String stage = switch (j.stage()) {
                case "mask" -> "render + mask";
                case "accumulate" -> "accumulate";
                case "batch" -> "render + mask + accumulate";
                case "first" -> "first batch of a fresh JVM (open + render + mask + accumulate; mean of "
                        + (quick ? 2 : 5) + " JVMs)";
                default -> "explain " + j.params().get("masks") + " masks, " + j.params().get("encoder") + " encoder"
                        + (j.params().get("encoder").equals("probe") ? " (all but the encoder)" : "");
            };
            String input = "3×" + j.size() + "×" + j.size();
            if (r.failure() != null) {
                out.printf("| %s | %s | %d | %s | FAILED: %s | | | |%n", stage, input, j.batch(), j.engine(), r.failure());
                continue;
            }
            Row base = baseline.get(j.key());
            String speedUp = base == null ? "" : j.engine().equals(BASELINE) ? "1 (baseline)"
                    : String.format(Locale.ROOT, "%.2f×", base.score() / r.score());
            long batches = explain ? (Long.parseLong(j.params().get("masks")) + j.batch() - 1) / j.batch() : 1;
            double batchBytes = 4.0 * BenchData.CHANNELS * j.size() * j.size() * j.batch();
            String alloc = Double.isNaN(r.allocPerOp()) ? "n/a"
                    : String.format(Locale.ROOT, "%s (%.3f %%)", formatBytes(r.allocPerOp() / batches),
                            100 * r.allocPerOp() / batches / batchBytes);
            String reference = "";
            if (explain && j.params().get("encoder").equals("probe") && j.params().get("masks").equals("3000")
                    && j.size() == 224 && j.batch() == 100) {
                reference = String.format(Locale.ROOT, "%.1f× faster", REFERENCE_SECONDS / (r.score() / 1e3));
            }
            out.printf("| %s | %s | %d | %s | %s | %s | %s | %s |%n", stage, input, j.batch(), j.engine(),
                    formatTime(r.score(), r.error()), speedUp, alloc, reference);
        }
        if (!samples.isEmpty()) {
            out.println();
            out.println("Memory (each engine and count in a fresh JVM with a fixed, pre-touched " + MemoryCheck.HEAP_MB + " MB heap; mean encoder, 224², batches of 100; maxima over the "
                    + "batches, each sampled after a full GC): "
                    + String.join("; ", samples.stream().map(s -> String.format(Locale.ROOT,
                    "%s %d masks: live heap %.0f MB, RSS %.0f MB", s.engine(), s.masks(), s.liveHeapMb(), s.rssMb())).toList())
                    + ".");
        }
        out.println();
        out.println("Targets:");
        target(out, rows, "cpu render + mask + accumulate ≥ 5× faster than nd4j (batch 100, 224²)", Engines.CPU, 5.0);
        target(out, rows, "opencl render + mask + accumulate not slower than nd4j (batch 100, 224²)", "opencl", 1.0);
        for (String e : List.of(Engines.CPU, "opencl")) {
            Row r = find(rows, "batch", e, 224, 100);
            if (r != null && !Double.isNaN(r.allocPerOp())) {
                double share = r.allocPerOp() / (4.0 * BenchData.CHANNELS * 224 * 224 * 100);
                out.printf(Locale.ROOT, "- %s allocation per batch < 1 %% of the masked batch: %s (%.4f %%)%n", e,
                        share < 0.01 ? "met" : "NOT met", 100 * share);
            }
        }
        for (Row r : rows) {
            Job j = r.job();
            if (j.engine().equals(Engines.CPU) && j.stage().equals("explain") && "probe".equals(j.params().get("encoder"))
                    && r.failure() == null) {
                double s = r.score() / 1e3;
                out.printf(Locale.ROOT, "- cpu, all but the encoder, %s masks at 224² ≤ 0.35 s: %s (%.3f s)%n",
                        j.params().get("masks"), s <= 0.35 ? "met" : "NOT met", s);
            }
        }
    }

    private static void target(PrintStream out, List<Row> rows, String what, String engine, double factor) {
        Row r = find(rows, "batch", engine, 224, 100);
        Row b = find(rows, "batch", BASELINE, 224, 100);
        if (r == null || b == null) {
            out.println("- " + what + ": not measured");
            return;
        }
        double ratio = b.score() / r.score();
        out.printf(Locale.ROOT, "- %s: %s (%.2f×)%n", what, ratio >= factor ? "met" : "NOT met", ratio);
    }

    private static Row find(List<Row> rows, String stage, String engine, int size, int batch) {
        for (Row r : rows) {
            Job j = r.job();
            if (r.failure() == null && j.stage().equals(stage) && j.engine().equals(engine) && j.size() == size
                    && j.batch() == batch) {
                return r;
            }
        }
        return null;
    }

    static String formatTime(double ms, double errorMs) {
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.3f ± %.3f s", ms / 1e3, errorMs / 1e3);
        }
        return String.format(Locale.ROOT, "%.2f ± %.2f ms", ms, errorMs);
    }

    static String formatBytes(double bytes) {
        if (bytes >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        if (bytes >= 1e3) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f B", bytes);
    }

    /**
     * Bytes allocated per operation, the median over measurement iterations. Not JMH's aggregate: the GC profiler's
     * window for the last iteration also takes in the trial's tear-down (the cross-check, which opens a run of its
     * own), inflating the mean by the size of that run's buffers.
     */
    private static double medianAllocation(RunResult r) {
        java.util.List<Double> perIteration = new java.util.ArrayList<>();
        for (org.openjdk.jmh.results.BenchmarkResult b : r.getBenchmarkResults()) {
            for (org.openjdk.jmh.results.IterationResult it : b.getIterationResults()) {
                for (Map.Entry<String, Result> s : it.getSecondaryResults().entrySet()) {
                    if (s.getKey().endsWith("gc.alloc.rate.norm")) {
                        perIteration.add(s.getValue().getScore());
                    }
                }
            }
        }
        if (perIteration.isEmpty()) {
            return Double.NaN;
        }
        java.util.Collections.sort(perIteration);
        return perIteration.get((perIteration.size() - 1) / 2);
    }
}
