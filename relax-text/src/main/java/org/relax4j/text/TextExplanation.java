package org.relax4j.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.relax4j.Explanation;
import org.relax4j.estimate.ErrorEstimate;

/**
 * RELAX's answer for one text: per word, its importance (the mean similarity of the masked texts' embeddings to
 * the target, over the masks that kept the word) and its uncertainty (the spread of those similarities, as
 * {@link Explanation#uncertainty()}), with what produced them. Immutable.
 *
 * <p>The target is the unmasked text's own embedding ({@link #query()} empty) or a query's embedding, in which
 * case the importance says which words make the text match the query.
 */
public final class TextExplanation {
    private final Words words;
    private final float[] importance;
    private final float[] uncertainty;
    private final long masksUsed;
    private final double errorBound;
    private final WordMasking masking;
    private final String query;
    private final double targetSimilarity;
    private final Map<String, Object> provenance;

    /**
     * @param words the mask units of the text
     * @param importance one importance per unit. Copied.
     * @param uncertainty one uncertainty per unit. Copied.
     * @param masksUsed masks the estimate is made from
     * @param errorBound the estimated relative error of the importance (upper bound at 90 %), NaN if unknown
     * @param masking how dropped words reached the model
     * @param query the query whose embedding was the target, or null for the text's own embedding
     * @param targetSimilarity the similarity of the unmasked text's embedding to the target (1 without a query)
     * @throws IllegalArgumentException if an array's length is not the number of units
     */
    public TextExplanation(Words words, float[] importance, float[] uncertainty, long masksUsed, double errorBound,
            WordMasking masking, String query, double targetSimilarity) {
        this(words, importance, uncertainty, masksUsed, errorBound, masking, query, targetSimilarity, null);
    }

    private TextExplanation(Words words, float[] importance, float[] uncertainty, long masksUsed, double errorBound,
            WordMasking masking, String query, double targetSimilarity, Map<String, Object> provenance) {
        this.provenance = provenance;
        this.words = Objects.requireNonNull(words, "words");
        if (importance.length != words.size() || uncertainty.length != words.size()) {
            throw new IllegalArgumentException("need one value per word: " + words.size() + " words, importance "
                    + importance.length + ", uncertainty " + uncertainty.length);
        }
        this.importance = importance.clone();
        this.uncertainty = uncertainty.clone();
        this.masksUsed = masksUsed;
        this.errorBound = errorBound;
        this.masking = Objects.requireNonNull(masking, "masking");
        this.query = query;
        this.targetSimilarity = targetSimilarity;
    }

