package org.relax4j.tfjs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.relax4j.tfjs.TfjsGraphModel.Node;
import org.relax4j.tfjs.TfjsGraphModel.Weight;

/**
 * Converts a TensorFlow.js graph model (NHWC) into an ONNX model (ir_version 8, opset 13) that computes one chosen
 * node.
 *
 * <p><b>Layout.</b> The ONNX model keeps the TensorFlow interface: a 4-D input stays NHWC (e.g.
 * {@code [N, 224, 224, 3]} with {@code N} dynamic), is transposed once to NCHW, and every 4-D activation inside is
 * NCHW so that ONNX {@code Conv} and pooling apply. Filters are rearranged when converting: Conv2D HWIO →
 * OIHW; depthwise HWCM → {@code [C·M, 1, h, w]} with {@code group = C}. Constants that broadcast against a
 * 4-D activation are permuted to NCHW. Axes of reductions, squeezes and softmax are remapped, and a result
 * whose axis order would differ from TensorFlow's is transposed back, so every output has TensorFlow's shape.
 *
 * <p><b>Padding.</b> TensorFlow's {@code SAME} pads {@code max((out−1)·s + (k−1)·d + 1 − in, 0)} in total, the
 * odd element at the end ({@code out = ⌈in / s⌉}); it is written as explicit {@code pads} when the spatial
 * size is known and as {@code auto_pad = SAME_UPPER} otherwise, which is the same rule.
 *
 * <p><b>Ops.</b> Placeholder, Const, Identity; Mul, Sub, Add/AddV2, RealDiv, Maximum, Minimum; Conv2D,
 * DepthwiseConv2dNative, their fused forms {@code _FusedConv2D} and {@code FusedDepthwiseConv2dNative}
 * (fused BiasAdd, then Relu, Relu6, Elu, LeakyRelu or Sigmoid), BiasAdd; Relu, Relu6 (→ Clip with min 0 and
 * max 6 as inputs), Elu, Sigmoid, Tanh; AvgPool, MaxPool; Mean; Squeeze; MatMul and {@code _FusedMatMul};
 * Softmax. Only the nodes the requested output depends on are converted; any other op among them raises an
 * {@link UnsupportedTfjsOpException} naming the op and the node.
 *
 * <p><b>Names.</b> ONNX values keep the TensorFlow node names; values the converter adds (transposed inputs,
 * rearranged filters, pre-activation results) get a {@code #suffix}, which no TensorFlow name can contain.
 *
 * <p>Stateless; safe to call from several threads.
 */
public final class TfjsToOnnx {

    /** Producer name written into the model. */
    public static final String PRODUCER = "relax4j-tfjs-to-onnx";

    /** The ops this converter handles, sorted. */
    public static final Set<String> SUPPORTED_OPS = Collections.unmodifiableSet(new TreeSet<>(List.of(
            "Placeholder", "Const", "Identity", "Mul", "Sub", "Add", "AddV2", "RealDiv", "Maximum", "Minimum",
            "Conv2D", "DepthwiseConv2dNative", "_FusedConv2D", "FusedDepthwiseConv2dNative", "BiasAdd",
            "Relu", "Relu6", "Elu", "Sigmoid", "Tanh", "AvgPool", "MaxPool", "Mean", "Squeeze", "MatMul",
            "_FusedMatMul", "Softmax")));

    /**
     * A converted model.
     *
     * @param onnx the serialised ONNX model
     * @param inputName the ONNX input's name (the TensorFlow placeholder's)
     * @param inputShape the input's shape in TensorFlow's layout; -1 for a dynamic dimension
     * @param outputName the ONNX output's name (the requested node's)
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
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(outputNode, "outputNode");
        String out = stripOutputIndex(outputNode, null);
        if (model.node(out) == null) {
            throw new IllegalArgumentException("no node named '" + outputNode + "' in the graph; nodes that no other"
                    + " node consumes: " + sinks(model));
        }
        return new Converter(model).run(out);
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

    private static String stripOutputIndex(String ref, Node user) {
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

    /** A converted tensor: its ONNX name, TensorFlow shape, and whether a 4-D value is stored NCHW. */
    private static final class Value {
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

