package org.relax4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.data.InputTensor;

/** A phone photo's EXIF orientation turns it upright on the command line's path. */
class ExifOrientationTest {

    /** A 40 × 20 JPEG, left half red and right half blue, with EXIF orientation {@code orientation}. */
    static byte[] jpeg(int orientation) throws IOException {
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 20, 20);
        g.setColor(Color.BLUE);
        g.fillRect(20, 0, 20, 20);
        g.dispose();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", plain);
        byte[] p = plain.toByteArray();
        // APP1 "Exif\0\0", big-endian TIFF header, IFD0 with one entry: 0x0112 SHORT 1 = orientation
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0,
                0, 0, 0, 0, 0, 0};
        int len = 2 + 6 + tiff.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, 2);
        out.write(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (len >> 8), (byte) len, 'E', 'x', 'i', 'f', 0, 0});
        out.write(tiff);
        out.write(p, 2, p.length - 2);
        return out.toByteArray();
    }

    @Test
    void readsTheTagAndTurnsThePhotoUpright(@TempDir Path dir) throws IOException {
        assertEquals(6, ExifOrientation.of(jpeg(6)));
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.of(new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
        Path file = Files.write(dir.resolve("phone.jpg"), jpeg(6));
        InputTensor upright = Images.readForSize(file, 10, 10);
        assertArrayEquals(new int[] {40, 20}, upright.shape(), "rotated 90° clockwise: 20 wide, 40 high");
        float[] d = upright.unsafeData();
        int plane = 40 * 20;
        // the stored left half (red) is now on top, the right half (blue) at the bottom
        assertTrue(d[5 * 20 + 10] > 0.8f && d[2 * plane + 5 * 20 + 10] < 0.2f, "top is red");
        assertTrue(d[35 * 20 + 10] < 0.2f && d[2 * plane + 35 * 20 + 10] > 0.8f, "bottom is blue");
        assertArrayEquals(new int[] {20, 40}, Images.read(file).shape(), "read() keeps the stored pixels");
    }

    @Test
    void everyOrientationIsAnInvertibleTurn() {
        InputTensor x = InputTensor.of(1, 2, 3, new float[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, ExifOrientation.apply(x, 2).toArray());
        assertArrayEquals(new float[] {6, 5, 4, 3, 2, 1}, ExifOrientation.apply(x, 3).toArray());
        assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3}, ExifOrientation.apply(x, 4).toArray());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, ExifOrientation.apply(x, 5).toArray());
        assertArrayEquals(new float[] {4, 1, 5, 2, 6, 3}, ExifOrientation.apply(x, 6).toArray());
        assertArrayEquals(new float[] {6, 3, 5, 2, 4, 1}, ExifOrientation.apply(x, 7).toArray());
        assertArrayEquals(new float[] {3, 6, 2, 5, 1, 4}, ExifOrientation.apply(x, 8).toArray());
        assertArrayEquals(x.toArray(), ExifOrientation.apply(ExifOrientation.apply(x, 6), 8).toArray());
    }
}
