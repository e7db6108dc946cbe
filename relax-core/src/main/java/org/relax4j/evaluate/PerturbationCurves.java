package org.relax4j.evaluate;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;

/**
 * Deletion and insertion curves in representation space (after the RISE paper's metrics, with the similarity to the
 * unmasked representation in place of a class score): pixels ranked by a map are removed (deletion: replaced by the
 * {@link Substrate}) or revealed (insertion: taken from the input into the substrate) in {@code steps} equal steps,
 * and y_k is the similarity of step k's representation to the reference (the unmasked input's, or a target's).
 * The area under y over the removed fraction in [0, 1] (trapezoids) is the score: low is good for deletion (the map
 * found what the representation rests on), high for insertion.
 *
 * <p>A score alone means little, so {@link #evaluate} also runs the same curve for several random orders (a band) and
 * for the map's reverse order: the gain over random, and the symmetric gain AUC(least relevant first) − AUC(most
 * relevant first), which is positive for a map that ranks in the right direction whatever the substrate does to
 * the input on its own.
 */
public final class PerturbationCurves {

    /** Which way pixels move. */
    public enum Mode {
        /** Start from the input, replace pixels by the substrate, most relevant first. */
        DELETION,
        /** Start from the substrate, reveal the input's pixels, most relevant first. */
        INSERTION
    }

    /**
     * One curve.
     *
     * @param mode deletion or insertion
     * @param similarities y_0 .. y_steps, the similarity after each step
     */
    public record Curve(Mode mode, float[] similarities) {
        /** {@return the area under the curve over the fraction of pixels moved, in [0, 1] per unit of similarity} */
        public double auc() {
            int steps = similarities.length - 1;
            double area = 0;
            for (int k = 0; k < steps; k++) {
                area += (similarities[k] + similarities[k + 1]) / 2.0;
            }
            return area / steps;
        }
    }

    /**
     * A map's curve against random orders and its own reverse.
     *
     * @param map the curve of the map's order
     * @param reversed the curve of the reverse order (least relevant first)
     * @param band the curves of the random orders
     * @param randomAucs the AUC of each random order
     * @param gainOverRandom how much better than the random orders' mean the map is (positive: better)
     * @param symmetricGain deletion: AUC(reversed) − AUC(map); insertion: AUC(map) − AUC(reversed) (positive: better)
     */
    public record Report(Curve map, Curve reversed, Curve[] band, double[] randomAucs, double gainOverRandom,
                         double symmetricGain) {
        /** {@return the random orders' mean AUC} */
        public double randomMean() {
            return Arrays.stream(randomAucs).average().orElse(Double.NaN);
        }

        /** {@return the random orders' AUC standard deviation (n − 1)} */
        public double randomSd() {
            double m = randomMean();
            return Math.sqrt(Arrays.stream(randomAucs).map(a -> (a - m) * (a - m)).sum()
                    / Math.max(1, randomAucs.length - 1));
        }
    }

    private final Encoder encoder;
    private final Similarity similarity;
    private final Substrate substrate;
    private final int steps;
    private final int batchSize;

