package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.CpuEngine;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.RecordedMasks;
import org.junit.jupiter.api.Test;

/**
 * Explanations beyond one image: sequences (rank 1), volumes (rank 3), discrete masks (words), baselines and
 * targets — each with an encoder whose right answer is known.
 */
class DomainsTest {

    /**
     * An encoder that sees only the positions in [from, to) of a flat input: (mean there, 1). Masking those positions
     * lowers the cosine similarity to the unmasked (mean, 1); masking anything else changes nothing.
     */
    private static Encoder regionEncoder(int from, int to) {
        return batch -> {
            float[] out = new float[batch.size() * 2];
            for (int b = 0; b < batch.size(); b++) {
                double s = 0;
                for (int p = from; p < to; p++) {
                    s += batch.data()[batch.offsetOf(b) + p];
                }
                out[2 * b] = (float) (s / (to - from));
                out[2 * b + 1] = 1f;
            }
            return new Embeddings(batch.size(), 2, out);
        };
    }

    private static double mean(float[] v, int from, int to) {
        double s = 0;
        for (int p = from; p < to; p++) {
            s += v[p];
        }
        return s / (to - from);
    }

    private static Explanation explain(RelaxConfig config, InputTensor x, Encoder f, int threads) {
        try (CpuEngine engine = new CpuEngine(threads); Relax relax = new Relax(config, engine)) {
            return relax.explain(x, f);
        }
    }

    @Test
    void aSequenceIsExplainedWhereTheEncoderLooks() {
        InputTensor x = InputTensor.filled(1, new int[] {60}, 1f);
        RelaxConfig config = RelaxConfig.builder().masks(1000).seed(3).build();
        Explanation e = explain(config, x, regionEncoder(0, 15), 1);
        float[] r = e.importance().values();
        assertArrayEquals(new int[] {60}, e.importance().shape());
        assertTrue(mean(r, 0, 15) > mean(r, 40, 60) + 0.05, mean(r, 0, 15) + " vs " + mean(r, 40, 60));
        assertEquals(1000, e.masksUsed());
        assertTrue(e.error().isKnown(), "the error estimate works on rank 1: " + e.error());
        assertArrayEquals(new int[] {60}, e.error().standardError().shape());
        // Same masks and maps on any thread count.
        assertArrayEquals(r, explain(config, x, regionEncoder(0, 15), 3).importance().values(), 0f);
    }

    @Test
    void aVolumeIsExplainedWhereTheEncoderLooks() {
        int[] shape = {6, 16, 16};
        InputTensor x = InputTensor.filled(2, shape, 1f);
        // The encoder sees channel 0 of the first two slices only.
        Encoder f = regionEncoder(0, 2 * 16 * 16);
        RelaxConfig config = RelaxConfig.builder().masks(600).cells(3).seed(4).design(MaskDesign.BALANCED).build();
        Explanation e = explain(config, x, f, 2);
        float[] r = e.importance().values();
        assertArrayEquals(shape, e.importance().shape());
        int slice = 16 * 16;
        assertTrue(mean(r, 0, 2 * slice) > mean(r, 4 * slice, 6 * slice) + 0.005,
                mean(r, 0, 2 * slice) + " vs " + mean(r, 4 * slice, 6 * slice));
        assertEquals(640, e.masksUsed(), "balanced blocks of 2·32 for 27 cells, rounded up to whole blocks");
        assertArrayEquals(r, explain(config, x, f, 1).importance().values(), 0f);
    }

    @Test
    void discreteMasksExplainSeparatePositions() {
        // Ten "words"; the encoder reads words 2 and 7 only.
        Encoder f = batch -> {
            float[] out = new float[batch.size() * 3];
            for (int b = 0; b < batch.size(); b++) {
                int o = batch.offsetOf(b);
                out[3 * b] = batch.data()[o + 2];
                out[3 * b + 1] = batch.data()[o + 7];
                out[3 * b + 2] = 0.5f;
            }
            return new Embeddings(batch.size(), 3, out);
        };
        InputTensor words = InputTensor.filled(1, new int[] {10}, 1f);
        RelaxConfig config = RelaxConfig.builder().discrete(true).masks(512).seed(9).design(MaskDesign.BALANCED).build();
        Explanation e = explain(config, words, f, 2);
        float[] r = e.importance().values();
        for (int p = 0; p < 10; p++) {
            if (p != 2 && p != 7) {
                assertTrue(r[2] > r[p] + 0.05 && r[7] > r[p] + 0.05, "word " + p + ": " + java.util.Arrays.toString(r));
            }
        }
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> settings = (java.util.Map<String, Object>) e.provenance(null).toMap().get("settings");
        assertEquals("BalancedMasks(seed=9, discrete 10, keepProbability=0.5, block=32)", settings.get("maskSource"));
        assertEquals(true, settings.get("discrete"));
        assertEquals(List.of(10), settings.get("size"));
        // Discrete masks are 0/1 per word: every masked input the encoder saw was the mask itself.
        List<float[]> seen = new ArrayList<>();
        explain(RelaxConfig.builder().discrete(true).masks(20).batchSize(20).build(), words, batch -> {
            seen.add(java.util.Arrays.copyOfRange(batch.data(), batch.offset(), batch.offset() + batch.size() * 10));
            return f.encode(batch);
        }, 1);
        for (float v : seen.get(1)) {
            assertTrue(v == 0f || v == 1f, "value " + v);
        }
    }

