package org.relax4j.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.relax4j.Explanation;
import org.relax4j.InputTensor;
import org.relax4j.Json;
import org.relax4j.PixelMap;

/**
 * The files of one explained image, as {@code relax explain} and {@code relax dataset} write them: the maps as
 * {@code .npy} (importance, uncertainty, variance, u_relax, standard_error), a PNG per map plus {@code summary.png},
 * and {@code summary.json} (the explanation's provenance plus each map's file and range), written last.
 *
 * <p>Where the bytes go is the caller's: a {@link Sink} (a staging folder that is moved into place whole, say).
 */
public final class ExplanationFiles {
    /** The summary's name; written last, so that its presence marks a complete set. */
    public static final String SUMMARY = "summary.json";
    /** The map files, in the order written. */
    public static final List<String> MAPS = List.of("importance", "uncertainty", "variance", "u_relax",
            "standard_error");

    private ExplanationFiles() {
    }

    /** Receives one named file's bytes. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param file a plain file name
         * @param content writes the file's bytes to the stream it is given
         */
        void write(String file, Content content) throws IOException;
    }

    /** Writes a file's bytes. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A sink that writes the files into {@code dir}. */
    public static Sink into(Path dir) {
        return (file, content) -> {
            try (OutputStream out = Files.newOutputStream(dir.resolve(file))) {
                content.writeTo(out);
            }
        };
    }

    /**
     * Writes every file of one explained image.
     *
     * @param image the image's path or URI, for the summary
     * @param rgb the image as explained, RGB (3, H, W) in [0, 1] at the maps' size (the heatmaps' background)
     * @param e the explanation
     * @param model what the caller says of the model, for the provenance (see {@link Explanation#provenance})
     */
    public static void write(Sink sink, String image, InputTensor rgb, Explanation e, Map<String, ?> model)
            throws IOException {
        write(sink, image, rgb, e, model, null, null);
    }

    /**
     * Writes every file of one explained image, and for a match explanation (a target image) also {@code match.png}:
     * the target image beside the importance over the explained one, and the target in {@code summary.json}.
     *
     * @param image the image's path or URI, for the summary
     * @param rgb the image as explained, RGB (3, H, W) in [0, 1] at the maps' size (the heatmaps' background)
     * @param e the explanation
     * @param model what the caller says of the model, for the provenance (see {@link Explanation#provenance})
     * @param targetImage the target image's path or URI, or null when the target is the image's own representation
     * @param targetRgb the target image, RGB in [0, 1], or null
     * @param sink where the files go
     * @throws IOException if a file cannot be written
     */
    public static void write(Sink sink, String image, InputTensor rgb, Explanation e, Map<String, ?> model,
                             String targetImage, InputTensor targetRgb) throws IOException {
        PixelMap[] maps = {e.importance(), e.uncertainty(), e.variance(), e.uRelax(), e.error().standardError()};
        Map<String, Object> mapJson = new LinkedHashMap<>();
        for (int k = 0; k < maps.length; k++) {
            PixelMap map = maps[k];
            String file = MAPS.get(k) + ".npy";
            sink.write(file, o -> Npy.write(o, map));
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("npy", file);
            stats.put("min", map.min());
            stats.put("max", map.max());
            mapJson.put(MAPS.get(k), stats);
        }
        png(sink, "summary.png", Heatmaps.renderSummary(rgb, e));
        png(sink, "importance.png", Heatmaps.render(rgb, List.of(new Heatmaps.Panel("importance", e.importance()))));
        png(sink, "uncertainty.png", Heatmaps.render(rgb, List.of(new Heatmaps.Panel("uncertainty", e.uncertainty()))));
        png(sink, "u_relax.png", Heatmaps.render(rgb, List.of(new Heatmaps.Panel("U-RELAX", e.uRelax(), true))));
        PixelMap se = e.error().standardError();
        png(sink, "standard_error.png", Heatmaps.render(rgb, List.of(e.error().isKnown()
                ? new Heatmaps.Panel("importance standard error", se)
                : new Heatmaps.Panel("standard error: too few masks to estimate",
                        new PixelMap(se.height(), se.width(), new float[se.height() * se.width()])))));
        if (targetRgb != null) {
            BufferedImage target = Heatmaps.renderImage(targetRgb, "target");
            BufferedImage matched = Heatmaps.render(rgb, List.of(new Heatmaps.Panel(String.format(java.util.Locale.ROOT,
                    "what matches the target (similarity %.2f)", e.targetSimilarity()), e.importance())));
            png(sink, "match.png", beside(target, matched));
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("image", image);
        if (targetImage != null) {
            root.put("targetImage", targetImage);
        }
        // library, model, masking, settings, engine, masksUsed, errorEstimate, timings
        root.putAll(e.provenance(model).toMap());
        root.put("maps", mapJson);
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        sink.write(SUMMARY, o -> o.write(json));
    }

    private static BufferedImage beside(BufferedImage a, BufferedImage b) {
        BufferedImage out = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()),
                BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        return out;
    }

    private static void png(Sink sink, String file, BufferedImage image) throws IOException {
        sink.write(file, o -> {
            if (!ImageIO.write(image, "png", o)) {
                throw new IOException("no PNG writer in this JVM");
            }
        });
    }
}
