package org.relax4j.evaluate;

import java.util.Objects;
import org.relax4j.Encoder;
import org.relax4j.Progress;
import org.relax4j.ProgressListener;
import org.relax4j.RelaxConfig;
import org.relax4j.Similarity;
import org.relax4j.data.Embeddings;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskRenderer;
import org.relax4j.mask.MaskSource;

/**
 * Other explainers' weightings of the very masks and similarities an explanation uses, at no extra encoder pass:
 * hand {@link #encoder()} and this listener to {@code Relax.explain}, then read the maps.
 * <ul>
 * <li>{@link #rise()}: RISE's normalisation (Petsiuk et al., 2018), Σ s_n M_n / (N · p). RELAX's importance is the
 *     mask-weighted mean Σ s_n M_n / Σ M_n: the two differ by the ratio of the coverage a pixel happened to get to
 *     the coverage expected, which fades as N grows.</li>
 * <li>{@link #dotProduct()}: the dot product ⟨h(x ⊙ M_n), h(x)⟩ as the weight (label-free feature importance in
 *     the LFXAI style), Σ ⟨h_n, h⟩ M_n / N: masks that keep the representation long count more. Computed as
 *     s_n ‖h_n‖ ‖h‖ from the cosine, so it needs {@link Similarity#cosine()}.</li>
 * </ul>
 * The wrapper remembers the norms of the last batch it encoded; the explanation calls {@link #onBatch} right after
 * encoding that batch, on the same thread. Not thread-safe.
 */
public final class MaskWeightings implements ProgressListener {
    private final ProgressListener delegate;
    private final MaskSource masks;
    private final MaskRenderer renderer;
    private final float keep;
    private final double[] rise;
    private final double[] dot;
    private final Encoder wrapper;
    private double[] lastNorms = new double[0];
    private final double referenceNorm;
    private long count;

    /**
     * @param config the explanation's configuration (its masks are rendered again here)
     * @param height the input's rows
     * @param width the input's columns
     * @param encoder the explanation's encoder
     * @param reference the representation the masked ones are compared with (the unmasked input's, or the target's)
     * @param delegate where progress goes on to
     */
    public MaskWeightings(RelaxConfig config, int height, int width, Encoder encoder, float[] reference,
                          ProgressListener delegate) {
        Objects.requireNonNull(encoder, "encoder");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (config.similarity() != Similarity.cosine()) {
            throw new IllegalArgumentException("the dot-product weighting is derived from the cosine similarity; the "
                    + "configuration uses " + config.similarity());
        }
        int[] shape = {height, width};
        this.masks = config.maskSource(shape);
        this.renderer = MaskDomain.of(shape, masks).renderer();
        this.keep = config.keepProbability();
        double n = 0;
        for (float v : reference) {
            n += (double) v * v;
        }
        this.referenceNorm = Math.sqrt(n);
        this.rise = new double[height * width];
        this.dot = new double[height * width];
        this.wrapper = batch -> {
            Embeddings e = encoder.encode(batch);
            double[] norms = new double[e.rows()];
            for (int b = 0; b < e.rows(); b++) {
                double s = 0;
                for (int k = 0; k < e.dim(); k++) {
                    double v = e.data()[b * e.dim() + k];
                    s += v * v;
                }
                norms[b] = Math.sqrt(s);
            }
            lastNorms = norms;
            return e;
        };
    }

    /** {@return the encoder to explain with: the given one, remembering each batch's representation lengths} */
    public Encoder encoder() {
        return wrapper;
    }

    @Override
    public void onBatch(long firstMask, int count, float[] similarities) {
        if (lastNorms.length != count) {
            throw new IllegalStateException("batch of " + count + " masks after an encoder call of "
                    + lastNorms.length + " inputs");
        }
        for (int k = 0; k < count; k++) {
            float[] m = renderer.render(masks, firstMask + k);
            double s = similarities[k];
            double d = s * lastNorms[k];
            for (int p = 0; p < m.length; p++) {
                rise[p] += s * m[p];
                dot[p] += d * m[p];
            }
        }
        this.count += count;
        delegate.onBatch(firstMask, count, similarities);
    }

    @Override
    public void onProgress(Progress progress) {
        delegate.onProgress(progress);
    }

    /** {@return RISE's map of the masks seen: Σ s_n M_n / (N · p)} */
    public float[] rise() {
        return scaled(rise, 1.0 / (count * (double) keep));
    }

    /** {@return the dot-product weighting of the masks seen: Σ s_n ‖h_n‖ ‖h‖ M_n / N} */
    public float[] dotProduct() {
        return scaled(dot, referenceNorm / count);
    }

    private float[] scaled(double[] v, double factor) {
        if (count == 0) {
            throw new IllegalStateException("no masks seen yet");
        }
        float[] out = new float[v.length];
        for (int p = 0; p < v.length; p++) {
            out[p] = (float) (v[p] * factor);
        }
        return out;
    }
}
