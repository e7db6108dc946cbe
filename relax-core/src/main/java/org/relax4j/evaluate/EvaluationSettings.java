package org.relax4j.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.relax4j.data.InputTensor;

/**
 * Everything a map evaluation depends on, with the defaults in one place (the command line's options map onto it,
 * and every report carries it). Build with {@link #builder()}.
 *
 * @param metrics which metrics run
 * @param substrates which substrates the perturbation metrics use
 * @param steps steps per deletion or insertion curve
 * @param randomOrders random orders in each curve's band
 * @param regions what one curve step moves: "pixels", "patches:SIZE" or "superpixels:N"
 * @param cells faithfulness correlation's grid cells per side
 * @param subsetCells cells removed per faithfulness subset
 * @param subsets faithfulness subsets
 * @param blurKernel the blur substrate's kernel
 * @param blurSigma the blur substrate's σ
 * @param roadNoise ROAD's noise standard deviation
 * @param seed the random orders', subsets' and noise's seed
 * @param batchSize inputs per encoder call
 */
public record EvaluationSettings(List<Metric> metrics, List<SubstrateKind> substrates, int steps, int randomOrders,
                                 String regions, int cells, int subsetCells, int subsets, int blurKernel,
                                 double blurSigma, double roadNoise, long seed, int batchSize) {

    /** Default steps per curve. */
    public static final int DEFAULT_STEPS = 20;
    /** Default random orders per band. */
    public static final int DEFAULT_RANDOM_ORDERS = 5;
    /** Default regions. */
    public static final String DEFAULT_REGIONS = "pixels";
    /** Default faithfulness subsets. */
    public static final int DEFAULT_SUBSETS = 64;

    /** A metric over given maps. */
    public enum Metric {
        /** Deletion curves ({@link PerturbationCurves.Mode#DELETION}). */
        deletion,
        /** Insertion curves ({@link PerturbationCurves.Mode#INSERTION}). */
        insertion,
        /** {@link FaithfulnessCorrelation}. */
        faithfulness
    }

    /** The substrates by name. */
    public enum SubstrateKind {
        /** {@link Substrate#meanColour()}. */
        mean,
        /** {@link Substrate#gaussianBlur}. */
        blur,
        /** {@link Substrate#noisyLinearImputation}. */
        road
    }

    /** Checks every value, naming the setting; metrics and substrates are kept once each, in their enum's order. */
    public EvaluationSettings {
        metrics = metrics.stream().distinct().sorted().toList();
        substrates = substrates.stream().distinct().sorted().toList();
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("metrics: name at least one of " + List.of(Metric.values()));
        }
        if (substrates.isEmpty()) {
            throw new IllegalArgumentException("substrates: name at least one of " + List.of(SubstrateKind.values()));
        }
        require(steps >= 1, "steps must be at least 1, got " + steps);
        require(randomOrders >= 1, "randomOrders must be at least 1, got " + randomOrders);
        require(cells >= 2, "cells must be at least 2, got " + cells);
        require(subsetCells >= 1 && subsetCells < cells * cells,
                "subsetCells must be in [1, " + cells * cells + "), got " + subsetCells);
        require(subsets >= 3, "subsets must be at least 3, got " + subsets);
        require(batchSize >= 1, "batchSize must be at least 1, got " + batchSize);
        parseRegions(regions, 1, 1, null, true);
        Substrate.gaussianBlur(blurKernel, blurSigma);
        Substrate.noisyLinearImputation(roadNoise, seed);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** {@return a builder with the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the substrate of a kind, with these settings} @param kind which */
    public Substrate substrate(SubstrateKind kind) {
        return switch (kind) {
            case mean -> Substrate.meanColour();
            case blur -> Substrate.gaussianBlur(blurKernel, blurSigma);
            case road -> Substrate.noisyLinearImputation(roadNoise, seed);
        };
    }

    /** {@return the regions for an image} @param rgb the image in [0, 1] (superpixels follow its colours) */
    public Regions regions(InputTensor rgb) {
        return parseRegions(regions, rgb.height(), rgb.width(), rgb, false);
    }

    private static Regions parseRegions(String spec, int h, int w, InputTensor rgb, boolean checkOnly) {
        String[] parts = spec.split(":", 2);
        String kind = parts[0];
        if (kind.equals("pixels") && parts.length == 1) {
            return checkOnly ? null : Regions.pixels(h, w);
        }
        int n;
        try {
            n = parts.length == 2 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            n = -1;
        }
        if ((kind.equals("patches") || kind.equals("superpixels")) && n >= 1) {
            if (checkOnly) {
                return null;
            }
            return kind.equals("patches") ? Regions.patches(h, w, n) : Regions.superpixels(rgb, n, 10);
        }
        throw new IllegalArgumentException("regions must be 'pixels', 'patches:SIZE' or 'superpixels:N' (SIZE, N at "
                + "least 1), got '" + spec + "'");
    }

    /**
     * {@return the encoder passes the perturbation metrics will take for {@code maps} maps}
     *
     * @param maps how many maps are evaluated
     */
    public long passes(int maps) {
        long perSubstrate = metrics.contains(Metric.faithfulness) ? subsets + 1 : 0;
        // Deletion, insertion or both: one set of curves (insertion is read off deletion's, see
        // PerturbationCurves.insertionFrom).
        if (metrics.contains(Metric.deletion) || metrics.contains(Metric.insertion)) {
            perSubstrate += (long) (randomOrders + 2L * maps) * (steps + 1);
        }
        return perSubstrate * substrates.size();
    }

    /** {@return the settings as JSON-ready values} */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metrics", metrics.stream().map(Enum::name).toList());
        m.put("substrates", substrates.stream().map(k -> substrate(k).name()).toList());
        m.put("steps", steps);
        m.put("randomOrders", randomOrders);
        m.put("regions", regions);
        m.put("faithfulnessCells", cells);
        m.put("faithfulnessSubsetCells", subsetCells);
        m.put("faithfulnessSubsets", subsets);
        m.put("seed", seed);
        m.put("batchSize", batchSize);
        return m;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "metrics %s, substrates %s, %d steps over %s, %d random orders, "
                        + "faithfulness %d subsets of %d/%d cells, seed %d", metrics, substrates, steps, regions,
                randomOrders, subsets, subsetCells, cells * cells, seed);
    }

    /** Builds {@link EvaluationSettings}; the field initialisers are the defaults, in one place. */
    public static final class Builder {
        private List<Metric> metrics = List.of(Metric.values());
        private List<SubstrateKind> substrates = List.of(SubstrateKind.values());
        private int steps = DEFAULT_STEPS;
        private int randomOrders = DEFAULT_RANDOM_ORDERS;
        private String regions = DEFAULT_REGIONS;
        private int cells = 8;
        private int subsetCells = 16;
        private int subsets = DEFAULT_SUBSETS;
        private int blurKernel = 11;
        private double blurSigma = 5;
        private double roadNoise = 0.01;
        private long seed = 0;
        private int batchSize = 32;

        private Builder() {
        }

        /** @param v the metrics @return this */
        public Builder metrics(List<Metric> v) {
            metrics = new ArrayList<>(v);
            return this;
        }

        /** @param v the substrates @return this */
        public Builder substrates(List<SubstrateKind> v) {
            substrates = new ArrayList<>(v);
            return this;
        }

        /** @param v steps per curve @return this */
        public Builder steps(int v) {
            steps = v;
            return this;
        }

        /** @param v random orders per band @return this */
        public Builder randomOrders(int v) {
            randomOrders = v;
            return this;
        }

        /** @param v "pixels", "patches:SIZE" or "superpixels:N" @return this */
        public Builder regions(String v) {
            regions = v;
            return this;
        }

        /** @param v faithfulness grid cells per side @return this */
        public Builder cells(int v) {
            cells = v;
            return this;
        }

        /** @param v cells per faithfulness subset @return this */
        public Builder subsetCells(int v) {
            subsetCells = v;
            return this;
        }

        /** @param v faithfulness subsets @return this */
        public Builder subsets(int v) {
            subsets = v;
            return this;
        }

        /** @param v ROAD's noise @return this */
        public Builder roadNoise(double v) {
            roadNoise = v;
            return this;
        }

        /** @param v the seed @return this */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** @param v inputs per encoder call @return this */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** {@return the settings} @throws IllegalArgumentException naming a bad value */
        public EvaluationSettings build() {
            return new EvaluationSettings(metrics, substrates, steps, randomOrders, regions, cells, subsetCells,
                    subsets, blurKernel, blurSigma, roadNoise, seed, batchSize);
        }
    }
}
