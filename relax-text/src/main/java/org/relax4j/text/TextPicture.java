package org.relax4j.text;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.relax4j.io.FileSink;
import org.relax4j.io.ResultFormat;

/**
 * A text explanation as a PNG picture: the text wrapped to a fixed width, each word on a background shaded by its
 * importance (the colours of {@link HtmlPage} and {@link AnsiText}), the importance written under each word, and a
 * legend. Draws into an image in memory (no window, no JVM-wide setting). Stateless.
 */
public final class TextPicture {
    private static final int WIDTH = 960;
    private static final int MARGIN = 24;

    /** The picture as a {@link ResultFormat}: {@code explanation.png}. */
    public static final ResultFormat<TextExplanation> FORMAT = ResultFormat.of("png", (e, sink) -> {
        BufferedImage picture = render(e);
        sink.write("explanation.png", o -> org.relax4j.image.Images.writePng(picture, o));
    });

    private TextPicture() {
    }

    /**
     * Writes the picture.
     *
     * @param path the PNG file; replaced if it exists
     * @param e the explanation
     * @throws IOException if the file cannot be written
     */
    public static void write(Path path, TextExplanation e) throws IOException {
        FORMAT.write(e, FileSink.file(path));
    }

    /**
     * {@return the picture}
     *
     * @param e the explanation
     */
    public static BufferedImage render(TextExplanation e) {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 30);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        FontMetrics sm = pg.getFontMetrics(small);
        pg.dispose();

        // Lay the words out: a word's box is as wide as the word or its importance label; gaps from the text.
        String text = e.text();
        Words w = e.words();
        int lineHeight = fm.getHeight() + sm.getHeight() + 18;
        int[] x = new int[e.size()];
        int[] line = new int[e.size()];
        int[] boxWidth = new int[e.size()];
        int cx = MARGIN;
        int ln = 0;
        for (int i = 0; i < e.size(); i++) {
            String word = w.word(i);
            boolean gap = i > 0 && w.charStart(i) > w.charEnd(i - 1);
            int wordWidth = Math.max(fm.stringWidth(word), sm.stringWidth(label(e, i))) + 10;
            int advance = gap ? fm.stringWidth(" ") : 2;
            if (i > 0 && cx + advance + wordWidth > WIDTH - MARGIN) {
                ln++;
                cx = MARGIN;
            } else if (i > 0) {
                cx += advance;
            }
            x[i] = cx;
            line[i] = ln;
            boxWidth[i] = wordWidth;
            cx += wordWidth;
        }
        List<String> caption = caption(e);
        int textTop = MARGIN;
        int legendTop = textTop + (ln + 1) * lineHeight + 8;
        int height = legendTop + 24 + caption.size() * sm.getHeight() + MARGIN;

        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            for (int i = 0; i < e.size(); i++) {
                int top = textTop + line[i] * lineHeight;
                int[] c = Shades.rgb(e.shade(i));
                g.setColor(new Color(c[0], c[1], c[2]));
                g.fillRoundRect(x[i], top, boxWidth[i], fm.getHeight() + 6, 10, 10);
                g.setColor(new Color(200, 200, 200));
                g.drawRoundRect(x[i], top, boxWidth[i], fm.getHeight() + 6, 10, 10);
                g.setColor(Color.BLACK);
                g.setFont(font);
                String word = w.word(i);
                g.drawString(word, x[i] + (boxWidth[i] - fm.stringWidth(word)) / 2, top + 3 + fm.getAscent());
                g.setFont(small);
                g.setColor(new Color(90, 90, 90));
                String lab = label(e, i);
                g.drawString(lab, x[i] + (boxWidth[i] - sm.stringWidth(lab)) / 2,
                        top + fm.getHeight() + 8 + sm.getAscent());
            }
            // Legend: the ramp from the lowest to the highest importance.
            g.setFont(small);
            float[] range = e.importanceRange();
            String lo = String.format(Locale.ROOT, "%.3f", range[0]);
            int bx = MARGIN + sm.stringWidth(lo) + 8;
            int bw = 300;
            for (int k = 0; k < bw; k++) {
                int[] c = Shades.rgb(k / (float) (bw - 1));
                g.setColor(new Color(c[0], c[1], c[2]));
                g.fillRect(bx + k, legendTop, 1, 16);
            }
            g.setColor(Color.GRAY);
            g.drawRect(bx, legendTop, bw, 16);
            g.setColor(Color.BLACK);
            g.drawString(lo, MARGIN, legendTop + sm.getAscent());
            g.drawString(String.format(Locale.ROOT, "%.3f  importance", range[1]), bx + bw + 8,
                    legendTop + sm.getAscent());
            int cy = legendTop + 24 + sm.getAscent();
            for (String s : caption) {
                g.drawString(s, MARGIN, cy);
                cy += sm.getHeight();
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String label(TextExplanation e, int i) {
        return String.format(Locale.ROOT, "%.3f", e.importance(i));
    }

    private static List<String> caption(TextExplanation e) {
        List<String> out = new ArrayList<>();
        out.add(e.query().map(q -> String.format(Locale.ROOT,
                "Target: the query \"%s\" (text vs query: cosine %.3f).", q, e.targetSimilarity()))
                .orElse("Target: the text's own embedding."));
        out.add(String.format(Locale.ROOT, "all-MiniLM-L6-v2 (quantised), %s masking, %d masks%s.",
                e.masking().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.masksUsed(),
                Double.isNaN(e.errorBound()) ? ""
                        : String.format(Locale.ROOT, ", estimated error at most %.0f %%", 100 * e.errorBound())));
        return out;
    }
}
