package org.relax4j.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.relax4j.PixelMap;

/** Maps as NumPy {@code .npy} files (format 1.0, little-endian float32, C order) that {@code numpy.load} reads. */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+)\\)");

    private Npy() {
    }

    /** Writes {@code map} as a (H, W) float32 array. */
    public static void write(Path file, PixelMap map) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, map);
        }
    }

    /** Writes {@code map} as a (H, W) float32 array to {@code out}, which is left open. */
    public static void write(OutputStream out, PixelMap map) throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + map.height() + ", " + map.width() + "), }";
        // Header length (magic + 2 + dict + newline) is padded with spaces to a multiple of 64.
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat(padded - unpadded)).append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
        float[] v = map.values();
        ByteBuffer body = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(v);
        out.write(MAGIC);
        out.write(h.length & 0xFF);
        out.write((h.length >> 8) & 0xFF);
        out.write(h);
        out.write(body.array());
    }

    /** Reads a 2-D little-endian float32 {@code .npy} file as written by {@link #write}. */
    public static PixelMap read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        for (byte m : MAGIC) {
            if (b.get() != m) {
                throw new IOException(file + " is not a version 1.0 .npy file");
            }
        }
        int len = b.getShort() & 0xFFFF;
        byte[] h = new byte[len];
        b.get(h);
        String header = new String(h, StandardCharsets.US_ASCII);
        Matcher m = SHAPE.matcher(header);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True") || !m.find()) {
            throw new IOException(file + ": only 2-D little-endian float32 C-order arrays are supported, header " + header.trim());
        }
        int height = Integer.parseInt(m.group(1));
        int width = Integer.parseInt(m.group(2));
        float[] v = new float[height * width];
        b.asFloatBuffer().get(v);
        return new PixelMap(height, width, v);
    }
}
