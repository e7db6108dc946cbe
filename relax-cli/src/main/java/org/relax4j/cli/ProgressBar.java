package org.relax4j.cli;

import java.io.PrintWriter;
import java.time.Duration;
import org.relax4j.Progress;
import org.relax4j.ProgressListener;

/**
 * A one-line progress bar with an ETA and the importance map's current error bound (which, with a target error,
 * tells when the run will stop). On a terminal it redraws in place; elsewhere (a log, CI) it prints a line
 * at every tenth of the work, so logs stay short.
 */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final String label;
    private final boolean terminal;
    private int lastTenth = -1;

    ProgressBar(PrintWriter out, String label, boolean terminal) {
        this.out = out;
        this.label = label;
        this.terminal = terminal;
    }

    @Override
    public void onProgress(Progress p) {
        int filled = (int) Math.round(p.fraction() * WIDTH);
        String line = String.format("%s [%s%s] %d/%d masks %3.0f%%  error %s  elapsed %s  ETA %s", label,
                "#".repeat(filled), " ".repeat(WIDTH - filled), p.masksDone(), p.masksTotal(), 100 * p.fraction(),
                formatError(p.estimatedError()), format(p.elapsed()), format(p.remaining()));
        boolean done = p.masksDone() >= p.masksTotal();
        if (terminal) {
            out.print("\r" + line + (done ? "\n" : ""));
            out.flush();
        } else {
            int tenth = (int) (p.fraction() * 10);
            if (tenth != lastTenth || done) {
                lastTenth = tenth;
                out.println(line);
            }
        }
    }

    /** An error bound as the bar shows it: "≤0.083", or "?" before there is an estimate. */
    static String formatError(double bound) {
        if (Double.isNaN(bound)) {
            return "?";
        }
        return Double.isInfinite(bound) ? "≤∞" : String.format(java.util.Locale.ROOT, "≤%.3f", bound);
    }

    static String format(Duration d) {
        long s = Math.round(d.toMillis() / 1000.0);
        return s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
