package org.relax4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.image.Heatmaps;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.image.Npz;

/**
 * Example 1: explain an image under any encoder, and write the maps (PNG heatmaps, one {@code .npz} with the
 * provenance). The encoder here is a stand-in (mean colour of each image quadrant); put your model there.
 */
public final class QuickStart {
    private QuickStart() {
    }

    /**
     * Explains {@code image} and writes {@code out/summary.png} and {@code out/maps.npz}.
     *
     * @param image a PNG or JPEG file
     * @param out an existing directory
     * @param masks the number of masks
     * @return the explanation
     * @throws IOException if a file cannot be read or written
     */
    public static Explanation run(Path image, Path out, int masks) throws IOException {
        // snippet:start quick-start
        InputTensor x = Images.readImageNet(image, 224);                   // (3, 224, 224), ImageNet-normalised
        Encoder encoder = QuickStart::quadrantColours;                     // (B, C, H, W) -> (B, D): your model

        RelaxConfig config = RelaxConfig.builder().masks(masks).seed(42).build();
        try (Relax relax = new Relax(config)) {
            Explanation e = relax.explain(x, encoder);
            float[] importance = e.importance().values();                  // H*W, row-major
            Heatmaps.writeSummary(out.resolve("summary.png"), Normalization.imagenet().denormalize(x), e);
            Npz.write(out.resolve("maps.npz"), e, e.provenance(Map.of("name", "quadrant-colours")));
            System.out.println(e + ", max importance " + e.importance().max() + " of " + importance.length);
            return e;
        }
        // snippet:end
    }

    /** A stand-in encoder: per image, the mean of each channel over each quadrant (12 values). */
    static Embeddings quadrantColours(org.relax4j.data.InputBatch batch) {
        int c = batch.channels();
        int h = batch.height();
        int w = batch.width();
        float[] out = new float[batch.size() * c * 4];
        for (int b = 0; b < batch.size(); b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        int q = (i < h / 2 ? 0 : 2) + (j < w / 2 ? 0 : 1);
                        out[(b * c + ch) * 4 + q] += batch.get(b, ch, i, j) / (h * w / 4f);
                    }
                }
            }
        }
        return new Embeddings(batch.size(), c * 4, out);
    }

    /**
     * Runs the example.
     *
     * @param args an image file and an output directory
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        run(Path.of(args[0]), Path.of(args[1]), 500);
    }
}
