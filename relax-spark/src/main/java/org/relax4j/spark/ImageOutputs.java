package org.relax4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;
import org.relax4j.Provenance;
import org.relax4j.image.ExplanationFiles;
import org.relax4j.image.Npy;
import org.relax4j.io.FileSink;
import org.relax4j.io.StagedFolder;

/**
 * The per-image files of {@code relax explain} (summary.png, one PNG per map, the maps as {@code .npy}, and
 * summary.json), published atomically: written into a hidden folder unique to the task attempt, then renamed to
 * {@code OUT/<name>} in one step. A reader, a retried task or a speculative copy therefore sees an image's folder
 * either complete or not at all; when two attempts finish, the first rename wins and the other discards its copy.
 * An attempt killed while writing leaves only a hidden {@value #TEMP_PREFIX}* folder, which
 * {@link #removeStaleTemporaries} deletes at the start of the next run.
 *
 * <p>The output folder must be one file system that every executor sees (any local folder with a local master;
 * a shared mount on a cluster), since renames are atomic only within one file system.
 */
public final class ImageOutputs {
    /** Prefix of the folders being written; never the name of an image's folder. */
    public static final String TEMP_PREFIX = StagedFolder.STAGING_PREFIX;
    /** The file whose presence marks an image's folder complete (it is written last, and the folder appears whole). */
    public static final String SUMMARY = ExplanationFiles.SUMMARY;

    private ImageOutputs() {
    }

    /** Whether {@code OUT/<name>} holds a finished explanation. */
    public static boolean isComplete(Path out, String name) {
        return Files.isRegularFile(out.resolve(name).resolve(SUMMARY));
    }

    /**
     * Writes the files of one explanation and publishes them as {@code OUT/<name>}.
     *
     * @param image the image's path or URI, for summary.json
     * @param rgb the resized image in [0, 1], (3, H, W), under the heatmaps. Not modified.
     * @param model the model's description for summary.json
     * @return false if another attempt published this image first (its files are kept, ours discarded)
     * @throws IOException if writing fails; nothing is left under {@code OUT/<name>}
     */
    public static boolean publish(Path out, String name, String image, InputTensor rgb, Explanation e,
                                  Map<String, Object> model) throws IOException {
        try (StagedFolder folder = StagedFolder.begin(out, name)) {
            write(folder.path(), image, rgb, e, model);
            // An unfinished folder from elsewhere (e.g. an interrupted non-atomic writer) is replaced; a complete one
            // means another attempt published this image first.
            return folder.publish(dir -> !Files.isRegularFile(dir.resolve(SUMMARY)));
        }
    }

    /** Deletes the hidden folders of attempts that were killed while writing. Call only when no job is writing. */
    public static int removeStaleTemporaries(Path out) throws IOException {
        return StagedFolder.tidy(out);
    }

    /** The files {@code relax explain} writes, into {@code dir}; the summary last. */
    static void write(Path dir, String image, InputTensor rgb, Explanation e, Map<String, Object> model)
            throws IOException {
        ExplanationFiles.write(FileSink.into(dir), image, rgb, e, model);
    }

    /** A finished image's maps and numbers, read back for a resumed run. */
    record Finished(PixelMap importance, PixelMap uncertainty, PixelMap variance, PixelMap uRelax,
                    PixelMap standardError, long masksUsed, Double relativeError, Double bound) {
    }

    static Finished read(Path dir) throws IOException {
        Provenance p = Provenance.fromJson(Files.readString(dir.resolve(SUMMARY)));
        return new Finished(Npy.read(dir.resolve("importance.npy")), Npy.read(dir.resolve("uncertainty.npy")),
                Npy.read(dir.resolve("variance.npy")), Npy.read(dir.resolve("u_relax.npy")),
                Npy.read(dir.resolve("standard_error.npy")), p.masksUsed(), finite(p.error().relativeError()),
                finite(p.error().bound()));
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
