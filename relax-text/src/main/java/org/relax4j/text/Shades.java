package org.relax4j.text;

/**
 * The colour ramp every text output shades words with: white (least important) through amber to red (most
 * important), so that dark text stays readable on every shade. Stateless.
 */
final class Shades {
    private static final int[][] STOPS = {{255, 255, 255}, {255, 204, 92}, {228, 72, 40}};

    private Shades() {
    }

    /**
     * {@return the colour of shade {@code t} as {r, g, b}, each in [0, 255]}
     *
     * @param t the importance scaled to [0, 1]; clamped
     */
    static int[] rgb(float t) {
        float x = Math.max(0f, Math.min(1f, Float.isNaN(t) ? 0f : t)) * (STOPS.length - 1);
        int k = Math.min((int) x, STOPS.length - 2);
        float f = x - k;
        int[] out = new int[3];
        for (int c = 0; c < 3; c++) {
            out[c] = Math.round(STOPS[k][c] + f * (STOPS[k + 1][c] - STOPS[k][c]));
        }
        return out;
    }

    /**
     * {@return shade {@code t} as CSS, {@code #rrggbb}}
     *
     * @param t the importance scaled to [0, 1]
     */
    static String hex(float t) {
        int[] c = rgb(t);
        return String.format(java.util.Locale.ROOT, "#%02x%02x%02x", c[0], c[1], c[2]);
    }
}
