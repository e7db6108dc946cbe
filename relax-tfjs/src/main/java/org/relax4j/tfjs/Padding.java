package org.relax4j.tfjs;

import java.util.Arrays;
import org.relax4j.tfjs.TfjsGraphModel.Node;

/**
 * TensorFlow's padding of convolutions and pools, as ONNX {@code pads} or {@code auto_pad}. {@code SAME} pads
 * {@code max((out−1)·s + (k−1)·d + 1 − in, 0)} in total, the odd element at the end ({@code out = ⌈in / s⌉}); it is
 * written as explicit {@code pads} when the spatial size is known and as {@code auto_pad = SAME_UPPER} otherwise,
 * which is the same rule. {@code VALID} pads nothing; {@code EXPLICIT} takes {@code explicit_paddings}.
 */
final class Padding {
    private Padding() {
    }

    /**
     * Sets pads or auto_pad on {@code node} and fills the output's H and W ({@code out[1]}, {@code out[2]}, NHWC)
     * where known.
     */
    static void apply(Node n, OnnxModelBuilder.Node node, long[] in, long[] kernel, long[] strides, long[] dilations,
                      long[] out) {
        String padding = n.attrString("padding", "VALID");
        long[] pads = new long[4]; // top, left, bottom, right
        boolean auto = false;
        for (int k = 0; k < 2; k++) {
            long size = in[1 + k];
            long effective = (kernel[k] - 1) * dilations[k] + 1;
            switch (padding) {
                case "SAME": {
                    if (size < 0) {
                        auto = true;
                        out[1 + k] = -1;
                        break;
                    }
                    long o = (size + strides[k] - 1) / strides[k];
                    long total = Math.max((o - 1) * strides[k] + effective - size, 0);
                    pads[k] = total / 2;
                    pads[k + 2] = total - total / 2;
                    out[1 + k] = o;
                    break;
                }
                case "VALID":
                    out[1 + k] = size < 0 ? -1 : (size - effective) / strides[k] + 1;
                    break;
                case "EXPLICIT": {
                    long[] e = n.attrInts("explicit_paddings", new long[0]);
                    if (e.length != 8) {
                        throw new UnsupportedTfjsOpException(n.op(), n.name(), "explicit_paddings "
                                + Arrays.toString(e));
                    }
                    pads[k] = e[2 + 2 * k];
                    pads[k + 2] = e[3 + 2 * k];
                    out[1 + k] = size < 0 ? -1 : (size + pads[k] + pads[k + 2] - effective) / strides[k] + 1;
                    break;
                }
                default:
                    throw new UnsupportedTfjsOpException(n.op(), n.name(), "padding '" + padding + "'");
            }
            if (out[1 + k] == 0 || (out[1 + k] < 0 && size >= 0)) {
                throw new IllegalArgumentException("node '" + n.name() + "': kernel " + Arrays.toString(kernel)
                        + " does not fit input " + Arrays.toString(in));
            }
        }
        if (auto) {
            node.attr("auto_pad", "SAME_UPPER");
        } else {
            node.attr("pads", pads);
        }
    }

    /** The H and W entries of an NHWC {@code [1, h, w, 1]} list attribute (default 1). */
    static long[] spatial(Node n, String key) {
        long[] v = n.attrInts(key, new long[] {1, 1, 1, 1});
        if (v.length == 0) {
            return new long[] {1, 1};
        }
        if (v.length != 4 || v[0] != 1 || v[3] != 1) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), key + " " + Arrays.toString(v)
                    + "; expected [1, h, w, 1]");
        }
        return new long[] {v[1], v[2]};
    }
}
