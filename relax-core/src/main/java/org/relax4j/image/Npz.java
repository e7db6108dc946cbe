package org.relax4j.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.relax4j.Explanation;
import org.relax4j.data.PixelMap;
import org.relax4j.Provenance;
import org.relax4j.io.FileSink;
import org.relax4j.io.ResultFormat;

/**
 * Maps and their metadata in one NumPy {@code .npz} archive (a zip of {@code .npy} files, uncompressed), read by
 * {@code numpy.load(path)} without {@code allow_pickle}:
 *
 * <pre>{@code
 * import json, numpy as np
 * z = np.load("chelsea.npz")
 * importance = z["importance"]                  # float32 (H, W)
 * meta = json.loads(str(z["metadata"]))         # the provenance, as Provenance.toJson() writes it
 * }</pre>
 *
 * <p>Each map is a little-endian float32 (H, W) array named by its key; the metadata is a 0-d Unicode array
 * ({@code <U<n>}) holding JSON text.
 */
public final class Npz {
    /** Name of the metadata array. */
    public static final String METADATA = "metadata";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Npz() {
    }

    /**
     * Writes the explanation's maps ({@code importance}, {@code uncertainty}, {@code variance}, {@code u_relax},
     * {@code standard_error}) and its provenance as {@value #METADATA}.
     *
     * @param file the {@code .npz} file to write (replaced if present)
     * @param e the explanation
     * @param provenance its provenance, e.g. {@code e.provenance(Map.of("name", "my-model"))}
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, Explanation e, Provenance provenance) throws IOException {
        write(file, maps(e), provenance.toJson());
    }

    /**
     * The explanation's maps by their archive names, in the order {@link #write(Path, Explanation, Provenance)}
     * writes them.
     *
     * @param e the explanation
     * @return a new ordered map
     */
    public static Map<String, PixelMap> maps(Explanation e) {
        return ExplanationFiles.maps(e);
    }

    /**
     * {@code maps.npz}: every map of an explained image and its provenance in one archive, as a {@link ResultFormat}
     * beside the folder's own ({@link ExplanationFiles#FORMATS}).
     */
    public static final ResultFormat<ExplanationFiles.Result> FORMAT = ResultFormat.of("npz", (r, sink) -> {
        Explanation e = r.explanation();
        String json = e.provenance(r.model()).toJson();
        sink.write("maps.npz", o -> Npz.write(o, maps(e), json));
    });

    /**
     * Writes {@code maps} and, if not null, {@code metadataJson} as the 0-d string array {@value #METADATA}.
     *
     * @param file the {@code .npz} file to write (replaced if present)
     * @param maps arrays by name; names must be Python identifiers other than {@value #METADATA}. Not modified.
     * @param metadataJson JSON text (any text is stored), or null for none
     * @throws IllegalArgumentException if a name is not an identifier or is {@value #METADATA}
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, Map<String, PixelMap> maps, String metadataJson) throws IOException {
        checkNames(maps);
        try (OutputStream os = Files.newOutputStream(file)) {
            write(os, maps, metadataJson);
        }
    }

    /**
     * As {@link #write(Path, Map, String)}, into a stream (left open).
     *
     * @param out where the archive goes
     * @param maps arrays by name. Not modified.
     * @param metadataJson JSON text, or null for none
     * @throws IOException if writing fails
     */
    public static void write(OutputStream out, Map<String, PixelMap> maps, String metadataJson) throws IOException {
        checkNames(maps);
        ZipOutputStream zip = new ZipOutputStream(new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the caller's stream stays open
            }
        });
        try (zip) {
            for (Map.Entry<String, PixelMap> m : maps.entrySet()) {
                stored(zip, m.getKey() + ".npy", Npy.toBytes(m.getValue()));
            }
            if (metadataJson != null) {
                stored(zip, METADATA + ".npy", unicodeScalar(metadataJson));
            }
        }
    }

    private static void checkNames(Map<String, PixelMap> maps) {
        for (String name : maps.keySet()) {
            if (!NAME.matcher(name).matches() || name.equals(METADATA)) {
                throw new IllegalArgumentException("array name '" + name + "' must be a Python identifier other than '"
                        + METADATA + "'");
            }
        }
    }

    /** A 0-d {@code <U<n>} array: n UTF-32LE code points. */
    static byte[] unicodeScalar(String s) {
        int[] cps = s.codePoints().toArray();
        int n = Math.max(1, cps.length);
        byte[] header = Npy.header("<U" + n, "()");
        ByteBuffer b = ByteBuffer.allocate(header.length + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        for (int cp : cps) {
            b.putInt(cp);
        }
        return b.array();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        entry.setTime(0L);
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }
}