        int rank() {
            return shape.length;
        }
    }

    /** One conversion; not thread safe. */
    private static final class Converter {
        /** TensorFlow NHWC axis → ONNX NCHW axis. */
        private static final int[] NHWC_TO_NCHW_AXIS = {0, 2, 3, 1};

        private final TfjsGraphModel model;
        private final OnnxModelBuilder onnx = new OnnxModelBuilder("tfjs");
        private final Map<String, Value> values = new HashMap<>();
        private final Map<String, Integer> counts = new TreeMap<>();
        private String inputName;
        private long[] inputShape;
        private String zero;
        private String six;

        Converter(TfjsGraphModel model) {
            this.model = model;
        }

        Result run(String outputNode) {
            for (Node n : order(outputNode)) {
                values.put(n.name(), convert(n));
                counts.merge(n.op(), 1, Integer::sum);
            }
            if (inputName == null) {
                throw new IllegalArgumentException("node '" + outputNode + "' does not depend on any Placeholder");
            }
            Value v = values.get(outputNode);
            String name = v.name;
            if (v.constant != null) {
                name = materialize(v);
            }
            if (v.nchw) {
                name = onnx.node("Transpose", outputNode + "#to_nhwc").inputs(name).outputs(outputNode)
                        .attr("perm", new long[] {0, 2, 3, 1}).add();
            } else if (!name.equals(outputNode)) {
                name = onnx.node("Identity", outputNode + "#identity").inputs(name).outputs(outputNode).add();
            }
            onnx.output(name, OnnxModelBuilder.FLOAT, v.shape);
            byte[] bytes = onnx.toBytes(PRODUCER, "1");
            return new Result(bytes, inputName, inputShape.clone(), name, v.shape.clone(),
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

        private Value convert(Node n) {
            switch (n.op()) {
                case "Placeholder":
                    return placeholder(n);
                case "Const":
                    return constant(n);
                case "Identity":
                    return in(n, 0);
                case "Mul":
                    return binary(n, "Mul");
                case "Sub":
                    return binary(n, "Sub");
                case "Add":
                case "AddV2":
                    return binary(n, "Add");
                case "RealDiv":
                    return binary(n, "Div");
                case "Maximum":
                    return binary(n, "Max");
                case "Minimum":
                    return binary(n, "Min");
                case "Conv2D":
                case "_FusedConv2D":
                    return conv(n, false);
                case "DepthwiseConv2dNative":
                case "FusedDepthwiseConv2dNative":
                    return conv(n, true);
                case "BiasAdd":
                    return biasAdd(n);
                case "Relu":
                case "Relu6":
                case "Elu":
                case "Sigmoid":
                case "Tanh": {
                    Value x = activation(n, 0);
                    return new Value(activate(n, n.op(), x.name, n.name()), x.shape, x.nchw, null);
                }
                case "AvgPool":
                case "MaxPool":
                    return pool(n);
                case "Mean":
                    return mean(n);
                case "Squeeze":
                    return squeeze(n);
                case "MatMul":
                case "_FusedMatMul":
                    return matMul(n);
                case "Softmax":
                    return softmax(n);
                default:
                    throw new UnsupportedTfjsOpException(n.op(), n.name(), "no conversion to ONNX; supported ops: "
                            + SUPPORTED_OPS);
            }
        }

        // ---- inputs and constants ----

        private Value placeholder(Node n) {
            String dtype = typeAttr(n, "dtype");
            if (dtype != null && !"DT_FLOAT".equals(dtype)) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "input dtype " + dtype + "; only DT_FLOAT");
            }
            if (inputName != null) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "a second input (the first is '" + inputName
                        + "'); only single-input graphs are supported");
            }
            long[] shape = n.attrShape("shape");
            if (shape == null) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "input of unknown rank");
            }
            inputName = n.name();
            inputShape = shape;
            onnx.input(n.name(), OnnxModelBuilder.FLOAT, shape);
            if (shape.length == 4) {
                String t = onnx.node("Transpose", n.name() + "#to_nchw").inputs(n.name())
                        .outputs(n.name() + "#nchw").attr("perm", new long[] {0, 3, 1, 2}).add();
                return new Value(t, shape, true, null);
            }
            return new Value(n.name(), shape, false, null);
        }

        private Value constant(Node n) {
            Weight w = model.weight(n.name());
            if (w == null) {
                throw new IllegalArgumentException("Const node '" + n.name()
                        + "' has no weight of that name in the weights manifest");
            }
            return new Value(n.name(), w.shape(), false, w);
        }

        private String materialize(Value v) {
            if (!onnx.hasInitializer(v.name)) {
                onnx.initializer(v.name, v.shape, v.constant.values());
            }
            return v.name;
        }

        private Value in(Node n, int index) {
            List<String> inputs = n.dataInputs();
            if (index >= inputs.size()) {
                throw new IllegalArgumentException("node '" + n.name() + "' (" + n.op() + ") has " + inputs.size()
                        + " inputs, needs at least " + (index + 1));
            }
            return values.get(stripOutputIndex(inputs.get(index), n));
        }

        /** A non-constant input. */
        private Value activation(Node n, int index) {
            Value v = in(n, index);
            if (v.constant != null) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "input " + index + " is a constant ('"
                        + v.name + "'); constant folding is not supported");
            }
            return v;
        }

        private Weight constantInput(Node n, int index, String role) {
            Value v = in(n, index);
            if (v.constant == null) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), role + " (input " + index + ", '" + v.name
                        + "') is computed, not a constant");
            }
            return v.constant;
        }

        // ---- element-wise ----

        private Value binary(Node n, String onnxOp) {
            Value a = in(n, 0);
            Value b = in(n, 1);
            if (a.constant != null && b.constant != null) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "both inputs are constants");
            }
            long[] shape = broadcast(n, a.shape, b.shape);
            boolean nchw = a.nchw || b.nchw;
            String an = operand(n, a, nchw, shape.length);
            String bn = operand(n, b, nchw, shape.length);
            String out = onnx.node(onnxOp, n.name()).inputs(an, bn).outputs(n.name()).add();
            return new Value(out, shape, nchw, null);
        }

        /** The ONNX name of an operand of a broadcasting op whose result is NCHW ({@code nchw}) or not. */
        private String operand(Node n, Value v, boolean nchw, int rank) {
            if (!nchw || v.nchw) {
                return v.constant != null ? materialize(v) : v.name;
            }
            if (v.constant == null) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "broadcasting a computed " + v.rank()
                        + "-D value against a 4-D (NHWC) one");
            }
            Weight w = v.constant;
            if (w.size() == 1) {
                return materialize(v); // a scalar broadcasts the same in any layout
            }
            if (w.shape().length > 4 || rank != 4) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "constant of shape "
                        + Arrays.toString(w.shape()) + " against a 4-D value");
            }
            long[] nhwc = new long[4];
            Arrays.fill(nhwc, 1);
            System.arraycopy(w.shape(), 0, nhwc, 4 - w.shape().length, w.shape().length);
            String name = w.name() + "#nchw";
            if (!onnx.hasInitializer(name)) {
                onnx.initializer(name, new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]},
                        Layouts.nhwcToNchw(w.values(), (int) nhwc[0], (int) nhwc[1], (int) nhwc[2], (int) nhwc[3]));
            }
            return name;
        }

        private static long[] broadcast(Node n, long[] a, long[] b) {
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

        private String activate(Node n, String kind, String input, String output) {
            switch (kind) {
                case "Relu":
                    return onnx.node("Relu", output).inputs(input).outputs(output).add();
                case "Relu6":
                    if (zero == null) {
                        zero = onnx.initializer("#clip_min_0", new long[0], new float[] {0f});
                        six = onnx.initializer("#clip_max_6", new long[0], new float[] {6f});
                    }
                    return onnx.node("Clip", output).inputs(input, zero, six).outputs(output).add();
                case "Elu":
                    return onnx.node("Elu", output).inputs(input).outputs(output).attr("alpha", 1f).add();
                case "LeakyRelu":
                    return onnx.node("LeakyRelu", output).inputs(input).outputs(output)
                            .attr("alpha", (float) n.attrFloat("leakyrelu_alpha", n.attrFloat("alpha", 0.2))).add();
                case "Sigmoid":
                    return onnx.node("Sigmoid", output).inputs(input).outputs(output).add();
                case "Tanh":
                    return onnx.node("Tanh", output).inputs(input).outputs(output).add();
                default:
                    throw new UnsupportedTfjsOpException(n.op(), n.name(), "fused activation '" + kind + "'");
            }
        }

        // ---- convolution and pooling ----

        private Value conv(Node n, boolean depthwise) {
            Value x = activation(n, 0);
            requireNchw(n, x);
            String format = n.attrString("data_format", "NHWC");
            if (!"NHWC".equals(format)) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "data_format " + format + "; only NHWC");
            }
            Weight f = constantInput(n, 1, "the filter");
            long[] fs = f.shape();
            if (fs.length != 4) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "filter of rank " + fs.length);
            }
            int kh = (int) fs[0];
            int kw = (int) fs[1];
            int cin = (int) fs[2];
            int m = (int) fs[3];
            if (x.shape[3] >= 0 && x.shape[3] != cin) {
                throw new IllegalArgumentException("node '" + n.name() + "': filter " + Arrays.toString(fs)
                        + " expects " + cin + " input channels, input has shape " + Arrays.toString(x.shape));
            }
            long[] strides = spatial(n, "strides");
            long[] dilations = spatial(n, "dilations");
            int cout = depthwise ? cin * m : m;
            float[] weights;
            long[] wshape;
            if (depthwise) {
                weights = Layouts.hwcmToDepthwise(f.values(), kh, kw, cin, m);
                wshape = new long[] {(long) cin * m, 1, kh, kw};
            } else {
                weights = Layouts.hwioToOihw(f.values(), kh, kw, cin, m);
                wshape = new long[] {m, cin, kh, kw};
            }
            String wname = f.name() + (depthwise ? "/depthwise" : "/oihw");
            if (!onnx.hasInitializer(wname)) {
                onnx.initializer(wname, wshape, weights);
            }

            List<String> fused = n.attrStrings("fused_ops");
            boolean isFused = n.op().startsWith("_Fused") || n.op().startsWith("Fused");
            String bias = null;
            String act = null;
            if (isFused) {
                Fused fz = fused(n, fused, cout);
                bias = fz.bias;
                act = fz.activation;
            }
            long[] outShape = new long[] {x.shape[0], -1, -1, cout};
            OnnxModelBuilder.Node conv = onnx.node("Conv", act == null ? n.name() : n.name() + "#conv");
            if (bias != null) {
                conv.inputs(x.name, wname, bias);
            } else {
                conv.inputs(x.name, wname);
            }
            conv.outputs(act == null ? n.name() : n.name() + "#conv")
                    .attr("kernel_shape", new long[] {kh, kw})
                    .attr("strides", strides)
                    .attr("dilations", dilations)
                    .attr("group", depthwise ? (long) cin : 1L);
            padding(n, conv, x.shape, new long[] {kh, kw}, strides, dilations, outShape);
            String y = conv.add();
            if (act != null) {
                y = activate(n, act, y, n.name());
            }
            return new Value(y, outShape, true, null);
        }

        private record Fused(String bias, String activation) {
        }

        /** Reads {@code fused_ops} / {@code num_args} of a fused conv or matmul; returns the bias initializer. */
        private Fused fused(Node n, List<String> ops, int channels) {
            long numArgs = n.attrInt("num_args", ops.isEmpty() ? 0 : 1);
            if (ops.isEmpty()) {
                return new Fused(null, null);
            }
            if (!"BiasAdd".equals(ops.get(0))) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "fused_ops " + ops
                        + "; only [BiasAdd] optionally followed by an activation");
            }
            if (numArgs != 1) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "fused_ops " + ops + " with num_args "
                        + numArgs);
            }
            if (ops.size() > 2) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "fused_ops " + ops);
            }
            Weight b = constantInput(n, 2, "the bias");
            if (b.size() != channels) {
                throw new IllegalArgumentException("node '" + n.name() + "': bias has " + b.size()
                        + " values for " + channels + " output channels");
            }
            String bname = b.name() + "#bias";
            if (!onnx.hasInitializer(bname)) {
                onnx.initializer(bname, new long[] {channels}, b.values());
            }
            String act = ops.size() == 2 ? ops.get(1) : null;
            if (act != null && !List.of("Relu", "Relu6", "Elu", "LeakyRelu", "Sigmoid").contains(act)) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "fused activation '" + act + "'");
            }
            return new Fused(bname, act);
        }

        /** The H and W entries of an NHWC {@code [1, h, w, 1]} list attribute (default 1). */
        private static long[] spatial(Node n, String key) {
            long[] v = n.attrInts(key, new long[] {1, 1, 1, 1});
            if (v.length == 0) {
                return new long[] {1, 1};
            }
            if (v.length != 4 || v[0] != 1 || v[3] != 1) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), key + " " + Arrays.toString(v)
                        + "; expected [1, h, w, 1]");
            }
            return new long[] {v[1], v[2]};
        }

        /** Sets pads or auto_pad on a conv/pool node and fills the output's H and W (NHWC) where known. */
        private static void padding(Node n, OnnxModelBuilder.Node node, long[] in, long[] kernel, long[] strides,
                                    long[] dilations, long[] out) {
            String padding = n.attrString("padding", "VALID");
            long[] pads = new long[4]; // top, left, bottom, right
            boolean auto = false;
            for (int k = 0; k < 2; k++) {
                long size = in[1 + k];
                long effective = (kernel[k] - 1) * dilations[k] + 1;
                switch (padding) {
                    case "SAME": {
                        if (size < 0) {
                            auto = true;
                            out[1 + k] = -1;
                            break;
                        }
                        long o = (size + strides[k] - 1) / strides[k];
                        long total = Math.max((o - 1) * strides[k] + effective - size, 0);
                        pads[k] = total / 2;
                        pads[k + 2] = total - total / 2;
                        out[1 + k] = o;
                        break;
                    }
                    case "VALID":
                        out[1 + k] = size < 0 ? -1 : (size - effective) / strides[k] + 1;
                        break;
                    case "EXPLICIT": {
                        long[] e = n.attrInts("explicit_paddings", new long[0]);
                        if (e.length != 8) {
                            throw new UnsupportedTfjsOpException(n.op(), n.name(), "explicit_paddings "
                                    + Arrays.toString(e));
                        }
                        pads[k] = e[2 + 2 * k];
                        pads[k + 2] = e[3 + 2 * k];
                        out[1 + k] = size < 0 ? -1 : (size + pads[k] + pads[k + 2] - effective) / strides[k] + 1;
                        break;
                    }
                    default:
                        throw new UnsupportedTfjsOpException(n.op(), n.name(), "padding '" + padding + "'");
                }
                if (out[1 + k] == 0 || (out[1 + k] < 0 && size >= 0)) {
                    throw new IllegalArgumentException("node '" + n.name() + "': kernel " + Arrays.toString(kernel)
                            + " does not fit input " + Arrays.toString(in));
                }
            }
            if (auto) {
                node.attr("auto_pad", "SAME_UPPER");
            } else {
                node.attr("pads", pads);
            }
        }

        private Value biasAdd(Node n) {
            Value x = activation(n, 0);
            Weight b = constantInput(n, 1, "the bias");
            String format = n.attrString("data_format", "NHWC");
            if (!"NHWC".equals(format)) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "data_format " + format + "; only NHWC");
            }
            String bname;
            if (x.nchw) {
                bname = b.name() + "#c11";
                if (!onnx.hasInitializer(bname)) {
                    onnx.initializer(bname, new long[] {b.size(), 1, 1}, b.values());
                }
            } else {
                bname = materialize(in(n, 1));
            }
            String out = onnx.node("Add", n.name()).inputs(x.name, bname).outputs(n.name()).add();
            return new Value(out, x.shape, x.nchw, null);
        }

        private Value pool(Node n) {
            Value x = activation(n, 0);
            requireNchw(n, x);
            String format = n.attrString("data_format", "NHWC");
            if (!"NHWC".equals(format)) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "data_format " + format + "; only NHWC");
            }
            long[] kernel = spatial(n, "ksize");
            long[] strides = spatial(n, "strides");
            long[] outShape = {x.shape[0], -1, -1, x.shape[3]};
            boolean avg = "AvgPool".equals(n.op());
            OnnxModelBuilder.Node node = onnx.node(avg ? "AveragePool" : "MaxPool", n.name()).inputs(x.name)
                    .outputs(n.name()).attr("kernel_shape", kernel).attr("strides", strides);
            if (avg) {
                node.attr("count_include_pad", 0L); // TensorFlow averages over the valid elements only
            }
            padding(n, node, x.shape, kernel, strides, new long[] {1, 1}, outShape);
            return new Value(node.add(), outShape, true, null);
        }

        // ---- reductions and shapes ----

        private Value mean(Node n) {
            Value x = activation(n, 0);
            Weight axesWeight = constantInput(n, 1, "the reduction axes");
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
            long[] onnxAxes = onnxAxes(x, reduced);
            if (keep) {
                String y = onnx.node("ReduceMean", n.name()).inputs(x.name).outputs(n.name())
                        .attr("axes", onnxAxes).attr("keepdims", 1L).add();
                long[] shape = x.shape.clone();
                for (int k = 0; k < rank; k++) {
                    if (reduced[k]) {
                        shape[k] = 1;
                    }
                }
                return new Value(y, shape, x.nchw, null);
            }
            long[] perm = restoringPermutation(x, reduced);
            String target = perm == null ? n.name() : n.name() + "#reduced";
            String y = onnx.node("ReduceMean", target).inputs(x.name).outputs(target)
                    .attr("axes", onnxAxes).attr("keepdims", 0L).add();
            return dropAxes(n, x, reduced, y, perm);
        }

        private Value squeeze(Node n) {
            Value x = activation(n, 0);
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
            String axesName = onnx.initializerInt64(n.name() + "#axes", new long[] {countTrue(reduced)},
                    onnxAxes(x, reduced));
            long[] perm = restoringPermutation(x, reduced);
            String target = perm == null ? n.name() : n.name() + "#squeezed";
            String y = onnx.node("Squeeze", target).inputs(x.name, axesName).outputs(target).add();
            return dropAxes(n, x, reduced, y, perm);
        }

        /** The ONNX axes (sorted) that correspond to the flagged TensorFlow axes of {@code x}. */
        private static long[] onnxAxes(Value x, boolean[] tfAxes) {
            long[] out = new long[countTrue(tfAxes)];
            int i = 0;
            for (int k = 0; k < tfAxes.length; k++) {
                if (tfAxes[k]) {
                    out[i++] = x.nchw ? NHWC_TO_NCHW_AXIS[k] : k;
                }
            }
            Arrays.sort(out);
            return out;
        }

        /**
         * For an ONNX op that removes the flagged TensorFlow axes of an NCHW-stored {@code x}: the permutation that
         * brings the kept axes back into TensorFlow's order, or null when they are already in it (always so for a
         * value not stored NCHW, or when nothing is removed).
         */
        private static long[] restoringPermutation(Value x, boolean[] removed) {
            int kept = x.rank() - countTrue(removed);
            if (!x.nchw || kept == 4) {
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

        /** The value left after removing the flagged axes of {@code x} ({@code y}), transposed by {@code perm}. */
        private Value dropAxes(Node n, Value x, boolean[] removed, String y, long[] perm) {
            int rank = x.rank();
            int kept = rank - countTrue(removed);
            long[] shape = new long[kept];
            int i = 0;
            for (int k = 0; k < rank; k++) {
                if (!removed[k]) {
                    shape[i++] = x.shape[k];
                }
            }
            boolean nchw = x.nchw && kept == 4;
            if (perm == null) {
                return new Value(y, shape, nchw, null);
            }
            String out = onnx.node("Transpose", n.name()).inputs(y).outputs(n.name()).attr("perm", perm).add();
            return new Value(out, shape, false, null);
        }

        // ---- dense ----

        private Value matMul(Node n) {
            Value a = activation(n, 0);
            Value b = in(n, 1);
            if (a.nchw || a.rank() != 2 || b.rank() != 2) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "operands of shapes "
                        + Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape) + "; only 2-D");
            }
            boolean ta = n.attrBool("transpose_a", false);
            boolean tb = n.attrBool("transpose_b", false);
            String an = a.name;
            long rows = a.shape[0];
            if (ta) {
                an = onnx.node("Transpose", n.name() + "#transpose_a").inputs(an).outputs(n.name() + "#a_t")
                        .attr("perm", new long[] {1, 0}).add();
                rows = a.shape[1];
            }
            String bn;
            long cols;
            if (b.constant != null) {
                long[] bs = b.shape;
                if (tb) {
                    bn = b.name + "#t";
                    if (!onnx.hasInitializer(bn)) {
                        onnx.initializer(bn, new long[] {bs[1], bs[0]},
                                Layouts.transpose2d(b.constant.values(), (int) bs[0], (int) bs[1]));
                    }
                    cols = bs[0];
                } else {
                    bn = materialize(b);
                    cols = bs[1];
                }
            } else {
                bn = b.name;
                cols = b.shape[1];
                if (tb) {
                    bn = onnx.node("Transpose", n.name() + "#transpose_b").inputs(bn).outputs(n.name() + "#b_t")
                            .attr("perm", new long[] {1, 0}).add();
                    cols = b.shape[0];
                }
            }
            Fused fz = "_FusedMatMul".equals(n.op()) ? fused(n, n.attrStrings("fused_ops"), (int) cols)
                    : new Fused(null, null);
            boolean more = fz.bias != null || fz.activation != null;
            String y = onnx.node("MatMul", more ? n.name() + "#matmul" : n.name()).inputs(an, bn)
                    .outputs(more ? n.name() + "#matmul" : n.name()).add();
            if (fz.bias != null) {
                String target = fz.activation == null ? n.name() : n.name() + "#bias";
                y = onnx.node("Add", target).inputs(y, fz.bias).outputs(target).add();
            }
            if (fz.activation != null) {
                y = activate(n, fz.activation, y, n.name());
            }
            return new Value(y, new long[] {rows, cols}, false, null);
        }

        private Value softmax(Node n) {
            Value x = activation(n, 0);
            long axis = x.nchw ? 1 : -1; // TensorFlow: the last axis, which is C in NHWC
            String y = onnx.node("Softmax", n.name()).inputs(x.name).outputs(n.name()).attr("axis", axis).add();
            return new Value(y, x.shape, x.nchw, null);
        }

        // ---- helpers ----

        private static void requireNchw(Node n, Value x) {
            if (!x.nchw) {
                throw new UnsupportedTfjsOpException(n.op(), n.name(), "input of shape " + Arrays.toString(x.shape)
                        + "; only 4-D NHWC inputs");
            }
        }

        private static String typeAttr(Node n, String key) {
            Object v = n.attr().get(key);
            if (v instanceof Map<?, ?> m && m.get("type") instanceof String s) {
                return s;
            }
            return null;
        }

        private static int countTrue(boolean[] flags) {
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
}
