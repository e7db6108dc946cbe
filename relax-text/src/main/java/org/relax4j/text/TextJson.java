package org.relax4j.text;

import org.relax4j.Json;

/**
 * A text explanation as JSON: the settings ({@code text}, {@code query}, {@code target}, {@code targetSimilarity},
 * {@code model}, {@code units}, {@code masking}, {@code masks}, {@code errorBound}) and {@code words}, one entry per
 * word in text order with {@code word}, {@code importance}, {@code uncertainty} and its characters
 * {@code [start, end)} in the text. Stateless.
 */
public final class TextJson {
    private TextJson() {
    }

    /**
     * {@return the JSON text, ending in a newline}
     *
     * @param e the explanation
     */
    public static String write(TextExplanation e) {
        return Json.write(e.toMap());
    }
}
