package org.relax4j.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import org.relax4j.Encoder;
import org.relax4j.retrieve.Gallery;

/**
 * A gallery's new or changed images embedded as a Spark job, for {@link Gallery#open(Path, String, Gallery.Embedder,
 * Consumer)}: one task per run of {@code batchSize} files, each run one call of the executor's encoder
 * ({@link ExecutorEncoders}), so the embeddings are the ones {@link Gallery#inBatches} computes in one JVM with the
 * same batch size. The files are read on the executors: they must be on a file system every executor mounts.
 *
 * <pre>{@code
 * EncoderFactory model = EncoderFactories.mobileNetV2(spark, PretrainedModels.defaultCacheDir(), System.err::println);
 * Gallery g = Gallery.open(dir, key, GalleryEmbedder.on(spark, model, new Gallery.ImageNetLoader(224), 64, 0,
 *         System.err::println), System.err::println);
 * }</pre>
 */
public final class GalleryEmbedder {
    private GalleryEmbedder() {
    }

    /**
     * @param spark the session
     * @param factory opens the model on each executor
     * @param loader reads a file as the model's input on the executor (serialisable, e.g.
     *        {@link Gallery.ImageNetLoader})
     * @param batchSize files per task and encoder call, at least 1
     * @param encoderThreads threads of the executor's encoder; 0 for the executor's processors
     * @param log a line before and after the job
     * @return the embedder
     */
    public static <L extends Gallery.Loader & java.io.Serializable> Gallery.Embedder on(
            SparkSession spark, EncoderFactory factory, L loader, int batchSize, int encoderThreads,
            Consumer<String> log) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(loader, "loader");
        if (batchSize < 1 || encoderThreads < 0) {
            throw new IllegalArgumentException("batchSize must be at least 1 and encoderThreads at least 0, got "
                    + batchSize + " and " + encoderThreads);
        }
        String key = ExecutorEncoders.key(factory);
        return files -> {
            List<List<String>> batches = new ArrayList<>();
            for (int from = 0; from < files.size(); from += batchSize) {
                List<String> batch = new ArrayList<>();
                for (Path f : files.subList(from, Math.min(files.size(), from + batchSize))) {
                    batch.add(f.toAbsolutePath().toString());
                }
                batches.add(batch);
            }
            log.accept("gallery: embedding " + files.size() + " new or changed images on Spark, " + batches.size()
                    + " tasks of up to " + batchSize);
            List<List<float[]>> parts = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(batches, batches.size())
                    .map(new EmbedBatch<>(factory, key, loader, encoderThreads)).collect();
            List<float[]> out = new ArrayList<>(files.size());
            parts.forEach(out::addAll);
            return out;
        };
    }

    /** One batch on an executor. */
    private static final class EmbedBatch<L extends Gallery.Loader & java.io.Serializable>
            implements Function<List<String>, List<float[]>> {
        private static final long serialVersionUID = 1L;
        private final EncoderFactory factory;
        private final String key;
        private final L loader;
        private final int threads;

        EmbedBatch(EncoderFactory factory, String key, L loader, int threads) {
            this.factory = factory;
            this.key = key;
            this.loader = loader;
            this.threads = threads;
        }

        @Override
        public List<float[]> call(List<String> batch) throws Exception {
            Encoder encoder = ExecutorEncoders.get(factory, key, threads > 0 ? threads
                    : Runtime.getRuntime().availableProcessors());
            return new ArrayList<>(Gallery.embedBatch(batch.stream().map(Path::of).toList(), loader, encoder));
        }
    }
}
