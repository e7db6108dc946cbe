package org.relax4j.data;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A batch of inputs (B, C, spatial...) — (B, C, H, W) for images — stored row-major in a flat float32 array
 * starting at {@link #offset()}.
 *
 * <p>Engines hand the encoder a view of their own reusable buffer; see {@link org.relax4j.Encoder} for how long the view
 * stays valid. The array is exposed, not copied, so that native runtimes can consume it directly.
 */
public final class InputBatch {
    private final float[] data;
    private final int offset;
    private final int size;
    private final int channels;
    private final int[] spatial;
    private final int positions;

    /**
     * Creates a view over a batch of images, {@code data[offset .. offset + size*channels*height*width)}.
     *
     * @param data the backing array, not copied
     * @param offset index of the batch's first element in {@code data}
     * @param size number of inputs B
     * @param channels channels C
     * @param height height H
     * @param width width W
     * @throws IllegalArgumentException if a dimension is not positive or the array is too short
     */
    public InputBatch(float[] data, int offset, int size, int channels, int height, int width) {
        this(data, offset, size, channels, new int[] {height, width});
    }

    /**
     * Creates a view over a batch of inputs of any spatial rank.
     *
     * @param data the backing array, not copied
     * @param offset index of the batch's first element in {@code data}
     * @param size number of inputs B
     * @param channels channels C
     * @param spatialShape the spatial shape, rank 1 to 3. Copied.
     * @throws IllegalArgumentException if a dimension is not positive or the array is too short
     */
    public InputBatch(float[] data, int offset, int size, int channels, int[] spatialShape) {
        long positions = 1;
        boolean positive = size > 0 && channels > 0 && spatialShape.length >= 1 && spatialShape.length <= 3;
        for (int s : spatialShape) {
            positive &= s > 0;
            positions *= s;
        }
        if (!positive) {
            throw new IllegalArgumentException("batch shape must be positive with 1 to 3 spatial axes, got "
                    + describe(size, channels, spatialShape));
        }
        long needed = (long) size * channels * positions;
        if (offset < 0 || offset + needed > data.length) {
            throw new IllegalArgumentException("batch " + describe(size, channels, spatialShape) + " needs " + needed
                    + " floats from offset " + offset + ", array has " + data.length);
        }
        this.data = data;
        this.offset = offset;
        this.size = size;
        this.channels = channels;
        this.spatial = spatialShape.clone();
        this.positions = (int) positions;
    }

    private static String describe(int size, int channels, int[] spatial) {
        StringBuilder b = new StringBuilder("(").append(size).append(", ").append(channels);
        for (int s : spatial) {
            b.append(", ").append(s);
        }
        return b.append(")").toString();
    }

    /**
     * {@return one input wrapped as a batch of one, without copying}
     *
     * @param input the input, whose array the batch shares
     */
    public static InputBatch of(InputTensor input) {
        return new InputBatch(input.unsafeData(), 0, 1, input.channels(), input.shape());
    }

    /**
     * {@return the backing array (not a copy). Element (b, c, p) is at {@code offsetOf(b) + c*positions() + p}, p the
     * row-major spatial position; for an image, (b, c, i, j) is at {@code offsetOf(b) + (c*H + i)*W + j}}
     */
    public float[] data() {
        return data;
    }

    /** {@return index of the first element of this batch in {@link #data()}} */
    public int offset() {
        return offset;
    }

    /**
     * {@return index of the first element of input {@code b} in {@link #data()}}
     *
     * @param b input index in [0, B)
     */
    public int offsetOf(int b) {
        return offset + b * sampleLength();
    }

    /** {@return number of inputs B} */
    public int size() {
        return size;
    }

    /** {@return channels C} */
    public int channels() {
        return channels;
    }

    /** {@return the spatial shape, a copy: {H, W} for images} */
    public int[] spatialShape() {
        return spatial.clone();
    }

    /** {@return the number of spatial axes: 2 for images} */
    public int rank() {
        return spatial.length;
    }

    /** {@return positions per channel: the product of the spatial shape} */
    public int positions() {
        return positions;
    }

    /**
     * {@return height H of an image batch}
     *
     * @throws IllegalStateException if the batch is not of images (rank 2)
     */
    public int height() {
        return imageAxis(0);
    }

    /**
     * {@return width W of an image batch}
     *
     * @throws IllegalStateException if the batch is not of images (rank 2)
     */
    public int width() {
        return imageAxis(1);
    }

    private int imageAxis(int a) {
        if (spatial.length != 2) {
            throw new IllegalStateException("this batch has spatial shape " + Arrays.toString(spatial)
                    + ", not an image's (H, W); use spatialShape()");
        }
        return spatial[a];
    }

    /** {@return floats per input, C times the positions} */
    public int sampleLength() {
        return channels * positions;
    }

    /**
     * {@return element (b, c, i, j) of an image batch}
     *
     * @param b input index
     * @param c channel
     * @param i row
     * @param j column
     */
    public float get(int b, int c, int i, int j) {
        return data[offsetOf(b) + (c * height() + i) * width() + j];
    }

    /** {@return the shape {B, C, spatial...} ({B, C, H, W} for images) as ONNX Runtime and DL4J take it} */
    public long[] shape() {
        long[] s = new long[2 + spatial.length];
        s[0] = size;
        s[1] = channels;
        for (int a = 0; a < spatial.length; a++) {
            s[2 + a] = spatial[a];
        }
        return s;
    }

    /** {@return a read-only buffer over exactly this batch's elements, sharing the array (no copy)} */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data, offset, size * sampleLength()).slice().asReadOnlyBuffer();
    }
}
