package org.relax4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A folder that appears whole or not at all: its files are written into a hidden staging folder beside the target
 * ({@value #STAGING_PREFIX}…), which {@link #publish} renames into place in one step. A folder already there under
 * the target's name is renamed aside ({@value #OLD_PREFIX}…) first, and deleted only once the new one is in place,
 * if the caller says it may be replaced. A crash, a signal or a full disk therefore leaves the earlier folder or the
 * new one, complete, plus at most a hidden folder that {@link #tidy} clears (or renames back, if the crash fell
 * between the two renames). The one home of this rule for every writer: the command line's results, Spark's
 * per-image results, the model cache. Not thread safe; different instances may race for one target, and the first
 * rename wins.
 */
public final class StagedFolder implements AutoCloseable {
    /** Prefix of folders being written. */
    public static final String STAGING_PREFIX = ".relax-tmp-";
    /** Prefix of an earlier folder renamed aside while the new one moves in. */
    public static final String OLD_PREFIX = ".relax-old-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path target;
    private final Path staging;
    private boolean published;

    private StagedFolder(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /**
     * Starts writing the folder {@code parent/name}: creates its staging folder.
     *
     * @param parent the folder the result goes into; created if missing
     * @param name the result folder's name
     * @return the staged folder; close it (which removes the staging folder unless published)
     * @throws IOException if the staging folder cannot be created
     */
    public static StagedFolder begin(Path parent, String name) throws IOException {
        Objects.requireNonNull(name, "name");
        Files.createDirectories(parent);
        Path staging = parent.resolve(STAGING_PREFIX + tag() + "-" + name);
        Files.createDirectory(staging);
        return new StagedFolder(parent.resolve(name), staging);
    }

    /** {@return where to write the files: the staging folder} */
    public Path path() {
        return staging;
    }

    /** {@return where the folder will be once published} */
    public Path target() {
        return target;
    }

    /**
     * Moves the staged folder into place in one rename.
     *
     * @param replaceable whether a folder already at the target may be replaced (it is then renamed aside, and
     *        deleted once the new one is in place); it is asked only if something is there
     * @return true if published; false if something is at the target that may not be replaced, or another writer
     *         published first (the staging folder is then discarded on {@link #close})
     * @throws IOException if a rename fails (an earlier folder renamed aside is put back), or the file system cannot
     *         rename atomically
     */
    public boolean publish(Predicate<Path> replaceable) throws IOException {
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!replaceable.test(target)) {
                return false;
            }
            old = target.resolveSibling(OLD_PREFIX + tag() + "-" + target.getFileName());
            move(target, old);
        }
        try {
            move(staging, target);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException lost) {
            if (old != null) {
                move(old, target);
            }
            return false;
        } catch (IOException e) {
            if (old != null) {
                move(old, target);
            }
            throw e;
        }
        published = true;
        if (old != null) {
            deleteTree(old);
        }
        return true;
    }

    /** Removes the staging folder unless published. Idempotent. */
    @Override
    public void close() {
        if (!published) {
            deleteTree(staging);
        }
    }

    /**
     * Clears what killed writers left in {@code parent}: removes staging folders, and renames an earlier folder that
     * a crash left aside back to its name if nothing took its place (else removes it). Call only when no writer is
     * at work in {@code parent}.
     *
     * @return the number of hidden folders cleared
     */
    public static int tidy(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, ".relax-*")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.startsWith(STAGING_PREFIX)) {
                    deleteTree(p);
                    n++;
                } else if (f.startsWith(OLD_PREFIX)) {
                    Path original = parent.resolve(originalName(f));
                    if (!Files.exists(original, LinkOption.NOFOLLOW_LINKS)) {
                        move(p, original);
                    } else {
                        deleteTree(p);
                    }
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * {@link #tidy} of {@code root} and of every folder under it (for results in sub-folders), without following
     * links.
     *
     * @return the number of hidden folders cleared
     */
    public static int tidyTree(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(root)) {
            dirs = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                    && (p.equals(root) || !p.getFileName().toString().startsWith(".relax-"))).toList();
        }
        int n = 0;
        for (Path d : dirs) {
            n += tidy(d);
        }
        return n;
    }

    /** The name an {@value #OLD_PREFIX} folder had: after the prefix, the tag and a dash. */
    private static String originalName(String hidden) {
        String rest = hidden.substring(OLD_PREFIX.length());
        int dash = rest.indexOf('-');
        return dash < 0 ? rest : rest.substring(dash + 1);
    }

    /** Deletes a file or folder tree without following links; nothing there is fine. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException gone) {
            // Removed meanwhile.
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot move " + from + " to " + to + " in one step: " + e.getMessage()
                    + "; the folder must be on one file system", e);
        }
    }

    private static String tag() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
