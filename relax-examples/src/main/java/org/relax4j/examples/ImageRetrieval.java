package org.relax4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.relax4j.CancellationToken;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.data.InputTensor;
import org.relax4j.image.Images;
import org.relax4j.mask.MaskDesign;
import org.relax4j.onnx.OnnxEncoder;
import org.relax4j.onnx.PretrainedModels;
import org.relax4j.retrieve.Gallery;
import org.relax4j.retrieve.Retrieval;

/**
 * Example 11: content-based image retrieval with explanations. A folder of images is embedded once (cached beside
 * it), searched by cosine similarity, and each hit explained both ways: what in the query resembles the result, and
 * what in the result resembles the query.
 */
public final class ImageRetrieval {
    private ImageRetrieval() {
    }

    /**
     * Finds the {@code k} gallery images nearest to {@code query} and explains each match.
     *
     * @param query a PNG or JPEG file
     * @param gallery a folder of PNG or JPEG files
     * @param k how many results
     * @param masks masks per explanation
     * @return the explained hits, best first
     * @throws IOException if an image cannot be read
     */
    public static List<Retrieval.Pair> run(Path query, Path gallery, int k, int masks) throws IOException {
        // snippet:start retrieval
        int size = PretrainedModels.MOBILENET_V2_SIZE;
        try (OnnxEncoder encoder = PretrainedModels.openMobileNetV2(PretrainedModels.defaultCacheDir(), 0,
                System.err::println);
             Relax relax = new Relax(RelaxConfig.builder().design(MaskDesign.BALANCED).masks(masks).build())) {
            Gallery g = Gallery.open(gallery, "mobilenet-v2 " + size, f -> Images.readImageNet(f, size), encoder, 16,
                    System.err::println);
            InputTensor q = Images.readImageNet(query, size);
            List<Gallery.Hit> hits = g.search(Retrieval.representation(encoder, q), k);
            List<Retrieval.Pair> pairs = new java.util.ArrayList<>();
            for (Gallery.Hit hit : hits) {
                pairs.add(Retrieval.explain(relax, encoder, q, Images.readImageNet(hit.file(), size), hit,
                        ProgressListener.NONE, new CancellationToken()));
            }
            return pairs;
        }
        // snippet:end
    }
}
