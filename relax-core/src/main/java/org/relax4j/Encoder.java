package org.relax4j;

import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;

/**
 * The model being explained: maps a batch of inputs (B, C, H, W) to a batch of representations (B, D).
 *
 * <p>Any plain-Java model is a lambda:
 * <pre>{@code
 * Encoder encoder = batch -> {
 *     float[] out = new float[batch.size() * 16];
 *     ... fill row b from batch.data(), starting at batch.offsetOf(b) ...
 *     return new Embeddings(batch.size(), 16, out);
 * };
 * }</pre>
 * Native runtimes (ONNX Runtime, DL4J) can wrap {@link InputBatch#buffer()} without copying.
 *
 * <p><b>Contract.</b> The batch is a read-only view of the engine's buffer, valid only during the call: the
 * encoder must not modify it nor keep a reference to it after returning. The returned {@link Embeddings}
 * must have exactly {@code batch.size()} rows and, for every call of one explanation, the same number of
 * columns; its array then belongs to the caller (the explainer reads it before the next call, so an encoder
 * may reuse one output array between calls). Calls come from one thread at a time.
 */
@FunctionalInterface
public interface Encoder {

    /**
     * Encodes one batch.
     *
     * @param batch the inputs, (B, C, H, W) row-major float32. Not modified.
     * @return the representations, B rows of D values each
     */
    Embeddings encode(InputBatch batch);
}
