package org.relax4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.relax4j.estimate.ErrorEstimate;

/**
 * What produced an {@link Explanation}: library and Java versions, the model as the caller identifies it, every
 * setting, the mask design, the engine, the masks used, the error estimate and the timings. Made by
 * {@link Explanation#provenance(Map)}; written as JSON by {@link #toJson()}, as the {@code .npz} metadata and the
 * command line's {@code summary.json}.
 *
 * @param library the library's name, {@value #LIBRARY}
 * @param libraryVersion relax4j's version from its jar manifest, or {@value #DEVELOPMENT_BUILD}
 * @param javaVersion the {@code java.version} system property of the JVM that ran
 * @param model the model's identity as the caller gave it (name, file, checksum, pixel space...); unmodifiable,
 *     in the caller's order
 * @param config the settings
 * @param maskSource the masks the run used (for an input of another rank than an image, or discrete masks, not
 *     {@code config.maskSource()} but the source for the input's shape)
 * @param shape the maps' shape: {H, W} for an image, {words} for a text
 * @param target what masked representations were compared with: {@code unmasked} (RELAX as published),
 *     {@code representation} or {@code input} (a match explanation; see {@link Target})
 * @param targetSimilarity the similarity of the unmasked input's representation to the target (1 for the unmasked
 *     target with cosine similarity)
 * @param masksUsed the number of masks the maps are made of
 * @param error the importance map's error estimate
 * @param timings where the time went
 * @param engine the engine and device that ran, e.g. "cpu, 2 threads"
 */
