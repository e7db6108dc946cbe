package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;

/**
 * Encoders and similarities whose outputs would give maps that only look like maps are reported, and an encoder
 * that writes into its batch cannot change the caller's input or the explanation.
 */
class NonsenseOutputsTest {
    private static final InputTensor X = RelaxTest.positiveInput(3, 24, 24, 5);
    private static final Encoder GOOD = Encoders.wholeInput(3, 24, 24, 6, 1);

    private static Explanation explain(RelaxConfig config, Encoder enc) {
        try (Relax relax = new Relax(config)) {
            return relax.explain(X, enc);
        }
    }

    private static RelaxConfig.Builder config() {
        return RelaxConfig.builder().masks(60).batchSize(25).seed(3);
    }

    @Test
    void anEncoderThatIgnoresMaskedInputsIsReported() {
        // the unmasked input gets a real representation, every masked one zeros: cosine 0 for every mask
        Encoder zerosWhenMasked = b -> b.size() == 1 ? GOOD.encode(b) : new Embeddings(b.size(), 6, new float[b.size() * 6]);
        EncoderException e = assertThrows(EncoderException.class, () -> explain(config().build(), zerosWhenMasked));
        assertTrue(e.getMessage().contains("all 60 masked inputs have the same similarity (0.0)"), e.getMessage());
        assertTrue(e.getMessage().contains("ignore its input"), e.getMessage());
    }

    @Test
    void aSimilarityThatOverflowsTheMapsIsReported() {
        Similarity huge = (a, ao, b, bo, d) -> 1e30f * (1 + Similarity.cosine().similarity(a, ao, b, bo, d));
        EncoderException e = assertThrows(EncoderException.class, () -> explain(config().similarity(huge).build(), GOOD));
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
        assertTrue(e.getMessage().contains("uncertainty at pixel"), e.getMessage());
        assertTrue(e.getMessage().contains("E30"), "names the similarities' range: " + e.getMessage());
    }

    @Test
    void anEncoderWritingIntoItsBatchCannotCorruptTheInput() {
        float[] before = X.toArray();
        Explanation clean = explain(config().build(), GOOD);
        Encoder vandal = b -> {
            Embeddings e = GOOD.encode(b);
            Arrays.fill(b.data(), 1e6f); // breaks the contract: the whole array, not only this batch
            return e;
        };
        Explanation dirty = explain(config().build(), vandal);
        assertArrayEquals(before, X.toArray(), "the caller's tensor is unchanged");
        assertArrayEquals(clean.importance().values(), dirty.importance().values());
        assertArrayEquals(clean.uncertainty().values(), dirty.uncertainty().values());
    }

    @Test
    void aHugeMaskCountDoesNotOverflowTheBatchCount() {
        RelaxConfig c = RelaxConfig.builder().masks(Long.MAX_VALUE).batchSize(100).build();
        assertEquals(Long.MAX_VALUE / 100 + 1, c.numBatches());
        assertEquals(Long.MAX_VALUE, RelaxConfig.builder().masks(Long.MAX_VALUE).batchSize(1).build().numBatches());
        assertEquals(3, RelaxConfig.builder().masks(250).batchSize(100).build().numBatches());
        assertEquals(2, RelaxConfig.builder().masks(200).batchSize(100).build().numBatches());
    }
}
