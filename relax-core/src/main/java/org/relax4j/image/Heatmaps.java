package org.relax4j.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;

/**
 * Maps as pictures: each map as a heatmap over the image, with a title and a colour bar, the way the reference
 * notebook shows importance and uncertainty side by side. Colours follow a {@link ColorMap} (default
 * {@link ColorMap#VIRIDIS}; {@link ColorMap#JET} as the reference notebook) over each map's own range, or over a
 * fixed range ({@link Panel#withRange}) so that heatmaps of several images or runs are comparable; the range is
 * printed at the ends of the bar.
 *
 * <p>Rendering draws into a {@link BufferedImage} and needs no display; nothing here changes JVM-wide settings
 * (an application without a display may start the JVM with {@code -Djava.awt.headless=true}).
 */
public final class Heatmaps {
    private static final int TITLE = 26;
    private static final int BAR_GAP = 8;
    private static final int BAR_WIDTH = 14;
    private static final int LABELS = 66;
    private static final int MARGIN = 8;
    /** Opacity of the heatmap over the image. */
    private static final float ALPHA = 0.55f;

    private Heatmaps() {
    }

    /**
     * A named map for a panel.
     *
     * @param title the panel's title
     * @param map the map
     * @param blankZeros if true, pixels whose value is exactly 0 are left uncoloured (shown as the image, dimmed)
     *        and the colour range covers the other pixels only; for maps like U-RELAX where 0 means "filtered out"
     * @param low the value drawn as the colour map's bottom, or NaN for the map's own minimum
     * @param high the value drawn as the colour map's top, or NaN for the map's own maximum; values outside
     *        [low, high] take the end colours
     */
    public record Panel(String title, PixelMap map, boolean blankZeros, float low, float high) {
        /**
         * Checks the range.
         *
         * @param title the panel's title
         * @param map the map
         * @param blankZeros if true, pixels whose value is exactly 0 are left uncoloured
         * @param low the value drawn as the colour map's bottom, or NaN for the map's own minimum
         * @param high the value drawn as the colour map's top, or NaN for the map's own maximum
         * @throws IllegalArgumentException if only one end is given, or {@code low > high}, or an end is infinite
         */
        public Panel {
            if (Float.isNaN(low) != Float.isNaN(high) || low > high || Float.isInfinite(low)
                    || Float.isInfinite(high)) {
                throw new IllegalArgumentException("panel '" + title + "': range [" + low + ", " + high
                        + "] must be two finite values with low <= high, or both NaN for the map's own range");
            }
        }

        /**
         * A panel over the map's own range.
         *
         * @param title the panel's title
         * @param map the map
         * @param blankZeros whether exact zeros are left uncoloured
         */
        public Panel(String title, PixelMap map, boolean blankZeros) {
            this(title, map, blankZeros, Float.NaN, Float.NaN);
        }

        /**
         * A panel that colours every pixel over the map's own range.
         *
         * @param title the panel's title
         * @param map the map
         */
        public Panel(String title, PixelMap map) {
            this(title, map, false);
        }

        /**
         * This panel over a fixed range, for heatmaps comparable across images or runs.
         *
         * @param low the value drawn as the bottom colour
         * @param high the value drawn as the top colour, {@code >= low}
         * @return a new panel
         */
        public Panel withRange(float low, float high) {
            return new Panel(title, map, blankZeros, low, high);
        }
    }

    /**
     * Writes importance, uncertainty and U-RELAX side by side over {@code image} as one PNG, in
     * {@link ColorMap#VIRIDIS}.
     *
     * @param png the file to write
     * @param image the image the maps explain, RGB (3, H, W) in [0, 1] at the maps' size (not normalised), or
     *        null to draw the maps alone
     * @param e the explanation
     * @throws IOException if the file cannot be written
     */
    public static void writeSummary(Path png, InputTensor image, Explanation e) throws IOException {
        writeSummary(png, image, e, ColorMap.VIRIDIS);
    }

    /**
     * {@return the image that {@link #writeSummary(Path, InputTensor, Explanation)} writes, rendered}
     *
     * @param image RGB (3, H, W) in [0, 1] at the maps' size, or null to draw the maps alone
     * @param e the explanation
     */
    public static BufferedImage renderSummary(InputTensor image, Explanation e) {
        return renderSummary(image, e, ColorMap.VIRIDIS);
    }

