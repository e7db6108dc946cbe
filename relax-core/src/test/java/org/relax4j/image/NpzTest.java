package org.relax4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.data.PixelMap;

class NpzTest {

    @TempDir
    Path tmp;

    @Test
    void archiveHoldsEachMapAsNpyAndTheMetadataAsAUnicodeScalar() throws IOException {
        Map<String, PixelMap> maps = new LinkedHashMap<>();
        maps.put("importance", new PixelMap(2, 3, new float[] {1f, 2f, 3f, 4f, 5f, -6.5f}));
        maps.put("u_relax", new PixelMap(1, 1, new float[] {0.25f}));
        Path file = tmp.resolve("maps.npz");
        String json = "{\"model\": \"Ølberg ✓\"}";
        Npz.write(file, maps, json);

        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                names.add(entry.getName());
                byte[] bytes = zip.readAllBytes();
                if (entry.getName().equals("importance.npy")) {
                    Path npy = tmp.resolve("importance.npy");
                    Files.write(npy, bytes);
                    PixelMap back = Npy.read(npy);
                    assertEquals(2, back.height());
                    assertArrayEquals(maps.get("importance").values(), back.values(), 0f);
                }
                if (entry.getName().equals("metadata.npy")) {
                    int headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
                    String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
                    int n = json.codePointCount(0, json.length());
                    assertTrue(header.contains("'descr': '<U" + n + "'") && header.contains("'shape': ()"), header);
                    assertEquals(0, (10 + headerLen) % 64, "header padded to 64 bytes");
                    ByteBuffer b = ByteBuffer.wrap(bytes, 10 + headerLen, 4 * n).order(ByteOrder.LITTLE_ENDIAN);
                    StringBuilder sb = new StringBuilder();
                    for (int k = 0; k < n; k++) {
                        sb.appendCodePoint(b.getInt());
                    }
                    assertEquals(json, sb.toString());
                }
            }
        }
        assertEquals(List.of("importance.npy", "u_relax.npy", "metadata.npy"), names);
        assertThrows(IllegalArgumentException.class, () -> Npz.write(tmp.resolve("x.npz"),
                Map.of("metadata", new PixelMap(1, 1, new float[1])), null));
        assertThrows(IllegalArgumentException.class, () -> Npz.write(tmp.resolve("x.npz"),
                Map.of("not a name", new PixelMap(1, 1, new float[1])), null));
    }

    /** numpy itself, where python3 with numpy is installed (it is on the project's CI machine). */
    @Test
    void numpyLoadsTheArchiveWithoutPickle() throws Exception {
        assumeTrue(runs("python3", "-c", "import numpy"), "python3 with numpy not available");
        Map<String, PixelMap> maps = new LinkedHashMap<>();
        maps.put("importance", new PixelMap(2, 2, new float[] {0.5f, 1.5f, -2f, 3f}));
        Path file = tmp.resolve("np.npz");
        Npz.write(file, maps, "{\"a\": [1, 2], \"name\": \"Ø\"}");
        String script = "import json, numpy as np\n"
                + "z = np.load(r'" + file + "')\n"
                + "a = z['importance']\n"
                + "assert a.dtype == np.float32 and a.shape == (2, 2), (a.dtype, a.shape)\n"
                + "assert a.tolist() == [[0.5, 1.5], [-2.0, 3.0]], a.tolist()\n"
                + "m = json.loads(str(z['metadata']))\n"
                + "assert m == {'a': [1, 2], 'name': '\\u00d8'}, m\n"
                + "print('ok')\n";
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("ok", out.strip());
    }

    private static boolean runs(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
