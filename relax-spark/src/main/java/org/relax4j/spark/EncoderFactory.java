package org.relax4j.spark;

import java.io.Serializable;
import org.relax4j.Encoder;

/**
 * Opens the model on an executor. A factory travels to executors with the job, so it must be serialisable and
 * small: it names the model (a file shipped with {@code SparkContext.addFile}, a broadcast of its bytes, or
 * parameters of a plain-Java model), it does not hold it. {@link ExecutorEncoders} calls {@link #open} once per
 * executor JVM and factory, and shares the encoder between that executor's tasks.
 *
 * <p>A serialisable {@link Encoder} can be used directly with {@link #of}. See {@link EncoderFactories} for ONNX
 * models and the pretrained MobileNetV2.
 */
@FunctionalInterface
public interface EncoderFactory extends Serializable {

    /**
     * Opens the encoder; called on an executor, at most once per executor JVM for equal factories.
     *
     * @param threads the threads the encoder may use (e.g. ONNX Runtime's intra-op threads), at least 1
     * @return the encoder; if it is {@link AutoCloseable} it is closed when the executor JVM ends
     * @throws Exception if the model cannot be opened; every image of the task then fails with this message
     */
    Encoder open(int threads) throws Exception;

    /** A short description for outputs and logs. */
    default String describe() {
        return getClass().getSimpleName();
    }

    /** What the model takes and which output is explained, as JSON-ready values for {@code summary.json}. */
    default java.util.Map<String, Object> describeJson() {
        return java.util.Map.of("name", describe());
    }

    /**
     * A factory that returns {@code encoder} itself (deserialised once per executor JVM).
     *
     * @param encoder an encoder that is also {@link Serializable}
     * @throws IllegalArgumentException if it is not serialisable
     */
    static EncoderFactory of(Encoder encoder) {
        if (!(encoder instanceof Serializable)) {
            throw new IllegalArgumentException("encoder " + encoder.getClass().getName() + " is not Serializable; "
                    + "give an EncoderFactory that opens it on the executor instead");
        }
        return new SerializableEncoderFactory(encoder);
    }
}
