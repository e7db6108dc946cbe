package org.relax4j;

import java.time.Duration;
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

        Map<String, Object> settings = new LinkedHashMap<>();
        // What was computed (these decide the maps), then how it ran (these do not, beyond float rounding of the
        // engine: see EngineComparison).
        settings.put("masks", config.masks());
        settings.put("cells", config.discrete() ? null : config.cells());
        settings.put("discrete", config.discrete());
        settings.put("keepProbability", config.keepProbability());
        settings.put("initialWeight", config.initialWeight());
        settings.put("seed", config.seed());
        settings.put("design", config.design().id());
        settings.put("estimator", config.estimator().id());
        settings.put("maskSource", maskSource);
        settings.put("targetError", config.adaptive() ? config.targetError() : null);
        settings.put("stopConfidence", config.adaptive() ? config.stopConfidence() : null);
        settings.put("confidence", config.confidence());
        settings.put("similarity", config.similarity().toString());
        settings.put("baseline", config.baseline().id());
        settings.put("target", target);
        settings.put("size", shape);

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("engine", config.engine());
        run.put("threads", config.threads());
        run.put("batchSize", config.batchSize());

        Map<String, Object> err = new LinkedHashMap<>();
        err.put("relativeError", finiteOrNull(error.relativeError()));
        err.put("bound", finiteOrNull(error.bound()));
        err.put("confidence", error.confidence());
        err.put("blocks", error.blocks());
        err.put("effectiveDegreesOfFreedom", finiteOrNull(error.effectiveDegreesOfFreedom()));
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

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
