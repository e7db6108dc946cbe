package org.relax4j;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.relax4j.data.InvalidSettingException;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskSource;

/**
 * The one translation of a configuration to plain values and back: {@link Settings} as the {@code settings} object,
 * {@link Execution} as the {@code run} object, one key per record component, in the record's order, under the
 * component's name. Provenance, {@code summary.json}, the {@code .npz} metadata, Spark's shipping of settings to
 * executors and resumed runs all use it, so a setting added to a record is written and read everywhere at once (a
 * setting of a type not seen before needs its case in {@link #encodeValue} and {@link #decodeValue}).
 *
 * <p>Values: numbers, booleans and strings as themselves (a non-finite number as null); a design or
 * estimator by its id ({@code balanced}, {@code control-variate}); the baseline by {@link Baseline#id()}; the
 * similarity by name; a mask source by its description. What is code or data rather than a value cannot be read
 * back, and {@link #decode} refuses it by name: a custom {@link Similarity}, a tensor {@link Baseline}, masks from
 * elsewhere ({@link org.relax4j.mask.RecordedMasks}). A key missing or null on reading takes the default (so a
 * target error written as null is none, as NaN is)
 * ({@link Settings#defaults()}, {@link Execution#defaults()}); keys that are not settings are ignored (provenance
 * puts the run's facts, such as the input's {@code size}, beside them). Stateless.
 */
public final class SettingsCodec {
    /** Key of {@link Settings} in {@link #encode(RelaxConfig)}'s map. */
    public static final String SETTINGS = "settings";
    /** Key of {@link Execution} in {@link #encode(RelaxConfig)}'s map. */
    public static final String RUN = "run";
    /** The key of the mask source, as {@link Settings#maskSource()} names it. */
    static final String MASK_SOURCE = "maskSource";
    /** The key under which provenance records the maps' shape beside the settings. */
    static final String SIZE = "size";

    private SettingsCodec() {
    }

    /**
     * {@return {@code {"settings": ..., "run": ...}} for {@code config}, as new ordered maps}
     *
     * @param config the configuration
     */
    public static Map<String, Object> encode(RelaxConfig config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(SETTINGS, encode(config.settings()));
        m.put(RUN, encode(config.execution()));
        return m;
    }

    /** {@return the settings as a new ordered map, one key per component} */
    public static Map<String, Object> encode(Settings settings) {
        return encodeRecord(settings);
    }

    /** {@return the execution as a new ordered map, one key per component} */
    public static Map<String, Object> encode(Execution execution) {
        return encodeRecord(execution);
    }

    /**
     * Reads {@link #encode(RelaxConfig)}'s map (or any map with {@code settings} and, optionally, {@code run}
     * objects, such as a provenance record).
     *
     * @param map the values
     * @return the configuration
     * @throws InvalidSettingException naming the setting if a value is of the wrong type, out of range, or not a
     *         value (a custom similarity, a tensor baseline, masks from elsewhere)
     */
    public static RelaxConfig decode(Map<String, ?> map) {
        Objects.requireNonNull(map, "map");
        Object run = map.get(RUN);
        return new RelaxConfig(decodeSettings(object(map.get(SETTINGS), SETTINGS)),
                run == null ? Execution.defaults() : decodeExecution(object(run, RUN)));
    }

    /**
     * {@return the settings in {@code map}, missing keys at their defaults}
     *
     * @param map the {@code settings} object; may hold other keys, such as provenance's {@code size}
     * @throws InvalidSettingException as {@link #decode}
     */
    public static Settings decodeSettings(Map<String, ?> map) {
        // A mask source is described, not rebuilt: the description must be the one the other settings' design
        // draws (provenance records the source a run used, for the input's size), else the masks came from elsewhere.
        Map<String, Object> rest = new LinkedHashMap<>(map);
        Object described = rest.remove(MASK_SOURCE);
        Settings s = decodeRecord(Settings.class, Settings.defaults(), rest);
        if (described != null) {
            int[] shape = shape(rest.get(SIZE));
            String own = shape != null ? s.masksFor(shape).toString()
                    : s.discrete() ? null : s.masksFor(new int[2]).toString();
            if (!described.equals(own)) {
                throw new InvalidSettingException(MASK_SOURCE, "= " + described + ": masks from elsewhere are data, "
                        + "not values; only a design's masks from a seed can be read back");
            }
        }
        return s;
    }

    private static int[] shape(Object size) {
        if (!(size instanceof List<?> list)) {
            return null;
        }
        int[] shape = new int[list.size()];
        for (int k = 0; k < shape.length; k++) {
            shape[k] = integral(SIZE, list.get(k)).intValue();
        }
        return shape;
    }

    /** {@return the execution in {@code map}, missing keys at their defaults} @throws InvalidSettingException */
    public static Execution decodeExecution(Map<String, ?> map) {
        return decodeRecord(Execution.class, Execution.defaults(), map);
    }

