package org.relax4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.relax4j.Encoder;
import org.relax4j.EncoderException;
import org.relax4j.data.InputTensor;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.model.ModelDescriptor;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.mask.MaskDomain;
import org.relax4j.onnx.PretrainedModels;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The image model's options, shared by {@code explain} and {@code dataset} (a picocli mixin): which encoder, its
 * input and output, its pixel space, the image size and the pretrained model's cache, with the usage checks that
 * need no file opened, in one place.
 */
final class ModelOptions {
    /** What the model's input pixels are. */
    enum PixelSpace { unit, imagenet }

    /** The pretrained model's name on the command line. */
    static final String MOBILENET = PretrainedModels.MOBILENET_V2;

    @Option(names = "--model", paramLabel = "FILE|mobilenet-v2", defaultValue = MOBILENET,
            description = "The encoder: '" + MOBILENET + "' (MobileNetV2 1.4 ImageNet features, 1792-d, from the npm "
                    + "package nsfwjs 4.3.0, fetched and converted to ONNX on first use) or an ONNX model file. "
                    + "Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--model-input", paramLabel = "NAME", description = "The ONNX model's input to feed (default: its first).")
    String modelInput;

    @Option(names = "--model-output", paramLabel = "NAME", description = "The ONNX model's output to explain (default: its first).")
    String modelOutput;

    @Option(names = "--pixels", paramLabel = "unit|imagenet",
            description = "What the model takes: 'unit' = RGB in [0, 1], 'imagenet' = ImageNet-normalised RGB. "
                    + "Default: unit for " + MOBILENET + ", imagenet for a model file.")
    PixelSpace pixels;

    @Option(names = "--size", paramLabel = "N", defaultValue = "" + PretrainedModels.MOBILENET_V2_SIZE,
            description = "Images are resized to N x N (bilinear); for dataset, 0 keeps each image's own size. "
                    + "Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Where the converted pretrained model is kept (on the driver, for dataset). "
                    + "Default: $RELAX4J_CACHE or ~/.cache/relax4j.")
    Path cache;

    boolean isMobileNet() {
        return MOBILENET.equals(model);
    }

    /**
     * The model's bytes when they came from elsewhere — a Spark executor gets the driver's, since the file or the
     * pretrained model's cache need not exist where it runs; null: from {@code --model} or the cache.
     */
    byte[] preloaded;

    /** {@return the pixel space the model takes: as given, else unit for the pretrained model, imagenet for a file} */
    PixelSpace pixelSpace() {
        return pixels != null ? pixels : isMobileNet() ? PixelSpace.unit : PixelSpace.imagenet;
    }

    /** {@return where the pretrained model is cached} */
    Path cacheDir() {
        return cache != null ? cache : PretrainedModels.defaultCacheDir();
    }

    /**
     * Checks what needs no file opened, so that usage errors come before any work: the size, what the pretrained
     * model allows, that a model file exists and is not empty, and that the size fits the cells.
     *
     * @param spec the command, for the usage error
     * @param cells the masks' cells per side (not checked here if below 1: the configuration names that)
     * @param ownSize whether {@code --size 0} (each image at its own size) is allowed
     * @throws CommandLine.ParameterException naming the option
     */
    void check(CommandSpec spec, int cells, boolean ownSize) {
        if (size < (ownSize ? 0 : 1)) {
            throw usage(spec, "--size must be at least " + (ownSize ? "0 (each image's own size)" : "1") + ", got "
                    + size);
        }
        if (3L * size * size > Integer.MAX_VALUE - 8) {
            throw usage(spec, "--size " + size + " is too large: a 3 x " + size + " x " + size
                    + " image exceeds one Java array");
        }
        if (isMobileNet()) {
            if (size != PretrainedModels.MOBILENET_V2_SIZE) {
                throw usage(spec, "--size " + size + ": " + MOBILENET + " takes " + PretrainedModels.MOBILENET_V2_SIZE
                        + " x " + PretrainedModels.MOBILENET_V2_SIZE + " images only; leave --size out, or explain an "
                        + "ONNX model file (--model FILE)");
            }
            if (modelInput != null || modelOutput != null) {
                throw usage(spec, (modelInput != null ? "--model-input" : "--model-output") + " applies to an ONNX "
                        + "model file (--model FILE); " + MOBILENET + " has fixed ones");
            }
            if (pixels == PixelSpace.imagenet) {
                throw usage(spec, "--pixels imagenet: " + MOBILENET + " takes RGB in [0, 1]; --pixels does not apply "
                        + "to it");
            }
        } else if (preloaded != null) {
            // the driver checked the file and sent its bytes
        } else if (!Files.isRegularFile(Path.of(model))) {
            throw usage(spec, "--model: no ONNX file at " + model + " (or use '" + MOBILENET + "')");
        } else if (new java.io.File(model).length() == 0) {
            throw usage(spec, "--model " + model + ": ONNX model file is empty");
        }
        if (cells >= 1 && size > 0) {
            try {
                MaskDomain.smooth(new int[] {size, size}, new int[] {cells, cells});
            } catch (IllegalArgumentException ex) {
                throw usage(spec, "--size " + size + " is too small for --cells " + cells + " (" + ex.getMessage() + ")");
            }
        }
    }

