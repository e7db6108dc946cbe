package org.relax4j.examples;

import java.nio.file.Path;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;

import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Normalization;
import org.relax4j.onnx.OnnxEncoder;

/**
 * Example 5: an ONNX model on a GPU through an ONNX Runtime execution provider, falling back to the CPU where the
 * provider is missing. For CUDA, depend on {@code com.microsoft.onnxruntime:onnxruntime_gpu} instead of
 * {@code onnxruntime} (same version, exclude the latter from relax-onnx).
 */
public final class OnnxExecutionProvider {
    private OnnxExecutionProvider() {
    }

    /**
     * Explains {@code x} under the ONNX model at {@code model}, which takes RGB in [0, 1].
     *
     * @param model an ONNX file with a rank-4 float input
     * @param x the ImageNet-normalised input
     * @param masks the number of masks
     * @return the explanation; its engine and the encoder's provider are printed
     * @throws OrtException if ONNX Runtime fails to set up the options
     */
    public static Explanation run(Path model, InputTensor x, int masks) throws OrtException {
        // snippet:start onnx-provider
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            boolean cuda = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
            if (cuda) {
                options.addCUDA(0);                     // device 0; addTensorrt(0) for TensorRT
            }
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OnnxEncoder encoder = OnnxEncoder.builder(model)
                    .sessionOptions(options)            // used as given, not closed by the encoder
                    .pixels(Normalization.unit())       // the model takes RGB in [0, 1]
                    .build();
                 Relax relax = new Relax(RelaxConfig.builder().masks(masks).build())) {
                System.out.println("encoder on " + (cuda ? "CUDA" : "CPU") + ": " + encoder);
                return relax.explain(x, encoder);
            }
        }
        // snippet:end
    }
}
