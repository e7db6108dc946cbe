package org.relax4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.relax4j.CancellationToken;
import org.relax4j.Explanation;
import org.relax4j.Json;
import org.relax4j.Progress;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Target;
import org.relax4j.data.InputTensor;
import org.relax4j.Encoder;
import org.relax4j.engine.Engine;
import org.relax4j.image.ExplanationFiles;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.image.Npz;

/**
 * The work behind {@code relax serve}, without HTTP: one warm encoder, a bounded first-come-first-served queue of
 * explanations run by a fixed number of workers (each with an engine of its own), a time limit per explanation,
 * and the last results kept in memory for download. Every explanation is exactly what {@code relax explain}
 * computes for the same image and settings ({@link Relax#explain} with the same configuration); its files are
 * {@link ExplanationFiles}' plus {@code maps.npz}, {@code input.png} (the image as explained) and, for a match,
 * {@code target.png}.
 */
final class ExplainService implements AutoCloseable {

    /** The server's limits; each refusal names the option that sets it. */
    record Limits(int concurrency, int queue, long maxMasks, Duration maxTime, int keepResults) {
    }

    /** What one request asks for: the image as explained (RGB at the model's size), and optionally a target. */
    record Request(String imageName, String imageSha256, InputTensor rgb, String targetName, String targetSha256,
                   InputTensor targetRgb, RelaxConfig config) {
    }

    /** A finished explanation's files, by name, and its summary (summary.json's content). */
    record Result(String id, Map<String, byte[]> files, Map<String, Object> summary) {
    }

    /** Why an explanation did not finish: {@code status} is the HTTP status that says so. */
    static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** One submitted explanation, watched by the request that submitted it. */
    final class Job {
        final String id = newId();
        final CancellationToken token = new CancellationToken();
        final CompletableFuture<Result> result = new CompletableFuture<>();
        final long queuedAhead;
        volatile Progress progress;
        volatile boolean started;
        volatile boolean timedOut;

        private Job(long queuedAhead) {
            this.queuedAhead = queuedAhead;
        }

        /** Stops the explanation at its next batch (or before it starts); the result then fails with 499. */
        void cancel() {
            token.cancel();
        }
    }

    private final Encoder encoder;
    private final Map<String, Object> modelJson;
    private final Limits limits;
    private final BlockingQueue<Engine> engines;
    private final ThreadPoolExecutor workers;
    private final java.util.concurrent.ScheduledExecutorService timer;
    private final Map<String, Result> kept;
    private final SecureRandom random = new SecureRandom();
    /** Jobs submitted and not yet finished, so that {@link #close()} can cancel them. */
    private final java.util.Set<Job> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final Metrics metrics = new Metrics();

    /** Counters for {@code GET /metrics}. */
    static final class Metrics {
        final AtomicLong submitted = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong cancelled = new AtomicLong();
        final AtomicLong timedOut = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong masks = new AtomicLong();
        final AtomicLong encoderNanos = new AtomicLong();
        final AtomicLong totalNanos = new AtomicLong();
        final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> responses =
                new java.util.concurrent.ConcurrentHashMap<>();

        void response(String route, int status) {
            responses.computeIfAbsent(route + "\u0000" + status, k -> new AtomicLong()).incrementAndGet();
        }
    }

