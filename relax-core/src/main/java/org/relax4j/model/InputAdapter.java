package org.relax4j.model;

import java.util.Objects;
import org.relax4j.data.InputBatch;
import org.relax4j.image.Normalization;

/**
 * What every image encoder does to a batch before its runtime sees it, in one place: split it into chunks the model
 * takes, lay each chunk out in the model's {@link Layout}, and map its pixels from the space relax4j masks in to the
 * model's ({@link Normalization.Conversion}). The ONNX and DJL encoders use it. Immutable and thread-safe; the
 * caller owns the destination arrays.
 */
public final class InputAdapter {
    private final Layout layout;
    private final Normalization.Conversion conversion;
    private final int maxBatch;
    private final int fixedBatch;

    /**
     * @param layout the model's input layout
     * @param conversion from the masked input's pixel space to the model's, or null (or an identity) for none
     * @param maxBatch the most inputs in one call of the model, or 0 for no limit
     * @param fixedBatch the batch size the model was exported with (every call is padded to it), or 0 for a model
     *        that takes any batch size
     */
    public InputAdapter(Layout layout, Normalization.Conversion conversion, int maxBatch, int fixedBatch) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.conversion = conversion == null || conversion.isIdentity() ? null : conversion;
        if (maxBatch < 0 || fixedBatch < 0) {
            throw new IllegalArgumentException("maxBatch and fixedBatch must be >= 0, got " + maxBatch + ", "
                    + fixedBatch);
        }
        this.maxBatch = maxBatch;
        this.fixedBatch = fixedBatch;
    }

    /** {@return the model's input layout} */
    public Layout layout() {
        return layout;
    }

    /** {@return whether inputs are copied as they are: NCHW and no pixel conversion} */
    public boolean isPassThrough() {
        return layout == Layout.NCHW && conversion == null;
    }

    /** {@return the inputs per model call for a batch of {@code total}: the fixed batch, or at most maxBatch} */
    public int chunk(int total) {
        return fixedBatch > 0 ? fixedBatch : maxBatch > 0 ? Math.min(maxBatch, total) : total;
    }

    /** {@return the rows a call for {@code rows} inputs runs with: the fixed batch (zero-padded), or {@code rows}} */
    public int runRows(int rows) {
        return fixedBatch > 0 ? fixedBatch : rows;
    }

    /**
     * Writes inputs {@code [start, start + rows)} of {@code batch} into {@code dst} in the model's layout and pixel
     * space.
     *
     * @param batch the NCHW batch. Not modified.
     * @param start the first input
     * @param rows the number of inputs
     * @param dst receives {@code rows × batch.sampleLength()} values from {@code dstOffset}. Modified.
     * @param dstOffset index of the first value written
     */
    public void copy(InputBatch batch, int start, int rows, float[] dst, int dstOffset) {
        float[] src = batch.data();
        int from = batch.offsetOf(start);
        int c = batch.channels();
        int plane = batch.sampleLength() / c;
        if (conversion != null) {
            if (layout == Layout.NHWC) {
                conversion.applyToNhwc(src, from, dst, dstOffset, rows, c, plane);
            } else {
                conversion.apply(src, from, dst, dstOffset, rows, c, plane);
            }
        } else if (layout == Layout.NHWC) {
            transpose(src, from, dst, dstOffset, rows, c, plane);
        } else {
            System.arraycopy(src, from, dst, dstOffset, rows * batch.sampleLength());
        }
    }

    /** NCHW to NHWC for {@code n} inputs of {@code c} channels over {@code plane} positions, values unchanged. */
    static void transpose(float[] src, int srcOffset, float[] dst, int dstOffset, int n, int c, int plane) {
        int sample = plane * c;
        for (int b = 0; b < n; b++) {
            int sBase = srcOffset + b * sample;
            int dBase = dstOffset + b * sample;
            for (int ch = 0; ch < c; ch++) {
                int s = sBase + ch * plane;
                int d = dBase + ch;
                for (int p = 0; p < plane; p++) {
                    dst[d + p * c] = src[s + p];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "InputAdapter[" + layout + (conversion != null ? ", " + conversion : "")
                + (fixedBatch > 0 ? ", fixed batch " + fixedBatch : maxBatch > 0 ? ", at most " + maxBatch : "") + "]";
    }
}
