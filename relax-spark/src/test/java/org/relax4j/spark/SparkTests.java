package org.relax4j.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.data.InputBatch;

/** What the Spark tests share: one local[2] session for the whole test JVM, a synthetic model, tiny images. */
final class SparkTests {
    private static SparkSession session;

    private SparkTests() {
    }

    /**
     * {@code local[2,3]}: two task slots, and a failed task is tried up to 3 times (as on a cluster), so that the
     * retry test can kill an attempt.
     */
    static synchronized SparkSession spark() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,3]").appName("relax-spark-tests")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    /** Writes a w × h PNG of smooth colour fields with a seeded random blob. */
    static Path png(Path dir, String name, int size, long seed) throws IOException {
        Random rnd = new Random(seed);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int cx = rnd.nextInt(size);
        int cy = rnd.nextInt(size);
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                double d = Math.hypot(i - cy, j - cx) / size;
                int r = (int) (255 * Math.max(0, 1 - 2 * d));
                int g = (i * 255) / size;
                int b = rnd.nextInt(64) + (j * 128) / size;
                img.setRGB(j, i, (r << 16) | (g << 8) | b);
            }
        }
        Path f = dir.resolve(name);
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    /**
     * A deterministic plain-Java model: a fixed random projection of the input (seeded), followed by tanh. It
     * depends on every pixel, so RELAX's maps are not flat.
     */
    static final class ProjectionModel implements EncoderFactory {
        private static final long serialVersionUID = 1L;
        final int dim;
        final long seed;

        ProjectionModel(int dim, long seed) {
            this.dim = dim;
            this.seed = seed;
        }

        @Override
        public Encoder open(int threads) {
            return new ProjectionEncoder(dim, seed);
        }

        @Override
        public String describe() {
            return "projection(" + dim + ", seed " + seed + ")";
        }
    }

    static final class ProjectionEncoder implements Encoder {
        private final int dim;
        private final long seed;
        private float[] weights;

        ProjectionEncoder(int dim, long seed) {
            this.dim = dim;
            this.seed = seed;
        }

        @Override
        public Embeddings encode(InputBatch batch) {
            int n = batch.channels() * batch.height() * batch.width();
            if (weights == null || weights.length != dim * n) {
                Random rnd = new Random(seed);
                weights = new float[dim * n];
                for (int k = 0; k < weights.length; k++) {
                    weights[k] = (float) rnd.nextGaussian() / (float) Math.sqrt(n);
                }
            }
            float[] x = batch.data();
            float[] out = new float[batch.size() * dim];
            for (int b = 0; b < batch.size(); b++) {
                int off = batch.offsetOf(b);
                for (int d = 0; d < dim; d++) {
                    float s = 0;
                    for (int k = 0; k < n; k++) {
                        s += weights[d * n + k] * x[off + k];
                    }
                    out[b * dim + d] = (float) Math.tanh(s) + 0.1f * (d % 3);
                }
            }
            return new Embeddings(batch.size(), dim, out);
        }
    }
}
