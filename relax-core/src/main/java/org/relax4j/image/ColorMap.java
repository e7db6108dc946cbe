package org.relax4j.image;

/**
 * Colour maps for {@link Heatmaps}: a value {@code t} in [0, 1] (clamped) to a 24-bit RGB colour.
 */
public enum ColorMap {
    /**
     * Perceptually uniform dark violet → blue → green → yellow (matplotlib's default), readable in grey and by
     * most colour-blind viewers; linear interpolation between nine anchor colours of the scale.
     */
    VIRIDIS {
        @Override
        public int rgb(float t) {
            float x = clamp(t) * (VIRIDIS_ANCHORS.length - 1);
            int k = Math.min((int) x, VIRIDIS_ANCHORS.length - 2);
            float f = x - k;
            int a = VIRIDIS_ANCHORS[k];
            int b = VIRIDIS_ANCHORS[k + 1];
            return (mix(a >> 16, b >> 16, f) << 16) | (mix(a >> 8, b >> 8, f) << 8) | mix(a, b, f);
        }
    },
    /**
     * The classic "jet" ramp, dark blue → blue → cyan → yellow → red → dark red, piecewise linear in each channel:
     * {@code r = clamp(1.5 − |4t − 3|)}, {@code g = clamp(1.5 − |4t − 2|)}, {@code b = clamp(1.5 − |4t − 1|)}.
     */
    JET {
        @Override
        public int rgb(float t) {
            float x = clamp(t);
            float r = clamp(1.5f - Math.abs(4f * x - 3f));
            float g = clamp(1.5f - Math.abs(4f * x - 2f));
            float b = clamp(1.5f - Math.abs(4f * x - 1f));
            return (Math.round(r * 255) << 16) | (Math.round(g * 255) << 8) | Math.round(b * 255);
        }
    };

    /** Viridis at t = 0, 1/8, ..., 1. */
    private static final int[] VIRIDIS_ANCHORS = {
        0x440154, 0x472C7A, 0x3B518B, 0x2C718E, 0x21908D, 0x27AD81, 0x5CC863, 0xAADC32, 0xFDE725,
    };

    /**
     * The colour of {@code t}.
     *
     * @param t a position on the scale, clamped to [0, 1]
     * @return the colour as {@code 0xRRGGBB}
     */
    public abstract int rgb(float t);

    private static float clamp(float v) {
        return Float.isNaN(v) ? 0f : Math.min(Math.max(v, 0f), 1f);
    }

    private static int mix(int a, int b, float f) {
        int x = a & 0xFF;
        int y = b & 0xFF;
        return Math.round(x + (y - x) * f);
    }
}