    /** {@return {@link #encode(RelaxConfig)} as indented JSON} */
    public static String toJson(RelaxConfig config) {
        return Json.write(encode(config));
    }

    /**
     * {@return the configuration in JSON written by {@link #toJson}}
     *
     * @throws IllegalArgumentException if the text is not JSON; {@link InvalidSettingException} as {@link #decode}
     */
    public static RelaxConfig fromJson(String json) {
        return decode(Json.readObject(json));
    }

    /**
     * Checks that {@code config} can travel as values: that {@link #decode} of its {@link #encode} gives it back.
     *
     * @return the configuration
     * @throws InvalidSettingException naming the first setting that is not a value
     */
    public static RelaxConfig requireValues(RelaxConfig config) {
        if (config.settings().maskSource() != null) {
            throw new InvalidSettingException(MASK_SOURCE, "= " + config.settings().maskSource() + ": masks from "
                    + "elsewhere are data, not values; only a design's masks from (seed, cells, keepProbability) travel");
        }
        RelaxConfig back = decode(encode(config));
        if (!back.equals(config)) {
            throw new IllegalStateException("settings do not survive encoding: " + config + " came back as " + back);
        }
        return config;
    }

    private static Map<String, Object> encodeRecord(Record r) {
        Map<String, Object> m = Records.values(r);
        m.replaceAll((name, v) -> encodeValue(v));
        return m;
    }

    private static Object encodeValue(Object v) {
        if (v instanceof MaskDesign d) {
            return d.id();
        }
        if (v instanceof ImportanceEstimator e) {
            return e.id();
        }
        if (v instanceof Baseline b) {
            return b.id();
        }
        if (v instanceof Similarity || v instanceof MaskSource) {
            return v.toString();
        }
        if (v instanceof Double d && !Double.isFinite(d)) {
            return null;
        }
        return v; // numbers, booleans, strings, null
    }

    private static <R extends Record> R decodeRecord(Class<R> type, R defaults, Map<String, ?> map) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Object v = map.get(c.getName());
            if (v != null) {
                values.put(c.getName(), decodeValue(c.getName(), c.getType(), v));
            }
        }
        return Records.build(type, defaults, values);
    }

    private static Object decodeValue(String name, Class<?> type, Object v) {
        try {
            if (type == long.class) {
                return integral(name, v).longValue();
            }
            if (type == int.class) {
                Number n = integral(name, v);
                if (n.longValue() != n.intValue()) {
                    throw new InvalidSettingException(name, "must be an int, got " + v);
                }
                return n.intValue();
            }
            if (type == float.class) {
                return number(name, v).floatValue();
            }
            if (type == double.class) {
                return number(name, v).doubleValue();
            }
            if (type == boolean.class) {
                if (!(v instanceof Boolean b)) {
                    throw new InvalidSettingException(name, "must be true or false, got " + v);
                }
                return b;
            }
            if (type == String.class) {
                return string(name, v);
            }
            if (type == MaskDesign.class) {
                return MaskDesign.parse(string(name, v));
            }
            if (type == ImportanceEstimator.class) {
                return ImportanceEstimator.parse(string(name, v));
            }
            if (type == Baseline.class) {
                String id = string(name, v);
                if (id.equals("tensor")) {
                    throw new InvalidSettingException(name, "= tensor: a tensor baseline is data, not a value; only "
                            + "zero, a constant or blur[:SIGMA] can be read back");
                }
                return Baseline.parse(id);
            }
            if (type == Similarity.class) {
                String id = string(name, v);
                if (!id.equals(Similarity.cosine().toString())) {
                    throw new InvalidSettingException(name, "= " + id + ": a custom similarity is code, not a value; "
                            + "only cosine can be read back");
                }
                return Similarity.cosine();
            }
            if (type == MaskSource.class) {
                return null; // described only: see decodeSettings
            }
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(name, "cannot be read: " + e.getMessage());
        }
        throw new IllegalStateException("no codec for " + name + " of " + type);
    }

    private static Number number(String name, Object v) {
        if (!(v instanceof Number n)) {
            throw new InvalidSettingException(name, "must be a number, got " + (v instanceof String ? "'" + v + "'" : v));
        }
        return n;
    }

    private static Number integral(String name, Object v) {
        Number n = number(name, v);
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (d != Math.rint(d) || Math.abs(d) > 0x1p53) {
                throw new InvalidSettingException(name, "must be a whole number, got " + v);
            }
            return (long) d;
        }
        return n;
    }

    private static String string(String name, Object v) {
        if (!(v instanceof String s)) {
            throw new InvalidSettingException(name, "must be a string, got " + v);
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> object(Object v, String name) {
        if (!(v instanceof Map)) {
            throw new InvalidSettingException(name, "must be an object of settings, got " + (v == null ? "nothing"
                    : v instanceof List ? "a list" : v));
        }
        return (Map<String, ?>) v;
    }
}
