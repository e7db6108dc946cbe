package org.relax4j.tfjs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds an ONNX model (ir_version 8, default-domain opset 13 unless told otherwise) and serialises it with
 * {@link ProtoWriter}.
 *
 * <p>Field numbers follow {@code onnx/onnx.proto}: ModelProto {ir_version 1, producer_name 2, producer_version 3,
 * graph 7, opset_import 8}; OperatorSetIdProto {domain 1, version 2}; GraphProto {node 1, name 2, initializer 5,
 * input 11, output 12}; NodeProto {input 1, output 2, name 3, op_type 4, attribute 5, domain 7}; AttributeProto
 * {name 1, f 2, i 3, s 4, floats 7, ints 8, type 20}; TensorProto {dims 1, data_type 2, name 8, raw_data 9};
 * ValueInfoProto {name 1, type 2}; TypeProto {tensor_type 1}; TypeProto.Tensor {elem_type 1, shape 2};
 * TensorShapeProto {dim 1}; Dimension {dim_value 1, dim_param 2}.
 *
 * <p>Nodes must be added in topological order. Not thread safe. Public so that other modules' tests can write small
 * models; it is the converter's writer, not a general ONNX API, and may change.
 */
public final class OnnxModelBuilder {
    /**
     * The ONNX IR version of the models built.
     */
    public static final int IR_VERSION = 8;
    /**
     * The default-domain opset of the models built.
     */
    public static final int OPSET = 13;

    /** TensorProto.DataType values. */
    public static final int FLOAT = 1;
    /**
     * TensorProto.DataType of int64.
     */
    public static final int INT64 = 7;

    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_FLOATS = 6;
    private static final int ATTR_INTS = 7;

    private final String graphName;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private final Set<String> initializerNames = new LinkedHashSet<>();

    /**
     * Starts an empty model.
     *
     * @param graphName the graph's name
     */
    public OnnxModelBuilder(String graphName) {
        this.graphName = graphName;
    }

