package org.relax4j.tfjs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.relax4j.tfjs.TfjsGraphModel.Node;

/**
 * Converts a TensorFlow.js graph model (NHWC) into an ONNX model (ir_version 8, opset 13) that computes one chosen
 * node.
 *
 * <p><b>Layout.</b> By default the ONNX model keeps the TensorFlow interface: a 4-D input stays NHWC (e.g.
 * {@code [N, 224, 224, 3]} with {@code N} dynamic) and is transposed once to NCHW; converted channels-first
 * ({@link #convert(TfjsGraphModel, String, boolean)}) it is declared NCHW ({@code [N, 3, 224, 224]}) and used as it
 * is, for callers whose data is NCHW already (no transpose on either side). Every 4-D activation inside is NCHW so
 * that ONNX {@code Conv} and pooling apply. Filters are rearranged when converting: Conv2D HWIO →
 * OIHW; depthwise HWCM → {@code [C·M, 1, h, w]} with {@code group = C}. Constants that broadcast against a
 * 4-D activation are permuted to NCHW. Axes of reductions, squeezes and softmax are remapped, and a result
 * whose axis order would differ from TensorFlow's is transposed back, so every output has TensorFlow's shape.
 *
 * <p><b>Padding.</b> TensorFlow's {@code SAME} pads {@code max((out−1)·s + (k−1)·d + 1 − in, 0)} in total, the
 * odd element at the end ({@code out = ⌈in / s⌉}); it is written as explicit {@code pads} when the spatial
 * size is known and as {@code auto_pad = SAME_UPPER} otherwise, which is the same rule.
 *
 * <p><b>Ops.</b> {@link #SUPPORTED_OPS}, from one registry ({@code OpRegistry}: op name → lowering): inputs and
 * constants, broadcasting arithmetic ({@code ElementwiseOps}), convolutions, BiasAdd and pools ({@code ImageOps},
 * padding in {@code Padding}), Mean, Squeeze and Softmax ({@code AxisOps}), MatMul ({@code DenseOps}), and the
 * activations ({@code Activations}: Relu, Relu6 → Clip, Elu, LeakyRelu, Sigmoid, Tanh), each usable standalone and
 * fused after a BiasAdd into a conv or matmul. Only the nodes the requested output depends on are converted; any
 * other op among them raises an {@link UnsupportedTfjsOpException} naming the op and the node.
 *
 * <p><b>Names.</b> ONNX values keep the TensorFlow node names; values the converter adds (transposed inputs,
 * rearranged filters, pre-activation results) get a {@code #suffix}, which no TensorFlow name can contain.
 *
 * <p>Stateless; safe to call from several threads.
 */
public final class TfjsToOnnx {

    /** Producer name written into the model. */
    public static final String PRODUCER = "relax4j-tfjs-to-onnx";

    /**
     * The converter's output version, written as the model's producer version. Bump it whenever the converter writes
     * a different model for the same graph: it also names cached conversions (e.g.
     * {@code PretrainedModels.MOBILENET_V2_FILE}), so a cache filled by an older converter is not reused.
     */
    public static final int VERSION = 1;

    /** The ops this converter handles, sorted: the keys of its op registry, the only list of them. */
    public static final Set<String> SUPPORTED_OPS = Collections.unmodifiableSet(new TreeSet<>(OpRegistry.LOWERINGS.keySet()));

    /**
     * A converted model.
     *
     * @param onnx the serialised ONNX model
     * @param inputName the ONNX input's name (the TensorFlow placeholder's)
     * @param inputShape the ONNX input's shape: TensorFlow's layout, or NCHW when converted channels-first; -1 for a
     *     dynamic dimension
     * @param outputName the ONNX output's name: the requested node's, or with the suffix {@code #nhwc} when the node's
     *     own result is a 4-D value transposed back to NHWC
     * @param outputShape the output's shape in TensorFlow's layout; -1 where unknown
     * @param convertedOps how many nodes of each TensorFlow op were converted, sorted by op name
     * @param onnxNodes number of ONNX nodes written
     */
    public record Result(byte[] onnx, String inputName, long[] inputShape, String outputName, long[] outputShape,
                         Map<String, Integer> convertedOps, int onnxNodes) {
    }

    private TfjsToOnnx() {
    }

    /**
     * Converts the part of {@code model} that computes {@code outputNode}.
     *
     * @param model the TensorFlow.js graph model. Not modified.
     * @param outputNode the name of the node whose (first) output becomes the ONNX model's output
     * @return the ONNX model and what was converted
     * @throws IllegalArgumentException if the node does not exist, the graph is malformed, or the part to convert
     *     has no single float placeholder
     * @throws UnsupportedTfjsOpException if an op, or one of its settings, cannot be converted
     */
    public static Result convert(TfjsGraphModel model, String outputNode) {
        return convert(model, outputNode, false);
    }

