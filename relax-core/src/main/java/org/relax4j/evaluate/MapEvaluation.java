package org.relax4j.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;

/**
 * Runs the metrics of {@link EvaluationSettings} over several maps of one input, sharing what does not depend on the
 * map (each substrate's random band and faithfulness subsets), and gathers the numbers in a {@link Report}. The maps
 * are only read: evaluating never changes an explanation.
 */
public final class MapEvaluation {

    /**
     * One substrate and mode's curves.
     *
     * @param substrate the substrate's name
     * @param mode deletion or insertion
     * @param band the random orders' curves
     * @param maps each map's report, by name, in the order given
     */
    public record CurveSet(String substrate, PerturbationCurves.Mode mode, PerturbationCurves.Curve[] band,
                           Map<String, PerturbationCurves.Report> maps) {
    }

    /**
     * One substrate's faithfulness correlations.
     *
     * @param substrate the substrate's name
     * @param maps each map's result, by name
     */
    public record Faithfulness(String substrate, Map<String, FaithfulnessCorrelation.Result> maps) {
    }

    /**
     * Everything measured.
     *
     * @param settings what it was computed with
     * @param regions the regions' description
     * @param curves deletion and insertion, per substrate
     * @param faithfulness per substrate
     * @param passes the encoder passes taken (inputs encoded)
     * @param seconds the wall time
     */
    public record Report(EvaluationSettings settings, String regions, List<CurveSet> curves,
                         List<Faithfulness> faithfulness, long passes, double seconds) {

        /** {@return the numbers as JSON-ready values, curves included} */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("settings", settings.toMap());
            m.put("regionsUsed", regions);
            m.put("encoderPasses", passes);
            m.put("seconds", seconds);
            List<Object> cs = new ArrayList<>();
            for (CurveSet c : curves) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("substrate", c.substrate());
                one.put("mode", c.mode().name().toLowerCase(Locale.ROOT));
                List<Object> band = new ArrayList<>();
                for (PerturbationCurves.Curve b : c.band()) {
                    band.add(floats(b.similarities()));
                }
                one.put("randomCurves", band);
                Map<String, Object> maps = new LinkedHashMap<>();
                c.maps().forEach((name, r) -> {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("auc", r.map().auc());
                    x.put("reversedAuc", r.reversed().auc());
                    x.put("randomMeanAuc", r.randomMean());
                    x.put("randomSdAuc", r.randomSd());
                    x.put("gainOverRandom", r.gainOverRandom());
                    x.put("symmetricGain", r.symmetricGain());
                    x.put("curve", floats(r.map().similarities()));
                    x.put("reversedCurve", floats(r.reversed().similarities()));
                    maps.put(name, x);
                });
                one.put("maps", maps);
                cs.add(one);
            }
            m.put("curves", cs);
            List<Object> fs = new ArrayList<>();
            for (Faithfulness f : faithfulness) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("substrate", f.substrate());
                Map<String, Object> maps = new LinkedHashMap<>();
                f.maps().forEach((name, r) -> maps.put(name, r.correlation()));
                one.put("correlation", maps);
                fs.add(one);
            }
            m.put("faithfulness", fs);
            return m;
        }

        private static List<Double> floats(float[] v) {
            List<Double> out = new ArrayList<>(v.length);
            for (float f : v) {
                out.add((double) f);
            }
            return out;
        }

        /**
         * {@return a table for the terminal: one row per map, one column per metric and substrate (deletion: AUC
         * and gain over random; insertion likewise; faithfulness: r)}
         */
        public String table() {
            List<String> names = new ArrayList<>();
            curves.forEach(c -> c.maps().keySet().forEach(n -> {
                if (!names.contains(n)) {
                    names.add(n);
                }
            }));
            faithfulness.forEach(f -> f.maps().keySet().forEach(n -> {
                if (!names.contains(n)) {
                    names.add(n);
                }
            }));
            int width = Math.max(12, names.stream().mapToInt(String::length).max().orElse(0) + 2);
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "map"));
            for (CurveSet c : curves) {
                head.append(String.format(Locale.ROOT, " | %-21s", abbreviation(c.mode()) + " " + c.substrate()));
            }
            for (Faithfulness f : faithfulness) {
                head.append(String.format(Locale.ROOT, " | %-8s", "FC " + f.substrate().replaceAll("\\(.*", "")));
            }
            StringBuilder out = new StringBuilder(head).append('\n');
            out.append(String.format(Locale.ROOT, "%-" + width + "s", "  (random band)"));
            for (CurveSet c : curves) {
                PerturbationCurves.Report any = c.maps().values().iterator().next();
                out.append(String.format(Locale.ROOT, " | %-21s",
                        String.format(Locale.ROOT, "%.3f ± %.3f", any.randomMean(), any.randomSd())));
            }
            out.append('\n');
            for (String n : names) {
                out.append(String.format(Locale.ROOT, "%-" + width + "s", n));
                for (CurveSet c : curves) {
                    PerturbationCurves.Report r = c.maps().get(n);
                    out.append(r == null ? String.format(Locale.ROOT, " | %-21s", "-")
                            : String.format(Locale.ROOT, " | %.3f (%+.3f, %+.3f)", r.map().auc(), r.gainOverRandom(),
                            r.symmetricGain()));
                }
                for (Faithfulness f : faithfulness) {
                    FaithfulnessCorrelation.Result r = f.maps().get(n);
                    out.append(String.format(Locale.ROOT, " | %-8s", r == null ? "-"
                            : String.format(Locale.ROOT, "%+.3f", r.correlation())));
                }
                out.append('\n');
            }
            out.append("AUC (gain over random, symmetric gain): deletion lower is better, insertion higher; gains "
                    + "positive are better. FC: faithfulness correlation, higher is better.\n");
            return out.toString();
        }

        private static String abbreviation(PerturbationCurves.Mode mode) {
            return mode == PerturbationCurves.Mode.DELETION ? "del" : "ins";
        }
    }

    private MapEvaluation() {
    }

    /**
     * Evaluates {@code maps} of one input.
     *
     * @param encoder the model the maps explain
     * @param similarity how representations are compared
     * @param input the model's input (C, H, W), as the maps' explanation saw it
     * @param rgb the image in [0, 1] (for superpixels), same size
     * @param reference the representation similarities are measured against (the unmasked input's, or a target's)
     * @param maps the maps by name, one value per pixel each. Not modified.
     * @param settings what to measure
     * @param log receives one line per metric and substrate as it starts
     * @return the report
     */
    public static Report evaluate(Encoder encoder, Similarity similarity, InputTensor input, InputTensor rgb,
                                  float[] reference, Map<String, float[]> maps, EvaluationSettings settings,
                                  Consumer<String> log) {
        Objects.requireNonNull(encoder, "encoder");
        if (maps.isEmpty()) {
            throw new IllegalArgumentException("no maps to evaluate");
        }
        maps.forEach((name, map) -> {
            if (map.length != input.pixels()) {
                throw new IllegalArgumentException("map " + name + " has " + map.length + " values, the input "
                        + input.pixels() + " pixels");
            }
        });
        long start = System.nanoTime();
        AtomicLong passes = new AtomicLong();
        Encoder counting = batch -> {
            Embeddings e = encoder.encode(batch);
            passes.addAndGet(batch.size());
            return e;
        };
        Regions regions = settings.regions(rgb);
        List<CurveSet> curves = new ArrayList<>();
        List<Faithfulness> faith = new ArrayList<>();
        for (EvaluationSettings.SubstrateKind kind : settings.substrates()) {
            Substrate substrate = settings.substrate(kind);
            for (EvaluationSettings.Metric metric : settings.metrics()) {
                log.accept(metric + " with substrate " + substrate.name() + " over " + regions.name());
                if (metric == EvaluationSettings.Metric.faithfulness) {
                    FaithfulnessCorrelation fc = new FaithfulnessCorrelation(counting, similarity, substrate,
                            settings.cells(), settings.subsetCells(), settings.subsets(), settings.batchSize());
                    FaithfulnessCorrelation.Drops drops = fc.drops(input, reference, settings.seed());
                    Map<String, FaithfulnessCorrelation.Result> results = new LinkedHashMap<>();
                    maps.forEach((name, map) -> results.put(name, fc.correlate(drops, map)));
                    faith.add(new Faithfulness(substrate.name(), results));
                    continue;
                }
                PerturbationCurves.Mode mode = metric == EvaluationSettings.Metric.deletion
                        ? PerturbationCurves.Mode.DELETION : PerturbationCurves.Mode.INSERTION;
                // Metrics come in enum order, so this substrate's deletion, if asked for, is the last set.
                CurveSet deletion = curves.isEmpty() ? null : curves.get(curves.size() - 1);
                if (mode == PerturbationCurves.Mode.INSERTION && deletion != null
                        && deletion.substrate().equals(substrate.name())
                        && deletion.mode() == PerturbationCurves.Mode.DELETION) {
                    // Insertion is deletion in the reverse order read backwards: no encoder pass.
                    Map<String, PerturbationCurves.Report> results = new LinkedHashMap<>();
                    deletion.maps().forEach((name, r) -> results.put(name, PerturbationCurves.insertionFrom(r)));
                    curves.add(new CurveSet(substrate.name(), mode,
                            PerturbationCurves.insertionBand(deletion.band()), results));
                    continue;
                }
                PerturbationCurves pc = new PerturbationCurves(counting, similarity, substrate, settings.steps(),
                        settings.batchSize());
                PerturbationCurves.Curve[] band = pc.randomBand(input, reference, regions, mode,
                        settings.randomOrders(), settings.seed());
                Map<String, PerturbationCurves.Report> results = new LinkedHashMap<>();
                maps.forEach((name, map) -> results.put(name, pc.report(input, reference, regions, map, mode, band)));
                curves.add(new CurveSet(substrate.name(), mode, band, results));
            }
        }
        return new Report(settings, regions.toString(), curves, faith, passes.get(),
                (System.nanoTime() - start) / 1e9);
    }
}
