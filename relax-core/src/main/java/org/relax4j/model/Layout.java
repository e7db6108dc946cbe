package org.relax4j.model;

/**
 * The order of an image model's input axes. relax4j's batches are always {@link #NCHW}; an {@link InputAdapter}
 * lays them out as the model takes them.
 */
public enum Layout {
    /** (batch, channels, height, width): PyTorch's and most ONNX exports' order. */
    NCHW,
    /** (batch, height, width, channels): TensorFlow's order. */
    NHWC;

    /**
     * The layout a model's declared 4-d input shape implies: NHWC when the last axis holds 1 or 3 channels and the
     * second does not, else NCHW (unknown sizes are negative).
     *
     * @param shape the input's declared shape, 4 axes
     * @return the layout
     */
    public static Layout infer(long[] shape) {
        boolean lastIsChannels = shape[3] == 3 || shape[3] == 1;
        boolean secondIsChannels = shape[1] == 3 || shape[1] == 1;
        return lastIsChannels && !secondIsChannels ? NHWC : NCHW;
    }

    /** {@return the shape of {@code rows} inputs of C × H × W in this layout} */
    public long[] shape(int rows, int channels, int height, int width) {
        return this == NHWC ? new long[] {rows, height, width, channels} : new long[] {rows, channels, height, width};
    }
}
