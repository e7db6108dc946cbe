package org.relax4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.relax4j.Json;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import scala.Tuple2;

/**
 * {@code relax evaluate INPUT... --master URL}: the images of a dataset evaluated as Spark tasks, one image a task,
 * each by the same {@link EvaluateCommand} code as on one machine (the command is parsed again on the executor from
 * the driver's own arguments, so no setting can differ), with the model's bytes sent from the driver. Each image's
 * folder is written by its task, complete or not at all; the driver then writes {@value #SUMMARY}, the metrics over
 * all images, and prints its table.
 */
final class EvaluateOnSpark {
    /** The dataset's summary, beside the images' folders. */
    static final String SUMMARY = "evaluation-summary.json";

    private EvaluateOnSpark() {
    }

    /** What one task reports back. */
    record TaskResult(String image, String name, boolean ok, String message, String table) implements Serializable {
    }

    static int run(EvaluateCommand cmd, PrintWriter err, PrintWriter stdout) throws Exception {
        CommandSpec spec = cmd.spec;
        List<String> args = taskArguments(spec);
        OutputFolder lock;
        try {
            lock = OutputFolder.open(cmd.out, OutputFolder.DISK);
        } catch (IllegalArgumentException ex) {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        long start = System.nanoTime();
        SparkSession spark = new SparkDriver(cmd.sparkOptions).start("relax evaluate", err, cmd.quiet);
        if (spark == null) {
            lock.close();
            return RelaxCli.FAILED;
        }
        SignalGuard guard = SparkDriver.cancelJobsOnSignal(spark, err);
        try (lock; guard) {
            List<String> inputs = cmd.images.stream().map(Path::toString).toList();
            ImageFiles.Listing listing;
            try {
                listing = ImageFiles.list(inputs, spark.sparkContext().hadoopConfiguration(), cmd.out);
            } catch (IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(), "IMAGE: " + ex.getMessage());
            }
            listing.notices().forEach(n -> log(cmd, err, n));
            List<Tuple2<String, String>> items = new ArrayList<>();
            for (Map.Entry<String, String> e : listing.named().entrySet()) {
                if (!e.getKey().startsWith("file:")) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "IMAGE " + e.getKey() + ": evaluate "
                            + "reads images from a file system every executor mounts (a local or shared path), not "
                            + "through Hadoop; 'relax dataset' explains such inputs");
                }
                items.add(new Tuple2<>(e.getKey(), e.getValue()));
            }
            if (items.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no images (" + ImageFiles.EXTENSIONS
                        + ") under " + String.join(", ", inputs));
            }
            log(cmd, err, "images: " + items.size() + " found; one task each");
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<byte[]> model = jsc.broadcast(cmd.modelOptions.bytes(s -> log(cmd, err, s)));
            Task task = new Task(args, model, cmd.out.toAbsolutePath().toString());
            List<TaskResult> results;
            try (TaskProgress progress = cmd.quiet ? null : TaskProgress.start(spark.sparkContext(), err, "evaluate",
                    items.size())) {
                results = jsc.parallelize(items, items.size()).map(task).collect();
            } catch (Exception ex) { // Spark's SparkException is checked in Java's terms, and thrown unchecked
                return SparkDriver.jobFailed(spark, guard, ex, err, "complete image folders kept in " + cmd.out);
            }
            int failed = 0;
            List<Path> done = new ArrayList<>();
            for (TaskResult r : results) {
                if (r.ok()) {
                    stdout.print(r.table());
                    Path dir = cmd.out.resolve(r.name());
                    stdout.println(dir + ": evaluation.json, evaluation.png");
                    done.add(dir);
                } else {
                    failed++;
                    err.println("relax: error: " + r.image() + ": " + r.message());
                }
            }
            Summary summary = Summary.of(cmd.out, done);
            writeAtomically(cmd.out.resolve(SUMMARY), Json.write(summary.toMap(args)));
            stdout.print(summary.table());
            stdout.println(String.format(Locale.ROOT, "%s: %d images evaluated, %d failed, in %.1f s; %s", cmd.out,
                    done.size(), failed, (System.nanoTime() - start) / 1e9, cmd.out.resolve(SUMMARY)));
            return failed > 0 ? RelaxCli.FAILED : 0;
        } finally {
            spark.stop();
        }
    }

    /**
     * The driver's arguments for one image: every option given, as given, but the images, the output folder, the
     * quiet flag and Spark's own options (the task adds its image, the folder and {@code --quiet}).
     */
    static List<String> taskArguments(CommandSpec spec) {
        Set<String> driverOnly = Set.of("--out", "--quiet", "--master", "--conf", "--executor-wait");
        // Files named by path are made absolute: an executor's working folder is not the driver's.
        Set<String> files = Set.of("--model", "--target", "--cache");
        List<String> out = new ArrayList<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String name = o.longestName();
            if (driverOnly.contains(name)) {
                continue;
            }
            if (o.arity().max() == 0) {
                out.add(name);
            } else {
                for (String v : o.originalStringValues()) {
                    out.add(name);
                    boolean file = files.contains(name) && !(name.equals("--model") && v.equals(ModelOptions.MOBILENET));
                    out.add(file ? Path.of(v).toAbsolutePath().toString() : v);
                }
            }
        }
        return out;
    }

    /** One image on an executor. */
    static final class Task implements Function<Tuple2<String, String>, TaskResult> {
        private static final long serialVersionUID = 1L;
        private final List<String> args;
        private final Broadcast<byte[]> model;
        private final String out;

        Task(List<String> args, Broadcast<byte[]> model, String out) {
            this.args = List.copyOf(args);
            this.model = model;
            this.out = out;
        }

        @Override
        public TaskResult call(Tuple2<String, String> item) {
            Path image = Path.of(URI.create(item._1()));
            String name = item._2();
            StringWriter table = new StringWriter();
            StringWriter messages = new StringWriter();
            EvaluateCommand cmd = new EvaluateCommand();
            CommandLine cl = new CommandLine(cmd);
            PrintWriter tableOut = new PrintWriter(table, true);
            PrintWriter err = new PrintWriter(messages, true);
            cl.setOut(tableOut);
            cl.setErr(err);
            List<String> a = new ArrayList<>(args);
            a.addAll(List.of(image.toString(), "--out", out, "--quiet"));
            TaskContext ctx = TaskContext.get();
            try {
                cl.parseArgs(a.toArray(String[]::new));
                cmd.modelOptions.preloaded = model.value();
                // a nested name (a/b) is folder b inside OUT/a, as 'relax dataset' names it
                Path target = Path.of(out).resolve(name);
                Files.createDirectories(target.getParent());
                try (OutputFolder folder = OutputFolder.underDriverLock(target.getParent(), OutputFolder.DISK)) {
                    cmd.evaluateTask(image, target.getFileName().toString(), folder,
                            () -> ctx != null && ctx.isInterrupted(), err, tableOut);
                }
                return new TaskResult(image.toString(), name, true, null, table.toString());
            } catch (java.util.concurrent.CancellationException killed) {
                throw killed; // the job was cancelled: Spark reports the task as killed, not as a failed image
            } catch (Exception ex) {
                String m = ex.getMessage() != null ? ex.getMessage() : ex.toString();
                return new TaskResult(image.toString(), name, false, m, table.toString());
            }
        }
    }

    /** The metrics over all images: per curve and map, medians and how often the map beat random orders. */
    record Summary(List<String> images, Map<String, Map<String, double[]>> symmetric,
                   Map<String, Map<String, double[]>> gain, Map<String, Map<String, double[]>> faithfulness) {

        @SuppressWarnings("unchecked")
        static Summary of(Path out, List<Path> dirs) throws IOException {
            List<String> images = new ArrayList<>();
            Map<String, Map<String, List<Double>>> sym = new LinkedHashMap<>();
            Map<String, Map<String, List<Double>>> gain = new LinkedHashMap<>();
            Map<String, Map<String, List<Double>>> fc = new LinkedHashMap<>();
            for (Path d : dirs) {
                Map<String, Object> json = Json.readObject(Files.readString(d.resolve("evaluation.json"),
                        StandardCharsets.UTF_8));
                images.add(String.valueOf(json.get("image")));
                Map<String, Object> metrics = (Map<String, Object>) json.get("metrics");
                if (metrics == null) {
                    continue;
                }
                for (Object o : (List<Object>) metrics.get("curves")) {
                    Map<String, Object> c = (Map<String, Object>) o;
                    String key = c.get("mode") + " " + c.get("substrate");
                    ((Map<String, Object>) c.get("maps")).forEach((map, v) -> {
                        Map<String, Object> m = (Map<String, Object>) v;
                        add(sym, key, map, ((Number) m.get("symmetricGain")).doubleValue());
                        add(gain, key, map, ((Number) m.get("gainOverRandom")).doubleValue());
                    });
                }
                for (Object o : (List<Object>) metrics.get("faithfulness")) {
                    Map<String, Object> f = (Map<String, Object>) o;
                    String key = "faithfulness " + f.get("substrate");
                    ((Map<String, Object>) f.get("correlation")).forEach((map, v) ->
                            add(fc, key, map, v instanceof Number n ? n.doubleValue() : Double.NaN));
                }
            }
            return new Summary(images, arrays(sym), arrays(gain), arrays(fc));
        }

        private static void add(Map<String, Map<String, List<Double>>> to, String key, String map, double v) {
            to.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(map, k -> new ArrayList<>()).add(v);
        }

        private static Map<String, Map<String, double[]>> arrays(Map<String, Map<String, List<Double>>> in) {
            Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
            in.forEach((k, maps) -> {
                Map<String, double[]> m = new LinkedHashMap<>();
                maps.forEach((name, vs) -> m.put(name, vs.stream().mapToDouble(Double::doubleValue).toArray()));
                out.put(k, m);
            });
            return out;
        }

        Map<String, Object> toMap(List<String> args) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("arguments", args);
            root.put("images", images);
            root.put("note", "per curve (mode and substrate) and map, over the images: median and [min, max] of the "
                    + "symmetric gain AUC(least relevant first) - AUC(most relevant first), of the gain over the "
                    + "random orders' mean AUC, and in how many images that gain was positive; faithfulness: the "
                    + "correlation's median and range; each image's own numbers are in its evaluation.json");
            Map<String, Object> curves = new LinkedHashMap<>();
            symmetric.forEach((key, maps) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                maps.forEach((name, s) -> {
                    double[] g = gain.get(key).get(name);
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("symmetricGain", stats(s));
                    x.put("gainOverRandom", stats(g));
                    x.put("imagesBeatingRandom", positive(g));
                    m.put(name, x);
                });
                curves.put(key, m);
            });
            root.put("curves", curves);
            Map<String, Object> f = new LinkedHashMap<>();
            faithfulness.forEach((key, maps) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                maps.forEach((name, v) -> m.put(name, stats(v)));
                f.put(key, m);
            });
            root.put("faithfulness", f);
            return root;
        }

        /** One row per map: the median symmetric gain per curve, the images beating random, faithfulness. */
        String table() {
            if (symmetric.isEmpty() && faithfulness.isEmpty()) {
                return "";
            }
            List<String> names = new ArrayList<>();
            symmetric.values().forEach(m -> m.keySet().forEach(n -> {
                if (!names.contains(n)) {
                    names.add(n);
                }
            }));
            faithfulness.values().forEach(m -> m.keySet().forEach(n -> {
                if (!names.contains(n)) {
                    names.add(n);
                }
            }));
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "over %d images: median symmetric gain "
                    + "(images beating random) per curve; median faithfulness correlation%n", images.size()));
            b.append(String.format(Locale.ROOT, "%-12s", "map"));
            symmetric.keySet().forEach(k -> b.append(String.format(Locale.ROOT, " | %-22s", k)));
            faithfulness.keySet().forEach(k -> b.append(String.format(Locale.ROOT, " | %-14s",
                    k.replaceAll("\\(.*", "").replace("faithfulness", "FC"))));
            b.append('\n');
            for (String n : names) {
                b.append(String.format(Locale.ROOT, "%-12s", n));
                symmetric.forEach((k, maps) -> {
                    double[] s = maps.get(n);
                    b.append(String.format(Locale.ROOT, " | %-22s", s == null ? "" : String.format(Locale.ROOT,
                            "%+.3f (%d/%d)", median(s), positive(gain.get(k).get(n)), s.length)));
                });
                faithfulness.forEach((k, maps) -> {
                    double[] v = maps.get(n);
                    b.append(String.format(Locale.ROOT, " | %-14s", v == null ? ""
                            : String.format(Locale.ROOT, "%+.3f", median(v))));
                });
                b.append('\n');
            }
            return b.toString();
        }

        private static Map<String, Object> stats(double[] v) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median", median(v));
            m.put("min", lo);
            m.put("max", hi);
            m.put("images", v.length);
            return m;
        }

        private static int positive(double[] v) {
            int n = 0;
            for (double x : v) {
                if (x > 0) {
                    n++;
                }
            }
            return n;
        }

        static double median(double[] v) {
            double[] s = v.clone();
            java.util.Arrays.sort(s);
            int n = s.length;
            return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void log(EvaluateCommand cmd, PrintWriter err, String s) {
        if (!cmd.quiet) {
            err.println(s);
        }
    }
}
