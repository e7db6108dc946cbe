package org.relax4j.examples;

import org.relax4j.Baseline;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Target;
import org.relax4j.mask.MaskDesign;

/**
 * Example 7: inputs that are not one image. A 1-D signal (rank 1; volumes are rank 3 the same way) with smooth
 * masks and a blurred baseline, and a match explanation: which parts of the signal make it resemble a target.
 */
public final class SignalsAndMatches {
    private SignalsAndMatches() {
    }

    /**
     * A toy encoder of a signal: its mean over the first and over the second half.
     *
     * @param batch (B, 1, L) signals
     * @return (B, 2) representations
     */
    public static Embeddings halves(org.relax4j.data.InputBatch batch) {
        int length = batch.positions();
        float[] out = new float[2 * batch.size()];
        for (int b = 0; b < batch.size(); b++) {
            for (int p = 0; p < length; p++) {
                out[2 * b + (2 * p < length ? 0 : 1)] += batch.data()[batch.offsetOf(b) + p] / (length / 2f);
            }
        }
        return new Embeddings(batch.size(), 2, out);
    }

    /**
     * Explains a signal, then the match of the same signal to a target representation.
     *
     * @param signal the signal's values
     * @return the plain explanation and the match explanation
     */
    public static Explanation[] run(float[] signal) {
        // snippet:start signals
        InputTensor x = InputTensor.of(1, new int[] {signal.length}, signal);   // (C, L): rank 1
        Encoder encoder = SignalsAndMatches::halves;                             // (B, C, L) -> (B, D)
        RelaxConfig config = RelaxConfig.builder()
                .masks(512).cells(8).design(MaskDesign.BALANCED)                 // 8 cells along the axis
                .build();
        // What masked-out positions become: x·m + blur(x)·(1 − m) instead of the reference's x·m.
        RelaxConfig blurred = config.toBuilder().baseline(Baseline.blurred(4)).build();
        try (Relax relax = new Relax(blurred); Relax plain = new Relax(config)) {
            Explanation own = relax.explain(x, encoder);                         // importance: float[L]
            // A match: weight masks by the similarity to another representation (a query's, another input's).
            Explanation match = plain.explain(x, encoder, Target.of(new float[] {1f, 0f}),
                    ProgressListener.NONE, null);
            System.out.println(own + "; match similarity " + match.targetSimilarity());
            return new Explanation[] {own, match};
        }
        // snippet:end
    }
}
