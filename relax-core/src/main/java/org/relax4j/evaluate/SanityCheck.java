package org.relax4j.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model-parameter randomisation test (Adebayo et al., 2018): the same explanation of the same image under the
 * model with its top layers' weights re-initialised, compared with the original map. A map that stays alike
 * (Spearman and SSIM near 1) while the model is destroyed explains the image, not the model; a faithful explainer's
 * map decorrelates as more layers are randomised.
 */
public final class SanityCheck {

    /**
     * One randomised model's map against the original.
     *
     * @param layers how many layers from the top were re-initialised
     * @param of how many layers the model has
     * @param spearman the rank correlation with the original map
     * @param ssim the structural similarity with the original map
     */
    public record Stage(int layers, int of, double spearman, double ssim) {
    }

    private final List<Stage> stages = new ArrayList<>();
    private final float[] original;
    private final int height;
    private final int width;

    /** @param original the map under the trained model @param height rows @param width columns */
    public SanityCheck(float[] original, int height, int width) {
        if (original.length != height * width) {
            throw new IllegalArgumentException("a map of " + original.length + " values is not " + height + "x" + width);
        }
        this.original = original.clone();
        this.height = height;
        this.width = width;
    }

    /**
     * The layer counts of a cascading randomisation from the top: 1, 2, 4, ... and finally all of them.
     *
     * @param layers the model's layers with parameters, at least 1
     * @return the counts, increasing, ending with {@code layers}
     */
    public static int[] cascade(int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("layers must be at least 1, got " + layers);
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 1; k < layers; k *= 2) {
            out.add(k);
        }
        out.add(layers);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Adds a randomised model's map.
     *
     * @param layers layers re-initialised
     * @param of the model's layers
     * @param map the map under that model
     * @return the stage
     */
    public Stage add(int layers, int of, float[] map) {
        Stage s = new Stage(layers, of, MapAgreement.spearman(original, map),
                MapAgreement.ssim(original, map, height, width));
        stages.add(s);
        return s;
    }

    /** {@return the stages so far} */
    public List<Stage> stages() {
        return List.copyOf(stages);
    }

    /** {@return the stages as JSON-ready values} */
    public List<Map<String, Object>> toList() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Stage s : stages) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layersRandomised", s.layers());
            m.put("layers", s.of());
            m.put("spearman", s.spearman());
            m.put("ssim", s.ssim());
            out.add(m);
        }
        return out;
    }

    /** {@return one line per stage} */
    public String table() {
        StringBuilder b = new StringBuilder("sanity (model randomised from the top; lower = the map depends on the "
                + "weights):\n");
        for (Stage s : stages) {
            b.append(String.format(Locale.ROOT, "  %3d of %3d layers   Spearman %+.3f   SSIM %.3f%n", s.layers(),
                    s.of(), s.spearman(), s.ssim()));
        }
        return b.toString();
    }
}