    private static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** An opened encoder and what to say about it. */
    static final class Opened implements AutoCloseable {
        final Encoder encoder;
        final AutoCloseable closeable;
        final String description;
        final Map<String, Object> json;

        Opened(Encoder encoder, AutoCloseable closeable, ModelDescriptor model) {
            this.encoder = encoder;
            this.closeable = closeable;
            this.description = model.summary();
            this.json = model.toMap();
        }

        @Override
        public void close() throws Exception {
            closeable.close();
        }
    }

    /** {@return an image read (subsampled while decoding if large) and resized to the model's size} */
    InputTensor readImage(Path image) throws IOException {
        return Images.readAtSize(image, size, size);
    }

    /**
     * Opens the model: the pretrained one (fetched and converted on first use) or the ONNX file.
     *
     * @param threads ONNX Runtime's intra-op threads
     * @param log progress lines (fetching, converting)
     * @param spec the command, for usage errors
     * @return the encoder
     */
    Opened open(int threads, Consumer<String> log, CommandSpec spec) {
        if (preloaded != null) {
            OnnxEncoder enc = openEdited(preloaded, threads, spec);
            if (isMobileNet()) {
                return new Opened(enc, enc, PretrainedModels.descriptor(model, cacheDir()));
            }
            // described as the file it came from (the driver gives its absolute path), not as bytes
            org.relax4j.model.ModelDescriptor d = enc.descriptor(Path.of(model).getFileName().toString(), null);
            return new Opened(enc, enc, new org.relax4j.model.ModelDescriptor(d.name(), d.source(),
                    Path.of(model).toAbsolutePath().toString(), d.input(), d.output(), d.layout(), d.pixels(),
                    d.dimension()));
        }
        if (isMobileNet()) {
            Path dir = cacheDir();
            OnnxEncoder enc = PretrainedModels.openMobileNetV2(dir, threads, log);
            return new Opened(enc, enc, PretrainedModels.descriptor(model, dir));
        }
        Path file = Path.of(model);
        OnnxEncoder onnx = build(OnnxEncoder.builder(file), threads, spec);
        return new Opened(onnx, onnx, onnx.descriptor(file.getFileName().toString(), null));
    }

    /**
     * {@return the model file's bytes (for the pretrained model, its cached conversion), as {@link #open} loads them}
     *
     * @param log progress lines
     */
    byte[] bytes(Consumer<String> log) throws IOException {
        if (preloaded != null) {
            return preloaded;
        }
        return Files.readAllBytes(isMobileNet() ? PretrainedModels.ensureMobileNetV2(cacheDir(), log) : Path.of(model));
    }

    /**
     * Opens an edited copy of the model (same input, output, layout and pixels as {@link #open}).
     *
     * @param bytes the edited model
     * @param threads ONNX Runtime's intra-op threads
     * @param spec the command, for usage errors
     * @return the encoder
     */
    OnnxEncoder openEdited(byte[] bytes, int threads, CommandSpec spec) {
        if (isMobileNet()) {
            return PretrainedModels.builder(model, bytes).intraOpThreads(threads).build();
        }
        return build(OnnxEncoder.builder(bytes), threads, spec);
    }

    private OnnxEncoder build(OnnxEncoder.Builder b, int threads, CommandSpec spec) {
        b.intraOpThreads(threads);
        if (modelInput != null) {
            b.inputName(modelInput);
        }
        if (modelOutput != null) {
            b.outputName(modelOutput);
        }
        b.pixels(pixelSpace() == PixelSpace.unit ? Normalization.unit() : Normalization.imagenet());
        try {
            return b.build();
        } catch (IllegalArgumentException ex) {
            throw usage(spec, "--model " + model + ": " + ex.getMessage());
        } catch (EncoderException ex) {
            String msg = ex.getMessage();
            throw new IllegalStateException("--model " + model + ": "
                    + (msg.contains("\n") ? msg.substring(0, msg.indexOf('\n')) : msg), ex);
        }
    }
}
