package org.relax4j.tfjs;

import java.util.Arrays;
import org.relax4j.tfjs.TfjsGraphModel.Node;

/** MatMul and _FusedMatMul on 2-D values, with {@code transpose_a/b}; a constant right operand is transposed once. */
final class DenseOps {
    private DenseOps() {
    }

    static Value matMul(Node n, Conversion c) {
        Value a = c.activation(n, 0);
        Value b = c.in(n, 1);
        if (a.nchw || a.rank() != 2 || b.rank() != 2) {
            throw new UnsupportedTfjsOpException(n.op(), n.name(), "operands of shapes "
                    + Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape) + "; only 2-D");
        }
        boolean ta = n.attrBool("transpose_a", false);
        boolean tb = n.attrBool("transpose_b", false);
        String an = a.name;
        long rows = a.shape[0];
        if (ta) {
            an = c.onnx.node("Transpose", n.name() + "#transpose_a").inputs(an).outputs(n.name() + "#a_t")
                    .attr("perm", new long[] {1, 0}).add();
            rows = a.shape[1];
        }
        String bn;
        long cols;
        if (b.constant != null) {
            long[] bs = b.shape;
            if (tb) {
                bn = b.name + "#t";
                if (!c.onnx.hasInitializer(bn)) {
                    c.onnx.initializer(bn, new long[] {bs[1], bs[0]},
                            Layouts.transpose2d(b.constant.values(), (int) bs[0], (int) bs[1]));
                }
                cols = bs[0];
            } else {
                bn = c.materialize(b);
                cols = bs[1];
            }
        } else {
            bn = b.name;
            cols = b.shape[1];
            if (tb) {
                bn = c.onnx.node("Transpose", n.name() + "#transpose_b").inputs(bn).outputs(n.name() + "#b_t")
                        .attr("perm", new long[] {1, 0}).add();
                cols = b.shape[0];
            }
        }
        ImageOps.Fused fz = "_FusedMatMul".equals(n.op())
                ? ImageOps.fused(n, c, n.attrStrings("fused_ops"), (int) cols) : ImageOps.Fused.NONE;
        boolean more = fz.bias() != null || fz.activation() != null;
        String y = c.onnx.node("MatMul", more ? n.name() + "#matmul" : n.name()).inputs(an, bn)
                .outputs(more ? n.name() + "#matmul" : n.name()).add();
        if (fz.bias() != null) {
            String target = fz.activation() == null ? n.name() : n.name() + "#bias";
            y = c.onnx.node("Add", target).inputs(y, fz.bias()).outputs(target).add();
        }
        if (fz.activation() != null) {
            y = Activations.BY_NAME.get(fz.activation()).emit(n, c, y, n.name());
        }
        return Value.computed(y, new long[] {rows, cols}, false);
    }
}
