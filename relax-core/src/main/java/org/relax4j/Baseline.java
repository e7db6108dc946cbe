package org.relax4j;

import java.util.Locale;
import java.util.Objects;
import org.relax4j.data.InputTensor;
import org.relax4j.data.InvalidSettingException;

/**
 * What a masked-out position becomes: the masked input is {@code x·m + b·(1 − m)} for a baseline b. The default,
 * {@link #zero()}, is the reference's {@code x·m}; a baseline that is the input's own blur or its mean colour asks
 * "what if this region were uninformative" without the sharp black holes a zero leaves, which some encoders read
 * as a feature.
 *
 * <p>Engines only multiply: the explainer gives them {@code x − b} and adds b to each masked batch, i.e. computes
 * {@code b + m·(x − b)}, the same value up to float rounding (one rounding more than the formula as written; with
 * the zero baseline nothing changes, so the reference's results stay bit for bit). Immutable.
 */
public final class Baseline {
    private enum Kind { ZERO, CONSTANT, BLUR, TENSOR }

    private static final Baseline ZERO = new Baseline(Kind.ZERO, 0, null);

    private final Kind kind;
    private final double value;
    private final InputTensor tensor;

    private Baseline(Kind kind, double value, InputTensor tensor) {
        this.kind = kind;
        this.value = value;
        this.tensor = tensor;
    }

    /** {@return masked positions become 0: the reference's {@code x·m}, the default} */
    public static Baseline zero() {
        return ZERO;
    }

    /**
     * {@return masked positions become {@code value} in every channel (in the input's space, e.g. normalised)}
     *
     * @param value a finite value
     */
    public static Baseline constant(float value) {
        if (!Float.isFinite(value)) {
            throw new InvalidSettingException("baseline", "constant must be finite, got " + value);
        }
        return value == 0f ? ZERO : new Baseline(Kind.CONSTANT, value, null);
    }

    /**
     * {@return masked positions become the input blurred by a Gaussian of standard deviation {@code sigma}
     * positions along every spatial axis (edges reflected), per channel}
     *
     * @param sigma the blur's standard deviation in positions, &gt; 0 and at most 1000
     */
    public static Baseline blurred(double sigma) {
        if (!(sigma > 0 && sigma <= 1000)) {
            throw new InvalidSettingException("baseline", "blur sigma must be in (0, 1000] positions, got " + sigma);
        }
        return new Baseline(Kind.BLUR, sigma, null);
    }

    /**
     * {@return masked positions become the given tensor's values, which must have the input's shape}
     *
     * @param tensor the baseline, shaped like the inputs it will be used with
     */
    public static Baseline of(InputTensor tensor) {
        return new Baseline(Kind.TENSOR, 0, Objects.requireNonNull(tensor, "tensor"));
    }

    /**
     * Parses the command line's spelling: {@code zero}, a number (a constant), {@code blur} (σ = 10) or
     * {@code blur:SIGMA}.
     *
     * @param spec the baseline as written
     * @return the baseline
     * @throws IllegalArgumentException naming the valid forms
     */
    public static Baseline parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.equals("zero")) {
                return ZERO;
            }
            if (s.equals("blur")) {
                return blurred(10);
            }
            if (s.startsWith("blur:")) {
                return blurred(Double.parseDouble(s.substring(5)));
            }
            return constant(Float.parseFloat(s));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("baseline", "must be zero, a number, blur or blur:SIGMA, got '" + spec + "'");
        }
    }

    /** {@return whether this is the reference's zero baseline} */
    public boolean isZero() {
        return kind == Kind.ZERO;
    }

    /** {@return the spelling {@link #parse} reads back: zero, a number, blur:SIGMA; "tensor" for a given tensor} */
    public String id() {
        return switch (kind) {
            case ZERO -> "zero";
            case CONSTANT -> Float.toString((float) value);
            case BLUR -> "blur:" + (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value));
            case TENSOR -> "tensor";
        };
    }

    /**
     * {@return the baseline's values for {@code input}, shaped like it, or null for the zero baseline}
     *
     * @param input the input being explained
     * @throws IllegalArgumentException if a given tensor's shape differs from the input's
     */
    float[] valuesFor(InputTensor input) {
        int n = input.unsafeData().length;
        switch (kind) {
            case ZERO:
                return null;
            case CONSTANT: {
                float[] b = new float[n];
                java.util.Arrays.fill(b, (float) value);
                return b;
            }
            case TENSOR:
                if (tensor.channels() != input.channels()
                        || !java.util.Arrays.equals(tensor.shape(), input.shape())) {
                    throw new IllegalArgumentException("baseline tensor is " + tensor + " but the input is " + input
                            + "; they must have the same shape");
                }
                return tensor.toArray();
            default:
                return blur(input, value);
        }
    }

    /** Separable Gaussian blur over every spatial axis, per channel, reflecting at the edges; in double. */
    static float[] blur(InputTensor input, double sigma) {
        int[] shape = input.shape();
        int radius = (int) Math.ceil(3 * sigma);
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
            kernel[k + radius] = Math.exp(-0.5 * k * k / (sigma * sigma));
            sum += kernel[k + radius];
        }
        for (int k = 0; k < kernel.length; k++) {
            kernel[k] /= sum;
        }
        float[] src = input.unsafeData();
        double[] cur = new double[src.length];
        for (int k = 0; k < src.length; k++) {
            cur[k] = src[k];
        }
        double[] next = new double[src.length];
        int positions = input.pixels();
        for (int a = 0; a < shape.length; a++) {
            int n = shape[a];
            int inner = 1;
            for (int b = a + 1; b < shape.length; b++) {
                inner *= shape[b];
            }
            int outer = cur.length / (n * inner);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < inner; j++) {
                        double acc = 0;
                        for (int k = -radius; k <= radius; k++) {
                            acc += kernel[k + radius] * cur[(o * n + reflect(i + k, n)) * inner + j];
                        }
                        next[(o * n + i) * inner + j] = acc;
                    }
                }
            }
            double[] t = cur;
            cur = next;
            next = t;
        }
        assert cur.length % positions == 0;
        float[] out = new float[cur.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) cur[k];
        }
        return out;
    }

    /** Reflect without repeating the edge, folding as often as a kernel wider than the axis needs. */
    private static int reflect(int u, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        u = Math.floorMod(u, period);
        return u < n ? u : period - u;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Baseline b && b.kind == kind && b.value == value && b.tensor == tensor;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, value, System.identityHashCode(tensor));
    }

    @Override
    public String toString() {
        return "Baseline(" + id() + ")";
    }
}
