package org.relax4j.examples;

import java.io.IOException;
import java.nio.file.Path;

import ai.djl.MalformedModelException;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;

import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.djl.DjlEncoder;
import org.relax4j.djl.DjlImages;
import org.relax4j.image.Normalization;
import org.relax4j.model.Layout;

/** Example 6: a DJL model (here through DJL's ONNX Runtime engine) as the encoder, a DJL image as the input. */
public final class DjlExample {
    private DjlExample() {
    }

    /**
     * Explains {@code imageFile} under an NHWC ONNX model taking RGB in [0, 1].
     *
     * @param modelFile the model
     * @param imageFile the image
     * @param size the model's input height and width
     * @param masks the number of masks
     * @return the explanation
     * @throws IOException if a file cannot be read
     * @throws ModelNotFoundException if DJL finds no engine for the model
     * @throws MalformedModelException if DJL cannot load the model
     */
    public static Explanation run(Path modelFile, Path imageFile, int size, int masks)
            throws IOException, ModelNotFoundException, MalformedModelException {
        // snippet:start djl
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(modelFile)
                .optEngine("OnnxRuntime")                           // or PyTorch, TensorFlow, ...
                .optTranslator(new NoopTranslator())
                .build();
        Image image = ImageFactory.getInstance().fromFile(imageFile);
        InputTensor x = DjlImages.readImageNet(image, size);       // resized, ImageNet-normalised
        try (ZooModel<NDList, NDList> model = criteria.loadModel();
             DjlEncoder encoder = DjlEncoder.builder(model)
                     .layout(Layout.NHWC)                           // laid out in Java, before DJL sees it
                     .pixels(Normalization.unit())
                     .build();
             Relax relax = new Relax(RelaxConfig.builder().masks(masks).build())) {
            return relax.explain(x, encoder);
        }
        // snippet:end
    }
}
