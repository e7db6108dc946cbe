package org.relax4j.tfjs;

import java.util.Arrays;
import java.util.List;
import org.relax4j.tfjs.TfjsGraphModel.Node;
import org.relax4j.tfjs.TfjsGraphModel.Weight;

/**
 * Ops on NHWC images (stored NCHW): convolutions (plain, depthwise, fused with a bias and an activation), BiasAdd,
 * pools. Filters are rearranged: Conv2D HWIO → OIHW; depthwise HWCM → {@code [C·M, 1, h, w]} with {@code group = C}.
 */
final class ImageOps {
    private ImageOps() {
    }

    /** A fused op's bias initializer and activation (each may be null). */
    record Fused(String bias, String activation) {
        static final Fused NONE = new Fused(null, null);
    }

    /** Conv2D / _FusedConv2D ({@code depthwise} false) or the depthwise forms. */
    static Lowering conv(boolean depthwise) {
        return (n, c) -> conv(n, c, depthwise);
    }

    private static Value conv(Node n, Conversion c, boolean depthwise) {
        Value x = c.activation(n, 0);
        Conversion.requireNhwcImage(n, x);
        Weight f = c.constantInput(n, 1, "the filter");
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
        long[] strides = Padding.spatial(n, "strides");
        long[] dilations = Padding.spatial(n, "dilations");
        int cout = depthwise ? cin * m : m;
        String wname;
        if (depthwise) {
            wname = f.name() + "/depthwise";
            if (!c.onnx.hasInitializer(wname)) {
                c.onnx.initializer(wname, new long[] {(long) cin * m, 1, kh, kw}, Layouts.hwcmToDepthwise(f.values(), kh, kw, cin, m));
            }
        } else {
            wname = f.name() + "/oihw";
            if (!c.onnx.hasInitializer(wname)) {
                c.onnx.initializer(wname, new long[] {m, cin, kh, kw}, Layouts.hwioToOihw(f.values(), kh, kw, cin, m));
            }
        }
        boolean isFused = n.op().startsWith("_Fused") || n.op().startsWith("Fused");
        Fused fz = isFused ? fused(n, c, n.attrStrings("fused_ops"), cout) : Fused.NONE;
        String act = fz.activation();
        long[] outShape = new long[] {x.shape[0], -1, -1, cout};
        String convName = act == null ? n.name() : n.name() + "#conv";
        OnnxModelBuilder.Node conv = c.onnx.node("Conv", convName);
        if (fz.bias() != null) {
            conv.inputs(x.name, wname, fz.bias());
        } else {
            conv.inputs(x.name, wname);
        }
        conv.outputs(convName)
                .attr("kernel_shape", new long[] {kh, kw})
                .attr("strides", strides)
                .attr("dilations", dilations)
                .attr("group", depthwise ? (long) cin : 1L);
        Padding.apply(n, conv, x.shape, new long[] {kh, kw}, strides, dilations, outShape);
        String y = conv.add();
        if (act != null) {
            y = Activations.BY_NAME.get(act).emit(n, c, y, n.name());
        }
        return Value.computed(y, outShape, true);
    }

    /**
     * Reads {@code fused_ops} / {@code num_args} of a fused conv or matmul: [BiasAdd] optionally followed by one of
     * {@link Activations#BY_NAME}; writes the bias initializer.
     */
    static Fused fused(Node n, Conversion c, List<String> ops, int channels) {
        long numArgs = n.attrInt("num_args", ops.isEmpty() ? 0 : 1);
        if (ops.isEmpty()) {
            return Fused.NONE;
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
        Weight b = c.constantInput(n, 2, "the bias");
        if (b.size() != channels) {
            throw new IllegalArgumentException("node '" + n.name() + "': bias has " + b.size()
                    + " values for " + channels + " output channels");
        }
        String bname = c.initializerOnce(b.name() + "#bias", new long[] {channels}, b.values());
        String act = ops.size() == 2 ? ops.get(1) : null;
        if (act != null && !Activations.BY_NAME.containsKey(act)) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "fused activation '" + act + "'");
        }
        return new Fused(bname, act);
    }

    /** BiasAdd: an Add of the bias, reshaped to [C, 1, 1] against an image. */
    static Value biasAdd(Node n, Conversion c) {
        Value x = c.activation(n, 0);
        Weight b = c.constantInput(n, 1, "the bias");
        Conversion.requireNhwcImage(n, null);
        String bname = x.nchw ? c.initializerOnce(b.name() + "#c11", new long[] {b.size(), 1, 1}, b.values())
                : c.materialize(c.in(n, 1));
        String out = c.onnx.node("Add", n.name()).inputs(x.name, bname).outputs(n.name()).add();
        return Value.computed(out, x.shape, x.nchw);
    }

    /** AvgPool (averaging over valid elements only, as TensorFlow) and MaxPool. */
    static Value pool(Node n, Conversion c) {
        Value x = c.activation(n, 0);
        Conversion.requireNhwcImage(n, x);
        long[] kernel = Padding.spatial(n, "ksize");
        long[] strides = Padding.spatial(n, "strides");
        long[] outShape = {x.shape[0], -1, -1, x.shape[3]};
        boolean avg = "AvgPool".equals(n.op());
        OnnxModelBuilder.Node node = c.onnx.node(avg ? "AveragePool" : "MaxPool", n.name()).inputs(x.name)
                .outputs(n.name()).attr("kernel_shape", kernel).attr("strides", strides);
        if (avg) {
            node.attr("count_include_pad", 0L); // TensorFlow averages over the valid elements only
        }
        Padding.apply(n, node, x.shape, kernel, strides, new long[] {1, 1}, outShape);
        return Value.computed(node.add(), outShape, true);
    }
}