    /**
     * Writes importance, uncertainty and U-RELAX side by side over {@code image} as one PNG.
     *
     * @param png the file to write
     * @param image RGB (3, H, W) in [0, 1] at the maps' size, or null to draw the maps alone
     * @param e the explanation
     * @param colors the colour map
     * @throws IOException if the file cannot be written
     */
    public static void writeSummary(Path png, InputTensor image, Explanation e, ColorMap colors) throws IOException {
        ImageIO.write(renderSummary(image, e, colors), "png", png.toFile());
    }

    /**
     * {@return the image that {@link #writeSummary(Path, InputTensor, Explanation, ColorMap)} writes, rendered}
     *
     * @param image RGB (3, H, W) in [0, 1] at the maps' size, or null to draw the maps alone
     * @param e the explanation
     * @param colors the colour map
     */
    public static BufferedImage renderSummary(InputTensor image, Explanation e, ColorMap colors) {
        return render(image, List.of(new Panel("importance", e.importance()), new Panel("uncertainty", e.uncertainty()),
                new Panel("U-RELAX", e.uRelax(), true)), colors);
    }

    /**
     * Writes one panel per map, side by side, as one PNG in {@link ColorMap#VIRIDIS}. All maps must have the
     * image's size.
     *
     * @param png the file to write
     * @param image RGB (3, H, W) in [0, 1] at the maps' size, or null
     * @param panels the maps
     * @throws IOException if the file cannot be written
     */
    public static void write(Path png, InputTensor image, List<Panel> panels) throws IOException {
        write(png, image, panels, ColorMap.VIRIDIS);
    }

    /**
     * Writes one panel per map, side by side, as one PNG.
     *
     * @param png the file to write
     * @param image RGB (3, H, W) in [0, 1] at the maps' size, or null
     * @param panels the maps
     * @param colors the colour map
     * @throws IOException if the file cannot be written
     */
    public static void write(Path png, InputTensor image, List<Panel> panels, ColorMap colors) throws IOException {
        ImageIO.write(render(image, panels, colors), "png", png.toFile());
    }

    /**
     * Renders panels side by side in {@link ColorMap#VIRIDIS}.
     *
     * @param image RGB (3, H, W) in [0, 1] at the maps' size, or null
     * @param panels the maps, all of one size
     * @return a new image
     */
    public static BufferedImage render(InputTensor image, List<Panel> panels) {
        return render(image, panels, ColorMap.VIRIDIS);
    }

