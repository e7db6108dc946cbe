package org.relax4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.relax4j.RelaxConfig;

/**
 * RELAX over a dataset of images on Spark: one row in, one row of maps out ({@link ResultSchema}).
 *
 * <pre>{@code
 * SparkSession spark = SparkSession.builder().master("local[*]").getOrCreate();
 * EncoderFactory model = EncoderFactories.mobileNetV2(spark, PretrainedModels.defaultCacheDir(), System.err::println);
 * DatasetExplainer explainer = DatasetExplainer.builder(RelaxConfig.builder().masks(3000).build(), model)
 *         .outputDir(Path.of("relax-out")).build();
 * Dataset<Row> maps = explainer.explain(spark.read().format("binaryFile").load("photos/"));
 * maps.write().parquet("relax-out/results.parquet");   // runs the job (once: the result is not cached)
 * }</pre>
 *
 * <p>Images come as rows of Spark's {@code image} data source (a struct column), as encoded bytes (the
 * {@code binaryFile} source's {@code content}), or as paths/URIs read on the executors; see
 * {@link Builder#inputCol}. Each image is resized to {@link Builder#imageSize} and ImageNet-normalised, exactly as
 * {@code relax explain} does, and explained with {@link org.relax4j.Relax#explain} under the executor's encoder:
 * the maps are bit-identical to a single-JVM run with the same settings and seed.
 *
 * <p>With an {@linkplain Builder#outputDir output folder}, each image's files appear atomically
 * ({@link ImageOutputs}) and images whose folder is already complete are not explained again (status
 * {@value ResultSchema#SKIPPED}). A bad image gives a {@value ResultSchema#FAILED} row with its message, unless
 * {@linkplain Builder#failFast fail-fast} is on. Immutable; the returned DataFrame is lazy.
 */
public final class DatasetExplainer {
    private final ExplainSettings settings;
    private final EncoderFactory factory;
    private final String encoderKey;
    private final int imageSize;
    private final Path outputDir;
    private final boolean failFast;
    private final boolean strictResume;
    private final TargetImage target;
    private final int threadsPerTask;
    private final int encoderThreads;
    private final int partitions;
    private final String inputCol;

    private DatasetExplainer(Builder b) {
        this.settings = ExplainSettings.of(b.config);
        this.factory = b.factory;
        this.encoderKey = ExecutorEncoders.key(b.factory);
        this.imageSize = b.imageSize;
        this.outputDir = b.outputDir;
        this.failFast = b.failFast;
        this.strictResume = b.strictResume;
        this.target = b.target;
        this.threadsPerTask = b.threadsPerTask;
        this.encoderThreads = b.encoderThreads;
        this.partitions = b.partitions;
        this.inputCol = b.inputCol;
    }

    /**
     * @param config the explanation's settings (masks, seed, cells, ...); its thread count is replaced by
     *        {@link Builder#threadsPerTask} on the executors
     * @param encoder opens the model on each executor
     */
    public static Builder builder(RelaxConfig config, EncoderFactory encoder) {
        return new Builder(config, encoder);
    }

    /**
     * Explains every image of {@code images}. With an output folder, first removes the hidden folders of attempts
     * killed in an earlier run ({@link ImageOutputs#removeStaleTemporaries}); do not run two jobs on one folder.
     *
     * @return one row per image, {@link ResultSchema#SCHEMA}; lazy, computed by the first action (so persist it, or
     *         run one action such as a write)
     * @throws IllegalArgumentException if the input column is missing or of the wrong type
     */
    public Dataset<Row> explain(Dataset<Row> images) {
        Objects.requireNonNull(images, "images");
        StructType schema = images.schema();
        String column = inputCol != null ? inputCol : defaultInput(schema);
        ImageInputs.Kind kind = kindOf(schema, column);
        Column path = switch (kind) {
            case IMAGE_STRUCT -> col(column + ".origin");
            case CONTENT -> has(schema, "path") ? col("path") : lit(null).cast("string");
            case PATH -> col(column);
        };
        prepareOutput();
        Dataset<Row> named = withNames(images.withColumn(ExplainPartition.PATH_COL, path));
        int parts = partitions > 0 ? partitions
                : (int) Math.max(1, Math.min(MAX_DEFAULT_PARTITIONS, named.select(ExplainPartition.PATH_COL).count()));
        ExplainPartition task = new ExplainPartition(settings, factory, encoderKey, encoderThreads, threadsPerTask,
                imageSize, outputDir == null ? null : outputDir.toAbsolutePath().toString(), failFast, strictResume,
                target, kind, column);
        return named.repartition(parts).mapPartitions(task, Encoders.row(ResultSchema.SCHEMA));
    }

