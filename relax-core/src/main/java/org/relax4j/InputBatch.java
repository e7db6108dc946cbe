package org.relax4j;

import java.nio.FloatBuffer;

/**
 * A batch of inputs (B, C, H, W), stored row-major in a flat float32 array starting at {@link #offset()}.
 *
 * <p>Engines hand the encoder a view of their own reusable buffer; see {@link Encoder} for how long the view
 * stays valid. The array is exposed, not copied, so that native runtimes can consume it directly.
 */
public final class InputBatch {
    private final float[] data;
    private final int offset;
    private final int size;
    private final int channels;
    private final int height;
    private final int width;

    /**
     * Creates a view over {@code data[offset .. offset + size*channels*height*width)}.
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
        if (size <= 0 || channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("batch shape must be positive, got (" + size + ", " + channels
                    + ", " + height + ", " + width + ")");
        }
        long needed = (long) size * channels * height * width;
        if (offset < 0 || offset + needed > data.length) {
            throw new IllegalArgumentException("batch (" + size + ", " + channels + ", " + height + ", " + width
                    + ") needs " + needed + " floats from offset " + offset + ", array has " + data.length);
        }
        this.data = data;
        this.offset = offset;
        this.size = size;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /**
     * {@return one input (C, H, W) wrapped as a batch of one, without copying}
     *
     * @param input the input, whose array the batch shares
     */
    public static InputBatch of(InputTensor input) {
        return new InputBatch(input.unsafeData(), 0, 1, input.channels(), input.height(), input.width());
    }

    /** {@return the backing array (not a copy). Element (b, c, i, j) is at {@code offsetOf(b) + (c*H + i)*W + j}} */
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

    /** {@return height H} */
    public int height() {
        return height;
    }

    /** {@return width W} */
    public int width() {
        return width;
    }

    /** {@return floats per input, C*H*W} */
    public int sampleLength() {
        return channels * height * width;
    }

    /**
     * {@return element (b, c, i, j)}
     *
     * @param b input index
     * @param c channel
     * @param i row
     * @param j column
     */
    public float get(int b, int c, int i, int j) {
        return data[offsetOf(b) + (c * height + i) * width + j];
    }

    /** {@return the shape {B, C, H, W} as ONNX Runtime and DL4J take it} */
    public long[] shape() {
        return new long[] {size, channels, height, width};
    }

    /** {@return a read-only buffer over exactly this batch's elements, sharing the array (no copy)} */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data, offset, size * sampleLength()).slice().asReadOnlyBuffer();
    }
}
