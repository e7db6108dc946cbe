package org.relax4j.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.relax4j.io.FileSink;
import org.relax4j.io.ResultFormat;

/**
 * A text explanation as one self-contained HTML page (inline CSS, no script, no external resource): the text with
 * each word shaded by its importance, its importance and uncertainty shown on hover (and in the {@code title}
 * attribute), a legend, and the words ranked in a table. The page is well-formed XHTML (the HTML syntax written as
 * XML), so XML tools can read it too. Stateless.
 */
public final class HtmlPage {
    /** The page as a {@link ResultFormat}: {@code explanation.html}, UTF-8. */
    public static final ResultFormat<TextExplanation> FORMAT = ResultFormat.of("html", (e, sink) -> {
        byte[] page = render(e).getBytes(StandardCharsets.UTF_8);
        sink.write("explanation.html", o -> o.write(page));
    });

    private HtmlPage() {
    }

    /**
     * Writes the page.
     *
     * @param path the file; replaced if it exists
     * @param e the explanation
     * @throws IOException if the file cannot be written
     */
    public static void write(Path path, TextExplanation e) throws IOException {
        FORMAT.write(e, FileSink.file(path));
    }

    /**
     * {@return the page's text}
     *
     * @param e the explanation
     */
    public static String render(TextExplanation e) {
        StringBuilder sb = new StringBuilder(4096);
        String title = e.query().map(q -> "Which words make this text match \u201c" + q + "\u201d")
                .orElse("Which words this text's embedding depends on");
        sb.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(escape(title)).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,sans-serif;max-width:48em;margin:2em auto;color:#222}\n")
                .append(".text{font-size:1.4em;line-height:2;white-space:pre-wrap}\n")
                .append(".w{position:relative;padding:.1em .15em;border-radius:.25em;color:#000}\n")
                .append(".w .tip{display:none;position:absolute;left:0;top:1.9em;z-index:1;white-space:nowrap;")
                .append("font-size:.6em;line-height:1.4;background:#222;color:#fff;padding:.3em .5em;")
                .append("border-radius:.3em}\n")
                .append(".w:hover .tip{display:block}\n")
                .append(".legend{display:flex;align-items:center;gap:.5em;margin:1em 0;font-size:.9em}\n")
                .append(".bar{width:16em;height:1em;border:1px solid #999;background:linear-gradient(to right,")
                .append(Shades.hex(0f)).append(',').append(Shades.hex(0.5f)).append(',').append(Shades.hex(1f))
                .append(")}\n")
                .append("table{border-collapse:collapse;font-size:.9em}td,th{padding:.2em .8em;text-align:right}")
                .append("td:nth-child(2),th:nth-child(2){text-align:left}\n")
                .append(".meta{color:#555;font-size:.9em}\n</style>\n</head>\n<body>\n");
        sb.append("<h1>").append(escape(title)).append("</h1>\n<p class=\"text\">");
        String text = e.text();
        Words w = e.words();
        int at = 0;
        for (int i = 0; i < e.size(); i++) {
            sb.append(escape(text.substring(at, w.charStart(i))));
            String tip = String.format(Locale.ROOT, "importance %.4f, uncertainty %.4g", e.importance(i),
                    e.uncertainty(i));
            sb.append("<span class=\"w\" style=\"background:").append(Shades.hex(e.shade(i)))
                    .append("\" title=\"").append(escape(tip)).append("\">")
                    .append(escape(text.substring(w.charStart(i), w.charEnd(i))))
                    .append("<span class=\"tip\">").append(escape(tip)).append("</span></span>");
            at = w.charEnd(i);
        }
        sb.append(escape(text.substring(at))).append("</p>\n");
        float[] range = e.importanceRange();
        sb.append("<div class=\"legend\"><span>").append(fmt(range[0])).append("</span><span class=\"bar\"></span>")
                .append("<span>").append(fmt(range[1])).append("</span><span>importance (")
                .append(e.query().isPresent() ? "similarity to the query" : "similarity to the text itself")
                .append(", over the masks that keep the word)</span></div>\n");
        sb.append("<p class=\"meta\">").append(escape(String.format(Locale.ROOT,
                "all-MiniLM-L6-v2 (quantised), %s, %s masking, %d masks%s%s.",
                w.granularity() == Granularity.WORD ? "words" : "tokens",
                e.masking().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.masksUsed(),
                Double.isNaN(e.errorBound()) ? ""
                        : String.format(Locale.ROOT, ", estimated error at most %.0f %%", 100 * e.errorBound()),
                e.query().isPresent()
                        ? String.format(Locale.ROOT, "; text vs query: cosine similarity %.4f", e.targetSimilarity())
                        : "")))
                .append("</p>\n");
        sb.append("<table>\n<thead><tr><th>rank</th><th>word</th><th>importance</th><th>uncertainty</th></tr></thead>")
                .append("\n<tbody>\n");
        int[] rank = e.ranking();
        for (int k = 0; k < rank.length; k++) {
            int i = rank[k];
            sb.append("<tr><td>").append(k + 1).append("</td><td>").append(escape(w.word(i))).append("</td><td>")
                    .append(fmt(e.importance(i))).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.4g", e.uncertainty(i))).append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static String fmt(float v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Escapes text for an element or a double-quoted attribute (one home: {@link org.relax4j.io.Html}). */
    static String escape(String s) {
        return org.relax4j.io.Html.escape(s);
    }
}