    /**
     * Renders panels side by side.
     *
     * @param image RGB (3, H, W) in [0, 1] at the maps' size, or null
     * @param panels the maps, all of one size
     * @param colors the colour map
     * @return a new image
     * @throws IllegalArgumentException if there are no panels or sizes differ
     */
    public static BufferedImage render(InputTensor image, List<Panel> panels, ColorMap colors) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no maps to draw");
        }
        int h = panels.get(0).map().height();
        int w = panels.get(0).map().width();
        for (Panel p : panels) {
            if (p.map().height() != h || p.map().width() != w) {
                throw new IllegalArgumentException("map '" + p.title() + "' is " + p.map().height() + "x" + p.map().width()
                        + ", the first is " + h + "x" + w);
            }
        }
        if (image != null && (image.height() != h || image.width() != w || image.channels() != 3)) {
            throw new IllegalArgumentException("image " + image + " must be RGB at the maps' size " + h + "x" + w);
        }
        int scale = Math.max(1, Math.round(288f / Math.max(h, w)));
        int dh = h * scale;
        int dw = w * scale;
        int panelWidth = dw + BAR_GAP + BAR_WIDTH + LABELS;
        BufferedImage out = new BufferedImage(MARGIN + panels.size() * (panelWidth + MARGIN), TITLE + dh + MARGIN,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = blank(out);
        try {
            for (int k = 0; k < panels.size(); k++) {
                int x0 = MARGIN + k * (panelWidth + MARGIN);
                Panel p = panels.get(k);
                float[] range = range(p);
                float lo = range[0];
                float hi = range[1];
                g.drawImage(overlay(image, p.map(), lo, hi, p.blankZeros(), colors), x0, TITLE, dw, dh, null);
                drawBar(g, x0 + dw + BAR_GAP, TITLE, dh, lo, hi, colors);
                text(g, p.title(), x0, TITLE - 8, 14, true);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * {@return two pictures side by side on white, tops aligned}
     *
     * @param a the left one
     * @param b the right one
     */
    public static BufferedImage beside(BufferedImage a, BufferedImage b) {
        BufferedImage out = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        return out;
    }

    /**
     * {@return the image alone, titled, at the size and layout {@link #render} gives a panel (without a colour bar):
     * e.g. the target of a match explanation, to stand beside the map}
     *
     * @param image RGB (3, H, W) in [0, 1]
     * @param title the title
     */
    public static BufferedImage renderImage(InputTensor image, String title) {
        if (image.rank() != 2 || image.channels() != 3) {
            throw new IllegalArgumentException("image " + image + " must be RGB (3, H, W)");
        }
        int h = image.height();
        int w = image.width();
        int scale = Math.max(1, Math.round(288f / Math.max(h, w)));
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                int r = Math.round(255 * clamp(image.get(0, i, j)));
                int gr = Math.round(255 * clamp(image.get(1, i, j)));
                int b = Math.round(255 * clamp(image.get(2, i, j)));
                rgb.setRGB(j, i, (r << 16) | (gr << 8) | b);
            }
        }
        BufferedImage out = new BufferedImage(2 * MARGIN + w * scale, TITLE + h * scale + MARGIN,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = blank(out);
        try {
            g.drawImage(rgb, MARGIN, TITLE, w * scale, h * scale, null);
            text(g, title, MARGIN, TITLE - 8, 14, true);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** {@return graphics on {@code out}, filled white, with smooth scaling and text; the caller disposes it} */
    private static Graphics2D blank(BufferedImage out) {
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }

    /** The colour range: fixed, or the map's min and max, over its non-zero values for a blank-zeros panel. */
    private static float[] range(Panel p) {
        if (!Float.isNaN(p.low())) {
            return new float[] {p.low(), p.high()};
        }
        if (!p.blankZeros()) {
            return new float[] {p.map().min(), p.map().max()};
        }
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : p.map().values()) {
            if (v != 0f) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo <= hi ? new float[] {lo, hi} : new float[] {0f, 0f};
    }

    private static BufferedImage overlay(InputTensor image, PixelMap map, float lo, float hi, boolean blankZeros,
                                         ColorMap colors) {
        int h = map.height();
        int w = map.width();
        float[] v = map.values();
        float[] rgb = image != null ? image.unsafeData() : null;
        int pixels = h * w;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float range = hi - lo;
        for (int p = 0; p < pixels; p++) {
            if (blankZeros && v[p] == 0f) {
                float grey = rgb != null ? 0.3f * (clamp(rgb[p]) + clamp(rgb[pixels + p]) + clamp(rgb[2 * pixels + p])) / 3f
                        + 0.35f : 0.9f;
                int q = Math.round(grey * 255);
                img.setRGB(p % w, p / w, (q << 16) | (q << 8) | q);
                continue;
            }
            float t = range > 0 ? (v[p] - lo) / range : 0.5f;
            int c = colors.rgb(t);
            float r = ((c >> 16) & 0xFF) / 255f;
            float gg = ((c >> 8) & 0xFF) / 255f;
            float b = (c & 0xFF) / 255f;
            if (rgb != null) {
                r = ALPHA * r + (1 - ALPHA) * clamp(rgb[p]);
                gg = ALPHA * gg + (1 - ALPHA) * clamp(rgb[pixels + p]);
                b = ALPHA * b + (1 - ALPHA) * clamp(rgb[2 * pixels + p]);
            }
            img.setRGB(p % w, p / w, (Math.round(r * 255) << 16) | (Math.round(gg * 255) << 8) | Math.round(b * 255));
        }
        return img;
    }

    private static void drawBar(Graphics2D g, int x, int y, int height, float lo, float hi, ColorMap colors) {
        for (int k = 0; k < height; k++) {
            g.setColor(new Color(colors.rgb(1f - (float) k / Math.max(1, height - 1))));
            g.drawLine(x, y + k, x + BAR_WIDTH - 1, y + k);
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, BAR_WIDTH - 1, height - 1);
        text(g, format(hi), x + BAR_WIDTH + 4, y + 11, 11, false);
        text(g, format((lo + hi) / 2), x + BAR_WIDTH + 4, y + height / 2 + 4, 11, false);
        text(g, format(lo), x + BAR_WIDTH + 4, y + height - 2, 11, false);
    }

    private static String format(float v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 1e-3f || v == 0f ? "%.4f" : "%.2e", v);
    }

    /** Text needs fonts; a headless JVM without any still gets the picture, just unlabelled. */
    private static void text(Graphics2D g, String s, int x, int y, int size, boolean bold) {
        try {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size));
            g.drawString(s, x, y);
        } catch (RuntimeException | Error e) {
            // No usable font: leave the label out.
        }
    }

    private static float clamp(float v) {
        return Math.min(Math.max(v, 0f), 1f);
    }
}
