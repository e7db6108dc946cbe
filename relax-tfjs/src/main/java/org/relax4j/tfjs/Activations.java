package org.relax4j.tfjs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The element-wise activations, by TensorFlow op name: the one list for both standalone activation ops and the
 * activations fused into {@code _FusedConv2D}, {@code FusedDepthwiseConv2dNative} and {@code _FusedMatMul}.
 */
final class Activations {
    private Activations() {
    }

    /** TensorFlow name → ONNX emission. Relu6 is a Clip with min 0 and max 6 as inputs. */
    static final Map<String, Activation> BY_NAME;

    static {
        Map<String, Activation> m = new LinkedHashMap<>();
        m.put("Relu", (n, c, in, out) -> c.onnx.node("Relu", out).inputs(in).outputs(out).add());
        m.put("Relu6", (n, c, in, out) -> {
            String[] bounds = c.clipBounds();
            return c.onnx.node("Clip", out).inputs(in, bounds[0], bounds[1]).outputs(out).add();
        });
        m.put("Elu", (n, c, in, out) -> c.onnx.node("Elu", out).inputs(in).outputs(out).attr("alpha", 1f).add());
        m.put("LeakyRelu", (n, c, in, out) -> c.onnx.node("LeakyRelu", out).inputs(in).outputs(out)
                .attr("alpha", (float) n.attrFloat("leakyrelu_alpha", n.attrFloat("alpha", 0.2))).add());
        m.put("Sigmoid", (n, c, in, out) -> c.onnx.node("Sigmoid", out).inputs(in).outputs(out).add());
        m.put("Tanh", (n, c, in, out) -> c.onnx.node("Tanh", out).inputs(in).outputs(out).add());
        BY_NAME = Collections.unmodifiableMap(m);
    }

    /** The standalone op: the activation of its one computed input, in the input's layout. */
    static Lowering standalone(Activation a) {
        return (n, c) -> {
            Value x = c.activation(n, 0);
            return Value.computed(a.emit(n, c, x.name, n.name()), x.shape, x.nchw);
        };
    }
}
