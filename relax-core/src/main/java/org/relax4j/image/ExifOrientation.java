package org.relax4j.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.relax4j.data.InputTensor;

/**
 * The orientation a JPEG's EXIF data records (tag 0x0112), so that a phone photo taken upright is explained upright:
 * cameras store the pixels as the sensor read them and say in EXIF how to turn them. ImageIO ignores the tag; the
 * command line and Spark apply it after decoding. Stateless.
 */
public final class ExifOrientation {
    /** The EXIF value of an image stored upright. */
    public static final int NORMAL = 1;
    /** The most bytes read looking for the EXIF segment, which comes first in a JPEG. */
    private static final int HEAD = 1 << 16;

    private ExifOrientation() {
    }

    /** {@return the orientation recorded in the file's EXIF data, 1 to 8, or {@link #NORMAL} if none} */
    public static int of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in.readNBytes(HEAD));
        }
    }

    /** {@return the orientation recorded in an encoded image's EXIF data, 1 to 8, or {@link #NORMAL} if none} */
    public static int of(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            return NORMAL; // not a JPEG
        }
        int at = 2;
        while (at + 4 <= b.length && (b[at] & 0xFF) == 0xFF) {
            int marker = b[at + 1] & 0xFF;
            int length = u16(b, at + 2, false);
            if (marker == 0xDA || length < 2) {
                break; // image data starts: no EXIF before it
            }
            int data = at + 4;
            if (marker == 0xE1 && data + 14 <= b.length && b[data] == 'E' && b[data + 1] == 'x' && b[data + 2] == 'i'
                    && b[data + 3] == 'f' && b[data + 4] == 0 && b[data + 5] == 0) {
                return orientation(b, data + 6, Math.min(b.length, at + 2 + length));
            }
            at += 2 + length;
        }
        return NORMAL;
    }

    /** The orientation tag of IFD0 in the TIFF structure at [tiff, end). */
    private static int orientation(byte[] b, int tiff, int end) {
        boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
        if (!little && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) {
            return NORMAL;
        }
        long ifd = tiff + u32(b, tiff + 4, little);
        if (ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(b, (int) ifd, little);
        for (int k = 0; k < entries; k++) {
            int e = (int) ifd + 2 + 12 * k;
            if (e + 12 > end) {
                break;
            }
            if (u16(b, e, little) == 0x0112) {
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : NORMAL;
            }
        }
        return NORMAL;
    }

    /**
     * {@return {@code rgb} turned upright for the EXIF {@code orientation}: mirrored and/or rotated (orientations 5
     * to 8 swap height and width)}
     *
     * @param rgb the image as stored, (C, H, W)
     * @param orientation the EXIF value, 1 to 8 (anything else is taken as 1)
     */
    public static InputTensor apply(InputTensor rgb, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return rgb;
        }
        int c = rgb.channels();
        int h = rgb.height();
        int w = rgb.width();
        boolean transpose = orientation >= 5;
        int oh = transpose ? w : h;
        int ow = transpose ? h : w;
        float[] src = rgb.unsafeData();
        float[] out = new float[src.length];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                // (y, x): where output pixel (i, j) comes from in the stored image
                int y;
                int x;
                switch (orientation) {
                    case 2 -> { y = i; x = w - 1 - j; }
                    case 3 -> { y = h - 1 - i; x = w - 1 - j; }
                    case 4 -> { y = h - 1 - i; x = j; }
                    case 5 -> { y = j; x = i; }
                    case 6 -> { y = h - 1 - j; x = i; }
                    case 7 -> { y = h - 1 - j; x = w - 1 - i; }
                    default -> { y = j; x = w - 1 - i; } // 8
                }
                for (int ch = 0; ch < c; ch++) {
                    out[(ch * oh + i) * ow + j] = src[(ch * h + y) * w + x];
                }
            }
        }
        return InputTensor.of(c, oh, ow, out);
    }

    private static int u16(byte[] b, int at, boolean little) {
        int a = b[at] & 0xFF;
        int z = b[at + 1] & 0xFF;
        return little ? a | z << 8 : a << 8 | z;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long lo = u16(b, little ? at : at + 2, little);
        long hi = u16(b, little ? at + 2 : at, little);
        return hi << 16 | lo;
    }
}
