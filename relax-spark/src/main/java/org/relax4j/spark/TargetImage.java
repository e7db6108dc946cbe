package org.relax4j.spark;

import java.io.Serializable;
import java.util.Objects;
import org.relax4j.Target;
import org.relax4j.data.InputTensor;
import org.relax4j.image.Normalization;

/**
 * The one image every image of a dataset is matched against ({@code relax dataset --target}), as it travels to the
 * executors: its path and checksum for the summaries (a rerun compares them), and its pixels, RGB in [0, 1] at the
 * dataset's image size. Each explanation then weights its masks by the similarity to the target's representation.
 *
 * @param path the target's path or URI
 * @param sha256 the SHA-256 of the target file's bytes
 * @param shape the image's (H, W)
 * @param rgb RGB (3, H, W) in [0, 1], row-major
 */
public record TargetImage(String path, String sha256, int[] shape, float[] rgb) implements Serializable {
    /** Checks the parts. */
    public TargetImage {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        if (shape.length != 2 || rgb.length != 3 * shape[0] * shape[1]) {
            throw new IllegalArgumentException("a target image is RGB (3, H, W)");
        }
    }

    /** {@return the target from an RGB image in [0, 1]} */
    public static TargetImage of(String path, String sha256, InputTensor rgb) {
        return new TargetImage(path, sha256, rgb.shape(), rgb.toArray());
    }

    /** {@return the image, RGB in [0, 1]} */
    public InputTensor tensor() {
        return InputTensor.of(3, shape, rgb);
    }

    /** {@return the target as the explainer takes it: the image, ImageNet-normalised as every input is} */
    Target target() {
        return Target.input(Normalization.imagenet().normalize(tensor()));
    }
}
