package org.relax4j.tfjs;

import org.relax4j.tfjs.TfjsGraphModel.Node;

/** An element-wise activation, usable standalone and as the fused activation of a conv or matmul. */
@FunctionalInterface
interface Activation {
    /**
     * Writes the activation of {@code input} as {@code output}.
     *
     * @param n the node whose activation this is (its attributes, e.g. LeakyRelu's alpha, are read)
     * @return the ONNX name of the result
     */
    String emit(Node n, Conversion c, String input, String output);
}
