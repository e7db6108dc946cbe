package org.relax4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.apache.spark.sql.SparkSession;
import org.relax4j.retrieve.Gallery;
import org.relax4j.spark.ExecutorEncoders;
import org.relax4j.spark.GalleryEmbedder;
import picocli.CommandLine;

/**
 * {@code relax retrieve --master URL}: the gallery's new or changed images embedded as a Spark job
 * ({@link GalleryEmbedder}); the cache, the ranking and the explanations stay on the driver, as without Spark. Apart
 * from {@link RetrieveCommand} so that the light jar, which has no Spark, never loads it.
 */
final class RetrieveOnSpark {
    private RetrieveOnSpark() {
    }

    /** The gallery, its missing embeddings computed on Spark; the session is stopped before this returns. */
    static Gallery open(RetrieveCommand cmd, String key, Gallery.ImageNetLoader loader, int batchSize,
                        PrintWriter err) throws IOException {
        SparkSession spark = new SparkDriver(cmd.sparkOptions).start("relax retrieve", err, cmd.quiet);
        if (spark == null) {
            throw new CommandLine.ExecutionException(cmd.spec.commandLine(), "Spark did not start (the line above "
                    + "says why)");
        }
        try (SignalGuard guard = SparkDriver.cancelJobsOnSignal(spark, err)) {
            Gallery.Embedder onSpark = GalleryEmbedder.on(spark, SparkDriver.encoder(spark, cmd.modelOptions,
                    s -> log(cmd, err, s)), loader, batchSize, 0, s -> log(cmd, err, s));
            Gallery.Embedder withProgress = files -> {
                try (TaskProgress progress = cmd.quiet ? null : TaskProgress.start(spark.sparkContext(), err,
                        "gallery", (files.size() + batchSize - 1) / batchSize)) {
                    return onSpark.embed(files);
                } catch (RuntimeException ex) {
                    if (guard.signalled()) {
                        throw new java.util.concurrent.CancellationException("stopped by a signal");
                    }
                    throw ex;
                }
            };
            return Gallery.open(cmd.gallery, key, withProgress, s -> log(cmd, err, s));
        } finally {
            ExecutorEncoders.closeAll();
            spark.stop();
        }
    }

    private static void log(RetrieveCommand cmd, PrintWriter err, String s) {
        if (!cmd.quiet) {
            err.println(s);
        }
    }
}
