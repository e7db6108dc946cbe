package org.relax4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Semantic checks of RELAX over MiniLM: do the words that should matter come out on top? */
class TextExplainerTest {
    static final String TEXT = "The weather in Oslo is cold. I love pizza.";
    static final String QUERY = "climate of Norway";

    private final MiniLm model = TextModels.shared();

    @Test
    void weatherOsloAndColdMakeTheTextMatchClimateOfNorwayNotPizza() {
        for (WordMasking m : WordMasking.values()) {
            long t0 = System.nanoTime();
            TextExplanation e = TextExplainer.builder(model).masking(m).seed(1).build().explain(TEXT, QUERY);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("TextExplainerTest %s (%.1f s, text vs query %.4f): %s%n", m, seconds,
                    e.targetSimilarity(), e);
            int pizza = e.rankOf("pizza");
            for (String w : new String[] {"weather", "Oslo", "cold"}) {
                assertTrue(e.rankOf(w) < pizza, m + ": " + w + " should outrank pizza: " + e);
            }
            assertEquals(0, e.rankOf("Oslo"), m + ": " + e);
        }
    }

    @Test
    void withoutAQueryTheTextsOwnContentWordsMatterMost() {
        TextExplanation e = TextExplainer.builder(model).seed(1).build().explain(TEXT);
        System.out.println("TextExplainerTest (no query): " + e);
        assertEquals(1.0, e.targetSimilarity(), 1e-5);
        for (String w : new String[] {"The", "in", "is", "I", "."}) {
            assertTrue(e.rankOf(w) > e.rankOf("Oslo") && e.rankOf(w) > e.rankOf("pizza"),
                    w + " should rank below Oslo and pizza: " + e);
        }
    }

    @Test
    void aDifferentQueryFlipsTheRanking() {
        TextExplanation e = TextExplainer.builder(model).seed(1).build().explain(TEXT, "Italian food");
        System.out.println("TextExplainerTest (Italian food): " + e);
        assertEquals(0, e.rankOf("pizza"), e.toString());
        assertTrue(e.rankOf("Oslo") > e.rankOf("pizza") && e.rankOf("cold") > e.rankOf("pizza"), e.toString());
    }

    @Test
    void tokenUnitsGiveOneValuePerSubWordToken() {
        try (TextExplainer x = TextExplainer.builder(model).masks(300).granularity(Granularity.TOKEN).build()) {
            TextExplanation e = x.explain("Unbelievably cold weather", "temperature");
            Tokenization t = model.tokenize("Unbelievably cold weather");
            assertEquals(t.size() - 2, e.size());
            assertEquals(Granularity.TOKEN, e.words().granularity());
            System.out.println("TextExplainerTest (tokens): " + e);
            assertTrue(e.rankOf("cold") < e.rankOf("Un") || e.rankOf("weather") < e.rankOf("Un"), e.toString());
        }
    }

    @Test
    void sameSeedSameExplanation() {
        TextExplainer a = TextExplainer.builder(model).masks(200).seed(7).build();
        TextExplanation x = a.explain(TEXT, QUERY);
        TextExplanation y = a.explain(TEXT, QUERY);
        assertArrayEquals(x.importance(), y.importance());
        assertArrayEquals(x.uncertainty(), y.uncertainty());
    }

    @Test
    void rejectsTextsWithoutWords() {
        TextExplainer a = TextExplainer.builder(model).masks(10).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.explain("  "));
        assertTrue(e.getMessage().contains("no words"), e.getMessage());
    }
}