    /**
     * Converts the part of {@code model} that computes {@code outputNode}, a 4-D input declared NCHW when
     * {@code channelsFirst}. The model computes the same values either way; only the input's axis order differs.
     *
     * @param model the TensorFlow.js graph model. Not modified.
     * @param outputNode the name of the node whose (first) output becomes the ONNX model's output
     * @param channelsFirst declare a 4-D input NCHW instead of TensorFlow's NHWC
     * @return the ONNX model and what was converted
     * @throws IllegalArgumentException as {@link #convert(TfjsGraphModel, String)}
     * @throws UnsupportedTfjsOpException as {@link #convert(TfjsGraphModel, String)}
     */
    public static Result convert(TfjsGraphModel model, String outputNode, boolean channelsFirst) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(outputNode, "outputNode");
        String out = stripOutputIndex(outputNode, null);
        if (model.node(out) == null) {
            throw new IllegalArgumentException("no node named '" + outputNode + "' in the graph; nodes that no other"
                    + " node consumes: " + sinks(model));
        }
        return new Converter(model, channelsFirst).run(out);
    }

    /** Nodes that no other node takes as input, in file order. */
    static List<String> sinks(TfjsGraphModel model) {
        Set<String> consumed = new HashSet<>();
        for (Node n : model.nodes().values()) {
            for (String in : n.dataInputs()) {
                consumed.add(stripOutputIndex(in, n));
            }
        }
        List<String> out = new ArrayList<>();
        for (String name : model.nodes().keySet()) {
            if (!consumed.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    static String stripOutputIndex(String ref, Node user) {
        int colon = ref.lastIndexOf(':');
        if (colon < 0) {
            return ref;
        }
        String index = ref.substring(colon + 1);
        if (!index.chars().allMatch(Character::isDigit) || index.isEmpty()) {
            return ref;
        }
        if (Integer.parseInt(index) != 0) {
            String op = user == null ? "?" : user.op();
            throw new UnsupportedTfjsOpException(op, user == null ? ref : user.name(),
                    "input '" + ref + "' selects output " + index + "; only first outputs are supported");
        }
        return ref.substring(0, colon);
    }

    /** One conversion: the traversal; the lowerings are {@link OpRegistry}'s. Not thread safe. */
    private static final class Converter {
        private final TfjsGraphModel model;
        private final Conversion conversion;
        private final Map<String, Integer> counts = new TreeMap<>();

        Converter(TfjsGraphModel model, boolean channelsFirst) {
            this.model = model;
            this.conversion = new Conversion(model, channelsFirst);
        }

        Result run(String outputNode) {
            for (Node n : order(outputNode)) {
                Lowering lowering = OpRegistry.LOWERINGS.get(n.op());
                if (lowering == null) {
                    throw new UnsupportedTfjsOpException(n.op(), n.name(), "no conversion to ONNX; supported ops: "
                            + SUPPORTED_OPS);
                }
                conversion.put(n.name(), lowering.lower(n, conversion));
                counts.merge(n.op(), 1, Integer::sum);
            }
            if (conversion.inputName() == null) {
                throw new IllegalArgumentException("node '" + outputNode + "' does not depend on any Placeholder");
            }
            OnnxModelBuilder onnx = conversion.onnx;
            Value v = conversion.get(outputNode);
            String name = v.name;
            if (v.constant != null) {
                name = conversion.materialize(v);
            }
            if (v.nchw) {
                // The op's own (NCHW) result may already carry the node's name; the NHWC output then gets a suffix.
                String target = name.equals(outputNode) ? outputNode + "#nhwc" : outputNode;
                name = onnx.node("Transpose", outputNode + "#to_nhwc").inputs(name).outputs(target)
                        .attr("perm", new long[] {0, 2, 3, 1}).add();
            } else if (!name.equals(outputNode)) {
                name = onnx.node("Identity", outputNode + "#identity").inputs(name).outputs(outputNode).add();
            }
            onnx.output(name, OnnxModelBuilder.FLOAT, v.shape);
            byte[] bytes = onnx.toBytes(PRODUCER, String.valueOf(VERSION));
            return new Result(bytes, conversion.inputName(), conversion.inputShape().clone(), name, v.shape.clone(),
                    Collections.unmodifiableMap(counts), onnx.nodeCount());
        }

        /** The nodes {@code output} depends on, in an order where inputs come first (iterative depth-first). */
        private List<Node> order(String output) {
            List<Node> ordered = new ArrayList<>();
            Set<String> done = new HashSet<>();
            Set<String> onStack = new LinkedHashSet<>();
            Deque<Object[]> stack = new ArrayDeque<>();
            stack.push(new Object[] {model.node(output), 0});
            onStack.add(output);
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Node n = (Node) top[0];
                List<String> inputs = n.dataInputs();
                int next = (Integer) top[1];
                if (next < inputs.size()) {
                    top[1] = next + 1;
                    String in = stripOutputIndex(inputs.get(next), n);
                    if (done.contains(in)) {
                        continue;
                    }
                    if (onStack.contains(in)) {
                        throw new IllegalArgumentException("the graph has a cycle through node '" + in + "'");
                    }
                    Node child = model.node(in);
                    if (child == null) {
                        throw new IllegalArgumentException("node '" + n.name() + "' (" + n.op()
                                + ") takes input '" + in + "', which is not a node of the graph");
                    }
                    stack.push(new Object[] {child, 0});
                    onStack.add(in);
                } else {
                    stack.pop();
                    onStack.remove(n.name());
                    done.add(n.name());
                    ordered.add(n);
                }
            }
            return ordered;
        }
    }
}
