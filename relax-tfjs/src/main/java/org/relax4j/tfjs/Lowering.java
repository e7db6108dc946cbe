package org.relax4j.tfjs;

import org.relax4j.tfjs.TfjsGraphModel.Node;

/** How one TensorFlow op becomes ONNX nodes: reads its inputs from the conversion, writes nodes, returns the result. */
@FunctionalInterface
interface Lowering {
    /**
     * @param n the node to convert; its inputs are already converted
     * @param c the conversion in progress (modified: nodes and initializers are added)
     * @return the node's value
     * @throws UnsupportedTfjsOpException if a setting of the op cannot be converted
     */
    Value lower(Node n, Conversion c);
}
