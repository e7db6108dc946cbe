package org.relax4j.tfjs;

import java.util.Arrays;
import org.relax4j.tfjs.TfjsGraphModel.Weight;

/**
 * A converted tensor and the layout it is stored in: its ONNX name, its shape in TensorFlow's (NHWC) terms, whether a
 * 4-D value is stored NCHW in the ONNX graph, and, for a constant, its weight (written as an initializer only when
 * an op needs it as is). The axis mapping between the two layouts lives here and nowhere else. Immutable.
 */
final class Value {
    /** TensorFlow NHWC axis → ONNX NCHW axis. */
    static final int[] NHWC_TO_NCHW_AXIS = {0, 2, 3, 1};

    final String name;
    final long[] shape;
    final boolean nchw;
    final Weight constant;

    Value(String name, long[] shape, boolean nchw, Weight constant) {
        this.name = name;
        this.shape = shape;
        this.nchw = nchw;
        this.constant = constant;
    }

    /** A computed (not constant) value. */
    static Value computed(String name, long[] shape, boolean nchw) {
        return new Value(name, shape, nchw, null);
    }

    int rank() {
        return shape.length;
    }

    /** The ONNX axis holding TensorFlow axis {@code tfAxis} of this value. */
    int onnxAxis(int tfAxis) {
        return nchw ? NHWC_TO_NCHW_AXIS[tfAxis] : tfAxis;
    }

    /** The ONNX axes (sorted) that correspond to the flagged TensorFlow axes. */
    long[] onnxAxes(boolean[] tfAxes) {
        long[] out = new long[countTrue(tfAxes)];
        int i = 0;
        for (int k = 0; k < tfAxes.length; k++) {
            if (tfAxes[k]) {
                out[i++] = onnxAxis(k);
            }
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * For an ONNX op that removes the flagged TensorFlow axes of this NCHW-stored value: the permutation that brings
     * the kept axes back into TensorFlow's order, or null when they are already in it (always so for a value not
     * stored NCHW, or when nothing is removed).
     */
    long[] restoringPermutation(boolean[] removed) {
        int kept = rank() - countTrue(removed);
        if (!nchw || kept == 4) {
            return null;
        }
        int[] tfOfOnnx = new int[kept]; // the TF axis held at each ONNX position of the result
        int p = 0;
        for (int onnxAxis = 0; onnxAxis < 4; onnxAxis++) {
            int tfAxis = indexOf(NHWC_TO_NCHW_AXIS, onnxAxis);
            if (!removed[tfAxis]) {
                tfOfOnnx[p++] = tfAxis;
            }
        }
        int[] sorted = tfOfOnnx.clone();
        Arrays.sort(sorted);
        if (Arrays.equals(sorted, tfOfOnnx)) {
            return null;
        }
        long[] perm = new long[kept];
        for (int t = 0; t < kept; t++) {
            perm[t] = indexOf(tfOfOnnx, sorted[t]);
        }
        return perm;
    }

    static int countTrue(boolean[] flags) {
        int c = 0;
        for (boolean f : flags) {
            if (f) {
                c++;
            }
        }
        return c;
    }

    private static int indexOf(int[] a, int v) {
        for (int k = 0; k < a.length; k++) {
            if (a[k] == v) {
                return k;
            }
        }
        return -1;
    }
}
