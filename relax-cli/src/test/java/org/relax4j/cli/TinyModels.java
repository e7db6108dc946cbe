package org.relax4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.relax4j.tfjs.OnnxModelBuilder;

/** Small ONNX models for the command line's tests, built with relax-tfjs's model builder. */
public final class TinyModels {
    private TinyModels() {
    }

    /**
     * Writes {@code relu(flatten(x) · W)}: input (N, 3, size, size), output (N, dim), W fixed random from
     * {@code seed}, so every pixel matters to the representation.
     */
    public static Path writeLinear(Path file, int size, int dim, long seed) throws IOException {
        int features = 3 * size * size;
        float[] w = new float[features * dim];
        Random rnd = new Random(seed);
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) rnd.nextGaussian();
        }
        OnnxModelBuilder b = new OnnxModelBuilder("linear");
        b.input("x", OnnxModelBuilder.FLOAT, new long[] {-1, 3, size, size});
        String weights = b.initializer("w", new long[] {features, dim}, w);
        b.node("Flatten", "flatten").inputs("x").outputs("f").attr("axis", 1L).add();
        b.node("MatMul", "matmul").inputs("f", weights).outputs("m").add();
        b.node("Relu", "relu").inputs("m").outputs("y").add();
        b.output("y", OnnxModelBuilder.FLOAT, new long[] {-1, dim});
        return Files.write(file, b.toBytes("relax-cli-test", "1"));
    }
}