    /**
     * Explains the images at {@code paths} (local paths or URIs the executors can read). Unlike
     * {@link #explain(Dataset)}, which names and spreads the rows with two Spark shuffles, the output names are made
     * here on the driver (the same rule: file name without extension, then -2, -3, ... in path order) and the paths
     * are distributed directly, one partition per image (or {@link Builder#partitions}): no shuffle, which saves a
     * short job seconds of start-up.
     *
     * @param spark the session
     * @param paths the images; any order (names are given in sorted path order)
     * @return one row per image, {@link ResultSchema#SCHEMA}; lazy, as {@link #explain(Dataset)}'s
     */
    public Dataset<Row> explainPaths(SparkSession spark, List<String> paths) {
        List<String> sorted = new ArrayList<>(paths);
        Collections.sort(sorted);
        Map<String, Integer> seen = new HashMap<>();
        Map<String, String> named = new LinkedHashMap<>();
        for (String p : sorted) {
            String file = p.replaceAll(".*[/\\\\]", "");
            String base = file.replaceFirst("\\.[^.]+$", "");
            if (base.isEmpty()) {
                base = "image";
            }
            int n = seen.merge(base, 1, Integer::sum);
            named.put(p, n == 1 ? base : base + "-" + n);
        }
        return explainNamed(spark, named);
    }

