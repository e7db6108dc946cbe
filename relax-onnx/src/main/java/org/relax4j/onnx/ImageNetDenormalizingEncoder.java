package org.relax4j.onnx;

import java.util.Objects;

import org.relax4j.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.InputBatch;

/**
 * Adapts an encoder that takes RGB in {@code [0, 1]} (such as the MobileNetV2 from {@link PretrainedModels}) to
 * the ImageNet-normalised NCHW batches that RELAX masks.
 *
 * <p>RELAX explains an image {@code x = (rgb − mean) / std} (per channel, ImageNet statistics {@link #MEAN},
 * {@link #STD}) and masks it by multiplication, so a fully masked pixel is 0 in normalised space, i.e. the
 * ImageNet mean colour, as in the reference implementation. This wrapper undoes the normalisation before the
 * model runs, {@code rgb = x · std[c] + mean[c]}, so the model sees that mean colour rather than black. Values
 * are not clamped: inputs that came from a {@code [0, 1]} image come back into {@code [0, 1]} up to rounding.
 *
 * <p>The batch must have 3 channels (R, G, B). Each call copies it into a reused scratch array (the caller's
 * batch is not modified), so calls must come from one thread at a time, as the {@link Encoder} contract says.
 * {@link #close()} closes the delegate if it is {@link AutoCloseable}.
 */
public final class ImageNetDenormalizingEncoder implements Encoder, AutoCloseable {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final Encoder delegate;
    private float[] scratch;

    /**
     * @param delegate the encoder taking NCHW RGB in [0, 1] (it may itself transpose to NHWC, as
     *     {@link OnnxEncoder} does for NHWC models)
     */
    public ImageNetDenormalizingEncoder(Encoder delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** ImageNet per-channel mean of RGB in [0, 1]: {0.485, 0.456, 0.406} (a copy). */
    public static float[] mean() {
        return MEAN.clone();
    }

    /** ImageNet per-channel standard deviation of RGB in [0, 1]: {0.229, 0.224, 0.225} (a copy). */
    public static float[] std() {
        return STD.clone();
    }

    /** The wrapped encoder. */
    public Encoder delegate() {
        return delegate;
    }

    /**
     * Denormalises {@code batch} and encodes it with the delegate.
     *
     * @param batch ImageNet-normalised (B, 3, H, W). Not modified.
     * @throws IllegalArgumentException if the batch does not have 3 channels
     */
    @Override
    public Embeddings encode(InputBatch batch) {
        if (batch.channels() != 3) {
            throw new IllegalArgumentException("ImageNet denormalisation needs 3 (RGB) channels, batch has "
                    + batch.channels());
        }
        int n = batch.size() * batch.sampleLength();
        if (scratch == null || scratch.length < n) {
            scratch = new float[n];
        }
        denormalize(batch.data(), batch.offset(), scratch, batch.size(), batch.height() * batch.width());
        return delegate.encode(new InputBatch(scratch, 0, batch.size(), 3, batch.height(), batch.width()));
    }

    /** {@code dst[b][c][p] = src[srcOffset + (b·3 + c)·plane + p] · STD[c] + MEAN[c]}. */
    static void denormalize(float[] src, int srcOffset, float[] dst, int batch, int plane) {
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 3; c++) {
                float s = STD[c];
                float m = MEAN[c];
                int from = srcOffset + (b * 3 + c) * plane;
                int to = (b * 3 + c) * plane;
                for (int p = 0; p < plane; p++) {
                    dst[to + p] = src[from + p] * s + m;
                }
            }
        }
    }

    /**
     * Closes the delegate if it is {@link AutoCloseable}.
     *
     * @throws IllegalStateException wrapping a checked exception from the delegate's {@code close()}
     */
    @Override
    public void close() {
        scratch = null;
        if (delegate instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + delegate + " failed", e);
            }
        }
    }
}
