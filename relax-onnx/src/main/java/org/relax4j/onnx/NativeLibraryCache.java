package org.relax4j.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * ONNX Runtime's native libraries kept extracted in a cache folder. Left to itself, ONNX Runtime's Java binding
 * inflates its two libraries (22 MB on Linux x64) from the jar into a new temporary folder at every start: 0.12 s of a
 * cold {@code relax explain} (measured: environment 0.17 s from the jar, 0.05 s from a folder). This extracts them
 * once into {@code CACHE/onnxruntime-native/<platform>-<jar entries' CRC and size>} (a temporary folder moved into
 * place, so never half there) and points ONNX Runtime at it through its own property {@value #PROPERTY}.
 */
public final class NativeLibraryCache {
    /** ONNX Runtime's property: a folder holding its native libraries. */
    public static final String PROPERTY = "onnxruntime.native.path";
    private static final String[] LIBRARIES = {"onnxruntime", "onnxruntime4j_jni"};

    private NativeLibraryCache() {
    }

    /**
     * Points ONNX Runtime at the cached libraries, extracting them first if needed. Call before the first use of
     * ONNX Runtime in the JVM. Does nothing, and never fails, when the property is already set, the platform is
     * not one ONNX Runtime's jar ships, the libraries are not in a jar, or the cache cannot be written: ONNX
     * Runtime then loads them its own way.
     *
     * @param cacheDir the cache root (e.g. {@link PretrainedModels#defaultCacheDir()})
     * @return the folder now used, or null if left to ONNX Runtime
     */
    public static Path install(Path cacheDir) {
        if (System.getProperty(PROPERTY) != null) {
            return null;
        }
        String platform = platform();
        if (platform == null) {
            return null;
        }
        try {
            StringBuilder key = new StringBuilder(platform);
            URL[] urls = new URL[LIBRARIES.length];
            long[] sizes = new long[LIBRARIES.length];
            for (int i = 0; i < LIBRARIES.length; i++) {
                urls[i] = NativeLibraryCache.class.getResource("/ai/onnxruntime/native/" + platform + "/"
                        + System.mapLibraryName(LIBRARIES[i]));
                if (urls[i] == null) {
                    return null;
                }
                URLConnection c = urls[i].openConnection();
                if (!(c instanceof JarURLConnection jar)) {
                    return null;
                }
                sizes[i] = jar.getJarEntry().getSize();
                key.append('-').append(Long.toHexString(jar.getJarEntry().getCrc())).append('-').append(sizes[i]);
            }
            Path root = cacheDir.resolve("onnxruntime-native");
            Path dir = root.resolve(key.toString());
            if (!complete(dir, sizes)) {
                Files.createDirectories(root);
                Path tmp = Files.createTempDirectory(root, ".extracting-");
                try {
                    for (int i = 0; i < LIBRARIES.length; i++) {
                        try (InputStream in = urls[i].openStream()) {
                            Files.copy(in, tmp.resolve(System.mapLibraryName(LIBRARIES[i])));
                        }
                    }
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
                    // another process put it in place first (or the file system cannot rename atomically)
                } finally {
                    delete(tmp);
                }
                if (!complete(dir, sizes)) {
                    return null;
                }
            }
            System.setProperty(PROPERTY, dir.toAbsolutePath().toString());
            return dir;
        } catch (IOException | RuntimeException e) {
            return null; // ONNX Runtime extracts them itself
        }
    }

    private static boolean complete(Path dir, long[] sizes) throws IOException {
        for (int i = 0; i < LIBRARIES.length; i++) {
            Path f = dir.resolve(System.mapLibraryName(LIBRARIES[i]));
            if (!Files.isRegularFile(f) || Files.size(f) != sizes[i]) {
                return false;
            }
        }
        return true;
    }

    /** ONNX Runtime's name for this platform's folder in its jar, or null for one it does not ship. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "osx" : os.contains("win") ? "win" : null;
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : null;
        return o == null || a == null ? null : o + "-" + a;
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover hidden temporary folder is harmless
        }
    }
}
