package org.relax4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Receives the files of a result by name: a folder ({@link #into}), a {@link StagedFolder} that appears whole, a
 * single file the user named, or a test's memory. What a {@link ResultFormat} writes to.
 */
@FunctionalInterface
public interface FileSink {

    /**
     * Writes one file.
     *
     * @param file a plain file name
     * @param content writes the file's bytes to the stream it is given
     * @throws IOException if the file cannot be written
     */
    void write(String file, Content content) throws IOException;

    /** Writes a file's bytes. */
    @FunctionalInterface
    interface Content {
        /** @param out where the bytes go; not closed by the content */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * {@return a sink for a format of one file that the user named: whatever the format calls its file, the bytes go
     * to {@code path}}
     */
    static FileSink file(Path path) {
        return (file, content) -> replace(path, content);
    }

    /**
     * Writes {@code path} whole or not at all: into a hidden file beside it, forced to disk, then renamed over it
     * in one step. A full disk or a crash leaves the earlier file (or none), never a truncated one.
     *
     * @param path the file
     * @param content its bytes
     * @throws IOException if writing or the rename fails (the hidden file is removed)
     */
    static void replace(Path path, Content content) throws IOException {
        Path abs = path.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), StagedFolder.STAGING_PREFIX + abs.getFileName() + "-", "");
        try {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch))) {
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, abs, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@return a sink that writes the files into {@code dir}} */
    static FileSink into(Path dir) {
        return (file, content) -> {
            try (OutputStream out = Files.newOutputStream(dir.resolve(file))) {
                content.writeTo(out);
            }
        };
    }
}
