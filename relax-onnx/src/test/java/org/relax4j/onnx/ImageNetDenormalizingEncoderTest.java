package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.relax4j.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.InputBatch;

class ImageNetDenormalizingEncoderTest {

    @Test
    void maskedPixelsBecomeTheMeanColourAndOthersAreDenormalised() {
        float[] seen = new float[2 * 3 * 4];
        Encoder capture = batch -> {
            assertEquals(0, batch.offset());
            System.arraycopy(batch.data(), 0, seen, 0, seen.length);
            return new Embeddings(batch.size(), 1, new float[batch.size()]);
        };
        float[] x = new float[5 + seen.length]; // batch view from offset 5
        float[] mean = ImageNetDenormalizingEncoder.mean();
        float[] std = ImageNetDenormalizingEncoder.std();
        // sample 1: (rgb - mean) / std for rgb = 1 everywhere
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 4; p++) {
                x[5 + 12 + c * 4 + p] = (1f - mean[c]) / std[c];
            }
        }
        float[] before = x.clone();
        new ImageNetDenormalizingEncoder(capture).encode(new InputBatch(x, 5, 2, 3, 2, 2));
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 4; p++) {
                assertEquals(mean[c], seen[c * 4 + p], 0f, "a zero (fully masked) input is the ImageNet mean");
                assertEquals(1f, seen[12 + c * 4 + p], 1e-6f);
            }
        }
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(x), "input not modified");
    }

    @Test
    void rejectsNonRgbAndClosesTheDelegate() {
        AtomicBoolean closed = new AtomicBoolean();
        class Closing implements Encoder, AutoCloseable {
            @Override
            public Embeddings encode(InputBatch batch) {
                return new Embeddings(batch.size(), 1, new float[batch.size()]);
            }

            @Override
            public void close() {
                closed.set(true);
            }
        }
        ImageNetDenormalizingEncoder enc = new ImageNetDenormalizingEncoder(new Closing());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.encode(new InputBatch(new float[4], 0, 1, 1, 2, 2)));
        assertTrue(e.getMessage().contains("3 (RGB)"), e.getMessage());
        enc.close();
        assertTrue(closed.get());
    }
}
