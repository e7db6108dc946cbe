package org.relax4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;

/** The two masking modes, on hand-made rows of keep-values. */
class MaskedTextEncoderTest {
    static final String TEXT = "The weather in Oslo is cold. I love pizza.";

    private final MiniLm model = TextModels.shared();

    static InputBatch rows(float[]... keep) {
        int n = keep[0].length;
        float[] data = new float[keep.length * n];
        for (int b = 0; b < keep.length; b++) {
            System.arraycopy(keep[b], 0, data, b * n, n);
        }
        return new InputBatch(data, 0, keep.length, 1, 1, n);
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void allOnesIsExactlyTheUnmaskedEmbeddingInBothModes() {
        Words w = Words.of(model.tokenize(TEXT), Granularity.WORD);
        for (WordMasking m : WordMasking.values()) {
            Embeddings e = new MaskedTextEncoder(model, w, m).encode(rows(filled(w.size(), 1f)));
            assertArrayEquals(model.embed(TEXT), e.row(0), m.name());
        }
    }

    @Test
    void removingEveryWordLeavesOnlyClsAndSep() {
        Tokenization t = model.tokenize(TEXT);
        Words w = Words.of(t, Granularity.WORD);
        float[] none = new MaskedTextEncoder(model, w, WordMasking.REMOVE).encode(rows(filled(w.size(), 0f))).row(0);
        // The same by hand: [CLS] [PAD]... [SEP], only the first and last token attended.
        long[] ids = new long[t.size()];
        long[] att = new long[t.size()];
        Arrays.fill(ids, model.padTokenId());
        ids[0] = t.id(0);
        ids[t.size() - 1] = t.id(t.size() - 1);
        att[0] = 1;
        att[t.size() - 1] = 1;
        assertArrayEquals(model.embed(ids, att, 1, t.size()), none);
        // Only [CLS] and [SEP] remain: any other text of as many tokens gives the identical vector.
        Tokenization other = model.tokenize("Bergen gets a lot of rain. We eat soup.");
        assertEquals(t.size(), other.size(), other.toString());
        Words ow = Words.of(other, Granularity.WORD);
        assertArrayEquals(none, new MaskedTextEncoder(model, ow, WordMasking.REMOVE)
                .encode(rows(filled(ow.size(), 0f))).row(0));
        // Not the empty text's "[CLS] [SEP]": there [SEP] sits at position 1, here at position T-1.
        System.out.println("MaskedTextEncoderTest: cos(all words removed, empty text) = "
                + MiniLmTest.dot(none, model.embed("")));
        assertTrue(MiniLmTest.dot(none, model.embed(TEXT)) < 0.5);
    }

    @Test
    void maskTokenModeReplacesEveryTokenOfADroppedWord() {
        Tokenization t = model.tokenize("Unbelievably cold");
        Words w = Words.of(t, Granularity.WORD);
        float[] got = new MaskedTextEncoder(model, w, WordMasking.MASK_TOKEN).encode(rows(new float[] {0f, 1f})).row(0);
        long[] ids = t.ids();
        for (int i = w.firstToken(0); i < w.endToken(0); i++) {
            ids[i] = model.maskTokenId();
        }
        long[] att = filled(ids.length);
        assertArrayEquals(model.embed(ids, att, 1, ids.length), got);
    }

    @Test
    void removedWordsDoNotMatterWhatTheyWere() {
        // Same token count, different word in the removed slot: the result does not change at all.
        Words a = Words.of(model.tokenize("The weather in Oslo is cold."), Granularity.WORD);
        Words b = Words.of(model.tokenize("The weather in Rome is cold."), Granularity.WORD);
        float[] keep = filled(a.size(), 1f);
        keep[3] = 0f;
        float[] ea = new MaskedTextEncoder(model, a, WordMasking.REMOVE).encode(rows(keep)).row(0);
        float[] eb = new MaskedTextEncoder(model, b, WordMasking.REMOVE).encode(rows(keep)).row(0);
        float diff = 0;
        for (int i = 0; i < ea.length; i++) {
            diff = Math.max(diff, Math.abs(ea[i] - eb[i]));
        }
        double cosWith = MiniLmTest.dot(model.embed("The weather in Oslo is cold."),
                model.embed("The weather in Rome is cold."));
        System.out.println("MaskedTextEncoderTest: removed Oslo vs removed Rome, largest difference " + diff
                + ", cos " + MiniLmTest.dot(ea, eb) + " (kept: cos " + cosWith + ")");
        assertArrayEquals(ea, eb);
    }

    @Test
    void rowsAreIndependentOfTheirBatch() {
        Words w = Words.of(model.tokenize(TEXT), Granularity.WORD);
        MaskedTextEncoder enc = new MaskedTextEncoder(model, w, WordMasking.REMOVE);
        float[] r1 = filled(w.size(), 1f);
        r1[9] = 0f;
        float[] r2 = filled(w.size(), 0f);
        r2[3] = 1f;
        Embeddings both = enc.encode(rows(r1, r2));
        assertArrayEquals(enc.encode(rows(r1)).row(0), both.row(0));
        assertArrayEquals(enc.encode(rows(r2)).row(0), both.row(1));
    }

    @Test
    void rejectsWrongLengthsAndFractionalKeepValues() {
        Words w = Words.of(model.tokenize(TEXT), Granularity.WORD);
        MaskedTextEncoder enc = new MaskedTextEncoder(model, w, WordMasking.REMOVE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.encode(rows(filled(w.size() + 1, 1f))));
        assertTrue(e.getMessage().contains("11 words"), e.getMessage());
        float[] half = filled(w.size(), 1f);
        half[2] = 0.5f;
        e = assertThrows(IllegalArgumentException.class, () -> enc.encode(rows(half)));
        assertTrue(e.getMessage().contains("0.5") && e.getMessage().contains("\"in\""), e.getMessage());
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, 1L);
        return a;
    }
}
