package org.relax4j.evaluate;

import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;

/**
 * The one encode loop of the metrics: perturbed inputs are added one at a time into a batch buffer; each full batch
 * (and the last) is encoded and each input's similarity to the reference stored in order.
 */
final class Similarities {
    private final Encoder encoder;
    private final Similarity similarity;
    private final float[] reference;
    private final int channels;
    private final int[] shape;
    private final int sample;
    private final float[] batch;
    private final double[] out;
    private int inBatch;
    private int done;

    /**
     * @param reference the representation every input is compared with
     * @param total how many inputs will be added
     * @param batchSize inputs per encoder call
     * @param channels the inputs' channels
     * @param height the inputs' height
     * @param width the inputs' width
     */
    Similarities(Encoder encoder, Similarity similarity, float[] reference, int total, int batchSize, int channels,
                 int height, int width) {
        this.encoder = encoder;
        this.similarity = similarity;
        this.reference = reference;
        this.channels = channels;
        this.shape = new int[] {height, width};
        this.sample = channels * height * width;
        this.batch = new float[Math.min(batchSize, total) * sample];
        this.out = new double[total];
    }

    /** {@return where the next input's C·H·W floats go in {@link #buffer()}} */
    int nextOffset() {
        return inBatch * sample;
    }

    /** {@return the batch buffer, written by the caller from {@link #nextOffset()}} */
    float[] buffer() {
        return batch;
    }

    /** Counts the input written at {@link #nextOffset()}; encodes when the batch is full or the last one is in. */
    void added() {
        inBatch++;
        if (inBatch * sample == batch.length || done + inBatch == out.length) {
            Embeddings e = encoder.encode(new InputBatch(batch, 0, inBatch, channels, shape));
            for (int b = 0; b < inBatch; b++) {
                out[done + b] = similarity.similarity(reference, 0, e.data(), b * e.dim(), e.dim());
            }
            done += inBatch;
            inBatch = 0;
        }
    }

    /** {@return every input's similarity, in the order added} */
    double[] values() {
        if (done != out.length) {
            throw new IllegalStateException(done + " of " + out.length + " inputs encoded");
        }
        return out;
    }
}
