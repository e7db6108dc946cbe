package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;

class RelaxTest {

    static InputTensor positiveInput(int c, int h, int w, long seed) {
        Random rnd = new Random(seed);
        float[] d = new float[c * h * w];
        for (int k = 0; k < d.length; k++) {
            d[k] = 0.2f + rnd.nextFloat();
        }
        return InputTensor.of(c, h, w, d);
    }

    private static Explanation run(RelaxConfig config, InputTensor x, Encoder encoder) {
        try (Relax relax = new Relax(config)) {
            return relax.explain(x, encoder);
        }
    }

    @Test
    void sameSeedGivesBitIdenticalMapsAcrossThreadsAndBatchSizes() {
        InputTensor x = positiveInput(3, 48, 40, 1);
        Encoder enc = Encoders.wholeInput(3, 48, 40, 8, 2);
        RelaxConfig base = RelaxConfig.builder().masks(300).seed(17).build();
        Explanation a = run(base.toBuilder().threads(1).batchSize(100).build(), x, enc);
        Explanation b = run(base.toBuilder().threads(3).batchSize(100).build(), x, enc);
        Explanation c = run(base.toBuilder().threads(2).batchSize(7).build(), x, enc);
        Explanation d = run(base.toBuilder().threads(2).batchSize(300).build(), x, enc);
        for (Explanation e : List.of(b, c, d)) {
            assertArrayEquals(a.importance().values(), e.importance().values());
            assertArrayEquals(a.uncertainty().values(), e.uncertainty().values());
            assertArrayEquals(a.uRelax().values(), e.uRelax().values());
        }
        Explanation other = run(base.toBuilder().seed(18).build(), x, enc);
        assertFalse(java.util.Arrays.equals(a.importance().values(), other.importance().values()));
        assertEquals(300, a.masksUsed());
    }

    /** An encoder that only sees the top-left quadrant: importance there must stand out. */
    @Test
    void importanceIsHighWhereTheEncoderLooks() {
        int h = 56;
        int w = 56;
        InputTensor x = positiveInput(3, h, w, 5);
        Encoder enc = Encoders.regionProjection(3, 0, h / 2, 0, w / 2, 16, 9);
        Explanation e = run(RelaxConfig.builder().masks(1000).seed(1).build(), x, enc);
        PixelMap imp = e.importance();
        double looked = imp.mean(0, h / 2, 0, w / 2);
        double[] others = {imp.mean(0, h / 2, w / 2, w), imp.mean(h / 2, h, 0, w / 2), imp.mean(h / 2, h, w / 2, w)};
        for (double o : others) {
            assertTrue(looked > o + 0.02, "importance where the encoder looks " + looked + " vs elsewhere " + o);
        }
        // Far from the watched quadrant, the mask does not matter: importance is the plain mean similarity.
        double spread = Math.abs(imp.mean(h - 8, h, w - 8, w) - imp.mean(h - 8, h, w / 2 + 4, w / 2 + 12));
        assertTrue(spread < 0.01, "importance far from the watched quadrant varies by " + spread);
        // Variance and U-RELAX are consistent with importance and uncertainty.
        float[] u = e.uncertainty().values();
        float[] v = e.variance().values();
        float[] ur = e.uRelax().values();
        float[] r = imp.values();
        int kept = 0;
        for (int p = 0; p < r.length; p++) {
            assertTrue(v[p] >= 0 && u[p] >= 0);
            assertTrue(ur[p] == 0f || ur[p] == r[p]);
            kept += ur[p] == r[p] ? 1 : 0;
        }
        assertTrue(kept >= r.length / 2, "U-RELAX keeps at least half the pixels, kept " + kept);
    }

    @Test
    void reportsProgressAndTimings() {
        List<Progress> seen = new ArrayList<>();
        InputTensor x = positiveInput(1, 20, 20, 2);
        try (Relax relax = new Relax(RelaxConfig.builder().masks(250).batchSize(100).build())) {
            Explanation e = relax.explain(x, Encoders.wholeInput(1, 20, 20, 4, 1), seen::add, new CancellationToken());
            assertEquals(3, seen.size());
            assertEquals(100, seen.get(0).masksDone());
            assertEquals(250, seen.get(2).masksDone());
            assertEquals(1.0, seen.get(2).fraction());
            assertTrue(seen.get(0).remaining().toNanos() > 0);
            Timings t = e.timings();
            assertTrue(t.total().compareTo(t.encoder()) >= 0);
            assertTrue(t.encoder().toNanos() > 0 && t.masking().toNanos() > 0 && t.accumulation().toNanos() > 0);
            assertTrue(e.engine().startsWith("cpu"), e.engine());
        }
    }

    @Test
    void cancellationStopsBeforeTheNextBatch() {
        CancellationToken token = new CancellationToken();
        int[] calls = {0};
        Encoder enc = Encoders.wholeInput(1, 20, 20, 4, 1);
        Encoder counting = batch -> {
            calls[0]++;
            return enc.encode(batch);
        };
        try (Relax relax = new Relax(RelaxConfig.builder().masks(500).batchSize(100).build())) {
            CancellationException e = assertThrows(CancellationException.class,
                    () -> relax.explain(positiveInput(1, 20, 20, 1), counting, p -> token.cancel(), token));
            assertTrue(e.getMessage().contains("100 of 500"), e.getMessage());
            assertEquals(2, calls[0], "the unmasked input and one batch");
        }
    }

    @Test
    void supplierMasksAreUsedMaskForMask() {
        // Masks replayed from a source give the same maps as the same masks drawn at random.
        org.relax4j.mask.RandomMasks random = new org.relax4j.mask.RandomMasks(3, 7, 0.5f);
        int n = 120;
        byte[] grids = new byte[n * 49];
        int[] shifts = new int[2 * n];
        for (int k = 0; k < n; k++) {
            random.draw(k, grids, k * 49, shifts, 2 * k);
        }
        InputTensor x = positiveInput(3, 30, 30, 3);
        Encoder enc = Encoders.wholeInput(3, 30, 30, 5, 4);
        Explanation a = run(RelaxConfig.builder().masks(n).seed(3).build(), x, enc);
        Explanation b = run(RelaxConfig.builder().masks(n).maskSource(new org.relax4j.mask.RecordedMasks(7, grids, shifts)).build(), x, enc);
        assertArrayEquals(a.importance().values(), b.importance().values());
    }
}
