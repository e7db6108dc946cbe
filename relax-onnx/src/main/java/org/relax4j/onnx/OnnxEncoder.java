package org.relax4j.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.EncoderException;
import org.relax4j.data.InputBatch;
import org.relax4j.image.Normalization;
import org.relax4j.model.InputAdapter;
import org.relax4j.model.Layout;
import org.relax4j.model.ModelDescriptor;

/**
 * An {@link Encoder} that runs an ONNX model with ONNX Runtime.
 *
 * <pre>{@code
 * try (OnnxEncoder encoder = OnnxEncoder.builder(Path.of("model.onnx"))
 *         .pixels(Normalization.unit())          // the model takes RGB in [0, 1]
 *         .intraOpThreads(2).build()) {
 *     Embeddings e = encoder.encode(batch);
 * }
 * }</pre>
 *
 * <p><b>Pixel space.</b> RELAX masks the input it is given, usually ImageNet-normalised
 * ({@link Builder#inputPixels}, default {@link Normalization#imagenet()}), so that a fully masked pixel is the
 * ImageNet mean colour. {@link Builder#pixels} declares what the model itself takes; the encoder maps each batch
 * into that space while copying it into the model's input ({@link Normalization#conversionTo}). Undeclared, the
 * model is taken to accept the input's space unchanged. A model that takes RGB in [0, 1], such as
 * {@link PretrainedModels}' MobileNetV2, fed ImageNet-normalised values gives a different, wrong map: declare it.
 *
 * <p><b>Session options and execution providers.</b> By default the encoder creates its own
 * {@code SessionOptions} (all graph optimisations, {@link Builder#intraOpThreads}, no spinning) and runs on the
 * CPU. To choose execution providers, pass your own options ({@link Builder#sessionOptions}) or an open session
 * ({@link #builder(OrtSession)}); the encoder then uses them as they are and does not close them. For NVIDIA GPUs,
 * replace the dependency {@code com.microsoft.onnxruntime:onnxruntime} by
 * {@code com.microsoft.onnxruntime:onnxruntime_gpu} of the same version (exclude the former from
 * {@code relax-onnx}; both jars hold the same classes) and call {@code options.addCUDA(deviceId)} (or
 * {@code addTensorrt}); {@code OrtEnvironment.getAvailableProviders()} tells whether the provider is there.
 *
 * <p><b>Input.</b> The model's input must be a rank-4 float tensor. RELAX hands over NCHW batches; for a model
 * whose input is NHWC ({@link Layout#NHWC}, set or inferred from the input's shape) each batch is transposed
 * into a reused direct buffer ({@link InputAdapter}, as every image encoder does); NCHW batches are copied into it. Fixed C, H, W dimensions of the
 * model are checked against every batch. A model with a fixed batch size {@code n} is run on chunks of
 * {@code n} inputs, the last chunk zero-padded and the padded rows dropped; a dynamic batch dimension takes the
 * whole batch, or chunks of {@link Builder#maxBatch(int)}.
 *
 * <p><b>Output.</b> The chosen output (default: the first) is flattened to {@code (B, D)}, D being the product
 * of its non-batch dimensions. Each call returns a new array.
 *
 * <p><b>Errors.</b> Configuration problems (missing file, unknown input or output name, an input that is not
 * rank-4 float) throw {@link IllegalArgumentException} from {@link Builder#build()}, naming the model's actual
 * inputs and outputs with their shapes. A batch whose shape the model cannot take throws
 * {@link IllegalArgumentException} naming the model's input shape; ONNX Runtime failures during a run are
 * wrapped in {@link EncoderException}.
 *
 * <p><b>Threads and resources.</b> Calls are serialised (the input buffer is reused). {@link #close()} releases the
 * session and its options and is idempotent; the {@link OrtEnvironment} is the process-wide singleton and is
 * left open.
 */
public final class OnnxEncoder implements Encoder, AutoCloseable {

    /** Options for {@link OnnxEncoder}; every setter validates its value and names it in the exception. */
    public static final class Builder {
        private final Path modelPath;
        private final byte[] modelBytes;
        private final OrtSession session;
        private OrtSession.SessionOptions sessionOptions;
        private boolean threadsSet;
        private boolean spinningSet;
        private Normalization inputPixels = Normalization.imagenet();
        private Normalization modelPixels;
        private String inputName;
        private String outputName;
        private Layout layout;
        private int intraOpThreads;
        private int maxBatch;
        private boolean allowSpinning;