    /**
     * {@return the text's explanation from RELAX's maps over its words}
     *
     * @param words the mask units the maps are over
     * @param masking how dropped words reached the model
     * @param query the query whose embedding was the target, or null
     * @param targetSimilarity the similarity of the unmasked text's embedding to the target
     * @param e RELAX's explanation of the input of ones over the words
     */
    public static TextExplanation of(Words words, WordMasking masking, String query, double targetSimilarity,
            Explanation e) {
        ErrorEstimate error = e.error();
        double bound = error != null && error.isKnown() ? error.bound() : Double.NaN;
        Map<String, Object> model = new LinkedHashMap<>(MiniLm.DESCRIPTOR.toMap());
        model.put("pooling", "mean over attended tokens, L2-normalised");
        model.put("units", words.granularity().name().toLowerCase(java.util.Locale.ROOT));
        model.put("wordMasking", masking.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        model.put("input", "ones over the words, shape {N}; masks keep or drop each word");
        return new TextExplanation(words, e.importance().values(), e.uncertainty().values(), e.masksUsed(), bound,
                masking, query, targetSimilarity, e.provenance(model).toMap());
    }

    /** {@return the explained text} */
    public String text() {
        return words.tokenization().text();
    }

    /** {@return the mask units (words or tokens) with their places in the text} */
    public Words words() {
        return words;
    }

    /** {@return number of units N} */
    public int size() {
        return words.size();
    }

    /** {@return a copy of the importance, one value per unit} */
    public float[] importance() {
        return importance.clone();
    }

    /**
     * {@return the importance of unit {@code i}}
     *
     * @param i unit index in [0, N)
     */
    public float importance(int i) {
        return importance[i];
    }

    /** {@return a copy of the uncertainty, one value per unit} */
    public float[] uncertainty() {
        return uncertainty.clone();
    }

    /**
     * {@return the uncertainty of unit {@code i}}
     *
     * @param i unit index in [0, N)
     */
    public float uncertainty(int i) {
        return uncertainty[i];
    }

    /** {@return masks the estimate is made from} */
    public long masksUsed() {
        return masksUsed;
    }

    /** {@return the estimated relative error of the importance (90 % upper bound), NaN if unknown} */
    public double errorBound() {
        return errorBound;
    }

    /** {@return how dropped words reached the model} */
    public WordMasking masking() {
        return masking;
    }

    /** {@return the query whose embedding was the target; empty when the target was the text's own embedding} */
    public Optional<String> query() {
        return Optional.ofNullable(query);
    }

    /** {@return the cosine similarity of the unmasked text's embedding to the target (1 without a query)} */
    public double targetSimilarity() {
        return targetSimilarity;
    }

    /** {@return the unit indices from most to least important (ties in text order)} */
    public int[] ranking() {
        Integer[] order = new Integer[size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -importance[i]).thenComparingInt(i -> i));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /**
     * {@return the rank of the first unit written exactly {@code word}: 0 for the most important}
     *
     * @param word a unit as written in the text
     * @throws IllegalArgumentException if the text has no such unit
     */
    public int rankOf(String word) {
        int[] r = ranking();
        for (int k = 0; k < r.length; k++) {
            if (words.word(r[k]).equals(word)) {
                return k;
            }
        }
        throw new IllegalArgumentException("no word \"" + word + "\" in " + words.list());
    }

    /** {@return the smallest and largest importance, {min, max}} */
    public float[] importanceRange() {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : importance) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return new float[] {lo, hi};
    }

    /**
     * {@return the importance of unit {@code i} scaled to [0, 1] over this text's range (0.5 when all are equal)}
     *
     * @param i unit index in [0, N)
     */
    public float shade(int i) {
        float[] r = importanceRange();
        return r[1] > r[0] ? (importance[i] - r[0]) / (r[1] - r[0]) : 0.5f;
    }

    /**
     * {@return RELAX's provenance record of the run (settings, seed, engine, error estimate, timings; see
     * {@link org.relax4j.Provenance#toMap()}), empty for an explanation made from arrays}
     */
    public Optional<Map<String, Object>> provenance() {
        return Optional.ofNullable(provenance);
    }

    /**
     * {@return the settings and the per-word values as nested maps and lists, in the order JSON shows them; then
     * the provenance, if any}
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text());
        m.put("query", query);
        m.put("target", query == null ? "the text's own embedding" : "the query's embedding");
        m.put("targetSimilarity", targetSimilarity);
        m.put("model", MiniLm.DESCRIPTOR.name());
        m.put("units", words.granularity().name().toLowerCase(java.util.Locale.ROOT));
        m.put("masking", masking.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        m.put("masks", masksUsed);
        m.put("errorBound", errorBound);
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < size(); i++) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("word", words.word(i));
            w.put("importance", importance[i]);
            w.put("uncertainty", uncertainty[i]);
            // Positions in code points (as Python's str and JavaScript's Array.from count), and in UTF-16 units.
            String text = words.tokenization().text();
            w.put("start", text.codePointCount(0, words.charStart(i)));
            w.put("end", text.codePointCount(0, words.charEnd(i)));
            w.put("startUtf16", words.charStart(i));
            w.put("endUtf16", words.charEnd(i));
            list.add(w);
        }
        m.put("words", list);
        if (provenance != null) {
            m.put("provenance", provenance);
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TextExplanation[");
        int[] r = ranking();
        for (int k = 0; k < r.length; k++) {
            sb.append(k == 0 ? "" : ", ").append(words.word(r[k])).append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%.4f", importance[r[k]]));
        }
        return sb.append("; ").append(masksUsed).append(" masks]").toString();
    }
}
