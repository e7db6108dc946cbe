package org.relax4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.relax4j.Encoder;
import org.relax4j.image.Normalization;
import org.relax4j.model.ModelDescriptor;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.PretrainedModels;

/**
 * Encoder factories for ONNX models, which send the model file's bytes to every executor once, as a broadcast, and
 * open it there with ONNX Runtime.
 */
public final class EncoderFactories {
    private EncoderFactories() {
    }

    /**
     * The pretrained MobileNetV2 embedding (as {@code relax explain} uses it): converted into {@code cacheDir} on
     * the driver if missing ({@link PretrainedModels#ensureMobileNetV2}), sent to the executors as a broadcast of the
     * file's bytes, opened on each executor as {@link PretrainedModels#openMobileNetV2} opens it.
     *
     * @param log receives the conversion's progress lines on the driver
     */
    public static EncoderFactory mobileNetV2(SparkSession spark, Path cacheDir, Consumer<String> log) {
        String name = PretrainedModels.MOBILENET_V2;
        Path model = PretrainedModels.ensure(name, cacheDir, log);
        return new OnnxModelFactory(broadcast(spark, model), name, null, null, true,
                PretrainedModels.descriptor(name, cacheDir));
    }

    /**
     * An ONNX model file, sent to the executors as a broadcast of its bytes; described on the driver as
     * {@link OnnxEncoder#describe} does (the same description as the command line's, for the same file).
     *
     * @param inputName the input to feed, or null for the model's first
     * @param outputName the output to explain, or null for its first
     * @param unitPixels true if the model takes RGB in [0, 1] (the encoder then maps the ImageNet-normalised masked
     *        input into that space, {@link Normalization#unit()}), false if it takes ImageNet-normalised input
     * @throws IllegalArgumentException if there is no file at {@code model}, or it has no such input or output
     */
    public static EncoderFactory onnx(SparkSession spark, Path model, String inputName, String outputName,
                                      boolean unitPixels) {
        Objects.requireNonNull(model, "model");
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no ONNX file at " + model);
        }
        ModelDescriptor d = OnnxEncoder.describe(model, inputName, outputName,
                unitPixels ? Normalization.unit() : Normalization.imagenet());
        return new OnnxModelFactory(broadcast(spark, model), null, d.input(), d.output(), unitPixels, d);
    }

    /**
     * The model's bytes as a broadcast: every executor gets them from the driver (or from each other) whatever its
     * working directory, and, unlike a file added with {@code addFile}, where an executor of a real cluster looks
     * for the file does not matter.
     */
    private static Broadcast<byte[]> broadcast(SparkSession spark, Path model) {
        try {
            return JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(Files.readAllBytes(model));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model " + model, e);
        }
    }

    /** Opens a model sent as a broadcast on the executor. */
    static final class OnnxModelFactory implements EncoderFactory {
        private static final long serialVersionUID = 3L;

        private final Broadcast<byte[]> model;
        private final String pretrained;
        private final String inputName;
        private final String outputName;
        private final boolean unitPixels;
        private final String description;
        private final LinkedHashMap<String, Object> json;

        /** @param pretrained the registry's name of a pretrained model, or null for a plain ONNX file */
        OnnxModelFactory(Broadcast<byte[]> model, String pretrained, String inputName, String outputName,
                         boolean unitPixels, ModelDescriptor descriptor) {
            this.model = model;
            this.pretrained = pretrained;
            this.inputName = inputName;
            this.outputName = outputName;
            this.unitPixels = unitPixels;
            this.description = descriptor.summary();
            this.json = new LinkedHashMap<>(descriptor.toMap());
        }

        @Override
        public Encoder open(int threads) {
            byte[] bytes = model.value();
            if (pretrained != null) {
                return PretrainedModels.builder(pretrained, bytes).intraOpThreads(threads).build();
            }
            OnnxEncoder.Builder b = OnnxEncoder.builder(bytes).intraOpThreads(threads);
            if (inputName != null) {
                b.inputName(inputName);
            }
            if (outputName != null) {
                b.outputName(outputName);
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