        private Builder(Path modelPath, byte[] modelBytes, OrtSession session) {
            this.modelPath = modelPath;
            this.modelBytes = modelBytes;
            this.session = session;
        }

        /**
         * The pixel space the model takes: {@link Normalization#unit()} for RGB in [0, 1],
         * {@link Normalization#imagenet()} for ImageNet-normalised input, or {@link Normalization#of} for any other
         * mean and std. Each batch is mapped from {@link #inputPixels} into it. Default: the input's space (no
         * mapping).
         *
         * @param modelPixels the model's pixel space
         * @return this builder
         */
        public Builder pixels(Normalization modelPixels) {
            this.modelPixels = Objects.requireNonNull(modelPixels, "pixels");
            return this;
        }

        /**
         * The pixel space of the batches RELAX hands over, i.e. of the image passed to {@code Relax.explain}
         * (default {@link Normalization#imagenet()}, as {@code Images.readImageNet} returns).
         *
         * @param inputPixels the input's pixel space
         * @return this builder
         */
        public Builder inputPixels(Normalization inputPixels) {
            this.inputPixels = Objects.requireNonNull(inputPixels, "inputPixels");
            return this;
        }

        /**
         * Runs the model with these options (execution providers, threads, optimisation level, ...), used as they
         * are; the encoder does not close them, and {@link #intraOpThreads} and {@link #allowSpinning} may then not
         * be set (configure them in the options). Not for {@link OnnxEncoder#builder(OrtSession)}.
         *
         * @param options the caller's options; keep them open until the encoder is closed
         * @return this builder
         */
        public Builder sessionOptions(OrtSession.SessionOptions options) {
            this.sessionOptions = Objects.requireNonNull(options, "sessionOptions");
            return this;
        }

        /**
         * The input to feed (default: the model's first input).
         *
         * @param name the input's name in the model
         * @return this builder
         */
        public Builder inputName(String name) {
            this.inputName = requireName(name, "inputName");
            return this;
        }

        /**
         * The output to return (default: the model's first output).
         *
         * @param name the output's name in the model
         * @return this builder
         */
        public Builder outputName(String name) {
            this.outputName = requireName(name, "outputName");
            return this;
        }

        /**
         * The input's layout (default null: inferred from the model's declared input shape, {@link Layout#infer}).
         *
         * @param layout how the model's input is laid out, or null to infer it
         * @return this builder
         */
        public Builder layout(Layout layout) {
            this.layout = layout;
            return this;
        }

