package org.relax4j.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.relax4j.Encoder;
import org.relax4j.CancellationToken;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.Target;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;

/**
 * Explains the images of one partition on an executor: the executor's shared encoder
 * ({@link ExecutorEncoders}), one {@link Relax} per task, one result row per image. A failing image becomes a
 * {@value ResultSchema#FAILED} row unless fail-fast is on; an {@link Error} (a killed or broken task) always
 * fails the task, and Spark retries it.
 */
final class ExplainPartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    /** Columns the driver adds before the partitions run. */
    static final String NAME_COL = "__relax_name";
    static final String PATH_COL = "__relax_path";

    private final ExplainSettings settings;
    private final EncoderFactory factory;
    private final String encoderKey;
    private final int encoderThreads;
    private final int threadsPerTask;
    private final int size;
    private final String out;
    private final boolean failFast;
    private final boolean strictResume;
    private final TargetImage target;
    private final ImageInputs.Kind kind;
    private final String inputCol;

    ExplainPartition(ExplainSettings settings, EncoderFactory factory, String encoderKey, int encoderThreads,
                     int threadsPerTask, int size, String out, boolean failFast, boolean strictResume,
                     TargetImage target, ImageInputs.Kind kind,
                     String inputCol) {
        this.settings = settings;
        this.factory = factory;
        this.encoderKey = encoderKey;
        this.encoderThreads = encoderThreads;
        this.threadsPerTask = threadsPerTask;
        this.size = size;
        this.out = out;
        this.failFast = failFast;
        this.strictResume = strictResume;
        this.target = target;
        this.kind = kind;
        this.inputCol = inputCol;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private Relax relax;
            private Configuration hadoop;

            @Override
            public boolean hasNext() {
                boolean more = rows.hasNext();
                if (!more && relax != null) {
                    relax.close();
                    relax = null;
                }
                return more;
            }

            @Override
            public Row next() {
                if (!rows.hasNext()) {
                    throw new NoSuchElementException();
                }
                Row row = rows.next();
                if (relax == null) {
                    Relax r = new Relax(settings.toConfig(threadsPerTask));
                    relax = r;
                    TaskContext ctx = TaskContext.get();
                    if (ctx != null) {
                        ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> r.close());
                    }
                    hadoop = new Configuration();
                }
                return explain(row, relax, hadoop);
            }
        };
    }

    private Row explain(Row row, Relax relax, Configuration hadoop) {
        String name = row.getAs(NAME_COL);
        String path = row.getAs(PATH_COL);
        Path dir = out == null ? null : Path.of(out).resolve(name);
        try {
            ImageInputs.Decoded in = ImageInputs.decode(kind, row.getAs(inputCol), hadoop);
            if (dir != null) {
                // Resumed only when the folder holds this image's maps under these settings and this model.
                ImageOutputs.Finished f = ImageOutputs.finished(Path.of(out), name, relax.config().settings(),
                        factory.describeJson(), in.sha256(), target);
                if (f != null) {
                    return skipped(name, path, dir, f);
                }
                if (strictResume && ImageOutputs.isComplete(Path.of(out), name)) {
                    throw new IOException(dir + " holds an explanation made with other settings, another model or "
                            + "from another file; strict resume keeps it: remove that folder, or choose another output "
                            + "folder");
                }
            }
            int encoderThreadsHere = encoderThreads > 0 ? encoderThreads
                    : Runtime.getRuntime().availableProcessors();
            Encoder encoder = ExecutorEncoders.get(factory, encoderKey, encoderThreadsHere);
            InputTensor rgb = in.rgb();
            if (size > 0) {
                rgb = Images.resize(rgb, size, size);
            }
            InputTensor x = Normalization.imagenet().normalize(rgb);
            // A killed task (its job cancelled, a speculative copy no longer needed) stops after its current batch, so
            // that no task is inside the shared encoder when the executor closes it.
            Explanation e = relax.explain(x, encoder, target == null ? Target.unmasked() : target.target(),
                    ProgressListener.NONE, KILLED);
            if (dir != null) {
                ImageOutputs.publish(Path.of(out), name, path, in.sha256(), rgb, e, factory.describeJson(), target);
            }
            return ok(name, path, e, dir);
        } catch (CancellationException killed) {
            throw killed;
        } catch (Exception ex) {
            String message = ex.getMessage() != null ? ex.getMessage() : ex.toString();
            if (failFast) {
                throw new IllegalStateException("relax: image " + path + " failed: " + message, ex);
            }
            return failed(name, path, message);
        }
    }

    /** Cancelled when this thread's task has been killed. */
    private static final CancellationToken KILLED = CancellationToken.when(() -> {
        TaskContext task = TaskContext.get();
        return task != null && task.isInterrupted();
    });

    private static Row ok(String name, String path, Explanation e, Path dir) {
        PixelMap imp = e.importance();
        Double rel = finite(e.error().relativeError());
        Double bound = finite(e.error().bound());
        return RowFactory.create(name, path, ResultSchema.OK, null, imp.height(), imp.width(), imp.values(),
                e.uncertainty().values(), e.variance().values(), e.uRelax().values(),
                e.error().standardError().values(), e.masksUsed(), rel, bound, sec(e.timings().total()),
                sec(e.timings().encoder()), sec(e.timings().relaxOwn()), dir == null ? null : dir.toString());
    }

    private static Row skipped(String name, String path, Path dir, ImageOutputs.Finished f) {
        return RowFactory.create(name, path, ResultSchema.SKIPPED, null, f.importance().height(),
                f.importance().width(), f.importance().values(), f.uncertainty().values(), f.variance().values(),
                f.uRelax().values(), f.standardError().values(), f.masksUsed(), f.relativeError(), f.bound(), null,
                null, null, dir.toString());
    }

    private static Row failed(String name, String path, String message) {
        Object[] v = new Object[ResultSchema.SCHEMA.size()];
        v[0] = name;
        v[1] = path;
        v[2] = ResultSchema.FAILED;
        v[3] = message;
        return RowFactory.create(v);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double sec(java.time.Duration d) {
        return d.toNanos() / 1e9;
    }
}
