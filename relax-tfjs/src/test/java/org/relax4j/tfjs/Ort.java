package org.relax4j.tfjs;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs a one-input, one-output float ONNX model in ONNX Runtime (one thread), for the converter's tests. */
final class Ort {
    private Ort() {
    }

    /** The first output of {@code model} on {@code data} of {@code shape}, flattened row-major. */
    static float[] run(byte[] model, String input, long[] shape, float[] data) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, opts);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                 OrtSession.Result r = session.run(Map.of(input, in))) {
                FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] out = new float[y.remaining()];
                y.get(out);
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }
}
