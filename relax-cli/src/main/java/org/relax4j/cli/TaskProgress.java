package org.relax4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Progress of {@code relax dataset} on the driver: a Spark listener that counts the explain job's finished tasks
 * (one image each by default) and prints "k/N tasks done" with the elapsed time and an estimate of what is left.
 * Only the first job started while it is registered is counted (the explain job, which writes the table): reading
 * the table back and the summary are not, so the count never passes the total. Long jobs report progress; a
 * retried task is counted when it succeeds.
 */
final class TaskProgress extends SparkListener implements AutoCloseable {
    private final SparkContext context;
    private final PrintWriter err;
    private final String label;
    private final int tasks;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    /** The stages of the first job started while registered: the explain job; later jobs are not counted. */
    private volatile java.util.Set<Integer> stages;

    private TaskProgress(SparkContext context, PrintWriter err, String label, int tasks) {
        this.context = context;
        this.err = err;
        this.label = label;
        this.tasks = tasks;
    }

    /**
     * @param context the session's context
     * @param err where progress lines go
     * @param label what the lines start with: the command's name
     * @param tasks the job's tasks
     * @return the listener, registered; close it when the job is done
     */
    static TaskProgress start(SparkContext context, PrintWriter err, String label, int tasks) {
        TaskProgress p = new TaskProgress(context, err, label, tasks);
        context.addSparkListener(p);
        return p;
    }

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
        if (stages == null) {
            java.util.Set<Integer> ids = new java.util.HashSet<>();
            for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(job.stageIds())) {
                ids.add((Integer) id);
            }
            stages = ids;
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        java.util.Set<Integer> counted = stages;
        if (!end.taskInfo().successful() || counted == null || !counted.contains(end.stageId())) {
            return;
        }
        int k = Math.min(tasks, done.incrementAndGet());
        double elapsed = (System.nanoTime() - start) / 1e9;
        double left = k < tasks ? elapsed / k * (tasks - k) : 0;
        synchronized (err) {
            err.println(String.format(Locale.ROOT, "%s: %d/%d tasks done, elapsed %s, about %s left", label, k, tasks,
                    clock(elapsed), clock(left)));
            err.flush();
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    @Override
    public void close() {
        context.removeSparkListener(this);
    }
}
