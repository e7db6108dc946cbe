package org.relax4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.relax4j.io.Checksums;

/**
 * The image files under the {@code relax dataset} inputs, each with the name of its output folder.
 *
 * <p>Local folders are walked here, by {@code relax explain}'s rules: regular files only (a FIFO or device named like
 * an image is skipped, not read), links followed only to files inside the input and never to folders (no loops),
 * the output folder skipped when it lies inside the input, each skip said in a notice. An image's output name is its
 * path relative to the input it was found under, without the extension ({@code sub/a.png} is {@code sub/a}), so a
 * name never depends on which other files exist or in what order they are listed; files that would share a name keep
 * their extension ({@code a.png}, {@code a.jpg}), and two inputs' equal paths get a suffix from the full path.
 * Other file systems (hdfs://, s3a://, globs) are listed through Hadoop's API, named by file name.
 */
final class ImageFiles {
    /** The extensions taken, in any case. */
    static final String EXTENSIONS = "png, jpg, jpeg, gif, bmp";
    private static final Set<String> IMAGE = Set.of("png", "jpg", "jpeg", "gif", "bmp");

    /** The images by path or URI (sorted), each with its output name, and what was skipped and why. */
    record Listing(Map<String, String> named, List<String> notices) {
    }

    private ImageFiles() {
    }

    /**
     * @param exclude a local folder whose files are never inputs (the output folder), or null
     * @throws IllegalArgumentException if an input does not exist
     */
    static Listing list(List<String> inputs, Configuration conf, java.nio.file.Path exclude) {
        // path -> relative name with extension (dropped below where no other file shares the name)
        Map<String, String> found = new TreeMap<>();
        List<String> notices = new ArrayList<>();
        try {
            java.nio.file.Path excluded = exclude != null && Files.isDirectory(exclude) ? exclude.toRealPath() : null;
            for (String input : inputs) {
                if (isLocal(input)) {
                    walk(java.nio.file.Path.of(input), excluded, found, notices);
                } else {
                    listHadoop(input, conf, found);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + String.join(", ", inputs) + ": " + e.getMessage(), e);
        }
        return new Listing(names(found), notices);
    }

    /** A plain local path, no URI scheme and no glob. */
    private static boolean isLocal(String input) {
        boolean uri = input.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !input.matches("^[a-zA-Z]:[\\\\/].*");
        return !uri && input.chars().noneMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static void walk(java.nio.file.Path input, java.nio.file.Path excluded, Map<String, String> found,
                             List<String> notices) throws IOException {
        if (!Files.exists(input)) {
            throw new IllegalArgumentException("no file or folder at " + input);
        }
        java.nio.file.Path root = input.toRealPath();
        if (!Files.isDirectory(root)) {
            if (isImage(root.getFileName().toString())) {
                if (Files.isRegularFile(root)) {
                    found.put(root.toUri().toString(), root.getFileName().toString());
                } else {
                    notices.add("skipped " + input + ": not a regular file");
                }
            }
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(java.nio.file.Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && (dir.equals(excluded) || dir.getFileName().toString().startsWith(".relax-"))) {
                    if (dir.equals(excluded)) {
                        notices.add("skipped " + dir + ": the output folder is inside the input");
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(java.nio.file.Path file, BasicFileAttributes attrs) throws IOException {
                String relative = root.relativize(file).toString().replace('\\', '/');
                if (attrs.isSymbolicLink()) {
                    if (!Files.exists(file)) {
                        notices.add("skipped " + file + ": a broken link");
                        return FileVisitResult.CONTINUE;
                    }
                    java.nio.file.Path target = file.toRealPath();
                    if (Files.isDirectory(target)) {
                        notices.add("skipped " + file + ": a link to a folder is not followed");
                    } else if (!target.startsWith(root) || (excluded != null && target.startsWith(excluded))) {
                        notices.add("skipped " + file + ": a link to a file outside the input");
                    } else if (isImage(file.getFileName().toString()) && Files.isRegularFile(target)) {
                        found.put(file.toUri().toString(), relative); // an image of its own name, read through the link
                    }
                    return FileVisitResult.CONTINUE;
                }
                if (isImage(file.getFileName().toString())) {
                    if (attrs.isRegularFile()) {
                        found.put(file.toUri().toString(), relative);
                    } else {
                        notices.add("skipped " + file + ": not a regular file");
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void listHadoop(String input, Configuration conf, Map<String, String> found) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(p);
        if (matches == null || matches.length == 0) {
            throw new IllegalArgumentException("no file or folder at " + input);
        }
        for (FileStatus m : matches) {
            if (m.isFile()) {
                add(found, m.getPath());
                continue;
            }
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
            while (it.hasNext()) {
                add(found, it.next().getPath());
            }
        }
    }

    private static void add(Map<String, String> found, Path p) {
        if (isImage(p.getName())) {
            found.put(p.toString(), p.getName());
        }
    }

    private static boolean isImage(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Output names: each relative path without its extension, except where two files would share that name (then
     * with it), and, where even that is shared (equal paths under two inputs), a suffix from the full path.
     */
    static Map<String, String> names(Map<String, String> relativeByPath) {
        Map<String, Integer> stems = new TreeMap<>();
        Map<String, Integer> withExtension = new TreeMap<>();
        relativeByPath.values().forEach(r -> {
            stems.merge(stem(r), 1, Integer::sum);
            withExtension.merge(r, 1, Integer::sum);
        });
        Map<String, String> out = new LinkedHashMap<>();
        relativeByPath.forEach((path, r) -> {
            String name = stems.get(stem(r)) == 1 ? stem(r) : r;
            if (withExtension.get(r) > 1) {
                name = name + "-" + Checksums.sha256(path.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .substring(0, 8);
            }
            out.put(path, name);
        });
        return out;
    }

    private static String stem(String relative) {
        int slash = relative.lastIndexOf('/');
        int dot = relative.lastIndexOf('.');
        String s = dot > slash + 1 ? relative.substring(0, dot) : relative;
        return s.isEmpty() || s.endsWith("/") ? s + "image" : s;
    }
}
