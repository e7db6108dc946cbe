package org.relax4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Grouping sub-word tokens into words, and punctuation. */
class WordsTest {
    private final MiniLm model = TextModels.shared();

    @Test
    void subWordPiecesOfOneWordAreOneWord() {
        Tokenization t = model.tokenize("Unbelievably good");
        assertTrue(t.size() > 4, "'unbelievably' is split into pieces: " + t);
        Words w = Words.of(t, Granularity.WORD);
        assertEquals(List.of("Unbelievably", "good"), w.list());
        assertEquals(1, w.firstToken(0));
        assertEquals(t.size() - 2, w.endToken(0), "all pieces before 'good' belong to the first word");
        assertEquals(w.endToken(0), w.firstToken(1));
        assertEquals(0, w.charStart(0));
        assertEquals(12, w.charEnd(0));
    }

    @Test
    void tokenGranularityKeepsPiecesApartWithTheirCharacters() {
        Tokenization t = model.tokenize("Unbelievably good");
        Words w = Words.of(t, Granularity.TOKEN);
        assertEquals(t.size() - 2, w.size());
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < w.size() - 1; i++) {
            assertEquals(1, w.endToken(i) - w.firstToken(i));
            joined.append(w.word(i));
        }
        assertEquals("Unbelievably", joined.toString());
        assertEquals("good", w.word(w.size() - 1));
    }

    @Test
    void punctuationIsAWordOfItsOwnAndCaseIsKept() {
        Words w = Words.of(model.tokenize("The weather in Oslo is cold. I love pizza."), Granularity.WORD);
        assertEquals(List.of("The", "weather", "in", "Oslo", "is", "cold", ".", "I", "love", "pizza", "."), w.list());
        Words c = Words.of(model.tokenize("wasn't it?"), Granularity.WORD);
        assertEquals(List.of("wasn", "'", "t", "it", "?"), c.list());
    }

    @Test
    void accentsAndSpacesMapBackToTheText() {
        String text = "  crème   brûlée ";
        Words w = Words.of(model.tokenize(text), Granularity.WORD);
        assertEquals(List.of("crème", "brûlée"), w.list());
        assertEquals(text.indexOf("crème"), w.charStart(0));
        assertEquals(text.indexOf("brûlée") + 6, w.charEnd(1));
    }

    @Test
    void emptyTextHasNoWords() {
        Tokenization t = model.tokenize("   ");
        assertEquals(2, t.size());
        assertEquals(0, Words.of(t, Granularity.WORD).size());
    }
}
