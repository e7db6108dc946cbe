package org.relax4j.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * SHA-256 checksums recorded when a cache entry is created and checked whenever it is used, so that a truncated,
 * emptied or otherwise damaged entry is found and rebuilt instead of failing every later run with a parser's
 * message. The records are in {@code sha256sum} format ({@code <hex>  <name>} per line), so
 * {@code sha256sum -c} checks them too:
 * <ul>
 *   <li>a single file {@code F} has its record in {@code F.sha256};</li>
 *   <li>a directory lists its files in {@value #DIRECTORY_RECORD}.</li>
 * </ul>
 * An entry without a record (written by an older relax4j, or a set-up killed between writing the entry and its
 * record) counts as damaged.
 */
final class CacheIntegrity {
    /** Name of a directory's record. */
    static final String DIRECTORY_RECORD = "SHA256SUMS";
    /** Suffix of a single file's record. */
    static final String FILE_RECORD_SUFFIX = ".sha256";

    private CacheIntegrity() {
    }

    /** The record of a single file. */
    static Path recordOf(Path file) {
        return file.resolveSibling(file.getFileName() + FILE_RECORD_SUFFIX);
    }

    /** Records the checksum of {@code file}, whose content is {@code bytes}, beside it (atomically). */
    static void recordFile(Path file, byte[] bytes) {
        PretrainedModels.writeAtomically(recordOf(file), line(sha256(bytes), file.getFileName().toString())
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks {@code file} against its record.
     *
     * @return null if it matches, else what is wrong, in words that name the file
     */
    static String checkFile(Path file) {
        Path record = recordOf(file);
        if (!Files.isRegularFile(record)) {
            return file + " has no recorded checksum (" + record.getFileName() + " is missing)";
        }
        Map<String, String> expected = read(record);
        String name = file.getFileName().toString();
        if (!expected.containsKey(name)) {
            return record + " does not list " + name;
        }
        return compare(file, expected.get(name));
    }

    /** Records the checksums of every regular file in {@code dir} (not recursive) in {@value #DIRECTORY_RECORD}. */
    static void recordDirectory(Path dir) {
        StringBuilder sb = new StringBuilder();
        for (Path f : files(dir)) {
            sb.append(line(sha256(f), f.getFileName().toString()));
        }
        PretrainedModels.writeAtomically(dir.resolve(DIRECTORY_RECORD), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks every file listed in {@code dir}'s record.
     *
     * @return null if all are present and match, else what is wrong with the first that is not, naming it
     */
    static String checkDirectory(Path dir) {
        Path record = dir.resolve(DIRECTORY_RECORD);
        if (!Files.isRegularFile(record)) {
            return dir + " has no recorded checksums (" + DIRECTORY_RECORD + " is missing)";
        }
        Map<String, String> expected = read(record);
        if (expected.isEmpty()) {
            return record + " lists no files";
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String problem = compare(dir.resolve(e.getKey()), e.getValue());
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private static String compare(Path file, String expectedHex) {
        if (!Files.isRegularFile(file)) {
            return file + " is missing";
        }
        String actual = sha256(file);
        if (!actual.equals(expectedHex)) {
            long size = size(file);
            return file + " is damaged (" + (size == 0 ? "empty" : size + " bytes") + ", SHA-256 " + abbrev(actual)
                    + " where " + abbrev(expectedHex) + " was recorded)";
        }
        return null;
    }

    private static String abbrev(String hex) {
        return hex.substring(0, 12) + "…";
    }

    private static String line(String hex, String name) {
        return hex + "  " + name + "\n";
    }

    private static Map<String, String> read(Path record) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String l : Files.readAllLines(record, StandardCharsets.UTF_8)) {
                int sep = l.indexOf("  ");
                if (sep == 64) {
                    m.put(l.substring(sep + 2), l.substring(0, sep));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // an unreadable record is as good as none: the caller rebuilds
            m.clear();
        }
        return m;
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>();
            s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(DIRECTORY_RECORD)).sorted()
                    .forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static String sha256(Path file) {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
