package org.relax4j.onnx;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Reads regular files out of a gzip-compressed tar archive (ustar, with pax {@code path}/{@code size} records and
 * GNU long names), as npm tarballs are.
 *
 * <p>A tar archive is a sequence of 512-byte headers, each followed by the entry's data padded to 512 bytes; two
 * zero blocks end it. Header fields used: name [0, 100), size [124, 136) in octal (or base-256 when the high bit
 * of its first byte is set), typeflag [156], magic [257, 263), prefix [345, 500).
 */
final class TarGz {
    private static final int BLOCK = 512;

    private TarGz() {
    }

    /**
     * Returns the contents of the regular files whose path {@code wanted} accepts, by path, in archive order.
     *
     * @throws IOException if the archive cannot be read or is malformed
     */
    static Map<String, byte[]> extract(Path archive, Predicate<String> wanted) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            String longName = null;
            Long paxSize = null;
            while (true) {
                if (!readFully(in, header)) {
                    break; // archives may end without the two zero blocks
                }
                if (isZero(header)) {
                    break;
                }
                long size = parseSize(header, archive);
                char type = (char) header[156];
                String name = longName != null ? longName : headerName(header);
                if (paxSize != null) {
                    size = paxSize;
                }
                longName = null;
                paxSize = null;
                switch (type) {
                    case 'x': { // pax extended header for the next entry
                        byte[] data = readData(in, size, archive);
                        Map<String, String> pax = parsePax(data, archive);
                        longName = pax.get("path");
                        if (pax.containsKey("size")) {
                            paxSize = Long.parseLong(pax.get("size"));
                        }
                        break;
                    }
                    case 'L': { // GNU long name for the next entry
                        byte[] data = readData(in, size, archive);
                        longName = cString(data, 0, data.length);
                        break;
                    }
                    case '0':
                    case '\0':
                    case '7':
                        if (wanted.test(name)) {
                            out.put(name, readData(in, size, archive));
                        } else {
                            skipData(in, size, archive);
                        }
                        break;
                    default: // directories, links, global pax headers, ...
                        skipData(in, size, archive);
                }
            }
        }
        return out;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static long parseSize(byte[] h, Path archive) throws IOException {
        if ((h[124] & 0x80) != 0) { // base-256
            long v = h[124] & 0x7F;
            for (int k = 125; k < 136; k++) {
                v = (v << 8) | (h[k] & 0xFF);
            }
            return v;
        }
        String s = cString(h, 124, 12).trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException(archive + ": bad tar size field '" + s + "'");
        }
    }

    private static Map<String, String> parsePax(byte[] data, Path archive) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        int p = 0;
        while (p < data.length) {
            int space = p;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            if (space >= data.length) {
                break;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, p, space - p, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException(archive + ": bad pax record length");
            }
            if (len <= 0 || p + len > data.length) {
                throw new IOException(archive + ": bad pax record length " + len);
            }
            String record = new String(data, space + 1, p + len - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                out.put(record.substring(0, eq), record.substring(eq + 1));
            }
            p += len;
        }
        return out;
    }

    private static String cString(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int n = in.readNBytes(b, 0, b.length);
        if (n == 0) {
            return false;
        }
        if (n < b.length) {
            throw new IOException("truncated tar header");
        }
        return true;
    }

    private static byte[] readData(InputStream in, long size, Path archive) throws IOException {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException(archive + ": tar entry of " + size + " bytes is too large");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new IOException(archive + ": truncated tar entry");
        }
        skipFully(in, padding(size), archive);
        return data;
    }

    private static void skipData(InputStream in, long size, Path archive) throws IOException {
        skipFully(in, size + padding(size), archive);
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static void skipFully(InputStream in, long n, Path archive) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException(archive + ": truncated tar archive");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
