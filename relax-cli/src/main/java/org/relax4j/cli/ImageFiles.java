package org.relax4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The image files under the {@code relax dataset} inputs, listed on the driver through Hadoop's file system API
 * (local paths and any URI Spark reads: hdfs://, s3a://, ...): files as given, folders searched recursively, globs
 * expanded; images by extension; sorted, without duplicates, as fully qualified paths.
 */
final class ImageFiles {
    /** The extensions taken, in any case. */
    static final String EXTENSIONS = "png, jpg, jpeg, gif, bmp";
    private static final Set<String> IMAGE = Set.of("png", "jpg", "jpeg", "gif", "bmp");

    private ImageFiles() {
    }

    static List<String> list(List<String> inputs, Configuration conf) {
        Set<String> found = new TreeSet<>();
        try {
            for (String input : inputs) {
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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + String.join(", ", inputs) + ": " + e.getMessage(), e);
        }
        return new ArrayList<>(found);
    }

    private static void add(Set<String> found, Path p) {
        String name = p.getName();
        int dot = name.lastIndexOf('.');
        if (dot > 0 && IMAGE.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            found.add(p.toString());
        }
    }
}
