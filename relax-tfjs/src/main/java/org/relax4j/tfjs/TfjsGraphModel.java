package org.relax4j.tfjs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A TensorFlow.js graph model read into memory: its nodes and its dequantized weights.
 *
 * <p>Two on-disk layouts are read:
 * <ul>
 *   <li><b>plain</b>: {@code model.json} plus the binary weight shards its {@code weightsManifest} names;</li>
 *   <li><b>JS-wrapped</b> (as the {@code nsfwjs} npm package ships its models): {@code model.min.js}, a UMD module
 *       whose export is the same document written as a JavaScript object literal, and one module per shard
 *       ({@code group1-shard1of2.min.js}, ...) whose export is the shard's bytes as one base64 string.</li>
 * </ul>
 * No JavaScript is run; the literals are read by a small tolerant parser.
 *
 * <p>Weights are laid out in manifest order, concatenated across a group's shards. Quantized weights are
 * restored to float32: {@code uint8}/{@code uint16} as {@code q × scale + min}, {@code float16} as IEEE half
 * floats. {@code int32} and {@code bool} weights are stored as floats too (exact for |v| ≤ 2<sup>24</sup>).
 *
 * <p>Instances are immutable once read and safe to share between threads (the arrays returned by
 * {@link Weight#values()} are not copied: do not modify them).
 */
public final class TfjsGraphModel {

    /**
     * One node of the graph.
     *
     * @param name the node's name, which is also the name of its first output
     * @param op the TensorFlow op, e.g. {@code _FusedConv2D}
     * @param inputs the input references as written ({@code "a"}, {@code "a:1"}, {@code "^ctrl"})
     * @param attr the attributes, as parsed from the model ({@code {i: "1"}}, {@code {list: {i: [...]}}}, ...)
     */
    public record Node(String name, String op, List<String> inputs, Map<String, Object> attr) {

        /**
         * Copies {@code inputs} and {@code attr} into unmodifiable collections.
         *
         * @param name the node's name
         * @param op the TensorFlow op
         * @param inputs the input references as written
         * @param attr the attributes
         */
        public Node {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(op, "op");
            inputs = List.copyOf(inputs);
            attr = Collections.unmodifiableMap(new LinkedHashMap<>(attr));
        }

        /**
         * {@return the data inputs (control inputs {@code ^x} dropped), each as written, e.g. {@code "a"} or
         * {@code "a:1"}}
         */
        public List<String> dataInputs() {
            List<String> out = new ArrayList<>(inputs.size());
            for (String in : inputs) {
                if (!in.startsWith("^")) {
                    out.add(in);
                }
            }
            return out;
        }

        /**
         * {@return whether the attribute is present}
         *
         * @param key the attribute's name
         */
        public boolean hasAttr(String key) {
            return attr.containsKey(key);
        }

        /**
         * {@return integer attribute {@code {i: "3"}}; {@code fallback} if absent}
         *
         * @param key the attribute's name
         * @param fallback the value if absent
         */
        public long attrInt(String key, long fallback) {
            Object tagged = tagged(key, "i");
            return tagged == null ? fallback : toLong(tagged, key);
        }

        /**
         * {@return float attribute {@code {f: 0.5}}; {@code fallback} if absent}
         *
         * @param key the attribute's name
         * @param fallback the value if absent
         */
        public double attrFloat(String key, double fallback) {
            Object tagged = tagged(key, "f");
            return tagged == null ? fallback : toDouble(tagged, key);
        }

        /**
         * {@return boolean attribute {@code {b: true}}; {@code fallback} if absent}
         *
         * @param key the attribute's name
         * @param fallback the value if absent
         */
        public boolean attrBool(String key, boolean fallback) {
            Object tagged = tagged(key, "b");
            if (tagged == null) {
                return fallback;
            }
            if (tagged instanceof Boolean b) {
                return b;
            }
            throw badAttr(key, "a boolean");
        }

        /**
         * {@return string attribute {@code {s: base64}}, decoded as UTF-8; {@code fallback} if absent}
         *
         * @param key the attribute's name
         * @param fallback the value if absent
         */
        public String attrString(String key, String fallback) {
            Object tagged = tagged(key, "s");
            return tagged == null ? fallback : decodeBase64String(tagged, key);
        }

        /**
         * {@return integer list attribute {@code {list: {i: [...]}}}; {@code fallback} if absent}
         *
         * @param key the attribute's name
         * @param fallback the value if absent
         */
        public long[] attrInts(String key, long[] fallback) {
            List<?> list = listOf(key, "i");
            if (list == null) {
                return fallback;
            }
            long[] out = new long[list.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = toLong(list.get(k), key);
            }
            return out;
        }

        /**
         * {@return string list attribute {@code {list: {s: [...]}}}, each decoded from base64; empty if absent}
         *
         * @param key the attribute's name
         */
        public List<String> attrStrings(String key) {
            List<?> list = listOf(key, "s");
            if (list == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(decodeBase64String(o, key));
            }
            return out;
        }

        /**
         * {@return shape attribute {@code {shape: {dim: [{size: "-1"}, ...]}}}; null if absent or of unknown rank}
         *
         * @param key the attribute's name
         */
        public long[] attrShape(String key) {
            Object tagged = tagged(key, "shape");
            if (!(tagged instanceof Map<?, ?> shape) || Boolean.TRUE.equals(shape.get("unknownRank"))) {
                return null;
            }
            return dims(shape.get("dim"), "attribute '" + key + "' of node " + name);
        }

        private Object tagged(String key, String tag) {
            Object v = attr.get(key);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw badAttr(key, "a tagged value");
            }
            return m.get(tag);
        }

        private List<?> listOf(String key, String tag) {
            Object list = tagged(key, "list");
            if (list == null) {
                return null;
            }
            if (!(list instanceof Map<?, ?> m)) {
                throw badAttr(key, "a list");
            }
            Object values = m.get(tag);
            if (values == null) {
                return List.of();
            }
            if (!(values instanceof List<?> l)) {
                throw badAttr(key, "a list of '" + tag + "'");
            }
            return l;
        }

        private long toLong(Object o, String key) {
            try {
                if (o instanceof String s) {
                    return Long.parseLong(s);
                }
                if (o instanceof Number n) {
                    return n.longValue();
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw badAttr(key, "an integer");
        }

        private double toDouble(Object o, String key) {
            try {
                if (o instanceof String s) {
                    return Double.parseDouble(s);
                }
                if (o instanceof Number n) {
                    return n.doubleValue();
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw badAttr(key, "a number");
        }

        private String decodeBase64String(Object o, String key) {
            if (!(o instanceof String s)) {
                throw badAttr(key, "a base64 string");
            }
            try {
                return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw badAttr(key, "a base64 string");
            }
        }

        private IllegalArgumentException badAttr(String key, String expected) {
            return new IllegalArgumentException("attribute '" + key + "' of node '" + name + "' (" + op
                    + ") is not " + expected + ": " + attr.get(key));
        }
    }

    /**
     * One weight from the manifest, restored to float32.
     *
     * @param name the weight's name (the name of the {@code Const} node that yields it)
     * @param dtype the weight's logical dtype, e.g. {@code float32} or {@code int32}
     * @param shape the weight's shape
     * @param values the values, row-major; not copied
     */
    public record Weight(String name, String dtype, long[] shape, float[] values) {

        /** {@return number of elements, the product of the shape} */
        public long size() {
            return product(shape);
        }
    }

    private final Map<String, Node> nodes;
    private final Map<String, Weight> weights;

    private TfjsGraphModel(Map<String, Node> nodes, Map<String, Weight> weights) {
        this.nodes = Collections.unmodifiableMap(nodes);
        this.weights = Collections.unmodifiableMap(weights);
    }

    /**
     * Reads a model from a directory: {@code model.json} if present, else {@code model.min.js} or {@code model.js}.
     *
     * @param dir the model's directory
     * @return the model
     * @throws IllegalArgumentException if the directory holds no model file, or the model is malformed
     * @throws UncheckedIOException if a file cannot be read
     */
    public static TfjsGraphModel read(Path dir) {
        for (String candidate : new String[] {"model.json", "model.min.js", "model.js"}) {
            Path file = dir.resolve(candidate);
            if (Files.isRegularFile(file)) {
                return readModel(file);
            }
        }
        throw new IllegalArgumentException("no TensorFlow.js model in " + dir
                + ": expected model.json (plain layout) or model.min.js / model.js (JS-wrapped layout)");
    }

    /**
     * Reads a model from its model file, {@code model.json} or a JS module such as {@code model.min.js}; the weight
     * shards are looked up beside it.
     *
     * @param modelFile the model file
     * @return the model
     * @throws IllegalArgumentException if the file is missing or the model is malformed
     * @throws UncheckedIOException if a file cannot be read
     */
    public static TfjsGraphModel readFile(Path modelFile) {
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("TensorFlow.js model file not found: " + modelFile);
        }
        return readModel(modelFile);
    }

    private static TfjsGraphModel readModel(Path modelFile) {
        Object doc = parseFile(modelFile);
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(modelFile + ": the model is not an object");
        }
        Path dir = modelFile.toAbsolutePath().getParent();
        return fromDocument(map, path -> readShard(dir, path), modelFile.toString());
    }

    /**
     * Builds a model from a parsed document and a shard loader.
     *
     * @param doc the {@code model.json} document
     * @param shards returns the bytes of the shard at a manifest path
     * @param source names the model in messages
     */
    static TfjsGraphModel fromDocument(Map<?, ?> doc, ShardLoader shards, String source) {
        Object format = doc.get("format");
        if (format != null && !"graph-model".equals(format)) {
            throw new IllegalArgumentException(source + ": format is '" + format + "', only 'graph-model' is supported");
        }
        Map<?, ?> topology = asMap(doc.get("modelTopology"), source + ": modelTopology");
        List<?> nodeList = asList(topology.get("node"), source + ": modelTopology.node");
        if (topology.get("library") instanceof Map<?, ?> lib && lib.get("function") instanceof List<?> fns
                && !fns.isEmpty()) {
            throw new IllegalArgumentException(source + ": graph functions (control flow) are not supported");
        }
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (Object o : nodeList) {
            Map<?, ?> n = asMap(o, source + ": node");
            String name = asString(n.get("name"), source + ": node name");
            String op = asString(n.get("op"), source + ": op of node " + name);
            List<String> inputs = new ArrayList<>();
            if (n.get("input") != null) {
                for (Object in : asList(n.get("input"), source + ": inputs of node " + name)) {
                    inputs.add(asString(in, source + ": input of node " + name));
                }
            }
            Map<String, Object> attr = new LinkedHashMap<>();
            if (n.get("attr") != null) {
                for (Map.Entry<?, ?> e : asMap(n.get("attr"), source + ": attr of node " + name).entrySet()) {
                    attr.put(String.valueOf(e.getKey()), e.getValue());
                }
            }
            if (nodes.put(name, new Node(name, op, inputs, attr)) != null) {
                throw new IllegalArgumentException(source + ": duplicate node name " + name);
            }
        }
        Map<String, Weight> weights = new LinkedHashMap<>();
        Object manifest = doc.get("weightsManifest");
        if (manifest != null) {
            for (Object g : asList(manifest, source + ": weightsManifest")) {
                readGroup(asMap(g, source + ": weightsManifest group"), shards, source, weights);
            }
        }
        return new TfjsGraphModel(nodes, weights);
    }

    /** Loads one weight shard by its manifest path. */
    @FunctionalInterface
    interface ShardLoader {
        byte[] load(String path);
    }

    private static void readGroup(Map<?, ?> group, ShardLoader shards, String source, Map<String, Weight> out) {
        List<?> paths = asList(group.get("paths"), source + ": weightsManifest paths");
        List<byte[]> parts = new ArrayList<>();
        long total = 0;
        for (Object p : paths) {
            byte[] b = shards.load(asString(p, source + ": shard path"));
            parts.add(b);
            total += b.length;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(source + ": weight group of " + total + " bytes is too large");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] b : parts) {
            buf.put(b);
        }
        buf.flip();
        for (Object o : asList(group.get("weights"), source + ": weightsManifest weights")) {
            Map<?, ?> w = asMap(o, source + ": weight");
            String name = asString(w.get("name"), source + ": weight name");
            String dtype = asString(w.get("dtype"), source + ": dtype of weight " + name);
            long[] shape = numberDims(w.get("shape"), source + ": shape of weight " + name);
            long count = product(shape);
            Map<?, ?> q = w.get("quantization") == null ? null : asMap(w.get("quantization"), name);
            String stored = q == null ? dtype : asString(q.get("dtype"), source + ": quantization dtype of " + name);
            int bytesPer = switch (stored) {
                case "float32", "int32" -> 4;
                case "uint16", "float16" -> 2;
                case "uint8", "bool" -> 1;
                default -> throw new IllegalArgumentException(source + ": weight " + name + " has unsupported dtype '"
                        + stored + "'");
            };
            long bytes = count * bytesPer;
            if (bytes > buf.remaining()) {
                throw new IllegalArgumentException(source + ": weight " + name + " needs " + bytes + " bytes at offset "
                        + buf.position() + " but the shards " + paths + " hold " + buf.limit() + " bytes in all");
            }
            float[] values = new float[(int) count];
            if (q == null || "float16".equals(stored)) {
                for (int k = 0; k < values.length; k++) {
                    values[k] = switch (stored) {
                        case "float32" -> buf.getFloat();
                        case "int32" -> buf.getInt();
                        case "bool" -> buf.get() != 0 ? 1f : 0f;
                        case "float16" -> halfToFloat(buf.getShort());
                        default -> throw new IllegalArgumentException(source + ": weight " + name
                                + " stores unquantized dtype '" + stored + "'");
                    };
                }
            } else {
                double min = asNumber(q.get("min"), source + ": quantization min of " + name);
                double scale = asNumber(q.get("scale"), source + ": quantization scale of " + name);
                boolean integer = "int32".equals(dtype);
                for (int k = 0; k < values.length; k++) {
                    int raw = "uint8".equals(stored) ? (buf.get() & 0xFF) : (buf.getShort() & 0xFFFF);
                    double v = raw * scale + min;
                    values[k] = (float) (integer ? Math.rint(v) : v);
                }
            }
            if (out.put(name, new Weight(name, dtype, shape, values)) != null) {
                throw new IllegalArgumentException(source + ": duplicate weight " + name);
            }
        }
    }

    /** Converts IEEE 754 binary16 bits to a float. */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static Object parseFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String name = file.getFileName().toString();
        try {
            return name.endsWith(".js") ? JsLiteralReader.parseModuleExports(text, file.toString())
                    : JsLiteralReader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readShard(Path dir, String manifestPath) {
        Path plain = dir.resolve(manifestPath);
        try {
            if (Files.isRegularFile(plain) && !manifestPath.endsWith(".js")) {
                return Files.readAllBytes(plain);
            }
            for (Path js : new Path[] {plain, dir.resolve(manifestPath + ".min.js"), dir.resolve(manifestPath + ".js")}) {
                if (Files.isRegularFile(js) && js.getFileName().toString().endsWith(".js")) {
                    Object exported = parseFile(js);
                    if (!(exported instanceof String s)) {
                        throw new IllegalArgumentException(js + ": the module does not export a base64 string");
                    }
                    try {
                        return Base64.getMimeDecoder().decode(s);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(js + ": the exported string is not base64", e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read weight shard " + plain, e);
        }
        throw new IllegalArgumentException("weight shard '" + manifestPath + "' not found in " + dir
                + " (looked for " + manifestPath + ", " + manifestPath + ".min.js, " + manifestPath + ".js)");
    }

    /** {@return the nodes, in file order, by name} */
    public Map<String, Node> nodes() {
        return nodes;
    }

    /**
     * {@return the node with this name, or null}
     *
     * @param name the node's name
     */
    public Node node(String name) {
        return nodes.get(name);
    }

    /** {@return the weights, in manifest order, by name} */
    public Map<String, Weight> weights() {
        return weights;
    }

    /**
     * {@return the weight with this name, or null}
     *
     * @param name the weight's name
     */
    public Weight weight(String name) {
        return weights.get(name);
    }

    /** {@return how many nodes use each op, sorted by op name} */
    public Map<String, Integer> opCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Node n : nodes.values()) {
            counts.merge(n.op(), 1, Integer::sum);
        }
        return counts;
    }

    /** {@return the names of the {@code Placeholder} nodes (the graph's inputs), in file order} */
    public List<String> placeholders() {
        List<String> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            if ("Placeholder".equals(n.op())) {
                out.add(n.name());
            }
        }
        return out;
    }

    // ---- helpers for the loosely typed document ----

    static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }

    private static Map<?, ?> asMap(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException(what + " is not an object: " + o);
    }

    private static List<?> asList(Object o, String what) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException(what + " is not an array: " + o);
    }

    private static String asString(Object o, String what) {
        if (o instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(what + " is not a string: " + o);
    }

    private static double asNumber(Object o, String what) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException(what + " is not a number: " + o);
    }

    private static long[] numberDims(Object o, String what) {
        List<?> l = asList(o, what);
        long[] out = new long[l.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = (long) asNumber(l.get(k), what);
            if (out[k] < 0) {
                throw new IllegalArgumentException(what + " has a negative dimension: " + l);
            }
        }
        return out;
    }

    /** Reads {@code [{size: "-1"}, {size: "224"}, {}]} (a missing size means 0, as in protobuf JSON). */
    static long[] dims(Object dimList, String what) {
        if (dimList == null) {
            return new long[0];
        }
        List<?> l = asList(dimList, what);
        long[] out = new long[l.size()];
        for (int k = 0; k < out.length; k++) {
            Object size = asMap(l.get(k), what).get("size");
            out[k] = size == null ? 0 : (long) asNumber(size, what);
        }
        return out;
    }
}
