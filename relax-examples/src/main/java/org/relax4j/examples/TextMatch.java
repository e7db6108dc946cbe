package org.relax4j.examples;

import java.io.IOException;
import java.nio.file.Path;

import org.relax4j.text.AnsiText;
import org.relax4j.text.HtmlPage;
import org.relax4j.text.MiniLm;
import org.relax4j.text.TextExplainer;
import org.relax4j.text.TextExplanation;
import org.relax4j.text.TextJson;

/**
 * Example 9: which words of a text make its sentence embedding (all-MiniLM-L6-v2, from the class path) match a
 * query, printed for the terminal, written as an HTML page, and as JSON.
 */
public final class TextMatch {
    private TextMatch() {
    }

    /**
     * Explains the match of a text with a query.
     *
     * @param html where to write the HTML page
     * @param masks the number of masks
     * @return the explanation
     * @throws IOException if the page cannot be written
     */
    public static TextExplanation run(Path html, int masks) throws IOException {
        // snippet:start text-match
        try (MiniLm model = MiniLm.load();
             TextExplainer explainer = TextExplainer.builder(model).masks(masks).seed(0).build()) {
            TextExplanation e = explainer.explain("The weather in Oslo is cold. I love pizza.", "climate of Norway");
            System.out.print(AnsiText.render(e, AnsiText.colourByDefault()));   // shaded words, ranking
            HtmlPage.write(html, e);                                            // uncertainty on hover
            String json = TextJson.write(e);                                    // one entry per word
            return e;
        }
        // snippet:end
    }
}
