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
import org.relax4j.data.PixelMap;

/** Maps as NumPy {@code .npy} files (format 1.0, little-endian float32, C order) that {@code numpy.load} reads. */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([\\d,\\s]*)\\)");

    private Npy() {
    }

    /**
     * Writes {@code map} as a float32 array of its shape ((H, W) for an image).
     *
     * @param file the {@code .npy} file (replaced if present)
     * @param map the map. Not modified.
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, PixelMap map) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, map);
        }
    }

    /**
     * Writes {@code map} as a float32 {@code .npy} of its shape to {@code out}, which is left open.
     *
     * @param out the stream to write to; not closed
     * @param map the map
     * @throws IOException if the stream cannot be written
     */
    public static void write(OutputStream out, PixelMap map) throws IOException {
        out.write(toBytes(map));
    }

    /** The whole {@code .npy} file of {@code map}: header, then little-endian float32 values. */
    static byte[] toBytes(PixelMap map) {
        byte[] h = header("<f4", shapeTuple(map.shape()));
        float[] v = map.values();
        ByteBuffer b = ByteBuffer.allocate(h.length + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(h);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** A Python tuple: "(12,)" for rank 1, "(224, 224)" for rank 2. */
    static String shapeTuple(int[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int a = 0; a < shape.length; a++) {
            b.append(a == 0 ? "" : ", ").append(shape[a]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /**
     * Magic, version 1.0, header length and the header dict, padded with spaces and a newline to a multiple of 64
     * bytes.
     */
    static byte[] header(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - unpadded) + "\n";
        int len = text.length();
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + len).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC);
        b.putShort((short) len);
        b.put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /**
     * Reads a little-endian float32 {@code .npy} file of rank 1 to 3 as written by {@link #write}.
     *
     * @param file the {@code .npy} file
     * @return the map
     * @throws IOException if the file cannot be read or is not such an array
     */
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
            throw new IOException(file + ": only little-endian float32 C-order arrays are supported, header "
                    + header.trim());
        }
        String[] parts = m.group(1).split(",");
        int[] shape = java.util.Arrays.stream(parts).map(String::trim).filter(t -> !t.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        if (shape.length < 1 || shape.length > 3) {
            throw new IOException(file + ": rank " + shape.length + " arrays are not maps (rank 1 to 3)");
        }
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        b.asFloatBuffer().get(v);
        return new PixelMap(shape, v);
    }
}
