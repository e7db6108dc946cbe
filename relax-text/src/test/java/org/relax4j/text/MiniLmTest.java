package org.relax4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokenisation and pooling against langchain4j's own all-MiniLM-L6-v2 (quantised). */
class MiniLmTest {
    /** Largest difference allowed between our embedding and langchain4j's, per component. */
    static final float PARITY_TOLERANCE = 1e-5f;

    static MiniLm model;
    static EmbeddingModel reference;

    @BeforeAll
    static void load() {
        model = TextModels.shared();
        reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    @AfterAll
    static void closeReference() {
        // langchain4j's model holds its session until garbage collection; nothing to close.
        reference = null;
    }

    static final List<String> TEXTS = List.of(
            "The weather in Oslo is cold. I love pizza.",
            "climate of Norway",
            "Unbelievably, the café's crème brûlée wasn't sold out!",
            "a",
            "RELAX explains representations without labels: it masks the input thousands of times and weighs each"
                    + " mask by how similar the masked representation stays to the unmasked one.");

    @Test
    void embeddingsMatchLangchain4j() {
        float worst = 0;
        for (String text : TEXTS) {
            float[] ours = model.embed(text);
            float[] theirs = reference.embed(text).content().vector();
            assertEquals(theirs.length, ours.length, text);
            for (int d = 0; d < ours.length; d++) {
                worst = Math.max(worst, Math.abs(ours[d] - theirs[d]));
            }
        }
        System.out.println("MiniLmTest: largest |ours - langchain4j| over " + TEXTS.size() + " texts: " + worst);
        assertTrue(worst <= PARITY_TOLERANCE, "largest difference " + worst);
    }

    @Test
    void embeddingsAreUnitLengthAndSimilarTextsAreCloser() {
        float[] a = model.embed("The weather in Oslo is cold.");
        float[] b = model.embed("climate of Norway");
        float[] c = model.embed("I love pizza.");
        assertEquals(1.0, dot(a, a), 1e-5);
        assertTrue(dot(a, b) > dot(c, b) + 0.1, "weather/Oslo " + dot(a, b) + " vs pizza " + dot(c, b));
    }

    @Test
    void tokenizationHasSpecialTokensSpansAndWords() {
        Tokenization t = model.tokenize("Oslo is cold.");
        assertEquals("[CLS]", t.token(0));
        assertEquals("[SEP]", t.token(t.size() - 1));
        assertTrue(t.special(0) && t.special(t.size() - 1));
        assertEquals("oslo", t.token(1));
        assertEquals(0, t.charStart(1));
        assertEquals(4, t.charEnd(1));
        assertEquals(".", t.token(t.size() - 2));
        assertEquals(t.wordId(t.size() - 3) + 1, t.wordId(t.size() - 2), "punctuation is a word of its own");
        assertEquals(103, model.maskTokenId());
        assertEquals(384, model.dimension());
    }

    @Test
    void batchRowsEqualSingleRuns() {
        Tokenization t = model.tokenize("The weather in Oslo is cold.");
        int n = t.size();
        long[] ids = new long[3 * n];
        long[] att = new long[3 * n];
        for (int r = 0; r < 3; r++) {
            System.arraycopy(t.ids(), 0, ids, r * n, n);
            for (int i = 0; i < n; i++) {
                att[r * n + i] = (i == r + 1) ? 0 : 1;
            }
        }
        float[] batch = model.embed(ids, att, 3, n);
        for (int r = 0; r < 3; r++) {
            long[] oneAtt = java.util.Arrays.copyOfRange(att, r * n, (r + 1) * n);
            float[] one = model.embed(t.ids(), oneAtt, 1, n);
            float[] row = java.util.Arrays.copyOfRange(batch, r * 384, (r + 1) * 384);
            assertArrayEquals(one, row, "row " + r);
        }
    }

    @Test
    void rejectsTooLongTextsAndBadShapes() {
        String longText = "word ".repeat(600);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.tokenize(longText));
        assertTrue(e.getMessage().contains("602 tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.embed(new long[3], new long[3], 2, 2));
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