    /**
     * Explains the images at the keys of {@code named} (local paths or URIs the executors can read) into the output
     * folders given as values ({@code OUT/<name>}; a name may hold folders, {@code sub/a}): for names the caller
     * derives from the files themselves, such as {@code relax dataset}'s paths relative to its inputs, which stay
     * the same however the inputs change. Like {@link #explainPaths}, without a shuffle.
     *
     * @param spark the session
     * @param named output name by image path; the names must differ
     * @return one row per image, {@link ResultSchema#SCHEMA}; lazy
     * @throws IllegalArgumentException if two images have one name, or a name leaves the output folder
     */
    public Dataset<Row> explainNamed(SparkSession spark, Map<String, String> named) {
        Set<String> names = new HashSet<>();
        List<Row> rows = new ArrayList<>(named.size());
        for (Map.Entry<String, String> e : named.entrySet()) {
            String name = e.getValue();
            if (!names.add(name)) {
                throw new IllegalArgumentException("two images would both be written to '" + name + "'");
            }
            Path resolved = Path.of("out").resolve(name).normalize();
            if (name.isEmpty() || !resolved.startsWith("out") || resolved.equals(Path.of("out"))) {
                throw new IllegalArgumentException("output name '" + name + "' of " + e.getKey() + " leaves the "
                        + "output folder");
            }
            rows.add(RowFactory.create(e.getKey(), e.getKey(), name));
        }
        StructType schema = new StructType()
                .add("path", DataTypes.StringType)
                .add(ExplainPartition.PATH_COL, DataTypes.StringType)
                .add(ExplainPartition.NAME_COL, DataTypes.StringType);
        prepareOutput();
        int parts = partitions > 0 ? partitions : Math.max(1, Math.min(MAX_DEFAULT_PARTITIONS, rows.size()));
        JavaRDD<Row> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, parts);
        ExplainPartition task = new ExplainPartition(settings, factory, encoderKey, encoderThreads, threadsPerTask,
                imageSize, outputDir == null ? null : outputDir.toAbsolutePath().toString(), failFast, strictResume,
                target,
                ImageInputs.Kind.PATH, "path");
        return spark.createDataFrame(rdd, schema).mapPartitions(task, Encoders.row(ResultSchema.SCHEMA));
    }

    /** Creates the output folder and removes the hidden folders of attempts killed in an earlier run. */
    private void prepareOutput() {
        if (outputDir != null) {
            try {
                Files.createDirectories(outputDir);
                ImageOutputs.removeStaleTemporaries(outputDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare the output folder " + outputDir, e);
            }
        }
    }

    /**
     * {@link #explainPaths} written as one Parquet table, as {@link #explainTo(Dataset, String)}.
     *
     * @param spark the session
     * @param paths the images
     * @param table where the Parquet table goes (replaced)
     * @return the table, read back
     */
    public Dataset<Row> explainPathsTo(SparkSession spark, List<String> paths, String table) {
        return ResultTables.write(spark, explainPaths(spark, paths), table);
    }

    /**
     * {@link #explainNamed} written as one Parquet table, as {@link #explainTo(Dataset, String)}.
     *
     * @return the table, read back
     */
    public Dataset<Row> explainNamedTo(SparkSession spark, Map<String, String> named, String table) {
        return ResultTables.write(spark, explainNamed(spark, named), table);
    }

    /**
     * Explains {@code images} and writes the result as one Parquet table (replacing an earlier one: with an output
     * folder, images done before come back as {@value ResultSchema#SKIPPED} rows with their maps, so the table
     * stays complete). Runs the job once.
     *
     * @return the table, read back
     */
    public Dataset<Row> explainTo(Dataset<Row> images, String table) {
        return ResultTables.write(images.sparkSession(), explain(images), table);
    }

    /** Default number of partitions is the number of images (one per task, for even load), at most this. */
    static final int MAX_DEFAULT_PARTITIONS = 100_000;

    /**
     * Adds the output name: the file name without its extension, with -2, -3, ... for names that repeat (in path
     * order), as {@code relax explain} names its folders.
     */
    private static Dataset<Row> withNames(Dataset<Row> in) {
        Column file = regexp_extract(col(ExplainPartition.PATH_COL), "[^/\\\\]*$", 0);
        Column base = regexp_replace(file, "\\.[^.]+$", "");
        base = when(base.isNull().or(base.equalTo("")), lit("image")).otherwise(base);
        Dataset<Row> b = in.withColumn("__relax_base", base);
        Column n = row_number().over(Window.partitionBy("__relax_base").orderBy(col(ExplainPartition.PATH_COL)));
        return b.withColumn(ExplainPartition.NAME_COL,
                        when(n.equalTo(1), col("__relax_base")).otherwise(concat(col("__relax_base"), lit("-"), n)))
                .drop("__relax_base");
    }

    private static String defaultInput(StructType schema) {
        for (String c : new String[] {"image", "content", "path"}) {
            if (has(schema, c)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no input column: expected 'image' (Spark's image data source), "
                + "'content' (binaryFile) or 'path'; the dataset has " + Arrays.toString(schema.fieldNames()));
    }

    private static ImageInputs.Kind kindOf(StructType schema, String column) {
        if (!has(schema, column)) {
            throw new IllegalArgumentException("inputCol = " + column + " is not a column of "
                    + Arrays.toString(schema.fieldNames()));
        }
        DataType t = schema.apply(column).dataType();
        if (t instanceof StructType s && has(s, "data") && has(s, "origin") && has(s, "nChannels")) {
            return ImageInputs.Kind.IMAGE_STRUCT;
        }
        if (t instanceof BinaryType) {
            return ImageInputs.Kind.CONTENT;
        }
        if (t instanceof StringType) {
            return ImageInputs.Kind.PATH;
        }
        throw new IllegalArgumentException("inputCol = " + column + " has type " + t.simpleString()
                + "; expected an image struct, binary content or a string path");
    }

    private static boolean has(StructType s, String name) {
        return Arrays.asList(s.fieldNames()).contains(name);
    }

    /** Settings of a {@link DatasetExplainer}; every setter checks its value and names it. */
    public static final class Builder {
        private final RelaxConfig config;
        private final EncoderFactory factory;
        private int imageSize = 224;
        private Path outputDir;
        private boolean failFast;
        private boolean strictResume;
        private TargetImage target;
        private int threadsPerTask = 1;
        private int encoderThreads;
        private int partitions;
        private String inputCol;

        private Builder(RelaxConfig config, EncoderFactory factory) {
            this.config = Objects.requireNonNull(config, "config");
            this.factory = Objects.requireNonNull(factory, "encoder");
        }

        /** Images are resized to N × N, bilinearly (default 224); 0 keeps each image's own size. */
        public Builder imageSize(int imageSize) {
            if (imageSize < 0) {
                throw new IllegalArgumentException("imageSize must be >= 0, got " + imageSize);
            }
            this.imageSize = imageSize;
            return this;
        }

        /**
         * Where each image's files go ({@code DIR/<id>/}, the files of {@code relax explain}), on a file system every
         * executor sees; null (default) for none, and then no resume either.
         */
        public Builder outputDir(Path outputDir) {
            this.outputDir = outputDir;
            return this;
        }

        /**
         * Explain every image's match to one target image (default none: each image's own representation), as
         * {@code relax explain IMAGE --target OTHER} does.
         *
         * @param target the target, at the images' size ({@link #imageSize}), or null
         * @return this builder
         */
        public Builder target(TargetImage target) {
            this.target = target;
            return this;
        }

        /**
         * With an output folder: whether a folder holding another explanation under an image's name (other settings,
         * another model, another file's checksum) fails that image instead of being explained again and replaced
         * (default false).
         *
         * @param strict true to keep such folders and fail their images
         * @return this builder
         */
        public Builder strictResume(boolean strict) {
            this.strictResume = strict;
            return this;
        }

        /** Fail the job at the first bad image instead of giving it a failed row (default false). */
        public Builder failFast(boolean failFast) {
            this.failFast = failFast;
            return this;
        }

        /** Engine threads per task, at least 1 (default 1: Spark runs one task per core). */
        public Builder threadsPerTask(int threadsPerTask) {
            if (threadsPerTask < 1) {
                throw new IllegalArgumentException("threadsPerTask must be at least 1, got " + threadsPerTask);
            }
            this.threadsPerTask = threadsPerTask;
            return this;
        }

        /**
         * Threads of each executor's shared encoder (e.g. ONNX Runtime's intra-op threads), at least 0; 0 (default)
         * means the executor's processors.
         */
        public Builder encoderThreads(int encoderThreads) {
            if (encoderThreads < 0) {
                throw new IllegalArgumentException("encoderThreads must be >= 0, got " + encoderThreads);
            }
            this.encoderThreads = encoderThreads;
            return this;
        }

        /** Tasks to split the images over; 0 (default) for one per image (counted first), at most 100 000. */
        public Builder partitions(int partitions) {
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be >= 0, got " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /**
         * The column holding the images: an image struct, binary content, or a string path. Default: the first of
         * {@code image}, {@code content}, {@code path} that exists.
         */
        public Builder inputCol(String inputCol) {
            this.inputCol = inputCol;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the configuration cannot be shipped (see {@link ExplainSettings#of})
         *         or the encoder factory is not serialisable
         */
        public DatasetExplainer build() {
            return new DatasetExplainer(this);
        }
    }
}
