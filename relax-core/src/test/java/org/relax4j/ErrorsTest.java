package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;
import org.relax4j.mask.RecordedMasks;

/** Every bad input gets an early, clear exception that names the problem. */
class ErrorsTest {
    private static final InputTensor X = RelaxTest.positiveInput(3, 24, 24, 1);
    private static final Encoder GOOD = Encoders.wholeInput(3, 24, 24, 6, 1);

    private static <T extends Throwable> void assertMessage(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    private static Explanation explain(Encoder enc) {
        try (Relax relax = new Relax(RelaxConfig.builder().masks(40).batchSize(20).build())) {
            return relax.explain(X, enc);
        }
    }

    @Test
    void badInputs() {
        assertMessage(IllegalArgumentException.class, () -> InputTensor.of(3, 2, 2, new float[11]), "(3, 2, 2)", "12", "11");
        assertMessage(IllegalArgumentException.class, () -> InputTensor.of(0, 2, 2, new float[0]), "positive");
        float[] nan = new float[12];
        nan[7] = Float.NaN;
        assertMessage(IllegalArgumentException.class, () -> InputTensor.of(3, 2, 2, nan), "(1, 1, 1)", "NaN");
        float[] inf = new float[12];
        inf[0] = Float.NEGATIVE_INFINITY;
        assertMessage(IllegalArgumentException.class, () -> InputTensor.of(3, 2, 2, inf), "Infinity");
        try (Relax relax = new Relax(RelaxConfig.defaults())) {
            assertMessage(IllegalArgumentException.class, () -> relax.explain(InputTensor.filled(3, 3, 50, 1f), GOOD),
                    "too small", "7 cells");
        }
    }

    @Test
    void badEncoderOutputs() {
        assertMessage(EncoderException.class, () -> explain(b -> new Embeddings(b.size() + 1, 6, new float[(b.size() + 1) * 6])),
                "returned 2 rows", "unmasked");
        Encoder wrongColumns = b -> b.size() == 1 ? GOOD.encode(b) : new Embeddings(b.size(), 5, new float[b.size() * 5]);
        assertMessage(EncoderException.class, () -> explain(wrongColumns), "5 values", "6 for the unmasked", "masks [0, 20)");
        Encoder nan = b -> {
            Embeddings e = GOOD.encode(b);
            if (b.size() > 1) {
                e.data()[13] = Float.NaN;
            }
            return e;
        };
        assertMessage(EncoderException.class, () -> explain(nan), "NaN", "row 2", "column 1", "finite");
        assertMessage(EncoderException.class, () -> explain(b -> new Embeddings(b.size(), 6, new float[b.size() * 6])),
                "all zeros");
        assertMessage(EncoderException.class, () -> explain(b -> {
            throw new IllegalStateException("model exploded");
        }), "encoder failed", "model exploded");
        assertMessage(EncoderException.class, () -> explain(b -> null), "null");
        assertMessage(EncoderException.class, () -> {
            try (Relax relax = new Relax(RelaxConfig.builder().masks(20).similarity((a, ao, b, bo, d) -> Float.NaN).build())) {
                relax.explain(X, GOOD);
            }
        }, "similarity", "NaN");
        assertMessage(IllegalArgumentException.class, () -> new Embeddings(2, 3, new float[5]), "(2, 3)", "5");
    }

    @Test
    void badConfiguration() {
        Supplier<RelaxConfig.Builder> b = RelaxConfig::builder;
        assertMessage(IllegalArgumentException.class, () -> b.get().batchSize(0), "batchSize", "0");
        assertMessage(IllegalArgumentException.class, () -> b.get().masks(0), "masks", "0");
        assertMessage(IllegalArgumentException.class, () -> b.get().numBatches(-1), "numBatches", "-1");
        assertMessage(IllegalArgumentException.class, () -> b.get().cells(0), "cells", "0");
        assertMessage(IllegalArgumentException.class, () -> b.get().keepProbability(0f), "keepProbability", "0.0");
        assertMessage(IllegalArgumentException.class, () -> b.get().keepProbability(1.5f), "keepProbability", "1.5");
        assertMessage(IllegalArgumentException.class, () -> b.get().keepProbability(Float.NaN), "keepProbability", "NaN");
        assertMessage(IllegalArgumentException.class, () -> b.get().initialWeight(0f), "initialWeight");
        assertMessage(IllegalArgumentException.class, () -> b.get().initialWeight(Float.POSITIVE_INFINITY), "initialWeight");
        assertMessage(IllegalArgumentException.class, () -> b.get().threads(0), "threads", "0");
        assertMessage(IllegalArgumentException.class, () -> b.get().engine(" "), "engine");
        assertMessage(IllegalArgumentException.class, () -> new Relax(b.get().engine("tpu").build()), "tpu", "cpu");
        RecordedMasks two = new RecordedMasks(2, new byte[8], new int[4]);
        assertMessage(IllegalArgumentException.class, () -> b.get().maskSource(two).masks(3).build(), "3", "only 2");
        try (Relax relax = new Relax(b.get().maskSource(two).masks(2).build())) {
            assertMessage(IllegalArgumentException.class, () -> relax.replay(8, 8, new float[] {0.5f, Float.NaN}), "mask 1", "NaN");
            assertMessage(IllegalArgumentException.class, () -> relax.replay(8, 8, new float[3]), "3 similarities");
        }
    }

    @Test
    void numBatchesTimesBatchSizeGivesTheMaskCount() {
        RelaxConfig c = RelaxConfig.builder().numBatches(4).batchSize(25).build();
        org.junit.jupiter.api.Assertions.assertEquals(100, c.masks());
        org.junit.jupiter.api.Assertions.assertEquals(4, c.numBatches());
        RelaxConfig d = RelaxConfig.defaults();
        org.junit.jupiter.api.Assertions.assertEquals(3000, d.masks());
        org.junit.jupiter.api.Assertions.assertEquals(100, d.batchSize());
        org.junit.jupiter.api.Assertions.assertEquals(7, d.cells());
        org.junit.jupiter.api.Assertions.assertEquals(0.5f, d.keepProbability());
        org.junit.jupiter.api.Assertions.assertEquals(1e-10f, d.initialWeight());
    }
}
