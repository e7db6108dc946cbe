package org.relax4j.djl;

import java.util.Arrays;
import java.util.Objects;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.EncoderException;
import org.relax4j.data.InputBatch;
import org.relax4j.image.Normalization;
import org.relax4j.model.InputAdapter;
import org.relax4j.model.Layout;

/**
 * An {@link Encoder} over a DJL {@code Predictor<NDList, NDList>} or a {@code ZooModel<NDList, NDList>} (load the
 * model with {@code NoopTranslator}, or {@code Criteria.builder().setTypes(NDList.class, NDList.class)}).
 *
 * <pre>{@code
 * Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
 *         .optModelPath(Path.of("model.onnx")).optEngine("OnnxRuntime").build();
 * try (ZooModel<NDList, NDList> model = criteria.loadModel();
 *      DjlEncoder encoder = DjlEncoder.builder(model).layout(Layout.NHWC)
 *              .pixels(Normalization.unit()).build()) {
 *     Explanation e = relax.explain(x, encoder, null, null);
 * }
 * }</pre>
 *
 * <p><b>Input.</b> Each batch becomes one {@link NDList} holding a single float32 array, {@code (B, C, H, W)} or,
 * for {@link Layout#NHWC}, {@code (B, H, W, C)}. The layout is produced here in Java, before the array is handed
 * to DJL, because not every engine can transpose (DJL's ONNX Runtime engine throws
 * {@code UnsupportedOperationException} from {@code NDArray.transpose}). As with {@code OnnxEncoder}, the batch is
 * mapped from {@link Builder#inputPixels} (default ImageNet) into the model's declared {@link Builder#pixels} space
 * while it is copied. Arrays are created in a sub-manager closed after each call, so native memory does not grow.
 *
 * <p><b>Output.</b> Element {@link Builder#outputIndex} (default 0) of the returned list, which must be float32
 * with the batch as its first dimension, is flattened to {@code (B, D)}. Each call returns a new array.
 *
 * <p><b>Errors.</b> A {@link TranslateException} or engine failure is wrapped in {@link EncoderException} naming
 * the batch shape; an output of the wrong type or shape is an {@link EncoderException} naming what came back.
 *
 * <p><b>Threads and resources.</b> Calls are serialised (a DJL {@code Predictor} is not thread-safe, and the
 * staging array is reused). {@link #close()} closes what the encoder created (the predictor it opened from a
 * {@code ZooModel}, the NDManager it created), never the caller's model or predictor; it is idempotent.
 *
 * <p><b>Engines.</b> Tested offline with DJL's ONNX Runtime engine ({@code ai.djl.onnxruntime:onnxruntime-engine}),
 * whose native library ships in the ONNX Runtime jar. Engines that download their native library on first use
 * (PyTorch, TensorFlow, MXNet) are used the same way but could not be tested where relax4j is built. DJL's ONNX
 * Runtime engine creates ONNX Runtime's process-wide environment with its own thread pools and fails
 * ({@code IllegalStateException: Tried to specify the thread pool ...}) if it exists already: in a JVM that also
 * uses relax-onnx's {@code OnnxEncoder}, start DJL's engine first ({@code Engine.getEngine("OnnxRuntime")}).
 */
public final class DjlEncoder implements Encoder, AutoCloseable {

    /** Options for {@link DjlEncoder}; every setter validates its value and names it in the exception. */
    public static final class Builder {
        private final Predictor<NDList, NDList> predictor;
        private final ZooModel<NDList, NDList> model;
        private NDManager manager;
        private Layout layout = Layout.NCHW;
        private Normalization inputPixels = Normalization.imagenet();
        private Normalization modelPixels;
        private int outputIndex;
        private int maxBatch;

        private Builder(Predictor<NDList, NDList> predictor, ZooModel<NDList, NDList> model) {
            this.predictor = predictor;
            this.model = model;
        }

