package org.relax4j.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.relax4j.bench.QualityBench.Adaptive;
import org.relax4j.bench.QualityBench.Curve;
import org.relax4j.bench.QualityBench.Result;
import org.relax4j.bench.QualityBench.Variant;
import org.relax4j.mask.MaskDesign;

/** The quality benchmark's tables (Markdown) and plot (PNG). */
final class QualityReport {
    private static final int[] SHOWN = {256, 384, 512, 640, 1024, 3072};

    private QualityReport() {
    }

    static String markdown(List<Result> results, int truthMasks) {
        StringBuilder b = new StringBuilder();
        b.append("Error = relative L2 distance of the centred importance map to a ground truth of ").append(truthMasks)
                .append(" balanced masks; median over seeds [min–max]. Coverage = share of (seed, checkpoint) pairs whose "
                        + "distance to the ground truth is within the reported 90 % bound combined with the ground truth's own "
                        + "estimated error, √(bound² + truth²); est/true = root-mean-square estimate over "
                        + "root-mean-square true error, where the estimate is finite (an infinite one says the noise "
                        + "still exceeds the map's signal; its bound covers trivially).\n\n");
        for (Result r : results) {
            int seeds = (int) r.curves().stream().filter(c -> c.variant().equals(Variant.ALL.get(0))).count();
            b.append(String.format(Locale.ROOT,
                    "### %s (%d seeds; i.i.d. random at 3000 passes: %.3f; ground truth's own estimated error: %.3f)%n%n",
                    r.subject().name(), seeds, r.iid3000(), r.truthError()));
            b.append("| design |");
            for (int n : SHOWN) {
                b.append(' ').append(n == 3072 ? "3000 (random) / 3072" : Integer.toString(n)).append(" passes |");
            }
            b.append(" passes to match i.i.d.-3000 | bound coverage | est/true |\n|---|");
            b.append("---|".repeat(SHOWN.length)).append("---|---|---|\n");
            for (Variant v : Variant.ALL) {
                MaskDesign d = v.design();
                List<Curve> cs = r.curves().stream().filter(c -> c.variant().equals(v)).toList();
                b.append("| ").append(v.label()).append(" |");
                for (int n : SHOWN) {
                    int k = index(n);
                    double[] e = cs.stream().mapToDouble(c -> c.error()[k]).toArray();
                    b.append(String.format(Locale.ROOT, " %.3f [%.3f–%.3f] |", QualityBench.median(e), min(e), max(e)));
                }
                double med = passesToReach(medianCurve(cs), QualityBench.checkpoints(d), r.iid3000());
                b.append(String.format(Locale.ROOT, " %.0f (%.1f×) |", med, 3000 / med));
                int covered = 0;
                int total = 0;
                double sumEst = 0;
                double sumTrue = 0;
                for (Curve c : cs) {
                    for (int k = 0; k < c.error().length; k++) {
                        if (Double.isNaN(c.bound()[k])) {
                            continue; // too few blocks for an estimate yet
                        }
                        covered += c.error()[k] <= Math.hypot(c.bound()[k], r.truthError()) ? 1 : 0;
                        total++;
                        if (Double.isFinite(c.estimate()[k])) { // infinite: noise above the signal, nothing to compare
                            sumEst += c.estimate()[k] * c.estimate()[k];
                            sumTrue += c.error()[k] * c.error()[k];
                        }
                    }
                }
                b.append(String.format(Locale.ROOT, " %.2f |  %.2f |%n", covered / (double) total,
                        Math.sqrt(sumEst / sumTrue)));
            }
            b.append("\nUncertainty and U-RELAX (the estimator changes the importance only, so one row per design): "
                    + "error of the centred variance map U/W, and Jaccard agreement of U-RELAX's certain pixels "
                    + "(U ≤ median) with the ground truth's; median over seeds [min–max]:\n\n| design | map |");
            for (int n : SHOWN) {
                b.append(' ').append(n == 3072 ? "3000 (random) / 3072" : Integer.toString(n)).append(" passes |");
            }
            b.append("\n|---|---|").append("---|".repeat(SHOWN.length)).append('\n');
            for (MaskDesign d : MaskDesign.values()) {
                List<Curve> cs = r.curves().stream()
                        .filter(c -> c.variant().equals(new Variant(d, org.relax4j.estimate.ImportanceEstimator.RATIO)))
                        .toList();
                for (int which = 0; which < 2; which++) {
                    b.append("| ").append(d.id()).append(which == 0 ? " | uncertainty error |" : " | U-RELAX agreement |");
                    for (int n : SHOWN) {
                        int k = index(n);
                        int w = which;
                        double[] v = cs.stream().mapToDouble(c -> (w == 0 ? c.uncertaintyError() : c.uRelaxAgreement())[k])
                                .toArray();
                        b.append(String.format(Locale.ROOT, " %.3f [%.3f–%.3f] |", QualityBench.median(v), min(v),
                                max(v)));
                    }
                    b.append('\n');
                }
            }
            b.append("\nAdaptive runs (`targetError`, cap 3000), replayed through `Relax` on the recorded similarities; "
                    + "oracle = fewest passes (same block granularity) whose true error is within the target:\n\n");
            b.append("| design | target | runs with true error ≤ target | median passes | median passes / oracle | "
                    + "worst passes / oracle |\n|---|---|---|---|---|---|\n");
            for (double target : r.adaptive().stream().mapToDouble(Adaptive::target).distinct().toArray()) {
                for (Variant v : Variant.ALL) {
                    List<Adaptive> as = r.adaptive().stream().filter(a -> a.variant().equals(v) && a.target() == target)
                            .toList();
                    long met = as.stream().filter(a -> a.trueError() <= target).count();
                    double[] used = as.stream().mapToDouble(Adaptive::used).toArray();
                    double[] ratio = as.stream().filter(a -> a.oracle() > 0)
                            .mapToDouble(a -> a.used() / (double) a.oracle()).toArray();
                    b.append(String.format(Locale.ROOT, "| %s | %.3f | %d of %d | %.0f | %s | %s |%n", v.label(), target,
                            met, as.size(), QualityBench.median(used),
                            ratio.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", QualityBench.median(ratio)),
                            ratio.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", max(ratio))));
                }
            }
            b.append('\n');
        }
        if (results.size() > 2) {
            b.append(allSubjects(results));
        }
        return b.toString();
    }

    /** Over all subjects but the synthetic one: per variant, passes to match and bound coverage, per photo pooled. */
    static String allSubjects(List<Result> results) {
        List<Result> photos = results.stream().filter(r -> !r.subject().name().equals("synthetic")).toList();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "### All %d photos%n%n| design | passes to "
                + "match i.i.d.-3000, median [min–max] over photos | bound coverage, pooled | photos with coverage "
                + "< 0.9 |%n|---|---|---|---|%n", photos.size()));
        for (Variant v : Variant.ALL) {
            double[] passes = new double[photos.size()];
            int covered = 0;
            int total = 0;
            List<String> low = new ArrayList<>();
            for (int i = 0; i < photos.size(); i++) {
                Result r = photos.get(i);
                List<Curve> cs = r.curves().stream().filter(c -> c.variant().equals(v)).toList();
                passes[i] = passesToReach(medianCurve(cs), QualityBench.checkpoints(v.design()), r.iid3000());
                int c0 = 0;
                int t0 = 0;
                for (Curve c : cs) {
                    for (int k = 0; k < c.error().length; k++) {
                        if (!Double.isNaN(c.bound()[k])) {
                            c0 += c.error()[k] <= Math.hypot(c.bound()[k], r.truthError()) ? 1 : 0;
                            t0++;
                        }
                    }
                }
                covered += c0;
                total += t0;
                if (c0 < 0.9 * t0) {
                    low.add(r.subject().name().replace("mobilenet-v2-", ""));
                }
            }
            b.append(String.format(Locale.ROOT, "| %s | %.0f [%.0f–%.0f] | %.2f | %s |%n", v.label(),
                    QualityBench.median(passes), min(passes), max(passes), covered / (double) total,
                    low.isEmpty() ? "none" : String.join(", ", low)));
        }
        return b.append('\n').toString();
    }

