/*
 * relax.cl - RELAX's own work on an OpenCL device (OpenCL C 1.2).
 *
 * RELAX (Wickstrom et al., "RELAX: Representation Learning Explainability", IJCV 131(6):1584-1610, 2023)
 * masks an input with smooth random masks and accumulates, per pixel, a weighted mean and spread of the
 * similarities of the masked representations. The formulas below are those of the project's spec
 * (shared/spec/RELAX.md); section names are quoted where each is used. The host (KernelProgram) builds this
 * file with -cl-std=CL1.2, plus -cl-fp32-correctly-rounded-divide-sqrt where the device supports it, and
 * defines the generator's constants (-D RELAX_GOLDEN=... etc.) from org.relax4j.mask.CounterRng, their only home.
 * Each __kernel's signature is quoted in its Java wrapper (DrawMasksKernel, BlendKernel, RenderKernel,
 * AccumulateKernel, AccumulateMasksKernel), and KernelSignatureTest holds the bindings against this file.
 *
 * Bit-exactness with the Java CPU engine rests on three things:
 *  - every float expression keeps the Java evaluation order (MaskGeometry.blendColumns/maskRow,
 *    WeightedWelford.update), and adds and multiplies are correctly rounded in OpenCL C as in Java;
 *  - no a*b+c is fused into an FMA (Java never fuses), hence the pragma below;
 *  - the estimator's one division is correctly rounded (the build option above).
 *
 * Kernels:
 *  relax_draw_masks        grids and shifts of a batch, from the counter-based generator (CounterRng)
 *  relax_blend             each grid row blended along the width (MaskGeometry.blendColumns), per mask
 *  relax_render            masked batch x * mask (B, C, H, W), and optionally the masks (B, H, W)
 *  relax_accumulate        the weighted Welford update over a batch, masks recomputed from the blends
 *  relax_accumulate_masks  the same update, masks read from relax_render's output
 */

#pragma OPENCL FP_CONTRACT OFF

/* ---------------------------------------------------------------------------------------------------------
 * Random masks: the counter-based generator of org.relax4j.mask.CounterRng, in 64-bit unsigned arithmetic.
 * Java's long arithmetic wraps modulo 2^64 and >>> is a logical shift, which is exactly ulong's + * and >>.
 * ------------------------------------------------------------------------------------------------------- */

/* CounterRng.GOLDEN, DRAW_STEP, MIX_1 and MIX_2, passed by the host as build options. */
#if !defined(RELAX_GOLDEN) || !defined(RELAX_DRAW_STEP) || !defined(RELAX_MIX_1) || !defined(RELAX_MIX_2)
#error "build with -D RELAX_GOLDEN=... -D RELAX_DRAW_STEP=... -D RELAX_MIX_1=... -D RELAX_MIX_2=... (CounterRng's constants)"
#endif

/* The SplitMix64 finaliser (CounterRng.mix64). */
ulong relax_mix64(ulong z)
{
    z = (z ^ (z >> 30)) * RELAX_MIX_1;
    z = (z ^ (z >> 27)) * RELAX_MIX_2;
    return z ^ (z >> 31);
}

/*
 * One work-item per (mask, draw). Draws 0 .. cells^2-1 are the grid cells in row-major order, draw cells^2
 * the row shift dx and draw cells^2+1 the column shift dy (RandomMasks.draw):
 *   key  = mix64(mix64(seed) + n * GOLDEN)                  n = first + b, the mask's index
 *   bits = mix64(key + (draw + 1) * DRAW_STEP)
 *   cell = ((bits >>> 40) * 2^-24 < keep) ? 1 : 0           a float in [0, 1) with 24 bits, compared in float
 *   dx, dy = ((bits >>> 32) * cells) >>> 32                 uniform in [0, cells)
 * Writes grids[b * cells^2 + k] and shifts[2b], shifts[2b + 1] for b in [0, count).
 */
