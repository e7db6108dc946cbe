package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar.gz reader and the npm integrity check used at model set-up. */
class TarGzTest {

    @TempDir
    Path tmp;

    @Test
    void extractsWantedFilesWithPaxAndUstarNames() throws IOException {
        String longName = "package/" + "deep/".repeat(25) + "model.min.js";
        byte[] big = new byte[1500];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        entry(tar, "package/", '5', new byte[0], "");
        entry(tar, "package/skip.txt", '0', "skip me".getBytes(StandardCharsets.UTF_8), "");
        String pax = paxRecord("path", longName);
        entry(tar, "PaxHeader/x", 'x', pax.getBytes(StandardCharsets.UTF_8), "");
        entry(tar, "truncated-name", '0', big, "");
        entry(tar, "shard.bin", '0', "ABC".getBytes(StandardCharsets.UTF_8), "package/dist");
        tar.write(new byte[1024]);
        Path tgz = tmp.resolve("t.tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            out.write(tar.toByteArray());
        }
        Map<String, byte[]> files = TarGz.extract(tgz, n -> !n.endsWith(".txt"));
        assertEquals(List.of(longName, "package/dist/shard.bin"), List.copyOf(files.keySet()));
        assertArrayEquals(big, files.get(longName));
        assertEquals("ABC", new String(files.get("package/dist/shard.bin"), StandardCharsets.UTF_8));
    }

    @Test
    void integrityIsCheckedAgainstSha512() throws IOException {
        Path f = tmp.resolve("abc");
        Files.writeString(f, "abc");
        // FIPS 180-2 test vector: SHA-512("abc")
        byte[] digest = HexFormat.of().parseHex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
        String good = "sha512-" + java.util.Base64.getEncoder().encodeToString(digest);
        PretrainedModels.verifyIntegrity(f, good);
        Files.writeString(f, "abd");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PretrainedModels.verifyIntegrity(f, good));
        assertTrue(e.getMessage().contains("integrity check failed"), e.getMessage());
    }

    @Test
    void writesAtomicallyAndReplaces() throws IOException {
        Path target = tmp.resolve("sub/model.onnx");
        PretrainedModels.writeAtomically(target, new byte[] {1, 2});
        PretrainedModels.writeAtomically(target, new byte[] {3});
        assertArrayEquals(new byte[] {3}, Files.readAllBytes(target));
        try (var s = Files.list(target.getParent())) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    private static String paxRecord(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.length();
        int digits = String.valueOf(len).length();
        while (String.valueOf(len + digits).length() != digits) {
            digits++;
        }
        return (len + digits) + body;
    }

    /** Writes a ustar header and the padded data. */
    private static void entry(ByteArrayOutputStream tar, String name, char type, byte[] data, String prefix)
            throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, "0000644", 8);
        put(h, 108, "0000000", 8);
        put(h, 116, "0000000", 8);
        put(h, 124, String.format("%011o", data.length), 12);
        put(h, 136, "00000000000", 12);
        h[156] = (byte) type;
        put(h, 257, "ustar", 6);
        put(h, 263, "00", 2);
        put(h, 345, prefix, 155);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum), 7);
        tar.write(h);
        tar.write(data);
        tar.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] h, int at, String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, at, Math.min(b.length, max));
    }
}
