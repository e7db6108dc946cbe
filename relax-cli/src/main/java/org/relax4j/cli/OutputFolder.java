package org.relax4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.relax4j.image.ExplanationFiles;
import org.relax4j.io.FileSink;
import org.relax4j.io.StagedFolder;

/**
 * The {@code --out} folder, written so that a result is complete or absent, never half there.
 *
 * <p>Each image's files are written into a hidden staging folder beside the result ({@code .relax-tmp-…}), each
 * file forced to disk, and the folder is then renamed into place; a result from an earlier run under the same
 * name is first renamed aside ({@code .relax-old-…}) and deleted only once the new one is in place. A signal, a
 * full disk or a crash therefore leaves the earlier result or the new one, complete, plus at most a hidden
 * folder that the next run into the same {@code --out} removes (or renames back, if the crash fell between the
 * two renames).
 *
 * <p>One run at a time per folder: a run holds an exclusive lock on {@value #LOCK} (left in place, empty) and a
 * second run into the same {@code --out} is refused at once instead of overwriting the first one's files.
 */
final class OutputFolder implements AutoCloseable {
    /** The lock file. */
    static final String LOCK = ".relax.lock";
    static final String STAGING_PREFIX = StagedFolder.STAGING_PREFIX;
    static final String OLD_PREFIX = StagedFolder.OLD_PREFIX;

    /** Opens a file for writing; tests substitute one that fails like a full disk. */
    interface Sink {
        OutputStream open(Path file) throws IOException;
    }

    /** Creates the file (it must not exist) and forces its content to disk when closed. */
    static final Sink DISK = file -> {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new BufferedOutputStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }

            @Override
            public void close() throws IOException {
                try (ch) {
                    ch.force(true);
                }
            }
        }, 1 << 16);
    };

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Sink sink;

    private OutputFolder(Path dir, FileChannel lockChannel, FileLock lock, Sink sink) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.sink = sink;
    }

    /**
     * Creates {@code dir} if needed, checks that it can be written, locks it, and tidies what a killed run left.
     *
     * @throws IllegalArgumentException naming {@code --out} if it is a file, cannot be created or written, or
     *         another run holds it
     */
    static OutputFolder open(Path dir, Sink sink) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a folder; choose a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot create the folder (" + reason(e) + ")", e);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot write there (" + reason(e) + ")", e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            close(ch);
            throw new IllegalArgumentException("--out " + dir + " is in use by another relax run (it holds "
                    + dir.resolve(LOCK) + "); wait for it to finish or choose another --out");
        }
        OutputFolder f = new OutputFolder(dir, ch, lock, sink);
        f.tidy();
        return f;
    }

    /**
     * The folder of a run whose lock another JVM holds: a Spark task writing under its driver's lock. Not locked
     * and not tidied here (the driver did both); results are staged and committed as {@link #open}'s are.
     */
    static OutputFolder underDriverLock(Path dir, Sink sink) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is not a folder on this executor: the output "
                    + "folder must be on a file system that the driver and every executor see");
        }
        return new OutputFolder(dir, null, null, sink);
    }

    /** The folder. */
    Path dir() {
        return dir;
    }

    /** Starts writing the result named {@code name} (a folder inside this one). */
    Staging begin(String name) throws IOException {
        try {
            return new Staging(StagedFolder.begin(dir, name));
        } catch (IOException e) {
            throw new IOException("cannot write into --out " + dir + " (" + reason(e) + ")", e);
        }
    }

    /** One result being written. Not thread safe. */
    final class Staging implements AutoCloseable {
        private final StagedFolder folder;

        private Staging(StagedFolder folder) {
            this.folder = folder;
        }

        /** Where the result will be once committed. */
        Path target() {
            return folder.target();
        }

        /**
         * Writes one file of the result.
         *
         * @throws IOException naming the file as it would have been called
         */
        void write(String file, FileSink.Content content) throws IOException {
            try (OutputStream out = sink.open(folder.path().resolve(file))) {
                content.writeTo(out);
            } catch (IOException e) {
                throw new IOException("cannot write " + target().resolve(file) + " (" + reason(e) + ")", e);
            }
        }

        /**
         * Moves the complete result into place, replacing an earlier result of the same name.
         *
         * @return the result's folder
         * @throws IOException if the folder under that name is not an earlier result, or a rename fails
         */
        Path commit() throws IOException {
            if (!folder.publish(ExplanationFiles::isResultFolder)) {
                throw new IOException(target() + " exists and is not an earlier relax result (it holds other "
                        + "files); not replacing it");
            }
            return target();
        }

        /** Removes the staging folder unless committed. */
        @Override
        public void close() {
            folder.close();
        }
    }


    /** Removes staging folders of killed runs; puts back an earlier result a crash left renamed aside. */
    private void tidy() {
        try {
            StagedFolder.tidy(dir);
        } catch (IOException | java.io.UncheckedIOException e) {
            // tidying is best effort: leftovers are hidden and do not affect this run
        }
    }

    /** An exception's reason in a few words ("No space left on device", "Permission denied"). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String m = e.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    /** Releases the lock (the empty lock file stays, so that no two runs ever lock different files). */
    @Override
    public void close() {
        if (lock == null) {
            return; // a driver's folder: its lock is the driver's
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        close(lockChannel);
    }
}
