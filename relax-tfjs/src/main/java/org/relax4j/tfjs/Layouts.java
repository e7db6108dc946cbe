package org.relax4j.tfjs;

/**
 * Loops that rearrange row-major float arrays between TensorFlow's and ONNX's layouts. Shapes are checked by the
 * callers; these only loop.
 */
final class Layouts {
    private Layouts() {
    }

    /** {@code [n, h, w, c]} → {@code [n, c, h, w]}: {@code out[b][ch][i][j] = in[b][i][j][ch]}. */
    static float[] nhwcToNchw(float[] in, int n, int h, int w, int c) {
        float[] out = new float[in.length];
        int plane = h * w;
        for (int b = 0; b < n; b++) {
            int base = b * plane * c;
            for (int p = 0; p < plane; p++) {
                int src = base + p * c;
                for (int ch = 0; ch < c; ch++) {
                    out[base + ch * plane + p] = in[src + ch];
                }
            }
        }
        return out;
    }

    /** Conv2D filter HWIO {@code [kh, kw, ci, co]} → OIHW {@code [co, ci, kh, kw]}. */
    static float[] hwioToOihw(float[] in, int kh, int kw, int ci, int co) {
        float[] out = new float[in.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < ci; i++) {
                    int src = ((y * kw + x) * ci + i) * co;
                    for (int o = 0; o < co; o++) {
                        out[((o * ci + i) * kh + y) * kw + x] = in[src + o];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Depthwise filter HWCM {@code [kh, kw, c, m]} → {@code [c·m, 1, kh, kw]}: output channel {@code ch·m + k} reads
     * input channel {@code ch}, as ONNX Conv with {@code group = c} expects.
     */
    static float[] hwcmToDepthwise(float[] in, int kh, int kw, int c, int m) {
        float[] out = new float[in.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int ch = 0; ch < c; ch++) {
                    int src = ((y * kw + x) * c + ch) * m;
                    for (int k = 0; k < m; k++) {
                        out[((ch * m + k) * kh + y) * kw + x] = in[src + k];
                    }
                }
            }
        }
        return out;
    }

    /** {@code [rows, cols]} → {@code [cols, rows]}. */
    static float[] transpose2d(float[] in, int rows, int cols) {
        float[] out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = in[r * cols + c];
            }
        }
        return out;
    }
}