    /**
     * Declares a graph input.
     *
     * @param name the input's name
     * @param elemType the element type, e.g. {@link #FLOAT}
     * @return this builder
     * @param dims the shape; a negative entry is a symbolic dimension ({@code N} for the first, else {@code d<k>});
     *     null for unknown rank
     */
    public OnnxModelBuilder input(String name, int elemType, long[] dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /**
     * Declares a graph output; see {@link #input} for {@code dims}.
     *
     * @param name the output's name
     * @param elemType the element type, e.g. {@link #FLOAT}
     * @param dims the shape
     * @return this builder
     */
    public OnnxModelBuilder output(String name, int elemType, long[] dims) {
        outputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /**
     * {@return whether an initializer of this name was added}
     *
     * @param name the initializer's name
     */
    public boolean hasInitializer(String name) {
        return initializerNames.contains(name);
    }

    /**
     * Adds a float32 initializer (stored as raw little-endian bytes) and returns its name.
     *
     * @param name the initializer's name, not used before
     * @param dims the shape
     * @param values as many values as the shape holds
     * @return {@code name}
     */
    public String initializer(String name, long[] dims, float[] values) {
        checkCount(name, dims, values.length);
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return addInitializer(name, FLOAT, dims, raw.array());
    }

    /**
     * Adds an int64 initializer and returns its name.
     *
     * @param name the initializer's name, not used before
     * @param dims the shape
     * @param values as many values as the shape holds
     * @return {@code name}
     */
    public String initializerInt64(String name, long[] dims, long[] values) {
        checkCount(name, dims, values.length);
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return addInitializer(name, INT64, dims, raw.array());
    }

    private String addInitializer(String name, int dataType, long[] dims, byte[] raw) {
        if (!initializerNames.add(name)) {
            throw new IllegalArgumentException("duplicate initializer " + name);
        }
        ProtoWriter t = new ProtoWriter(raw.length + name.length() + 32);
        for (long d : dims) {
            t.int64(1, d);
        }
        t.int64(2, dataType);
        t.string(8, name);
        t.bytes(9, raw);
        initializers.add(t);
        return name;
    }

    private static void checkCount(String name, long[] dims, int count) {
        if (TfjsGraphModel.product(dims) != count) {
            throw new IllegalArgumentException("initializer " + name + ": shape " + Arrays.toString(dims)
                    + " needs " + TfjsGraphModel.product(dims) + " values, got " + count);
        }
    }

    /**
     * Starts a node; call {@link Node#add()} to append it.
     *
     * @param opType the ONNX op, e.g. {@code Conv}
     * @param name the node's name
     * @return the node under construction
     */
    public Node node(String opType, String name) {
        return new Node(opType, name);
    }

    /** {@return number of nodes added} */
    public int nodeCount() {
        return nodes.size();
    }

    /** A node under construction. */
    public final class Node {
        private final ProtoWriter w = new ProtoWriter(256);
        private final List<ProtoWriter> attrs = new ArrayList<>();
        private final String opType;
        private final String name;
        private final List<String> in = new ArrayList<>();
        private final List<String> out = new ArrayList<>();

        private Node(String opType, String name) {
            this.opType = opType;
            this.name = name;
        }

        /**
         * Appends inputs.
         *
         * @param names the inputs' names
         * @return this node
         */
        public Node inputs(String... names) {
            in.addAll(List.of(names));
            return this;
        }

        /**
         * Appends outputs.
         *
         * @param names the outputs' names
         * @return this node
         */
        public Node outputs(String... names) {
            out.addAll(List.of(names));
            return this;
        }

        /**
         * Adds an integer attribute.
         *
         * @param key the attribute's name
         * @param value its value
         * @return this node
         */
        public Node attr(String key, long value) {
            ProtoWriter a = new ProtoWriter().string(1, key).int64(20, ATTR_INT).int64(3, value);
            attrs.add(a);
            return this;
        }

        /**
         * Adds a float attribute.
         *
         * @param key the attribute's name
         * @param value its value
         * @return this node
         */
        public Node attr(String key, float value) {
            ProtoWriter a = new ProtoWriter().string(1, key).int64(20, ATTR_FLOAT).float32(2, value);
            attrs.add(a);
            return this;
        }

        /**
         * Adds a string attribute.
         *
         * @param key the attribute's name
         * @param value its value
         * @return this node
         */
        public Node attr(String key, String value) {
            ProtoWriter a = new ProtoWriter().string(1, key).int64(20, ATTR_STRING).string(4, value);
            attrs.add(a);
            return this;
        }

        /**
         * Adds an integer list attribute.
         *
         * @param key the attribute's name
         * @param values its values
         * @return this node
         */
        public Node attr(String key, long[] values) {
            ProtoWriter a = new ProtoWriter().string(1, key).int64(20, ATTR_INTS);
            for (long v : values) {
                a.int64(8, v);
            }
            attrs.add(a);
            return this;
        }

        /**
         * Adds a float list attribute.
         *
         * @param key the attribute's name
         * @param values its values
         * @return this node
         */
        public Node attr(String key, float[] values) {
            ProtoWriter a = new ProtoWriter().string(1, key).int64(20, ATTR_FLOATS);
            for (float v : values) {
                a.float32(7, v);
            }
            attrs.add(a);
            return this;
        }

        /**
         * Appends the node to the graph and returns its first output.
         *
         * @return the name of the node's first output
         * @throws IllegalStateException if the node has no output
         */
        public String add() {
            if (out.isEmpty()) {
                throw new IllegalStateException("node " + name + " (" + opType + ") has no output");
            }
            for (String s : in) {
                w.string(1, s);
            }
            for (String s : out) {
                w.string(2, s);
            }
            w.string(3, name);
            w.string(4, opType);
            for (ProtoWriter a : attrs) {
                w.message(5, a);
            }
            nodes.add(w);
            return out.get(0);
        }
    }

    /**
     * Serialises the model.
     *
     * @param producerName the model's producer_name
     * @param producerVersion the model's producer_version
     * @return the serialised ModelProto
     */
    public byte[] toBytes(String producerName, String producerVersion) {
        long bytes = 1024;
        for (ProtoWriter t : initializers) {
            bytes += t.size() + 8;
        }
        ProtoWriter graph = new ProtoWriter((int) Math.min(bytes, Integer.MAX_VALUE - 16));
        for (ProtoWriter n : nodes) {
            graph.message(1, n);
        }
        graph.string(2, graphName);
        for (ProtoWriter t : initializers) {
            graph.message(5, t);
        }
        for (ProtoWriter v : inputs) {
            graph.message(11, v);
        }
        for (ProtoWriter v : outputs) {
            graph.message(12, v);
        }

        ProtoWriter opset = new ProtoWriter().string(1, "").int64(2, OPSET);
        ProtoWriter model = new ProtoWriter(graph.size() + 256);
        model.int64(1, IR_VERSION);
        model.string(2, producerName);
        model.string(3, producerVersion);
        model.message(7, graph);
        model.message(8, opset);
        return model.toByteArray();
    }

    private static ProtoWriter valueInfo(String name, int elemType, long[] dims) {
        ProtoWriter tensor = new ProtoWriter().int64(1, elemType);
        if (dims != null) {
            ProtoWriter shape = new ProtoWriter();
            for (int k = 0; k < dims.length; k++) {
                ProtoWriter dim = new ProtoWriter();
                if (dims[k] >= 0) {
                    dim.int64(1, dims[k]);
                } else {
                    dim.string(2, k == 0 ? "N" : "d" + k);
                }
                shape.message(1, dim);
            }
            tensor.message(2, shape);
        }
        ProtoWriter type = new ProtoWriter().message(1, tensor);
        return new ProtoWriter().string(1, name).message(2, type);
    }
}