    /**
     * @param encoder the model the map explains
     * @param similarity how representations are compared (RELAX's default: {@link Similarity#cosine()})
     * @param substrate what removed pixels become
     * @param steps steps from nothing to everything moved, at least 1 (the curve has steps + 1 points)
     * @param batchSize inputs per encoder call, at least 1
     */
    public PerturbationCurves(Encoder encoder, Similarity similarity, Substrate substrate, int steps, int batchSize) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        this.substrate = Objects.requireNonNull(substrate, "substrate");
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.steps = steps;
        this.batchSize = batchSize;
    }

    /**
     * {@return pixel indices from the highest score to the lowest; ties in index order, so the order is reproducible}
     *
     * @param scores one score per pixel (a map's values). Not modified.
     */
    public static int[] order(float[] scores) {
        return Regions.pixels(1, scores.length).order(scores);
    }

    /** {@return the unmasked input's representation, the usual reference} @param input the input */
    public float[] representation(InputTensor input) {
        return encoder.encode(InputBatch.of(input)).row(0);
    }

    /** {@return the substrate removed pixels become} */
    public Substrate substrate() {
        return substrate;
    }

    /** {@return the steps of every curve} */
    public int steps() {
        return steps;
    }

    /**
     * One curve for a given order of pixels.
     *
     * @param input the input (C, H, W)
     * @param reference the representation y is measured against (see {@link #representation})
     * @param order every pixel index once, first moved first
     * @param mode deletion or insertion
     * @return the curve
     */
    public Curve curve(InputTensor input, float[] reference, int[] order, Mode mode) {
        if (order.length != input.pixels()) {
            throw new IllegalArgumentException("the order has " + order.length + " pixels, the input " + input.pixels());
        }
        return curve(input, reference, Regions.pixels(input.height(), input.width()), order, mode);
    }

    /**
     * One curve for a given order of regions: step k has moved the first round(k · regions / steps) regions.
     *
     * @param input the input (C, H, W)
     * @param reference the representation y is measured against (see {@link #representation})
     * @param regions what one step moves, over the input's pixels
     * @param order every region index once, first moved first
     * @param mode deletion or insertion
     * @return the curve
     */
    public Curve curve(InputTensor input, float[] reference, Regions regions, int[] order, Mode mode) {
        int pixels = input.pixels();
        checkRegions(input, regions);
        if (order.length != regions.count()) {
            throw new IllegalArgumentException("the order has " + order.length + " regions, there are "
                    + regions.count());
        }
        int[][] members = regions.members();
        boolean fixed = !substrate.dependsOnRemoved();
        float[] x = input.unsafeData();
        float[] sub = fixed ? substrate.apply(input, null).unsafeData() : null;
        int c = input.channels();
        int sample = c * pixels;
        boolean[] moved = new boolean[pixels];
        float[] current = (mode == Mode.DELETION ? x : sub != null ? sub : x).clone();
        Similarities sims = new Similarities(encoder, similarity, reference, steps + 1, batchSize, c,
                input.height(), input.width());
        int done = 0;
        for (int k = 0; k <= steps; k++) {
            int target = (int) Math.round((double) k * regions.count() / steps);
            for (; done < target; done++) {
                for (int p : members[order[done]]) {
                    moved[p] = true;
                    if (fixed) {
                        float[] to = mode == Mode.DELETION ? sub : x;
                        for (int ch = 0; ch < c; ch++) {
                            current[ch * pixels + p] = to[ch * pixels + p];
                        }
                    }
                }
            }
            if (!fixed) {
                // Deletion removes what has moved; insertion removes what has not moved yet.
                boolean[] removed = new boolean[pixels];
                for (int p = 0; p < pixels; p++) {
                    removed[p] = moved[p] == (mode == Mode.DELETION);
                }
                current = substrate.apply(input, removed).unsafeData();
            }
            System.arraycopy(current, 0, sims.buffer(), sims.nextOffset(), sample);
            sims.added();
        }
        double[] v = sims.values();
        float[] y = new float[steps + 1];
        for (int k = 0; k <= steps; k++) {
            y[k] = (float) v[k];
        }
        return new Curve(mode, y);
    }

    private void checkRegions(InputTensor input, Regions regions) {
        if (regions.height() != input.height() || regions.width() != input.width()) {
            throw new IllegalArgumentException("regions over " + regions.height() + "x" + regions.width()
                    + " for an input of " + input.height() + "x" + input.width());
        }
        if (regions.count() < steps) {
            throw new IllegalArgumentException(steps + " steps for " + regions.count() + " regions (" + regions.name()
                    + "): use at most as many steps as regions");
        }
    }

    /**
     * The curves of {@code randomOrders} random orders of the regions: the band every map is compared against, the
     * same for every map of one input (so compute it once).
     *
     * @param input the input (C, H, W)
     * @param reference the representation y is measured against
     * @param regions what one step moves
     * @param mode deletion or insertion
     * @param randomOrders how many, at least 1
     * @param seed order r is a Fisher–Yates shuffle from {@code seed + r}
     * @return the curves
     */
    public Curve[] randomBand(InputTensor input, float[] reference, Regions regions, Mode mode, int randomOrders,
                              long seed) {
        if (randomOrders < 1) {
            throw new IllegalArgumentException("randomOrders must be at least 1, got " + randomOrders);
        }
        Curve[] band = new Curve[randomOrders];
        for (int r = 0; r < randomOrders; r++) {
            int[] shuffled = java.util.stream.IntStream.range(0, regions.count()).toArray();
            SplittableRandom rng = new SplittableRandom(seed + r);
            for (int k = shuffled.length - 1; k > 0; k--) {
                int j = rng.nextInt(k + 1);
                int t = shuffled[k];
                shuffled[k] = shuffled[j];
                shuffled[j] = t;
            }
            band[r] = curve(input, reference, regions, shuffled, mode);
        }
        return band;
    }

    /**
     * The map's curve and its reverse, against a band from {@link #randomBand}.
     *
     * @param input the input (C, H, W)
     * @param reference the representation y is measured against
     * @param regions what one step moves
     * @param map one score per pixel
     * @param mode deletion or insertion
     * @param band the random orders' curves, of the same mode
     * @return the report
     */
    public Report report(InputTensor input, float[] reference, Regions regions, float[] map, Mode mode, Curve[] band) {
        if (band.length == 0 || band[0].mode() != mode) {
            throw new IllegalArgumentException("the band must hold curves of mode " + mode);
        }
        int[] order = regions.order(map);
        int[] reverse = new int[order.length];
        for (int k = 0; k < order.length; k++) {
            reverse[k] = order[order.length - 1 - k];
        }
        Curve curve = curve(input, reference, regions, order, mode);
        Curve reversed = curve(input, reference, regions, reverse, mode);
        double[] random = Arrays.stream(band).mapToDouble(Curve::auc).toArray();
        double mean = Arrays.stream(random).average().orElse(Double.NaN);
        double sign = mode == Mode.DELETION ? -1 : 1;
        return new Report(curve, reversed, band.clone(), random, sign * (curve.auc() - mean),
                sign * (curve.auc() - reversed.auc()));
    }

    /**
     * The insertion curves read off deletion curves. Inserting in one order shows, at step k, exactly the input that
     * deleting in the reverse order shows at step steps − k (the same pixels kept, the rest substrate), so insertion
     * costs no encoder pass once deletion has run: the map's insertion curve is its reversed deletion curve read
     * backwards, and the band's curves are those of the reversed random orders (random orders too). The symmetric
     * gain is therefore the same for both modes.
     *
     * @param deletion a deletion report
     * @return the insertion report of the same map and band
     */
    public static Report insertionFrom(Report deletion) {
        if (deletion.map().mode() != Mode.DELETION) {
            throw new IllegalArgumentException("insertion is read off a deletion report, got " + deletion.map().mode());
        }
        Curve map = backwards(deletion.reversed());
        Curve reversed = backwards(deletion.map());
        Curve[] band = insertionBand(deletion.band());
        double[] random = Arrays.stream(band).mapToDouble(Curve::auc).toArray();
        double mean = Arrays.stream(random).average().orElse(Double.NaN);
        return new Report(map, reversed, band, random, map.auc() - mean, map.auc() - reversed.auc());
    }

    /** {@return the insertion band read off a deletion band (see {@link #insertionFrom})} @param deletion the band */
    public static Curve[] insertionBand(Curve[] deletion) {
        Curve[] out = new Curve[deletion.length];
        for (int r = 0; r < out.length; r++) {
            out[r] = backwards(deletion[r]);
        }
        return out;
    }

    private static Curve backwards(Curve c) {
        float[] y = c.similarities();
        float[] out = new float[y.length];
        for (int k = 0; k < y.length; k++) {
            out[k] = y[y.length - 1 - k];
        }
        return new Curve(c.mode() == Mode.DELETION ? Mode.INSERTION : Mode.DELETION, out);
    }

    /**
     * The map's curve, its reverse and {@code randomOrders} random orders, pixel by pixel.
     *
     * @param input the input (C, H, W)
     * @param reference the representation y is measured against (see {@link #representation})
     * @param map one score per pixel (e.g. {@code explanation.importance().values()})
     * @param mode deletion or insertion
     * @param randomOrders how many random orders make the band, at least 1
     * @param seed the random orders' seed
     * @return the report
     */
    public Report evaluate(InputTensor input, float[] reference, float[] map, Mode mode, int randomOrders, long seed) {
        Regions pixels = Regions.pixels(input.height(), input.width());
        if (map.length != input.pixels()) {
            throw new IllegalArgumentException("the map has " + map.length + " values, the input " + input.pixels()
                    + " pixels");
        }
        return report(input, reference, pixels, map, mode, randomBand(input, reference, pixels, mode, randomOrders,
                seed));
    }
}
