package org.relax4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.relax4j.io.StagedFolder;

/**
 * The Parquet table of a dataset's results, written so that an earlier table survives anything but a finished run,
 * and nothing else is ever replaced: on a local file system the table is written beside its place
 * ({@link StagedFolder}) and swapped in when the job is done, and a folder at its place is replaced only if it is
 * a results table (Parquet parts, Spark's markers and {@value #MARKER}). Other URIs (hdfs://, s3a://) are written
 * by Spark in place, as before.
 */
public final class ResultTables {
    /** The file relax writes into every table it makes. */
    public static final String MARKER = "_RELAX_TABLE";

    private ResultTables() {
    }

    /**
     * Checks that a table may be written at {@code table}: nothing there, or a results table.
     *
     * @throws IllegalArgumentException naming the path and what is there
     */
    public static void check(String table) {
        Path local = localPath(table);
        if (local != null && Files.exists(local, LinkOption.NOFOLLOW_LINKS) && !isTable(local)) {
            throw new IllegalArgumentException(local + " exists and is not a relax results table ("
                    + (Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS) ? "it holds other files" : "it is a file or "
                    + "a link") + "); not replacing it: choose another --table");
        }
    }

    /**
     * Runs the job of {@code rows} and writes its result as the table at {@code table}.
     *
     * @return the table, read back
     * @throws IllegalArgumentException if something other than a results table is at a local {@code table}
     */
    static Dataset<Row> write(SparkSession spark, Dataset<Row> rows, String table) {
        Path local = localPath(table);
        if (local == null) {
            rows.write().mode(SaveMode.Overwrite).parquet(table);
            return spark.read().parquet(table);
        }
        check(table);
        try (StagedFolder staged = StagedFolder.begin(local.toAbsolutePath().getParent(),
                local.getFileName().toString())) {
            rows.write().mode(SaveMode.Overwrite).parquet(staged.path().toUri().toString());
            Files.writeString(staged.path().resolve(MARKER), "a table of relax4j results\n");
            if (!staged.publish(ResultTables::isTable)) {
                check(table);
                throw new IllegalStateException(local + " appeared while the table was written; not replacing it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the table " + local + ": " + e.getMessage(), e);
        }
        return spark.read().parquet(local.toUri().toString());
    }

    /**
     * Whether {@code dir} is a results table: a real folder holding only Parquet parts, Spark's {@code _SUCCESS}
     * and checksum files, an unfinished write's {@code _temporary}, and {@value #MARKER}.
     */
    static boolean isTable(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                boolean ours = n.equals(MARKER) || n.equals("_SUCCESS") || n.equals("._SUCCESS.crc")
                        || n.equals("_temporary") || n.startsWith("part-") || n.startsWith(".part-");
                if (!ours || Files.isSymbolicLink(f)) {
                    return false;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    /** The local path of a table given as a path or {@code file:} URI, or null for another file system. */
    static Path localPath(String table) {
        if (table.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !table.matches("^[a-zA-Z]:[\\\\/].*")) {
            URI uri = URI.create(table);
            return "file".equalsIgnoreCase(uri.getScheme()) ? Path.of(uri) : null;
        }
        return Path.of(table);
    }
}
