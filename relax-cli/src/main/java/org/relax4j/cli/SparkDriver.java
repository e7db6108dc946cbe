package org.relax4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.relax4j.spark.EncoderFactories;
import org.relax4j.spark.EncoderFactory;

/**
 * The driver's side of a command on Spark ({@link SparkOptions} says where): starting the session and waiting for
 * executors, naming a lost application, stopping the jobs on a signal, the model for the executors. Only the commands
 * that run on Spark load this class (the light jar has no Spark).
 */
final class SparkDriver {
    private final SparkOptions options;

    SparkDriver(SparkOptions options) {
        this.options = options;
    }

    /**
     * Starts the session and waits for the first executor; null (after printing the cause in one line) when the
     * master cannot be reached, refuses the application or gives it no executor.
     */
    SparkSession start(String appName, PrintWriter err, boolean quiet) {
        String unreachable = SparkOptions.unreachableMaster(options.given());
        if (unreachable != null) {
            err.println("relax: error: " + unreachable);
            return null;
        }
        SparkSession spark = session(appName);
        String noExecutors = awaitExecutors(spark);
        if (noExecutors != null) {
            err.println("relax: error: " + noExecutors);
            spark.stop();
            return null;
        }
        if (!quiet) {
            err.println("spark: " + spark.sparkContext().master() + ", " + spark.sparkContext().defaultParallelism()
                    + " task slots");
        }
        return spark;
    }

    /**
     * A signal cancels the session's jobs (each task stops at its next batch) and every job submitted after it; the
     * command then reports what was kept.
     */
    static SignalGuard cancelJobsOnSignal(SparkSession spark, PrintWriter err) {
        AtomicBoolean stopping = new AtomicBoolean();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                if (stopping.get()) { // a job submitted after the signal
                    spark.sparkContext().cancelJob(job.jobId());
                }
            }
        });
        return SignalGuard.install(err, () -> {
            stopping.set(true);
            spark.sparkContext().setLogLevel("OFF"); // the killed tasks' reports are not errors
            spark.sparkContext().cancelAllJobs();
        });
    }

    /** The model on the executors: the pretrained one travels with the jar, a file is read where the path points. */
    static EncoderFactory encoder(SparkSession spark, ModelOptions m, java.util.function.Consumer<String> log) {
        if (m.isMobileNet()) {
            return EncoderFactories.mobileNetV2(spark, m.cacheDir(), log);
        }
        return EncoderFactories.onnx(spark, Path.of(m.model), m.modelInput, m.modelOutput,
                m.pixelSpace() == ModelOptions.PixelSpace.unit);
    }

    /**
     * On a cluster: waits until an executor has started. Null once one has (or on a local master), else the cause
     * in one line: the master refused or lost the application, or no worker started an executor in time.
     */
    private String awaitExecutors(SparkSession spark) {
        String url = spark.sparkContext().master();
        if (url.startsWith("local")) {
            return null;
        }
        for (int i = 0; i < options.executorWait * 10; i++) {
            if (spark.sparkContext().isStopped()) {
                return lostApplication(url);
            }
            if (spark.sparkContext().statusTracker().getExecutorInfos().length > 1) { // the driver is listed too
                return null;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for executors";
            }
        }
        return "no executor started on " + url + " within " + options.executorWait + " s (--executor-wait): "
                + "the cluster has no free worker with the cores and memory asked for, or its workers cannot start executors "
                + "(their logs say why)";
    }

    /**
     * A job that ended in an exception: stopped by a signal (waits for its tasks, says what was kept, exit 128 + n),
     * or its application lost by the master (the cause in one line, exit 1); anything else is rethrown.
     *
     * @param kept what the stopped run leaves, for the message
     */
    static int jobFailed(SparkSession spark, SignalGuard guard, Exception ex, PrintWriter err, String kept)
            throws Exception {
        if (!guard.signalled()) {
            if (spark.sparkContext().isStopped()) { // the master removed the application under the job
                err.println("relax: error: " + lostApplication(spark.sparkContext().master()));
                return RelaxCli.FAILED;
            }
            throw ex;
        }
        awaitTasks(spark);
        err.println("relax: stopped by a signal; " + kept);
        return guard.exitCode();
    }

    /** What a job's failure means when the master stopped the context under it. */
    static String lostApplication(String url) {
        return "the Spark master " + url + " refused or lost the application, e.g. after its executors failed "
                + "repeatedly (Spark's log above says why)";
    }

    /** Waits (a bounded while) until no task runs, so that none is inside the encoders when they are closed. */
    static void awaitTasks(SparkSession spark) {
        for (int i = 0; i < 600; i++) {
            int running = 0;
            for (SparkExecutorInfo e : spark.sparkContext().statusTracker().getExecutorInfos()) {
                running += e.numRunningTasks();
            }
            if (running == 0) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** spark-submit passes its master as the system property spark.master; otherwise run embedded. */
    private SparkSession session(String appName) {
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        String given = options.given();
        if (given == null) {
            given = "local[*]";
        }
        b.master(given);
        options.conf.forEach(b::config);
        if (given.startsWith("local")) {
            b.config("spark.ui.enabled", "false");
        } else if (options.master != null && System.getProperty("spark.jars") == null
                && !options.conf.containsKey("spark.jars")) {
            // Launched with java -jar, not spark-submit: the executors of a real cluster need this jar's classes.
            String self = ownJar();
            if (self != null) {
                b.config("spark.jars", self);
            }
        }
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    /** The jar this command runs from, or null when it runs from classes (a build's output). */
    private static String ownJar() {
        try {
            java.security.CodeSource src = SparkDriver.class.getProtectionDomain().getCodeSource();
            Path p = src == null ? null : Path.of(src.getLocation().toURI());
            return p != null && Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p.toString() : null;
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
