package org.relax4j.estimate;

/** Quantiles of the distributions the error estimate needs, to about 1 % (ample for a confidence bound). */
final class Quantiles {
    private Quantiles() {
    }

    /** The standard normal distribution function, from erfc (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
    static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erfc = poly * Math.exp(-x * x);
        return z >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /** The standard normal quantile, by bisection on {@link #normalCdf}. */
    static double normal(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("probability must be in (0, 1), got " + p);
        }
        double lo = -40;
        double hi = 40;
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (normalCdf(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /**
     * The p-quantile of Snedecor's F(d1, d2), by Paulson's normal approximation of F^(1/3) (the Wilson–Hilferty
     * cube-root transform applied to both chi-squares), solved by bisection in log f.
     */
    static double f(double p, double d1, double d2) {
        double z = normal(p);
        double a1 = 2 / (9 * d1);
        double a2 = 2 / (9 * d2);
        double lo = Math.log(1e-12);
        double hi = Math.log(1e12);
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            double c = Math.exp(mid / 3);
            double zMid = ((1 - a2) * c - (1 - a1)) / Math.sqrt(a2 * c * c + a1);
            if (zMid < z) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp((lo + hi) / 2);
    }
}
