package org.relax4j.tfjs;

/**
 * The TensorFlow.js graph holds an op, or an op configuration, that {@link TfjsToOnnx} does not convert. The
 * message names the op and the node; {@link #op()} and {@link #node()} return them.
 */
public class UnsupportedTfjsOpException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * The TensorFlow op.
     */
    private final String op;
    /**
     * The name of the node that uses it.
     */
    private final String node;

    /**
     * @param op the TensorFlow op, e.g. {@code ResizeBilinear}
     * @param node the name of the node that uses it
     * @param detail what is unsupported, appended to the message
     */
    public UnsupportedTfjsOpException(String op, String node, String detail) {
        super("unsupported TensorFlow op '" + op + "' at node '" + node + "': " + detail);
        this.op = op;
        this.node = node;
    }

    /** {@return the TensorFlow op} */
    public String op() {
        return op;
    }

    /** {@return the name of the node} */
    public String node() {
        return node;
    }
}
