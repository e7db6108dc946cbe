package org.relax4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;

class ImagesTest {
    @TempDir
    Path tmp;

    @Test
    void npyRoundTripsWithANumpyHeader() throws IOException {
        PixelMap m = new PixelMap(3, 5, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -1.5f});
        Path f = tmp.resolve("m.npy");
        Npy.write(f, m);
        byte[] bytes = Files.readAllBytes(f);
        int headerLength = (bytes[8] & 0xFF) | ((bytes[9] & 0xFF) << 8);
        assertEquals(0, (10 + headerLength) % 64, "header padded to 64 bytes");
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLength + 15 * 4, bytes.length);
        assertArrayEquals(m.values(), Npy.read(f).values());
    }

    /** Maps of rank 1 (per word) and 3 (a volume) keep their shape: NumPy's tuple "(n,)" and three axes. */
    @Test
    void npyOfEveryRank() throws IOException {
        PixelMap words = new PixelMap(new int[] {4}, new float[] {0.5f, -1f, 2f, 3f});
        Path f = tmp.resolve("w.npy");
        Npy.write(f, words);
        String header = new String(Files.readAllBytes(f), 10, 60, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'shape': (4,), }"), header);
        PixelMap back = Npy.read(f);
        assertArrayEquals(new int[] {4}, back.shape());
        assertArrayEquals(words.values(), back.values());
        PixelMap volume = new PixelMap(new int[] {2, 3, 2}, new float[12]);
        Npy.write(f, volume);
        assertArrayEquals(new int[] {2, 3, 2}, Npy.read(f).shape());
    }

    @Test
    void resizeIsHalfPixelBilinear() {
        // 1x2 → 1x4: sources at x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 → [a, 0.75a + 0.25b, 0.25a + 0.75b, b].
        InputTensor x = InputTensor.of(1, 1, 2, new float[] {0f, 4f});
        assertArrayEquals(new float[] {0f, 1f, 3f, 4f}, Images.resize(x, 1, 4).toArray());
        // Downsizing 4 → 2 samples at 0.5 and 2.5 (no antialiasing).
        InputTensor y = InputTensor.of(1, 1, 4, new float[] {0f, 2f, 4f, 6f});
        assertArrayEquals(new float[] {1f, 5f}, Images.resize(y, 1, 2).toArray());
    }

    @Test
    void normalizeAndDenormalizeAreInverse() {
        InputTensor x = InputTensor.of(3, 1, 2, new float[] {0.485f, 1f, 0.456f, 0f, 0.406f, 0.5f});
        InputTensor n = Images.normalize(x, Normalization.imagenet());
        assertEquals(0f, n.get(0, 0, 0), 1e-7f);
        assertEquals((1f - 0.485f) / 0.229f, n.get(0, 0, 1), 1e-6f);
        assertEquals(-0.456f / 0.224f, n.get(1, 0, 1), 1e-6f);
        InputTensor back = Images.denormalize(n, Normalization.imagenet());
        assertArrayEquals(x.toArray(), back.toArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class,
                () -> Images.normalize(x, Normalization.of(new float[2], new float[] {1f, 1f})));
    }

    @Test
    void readsPngAsRgbInUnitRange() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(2, 1, 0x00FF80);
        Path f = tmp.resolve("x.png");
        ImageIO.write(img, "png", f.toFile());
        InputTensor t = Images.read(f);
        assertEquals(3, t.channels());
        assertEquals(2, t.height());
        assertEquals(3, t.width());
        assertEquals(1f, t.get(0, 0, 0));
        assertEquals(0f, t.get(1, 0, 0));
        assertEquals(1f, t.get(1, 1, 2));
        assertEquals(128 / 255f, t.get(2, 1, 2));
        assertEquals(img.getRGB(2, 1), Images.toImage(t).getRGB(2, 1));
        IOException missing = assertThrows(IOException.class, () -> Images.read(tmp.resolve("nope.png")));
        assertTrue(missing.getMessage().contains("nope.png"));
        Path text = tmp.resolve("text.png");
        Files.writeString(text, "not an image");
        assertThrows(IOException.class, () -> Images.read(text));
    }

    @Test
    void aTruncatedPngNamesTheFile() throws IOException {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Path whole = tmp.resolve("whole.png");
        ImageIO.write(img, "png", whole.toFile());
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = tmp.resolve("cut.png");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> Images.read(cut));
        assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("damaged or truncated"),
                e.getMessage());
    }

    @Test
    void largeImagesAreSubsampledWhileDecoding() throws IOException {
        BufferedImage img = new BufferedImage(1000, 450, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 450; i++) {
            for (int j = 0; j < 1000; j++) {
                img.setRGB(j, i, (j % 256) << 16 | (i % 256));
            }
        }
        Path f = tmp.resolve("big.png");
        ImageIO.write(img, "png", f.toFile());
        // both sides stay at least twice the target: factor min(450 / 100, 1000 / 100) = 4
        InputTensor small = Images.readForSize(f, 50, 50);
        assertEquals(113, small.height());
        assertEquals(250, small.width());
        assertEquals(Images.read(f).get(0, 4, 8), small.get(0, 1, 2), "pixel (4, 8) of the full image");
        // a target above half the size reads the image whole, exactly as read() does
        assertArrayEquals(Images.read(f).unsafeData(), Images.readForSize(f, 300, 300).unsafeData());
    }

    @Test
    void heatmapPanelsAreDrawnSideBySide() throws IOException {
        int h = 32;
        int w = 48;
        float[] ramp = new float[h * w];
        for (int p = 0; p < ramp.length; p++) {
            ramp[p] = p % w;
        }
        PixelMap m = new PixelMap(h, w, ramp);
        InputTensor grey = InputTensor.filled(3, h, w, 0.5f);
        Path f = tmp.resolve("panels.png");
        Heatmaps.write(f, grey, List.of(new Heatmaps.Panel("a", m), new Heatmaps.Panel("b", m)));
        BufferedImage img = ImageIO.read(f.toFile());
        assertTrue(img.getWidth() > 2 * w * 6 && img.getHeight() > h * 6, img.getWidth() + "x" + img.getHeight());
        // Low values are blue, high values red, over the image.
        int scale = Math.round(288f / w);
        int left = img.getRGB(8 + 2, 26 + h * scale / 2);
        int right = img.getRGB(8 + w * scale - 3, 26 + h * scale / 2);
        assertTrue((left & 0xFF) > ((left >> 16) & 0xFF), Integer.toHexString(left));
        assertTrue(((right >> 16) & 0xFF) > (right & 0xFF), Integer.toHexString(right));
        assertThrows(IllegalArgumentException.class,
                () -> Heatmaps.render(grey, List.of(new Heatmaps.Panel("a", new PixelMap(2, 2, new float[4])))));
    }

    @Test
    void colourRampRunsBlueToRed() {
        assertEquals(0x000080, ColorMap.JET.rgb(0f) & 0xFFFFFF);
        assertEquals(0x800000, ColorMap.JET.rgb(1f) & 0xFFFFFF);
        int mid = ColorMap.JET.rgb(0.5f);
        assertEquals(0xFF, (mid >> 8) & 0xFF, "green peaks in the middle");
    }

    @Test
    void viridisIsTheDefaultAndAFixedRangeMakesPanelsComparable() {
        assertEquals(0x440154, ColorMap.VIRIDIS.rgb(0f));
        assertEquals(0xFDE725, ColorMap.VIRIDIS.rgb(1f));
        assertEquals(0x21908D, ColorMap.VIRIDIS.rgb(0.5f));
        float[] v = new float[16];
        java.util.Arrays.fill(v, 0.2f);
        PixelMap low = new PixelMap(4, 4, v.clone());
        java.util.Arrays.fill(v, 0.8f);
        PixelMap high = new PixelMap(4, 4, v.clone());
        // own range: both flat maps get the middle colour; fixed range [0, 1]: they differ, as their values do
        java.awt.image.BufferedImage own = Heatmaps.render(null, List.of(new Heatmaps.Panel("a", low)));
        java.awt.image.BufferedImage own2 = Heatmaps.render(null, List.of(new Heatmaps.Panel("b", high)));
        int x = 8 + 20;
        int y = 26 + 20;
        assertEquals(own.getRGB(x, y), own2.getRGB(x, y));
        java.awt.image.BufferedImage fixed = Heatmaps.render(null,
                List.of(new Heatmaps.Panel("a", low).withRange(0f, 1f)), ColorMap.VIRIDIS);
        java.awt.image.BufferedImage fixed2 = Heatmaps.render(null,
                List.of(new Heatmaps.Panel("b", high).withRange(0f, 1f)), ColorMap.VIRIDIS);
        assertEquals(ColorMap.VIRIDIS.rgb(0.2f), fixed.getRGB(x, y) & 0xFFFFFF);
        assertEquals(ColorMap.VIRIDIS.rgb(0.8f), fixed2.getRGB(x, y) & 0xFFFFFF);
        assertThrows(IllegalArgumentException.class, () -> new Heatmaps.Panel("a", low).withRange(1f, 0f));
        assertThrows(IllegalArgumentException.class,
                () -> new Heatmaps.Panel("a", low, false, 0f, Float.NaN));
    }

    @Test
    void renderingLeavesJvmSettingsAlone() {
        String before = System.getProperty("java.awt.headless");
        Heatmaps.render(null, List.of(new Heatmaps.Panel("a", new PixelMap(2, 2, new float[] {0f, 1f, 2f, 3f}))));
        assertEquals(before, System.getProperty("java.awt.headless"));
    }
}