        /**
         * The model's input layout (default {@link Layout#NCHW}).
         *
         * @param layout how the model's input is laid out
         * @return this builder
         */
        public Builder layout(Layout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
            return this;
        }

        /**
         * The pixel space the model takes (default: the input's, no mapping); see
         * {@code OnnxEncoder.Builder.pixels}.
         *
         * @param modelPixels the model's pixel space, e.g. {@link Normalization#unit()}
         * @return this builder
         */
        public Builder pixels(Normalization modelPixels) {
            this.modelPixels = Objects.requireNonNull(modelPixels, "pixels");
            return this;
        }

        /**
         * The pixel space of the batches RELAX hands over (default {@link Normalization#imagenet()}).
         *
         * @param inputPixels the input's pixel space
         * @return this builder
         */
        public Builder inputPixels(Normalization inputPixels) {
            this.inputPixels = Objects.requireNonNull(inputPixels, "inputPixels");
            return this;
        }

        /**
         * Which element of the model's output list to return (default 0).
         *
         * @param index a position in the output {@link NDList}, {@code >= 0}
         * @return this builder
         */
        public Builder outputIndex(int index) {
            if (index < 0) {
                throw new IllegalArgumentException("outputIndex (" + index + ") must be >= 0");
            }
            this.outputIndex = index;
            return this;
        }

        /**
         * The largest number of inputs passed to the predictor at once; 0 (default) passes each batch whole.
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
         * The manager under which input arrays are created (a sub-manager per call). Default: the model's manager
         * for {@link DjlEncoder#builder(ZooModel)}, else a new base manager of DJL's default engine, closed with
         * the encoder. Use it to pick the engine or device for a bare predictor.
         *
         * @param manager an open manager of the predictor's engine; not closed by the encoder
         * @return this builder
         */
        public Builder manager(NDManager manager) {
            this.manager = Objects.requireNonNull(manager, "manager");
            return this;
        }

        /**
         * Creates the encoder (and, for a {@code ZooModel}, its predictor).
         *
         * @return the encoder
         * @throws IllegalArgumentException if the pixel spaces have different channel counts
         */
        public DjlEncoder build() {
            Normalization target = modelPixels != null ? modelPixels : inputPixels;
            Normalization.Conversion conversion = inputPixels.conversionTo(target);
            return new DjlEncoder(this, target, conversion.isIdentity() ? null : conversion);
        }
    }

    /**
     * Options for an encoder over the caller's predictor (not closed by the encoder).
     *
     * @param predictor a predictor from NDList to NDList
     * @return a builder
     */
    public static Builder builder(Predictor<NDList, NDList> predictor) {
        return new Builder(Objects.requireNonNull(predictor, "predictor"), null);
    }

    /**
     * Options for an encoder over a model; the encoder opens its own predictor (closed with it), and leaves the
     * model open.
     *
     * @param model a model whose translator maps NDList to NDList
     * @return a builder
     */
    public static Builder builder(ZooModel<NDList, NDList> model) {
        return new Builder(null, Objects.requireNonNull(model, "model"));
    }

    private final Predictor<NDList, NDList> predictor;
    private final boolean ownsPredictor;
    private final NDManager manager;
    private final boolean ownsManager;
    private final Layout layout;
    private final Normalization pixels;
    private final InputAdapter adapter;
    private final int outputIndex;
    private final String source;
    private float[] staging;
    private boolean closed;

    private DjlEncoder(Builder b, Normalization pixels, Normalization.Conversion conversion) {
        this.layout = b.layout;
        this.pixels = pixels;
        this.adapter = new InputAdapter(b.layout, conversion, b.maxBatch, 0);
        this.outputIndex = b.outputIndex;
        if (b.model != null) {
            this.source = "DJL model '" + b.model.getName() + "'";
            this.predictor = b.model.newPredictor();
            this.ownsPredictor = true;
        } else {
            this.source = "DJL predictor " + b.predictor;
            this.predictor = b.predictor;
            this.ownsPredictor = false;
        }
        if (b.manager != null) {
            this.manager = b.manager;
            this.ownsManager = false;
        } else if (b.model != null) {
            this.manager = b.model.getNDManager();
            this.ownsManager = false;
        } else {
            this.manager = NDManager.newBaseManager();
            this.ownsManager = true;
        }
    }

