package org.relax4j.spark;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of {@link DatasetExplainer#explain}'s result, one row per image. Maps are row-major float arrays of
 * {@code height × width} values, null when the image failed.
 *
 * <table>
 * <caption>columns</caption>
 * <tr><td>id</td><td>the image's name, which is also its output folder: the file name without extension, with
 *     {@code -2}, {@code -3}, … for repeated names (in path order)</td></tr>
 * <tr><td>path</td><td>the image's path or URI as the input gave it</td></tr>
 * <tr><td>status</td><td>{@value #OK}, {@value #SKIPPED} (already complete in the output folder; maps read
 *     back from its files) or {@value #FAILED}</td></tr>
 * <tr><td>message</td><td>why it failed, else null</td></tr>
 * <tr><td>height, width</td><td>the maps' shape</td></tr>
 * <tr><td>importance, uncertainty, variance, u_relax, standard_error</td><td>the maps</td></tr>
 * <tr><td>masks_used</td><td>masks the maps are made of</td></tr>
 * <tr><td>error_relative, error_bound</td><td>the importance map's estimated relative error and its bound (null
 *     when unknown)</td></tr>
 * <tr><td>total_seconds, encoder_seconds, relax_seconds</td><td>timings (null for skipped images)</td></tr>
 * <tr><td>output</td><td>the image's output folder, or null without one</td></tr>
 * </table>
 */
public final class ResultSchema {
    /** Status of an image explained in this run. */
    public static final String OK = "ok";
    /** Status of an image already complete in the output folder, not explained again. */
    public static final String SKIPPED = "skipped";
    /** Status of an image that could not be explained; {@code message} says why. */
    public static final String FAILED = "failed";

    /** Names of the map columns, in order. */
    public static final String[] MAPS = {"importance", "uncertainty", "variance", "u_relax", "standard_error"};

    /** The result's schema. */
    public static final StructType SCHEMA;

    static {
        ArrayType floats = DataTypes.createArrayType(DataTypes.FloatType, false);
        StructType s = new StructType()
                .add("id", DataTypes.StringType, false)
                .add("path", DataTypes.StringType, true)
                .add("status", DataTypes.StringType, false)
                .add("message", DataTypes.StringType, true)
                .add("height", DataTypes.IntegerType, true)
                .add("width", DataTypes.IntegerType, true);
        for (String m : MAPS) {
            s = s.add(new StructField(m, floats, true, Metadata.empty()));
        }
        SCHEMA = s.add("masks_used", DataTypes.LongType, true)
                .add("error_relative", DataTypes.DoubleType, true)
                .add("error_bound", DataTypes.DoubleType, true)
                .add("total_seconds", DataTypes.DoubleType, true)
                .add("encoder_seconds", DataTypes.DoubleType, true)
                .add("relax_seconds", DataTypes.DoubleType, true)
                .add("output", DataTypes.StringType, true);
    }

    private ResultSchema() {
    }
}
