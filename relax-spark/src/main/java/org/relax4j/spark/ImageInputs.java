package org.relax4j.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.relax4j.data.InputTensor;
import org.relax4j.image.ExifOrientation;
import org.relax4j.image.Images;
import org.relax4j.io.Checksums;

/** Turns an input row into an RGB (3, H, W) tensor in [0, 1], whichever way the image came. */
final class ImageInputs {
    /** How a dataset carries its images. */
    enum Kind {
        /** A row of Spark's {@code image} data source: struct (origin, height, width, nChannels, mode, data BGR). */
        IMAGE_STRUCT,
        /** The encoded file (PNG, JPEG, ...) as binary, e.g. the {@code binaryFile} data source's {@code content}. */
        CONTENT,
        /** A path or URI of the file, read with Hadoop's file systems on the executor. */
        PATH
    }

    private ImageInputs() {
    }

    /** An image as explained, with the SHA-256 of what it was decoded from (the file's bytes, or a row's pixels). */
    record Decoded(InputTensor rgb, String sha256) {
    }

    static Decoded decode(Kind kind, Object value, Configuration hadoop) throws IOException {
        if (value == null) {
            throw new IOException("the input column is null");
        }
        return switch (kind) {
            case IMAGE_STRUCT -> new Decoded(fromImageRow((Row) value),
                    Checksums.sha256((byte[]) ((Row) value).getAs("data")));
            case CONTENT -> new Decoded(fromBytes((byte[]) value), Checksums.sha256((byte[]) value));
            case PATH -> {
                byte[] bytes = readPath((String) value, hadoop);
                yield new Decoded(fromBytes(bytes), Checksums.sha256(bytes));
            }
        };
    }

    static InputTensor fromBytes(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        if (img == null) {
            throw new IOException("not an image this JVM can read (" + bytes.length + " bytes; PNG, JPEG, GIF and BMP "
                    + "are supported)");
        }
        return ExifOrientation.apply(Images.fromImage(img), ExifOrientation.of(bytes));
    }

    static byte[] readPath(String path, Configuration hadoop) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        FileSystem fs = p.getFileSystem(hadoop);
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    /** Spark's image schema: BGR(A) or grey bytes, row-major, one byte per channel. */
    static InputTensor fromImageRow(Row image) throws IOException {
        int h = image.getInt(image.fieldIndex("height"));
        int w = image.getInt(image.fieldIndex("width"));
        int nc = image.getInt(image.fieldIndex("nChannels"));
        byte[] data = image.getAs("data");
        if (h <= 0 || w <= 0 || data == null || data.length == 0) {
            throw new IOException("not an image Spark's image data source could decode (height " + h + ", width " + w
                    + ")");
        }
        if ((nc != 1 && nc != 3 && nc != 4) || (long) h * w * nc != data.length) {
            throw new IOException("image row of " + h + "x" + w + "x" + nc + " has " + data.length + " bytes");
        }
        int pixels = h * w;
        float[] d = new float[3 * pixels];
        for (int p = 0; p < pixels; p++) {
            int o = p * nc;
            float r;
            float g;
            float b;
            if (nc == 1) {
                r = g = b = (data[o] & 0xFF) / 255f;
            } else {
                b = (data[o] & 0xFF) / 255f;
                g = (data[o + 1] & 0xFF) / 255f;
                r = (data[o + 2] & 0xFF) / 255f;
            }
            d[p] = r;
            d[pixels + p] = g;
            d[2 * pixels + p] = b;
        }
        return InputTensor.of(3, h, w, d);
    }
}
