package org.relax4j.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.data.Embeddings;
import org.relax4j.EncoderException;
import org.relax4j.Explanation;
import org.relax4j.Fixtures;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.model.Layout;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.PretrainedModels;
import org.relax4j.tfjs.OnnxModelBuilder;

/** DJL's ONNX Runtime engine against relax-onnx's OnnxEncoder on the same ONNX models: identical bits. */
class DjlEncoderTest {

    @TempDir
    Path tmp;

    /** DJL's ONNX Runtime engine must create ONNX Runtime's environment before any OnnxEncoder does. */
    @org.junit.jupiter.api.BeforeAll
    static void startDjlsOnnxRuntimeEngineFirst() {
        ai.djl.engine.Engine.getEngine("OnnxRuntime");
    }

    /** NHWC (N, H, W, 3) input "x" → Transpose → Conv 3x3 stride 2 (8 filters) → Relu → global mean → (N, 8). */
    static byte[] smallConvNet(int size) {
        OnnxModelBuilder b = new OnnxModelBuilder("small");
        b.input("x", OnnxModelBuilder.FLOAT, new long[] {-1, size, size, 3});
        String w = b.initializer("w", new long[] {8, 3, 3, 3}, Fixtures.randomFloats(8 * 27, -0.5f, 0.5f, 31));
        String bias = b.initializer("b", new long[] {8}, Fixtures.randomFloats(8, -0.1f, 0.1f, 32));
        b.node("Transpose", "nchw").inputs("x").outputs("t").attr("perm", new long[] {0, 3, 1, 2}).add();
        b.node("Conv", "conv").inputs("t", w, bias).outputs("c").attr("kernel_shape", new long[] {3, 3})
                .attr("strides", new long[] {2, 2}).attr("pads", new long[] {1, 1, 1, 1}).add();
        b.node("Relu", "relu").inputs("c").outputs("r").add();
        b.node("GlobalAveragePool", "pool").inputs("r").outputs("p").add();
        b.node("Flatten", "flat").inputs("p").outputs("y").attr("axis", 1L).add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, 8});
        return b.toBytes("test", "1");
    }

    static ZooModel<NDList, NDList> load(Path onnx) throws IOException, ModelNotFoundException,
            MalformedModelException {
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(onnx).optEngine("OnnxRuntime").optTranslator(new NoopTranslator())
                .optOption("optLevel", "ALL_OPT").build();
        return criteria.loadModel();
    }

    private static Explanation explain(InputTensor x, org.relax4j.Encoder encoder, int masks) {
        RelaxConfig config = RelaxConfig.builder().masks(masks).batchSize(16).seed(7).threads(2).build();
        try (Relax relax = new Relax(config)) {
            return relax.explain(x, encoder);
        }
    }

    @Test
    void mapsAreBitIdenticalToOnnxEncoderOnASmallNhwcModel() throws Exception {
        int size = 32;
        Path file = tmp.resolve("small.onnx");
        Files.write(file, smallConvNet(size));
        InputTensor x = Normalization.imagenet().normalize(Images.resize(Images.read(Path.of("..", "samples",
                "chelsea.png")), size, size));
        try (ZooModel<NDList, NDList> model = load(file);
             DjlEncoder djl = DjlEncoder.builder(model).layout(Layout.NHWC)
                     .pixels(Normalization.unit()).build();
             OnnxEncoder onnx = OnnxEncoder.builder(file).layout(Layout.NHWC)
                     .pixels(Normalization.unit()).build()) {
            InputBatch batch = InputBatch.of(x);
            Embeddings a = djl.encode(batch);
            Embeddings b = onnx.encode(batch);
            assertEquals(8, a.dim());
            assertArrayEquals(b.data(), a.data(), 0f, "embeddings");
            Explanation viaDjl = explain(x, djl, 96);
            Explanation viaOnnx = explain(x, onnx, 96);
            assertArrayEquals(viaOnnx.importance().values(), viaDjl.importance().values(), 0f, "importance");
            assertArrayEquals(viaOnnx.uncertainty().values(), viaDjl.uncertainty().values(), 0f, "uncertainty");
            assertArrayEquals(viaOnnx.uRelax().values(), viaDjl.uRelax().values(), 0f, "U-RELAX");
        }
    }

    @Test
    void mapsAreBitIdenticalToOnnxEncoderOnThePretrainedMobileNetV2() throws Exception {
        Path file = PretrainedModels.defaultCacheDir().resolve(PretrainedModels.MOBILENET_V2_FILE);
        assumeTrue(Files.isRegularFile(file), "no converted MobileNetV2 at " + file
                + " (created by relax-onnx's tests or `relax explain` on first use)");
        Image img = ImageFactory.getInstance().fromFile(Path.of("..", "samples", "chelsea.png"));
        InputTensor x = DjlImages.readImageNet(img, PretrainedModels.MOBILENET_V2_SIZE);
        try (ZooModel<NDList, NDList> model = load(file);
             DjlEncoder djl = DjlEncoder.builder(model).layout(Layout.NCHW)
                     .pixels(PretrainedModels.MOBILENET_V2_PIXELS).build();
             OnnxEncoder onnx = PretrainedModels.openMobileNetV2(PretrainedModels.defaultCacheDir(), 0, s -> { })) {
            Explanation viaDjl = explain(x, djl, 32);
            Explanation viaOnnx = explain(x, onnx, 32);
            assertArrayEquals(viaOnnx.importance().values(), viaDjl.importance().values(), 0f, "importance");
            assertArrayEquals(viaOnnx.uncertainty().values(), viaDjl.uncertainty().values(), 0f, "uncertainty");
        }
    }

    @Test
    void predictorEncoderLeavesTheCallersPredictorOpenAndWrapsFailures() throws Exception {
        Path file = tmp.resolve("small.onnx");
        Files.write(file, smallConvNet(8));
        float[] v = Fixtures.randomFloats(3 * 3 * 64, -1f, 1f, 3);
        try (ZooModel<NDList, NDList> model = load(file);
             Predictor<NDList, NDList> predictor = model.newPredictor()) {
            float[] whole;
            try (DjlEncoder enc = DjlEncoder.builder(predictor).manager(model.getNDManager())
                    .layout(Layout.NHWC).build()) {
                whole = enc.encode(new InputBatch(v, 0, 3, 3, 8, 8)).data();
            }
            try (DjlEncoder chunked = DjlEncoder.builder(predictor).manager(model.getNDManager())
                    .layout(Layout.NHWC).maxBatch(2).build()) {
                assertArrayEquals(whole, chunked.encode(new InputBatch(v, 0, 3, 3, 8, 8)).data(), 0f);
                // the wrong layout: the model rejects (1, 3, 8, 8) where it wants (N, 8, 8, 3)
                DjlEncoder wrong = DjlEncoder.builder(predictor).manager(model.getNDManager()).build();
                EncoderException e = assertThrows(EncoderException.class,
                        () -> wrong.encode(new InputBatch(v, 0, 1, 3, 8, 8)));
                assertTrue(e.getMessage().contains("(1, 3, 8, 8)"), e.getMessage());
                wrong.close();
                wrong.close();
                assertThrows(IllegalStateException.class, () -> wrong.encode(new InputBatch(v, 0, 1, 3, 8, 8)));
            }
            try (DjlEncoder again = DjlEncoder.builder(predictor).manager(model.getNDManager())
                    .layout(Layout.NHWC).build()) {
                assertArrayEquals(whole, again.encode(new InputBatch(v, 0, 3, 3, 8, 8)).data(), 0f,
                        "closing an encoder left the caller's predictor open");
            }
        }
    }

    @Test
    void djlImagesMatchRelaxImages() throws Exception {
        Path png = Path.of("..", "samples", "coffee.png");
        Image img = ImageFactory.getInstance().fromFile(png);
        InputTensor expected = Images.read(png);
        assertArrayEquals(expected.toArray(), DjlImages.toRgb(img).toArray(), 0f);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("OnnxRuntime")) {
            InputTensor viaArray = DjlImages.toRgb(img, m);
            assertArrayEquals(expected.toArray(), viaArray.toArray(), 0f);
        }
        assertArrayEquals(Images.readImageNet(png, 32).toArray(), DjlImages.readImageNet(img, 32).toArray(), 0f);
    }
}
