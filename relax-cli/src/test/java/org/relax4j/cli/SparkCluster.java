package org.relax4j.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Spark standalone cluster on this machine for tests: a master and workers, each in its own JVM, started from the
 * project's own Spark jars (a SPARK_HOME whose {@code jars/} links the test class path's jars, relax4j's own and ONNX
 * Runtime left out, so the application must ship them as on a real cluster). Workers launch executors in JVMs of
 * their own. {@link #close()} ends every process it started, executors included, whatever the test did.
 */
final class SparkCluster implements AutoCloseable {
    /** Bounds every wait; a safety net against a cluster that never comes up, not a timing assertion. */
    private static final int POLLS = 1200;

    private final Path dir;
    private final Path sparkHome;
    private final int port;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();

    private SparkCluster(Path dir, Path sparkHome, int port, Process master) {
        this.dir = dir;
        this.sparkHome = sparkHome;
        this.port = port;
        this.master = master;
    }

    /** Starts a master and {@code workers} workers (1 core, 1 GB each) and waits until all are registered. */
    static SparkCluster start(Path dir, int workers) throws Exception {
        Path home = sparkHome(dir.resolve("spark-home"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process m = java(dir, home, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", "0");
        SparkCluster c = new SparkCluster(dir, home, port, m);
        try {
            c.await("master", "I have been elected leader");
            for (int k = 0; k < workers; k++) {
                c.workers.add(java(dir, home, "worker" + k, "org.apache.spark.deploy.worker.Worker", "--host",
                        "127.0.0.1", "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir",
                        Files.createDirectories(dir.resolve("work" + k)).toString(), c.url()));
            }
            c.awaitCount("master", "Registering worker", workers);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** {@return the master's URL} */
    String url() {
        return "spark://127.0.0.1:" + port;
    }

    /** {@return the SPARK_HOME of the cluster (its {@code jars/} serve spark-submit too)} */
    Path sparkHome() {
        return sparkHome;
    }

    /** {@return the executors the workers launched, live} */
    List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (Process w : workers) {
            w.descendants().filter(p -> p.info().commandLine().map(l -> l.contains("CoarseGrainedExecutorBackend"))
                    .orElse(false)).forEach(out::add);
        }
        return out;
    }

    /** Kills worker {@code k} and its executors at once (SIGKILL): a machine lost for good. */
    void killWorker(int k) {
        Process w = workers.get(k);
        w.descendants().forEach(ProcessHandle::destroyForcibly);
        w.destroyForcibly();
    }

    /** The test JVM's java, its --add-opens (Spark needs them on Java 17), a small heap, the SPARK_HOME's jars. */
    static List<String> javaCommand(Path home, String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(home.resolve("jars") + "/*");
        cmd.add(mainClass);
        return cmd;
    }

    private static Process java(Path dir, Path home, String name, String mainClass, String... args) throws IOException {
        List<String> cmd = javaCommand(home, mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        return pb.start();
    }

    /** A SPARK_HOME whose jars/ links the class path's jars, without relax4j's own and ONNX Runtime. */
    private static Path sparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String n = p.getFileName().toString();
            if (n.endsWith(".jar") && Files.isRegularFile(p) && !n.startsWith("relax-") && !n.contains("onnxruntime")
                    && !Files.exists(jars.resolve(n))) {
                Files.createSymbolicLink(jars.resolve(n), p.toAbsolutePath());
            }
        }
        return home;
    }

    private void await(String log, String text) throws Exception {
        awaitCount(log, text, 1);
    }

    private void awaitCount(String log, String text, int count) throws Exception {
        Path f = dir.resolve(log + ".log");
        for (int i = 0; i < POLLS; i++) {
            String s = Files.exists(f) ? Files.readString(f) : "";
            if (s.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= count) {
                return;
            }
            if (!master.isAlive()) {
                throw new IllegalStateException("the Spark master ended: " + s);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + text + "' x" + count + " in " + f + ": "
                + (Files.exists(f) ? Files.readString(f) : ""));
    }

    /** {@return the log of a process of the cluster ("master", "worker0", ...)} */
    String log(String name) throws IOException {
        Path f = dir.resolve(name + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(workers);
        all.add(master);
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@return the first live executor, if any} */
    Optional<ProcessHandle> anyExecutor() {
        return executors().stream().filter(ProcessHandle::isAlive).findFirst();
    }
}