__kernel void relax_draw_masks(const ulong seed, const int cells, const float keep, const ulong first,
                               const int count, __global uchar *grids, __global int *shifts)
{
    const int per = cells * cells;
    const int draws = per + 2;
    const int id = (int) get_global_id(0);
    if (id >= count * draws) {
        return;
    }
    const int b = id / draws;
    const int draw = id - b * draws;
    const ulong key = relax_mix64(relax_mix64(seed) + (first + (ulong) b) * RELAX_GOLDEN);
    const ulong bits = relax_mix64(key + ((ulong) draw + 1UL) * RELAX_DRAW_STEP);
    if (draw < per) {
        const float u = (float) (bits >> 40) * 0x1.0p-24f;
        grids[b * per + draw] = u < keep ? (uchar) 1 : (uchar) 0;
    } else {
        shifts[2 * b + (draw - per)] = (int) (((bits >> 32) * (ulong) cells) >> 32);
    }
}

/* ---------------------------------------------------------------------------------------------------------
 * Spec, "One mask, exactly": upsample the grid bilinearly (half-pixel centres), reflect-pad by cells/2,
 * crop at (dx, dy). The host uploads MaskGeometry's tables, which fold all three steps into, for each shift
 * s and output row i (column j), two grid rows (columns) and their weights:
 *   row_index[2*(dx*H + i)] = r0, [+1] = r1      row_weight likewise rw0, rw1
 *   col_index[2*(dy*W + j)] = c0, [+1] = c1      col_weight likewise cw0, cw1
 * and then, width first as PyTorch (MaskGeometry.blendColumns, then maskRow):
 *   blend(a, j) = cw0 * g[a][c0] + cw1 * g[a][c1]
 *   mask(i, j)  = rw0 * blend(r0, j) + rw1 * blend(r1, j)
 * evaluated in float32 in exactly this order. As on the CPU, blend is computed once per mask and grid row
 * (relax_blend, cells x W values per mask) and each mask value is then two loads, two multiplies and an add.
 * ------------------------------------------------------------------------------------------------------- */

/*
 * Work-item (j, a, b): blends[(b*cells + a)*W + j] = blend(a, j) of mask b of the batch, with the mask's column
 * shift dy. The global size along j may be rounded up to the work-group size.
 */
__kernel void relax_blend(__global const int *col_index, __global const float *col_weight,
                          __global const uchar *grids, __global const int *shifts,
                          const int cells, const int width, const int count, __global float *blends)
{
    const int j = (int) get_global_id(0);
    const int a = (int) get_global_id(1);
    const int b = (int) get_global_id(2);
    if (j >= width || a >= cells || b >= count) {
        return;
    }
    const int dy = shifts[2 * b + 1];
    const int ck = 2 * (dy * width + j);
    __global const uchar *g = grids + (size_t) b * (size_t) (cells * cells) + (size_t) (a * cells);
    blends[((size_t) b * (size_t) cells + (size_t) a) * (size_t) width + (size_t) j] =
            col_weight[ck] * (float) g[col_index[ck]] + col_weight[ck + 1] * (float) g[col_index[ck + 1]];
}

/* mask(i, j) of the mask whose blends start at blend; rk = 2*(dx*H + i). */
float relax_mask_value(__global const float *blend, const int width, const int j,
                       __global const int *row_index, __global const float *row_weight, const int rk)
{
    const float rw0 = row_weight[rk];
    const float rw1 = row_weight[rk + 1];
    return rw0 * blend[row_index[rk] * width + j] + rw1 * blend[row_index[rk + 1] * width + j];
}

/*
 * Render + mask, fused. Work-item (j, i, b): pixel (i, j) of mask n = first + b of the batch (first is where this
 * launch starts when a batch is split over several buffers). For every channel c:
 *   out[((b*C + c)*H + i)*W + j] = x[(c*H + i)*W + j] * mask_n(i, j)
 * (spec, "The estimator": x_n = x (.) m_n, the mask broadcast over channels). out is relative to the launch's
 * first mask; masks, when not NULL, receives mask_n(i, j) at (n*H + i)*W + j, relative to the batch. out may be
 * NULL too (masks only). The global size along j may be rounded up to the work-group size.
 */
