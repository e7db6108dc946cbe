package org.relax4j.djl;

import java.awt.image.BufferedImage;
import java.util.Objects;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.relax4j.data.InputTensor;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;

/**
 * DJL images as RELAX input: a DJL {@link Image} to an RGB {@code (3, H, W)} {@link InputTensor} in [0, 1], and
 * to the ImageNet-normalised tensor RELAX masks.
 *
 * <pre>{@code
 * Image img = ImageFactory.getInstance().fromFile(Path.of("cat.png"));
 * InputTensor x = DjlImages.readImageNet(img, 224);     // resized, ImageNet-normalised, (3, 224, 224)
 * }</pre>
 *
 * <p>DJL's default image factory on the JVM wraps a {@link BufferedImage}; such images are converted directly,
 * with no engine, exactly as {@link Images#fromImage} converts the same picture. Other images (e.g. from
 * DJL's OpenCV factory) go through {@code Image.toNDArray} and need an {@link NDManager} of an engine.
 */
public final class DjlImages {

    private DjlImages() {
    }

    /**
     * Converts a DJL image backed by a {@link BufferedImage} to RGB (3, H, W) in [0, 1]; alpha is dropped.
     *
     * @param image a DJL image. Not modified.
     * @return a new tensor
     * @throws IllegalArgumentException if the image does not wrap a {@link BufferedImage}; use
     *     {@link #toRgb(Image, NDManager)}
     */
    public static InputTensor toRgb(Image image) {
        Object wrapped = Objects.requireNonNull(image, "image").getWrappedImage();
        if (wrapped instanceof BufferedImage bi) {
            return Images.fromImage(bi);
        }
        throw new IllegalArgumentException("DJL image wraps " + (wrapped == null ? "null" : wrapped.getClass()
                .getName()) + ", not a BufferedImage; convert it with toRgb(image, manager)");
    }

    /**
     * Converts any DJL image to RGB (3, H, W) in [0, 1] through {@code image.toNDArray(manager, COLOR)}; the
     * arrays live in a sub-manager closed before returning.
     *
     * @param image a DJL image. Not modified.
     * @param manager a manager of an engine that can hold the image's (H, W, 3) uint8 array
     * @return a new tensor
     */
    public static InputTensor toRgb(Image image, NDManager manager) {
        Objects.requireNonNull(image, "image");
        int h = image.getHeight();
        int w = image.getWidth();
        try (NDManager sub = manager.newSubManager()) {
            NDArray hwc = image.toNDArray(sub, Image.Flag.COLOR);
            long[] shape = hwc.getShape().getShape();
            if (shape.length != 3 || shape[0] != h || shape[1] != w || shape[2] != 3) {
                throw new IllegalArgumentException("DJL image " + w + "x" + h + " gave an array of shape "
                        + hwc.getShape() + ", expected (" + h + ", " + w + ", 3)");
            }
            float[] d = new float[3 * h * w];
            int pixels = h * w;
            if (hwc.getDataType() == DataType.UINT8 || hwc.getDataType() == DataType.INT8) {
                byte[] b = hwc.toByteArray();
                for (int p = 0; p < pixels; p++) {
                    for (int c = 0; c < 3; c++) {
                        d[c * pixels + p] = (b[3 * p + c] & 0xFF) / 255f;
                    }
                }
            } else {
                float[] f = hwc.toType(DataType.FLOAT32, false).toFloatArray();
                for (int p = 0; p < pixels; p++) {
                    for (int c = 0; c < 3; c++) {
                        d[c * pixels + p] = f[3 * p + c] / 255f;
                    }
                }
            }
            return InputTensor.of(3, h, w, d);
        }
    }

    /**
     * The reference's preprocessing of a DJL image: RGB, resized to {@code size × size} (bilinear, as
     * {@link Images#resize}), normalised with {@link Normalization#imagenet()}.
     *
     * @param image a DJL image wrapping a {@link BufferedImage}. Not modified.
     * @param size the height and width of the result
     * @return a new (3, size, size) tensor
     */
    public static InputTensor readImageNet(Image image, int size) {
        return Normalization.imagenet().normalize(Images.resize(toRgb(image), size, size));
    }
}
