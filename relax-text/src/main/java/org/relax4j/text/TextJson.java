package org.relax4j.text;

import java.io.IOException;
import org.relax4j.Json;
import org.relax4j.io.FileSink;
import org.relax4j.io.ResultFormat;

/**
 * A text explanation as JSON: the settings ({@code text}, {@code query}, {@code target}, {@code targetSimilarity},
 * {@code model}, {@code units}, {@code masking}, {@code masks}, {@code errorBound}) and {@code words}, one entry per
 * word in text order with {@code word}, {@code importance}, {@code uncertainty} and its characters
 * {@code [start, end)} in the text; then {@code provenance}, RELAX's record of the run (seed, engine, error
 * estimate, timings), when the explanation came from RELAX. Stateless.
 *
 * <p>{@code importance} is a similarity (cosine, in [-1, 1]); {@code uncertainty} is RELAX's, as for images: the
 * sum over the masks that keep the word of the squared deviation of their similarity from the importance (not
 * divided by their number, so it grows with the masks; compare words within one run).
 */
public final class TextJson {
    /** The JSON as a {@link ResultFormat}: {@code explanation.json}, UTF-8. */
    public static final ResultFormat<TextExplanation> FORMAT = ResultFormat.of("json", (e, sink) -> {
        byte[] json = TextJson.write(e).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sink.write("explanation.json", o -> o.write(json));
    });

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
