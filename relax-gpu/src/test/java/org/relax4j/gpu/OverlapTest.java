package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relax4j.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;

/**
 * The pipeline hides device work behind the encoder: with an encoder that sleeps 1.5 times as long as the device
 * works per batch, an explanation takes about max(encoder, device), not their sum. (Only the first batch's
 * rendering and the last batch's accumulation cannot hide.)
 */
class OverlapTest {

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    private static Encoder sleeping(long millis) {
        return batch -> {
            if (millis > 0) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            float[] out = new float[2 * batch.size()];
            for (int b = 0; b < batch.size(); b++) {
                out[2 * b] = 1f;
                out[2 * b + 1] = batch.data()[batch.offsetOf(b) + 17];
            }
            return new Embeddings(batch.size(), 2, out);
        };
    }

    @Test
    void deviceWorkOverlapsTheEncoder() {
        Random rnd = new Random(1);
        float[] d = new float[3 * 224 * 224];
        for (int k = 0; k < d.length; k++) {
            d[k] = rnd.nextFloat();
        }
        InputTensor x = InputTensor.of(3, 224, 224, d);
        int batches = 6;
        RelaxConfig config = RelaxConfig.builder().engine("opencl").batchSize(100).masks(100L * batches).seed(5).build();
        try (Relax relax = new Relax(config)) {
            relax.explain(x, sleeping(0)); // warm-up
            double device = Double.MAX_VALUE;
            for (int k = 0; k < 2; k++) {
                long t = System.nanoTime();
                relax.explain(x, sleeping(0));
                device = Math.min(device, (System.nanoTime() - t) / 1e9);
            }
            long sleep = Math.max(20, Math.round(1.5 * device / batches * 1e3));
            double encoder = (batches + 1) * sleep / 1e3;
            long t = System.nanoTime();
            relax.explain(x, sleeping(sleep));
            double both = (System.nanoTime() - t) / 1e9;
            double serial = device + encoder;
            double perfect = Math.max(device, encoder);
            System.out.printf(Locale.ROOT, "OverlapTest: device alone %.3f s, encoder alone %.3f s (%d ms x %d calls),"
                    + " together %.3f s; serial would be %.3f s, perfect overlap %.3f s: %.0f%% of the device time hidden%n",
                    device, encoder, sleep, batches + 1, both, serial, perfect, 100 * (serial - both) / device);
            // At least a third of the device time must be hidden (timings on a shared 2-core machine are noisy).
            assertTrue(both < serial - device / 3, String.format(Locale.ROOT,
                    "no overlap: together %.3f s, device %.3f s + encoder %.3f s", both, device, encoder));
        }
    }
}