    /**
     * @param encoder the warm encoder, shared by the workers (its calls are serialised)
     * @param modelJson what to say of the model in each summary
     * @param engines one engine per worker ({@code limits.concurrency()} of them); closed by {@link #close()}
     * @param limits the limits
     */
    ExplainService(Encoder encoder, Map<String, Object> modelJson, List<Engine> engines, Limits limits) {
        if (engines.size() != limits.concurrency()) {
            throw new IllegalArgumentException("one engine per worker: " + engines.size() + " for "
                    + limits.concurrency());
        }
        this.encoder = encoder;
        this.modelJson = modelJson;
        this.limits = limits;
        this.engines = new ArrayBlockingQueue<>(engines.size(), false, engines);
        // First come, first served: one FIFO queue in front of the workers; a full queue refuses at once.
        this.workers = new ThreadPoolExecutor(limits.concurrency(), limits.concurrency(), 0, TimeUnit.SECONDS,
                limits.queue() == 0 ? new java.util.concurrent.SynchronousQueue<>()
                        : new ArrayBlockingQueue<>(limits.queue()), r -> {
                    Thread t = new Thread(r, "relax-serve-worker");
                    t.setDaemon(true);
                    return t;
                });
        this.timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relax-serve-timer");
            t.setDaemon(true);
            return t;
        });
        this.kept = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Result> eldest) {
                return size() > limits.keepResults();
            }
        });
    }

    /** {@return the limits} */
    Limits limits() {
        return limits;
    }

    /** {@return explanations waiting for a worker} */
    int waiting() {
        return workers.getQueue().size();
    }

    /** {@return explanations running now} */
    int running() {
        return workers.getActiveCount();
    }

    /** {@return a kept result, or null if unknown or no longer kept} */
    Result result(String id) {
        return kept.get(id);
    }

    /** {@return how many results are kept} */
    int keptCount() {
        return kept.size();
    }

    /** One piece of work for a worker: an explanation with the worker's engine, watched through {@code job}. */
    @FunctionalInterface
    interface Work {
        Result run(Job job, Engine engine) throws Exception;
    }

    /**
     * Queues an image explanation.
     *
     * @throws Failure 422 if it asks for more masks than allowed, 503 if the queue is full
     */
    Job submit(Request request) {
        return submit(request.config().masks(), (job, engine) -> {
            try (Relax relax = new Relax(request.config(), engine)) {
                InputTensor x = Normalization.imagenet().normalize(request.rgb());
                Target t = request.targetRgb() == null ? Target.unmasked()
                        : Target.input(Normalization.imagenet().normalize(request.targetRgb()));
                Explanation e = relax.explain(x, encoder, t, p -> job.progress = p, job.token);
                metrics.masks.addAndGet(e.masksUsed());
                metrics.encoderNanos.addAndGet(e.timings().encoder().toNanos());
                metrics.totalNanos.addAndGet(e.timings().total().toNanos());
                return store(job.id, request, e);
            }
        });
    }

    /**
     * Queues any work that asks for {@code masks} encoder passes, behind the same queue and limits.
     *
     * @throws Failure 422 if it asks for more masks than allowed, 503 if the queue is full
     */
    Job submit(long masks, Work work) {
        if (masks > limits.maxMasks()) {
            metrics.rejected.incrementAndGet();
            throw new Failure(422, "this request needs " + masks + " masks, more than this server allows (relax serve "
                    + "--max-masks " + limits.maxMasks() + "); a retrieval needs masks x 2 x top");
        }
        // Ahead of it: every explanation submitted and not finished, running or waiting.
        Job job = new Job(live.size());
        live.add(job);
        job.result.whenComplete((r, ex) -> live.remove(job));
        try {
            workers.execute(() -> run(job, work));
        } catch (RejectedExecutionException ex) {
            live.remove(job);
            metrics.rejected.incrementAndGet();
            throw new Failure(503, "the queue is full: " + limits.concurrency() + " running and " + limits.queue()
                    + " waiting (relax serve --concurrency, --queue); try again shortly");
        }
        metrics.submitted.incrementAndGet();
        return job;
    }

    private void run(Job job, Work work) {
        if (job.token.isCancelled()) { // the client left while it waited
            metrics.cancelled.incrementAndGet();
            job.result.completeExceptionally(new Failure(499, "cancelled: the client went away"));
            return;
        }
        job.started = true;
        var deadline = timer.schedule(() -> {
            job.timedOut = true;
            job.token.cancel();
        }, limits.maxTime().toMillis(), TimeUnit.MILLISECONDS);
        Engine engine = engines.poll();
        try {
            Result r = work.run(job, engine);
            metrics.completed.incrementAndGet();
            job.result.complete(r);
        } catch (CancellationException ex) {
            if (job.timedOut) {
                metrics.timedOut.incrementAndGet();
                job.result.completeExceptionally(new Failure(504, "the explanation took longer than this server "
                        + "allows (relax serve --max-seconds " + limits.maxTime().toSeconds() + "); ask for fewer "
                        + "masks, or a target-error"));
            } else {
                metrics.cancelled.incrementAndGet();
                job.result.completeExceptionally(new Failure(499, "cancelled: the client went away"));
            }
        } catch (Failure ex) {
            metrics.failed.incrementAndGet();
            job.result.completeExceptionally(ex);
        } catch (Exception | OutOfMemoryError ex) {
            metrics.failed.incrementAndGet();
            job.result.completeExceptionally(new Failure(500, "the explanation failed: " + ex.getMessage()));
        } finally {
            deadline.cancel(false);
            engines.add(engine);
        }
    }

    /** Keeps a result made elsewhere (a text explanation) under its job's id. */
    Result keep(String id, Map<String, byte[]> files, Map<String, Object> summary) {
        Result result = new Result(id, Collections.unmodifiableMap(files), summary);
        kept.put(id, result);
        return result;
    }

    /** Renders the files in memory (as {@code relax explain} writes them) and keeps them under the job's id. */
    private Result store(String id, Request request, Explanation e) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        ExplanationFiles.Result r = new ExplanationFiles.Result(request.imageName(), request.imageSha256(),
                request.rgb(), e, modelJson, request.targetName(), request.targetSha256(), request.targetRgb());
        ExplanationFiles.write((name, content) -> files.put(name, bytes(content)), r);
        Npz.FORMAT.write(r, (name, content) -> files.put(name, bytes(content)));
        files.put("input.png", png(request.rgb()));
        if (request.targetRgb() != null) {
            files.put("target.png", png(request.targetRgb()));
        }
        Map<String, Object> summary = Json.readObject(new String(files.get(ExplanationFiles.SUMMARY),
                StandardCharsets.UTF_8));
        return keep(id, files, summary);
    }

    /** {@return a file's content as bytes} */
    static byte[] bytes(org.relax4j.io.FileSink.Content content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content.writeTo(out);
        return out.toByteArray();
    }

    private static byte[] png(InputTensor rgb) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Images.writePng(Images.toImage(rgb), out);
        return out.toByteArray();
    }

    private String newId() {
        byte[] b = new byte[9];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Stops taking work, cancels what waits or runs (each stops at its next batch) and waits for it, then closes the engines. */
    @Override
    public void close() throws InterruptedException {
        workers.shutdown();
        for (Job job : live) {
            job.cancel();
        }
        workers.awaitTermination(30, TimeUnit.SECONDS);
        timer.shutdownNow();
        for (Engine engine : new ArrayList<>(engines)) {
            try {
                engine.close();
            } catch (Exception ignored) {
                // closing at shutdown: nothing left to tell
            }
        }
    }
}
