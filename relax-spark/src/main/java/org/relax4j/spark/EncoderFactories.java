package org.relax4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;
import org.relax4j.Encoder;
import org.relax4j.image.Normalization;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.PretrainedModels;

/**
 * Encoder factories for ONNX models, which ship the model file to every executor once with
 * {@code SparkContext.addFile} and open it there with ONNX Runtime.
 */
public final class EncoderFactories {
    private EncoderFactories() {
    }

    /**
     * The pretrained MobileNetV2 embedding (as {@code relax explain} uses it): converted into {@code cacheDir} on
     * the driver if missing ({@link PretrainedModels#ensureMobileNetV2}), shipped with {@code addFile}, opened on
     * each executor as {@link PretrainedModels#openMobileNetV2} opens it.
     *
     * @param log receives the conversion's progress lines on the driver
     */
    public static EncoderFactory mobileNetV2(SparkSession spark, Path cacheDir, Consumer<String> log) {
        Path model = PretrainedModels.ensureMobileNetV2(cacheDir, log);
        spark.sparkContext().addFile(model.toAbsolutePath().toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", "mobilenet-v2");
        json.put("source", "npm nsfwjs@" + PretrainedModels.NSFWJS_VERSION + " dist/models/mobilenet_v2_mid, "
                + "converted from TensorFlow.js to ONNX");
        json.put("file", model.toAbsolutePath().toString());
        json.put("output", PretrainedModels.MOBILENET_V2_EMBEDDING_NODE);
        json.put("dimension", PretrainedModels.MOBILENET_V2_DIM);
        json.put("pixels", "unit");
        return new OnnxFileFactory(model.getFileName().toString(), null, null, OnnxEncoder.Layout.NHWC, true,
                "mobilenet-v2 (" + PretrainedModels.MOBILENET_V2_DIM + "-d embedding)", json);
    }

    /**
     * An ONNX model file, shipped with {@code addFile}.
     *
     * @param inputName the input to feed, or null for the model's first
     * @param outputName the output to explain, or null for its first
     * @param unitPixels true if the model takes RGB in [0, 1] (the encoder then maps the ImageNet-normalised masked
     *        input into that space, {@link Normalization#unit()}), false if it takes ImageNet-normalised input
     * @throws IllegalArgumentException if there is no file at {@code model}
     */
    public static EncoderFactory onnx(SparkSession spark, Path model, String inputName, String outputName,
                                      boolean unitPixels) {
        Objects.requireNonNull(model, "model");
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no ONNX file at " + model);
        }
        spark.sparkContext().addFile(model.toAbsolutePath().toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", model.getFileName().toString());
        json.put("file", model.toAbsolutePath().toString());
        json.put("input", inputName);
        json.put("output", outputName);
        json.put("pixels", unitPixels ? "unit" : "imagenet");
        return new OnnxFileFactory(model.getFileName().toString(), inputName, outputName, null, unitPixels,
                model.toString(), json);
    }

    /** Opens a file shipped with {@code addFile} on the executor. */
    static final class OnnxFileFactory implements EncoderFactory {
        private static final long serialVersionUID = 1L;

        private final String fileName;
        private final String inputName;
        private final String outputName;
        private final OnnxEncoder.Layout layout;
        private final boolean unitPixels;
        private final String description;
        private final LinkedHashMap<String, Object> json;

        OnnxFileFactory(String fileName, String inputName, String outputName, OnnxEncoder.Layout layout,
                        boolean unitPixels, String description, Map<String, Object> json) {
            this.fileName = fileName;
            this.inputName = inputName;
            this.outputName = outputName;
            this.layout = layout;
            this.unitPixels = unitPixels;
            this.description = description;
            this.json = new LinkedHashMap<>(json);
        }

        @Override
        public Encoder open(int threads) {
            OnnxEncoder.Builder b = OnnxEncoder.builder(Path.of(SparkFiles.get(fileName))).intraOpThreads(threads);
            if (inputName != null) {
                b.inputName(inputName);
            }
            if (outputName != null) {
                b.outputName(outputName);
            }
            if (layout != null) {
                b.layout(layout);
            }
            return b.pixels(unitPixels ? Normalization.unit() : Normalization.imagenet()).build();
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public Map<String, Object> describeJson() {
            return json;
        }
    }
}
