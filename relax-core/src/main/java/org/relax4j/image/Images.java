package org.relax4j.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.relax4j.data.InputTensor;
import org.relax4j.internal.Bilinear;

/**
 * Images in: read PNG/JPEG into a (3, H, W) tensor in [0, 1], resize bilinearly and normalise with the ImageNet
 * statistics ({@link Normalization#imagenet()}), as the reference's {@code imagenet_image_transforms} helper does.
 */
public final class Images {

    private Images() {
    }

    /**
     * Reads an image file (PNG, JPEG, or anything ImageIO reads) as RGB (3, H, W) in [0, 1]; alpha is dropped,
     * grey images are repeated over the three channels.
     *
     * @param file the image file
     * @return the image, RGB (3, H, W) in [0, 1]
     * @throws IOException if the file is missing or not an image ImageIO can read
     */
    public static InputTensor read(Path file) throws IOException {
        return decode(file, 0, 0);
    }

    /**
     * Reads an image that is about to be resized to {@code height × width}: a large image is subsampled while it
     * is decoded, by the largest whole factor that keeps both sides at least twice the target, so that an
     * 8000 × 8000 photo never occupies memory at full size. Images smaller than twice the target are read whole,
     * exactly as {@link #read(Path)} reads them. A JPEG's EXIF orientation is applied ({@link ExifOrientation}),
     * unlike {@link #read(Path)}, which reads the pixels as stored, as the reference's preprocessing does.
     *
     * @param file the image file
     * @return the image, RGB (3, H, W) in [0, 1], at its own size or subsampled
     * @param height the target height, at least 1
     * @param width the target width, at least 1
     * @throws IOException naming the file if it is missing, not an image, or damaged
     */
    public static InputTensor readForSize(Path file, int height, int width) throws IOException {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        // A phone photo is stored as the sensor read it; EXIF says how to turn it upright.
        return ExifOrientation.apply(decode(file, height, width), ExifOrientation.of(file));
    }

    /**
     * Writes {@code image} as PNG to {@code out} through an in-memory stream: {@code ImageIO.write} to a plain
     * stream would first spool the image to a temporary file (its default cache), which costs a cold run time.
     *
     * @throws IOException if the stream fails or the JVM has no PNG writer
     */
    public static void writePng(java.awt.image.RenderedImage image, java.io.OutputStream out) throws IOException {
        try (javax.imageio.stream.ImageOutputStream ios = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
            if (!javax.imageio.ImageIO.write(image, "png", ios)) {
                throw new IOException("no PNG writer in this JVM");
            }
        }
    }

    /**
     * {@return an image file read for a model that takes {@code height} x {@code width}: {@link #readForSize}, then
     * {@link #resize}} — how every entry point (explain, evaluate, retrieve, serve, Spark) reads a file for a
     * fixed-size model.
     *
     * @throws IOException naming the file if it is missing, not an image, or damaged
     */
    public static InputTensor readAtSize(Path file, int height, int width) throws IOException {
        return resize(readForSize(file, height, width), height, width);
    }

    /**
     * {@return an image file's width and height, read from its header without decoding its pixels}: to refuse an
     * image too large to decode before a byte of it is held in memory.
     *
     * @param file the image file
     * @throws IOException naming the file if it is missing or not an image ImageIO can read
     */
    public static long[] dimensions(Path file) throws IOException {
        return withReader(file, reader -> new long[] {reader.getWidth(0), reader.getHeight(0)});
    }

    /** What is read from an image file through its ImageIO reader. */
    @FunctionalInterface
    private interface ReaderTask<T> {
        T read(ImageReader reader) throws IOException;
    }

