package org.relax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime's libraries are extracted once into the cache, complete, and found there again. */
class NativeLibraryCacheTest {
    @Test
    void extractsOnceAndPointsOnnxRuntimeThere(@TempDir Path cache) throws Exception {
        assertEquals("linux-x64", NativeLibraryCache.platform(), "the platform this project builds on");
        String before = System.getProperty(NativeLibraryCache.PROPERTY);
        try {
            System.clearProperty(NativeLibraryCache.PROPERTY);
            Path dir = NativeLibraryCache.install(cache);
            assertNotNull(dir, "ONNX Runtime's jar is on the class path");
            assertEquals(dir.toAbsolutePath().toString(), System.getProperty(NativeLibraryCache.PROPERTY));
            Path lib = dir.resolve(System.mapLibraryName("onnxruntime"));
            assertTrue(Files.size(lib) > 1_000_000, "the whole library");
            assertTrue(Files.isRegularFile(dir.resolve(System.mapLibraryName("onnxruntime4j_jni"))));
            // ONNX Runtime loads from there (unless an earlier test of this JVM loaded it already)
            ai.onnxruntime.OrtEnvironment.getEnvironment();
            long modified = Files.getLastModifiedTime(lib).toMillis();
            System.clearProperty(NativeLibraryCache.PROPERTY);
            assertEquals(dir, NativeLibraryCache.install(cache), "found again, not extracted again");
            assertEquals(modified, Files.getLastModifiedTime(lib).toMillis());
            try (var s = Files.list(dir.getParent())) {
                assertEquals(1, s.count(), "no temporary folder left");
            }
            assertNull(NativeLibraryCache.install(cache.resolve("other")), "the property set: left as it is");
        } finally {
            if (before == null) {
                System.clearProperty(NativeLibraryCache.PROPERTY);
            } else {
                System.setProperty(NativeLibraryCache.PROPERTY, before);
            }
        }
    }
}