        /**
         * ONNX Runtime's intra-op threads; 0 (default) lets ONNX Runtime choose.
         *
         * @param threads the number of threads, {@code >= 0}
         * @return this builder
         */
        public Builder intraOpThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("intraOpThreads (" + threads + ") must be >= 0");
            }
            this.intraOpThreads = threads;
            this.threadsSet = true;
            return this;
        }

        /**
         * Whether ONNX Runtime's worker threads spin (busy-wait) after each run, waiting for the next (default
         * false). Spinning suits back-to-back inference; under RELAX, whose own work runs on the same cores between
         * encoder calls, spinning threads would take that time from it.
         *
         * @param allowSpinning whether worker threads spin
         * @return this builder
         */
        public Builder allowSpinning(boolean allowSpinning) {
            this.allowSpinning = allowSpinning;
            this.spinningSet = true;
            return this;
        }

        /**
         * The largest number of inputs run at once for a model with a dynamic batch dimension; 0 (default)
         * runs each batch whole. Ignored for a model with a fixed batch size.
         *
         * @param maxBatch the largest chunk, {@code >= 0}
         * @return this builder
         */
        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 0) {
                throw new IllegalArgumentException("maxBatch (" + maxBatch + ") must be >= 0");
            }
            this.maxBatch = maxBatch;
            return this;
        }

        /**
         * Loads the model (or takes the session) and checks its input and output.
         *
         * @return the encoder; close it to release what it created
         * @throws IllegalArgumentException if the file is missing or empty, a name is unknown, the input is not a
         *     rank-4 float tensor (the message lists the model's inputs and outputs), or the pixel spaces have
         *     different channel counts
         * @throws IllegalStateException if options contradict each other (own session options or an open session
         *     together with {@link #intraOpThreads} or {@link #allowSpinning}); the message names both
         * @throws EncoderException if ONNX Runtime cannot load the model
         */
        public OnnxEncoder build() {
            if ((sessionOptions != null || session != null) && (threadsSet || spinningSet)) {
                throw new IllegalStateException((session != null ? "an open OrtSession" : "sessionOptions")
                        + " and " + (threadsSet ? "intraOpThreads" : "allowSpinning")
                        + " both set: configure threads and spinning in the session options");
            }
            if (session != null && sessionOptions != null) {
                throw new IllegalStateException("an open OrtSession and sessionOptions both set: the session already"
                        + " has its options");
            }
            if (modelPixels != null) {
                inputPixels.conversionTo(modelPixels);
            }
            if (modelPath != null && !Files.isRegularFile(modelPath)) {
                throw new IllegalArgumentException("ONNX model file not found: " + modelPath.toAbsolutePath());
            }
            if (modelPath != null && isEmpty(modelPath)) {
                throw new IllegalArgumentException("ONNX model file is empty: " + modelPath.toAbsolutePath());
            }
            return new OnnxEncoder(this);
        }

        private static boolean isEmpty(Path file) {
            try {
                return Files.size(file) == 0;
            } catch (java.io.IOException e) {
                return false; // ONNX Runtime will say what is wrong with it
            }
        }

        private static String requireName(String name, String field) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException(field + " must be a non-empty name, got " + name);
            }
            return name;
        }
    }

    /**
     * Options for the model file at {@code modelPath}.
     *
     * @param modelPath an ONNX file
     * @return a builder
     */
    public static Builder builder(Path modelPath) {
        return new Builder(Objects.requireNonNull(modelPath, "modelPath"), null, null);
    }

    /**
     * Options for a serialised model held in memory (not copied; do not modify it until built).
     *
     * @param modelBytes the ONNX model's bytes
     * @return a builder
     */
    public static Builder builder(byte[] modelBytes) {
        Objects.requireNonNull(modelBytes, "modelBytes");
        if (modelBytes.length == 0) {
            throw new IllegalArgumentException("modelBytes is empty");
        }
        return new Builder(null, modelBytes, null);
    }

    /**
     * Options for a session the caller has opened (with whatever options and execution providers it chose). The
     * encoder runs it but does not close it: close the session after the encoder.
     *
     * @param session an open session
     * @return a builder
     */
    public static Builder builder(OrtSession session) {
        return new Builder(null, null, Objects.requireNonNull(session, "session"));
    }

    private final String source;
    private final Path modelFile;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final boolean ownsSession;
    private final Normalization modelPixels;
    private final String inputName;
    private final String outputName;
    private final long[] inputShape;
    private final int dimension;
    private final Layout layout;
    private final InputAdapter adapter;
    private FloatBuffer direct;
    private float[] staging;
    private boolean closed;

    private OnnxEncoder(Builder b) {
        modelFile = b.modelPath;
        source = b.modelPath != null ? b.modelPath.toString()
                : b.modelBytes != null ? "<" + b.modelBytes.length + " model bytes>" : "<caller's OrtSession>";
        env = OrtEnvironment.getEnvironment();
        ownsSession = b.session == null;
        OrtSession.SessionOptions opts = null;
        OrtSession s = b.session;
        try {
            if (ownsSession) {
                if (b.sessionOptions == null) {
                    opts = new OrtSession.SessionOptions();
                    if (b.intraOpThreads > 0) {
                        opts.setIntraOpNumThreads(b.intraOpThreads);
                    }
                    opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                    opts.addConfigEntry("session.intra_op.allow_spinning", b.allowSpinning ? "1" : "0");
                }
                OrtSession.SessionOptions use = opts != null ? opts : b.sessionOptions;
                s = b.modelPath != null ? env.createSession(b.modelPath.toString(), use)
                        : env.createSession(b.modelBytes, use);
            }

            Map<String, NodeInfo> inputs = s.getInputInfo();
            Map<String, NodeInfo> outputs = s.getOutputInfo();
            String in = b.inputName != null ? b.inputName : inputs.keySet().iterator().next();
            String out = b.outputName != null ? b.outputName : outputs.keySet().iterator().next();
            if (!inputs.containsKey(in)) {
                throw new IllegalArgumentException("model " + source + " has no input '" + in + "'; "
                        + describe(inputs, outputs));
            }
            if (!outputs.containsKey(out)) {
                throw new IllegalArgumentException("model " + source + " has no output '" + out + "'; "
                        + describe(inputs, outputs));
            }
            if (!(inputs.get(in).getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT) {
                throw new IllegalArgumentException("input '" + in + "' of model " + source
                        + " is not a float tensor; " + describe(inputs, outputs));
            }
            if (!(outputs.get(out).getInfo() instanceof TensorInfo to) || to.type != OnnxJavaType.FLOAT) {
                throw new IllegalArgumentException("output '" + out + "' of model " + source
                        + " is not a float tensor; " + describe(inputs, outputs));
            }
            long[] shape = ti.getShape();
            if (shape.length != 4) {
                throw new IllegalArgumentException("input '" + in + "' of model " + source + " has rank "
                        + shape.length + " " + Arrays.toString(shape) + ", an image encoder needs rank 4; "
                        + describe(inputs, outputs));
            }
            inputName = in;
            outputName = out;
            inputShape = shape;
            dimension = declaredDimension(to.getShape());
            layout = b.layout != null ? b.layout : Layout.infer(shape);
            modelPixels = b.modelPixels != null ? b.modelPixels : b.inputPixels;
            adapter = new InputAdapter(layout, b.inputPixels.conversionTo(modelPixels), b.maxBatch,
                    shape[0] > 0 ? (int) shape[0] : 0);
            options = opts;
            session = s;
        } catch (OrtException e) {
            closeQuietly(ownsSession ? s : null, opts);
            throw new EncoderException("ONNX Runtime could not load model " + source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ownsSession ? s : null, opts);
            throw e;
        }
    }

    /**
     * The descriptor of the ONNX file at {@code file} as {@link #descriptor} gives it once open, without keeping it
     * open: for a driver that describes a model its executors will open.
     *
     * @param file the ONNX file
     * @param inputName the input to feed, or null for the model's first
     * @param outputName the output to explain, or null for its first
     * @param pixels the pixel space the model takes
     * @return the descriptor, named after the file
     * @throws IllegalArgumentException as {@link Builder#build()}
     * @throws EncoderException if ONNX Runtime cannot load the model
     */
    public static ModelDescriptor describe(Path file, String inputName, String outputName, Normalization pixels) {
        Builder b = builder(file).intraOpThreads(1).pixels(pixels);
        if (inputName != null) {
            b.inputName(inputName);
        }
        if (outputName != null) {
            b.outputName(outputName);
        }
        try (OnnxEncoder e = b.build()) {
            return e.descriptor(file.getFileName().toString(), null);
        }
    }

    /** The product of an output's non-batch dimensions when all are declared, else 0. */
    private static int declaredDimension(long[] shape) {
        long d = 1;
        for (int k = 1; k < shape.length; k++) {
            if (shape[k] <= 0) {
                return 0;
            }
            d *= shape[k];
        }
        return shape.length < 2 || d > Integer.MAX_VALUE ? 0 : (int) d;
    }

    /**
     * This encoder's model as provenance records it: the file, the input and output in use, the layout, the pixel
     * space, and the representation's dimension when the model declares it.
     *
     * @param name the model's name (e.g. the registry's, or the file's name)
     * @param origin where the model came from, or null
     * @return the descriptor
     */
    public ModelDescriptor descriptor(String name, String origin) {
        return new ModelDescriptor(name, origin, modelFile == null ? null : modelFile.toAbsolutePath().toString(),
                inputName, outputName, layout, modelPixels, dimension);
    }

    private static String describe(Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
        return "the model's inputs are " + describe(inputs) + ", outputs are " + describe(outputs);
    }

    private static String describe(Map<String, NodeInfo> infos) {
        StringBuilder sb = new StringBuilder("[");
        for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('\'').append(e.getKey()).append('\'');
            if (e.getValue().getInfo() instanceof TensorInfo t) {
                sb.append(' ').append(t.type).append(Arrays.toString(t.getShape()));
            } else {
                sb.append(' ').append(e.getValue().getInfo());
            }
        }
        return sb.append(']').toString();
    }

    /**
     * The pixel space the model is fed in (declared with {@link Builder#pixels}, else the input's).
     *
     * @return the model's pixel space
     */
    public Normalization pixels() {
        return modelPixels;
    }

    /**
     * The name of the input fed.
     *
     * @return the input's name
     */
    public String inputName() {
        return inputName;
    }

    /**
     * The name of the output returned.
     *
     * @return the output's name
     */
    public String outputName() {
        return outputName;
    }

    /**
     * The model's input shape as declared (-1 for a dynamic dimension), in the model's layout.
     *
     * @return a copy of the shape
     */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /**
     * The input layout in use (inferred from the model's input shape unless set).
     *
     * @return {@link Layout#NCHW} or {@link Layout#NHWC}
     */
    public Layout layout() {
        return layout;
    }

    /**
     * Runs the model on {@code batch}.
     *
     * @param batch (B, C, H, W) row-major float32. Not modified.
     * @return B rows, each the output flattened; a new array
     * @throws IllegalArgumentException if the model's fixed dimensions cannot take the batch's C, H or W
     * @throws EncoderException if ONNX Runtime fails
     * @throws IllegalStateException if the encoder is closed
     */
    @Override
    public synchronized Embeddings encode(InputBatch batch) {
        if (closed) {
            throw new IllegalStateException("OnnxEncoder for " + source + " is closed");
        }
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        checkDim(c, layout == Layout.NHWC ? 3 : 1, "channels", batch);
        checkDim(h, layout == Layout.NHWC ? 1 : 2, "height", batch);
        checkDim(w, layout == Layout.NHWC ? 2 : 3, "width", batch);

        int total = batch.size();
        int chunk = adapter.chunk(total);
        int sample = batch.sampleLength();
        float[] out = null;
        int dim = -1;
        for (int start = 0; start < total; start += chunk) {
            int rows = Math.min(chunk, total - start);
            int runRows = adapter.runRows(rows);
            FloatBuffer in = fill(batch, start, rows, runRows, sample);
            long[] shape = layout.shape(runRows, c, h, w);
            float[] result;
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, in, shape);
                 OrtSession.Result r = session.run(Map.of(inputName, tensor), Set.of(outputName))) {
                Optional<OnnxValue> v = r.get(outputName);
                if (v.isEmpty() || !(v.get() instanceof OnnxTensor t)) {
                    throw new EncoderException("model " + source + " returned no tensor '" + outputName + "'");
                }
                long[] outShape = t.getInfo().getShape();
                if (outShape.length == 0 || outShape[0] != runRows) {
                    throw new EncoderException("output '" + outputName + "' of model " + source + " has shape "
                            + Arrays.toString(outShape) + " for a batch of " + runRows
                            + "; its first dimension must be the batch");
                }
                FloatBuffer fb = t.getFloatBuffer();
                int d = fb.remaining() / runRows;
                if (out == null) {
                    dim = d;
                    out = new float[Math.multiplyExact(total, dim)];
                }
                fb.get(out, start * dim, rows * dim);
            } catch (OrtException e) {
                throw new EncoderException("ONNX Runtime failed on a batch of " + rows + " inputs " + Arrays.toString(
                        shape) + " for model " + source + ": " + e.getMessage(), e);
            }
        }
        return new Embeddings(total, dim, out);
    }

    private void checkDim(int actual, int axis, String what, InputBatch batch) {
        long expected = inputShape[axis];
        if (expected > 0 && expected != actual) {
            throw new IllegalArgumentException("batch " + Arrays.toString(batch.shape()) + " (NCHW) has " + what + " "
                    + actual + ", but input '" + inputName + "' of model " + source + " has shape "
                    + Arrays.toString(inputShape) + " (" + layout + ") and takes " + what + " " + expected);
        }
    }

    /** Copies inputs [start, start+rows) into the reused direct buffer in the model's layout, zero-padding to runRows. */
    private FloatBuffer fill(InputBatch batch, int start, int rows, int runRows, int sample) {
        int needed = Math.multiplyExact(runRows, sample);
        if (direct == null || direct.capacity() < needed) {
            direct = ByteBuffer.allocateDirect(Math.multiplyExact(needed, Float.BYTES)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        direct.clear();
        if (adapter.isPassThrough()) {
            direct.put(batch.data(), batch.offsetOf(start), rows * sample);
        } else {
            if (staging == null || staging.length < rows * sample) {
                staging = new float[rows * sample];
            }
            adapter.copy(batch, start, rows, staging, 0);
            direct.put(staging, 0, rows * sample);
        }
        for (int k = rows * sample; k < needed; k++) {
            direct.put(0f);
        }
        direct.flip();
        return direct;
    }

    /**
     * Releases the session and options the encoder created (not those the caller passed in); later calls to
     * {@link #encode} fail. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        direct = null;
        staging = null;
        try {
            if (ownsSession) {
                session.close();
            }
        } catch (OrtException e) {
            throw new EncoderException("ONNX Runtime failed to close the session for " + source, e);
        } finally {
            if (options != null) {
                options.close();
            }
        }
    }

    private static void closeQuietly(OrtSession s, OrtSession.SessionOptions o) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException e) {
                // the load already failed; that error is the one to report
            }
        }
        if (o != null) {
            o.close();
        }
    }

    @Override
    public String toString() {
        return "OnnxEncoder[" + source + ", input '" + inputName + "' " + Arrays.toString(inputShape) + " " + layout
                + ", pixels " + modelPixels + ", output '" + outputName + "']";
    }

}
