package org.relax4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Words after characters outside the Basic Multilingual Plane (two UTF-16 units each), combining marks and flags:
 * every word is the text it names, and its positions count code points in every output.
 */
class NonBmpTextTest {
    static final List<String> TEXTS = List.of("I love \uD83D\uDE00\uD83D\uDE00 pizza in Oslo",
            "\uD840\uDC00\uD840\uDC01 characters are rare, Oslo is not",
            "cafe\u0301 au lait in \uD83C\uDDF3\uD83C\uDDF4 Norway");

    @Test
    void everyWordIsTheTextAtItsPlace() {
        for (String text : TEXTS) {
            Words w = Words.of(TextModels.shared().tokenize(text), Granularity.WORD);
            List<String> words = new ArrayList<>();
            for (int i = 0; i < w.size(); i++) {
                assertEquals(text.substring(w.charStart(i), w.charEnd(i)), w.word(i));
                words.add(w.word(i));
            }
            assertTrue(words.contains("Oslo") || words.contains("Norway"), text + ": " + words);
            if (text.startsWith("I love")) {
                assertEquals(List.of("I", "love", "pizza", "in", "Oslo"), words.stream().filter(s -> s.chars()
                        .allMatch(Character::isLetter)).toList(), "letters-only words");
            }
        }
    }

    @Test
    void jsonCountsCodePointsAndHtmlWrites(@TempDir Path dir) throws Exception {
        String text = TEXTS.get(0);
        TextExplanation e = TextExplainer.builder(TextModels.shared()).masks(40).seed(1).build().explain(text);
        JsonNode words = new ObjectMapper().readTree(TextJson.write(e)).get("words");
        int[] cps = text.codePoints().toArray();
        for (JsonNode word : words) {
            int start = word.get("start").asInt();
            int end = word.get("end").asInt();
            assertEquals(word.get("word").asText(), new String(cps, start, end - start));
            assertEquals(word.get("word").asText(), text.substring(word.get("startUtf16").asInt(),
                    word.get("endUtf16").asInt()));
        }
        Path html = dir.resolve("page.html");
        HtmlPage.write(html, e);
        assertTrue(Files.readString(html, StandardCharsets.UTF_8).contains("pizza"));
    }

    /** A text's control characters reach the terminal as visible escapes, not as terminal commands. */
    @Test
    void controlCharactersAreShownNotSent() {
        assertEquals("a\\u001B[31mb\\u000Dc\n", AnsiText.visible("a\u001b[31mb\rc\n", false));
        assertEquals("x\\u000Ay", AnsiText.visible("x\ny", true));
        String plain = "I love \uD83D\uDE00 pizza";
        assertTrue(plain == AnsiText.visible(plain, true), "nothing to escape: the same string");
    }
}
