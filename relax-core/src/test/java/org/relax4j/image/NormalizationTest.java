package org.relax4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputTensor;

class NormalizationTest {

    @Test
    void accessorsReturnCopiesSoTheConstantsCannotBeChanged() {
        float[] m = Normalization.imagenet().mean();
        m[0] = 99f;
        Normalization.imagenet().std()[1] = 99f;
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, Normalization.imagenet().mean());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, Normalization.imagenet().std());
        float[] mean = {0.5f};
        Normalization n = Normalization.of(mean, new float[] {0.25f});
        mean[0] = 7f;
        assertEquals(0.5f, n.mean(0));
    }

    @Test
    void rejectsBadStatisticsNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Normalization.of(new float[] {0f, 0f}, new float[] {1f, 0f}));
        assertTrue(e.getMessage().contains("std[1] (0.0)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Normalization.of(new float[] {0f}, new float[] {1f, 1f}));
        assertThrows(IllegalArgumentException.class, () -> Normalization.of(new float[] {Float.NaN}, new float[] {1f}));
        assertThrows(IllegalArgumentException.class, () -> Normalization.of(new float[0], new float[0]));
    }

    @Test
    void conversionFromImagenetToUnitIsTheDenormalisationExactly() {
        Normalization.Conversion c = Normalization.imagenet().conversionTo(Normalization.unit());
        assertFalse(c.isIdentity());
        Random rnd = new Random(12);
        int plane = 5;
        float[] x = new float[2 * 3 * plane + 1];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) rnd.nextGaussian();
        }
        float[] y = new float[2 * 3 * plane];
        c.apply(x, 1, y, 0, 2, 3, plane);
        float[] mean = Normalization.imagenet().mean();
        float[] std = Normalization.imagenet().std();
        for (int b = 0; b < 2; b++) {
            for (int ch = 0; ch < 3; ch++) {
                for (int p = 0; p < plane; p++) {
                    int k = (b * 3 + ch) * plane + p;
                    assertEquals(x[1 + k] * std[ch] + mean[ch], y[k], 0f);
                }
            }
        }
        float[] nhwc = new float[y.length];
        c.applyToNhwc(x, 1, nhwc, 0, 2, 3, plane);
        for (int b = 0; b < 2; b++) {
            for (int ch = 0; ch < 3; ch++) {
                for (int p = 0; p < plane; p++) {
                    assertEquals(y[(b * 3 + ch) * plane + p], nhwc[(b * plane + p) * 3 + ch], 0f);
                }
            }
        }
    }

    @Test
    void conversionBetweenAnySpacesMatchesDenormaliseThenNormalise() {
        Normalization from = Normalization.of(new float[] {0.2f, 0.5f}, new float[] {0.3f, 0.1f});
        Normalization to = Normalization.of(new float[] {0.5f, 0.5f}, new float[] {0.5f, 0.5f});
        InputTensor rgb = InputTensor.of(2, 1, 3, new float[] {0f, 0.5f, 1f, 0.25f, 0.75f, 0.1f});
        InputTensor x = from.normalize(rgb);
        float[] y = new float[6];
        from.conversionTo(to).apply(x.toArray(), 0, y, 0, 1, 2, 3);
        assertArrayEquals(to.normalize(from.denormalize(x)).toArray(), y, 1e-5f);
        assertTrue(Normalization.imagenet().conversionTo(Normalization.imagenet()).isIdentity());
        assertThrows(IllegalArgumentException.class, () -> from.conversionTo(Normalization.unit()));
    }

    @Test
    void valueSemantics() {
        assertEquals(Normalization.unit(), Normalization.of(new float[3], new float[] {1f, 1f, 1f}));
        assertNotEquals(Normalization.unit(), Normalization.imagenet());
        assertEquals("imagenet", Normalization.imagenet().toString());
    }
}
