package org.relax4j.tfjs;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.relax4j.tfjs.TfjsGraphModel.Node;
import org.relax4j.tfjs.TfjsGraphModel.Weight;

/**
 * One conversion in progress: the ONNX model being written, the converted value of every node so far, the graph's
 * input, and the helpers every {@link Lowering} shares (reading inputs, requiring constants, the NHWC checks). Not
 * thread safe.
 */
final class Conversion {
    final TfjsGraphModel model;
    final OnnxModelBuilder onnx = new OnnxModelBuilder("tfjs");
    private final Map<String, Value> values = new HashMap<>();
    private String inputName;
    private long[] inputShape;
    private String clipMin;
    private String clipMax;
    /** A 4-D input is declared NCHW (no input transpose); else NHWC, as TensorFlow declares it. */
    final boolean channelsFirst;

    Conversion(TfjsGraphModel model, boolean channelsFirst) {
        this.model = model;
        this.channelsFirst = channelsFirst;
    }

    void put(String node, Value v) {
        values.put(node, v);
    }

    Value get(String node) {
        return values.get(node);
    }

    String inputName() {
        return inputName;
    }

    long[] inputShape() {
        return inputShape;
    }

    /** Records the graph's one input and its ONNX shape; a second one is refused. */
    void setInput(Node n, long[] shape) {
        if (inputName != null) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "a second input (the first is '" + inputName
                    + "'); only single-input graphs are supported");
        }
        inputName = n.name();
        inputShape = shape;
    }

    /** The shared scalar initializers of Relu6's Clip, created on first use. */
    String[] clipBounds() {
        if (clipMin == null) {
            clipMin = onnx.initializer("#clip_min_0", new long[0], new float[] {0f});
            clipMax = onnx.initializer("#clip_max_6", new long[0], new float[] {6f});
        }
        return new String[] {clipMin, clipMax};
    }

    /** Input {@code index} of {@code n}, converted. */
    Value in(Node n, int index) {
        List<String> inputs = n.dataInputs();
        if (index >= inputs.size()) {
            throw new IllegalArgumentException("node '" + n.name() + "' (" + n.op() + ") has " + inputs.size()
                    + " inputs, needs at least " + (index + 1));
        }
        return values.get(TfjsToOnnx.stripOutputIndex(inputs.get(index), n));
    }

    /** A non-constant input. */
    Value activation(Node n, int index) {
        Value v = in(n, index);
        if (v.constant != null) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "input " + index + " is a constant ('"
                    + v.name + "'); constant folding is not supported");
        }
        return v;
    }

    /** A constant input's weight. */
    Weight constantInput(Node n, int index, String role) {
        Value v = in(n, index);
        if (v.constant == null) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), role + " (input " + index + ", '" + v.name
                    + "') is computed, not a constant");
        }
        return v.constant;
    }

    /** The constant as an initializer under its own name (written once). */
    String materialize(Value v) {
        if (!onnx.hasInitializer(v.name)) {
            onnx.initializer(v.name, v.shape, v.constant.values());
        }
        return v.name;
    }

    /** An initializer {@code name} with these values, unless already written. */
    String initializerOnce(String name, long[] shape, float[] values) {
        if (!onnx.hasInitializer(name)) {
            onnx.initializer(name, shape, values);
        }
        return name;
    }

    /**
     * The checks of an op that works on images: its {@code data_format} is NHWC (the default), and its input is a 4-D
     * value, which the converter stores NCHW.
     */
    static void requireNhwcImage(Node n, Value x) {
        String format = n.attrString("data_format", "NHWC");
        if (!"NHWC".equals(format)) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "data_format " + format + "; only NHWC");
        }
        if (x != null && !x.nchw) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "input of shape " + Arrays.toString(x.shape)
                    + "; only 4-D NHWC inputs");
        }
    }

    /** The {@code type} of a {@code {"type": ...}} attribute, or null. */
    static String typeAttr(Node n, String key) {
        Object v = n.attr().get(key);
        if (v instanceof Map<?, ?> m && m.get("type") instanceof String s) {
            return s;
        }
        return null;
    }
}
