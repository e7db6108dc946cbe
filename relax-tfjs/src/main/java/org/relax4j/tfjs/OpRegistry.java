package org.relax4j.tfjs;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.relax4j.tfjs.TfjsGraphModel.Node;
import org.relax4j.tfjs.TfjsGraphModel.Weight;

/**
 * The one list of the TensorFlow ops {@link TfjsToOnnx} converts: op name → {@link Lowering}. Adding an op means
 * adding it here (and its case to {@code OpLoweringTest}, which runs every registered op in ONNX Runtime against a
 * direct computation and fails for an op without a case).
 */
final class OpRegistry {
    private OpRegistry() {
    }

    /** Op name → lowering, sorted by name. */
    static final Map<String, Lowering> LOWERINGS;

    static {
        Map<String, Lowering> m = new TreeMap<>();
        m.put("Placeholder", OpRegistry::placeholder);
        m.put("Const", OpRegistry::constant);
        m.put("Identity", (n, c) -> c.in(n, 0));
        m.put("Mul", ElementwiseOps.binary("Mul"));
        m.put("Sub", ElementwiseOps.binary("Sub"));
        m.put("Add", ElementwiseOps.binary("Add"));
        m.put("AddV2", ElementwiseOps.binary("Add"));
        m.put("RealDiv", ElementwiseOps.binary("Div"));
        m.put("Maximum", ElementwiseOps.binary("Max"));
        m.put("Minimum", ElementwiseOps.binary("Min"));
        m.put("Conv2D", ImageOps.conv(false));
        m.put("_FusedConv2D", ImageOps.conv(false));
        m.put("DepthwiseConv2dNative", ImageOps.conv(true));
        m.put("FusedDepthwiseConv2dNative", ImageOps.conv(true));
        m.put("BiasAdd", ImageOps::biasAdd);
        m.put("AvgPool", ImageOps::pool);
        m.put("MaxPool", ImageOps::pool);
        m.put("Mean", AxisOps::mean);
        m.put("Squeeze", AxisOps::squeeze);
        m.put("Softmax", AxisOps::softmax);
        m.put("MatMul", DenseOps::matMul);
        m.put("_FusedMatMul", DenseOps::matMul);
        for (Map.Entry<String, Activation> a : Activations.BY_NAME.entrySet()) {
            m.put(a.getKey(), Activations.standalone(a.getValue()));
        }
        LOWERINGS = Collections.unmodifiableMap(m);
    }

    /**
     * The graph's one float input. 4-D: NHWC outside and transposed once to NCHW inside, or, converted channels-first,
     * declared NCHW and used as it is.
     */
    private static Value placeholder(Node n, Conversion c) {
        String dtype = Conversion.typeAttr(n, "dtype");
        if (dtype != null && !"DT_FLOAT".equals(dtype)) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "input dtype " + dtype + "; only DT_FLOAT");
        }
        if (c.inputName() != null) {
            c.setInput(n, null); // throws, naming the first input
        }
        long[] shape = n.attrShape("shape");
        if (shape == null) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "input of unknown rank");
        }
        if (shape.length == 4 && c.channelsFirst) {
            long[] nchw = {shape[0], shape[3], shape[1], shape[2]};
            c.setInput(n, nchw);
            c.onnx.input(n.name(), OnnxModelBuilder.FLOAT, nchw);
            return Value.computed(n.name(), shape, true); // a Value's shape is TensorFlow's; its data NCHW
        }
        c.setInput(n, shape);
        c.onnx.input(n.name(), OnnxModelBuilder.FLOAT, shape);
        if (shape.length == 4) {
            String t = c.onnx.node("Transpose", n.name() + "#to_nchw").inputs(n.name())
                    .outputs(n.name() + "#nchw").attr("perm", new long[] {0, 3, 1, 2}).add();
            return Value.computed(t, shape, true);
        }
        return Value.computed(n.name(), shape, false);
    }

    /** A weight: kept as a constant value, written as an initializer only where an op takes it as is. */
    private static Value constant(Node n, Conversion c) {
        Weight w = c.model.weight(n.name());
        if (w == null) {
            throw new IllegalArgumentException("Const node '" + n.name()
                    + "' has no weight of that name in the weights manifest");
        }
        return new Value(n.name(), w.shape(), false, w);
    }
}