    /**
     * The input layout.
     *
     * @return the layout arrays are handed over in
     */
    public Layout layout() {
        return layout;
    }

    /**
     * The pixel space the model is fed in.
     *
     * @return the declared space, or the input's if none was declared
     */
    public Normalization pixels() {
        return pixels;
    }

    /**
     * Runs the predictor on {@code batch}.
     *
     * @param batch (B, C, H, W) row-major float32. Not modified.
     * @return B rows, each the chosen output flattened; a new array
     * @throws EncoderException if the predictor fails or returns an output of the wrong type or shape
     * @throws IllegalStateException if the encoder is closed
     */
    @Override
    public synchronized Embeddings encode(InputBatch batch) {
        if (closed) {
            throw new IllegalStateException(source + " encoder is closed");
        }
        int total = batch.size();
        int chunk = adapter.chunk(total);
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        int sample = batch.sampleLength();
        float[] out = null;
        int dim = -1;
        for (int start = 0; start < total; start += chunk) {
            int rows = Math.min(chunk, total - start);
            Shape shape = new Shape(layout.shape(rows, c, h, w));
            float[] values = layOut(batch, start, rows, sample);
            try (NDManager sub = manager.newSubManager()) {
                NDArray x = sub.create(values, shape);
                NDList result = predictor.predict(new NDList(x));
                if (result == null || result.size() <= outputIndex) {
                    throw new EncoderException(source + " returned " + (result == null ? "null" : result.size()
                            + " outputs") + ", output " + outputIndex + " was asked for");
                }
                NDArray y = result.get(outputIndex);
                long[] outShape = y.getShape().getShape();
                if (y.getDataType() != DataType.FLOAT32 || outShape.length == 0 || outShape[0] != rows) {
                    throw new EncoderException("output " + outputIndex + " of " + source + " is " + y.getDataType()
                            + Arrays.toString(outShape) + " for a batch of " + rows
                            + "; it must be float32 with the batch as its first dimension");
                }
                float[] rowsOut = y.toFloatArray();
                int d = rowsOut.length / rows;
                if (out == null) {
                    dim = d;
                    out = new float[Math.multiplyExact(total, dim)];
                } else if (d != dim) {
                    throw new EncoderException("output " + outputIndex + " of " + source + " has " + d
                            + " values per input, an earlier chunk had " + dim);
                }
                System.arraycopy(rowsOut, 0, out, start * dim, rows * dim);
                result.close();
            } catch (TranslateException e) {
                throw new EncoderException(source + " failed on a batch of " + rows + " inputs " + shape + ": "
                        + e.getMessage(), e);
            } catch (EncoderException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new EncoderException(source + " failed on a batch of " + rows + " inputs " + shape + ": " + e,
                        e);
            }
        }
        return new Embeddings(total, dim, out);
    }

    /** Inputs [start, start+rows) in the model's layout and pixel space, in the reused staging array. */
    private float[] layOut(InputBatch batch, int start, int rows, int sample) {
        int n = rows * sample;
        if (staging == null || staging.length != n) {
            staging = new float[n];
        }
        adapter.copy(batch, start, rows, staging, 0);
        return staging;
    }

    /** Closes the predictor and manager this encoder created; the caller's model, predictor and manager stay open. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        staging = null;
        try {
            if (ownsPredictor) {
                predictor.close();
            }
        } finally {
            if (ownsManager) {
                manager.close();
            }
        }
    }

    @Override
    public String toString() {
        return "DjlEncoder[" + source + ", " + layout + ", pixels " + pixels + ", output " + outputIndex + "]";
    }
}
