package org.relax4j.text;

import java.util.Locale;

/**
 * A text explanation for the terminal: the text with each word's background shaded by its importance (24-bit ANSI
 * colour; white → amber → red over the text's range), a legend, and the words ranked by importance with their
 * uncertainty. Without colour (not a terminal, {@code NO_COLOR} set, or {@code colour = false}) the same without
 * escape codes. Stateless.
 */
public final class AnsiText {
    private static final String RESET = "\u001b[0m";

    private AnsiText() {
    }

    /**
     * {@code s} safe to print on a terminal: control characters (an escape would start a terminal command, a
     * carriage return overwrite the line) shown as {@code \\u001B}; line breaks and tabs kept unless
     * {@code oneLine}.
     */
    static String visible(String s, boolean oneLine) {
        StringBuilder b = null;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            boolean keep = !Character.isISOControl(c) || (!oneLine && (c == '\n' || c == '\t'));
            if (!keep && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, k);
            }
            if (b != null) {
                if (keep) {
                    b.append(c);
                } else {
                    b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * {@return whether standard output should get colour: a console is attached and {@code NO_COLOR} is unset or
     * empty (no-color.org)}
     */
    public static boolean colourByDefault() {
        String noColor = System.getenv("NO_COLOR");
        return System.console() != null && (noColor == null || noColor.isEmpty());
    }

    /**
     * Renders an explanation.
     *
     * @param e the explanation
     * @param colour whether to write ANSI colour codes
     * @return the lines, each ending in a newline
     */
    public static String render(TextExplanation e, boolean colour) {
        StringBuilder sb = new StringBuilder();
        String text = e.text();
        Words w = e.words();
        int at = 0;
        for (int i = 0; i < e.size(); i++) {
            sb.append(visible(text.substring(at, w.charStart(i)), false));
            String word = visible(text.substring(w.charStart(i), w.charEnd(i)), true);
            if (colour) {
                int[] c = Shades.rgb(e.shade(i));
                sb.append(String.format(Locale.ROOT, "\u001b[38;2;0;0;0;48;2;%d;%d;%dm", c[0], c[1], c[2]))
                        .append(word).append(RESET);
            } else {
                sb.append(word);
            }
            at = w.charEnd(i);
        }
        sb.append(visible(text.substring(at).stripTrailing(), false)).append('\n');
        float[] range = e.importanceRange();
        if (colour) {
            sb.append("low ");
            for (int k = 0; k <= 8; k++) {
                int[] c = Shades.rgb(k / 8f);
                sb.append(String.format(Locale.ROOT, "\u001b[48;2;%d;%d;%dm  ", c[0], c[1], c[2]));
            }
            sb.append(RESET).append(" high");
        } else {
            sb.append("importance");
        }
        sb.append(String.format(Locale.ROOT, " (%.4f .. %.4f), %s, %d masks%s%n", range[0], range[1],
                e.query().map(q -> "similarity to \"" + visible(q, true) + "\"")
                        .orElse("similarity to the text itself"),
                e.masksUsed(), Double.isNaN(e.errorBound()) ? ""
                        : String.format(Locale.ROOT, ", error <= %.0f %%", 100 * e.errorBound())));
        e.query().ifPresent(q -> sb.append(String.format(Locale.ROOT,
                "text vs query: cosine similarity %.4f%n", e.targetSimilarity())));
        int width = 4;
        for (String s : w.list()) {
            width = Math.max(width, s.length());
        }
        sb.append(String.format(Locale.ROOT, "%4s  %-" + width + "s  %10s  %11s%n", "rank", "word", "importance",
                "uncertainty"));
        int[] rank = e.ranking();
        for (int k = 0; k < rank.length; k++) {
            int i = rank[k];
            sb.append(String.format(Locale.ROOT, "%4d  %-" + width + "s  %10.4f  %11.4g%n", k + 1,
                    visible(w.word(i), true), e.importance(i), e.uncertainty(i)));
        }
        return sb.toString();
    }
}