__kernel void relax_render(__global const float *x,
                           __global const int *row_index, __global const float *row_weight,
                           __global const float *blends, __global const int *shifts,
                           const int cells, const int height, const int width, const int channels,
                           const int first, const int count,
                           __global float *out, __global float *masks)
{
    const int j = (int) get_global_id(0);
    const int i = (int) get_global_id(1);
    const int b = (int) get_global_id(2);
    if (j >= width || i >= height || b >= count) {
        return;
    }
    const size_t pixels = (size_t) height * (size_t) width;
    const size_t p = (size_t) i * (size_t) width + (size_t) j;
    const int n = first + b;
    const int dx = shifts[2 * n];
    const float m = relax_mask_value(blends + (size_t) n * (size_t) cells * (size_t) width, width, j,
                                     row_index, row_weight, 2 * (dx * height + i));
    if (out != 0) {
        __global float *o = out + (size_t) b * (size_t) channels * pixels + p;
        for (int c = 0; c < channels; c++) {
            o[(size_t) c * pixels] = x[(size_t) c * pixels + p] * m;
        }
    }
    if (masks != 0) {
        masks[(size_t) n * pixels + p] = m;
    }
}

/*
 * Spec, "The estimator (per pixel, streaming)" - the weighted Welford update of WeightedWelford.update, for
 * masks n = 0 .. count-1 of the batch in order, s_n = sims[n], state (W, R, U) per pixel:
 *   W      += m_n
 *   R_old   = R
 *   R      += (m_n * (s_n - R_old)) / W
 *   U      += ((s_n - R) * (s_n - R_old)) * m_n        (R here is the updated value)
 * in float32, in exactly this order. The state lives in registers for the whole batch.
 */
#define RELAX_WELFORD_STEP(m, s, wp, rp, up)                          \
    {                                                                 \
        const float w_new = (wp) + (m);                               \
        const float r_old = (rp);                                     \
        const float r_new = r_old + ((m) * ((s) - r_old)) / w_new;    \
        (wp) = w_new;                                                 \
        (rp) = r_new;                                                 \
        (up) = (up) + (((s) - r_new) * ((s) - r_old)) * (m);          \
    }

/*
 * Accumulate, masks recomputed from the batch's blends and shifts (see relax_mask_value). One work-item (j, i)
 * per pixel; the global size along j may be rounded up to the work-group size.
 */
__kernel void relax_accumulate(__global const int *row_index, __global const float *row_weight,
                               __global const float *blends, __global const int *shifts,
                               __global const float *sims,
                               const int cells, const int height, const int width, const int count,
                               __global float *w, __global float *r, __global float *u)
{
    const int j = (int) get_global_id(0);
    const int i = (int) get_global_id(1);
    if (j >= width || i >= height) {
        return;
    }
    const int p = i * width + j;
    float wp = w[p];
    float rp = r[p];
    float up = u[p];
    for (int n = 0; n < count; n++) {
        const int dx = shifts[2 * n];
        const float m = relax_mask_value(blends + (size_t) n * (size_t) cells * (size_t) width, width, j,
                                         row_index, row_weight, 2 * (dx * height + i));
        const float s = sims[n];
        RELAX_WELFORD_STEP(m, s, wp, rp, up)
    }
    w[p] = wp;
    r[p] = rp;
    u[p] = up;
}

/* Accumulate, masks (count, H*W) read from relax_render's masks output. One work-item per pixel. */
__kernel void relax_accumulate_masks(__global const float *masks, __global const float *sims,
                                     const int pixels, const int count,
                                     __global float *w, __global float *r, __global float *u)
{
    const int p = (int) get_global_id(0);
    if (p >= pixels) {
        return;
    }
    float wp = w[p];
    float rp = r[p];
    float up = u[p];
    for (int n = 0; n < count; n++) {
        const float m = masks[(size_t) n * (size_t) pixels + (size_t) p];
        const float s = sims[n];
        RELAX_WELFORD_STEP(m, s, wp, rp, up)
    }
    w[p] = wp;
    r[p] = rp;
    u[p] = up;
}
