package org.relax4j.tfjs;

import java.util.Arrays;
import org.relax4j.tfjs.TfjsGraphModel.Node;
import org.relax4j.tfjs.TfjsGraphModel.Weight;

/** Broadcasting binary ops (Mul, Sub, Add, Div, Max, Min), with constants permuted to NCHW where needed. */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    /** The lowering of a TensorFlow binary op to the ONNX op {@code onnxOp}. */
    static Lowering binary(String onnxOp) {
        return (n, c) -> {
            Value a = c.in(n, 0);
            Value b = c.in(n, 1);
            if (a.constant != null && b.constant != null) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "both inputs are constants");
            }
            long[] shape = broadcast(n, a.shape, b.shape);
            boolean nchw = a.nchw || b.nchw;
            String an = operand(n, c, a, nchw, shape.length);
            String bn = operand(n, c, b, nchw, shape.length);
            String out = c.onnx.node(onnxOp, n.name()).inputs(an, bn).outputs(n.name()).add();
            return Value.computed(out, shape, nchw);
        };
    }

    /** The ONNX name of an operand of a broadcasting op whose result is NCHW ({@code nchw}) or not. */
    private static String operand(Node n, Conversion c, Value v, boolean nchw, int rank) {
        if (!nchw || v.nchw) {
            return v.constant != null ? c.materialize(v) : v.name;
        }
        if (v.constant == null) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "broadcasting a computed " + v.rank()
                    + "-D value against a 4-D (NHWC) one");
        }
        Weight w = v.constant;
        if (w.size() == 1) {
            return c.materialize(v); // a scalar broadcasts the same in any layout
        }
        if (w.shape().length > 4 || rank != 4) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "constant of shape "
                    + Arrays.toString(w.shape()) + " against a 4-D value");
        }
        long[] nhwc = new long[4];
        Arrays.fill(nhwc, 1);
        System.arraycopy(w.shape(), 0, nhwc, 4 - w.shape().length, w.shape().length);
        String name = w.name() + "#nchw";
        if (!c.onnx.hasInitializer(name)) {
            c.onnx.initializer(name, new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]},
                    Layouts.nhwcToNchw(w.values(), (int) nhwc[0], (int) nhwc[1], (int) nhwc[2], (int) nhwc[3]));
        }
        return name;
    }

    /** NumPy broadcasting of two TensorFlow shapes (-1: unknown). */
    static long[] broadcast(Node n, long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int k = 0; k < rank; k++) {
            int ia = k - (rank - a.length);
            int ib = k - (rank - b.length);
            long da = ia < 0 ? 1 : a[ia];
            long db = ib < 0 ? 1 : b[ib];
            if (da == 1) {
                out[k] = db;
            } else if (db == 1) {
                out[k] = da;
            } else if (da < 0 || db < 0) {
                out[k] = Math.max(da, db);
            } else if (da == db) {
                out[k] = da;
            } else {
                throw new IllegalArgumentException("node '" + n.name() + "' (" + n.op() + "): shapes "
                        + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
        }
        return out;
    }
}
