package org.relax4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputBatch;
import org.relax4j.image.Normalization;

/** The one input adapter of the image encoders: chunks, layout and pixel space, checked against hand-made cases. */
class InputAdapterTest {
    /** Two inputs of 2 channels over 1 × 3 positions: value = 100·input + 10·channel + position. */
    static InputBatch batch() {
        float[] d = new float[12];
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 2; c++) {
                for (int p = 0; p < 3; p++) {
                    d[b * 6 + c * 3 + p] = 100 * b + 10 * c + p;
                }
            }
        }
        return new InputBatch(d, 0, 2, 2, new int[] {1, 3});
    }

    @Test
    void laysOutNhwcAndCopiesNchw() {
        float[] nhwc = new float[6];
        new InputAdapter(Layout.NHWC, null, 0, 0).copy(batch(), 1, 1, nhwc, 0);
        assertArrayEquals(new float[] {100, 110, 101, 111, 102, 112}, nhwc);
        float[] nchw = new float[12];
        InputAdapter plain = new InputAdapter(Layout.NCHW, Normalization.imagenet().conversionTo(Normalization.imagenet()),
                0, 0);
        assertTrue(plain.isPassThrough(), "an identity conversion is no conversion");
        plain.copy(batch(), 0, 2, nchw, 0);
        assertArrayEquals(batch().data(), nchw);
        assertArrayEquals(new long[] {5, 1, 3, 2}, Layout.NHWC.shape(5, 2, 1, 3));
    }

    @Test
    void convertsPixelsInEitherLayout() {
        Normalization from = Normalization.of(new float[] {0, 0}, new float[] {1, 2});
        Normalization to = Normalization.of(new float[] {0, 0}, new float[] {1, 1});
        InputAdapter a = new InputAdapter(Layout.NHWC, from.conversionTo(to), 0, 0);
        assertFalse(a.isPassThrough());
        float[] out = new float[6];
        a.copy(batch(), 0, 1, out, 0);
        // channel 1's values are scaled by its std of 2 (x·std + mean into [0,1]-space, then (v − 0) / 1)
        assertArrayEquals(new float[] {0, 20, 1, 22, 2, 24}, out);
    }

    @Test
    void chunksByTheModelsBatch() {
        assertEquals(7, new InputAdapter(Layout.NCHW, null, 0, 0).chunk(7));
        assertEquals(3, new InputAdapter(Layout.NCHW, null, 3, 0).chunk(7));
        assertEquals(4, new InputAdapter(Layout.NCHW, null, 3, 4).chunk(7), "a fixed batch wins");
        assertEquals(4, new InputAdapter(Layout.NCHW, null, 0, 4).runRows(1), "padded to the fixed batch");
        assertEquals(Layout.NHWC, Layout.infer(new long[] {-1, 224, 224, 3}));
        assertEquals(Layout.NCHW, Layout.infer(new long[] {-1, 3, 8, 3}));
    }

    @Test
    void aDescriptorWritesWhatIsKnown() {
        ModelDescriptor d = new ModelDescriptor("m", null, null, "x", "y", Layout.NCHW, Normalization.unit(), 0);
        assertEquals(Map.of("name", "m", "input", "x", "output", "y", "layout", "NCHW", "pixels", "unit"), d.toMap());
        assertEquals("m (input x, output y)", d.summary());
        assertEquals("m (8-d embedding)", d.withDimension(8).summary());
    }
}