    /** Runs {@code task} on the file's ImageIO reader; every failure names the file. */
    private static <T> T withReader(Path file, ReaderTask<T> task) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no image file at " + file);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException(file + " is not an image this JVM can read (PNG, JPEG, GIF and BMP are supported)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return task.read(reader);
            } catch (IOException | RuntimeException e) {
                // ImageIO's own messages ("Error skipping PNG metadata") do not say which file
                throw new IOException(file + " is damaged or truncated: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Decodes with ImageIO; a positive target enables subsampling. Every failure names the file. */
    private static InputTensor decode(Path file, int height, int width) throws IOException {
        return withReader(file, reader -> {
            ImageReadParam param = reader.getDefaultReadParam();
            if (height > 0) {
                int factor = (int) Math.min((long) reader.getHeight(0) / (2L * height),
                        (long) reader.getWidth(0) / (2L * width));
                if (factor > 1) {
                    param.setSourceSubsampling(factor, factor, 0, 0);
                }
            }
            return fromImage(reader.read(0, param));
        });
    }

    /**
     * {@return the image converted to RGB (3, H, W) in [0, 1]}
     *
     * @param img the image
     */
    public static InputTensor fromImage(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] d = new float[3 * h * w];
        int pixels = h * w;
        for (int p = 0; p < pixels; p++) {
            int v = argb[p];
            d[p] = ((v >> 16) & 0xFF) / 255f;
            d[pixels + p] = ((v >> 8) & 0xFF) / 255f;
            d[2 * pixels + p] = (v & 0xFF) / 255f;
        }
        return InputTensor.of(3, h, w, d);
    }

    /**
     * {@return a (3, H, W) tensor in [0, 1] (values are clamped) converted to an RGB image}
     *
     * @param rgb a tensor of 3 channels
     */
    public static BufferedImage toImage(InputTensor rgb) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("an RGB image needs 3 channels, got " + rgb.channels());
        }
        int h = rgb.height();
        int w = rgb.width();
        float[] d = rgb.unsafeData();
        int pixels = h * w;
        int[] argb = new int[pixels];
        for (int p = 0; p < pixels; p++) {
            argb[p] = 0xFF000000 | (to8(d[p]) << 16) | (to8(d[pixels + p]) << 8) | to8(d[2 * pixels + p]);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, argb, 0, w);
        return img;
    }

    private static int to8(float v) {
        return Math.round(Math.min(Math.max(v, 0f), 1f) * 255f);
    }

    /**
     * Resizes every channel to {@code height × width} by bilinear interpolation with half-pixel centres and no
     * antialiasing, as {@code torch.nn.functional.interpolate(mode='bilinear', align_corners=False)}.
     *
     * @param x the tensor to resize
     * @param height the new height, at least 1
     * @param width the new width, at least 1
     * @return a new tensor (C, height, width)
     */
    public static InputTensor resize(InputTensor x, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        int ih = x.height();
        int iw = x.width();
        int[] ri = new int[2 * height];
        float[] rw = new float[2 * height];
        int[] ci = new int[2 * width];
        float[] cw = new float[2 * width];
        for (int i = 0; i < height; i++) {
            Bilinear.source(ih, height, i, ri, rw, 2 * i);
        }
        for (int j = 0; j < width; j++) {
            Bilinear.source(iw, width, j, ci, cw, 2 * j);
        }
        float[] src = x.unsafeData();
        float[] out = new float[x.channels() * height * width];
        for (int c = 0; c < x.channels(); c++) {
            int plane = c * ih * iw;
            for (int i = 0; i < height; i++) {
                int r0 = plane + ri[2 * i] * iw;
                int r1 = plane + ri[2 * i + 1] * iw;
                float h0 = rw[2 * i];
                float h1 = rw[2 * i + 1];
                int o = (c * height + i) * width;
                for (int j = 0; j < width; j++) {
                    int c0 = ci[2 * j];
                    int c1 = ci[2 * j + 1];
                    float w0 = cw[2 * j];
                    float w1 = cw[2 * j + 1];
                    out[o + j] = h0 * (w0 * src[r0 + c0] + w1 * src[r0 + c1]) + h1 * (w0 * src[r1 + c0] + w1 * src[r1 + c1]);
                }
            }
        }
        return InputTensor.of(x.channels(), height, width, out);
    }

    /**
     * {@code (x - mean[c]) / std[c]} per channel; the same as {@code normalization.normalize(x)}.
     *
     * @param x (C, H, W) in [0, 1]. Not modified.
     * @param normalization the target pixel space, e.g. {@link Normalization#imagenet()}
     * @return a new tensor
     * @throws IllegalArgumentException if the channel counts differ
     */
    public static InputTensor normalize(InputTensor x, Normalization normalization) {
        return normalization.normalize(x);
    }

    /**
     * The inverse of {@link #normalize}: {@code x * std[c] + mean[c]} per channel, back to [0, 1].
     *
     * @param x (C, H, W) in the given pixel space. Not modified.
     * @param normalization the pixel space {@code x} is in
     * @return a new tensor
     * @throws IllegalArgumentException if the channel counts differ
     */
    public static InputTensor denormalize(InputTensor x, Normalization normalization) {
        return normalization.denormalize(x);
    }

    /**
     * The reference's preprocessing: read, resize to {@code size × size}, normalise with the ImageNet statistics.
     * Masks then multiply the normalised image, so a fully masked pixel is the ImageNet mean colour.
     *
     * @param file the image file
     * @param size the side of the square the image is resized to
     * @return the normalised image (3, size, size)
     * @throws IOException if the file is missing or not an image ImageIO can read
     */
    public static InputTensor readImageNet(Path file, int size) throws IOException {
        return Normalization.imagenet().normalize(resize(read(file), size, size));
    }
}