    @Test
    void aBaselineFillsWhatIsMaskedOut() {
        InputTensor words = InputTensor.filled(1, new int[] {8}, 1f);
        List<float[]> seen = new ArrayList<>();
        Encoder f = regionEncoder(0, 4);
        RelaxConfig config = RelaxConfig.builder().discrete(true).masks(40).batchSize(40).baseline(Baseline.constant(3f))
                .build();
        explain(config, words, batch -> {
            seen.add(java.util.Arrays.copyOfRange(batch.data(), batch.offset(), batch.offset() + batch.size() * 8));
            return f.encode(batch);
        }, 1);
        // x·m + b·(1 − m) with x = 1, b = 3: kept words are 1, dropped ones 3 (the first call is the unmasked input).
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, seen.get(0), 0f);
        int threes = 0;
        for (float v : seen.get(1)) {
            assertTrue(v == 1f || v == 3f, "value " + v);
            threes += v == 3f ? 1 : 0;
        }
        assertTrue(threes > 100 && threes < 220, threes + " of 320 dropped");
        // A blur of a constant input is that constant; a tensor of another shape is refused by name.
        float[] blurred = Baseline.blur(InputTensor.filled(2, new int[] {5, 7}, 0.25f), 2.0);
        for (float v : blurred) {
            assertEquals(0.25f, v, 1e-6f);
        }
        RelaxConfig wrong = RelaxConfig.builder().masks(10).baseline(Baseline.of(InputTensor.filled(1, 4, 4, 0f))).build();
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> explain(wrong, InputTensor.filled(1, 8, 8, 1f), regionEncoder(0, 4), 1));
        assertTrue(ex.getMessage().contains("baseline tensor"), ex.getMessage());
        assertEquals("blur:10", Baseline.parse("blur").id());
        assertEquals(Baseline.zero(), Baseline.parse(" zero "));
        assertEquals("0.5", Baseline.parse("0.5").id());
    }

    @Test
    void aTargetExplainsAMatch() {
        InputTensor x = InputTensor.filled(1, new int[] {40}, 1f);
        Encoder f = regionEncoder(0, 10);
        RelaxConfig config = RelaxConfig.builder().masks(300).seed(1).build();
        Explanation plain = explain(config, x, f, 1);
        // The unmasked input's own representation as an explicit target: the same maps, bit for bit.
        try (CpuEngine engine = new CpuEngine(1); Relax relax = new Relax(config, engine)) {
            Explanation same = relax.explain(x, f, Target.of(new float[] {1f, 1f}), ProgressListener.NONE, null);
            assertArrayEquals(plain.importance().values(), same.importance().values(), 0f);
            assertEquals(1.0, same.targetSimilarity(), 1e-6);
            assertEquals("representation", same.provenance(null).target());

            // A target the input only half matches: its similarity is below 1, and the map still points at the region.
            Explanation match = relax.explain(x, f, Target.of(new float[] {-1f, 1f}), ProgressListener.NONE, null);
            assertTrue(match.targetSimilarity() < 0.8, "similarity " + match.targetSimilarity());
            EncoderException wrong = assertThrows(EncoderException.class,
                    () -> relax.explain(x, f, Target.of(new float[] {1f, 2f, 3f}), ProgressListener.NONE, null));
            assertTrue(wrong.getMessage().contains("3 values") && wrong.getMessage().contains("returns 2"),
                    wrong.getMessage());
            Explanation other = relax.explain(x, f, Target.input(InputTensor.filled(1, new int[] {40}, 0.5f)),
                    ProgressListener.NONE, null);
            assertEquals("input", other.provenance(null).target());
        }
        assertEquals(1.0, plain.targetSimilarity(), 1e-6);
    }

    @Test
    void whatIsComputedCannotDisagreeWithItself() {
        RecordedMasks seven = new RecordedMasks(7, new byte[49], new int[] {0, 0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RelaxConfig.builder().masks(1).maskSource(seven).cells(5).build());
        assertTrue(e.getMessage().contains("cells = 5") && e.getMessage().contains("7 cells"), e.getMessage());
        assertEquals(7, RelaxConfig.builder().cells(5).masks(1).maskSource(seven).build().cells(),
                "a mask source set last brings its cells");
        e = assertThrows(IllegalArgumentException.class, () -> RelaxConfig.builder().masks(1).maskSource(seven)
                .discrete(true).build());
        assertTrue(e.getMessage().contains("discrete"), e.getMessage());
        RelaxConfig cv = RelaxConfig.builder().masks(100).estimator(ImportanceEstimator.CONTROL_VARIATE).build();
        e = assertThrows(IllegalArgumentException.class,
                () -> explain(cv, InputTensor.filled(1, new int[] {30}, 1f), regionEncoder(0, 5), 1));
        assertTrue(e.getMessage().contains("control-variate"), e.getMessage());
    }
}