public record Provenance(String library, String libraryVersion, String javaVersion, Map<String, Object> model,
                         RelaxConfig config, String maskSource, List<Integer> shape, String target, double targetSimilarity,
                         long masksUsed, ErrorEstimate error, Timings timings, String engine) {

    /** The library's name. */
    public static final String LIBRARY = "relax4j";
    /** The version reported when relax4j runs from classes rather than a built jar. */
    public static final String DEVELOPMENT_BUILD = "development build";
    /**
     * The version of the record's layout, written as {@code schemaVersion}: 1 since the settings are written by
     * {@link SettingsCodec}; records without it (older summary.json files) are read as version 0.
     */
    public static final int SCHEMA_VERSION = 1;
    private static final String TARGET = "target";

    /**
     * Checks the components and copies {@code model}.
     *
     * @param library the library's name
     * @param libraryVersion relax4j's version
     * @param javaVersion the JVM's {@code java.version}
     * @param model the model's identity as the caller gave it; copied
     * @param config the settings
     * @param maskSource the masks the run used
     * @param shape the maps' shape
     * @param target what masked representations were compared with
     * @param targetSimilarity the unmasked input's similarity to the target
     * @param masksUsed the number of masks the maps are made of
     * @param error the importance map's error estimate
     * @param timings where the time went
     * @param engine the engine and device that ran
     * @throws NullPointerException if a component other than {@code model} is null
     */
    public Provenance {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(libraryVersion, "libraryVersion");
        Objects.requireNonNull(javaVersion, "javaVersion");
        model = model == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(model));
        Objects.requireNonNull(config, "config");
        shape = List.copyOf(shape);
        Objects.requireNonNull(maskSource, "maskSource");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(error, "error");
        // Provenance describes the maps; the standard-error map itself travels with the maps, not in the record.
        if (error.standardError() != null) {
            error = new ErrorEstimate(error.relativeError(), error.bound(), error.confidence(), error.blocks(),
                    error.effectiveDegreesOfFreedom(), error.estimateDegreesOfFreedom(), error.noise(), null);
        }
        Objects.requireNonNull(timings, "timings");
        Objects.requireNonNull(engine, "engine");
    }

    /**
     * relax4j's version: the {@code Implementation-Version} of relax-core's jar manifest, or
     * {@value #DEVELOPMENT_BUILD} when running from classes.
     *
     * @return the version
     */
    public static String currentVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v != null ? v : DEVELOPMENT_BUILD;
    }

    /** {@return the maps' height: the second-to-last axis of {@link #shape()} (1 for rank 1)} */
    public int height() {
        return shape.size() >= 2 ? shape.get(shape.size() - 2) : 1;
    }

    /** {@return the maps' width: the last axis of {@link #shape()}} */
    public int width() {
        return shape.get(shape.size() - 1);
    }

    /**
     * The provenance as nested, ordered maps (a new, modifiable top level, so callers can add their own keys, such
     * as the command line's image path and map files): {@code library}, {@code model}, {@code settings}
     * (what was computed), {@code run} (how: engine, threads, batch size), {@code targetSimilarity},
     * {@code engine}, {@code masksUsed}, {@code errorEstimate}, {@code timings}. Non-finite numbers become null.
     *
     * @return a new map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> lib = new LinkedHashMap<>();
        lib.put("name", library);
        lib.put("version", libraryVersion);
        lib.put("java", javaVersion);

        // What was computed (these decide the maps), then how it ran (these do not, beyond float rounding of the
        // engine: see EngineComparison); then the run's facts beside the settings.
        Map<String, Object> settings = SettingsCodec.encode(config.settings());
        settings.put(SettingsCodec.MASK_SOURCE, maskSource);
        settings.put(TARGET, target);
        settings.put(SettingsCodec.SIZE, shape);
        Map<String, Object> run = SettingsCodec.encode(config.execution());

        Map<String, Object> err = new LinkedHashMap<>();
        err.put("relativeError", finiteOrNull(error.relativeError()));
        err.put("bound", finiteOrNull(error.bound()));
        err.put("confidence", error.confidence());
        err.put("blocks", error.blocks());
        err.put("effectiveDegreesOfFreedom", finiteOrNull(error.effectiveDegreesOfFreedom()));
        err.put("estimateDegreesOfFreedom", finiteOrNull(error.estimateDegreesOfFreedom()));
        err.put("noise", finiteOrNull(error.noise()));
        err.put("meaning", "relative L2 error of the centred importance map against the limit of infinitely many "
                + "masks, estimated from independent blocks of this run's masks; the true error is within 'bound' "
                + "with probability 'confidence'");

        Map<String, Object> t = new LinkedHashMap<>();
        t.put("totalSeconds", seconds(timings.total()));
        t.put("encoderSeconds", seconds(timings.encoder()));
        t.put("maskingSeconds", seconds(timings.masking()));
        t.put("accumulationSeconds", seconds(timings.accumulation()));
        t.put("relaxOwnSeconds", seconds(timings.relaxOwn()));
        t.put("encoderImagesPerSecond", (masksUsed + 1) / Math.max(1e-9, seconds(timings.encoder())));

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("library", lib);
        root.put("model", model);
        root.put("masking", config.discrete()
                ? "discrete masks: every position is kept (1) or dropped (0) on its own, and the encoder receives the "
                        + "input times these keep values (for text, relax-text turns them into dropped tokens)"
                : config.baseline().isZero()
                ? "masks multiply the input as given (for images normally ImageNet-normalised, so a fully masked pixel "
                        + "is the ImageNet mean colour, as in the reference implementation)"
                : "masked input = x*m + b*(1-m) with baseline b = " + config.baseline().id());
        root.put("settings", settings);
        root.put("run", run);
        root.put("targetSimilarity", finiteOrNull(targetSimilarity));
        root.put("engine", engine);
        root.put("masksUsed", masksUsed);
        root.put("errorEstimate", err);
        root.put("timings", t);
        return root;
    }

    /**
     * {@link #toMap()} as indented JSON.
     *
     * @return the JSON text, ending in a newline
     */
    public String toJson() {
        return Json.write(toMap());
    }

    /**
     * Reads a record written by {@link #toMap()} (and so {@code summary.json} and the {@code .npz} metadata); keys
     * that callers added beside it are ignored.
     *
     * @param map the record, e.g. {@code Json.readObject(text)}
     * @return the provenance; equal to the one written
     * @throws IllegalArgumentException if a part is missing or of the wrong type, the settings cannot be read back
     *         ({@link SettingsCodec#decode}), or the record is of a newer schema than this library reads
     */
    @SuppressWarnings("unchecked")
    public static Provenance fromMap(Map<String, ?> map) {
        Object version = map.get("schemaVersion");
        if (version instanceof Number n && n.intValue() > SCHEMA_VERSION) {
            throw new IllegalArgumentException("provenance of schema version " + n + " was written by a newer relax4j; "
                    + "this one reads up to " + SCHEMA_VERSION);
        }
        Map<String, ?> lib = part(map, "library");
        Map<String, ?> settings = part(map, SettingsCodec.SETTINGS);
        Map<String, ?> err = part(map, "errorEstimate");
        Map<String, ?> t = part(map, "timings");
        List<Integer> shape = new ArrayList<>();
        for (Object o : (List<Object>) settings.get(SettingsCodec.SIZE)) {
            shape.add(((Number) o).intValue());
        }
        ErrorEstimate error = new ErrorEstimate(real(err, "relativeError"), real(err, "bound"),
                real(err, "confidence"), ((Number) err.get("blocks")).intValue(),
                real(err, "effectiveDegreesOfFreedom"), real(err, "estimateDegreesOfFreedom"), real(err, "noise"), null);
        Timings timings = new Timings(duration(t, "maskingSeconds"), duration(t, "encoderSeconds"),
                duration(t, "accumulationSeconds"), duration(t, "totalSeconds"));
        return new Provenance((String) lib.get("name"), (String) lib.get("version"), (String) lib.get("java"),
                (Map<String, Object>) map.get("model"), SettingsCodec.decode(map),
                (String) settings.get(SettingsCodec.MASK_SOURCE), shape, (String) settings.get(TARGET),
                real(map, "targetSimilarity"), ((Number) map.get("masksUsed")).longValue(), error, timings,
                (String) map.get("engine"));
    }

    /**
     * {@link #fromMap} of JSON text.
     *
     * @param json the text {@link #toJson()} wrote, with or without keys added beside it
     * @return the provenance
     * @throws IllegalArgumentException as {@link #fromMap}, or if the text is not JSON
     */
    public static Provenance fromJson(String json) {
        return fromMap(Json.readObject(json));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> part(Map<String, ?> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("provenance has no '" + key + "' object");
        }
        return (Map<String, ?>) v;
    }

    private static double real(Map<String, ?> map, String key) {
        Object v = map.get(key);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    private static Duration duration(Map<String, ?> map, String key) {
        return Duration.ofNanos(Math.round(real(map, key) * 1e9));
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