    private static int index(int passes) {
        for (int k = 0; k < QualityBench.CHECKPOINTS.length; k++) {
            if (QualityBench.CHECKPOINTS[k] == passes) {
                return k;
            }
        }
        throw new IllegalArgumentException("no checkpoint at " + passes);
    }

    /** The median error over the curves at each checkpoint. */
    static double[] medianCurve(List<Curve> curves) {
        double[] m = new double[QualityBench.CHECKPOINTS.length];
        for (int k = 0; k < m.length; k++) {
            int kk = k;
            m[k] = QualityBench.median(curves.stream().mapToDouble(c -> c.error()[kk]).toArray());
        }
        return m;
    }

    /**
     * The passes at which {@code error} first reaches {@code level}: interpolated in log–log between checkpoints,
     * or, beyond the last one, extrapolated along the 1/√n law that a Monte Carlo error follows.
     */
    static double passesToReach(double[] error, int[] n, double level) {
        if (error[0] <= level) {
            return n[0];
        }
        for (int k = 1; k < n.length; k++) {
            if (error[k] <= level) {
                double t = (Math.log(error[k - 1]) - Math.log(level)) / (Math.log(error[k - 1]) - Math.log(error[k]));
                return Math.exp(Math.log(n[k - 1]) + t * (Math.log(n[k]) - Math.log(n[k - 1])));
            }
        }
        double last = error[n.length - 1];
        return n[n.length - 1] * (last / level) * (last / level);
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    /** Error vs passes, log–log: a panel per subject, a line per design (median) with a min–max band. */
    static void plot(List<Result> results, Path png) throws IOException {
        int pw = 380;
        int ph = 320;
        // at most four panels a row, so a run over many photos stays a picture one can look at
        int cols = Math.min(4, results.size());
        int rows = (results.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(pw * cols, ph * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        Color[] colours = {new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4), new Color(0xFF, 0x7F, 0x0E),
                new Color(0x2C, 0xA0, 0x2C)};
        for (int s = 0; s < results.size(); s++) {
            Result r = results.get(s);
            int x0 = (s % cols) * pw + 55;
            int y0 = (s / cols) * ph + 30;
            int w = pw - 75;
            int h = ph - 80;
            double yMin = Double.POSITIVE_INFINITY;
            double yMax = 0;
            for (Curve c : r.curves()) {
                yMin = Math.min(yMin, min(c.error()));
                yMax = Math.max(yMax, max(c.error()));
            }
            double ly0 = Math.floor(Math.log10(yMin) * 5) / 5;
            double ly1 = Math.ceil(Math.log10(yMax) * 5) / 5;
            double lx0 = Math.log10(100);
            double lx1 = Math.log10(3000);
            Axis ax = new Axis(x0, y0, w, h, lx0, lx1, ly0, ly1);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(r.subject().name(), x0, y0 - 12);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            g.setColor(new Color(0xDD, 0xDD, 0xDD));
            for (int t : new int[] {100, 200, 300, 500, 1000, 2000, 3000}) {
                int x = ax.x(t);
                g.drawLine(x, y0, x, y0 + h);
            }
            for (double v = Math.pow(10, Math.floor(ly0)); v <= Math.pow(10, ly1); v *= 10) {
                for (double m : new double[] {1, 2, 5}) {
                    double y = v * m;
                    if (Math.log10(y) >= ly0 && Math.log10(y) <= ly1) {
                        g.setColor(new Color(0xDD, 0xDD, 0xDD));
                        g.drawLine(x0, ax.y(y), x0 + w, ax.y(y));
                        g.setColor(Color.DARK_GRAY);
                        g.drawString(String.format(Locale.ROOT, "%.2g", y), x0 - 40, ax.y(y) + 4);
                    }
                }
            }
            g.setColor(Color.DARK_GRAY);
            for (int t : new int[] {100, 300, 1000, 3000}) {
                g.drawString(Integer.toString(t), ax.x(t) - 10, y0 + h + 14);
            }
            g.drawString("encoder passes", x0 + w / 2 - 35, y0 + h + 30);
            g.drawRect(x0, y0, w, h);
            // i.i.d. at 3000: the level to match
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
            g.drawLine(x0, ax.y(r.iid3000()), x0 + w, ax.y(r.iid3000()));
            for (int vi = 0; vi < Variant.ALL.size(); vi++) {
                Variant v = Variant.ALL.get(vi);
                List<Curve> cs = r.curves().stream().filter(c -> c.variant().equals(v)).toList();
                int[] n = QualityBench.checkpoints(v.design());
                Color col = colours[vi % colours.length];
                Path2D band = new Path2D.Double();
                Path2D line = new Path2D.Double();
                for (int k = 0; k < n.length; k++) {
                    int kk = k;
                    double[] e = cs.stream().mapToDouble(c -> c.error()[kk]).toArray();
                    if (k == 0) {
                        band.moveTo(ax.x(n[k]), ax.y(max(e)));
                        line.moveTo(ax.x(n[k]), ax.y(QualityBench.median(e)));
                    } else {
                        band.lineTo(ax.x(n[k]), ax.y(max(e)));
                        line.lineTo(ax.x(n[k]), ax.y(QualityBench.median(e)));
                    }
                }
                for (int k = n.length - 1; k >= 0; k--) {
                    int kk = k;
                    band.lineTo(ax.x(n[k]), ax.y(min(cs.stream().mapToDouble(c -> c.error()[kk]).toArray())));
                }
                band.closePath();
                g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 60));
                g.fill(band);
                g.setColor(col);
                g.setStroke(new BasicStroke(2f));
                g.draw(line);
                g.drawString(v.label(), x0 + w - 150, y0 + 15 + 14 * vi);
            }
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    /** Log–log coordinates of one panel. */
    private record Axis(int x0, int y0, int w, int h, double lx0, double lx1, double ly0, double ly1) {
        int x(double v) {
            return x0 + (int) Math.round((Math.log10(v) - lx0) / (lx1 - lx0) * w);
        }

        int y(double v) {
            return y0 + h - (int) Math.round((Math.log10(v) - ly0) / (ly1 - ly0) * h);
        }
    }
}
