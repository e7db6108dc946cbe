package org.relax4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;
import org.relax4j.Json;
import org.relax4j.Provenance;
import org.relax4j.Settings;
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

    /** Whether {@code OUT/<name>} holds a finished explanation (a real folder with its summary). */
    public static boolean isComplete(Path out, String name) {
        Path dir = out.resolve(name);
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(dir.resolve(SUMMARY), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Writes the files of one explanation and publishes them as {@code OUT/<name>} ({@code name} may hold folders:
     * {@code sub/a}), replacing an earlier relax result of that name, never anything else.
     *
     * @param image the image's path or URI, for summary.json
     * @param imageSha256 the SHA-256 of the image's bytes, for summary.json (a rerun compares it), or null
     * @param rgb the resized image in [0, 1], (3, H, W), under the heatmaps. Not modified.
     * @param model the model's description for summary.json
     * @param target the image every image is matched against, or null
     * @return true once published
     * @throws IOException if writing fails (nothing is left under {@code OUT/<name>}), or something that is not a
     *         relax result is there
     */
    public static boolean publish(Path out, String name, String image, String imageSha256, InputTensor rgb,
                                  Explanation e, Map<String, Object> model, TargetImage target) throws IOException {
        Path dir = out.resolve(name);
        try (StagedFolder folder = StagedFolder.begin(dir.getParent(), dir.getFileName().toString())) {
            ExplanationFiles.write(FileSink.into(folder.path()), new ExplanationFiles.Result(image, imageSha256, rgb,
                    e, model, target == null ? null : target.path(), target == null ? null : target.sha256(),
                    target == null ? null : target.tensor()));
            if (!folder.publish(ExplanationFiles::isResultFolder)) {
                if (!ExplanationFiles.isResultFolder(dir)) {
                    throw new IOException(dir + " exists and is not a relax result (it holds other files, or is a "
                            + "link); not replacing it");
                }
                return false; // another attempt published it meanwhile
            }
            return true;
        }
    }

    /**
     * The explanation already at {@code OUT/<name>}, if it is one of this image under these settings and this
     * model: a real folder whose summary records equal settings, an equal model description, the image's
     * checksum and the same target's (or none). Anything else (other settings, another image under the name, a
     * damaged summary, a link) is null: explain again.
     *
     * @return the finished maps, or null
     */
    static Finished finished(Path out, String name, Settings settings, Map<String, Object> model, String imageSha256,
                             TargetImage target) throws IOException {
        if (!isComplete(out, name)) {
            return null;
        }
        Path dir = out.resolve(name);
        Map<String, Object> summary;
        Provenance p;
        try {
            summary = Json.readObject(Files.readString(dir.resolve(SUMMARY)));
            p = Provenance.fromMap(summary);
        } catch (RuntimeException damaged) {
            return null;
        }
        if (!p.config().settings().equals(settings) || !p.model().equals(model)
                || !Objects.equals(imageSha256, summary.get(ExplanationFiles.IMAGE_SHA256))
                || !Objects.equals(target == null ? null : target.sha256(), summary.get(ExplanationFiles.TARGET_SHA256))) {
            return null;
        }
        return read(dir, p);
    }

    /** Deletes the hidden folders of attempts that were killed while writing. Call only when no job is writing. */
    public static int removeStaleTemporaries(Path out) throws IOException {
        return StagedFolder.tidyTree(out);
    }

    /** A finished image's maps and numbers, read back for a resumed run. */
    record Finished(PixelMap importance, PixelMap uncertainty, PixelMap variance, PixelMap uRelax,
                    PixelMap standardError, long masksUsed, Double relativeError, Double bound) {
    }

    private static Finished read(Path dir, Provenance p) throws IOException {
        return new Finished(Npy.read(dir.resolve("importance.npy")), Npy.read(dir.resolve("uncertainty.npy")),
                Npy.read(dir.resolve("variance.npy")), Npy.read(dir.resolve("u_relax.npy")),
                Npy.read(dir.resolve("standard_error.npy")), p.masksUsed(), finite(p.error().relativeError()),
                finite(p.error().bound()));
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
