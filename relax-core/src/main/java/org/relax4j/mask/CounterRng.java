package org.relax4j.mask;

/**
 * The counter-based random generator behind {@link RandomMasks}: every random number is a pure function of
 * (seed, mask index, draw index), so mask <i>n</i> is the same whatever the batch size, thread count or engine.
 *
 * <p>It uses only 64-bit integer adds, multiplies, xors and shifts (the SplitMix64 finaliser), so the OpenCL
 * kernel {@code relax_draw_masks} reproduces it bit for bit. The kernel does not restate the constants: relax-gpu
 * passes {@link #GOLDEN}, {@link #DRAW_STEP}, {@link #MIX_1} and {@link #MIX_2} to the OpenCL compiler as macros. Draw indices per mask: {@code 0 .. cells²-1} for the
 * grid cells in row-major order, {@code cells²} for the row shift dx and {@code cells²+1} for the column shift dy.
 *
 * <p>relax-tornado's kernels call these methods themselves (TornadoVM compiles them). Every logical shift is written
 * as an arithmetic shift and a mask, {@code (z >> k) & ((1L << (64 - k)) - 1)}, which is the same bits as
 * {@code z >>> k} in Java: TornadoVM 5.2.1 emits {@code >>>} on a long as OpenCL C's {@code >>} on a signed long, an
 * arithmetic shift, which drew wrong masks.
 *
 * <p>Any change here changes every mask ever drawn from a seed; the kernel follows the constants, and its
 * formula mirrors this class's methods.
 */
public final class CounterRng {
    /** The per-mask stride added to the mixed seed: {@code key = mix64(mix64(seed) + n * GOLDEN)}. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** The per-draw stride: {@code bits = mix64(key + (draw + 1) * DRAW_STEP)}. */
    public static final long DRAW_STEP = 0xD1B54A32D192ED03L;
    /** The first multiplier of {@link #mix64}. */
    public static final long MIX_1 = 0xBF58476D1CE4E5B9L;
    /** The second multiplier of {@link #mix64}. */
    public static final long MIX_2 = 0x94D049BB133111EBL;

    private CounterRng() {
    }

    /**
     * {@return {@code z} mixed by the SplitMix64 finaliser, a bijection of 64 bits}
     *
     * @param z the 64 bits to mix
     */
    public static long mix64(long z) {
        z = (z ^ shiftRight(z, 30)) * MIX_1;
        z = (z ^ shiftRight(z, 27)) * MIX_2;
        return z ^ shiftRight(z, 31);
    }

    /** {@code z >>> k} for k in [1, 63], without {@code >>>} (see the class comment). */
    private static long shiftRight(long z, int k) {
        return (z >> k) & ((1L << (64 - k)) - 1);
    }

    /**
     * {@return the per-mask key; the draws of one mask all start from it}
     *
     * @param seed the seed of the masks
     * @param maskIndex the mask index n
     */
    public static long maskKey(long seed, long maskIndex) {
        return mix64(mix64(seed) + maskIndex * GOLDEN);
    }

    /**
     * {@return 64 random bits for draw {@code draw} of the mask whose key is {@code maskKey}}
     *
     * @param maskKey the key from {@link #maskKey}
     * @param draw the draw index within the mask
     */
    public static long bits(long maskKey, int draw) {
        return mix64(maskKey + (draw + 1L) * DRAW_STEP);
    }

    /**
     * {@return a uniform float in [0, 1) with 24 random bits; exact, so identical on every platform}
     *
     * @param bits random bits from {@link #bits}; the top 24 are used
     */
    public static float uniform(long bits) {
        return shiftRight(bits, 40) * 0x1.0p-24f;
    }

    /**
     * {@return a uniform integer in [0, n) for n &lt; 2³¹, by multiply-shift of the high 32 bits}
     *
     * @param bits random bits from {@link #bits}; the top 32 are used
     * @param n the bound, positive
     */
    public static int below(long bits, int n) {
        // The product is below 2^63, so its shift is the same arithmetic or logical.
        return (int) ((shiftRight(bits, 32) * n) >> 32);
    }
}
