package org.relax4j.examples;

import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.data.InputBatch;

/**
 * Example 2: an {@link Encoder} as a class. RELAX hands over a batch of masked copies of the input, NCHW, as one
 * flat array with an offset ({@link InputBatch#data()}, {@link InputBatch#offsetOf(int)}, or
 * {@link InputBatch#buffer()} without copying); the encoder returns one row per copy.
 */
// snippet:start custom-encoder
public final class CustomEncoder implements Encoder {
    private final float[][] projection;                 // (D, C) : a random linear probe of the channel means

    /**
     * @param projection D rows of C weights. Not copied; not modified.
     */
    public CustomEncoder(float[][] projection) {
        this.projection = projection;
    }

    /** The batch is not modified; the returned array is new on every call. */
    @Override
    public Embeddings encode(InputBatch batch) {
        int plane = batch.height() * batch.width();
        float[] out = new float[batch.size() * projection.length];
        for (int b = 0; b < batch.size(); b++) {
            int base = batch.offsetOf(b);
            for (int d = 0; d < projection.length; d++) {
                double sum = 0;
                for (int c = 0; c < batch.channels(); c++) {
                    for (int p = 0; p < plane; p++) {
                        sum += projection[d][c] * batch.data()[base + c * plane + p];
                    }
                }
                out[b * projection.length + d] = (float) Math.tanh(sum / plane);
            }
        }
        return new Embeddings(batch.size(), projection.length, out);
    }
}
// snippet:end
