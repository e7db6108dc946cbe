package org.relax4j.evaluate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;
import org.relax4j.image.Heatmaps;

/**
 * {@code evaluation.png}: one panel per curve set (each map's curve over the random orders' band, shaded from their
 * lowest to their highest), one bar panel per faithfulness substrate, then the maps side by side over the image.
 */
public final class EvaluationFigure {
    private static final int PANEL_W = 360;
    private static final int PANEL_H = 260;
    private static final int PER_ROW = 3;
    private static final int MAPS_PER_ROW = 5;
    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
        new Color(0xFF7F0E), new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x17BECF),
        new Color(0xBCBD22), new Color(0x7F7F7F)};

    private EvaluationFigure() {
    }

    /**
     * Writes the figure as PNG.
     *
     * @param out where
     * @param report the evaluation
     * @param rgb the image in [0, 1]
     * @param maps the maps evaluated, by name, in the report's order
     * @throws IOException if writing fails
     */
    public static void write(OutputStream out, MapEvaluation.Report report, InputTensor rgb, Map<String, float[]> maps)
            throws IOException {
        org.relax4j.image.Images.writePng(render(report, rgb, maps), out);
    }

    /** {@return the figure} @param report the evaluation @param rgb the image @param maps the maps by name */
    public static BufferedImage render(MapEvaluation.Report report, InputTensor rgb, Map<String, float[]> maps) {
        List<String> names = new ArrayList<>(maps.keySet());
        int panels = report.curves().size() + report.faithfulness().size();
        int rows = (panels + PER_ROW - 1) / PER_ROW;
        List<BufferedImage> mapRows = new ArrayList<>();
        for (int k = 0; k < names.size(); k += MAPS_PER_ROW) {
            List<Heatmaps.Panel> ps = new ArrayList<>();
            for (String n : names.subList(k, Math.min(names.size(), k + MAPS_PER_ROW))) {
                ps.add(new Heatmaps.Panel(n, new PixelMap(rgb.height(), rgb.width(), maps.get(n))));
            }
            mapRows.add(Heatmaps.render(rgb, ps));
        }
        int width = Math.max(PER_ROW * PANEL_W, mapRows.stream().mapToInt(BufferedImage::getWidth).max().orElse(0));
        int legend = 22 * ((names.size() + 3) / 4) + 10;
        int height = 40 + rows * PANEL_H + legend + mapRows.stream().mapToInt(BufferedImage::getHeight).sum();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString("Evaluation: " + report.regions() + ", " + report.passes() + " encoder passes", 10, 24);
            int k = 0;
            for (MapEvaluation.CurveSet c : report.curves()) {
                curvePanel(g, c, names, 10 + (k % PER_ROW) * PANEL_W, 40 + (k / PER_ROW) * PANEL_H);
                k++;
            }
            for (MapEvaluation.Faithfulness f : report.faithfulness()) {
                barPanel(g, f, names, 10 + (k % PER_ROW) * PANEL_W, 40 + (k / PER_ROW) * PANEL_H);
                k++;
            }
            int y = 40 + rows * PANEL_H;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int n = 0; n < names.size(); n++) {
                int x = 14 + (n % 4) * 260;
                int yy = y + 16 + (n / 4) * 22;
                g.setColor(colour(n));
                g.fillRect(x, yy - 10, 24, 4);
                g.setColor(Color.BLACK);
                g.drawString(names.get(n), x + 30, yy - 4);
            }
            y += legend;
            for (BufferedImage row : mapRows) {
                g.drawImage(row, 0, y, null);
                y += row.getHeight();
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Color colour(int n) {
        return PALETTE[n % PALETTE.length];
    }

    private static void curvePanel(Graphics2D g, MapEvaluation.CurveSet c, List<String> names, int x0, int y0) {
        int left = x0 + 40;
        int top = y0 + 26;
        int w = PANEL_W - 60;
        int h = PANEL_H - 66;
        double lo = 1;
        double hi = 0;
        List<float[]> all = new ArrayList<>();
        for (PerturbationCurves.Curve b : c.band()) {
            all.add(b.similarities());
        }
        c.maps().values().forEach(r -> all.add(r.map().similarities()));
        for (float[] v : all) {
            for (float f : v) {
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
        }
        if (hi <= lo) {
            hi = lo + 1;
        }
        axes(g, left, top, w, h, lo, hi, (c.mode() == PerturbationCurves.Mode.DELETION ? "deletion" : "insertion")
                + ", " + c.substrate(), "fraction moved", x0);
        int steps = c.band()[0].similarities().length - 1;
        // The band: the lowest and highest random curve at each step.
        int[] xs = new int[2 * (steps + 1)];
        int[] ys = new int[2 * (steps + 1)];
        for (int k = 0; k <= steps; k++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (PerturbationCurves.Curve b : c.band()) {
                min = Math.min(min, b.similarities()[k]);
                max = Math.max(max, b.similarities()[k]);
            }
            xs[k] = left + k * w / steps;
            ys[k] = top + (int) Math.round((hi - max) / (hi - lo) * h);
            xs[2 * steps + 1 - k] = xs[k];
            ys[2 * steps + 1 - k] = top + (int) Math.round((hi - min) / (hi - lo) * h);
        }
        g.setColor(new Color(0xD0D0D0));
        g.fillPolygon(xs, ys, xs.length);
        g.setStroke(new BasicStroke(1.8f));
        for (int n = 0; n < names.size(); n++) {
            PerturbationCurves.Report r = c.maps().get(names.get(n));
            if (r == null) {
                continue;
            }
            g.setColor(colour(n));
            float[] v = r.map().similarities();
            for (int k = 0; k < steps; k++) {
                g.drawLine(left + k * w / steps, top + (int) Math.round((hi - v[k]) / (hi - lo) * h),
                        left + (k + 1) * w / steps, top + (int) Math.round((hi - v[k + 1]) / (hi - lo) * h));
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void barPanel(Graphics2D g, MapEvaluation.Faithfulness f, List<String> names, int x0, int y0) {
        int left = x0 + 40;
        int top = y0 + 26;
        int w = PANEL_W - 60;
        int h = PANEL_H - 66;
        axes(g, left, top, w, h, -1, 1, "faithfulness correlation, " + f.substrate(), "maps", x0);
        int zero = top + h / 2;
        g.setColor(Color.GRAY);
        g.drawLine(left, zero, left + w, zero);
        int bar = Math.max(4, w / Math.max(1, names.size()) - 6);
        for (int n = 0; n < names.size(); n++) {
            FaithfulnessCorrelation.Result r = f.maps().get(names.get(n));
            if (r == null || Double.isNaN(r.correlation())) {
                continue;
            }
            int x = left + 3 + n * (bar + 6);
            int y = (int) Math.round(zero - r.correlation() * h / 2);
            g.setColor(colour(n));
            g.fillRect(x, Math.min(y, zero), bar, Math.abs(zero - y));
        }
    }

    private static void axes(Graphics2D g, int left, int top, int w, int h, double lo, double hi, String title,
                             String xLabel, int x0) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(title, x0 + 6, top - 10);
        g.drawRect(left, top, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(String.format(Locale.ROOT, "%.2f", hi), x0 + 4, top + 10);
        g.drawString(String.format(Locale.ROOT, "%.2f", lo), x0 + 4, top + h);
        g.drawString(xLabel, left + w / 2 - 30, top + h + 16);
    }
}
