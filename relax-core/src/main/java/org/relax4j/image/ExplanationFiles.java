package org.relax4j.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Json;
import org.relax4j.data.PixelMap;
import org.relax4j.io.FileSink;
import org.relax4j.io.ResultFormat;

/**
 * The files of one explained image, as {@code relax explain} and {@code relax dataset} write them, format by format
 * ({@link #FORMATS}): the maps as {@code .npy} (importance, uncertainty, variance, u_relax, standard_error), a PNG per
 * map plus {@code summary.png} (and {@code match.png} for a match), and {@code summary.json} (the explanation's
 * provenance plus each map's file and range), written last.
 *
 * <p>Where the bytes go is the caller's: a {@link FileSink} (a staging folder that is moved into place whole, say).
 */
public final class ExplanationFiles {
    /** The summary's name; written last, so that its presence marks a complete set. */
    public static final String SUMMARY = "summary.json";
    /** The map files, in the order written. */
    public static final List<String> MAPS = List.of("importance", "uncertainty", "variance", "u_relax",
            "standard_error");

    /** The summary's key for the SHA-256 of the input image's bytes, which a resumed run compares. */
    public static final String IMAGE_SHA256 = "imageSha256";
    /** The summary's key for a match explanation's target image. */
    public static final String TARGET_IMAGE = "targetImage";
    /** The summary's key for the SHA-256 of the target image's bytes. */
    public static final String TARGET_SHA256 = "targetSha256";

    /**
     * One explained image, as its files describe it.
     *
     * @param image the image's path or URI
     * @param imageSha256 the SHA-256 of the image file's bytes (hex), or null if not known
     * @param rgb the image as explained, RGB (3, H, W) in [0, 1]
     * @param explanation the explanation
     * @param model what the caller says of the model
     * @param targetImage the target image's path or URI, or null
     * @param targetSha256 the SHA-256 of the target image's bytes (hex), or null
     * @param targetRgb the target image, or null
     */
    public record Result(String image, String imageSha256, InputTensor rgb, Explanation explanation,
                         Map<String, ?> model, String targetImage, String targetSha256, InputTensor targetRgb) {
        /** The maps in the order of {@link #MAPS}. */
        PixelMap[] maps() {
            return ExplanationFiles.maps(explanation).values().toArray(new PixelMap[0]);
        }
    }

    /** The maps as NumPy {@code .npy} files, one per map. */
    public static final ResultFormat<Result> NPY = ResultFormat.of("npy", (r, sink) -> {
        PixelMap[] maps = r.maps();
        for (int k = 0; k < maps.length; k++) {
            PixelMap map = maps[k];
            sink.write(MAPS.get(k) + ".npy", o -> Npy.write(o, map));
        }
    });

    /** The maps over the image as PNG pictures, with {@code summary.png} (and {@code match.png} for a match). */
    public static final ResultFormat<Result> PNG = ResultFormat.of("png", (r, sink) -> {
        Explanation e = r.explanation();
        InputTensor rgb = r.rgb();
        Map<String, java.util.function.Supplier<BufferedImage>> pictures = new LinkedHashMap<>();
        pictures.put("summary.png", () -> Heatmaps.renderSummary(rgb, e));
        pictures.put("importance.png", () -> Heatmaps.render(rgb, List.of(new Heatmaps.Panel("importance",
                e.importance()))));
        pictures.put("uncertainty.png", () -> Heatmaps.render(rgb, List.of(new Heatmaps.Panel("uncertainty",
                e.uncertainty()))));
        pictures.put("u_relax.png", () -> Heatmaps.render(rgb, List.of(new Heatmaps.Panel("U-RELAX", e.uRelax(),
                true))));
        PixelMap se = e.error().standardError();
        pictures.put("standard_error.png", () -> Heatmaps.render(rgb, List.of(e.error().isKnown()
                ? new Heatmaps.Panel("importance standard error", se)
                : new Heatmaps.Panel("standard error: too few masks to estimate",
                        new PixelMap(se.height(), se.width(), new float[se.height() * se.width()])))));
        if (r.targetRgb() != null) {
            pictures.put("match.png", () -> Heatmaps.beside(Heatmaps.renderImage(r.targetRgb(), "target"),
                    Heatmaps.render(rgb, List.of(new Heatmaps.Panel(String.format(java.util.Locale.ROOT,
                            "what matches the target (similarity %.2f)", e.targetSimilarity()), e.importance())))));
        }
        // Drawing and PNG encoding are most of the time spent on the files (a cold run's 0.2 s): the pictures are
        // made in parallel, then written in order by this thread (a sink need not be thread safe). Same bytes.
        List<byte[]> encoded;
        try {
            encoded = pictures.values().parallelStream().map(p -> encodePng(p.get())).toList();
        } catch (java.io.UncheckedIOException ex) {
            throw ex.getCause();
        }
        int k = 0;
        for (String file : pictures.keySet()) {
            byte[] bytes = encoded.get(k++);
            sink.write(file, o -> o.write(bytes));
        }
    });

