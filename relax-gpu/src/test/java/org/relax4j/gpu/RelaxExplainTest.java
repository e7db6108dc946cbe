package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.engine.Engine;
import org.relax4j.engine.Engines;

/** The engine as users reach it: by name through the ServiceLoader, inside {@link Relax}. */
class RelaxExplainTest {

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    /** A small plain-Java encoder: tanh of a fixed random projection to 6 values. */
    static Encoder smallEncoder(int inputLength) {
        Random rnd = new Random(99);
        int dim = 6;
        float[] weights = new float[dim * inputLength];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = (float) rnd.nextGaussian() / (float) Math.sqrt(inputLength);
        }
        return batch -> {
            float[] out = new float[batch.size() * dim];
            for (int b = 0; b < batch.size(); b++) {
                int o = batch.offsetOf(b);
                for (int d = 0; d < dim; d++) {
                    double s = 0.1 * (d + 1);
                    for (int k = 0; k < inputLength; k++) {
                        s += weights[d * inputLength + k] * batch.data()[o + k];
                    }
                    out[b * dim + d] = (float) Math.tanh(s);
                }
            }
            return new Embeddings(batch.size(), dim, out);
        };
    }

    @Test
    void explainOnOpenClEqualsTheCpuEngine() {
        Random rnd = new Random(4);
        int c = 3;
        int h = 40;
        int w = 46;
        float[] d = new float[c * h * w];
        for (int k = 0; k < d.length; k++) {
            d[k] = (float) rnd.nextGaussian();
        }
        InputTensor x = InputTensor.of(c, h, w, d);
        Encoder encoder = smallEncoder(d.length);
        RelaxConfig.Builder config = RelaxConfig.builder().masks(300).batchSize(64).seed(2023).threads(2);
        Explanation onCpu;
        Explanation onOpenCl;
        try (Relax relax = new Relax(config.engine("cpu").build())) {
            onCpu = relax.explain(x, encoder);
        }
        try (Relax relax = new Relax(config.engine("opencl").build())) {
            assertTrue(relax.engineDescription().startsWith("opencl ("), relax.engineDescription());
            onOpenCl = relax.explain(x, encoder);
        }
        double importance = OpenClTestSupport.maxRelDiff(onCpu.importance().values(), onOpenCl.importance().values());
        double uncertainty = OpenClTestSupport.maxRelDiff(onCpu.uncertainty().values(), onOpenCl.uncertainty().values());
        System.out.println("RelaxExplainTest: max relative difference opencl vs cpu: importance " + importance
                + ", uncertainty " + uncertainty);
        double tolerance = OpenClTestSupport.mapTolerance();
        assertTrue(importance <= tolerance, "importance differs by " + importance);
        assertTrue(uncertainty <= tolerance, "uncertainty differs by " + uncertainty);
        assertEquals(onCpu.masksUsed(), onOpenCl.masksUsed());
    }

    @Test
    void theEngineIsFoundByName() {
        assertTrue(Engines.available().contains("opencl"), Engines.available().toString());
        try (Engine e = Engines.create("opencl", 1, null)) {
            assertEquals("opencl", e.name());
            assertTrue(e instanceof OpenClEngine);
            assertTrue(e.device().contains("' on '"), e.device());
        }
        try (Engine e = Engines.create("opencl", 1, "0")) {
            assertTrue(e.device().contains("device #0"), e.device());
        }
    }
}
