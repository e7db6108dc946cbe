package org.relax4j.spark;

import java.nio.file.Path;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.relax4j.RelaxConfig;
import org.relax4j.mask.MaskDesign;
import org.relax4j.onnx.PretrainedModels;

/**
 * RELAX as a {@code spark.ml} {@link Transformer}: {@code transform(images)} is {@link DatasetExplainer#explain}
 * with the settings held as params, so it composes with pipelines and saves and loads with its params
 * ({@code save(path)}, {@link #load(String)}).
 *
 * <pre>{@code
 * RelaxTransformer relax = new RelaxTransformer().setMasks(3000).setSeed(7).setOutputDir("relax-out");
 * Dataset<Row> maps = relax.transform(spark.read().format("image").load("photos/"));
 * }</pre>
 *
 * <p>The model is the {@code model} param: {@code mobilenet-v2} (default) or an ONNX file on the driver (shipped
 * to executors). A user {@link EncoderFactory} set with {@link #setEncoderFactory} takes precedence; it is not a
 * param, so it is not saved: set it again after loading.
 */
public final class RelaxTransformer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputDir;
    private final Param<String> model;
    private final Param<String> modelInput;
    private final Param<String> modelOutput;
    private final Param<String> pixels;
    private final Param<String> cacheDir;
    private final LongParam masks;
    private final IntParam batchSize;
    private final IntParam cells;
    private final DoubleParam keepProbability;
    private final LongParam seed;
    private final Param<String> design;
    private final IntParam imageSize;
    private final IntParam threadsPerTask;
    private final IntParam encoderThreads;
    private final IntParam partitions;
    private final BooleanParam failFast;
    private transient EncoderFactory encoderFactory;

    public RelaxTransformer() {
        this(Identifiable.randomUID("relax"));
    }

    /** With a given uid (used by {@link #load}). */
    public RelaxTransformer(String uid) {
        this.uid = uid;
        inputCol = new Param<>(uid, "inputCol", "column of images: an image struct, binary content or a path "
                + "('' = the first of image, content, path)");
        outputDir = new Param<>(uid, "outputDir", "folder for each image's files and resume ('' = none)");
        model = new Param<>(uid, "model", "'mobilenet-v2' or an ONNX file on the driver");
        modelInput = new Param<>(uid, "modelInput", "the ONNX model's input ('' = its first)");
        modelOutput = new Param<>(uid, "modelOutput", "the ONNX model's output ('' = its first)");
        pixels = new Param<>(uid, "pixels", "what an ONNX file takes: 'unit' (RGB in [0, 1]) or 'imagenet'",
                ParamValidators.inArray(new String[] {"unit", "imagenet"}));
        cacheDir = new Param<>(uid, "cacheDir", "where the pretrained model is converted ('' = the default cache)");
        masks = new LongParam(uid, "masks", "number of masks (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(uid, "batchSize", "masks per encoder call (>= 1)", ParamValidators.gtEq(1));
        cells = new IntParam(uid, "cells", "grid cells per side, in [1, 1024]", ParamValidators.inRange(1, 1024));
        keepProbability = new DoubleParam(uid, "keepProbability", "probability a cell is kept, in (0, 1]",
                ParamValidators.inRange(0, 1, false, true));
        seed = new LongParam(uid, "seed", "seed of the masks");
        design = new Param<>(uid, "design", "'random' or 'balanced'",
                ParamValidators.inArray(new String[] {"random", "balanced"}));
        imageSize = new IntParam(uid, "imageSize", "images are resized to N x N (0 = keep)", ParamValidators.gtEq(0));
        threadsPerTask = new IntParam(uid, "threadsPerTask", "engine threads per task (>= 1)", ParamValidators.gtEq(1));
        encoderThreads = new IntParam(uid, "encoderThreads", "threads of each executor's encoder (0 = its cores)",
                ParamValidators.gtEq(0));
        partitions = new IntParam(uid, "partitions", "tasks (0 = one per image)", ParamValidators.gtEq(0));
        failFast = new BooleanParam(uid, "failFast", "fail the job at the first bad image");
        setDefault(inputCol, "");
        setDefault(outputDir, "");
        setDefault(model, PretrainedModels.MOBILENET_V2);
        setDefault(modelInput, "");
        setDefault(modelOutput, "");
        setDefault(pixels, "imagenet");
        setDefault(cacheDir, "");
        setDefault(masks, (Object) (long) (RelaxConfig.DEFAULT_BATCH_SIZE * RelaxConfig.DEFAULT_NUM_BATCHES));
        setDefault(batchSize, (Object) RelaxConfig.DEFAULT_BATCH_SIZE);
        setDefault(cells, (Object) RelaxConfig.DEFAULT_CELLS);
        setDefault(keepProbability, (Object) (double) RelaxConfig.DEFAULT_KEEP_PROBABILITY);
        setDefault(seed, (Object) RelaxConfig.DEFAULT_SEED);
        setDefault(design, MaskDesign.RANDOM.id());
        setDefault(imageSize, (Object) 224);
        setDefault(threadsPerTask, (Object) 1);
        setDefault(encoderThreads, (Object) 0);
        setDefault(partitions, (Object) 0);
        setDefault(failFast, (Object) false);
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- params (public accessors: spark.ml finds params through them) ----

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputDir() { return outputDir; }
    public Param<String> model() { return model; }
    public Param<String> modelInput() { return modelInput; }
    public Param<String> modelOutput() { return modelOutput; }
    public Param<String> pixels() { return pixels; }
    public Param<String> cacheDir() { return cacheDir; }
    public LongParam masks() { return masks; }
    public IntParam batchSize() { return batchSize; }
    public IntParam cells() { return cells; }
    public DoubleParam keepProbability() { return keepProbability; }
    public LongParam seed() { return seed; }
    public Param<String> design() { return design; }
    public IntParam imageSize() { return imageSize; }
    public IntParam threadsPerTask() { return threadsPerTask; }
    public IntParam encoderThreads() { return encoderThreads; }
    public IntParam partitions() { return partitions; }
    public BooleanParam failFast() { return failFast; }

    public RelaxTransformer setInputCol(String v) { set(inputCol, v); return this; }
    public RelaxTransformer setOutputDir(String v) { set(outputDir, v); return this; }
    public RelaxTransformer setModel(String v) { set(model, v); return this; }
    public RelaxTransformer setModelInput(String v) { set(modelInput, v); return this; }
    public RelaxTransformer setModelOutput(String v) { set(modelOutput, v); return this; }
    public RelaxTransformer setPixels(String v) { set(pixels, v); return this; }
    public RelaxTransformer setCacheDir(String v) { set(cacheDir, v); return this; }
    public RelaxTransformer setMasks(long v) { set(masks, (Object) v); return this; }
    public RelaxTransformer setBatchSize(int v) { set(batchSize, (Object) v); return this; }
    public RelaxTransformer setCells(int v) { set(cells, (Object) v); return this; }
    public RelaxTransformer setKeepProbability(double v) { set(keepProbability, (Object) v); return this; }
    public RelaxTransformer setSeed(long v) { set(seed, (Object) v); return this; }
    public RelaxTransformer setDesign(String v) { set(design, v); return this; }
    public RelaxTransformer setImageSize(int v) { set(imageSize, (Object) v); return this; }
    public RelaxTransformer setThreadsPerTask(int v) { set(threadsPerTask, (Object) v); return this; }
    public RelaxTransformer setEncoderThreads(int v) { set(encoderThreads, (Object) v); return this; }
    public RelaxTransformer setPartitions(int v) { set(partitions, (Object) v); return this; }
    public RelaxTransformer setFailFast(boolean v) { set(failFast, (Object) v); return this; }

    /** A model of the user's own, opened on each executor; replaces the {@code model} param. Not saved. */
    public RelaxTransformer setEncoderFactory(EncoderFactory factory) {
        this.encoderFactory = factory;
        return this;
    }

    /** The explanation's settings, from the params. */
    public RelaxConfig config() {
        return RelaxConfig.builder().masks((Long) getOrDefault(masks)).batchSize((Integer) getOrDefault(batchSize))
                .cells((Integer) getOrDefault(cells)).keepProbability(((Double) getOrDefault(keepProbability))
                        .floatValue()).seed((Long) getOrDefault(seed)).design(MaskDesign.parse(getOrDefault(design)))
                .build();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        SparkSession spark = dataset.sparkSession();
        DatasetExplainer.Builder b = DatasetExplainer.builder(config(), encoderFactory(spark))
                .imageSize((Integer) getOrDefault(imageSize)).threadsPerTask((Integer) getOrDefault(threadsPerTask))
                .encoderThreads((Integer) getOrDefault(encoderThreads)).partitions((Integer) getOrDefault(partitions))
                .failFast((Boolean) getOrDefault(failFast));
        String in = getOrDefault(inputCol);
        if (!in.isEmpty()) {
            b.inputCol(in);
        }
        String out = getOrDefault(outputDir);
        if (!out.isEmpty()) {
            b.outputDir(Path.of(out));
        }
        return b.build().explain(dataset.toDF());
    }

    private EncoderFactory encoderFactory(SparkSession spark) {
        if (encoderFactory != null) {
            return encoderFactory;
        }
        String m = getOrDefault(model);
        if (PretrainedModels.isPretrained(m)) {
            String cache = getOrDefault(cacheDir);
            return EncoderFactories.mobileNetV2(spark, cache.isEmpty() ? PretrainedModels.defaultCacheDir()
                    : Path.of(cache), s -> { });
        }
        String in = getOrDefault(modelInput);
        String outName = getOrDefault(modelOutput);
        return EncoderFactories.onnx(spark, Path.of(m), in.isEmpty() ? null : in, outName.isEmpty() ? null : outName,
                "unit".equals(getOrDefault(pixels)));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return ResultSchema.SCHEMA;
    }

    @Override
    public RelaxTransformer copy(ParamMap extra) {
        RelaxTransformer t = (RelaxTransformer) defaultCopy(extra);
        t.encoderFactory = encoderFactory;
        return t;
    }

    /** Reads a transformer saved with {@code save(path)}. */
    public static MLReader<RelaxTransformer> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads a transformer saved with {@code save(path)}. */
    public static RelaxTransformer load(String path) {
        return read().load(path);
    }
}
