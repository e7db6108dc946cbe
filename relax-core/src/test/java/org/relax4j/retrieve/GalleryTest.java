package org.relax4j.retrieve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Encoder;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;

/**
 * The gallery's cache and search with a stand-in loader (a file's first bytes as its "image") and an encoder that
 * counts what it embeds: the cache is keyed by the caller's key and each file's checksum, a damaged cache is
 * rebuilt, and search is a cosine ranking with ties broken by name.
 */
class GalleryTest {
    @TempDir
    Path dir;

    private final AtomicInteger embedded = new AtomicInteger();
    private final Encoder identity = batch -> {
        embedded.addAndGet(batch.size());
        int d = batch.sampleLength();
        float[] out = new float[batch.size() * d];
        System.arraycopy(batch.data(), batch.offset(), out, 0, out.length);
        return new Embeddings(batch.size(), d, out);
    };

    private static InputTensor load(Path f) throws java.io.IOException {
        byte[] b = Files.readAllBytes(f);
        return InputTensor.of(1, 1, 3, new float[] {b[0], b[1], b[2]});
    }

    private void image(String name, int... v) throws Exception {
        Files.write(dir.resolve(name), new byte[] {(byte) v[0], (byte) v[1], (byte) v[2]});
    }

    private List<String> log = new ArrayList<>();

    private Gallery open(String key) throws Exception {
        return Gallery.open(dir, key, GalleryTest::load, identity, 2, log::add);
    }

    @Test
    void embedsOnlyWhatTheCacheLacksAndSearchesByCosine() throws Exception {
        image("a.png", 1, 0, 0);
        image("b.jpg", 0, 1, 0);
        image("c.JPEG", 1, 1, 0);
        image("d.png", 2, 0, 0);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        Gallery g = open("model-1");
        assertEquals(4, g.entries().size());
        assertEquals(4, embedded.get());
        List<Gallery.Hit> hits = g.search(new float[] {1, 0, 0}, 3);
        // a and d point the same way (cosine 1): tied, by name; then c (cosine 1/√2).
        assertEquals(List.of("a.png", "d.png", "c.JPEG"), hits.stream().map(h -> h.file().getFileName().toString())
                .toList());
        assertEquals(1.0, hits.get(0).similarity(), 1e-6);
        assertEquals(Math.sqrt(0.5), hits.get(2).similarity(), 1e-6);

        embedded.set(0);
        image("e.png", 0, 0, 1);
        assertEquals(5, open("model-1").entries().size());
        assertEquals(1, embedded.get(), "only the new file");
        embedded.set(0);
        open("model-2");
        assertEquals(5, embedded.get(), "another model: another cache");
        embedded.set(0);
        Files.write(open("model-1").cacheFile(), new byte[] {1, 2, 3});
        open("model-1");
        assertEquals(5, embedded.get(), "a damaged cache is rebuilt");
        assertTrue(log.stream().anyMatch(l -> l.contains("cannot read")), log.toString());
        assertThrows(IllegalArgumentException.class, () -> g.search(new float[] {1, 0}, 1));
    }

    @Test
    void anEmptyFolderIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open("m"));
        assertTrue(e.getMessage().contains("holds no PNG or JPEG image"), e.getMessage());
    }
}
