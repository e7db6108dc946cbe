package org.relax4j.tfjs;

import java.util.Arrays;
import org.relax4j.tfjs.TfjsGraphModel.Node;
import org.relax4j.tfjs.TfjsGraphModel.Weight;

/**
 * Ops that name axes: Mean, Squeeze, Softmax. Axes are remapped through {@link Value}, and a result whose axis order
 * would differ from TensorFlow's is transposed back, so every result has TensorFlow's shape.
 */
final class AxisOps {
    private AxisOps() {
    }

    static Value mean(Node n, Conversion c) {
        Value x = c.activation(n, 0);
        Weight axesWeight = c.constantInput(n, 1, "the reduction axes");
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (float a : axesWeight.values()) {
            int axis = (int) a < 0 ? (int) a + rank : (int) a;
            if (axis < 0 || axis >= rank) {
                throw new IllegalArgumentException("node '" + n.name() + "': axis " + (int) a
                        + " out of range for rank " + rank);
            }
            reduced[axis] = true;
        }
        boolean keep = n.attrBool("keep_dims", false);
        long[] onnxAxes = x.onnxAxes(reduced);
        if (keep) {
            String y = c.onnx.node("ReduceMean", n.name()).inputs(x.name).outputs(n.name())
                    .attr("axes", onnxAxes).attr("keepdims", 1L).add();
            long[] shape = x.shape.clone();
            for (int k = 0; k < rank; k++) {
                if (reduced[k]) {
                    shape[k] = 1;
                }
            }
            return Value.computed(y, shape, x.nchw);
        }
        long[] perm = x.restoringPermutation(reduced);
        String target = perm == null ? n.name() : n.name() + "#reduced";
        String y = c.onnx.node("ReduceMean", target).inputs(x.name).outputs(target)
                .attr("axes", onnxAxes).attr("keepdims", 0L).add();
        return dropAxes(n, c, x, reduced, y, perm);
    }

    static Value squeeze(Node n, Conversion c) {
        Value x = c.activation(n, 0);
        int rank = x.rank();
        long[] dims = n.attrInts("squeeze_dims", n.attrInts("axis", new long[0]));
        boolean[] reduced = new boolean[rank];
        if (dims.length == 0) {
            for (int k = 0; k < rank; k++) {
                if (x.shape[k] < 0) {
                    throw new UnsupportedTfjsOpException(n.op(), n.name(), "squeezing all size-1 dimensions of "
                            + "a value of partly unknown shape " + Arrays.toString(x.shape));
                }
                reduced[k] = x.shape[k] == 1;
            }
        }
        for (long d : dims) {
            int axis = (int) (d < 0 ? d + rank : d);
            if (axis < 0 || axis >= rank) {
                throw new IllegalArgumentException("node '" + n.name() + "': squeeze axis " + d
                        + " out of range for rank " + rank);
            }
            if (x.shape[axis] > 1) {
                throw new IllegalArgumentException("node '" + n.name() + "': cannot squeeze axis " + d
                        + " of size " + x.shape[axis]);
            }
            reduced[axis] = true;
        }
        String axesName = c.onnx.initializerInt64(n.name() + "#axes", new long[] {Value.countTrue(reduced)},
                x.onnxAxes(reduced));
        long[] perm = x.restoringPermutation(reduced);
        String target = perm == null ? n.name() : n.name() + "#squeezed";
        String y = c.onnx.node("Squeeze", target).inputs(x.name, axesName).outputs(target).add();
        return dropAxes(n, c, x, reduced, y, perm);
    }

    /** Softmax over TensorFlow's last axis (C of an NHWC image, axis 1 of its NCHW storage). */
    static Value softmax(Node n, Conversion c) {
        Value x = c.activation(n, 0);
        long axis = x.nchw ? 1 : -1;
        String y = c.onnx.node("Softmax", n.name()).inputs(x.name).outputs(n.name()).attr("axis", axis).add();
        return Value.computed(y, x.shape, x.nchw);
    }

    /** The value left after removing the flagged axes of {@code x} ({@code y}), transposed by {@code perm}. */
    private static Value dropAxes(Node n, Conversion c, Value x, boolean[] removed, String y, long[] perm) {
        int rank = x.rank();
        int kept = rank - Value.countTrue(removed);
        long[] shape = new long[kept];
        int i = 0;
        for (int k = 0; k < rank; k++) {
            if (!removed[k]) {
                shape[i++] = x.shape[k];
            }
        }
        boolean nchw = x.nchw && kept == 4;
        if (perm == null) {
            return Value.computed(y, shape, nchw);
        }
        String out = c.onnx.node("Transpose", n.name()).inputs(y).outputs(n.name()).attr("perm", perm).add();
        return Value.computed(out, shape, false);
    }
}