    /** {@value #SUMMARY}: the image, the provenance, and each map's {@code .npy} file with its range. */
    public static final ResultFormat<Result> JSON = ResultFormat.of("json", (r, sink) -> {
        PixelMap[] maps = r.maps();
        Map<String, Object> mapJson = new LinkedHashMap<>();
        for (int k = 0; k < maps.length; k++) {
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("npy", MAPS.get(k) + ".npy");
            stats.put("min", maps[k].min());
            stats.put("max", maps[k].max());
            mapJson.put(MAPS.get(k), stats);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("image", r.image());
        if (r.imageSha256() != null) {
            root.put(IMAGE_SHA256, r.imageSha256());
        }
        if (r.targetImage() != null) {
            root.put(TARGET_IMAGE, r.targetImage());
        }
        if (r.targetSha256() != null) {
            root.put(TARGET_SHA256, r.targetSha256());
        }
        // library, model, masking, settings, engine, masksUsed, errorEstimate, timings
        root.putAll(r.explanation().provenance(r.model()).toMap());
        root.put("maps", mapJson);
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        sink.write(SUMMARY, o -> o.write(json));
    });

    /** The formats of an explained image's folder, in the order written: the summary last marks it complete. */
    public static final List<ResultFormat<Result>> FORMATS = List.of(NPY, PNG, JSON);

    private ExplanationFiles() {
    }

    /**
     * {@return the explanation's maps by their file names ({@link #MAPS}), in that order: the one list of an
     * explanation's maps for every format}
     *
     * @param e the explanation
     */
    public static Map<String, PixelMap> maps(Explanation e) {
        PixelMap[] in = {e.importance(), e.uncertainty(), e.variance(), e.uRelax(), e.error().standardError()};
        Map<String, PixelMap> m = new LinkedHashMap<>();
        for (int k = 0; k < in.length; k++) {
            m.put(MAPS.get(k), in[k]);
        }
        return m;
    }

    /**
     * Writes every file of one explained image.
     *
     * @param image the image's path or URI, for the summary
     * @param rgb the image as explained, RGB (3, H, W) in [0, 1] at the maps' size (the heatmaps' background)
     * @param e the explanation
     * @param model what the caller says of the model, for the provenance (see {@link Explanation#provenance})
     */
    public static void write(FileSink sink, String image, InputTensor rgb, Explanation e, Map<String, ?> model)
            throws IOException {
        write(sink, new Result(image, null, rgb, e, model, null, null, null));
    }

    /**
     * Writes every file of one explained image ({@link #FORMATS}); for a match explanation (a target image) also
     * {@code match.png}, the target image beside the importance over the explained one, and the target in
     * {@code summary.json}.
     *
     * @param sink where the files go
     * @param result the image, its explanation and what identifies them
     * @throws IOException if a file cannot be written
     */
    public static void write(FileSink sink, Result result) throws IOException {
        for (ResultFormat<Result> f : FORMATS) {
            f.write(result, sink);
        }
    }

    /**
     * Whether {@code dir} is a folder that relax wrote: a real folder (not a link) holding only the files of a result
     * (PNG, NumPy, JSON). Only such a folder is ever replaced by a new result under its name; anything else there
     * is the user's.
     *
     * @param dir the folder
     * @return true if it is a result folder
     */
    public static boolean isResultFolder(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                        || !(n.endsWith(".png") || n.endsWith(".npy") || n.endsWith(".json"))) {
                    return false;
                }
            }
        } catch (IOException e) {
            return false; // what cannot be read is not known to be ours
        }
        return true;
    }

    private static byte[] encodePng(BufferedImage image) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            Images.writePng(image, out);
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
