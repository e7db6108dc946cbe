package org.relax4j.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.relax4j.tfjs.ProtoWriter;

/**
 * The model-parameter randomisation test's models (Adebayo et al., 2018): an ONNX model with the weights of its
 * top layers re-initialised. A layer is a node with learned parameters (Conv, ConvTranspose, Gemm, MatMul and the
 * normalisations' scale and bias), in graph order; its parameters are the float initializers it reads. Re-initialised
 * weights are drawn from N(0, σ²) with σ the original tensor's own standard deviation, so activations keep their
 * scale and the randomised model still runs in its usual range. A batch normalisation's running mean and variance are
 * kept (randomising a variance can make it negative).
 *
 * <p>Works on the model's bytes (a small protobuf edit, every other field copied byte for byte); initializers stored
 * outside the file are refused.
 */
public final class ParameterRandomization {
    private static final Set<String> LAYERS = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization",
            "LayerNormalization", "InstanceNormalization");
    private static final int FLOAT = 1;

    /**
     * A layer with parameters.
     *
     * @param node the node's name (or its first output when unnamed)
     * @param opType the operator
     * @param initializers the parameter tensors' names
     * @param parameters how many numbers they hold
     */
    public record Layer(String node, String opType, List<String> initializers, long parameters) {
    }

    private record Tensor(ProtoFields.Field field, long[] dims, int dataType, boolean external) {
    }

    private final byte[] model;
    private final List<Layer> layers;
    private final Map<String, Tensor> initializers;

    private ParameterRandomization(byte[] model, List<Layer> layers, Map<String, Tensor> initializers) {
        this.model = model;
        this.layers = layers;
        this.initializers = initializers;
    }

    /**
     * Reads a model's layers.
     *
     * @param model the ONNX model's bytes. Not modified; kept.
     * @return the randomiser
     * @throws IllegalArgumentException if the bytes are not an ONNX model with a graph, or it has no layer with
     *         parameters
     */
    public static ParameterRandomization of(byte[] model) {
        Objects.requireNonNull(model, "model");
        ProtoFields.Field graph = graphField(model);
        Map<String, Tensor> inits = new LinkedHashMap<>();
        List<ProtoFields.Field> nodes = new ArrayList<>();
        for (ProtoFields.Field f : ProtoFields.read(model, graph.payload(), graph.end())) {
            if (f.number() == 5 && f.wireType() == 2) {
                String name = null;
                List<Long> dims = new ArrayList<>();
                int type = 0;
                boolean external = false;
                for (ProtoFields.Field t : ProtoFields.read(model, f.payload(), f.end())) {
                    switch (t.number()) {
                        case 1 -> ProtoFields.int64s(model, t, dims);
                        case 2 -> type = (int) t.value();
                        case 8 -> name = ProtoFields.string(model, t);
                        case 14 -> external = t.value() == 1;
                        default -> { }
                    }
                }
                if (name != null) {
                    inits.put(name, new Tensor(f, dims.stream().mapToLong(Long::longValue).toArray(), type, external));
                }
            } else if (f.number() == 1 && f.wireType() == 2) {
                nodes.add(f);
            }
        }
        List<Layer> layers = new ArrayList<>();
        Set<String> taken = new LinkedHashSet<>();
        for (ProtoFields.Field n : nodes) {
            List<String> inputs = new ArrayList<>();
            String name = null;
            String firstOutput = null;
            String op = null;
            for (ProtoFields.Field a : ProtoFields.read(model, n.payload(), n.end())) {
                switch (a.number()) {
                    case 1 -> inputs.add(ProtoFields.string(model, a));
                    case 2 -> firstOutput = firstOutput == null ? ProtoFields.string(model, a) : firstOutput;
                    case 3 -> name = ProtoFields.string(model, a);
                    case 4 -> op = ProtoFields.string(model, a);
                    default -> { }
                }
            }
            if (op == null || !LAYERS.contains(op)) {
                continue;
            }
            List<String> params = new ArrayList<>();
            long count = 0;
            for (int k = 0; k < inputs.size(); k++) {
                Tensor t = inits.get(inputs.get(k));
                boolean runningStats = op.equals("BatchNormalization") && k >= 3;
                if (t != null && t.dataType() == FLOAT && !runningStats && taken.add(inputs.get(k))) {
                    params.add(inputs.get(k));
                    count += elements(t.dims());
                }
            }
            if (!params.isEmpty()) {
                layers.add(new Layer(name == null || name.isEmpty() ? firstOutput : name, op, List.copyOf(params),
                        count));
            }
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("the model has no layer with parameters in initializers (looked for "
                    + LAYERS + ")");
        }
        return new ParameterRandomization(model, List.copyOf(layers), inits);
    }

    private static ProtoFields.Field graphField(byte[] model) {
        List<ProtoFields.Field> top;
        try {
            top = ProtoFields.read(model, 0, model.length);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        return top.stream().filter(f -> f.number() == 7 && f.wireType() == 2).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an ONNX model: no graph"));
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** {@return the layers with parameters, in graph order (input first)} */
    public List<Layer> layers() {
        return layers;
    }

    /**
     * The model with its top {@code count} layers re-initialised (cascading randomisation: count = 1 is the last
     * layer alone, {@code layers().size()} every layer).
     *
     * @param count how many layers from the top, in [0, layers().size()]
     * @param seed the new weights' seed; each tensor's draw depends on the seed and its name only
     * @return the edited model's bytes
     */
    public byte[] randomizeTop(int count, long seed) {
        if (count < 0 || count > layers.size()) {
            throw new IllegalArgumentException("count must be in [0, " + layers.size() + "], got " + count);
        }
        Set<String> names = new LinkedHashSet<>();
        for (Layer l : layers.subList(layers.size() - count, layers.size())) {
            names.addAll(l.initializers());
        }
        for (String n : names) {
            if (initializers.get(n).external()) {
                throw new IllegalArgumentException("initializer " + n + " is stored outside the model file; "
                        + "randomisation needs the weights inside it");
            }
        }
        ProtoFields.Field graph = graphField(model);
        ProtoWriter g = new ProtoWriter();
        for (ProtoFields.Field f : ProtoFields.read(model, graph.payload(), graph.end())) {
            String name = null;
            if (f.number() == 5 && f.wireType() == 2) {
                for (Map.Entry<String, Tensor> e : initializers.entrySet()) {
                    if (e.getValue().field().start() == f.start()) {
                        name = e.getKey();
                        break;
                    }
                }
            }
            if (name != null && names.contains(name)) {
                g.message(5, randomTensor(f, seed ^ name.hashCode() * 0x9E3779B97F4A7C15L));
            } else {
                g.raw(model, f.start(), f.end() - f.start());
            }
        }
        ProtoWriter m = new ProtoWriter();
        for (ProtoFields.Field f : ProtoFields.read(model, 0, model.length)) {
            if (f.start() == graph.start()) {
                m.message(7, g);
            } else {
                m.raw(model, f.start(), f.end() - f.start());
            }
        }
        return m.toByteArray();
    }

    /** The tensor with its data replaced by N(0, σ²) draws, σ the old values' standard deviation. */
    private ProtoWriter randomTensor(ProtoFields.Field tensor, long seed) {
        List<ProtoFields.Field> fields = ProtoFields.read(model, tensor.payload(), tensor.end());
        float[] old = values(fields);
        double mean = 0;
        for (float v : old) {
            mean += v;
        }
        mean /= Math.max(1, old.length);
        double var = 0;
        for (float v : old) {
            var += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(var / Math.max(1, old.length));
        SplittableRandom rng = new SplittableRandom(seed);
        ByteBuffer raw = ByteBuffer.allocate(old.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < old.length; k++) {
            raw.putFloat((float) (sd * rng.nextGaussian()));
        }
        ProtoWriter t = new ProtoWriter();
        for (ProtoFields.Field f : fields) {
            if (f.number() != 4 && f.number() != 9) {
                t.raw(model, f.start(), f.end() - f.start());
            }
        }
        t.bytes(9, raw.array());
        return t;
    }

    /** A float tensor's values from raw_data (little-endian) or float_data (packed or not). */
    private float[] values(List<ProtoFields.Field> fields) {
        for (ProtoFields.Field f : fields) {
            if (f.number() == 9) {
                ByteBuffer b = ByteBuffer.wrap(model, f.payload(), f.payloadLength()).order(ByteOrder.LITTLE_ENDIAN);
                float[] v = new float[f.payloadLength() / 4];
                b.asFloatBuffer().get(v);
                return v;
            }
        }
        List<Float> vs = new ArrayList<>();
        for (ProtoFields.Field f : fields) {
            if (f.number() == 4 && f.wireType() == 2) {
                ByteBuffer b = ByteBuffer.wrap(model, f.payload(), f.payloadLength()).order(ByteOrder.LITTLE_ENDIAN);
                while (b.remaining() >= 4) {
                    vs.add(b.getFloat());
                }
            } else if (f.number() == 4 && f.wireType() == 5) {
                vs.add(ByteBuffer.wrap(model, f.payload(), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
            }
        }
        float[] v = new float[vs.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = vs.get(k);
        }
        return v;
    }
}
