package org.relax4j.tornado;

import org.relax4j.mask.CounterRng;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

/**
 * RELAX's four stages as TornadoVM kernels, written in Java: TornadoVM compiles each method (and the
 * {@link CounterRng} methods it calls) to OpenCL C or PTX when a run first executes it. Every {@code @Parallel} loop
 * becomes the kernel's work-items. The float expressions keep the CPU engine's order (MaskGeometry.blendColumns and
 * maskRow, WeightedWelford.update); each statement is one rounding, and TornadoVM emits one OpenCL statement per
 * operation, so nothing is contracted into a fused multiply-add.
 *
 * <p>One task graph holds all kernels and runs them all on every execution; {@code ops[OPS]} says which do work
 * (the others return at once), and {@code ops[SLOT]}, {@code ops[COUNT]} which slot and how many masks. Loop bounds
 * are the run's fixed sizes (the largest batch), so the compiled kernels and their work sizes never change within a
 * run. Slot {@code s}'s grids, shifts and blends live at offsets {@code s · maxBatch · ...} of one buffer each.
 *
 * <p>TornadoVM maps the outermost {@code @Parallel} loop to the work-items' first dimension, the one neighbouring
 * work-items differ in; so the column j is the outermost loop everywhere, and neighbours touch neighbouring floats.
 *
 * <p>Kernel classes must be compiled with debug information (javac -g, Maven's default): without the local variable
 * table TornadoVM silently runs them as plain Java.
 */
final class RelaxKernels {
    // ops[] layout, written by the host before each execution.
    static final int OPS = 0;
    static final int SLOT = 1;
    static final int COUNT = 2;
    static final int CELLS = 3;
    static final int OPS_LENGTH = 4;
    // longs[]: the counter generator's seed and the first mask's index.
    static final int SEED = 0;
    static final int FIRST = 1;
    // floats[]: the keep probability.
    static final int KEEP = 0;

    /** Draw the slot's grids and shifts from the counter-based generator. */
    static final int DRAW = 1;
    /** Copy grids and shifts uploaded from the host into the slot. */
    static final int COPY = 2;
    /** Blend the slot's grid rows along the width (after DRAW or COPY). */
    static final int BLEND = 4;
    /** Render the slot's masked batch. */
    static final int RENDER = 8;
    /** The estimator update with the slot's masks and the similarities. */
    static final int ACCUMULATE = 16;

    private RelaxKernels() {
    }

    /**
     * One work-item per (mask, draw) of the largest batch: draws 0 .. cells²-1 are the grid cells, cells² and
     * cells²+1 the shifts dx and dy (RandomMasks.draw through CounterRng); or, for COPY, the host's values moved into
     * the slot.
     */
    static void draw(IntArray ops, LongArray longs, FloatArray floats, ByteArray hostGrids, IntArray hostShifts,
                     ByteArray grids, IntArray shifts, int maxBatch, int draws) {
        for (@Parallel int id = 0; id < maxBatch * draws; id++) {
            int op = ops.get(OPS);
            int b = id / draws;
            if ((op & (DRAW | COPY)) != 0 && b < ops.get(COUNT)) {
                int cells = ops.get(CELLS);
                int per = cells * cells;
                int draw = id - b * draws;
                int slot = ops.get(SLOT);
                int g = slot * maxBatch * per + b * per + draw;
                int s = 2 * (slot * maxBatch + b) + (draw - per);
                if ((op & DRAW) != 0) {
                    long bits = CounterRng.bits(CounterRng.maskKey(longs.get(SEED), longs.get(FIRST) + b), draw);
                    if (draw < per) {
                        grids.set(g, CounterRng.uniform(bits) < floats.get(KEEP) ? (byte) 1 : (byte) 0);
                    } else {
                        shifts.set(s, CounterRng.below(bits, cells));
                    }
                } else if (draw < per) {
                    grids.set(g, hostGrids.get(b * per + draw));
                } else {
                    shifts.set(s, hostShifts.get(2 * b + (draw - per)));
                }
            }
        }
    }

    /** Work-item (j, a, b): blend(a, j) of mask b of the slot with its column shift dy (MaskGeometry.blendColumns). */
    static void blend(IntArray ops, IntArray colIndex, FloatArray colWeight, ByteArray grids, IntArray shifts,
                      FloatArray blends, int maxBatch, int cells, int width) {
        for (@Parallel int j = 0; j < width; j++) {
            for (@Parallel int a = 0; a < cells; a++) {
                for (@Parallel int b = 0; b < maxBatch; b++) {
                    if ((ops.get(OPS) & BLEND) != 0 && b < ops.get(COUNT)) {
                        int slot = ops.get(SLOT);
                        int mask = slot * maxBatch + b;
                        int dy = shifts.get(2 * mask + 1);
                        int k = 2 * (dy * width + j);
                        int g = mask * cells * cells + a * cells;
                        float left = colWeight.get(k) * grids.get(g + colIndex.get(k));
                        float right = colWeight.get(k + 1) * grids.get(g + colIndex.get(k + 1));
                        blends.set((mask * cells + a) * width + j, left + right);
                    }
                }
            }
        }
    }

    /** mask(i, j) of slot mask {@code mask}: MaskGeometry.maskRow's two loads, two multiplies and an add. */
    static float maskValue(IntArray rowIndex, FloatArray rowWeight, FloatArray blends, IntArray shifts, int mask,
                           int cells, int height, int width, int i, int j) {
        int k = 2 * (shifts.get(2 * mask) * height + i);
        int base = mask * cells * width;
        float top = rowWeight.get(k) * blends.get(base + rowIndex.get(k) * width + j);
        float bottom = rowWeight.get(k + 1) * blends.get(base + rowIndex.get(k + 1) * width + j);
        return top + bottom;
    }

    /**
     * Work-item (j, i, b): out[(((s·B + b)·C + c)·H + i)·W + j] = x[(c·H + i)·W + j] · mask_b(i, j) for every channel:
     * slot s's masked batch, in its half of {@code out}.
     */
    static void render(IntArray ops, FloatArray x, IntArray rowIndex, FloatArray rowWeight, FloatArray blends,
                       IntArray shifts, FloatArray out, int maxBatch, int cells, int channels, int height, int width) {
        for (@Parallel int j = 0; j < width; j++) {
            for (@Parallel int i = 0; i < height; i++) {
                for (@Parallel int b = 0; b < maxBatch; b++) {
                    if ((ops.get(OPS) & RENDER) != 0 && b < ops.get(COUNT)) {
                        int mask = ops.get(SLOT) * maxBatch + b;
                        float m = maskValue(rowIndex, rowWeight, blends, shifts, mask, cells, height, width, i, j);
                        int pixels = height * width;
                        int p = i * width + j;
                        for (int c = 0; c < channels; c++) {
                            out.set((mask * channels + c) * pixels + p, x.get(c * pixels + p) * m);
                        }
                    }
                }
            }
        }
    }

    /**
     * Work-item (j, i): the weighted Welford update (WeightedWelford.update) of pixel (i, j) with the slot's masks in
     * order, masks recomputed from the blends, the state in registers for the whole batch.
     */
    static void accumulate(IntArray ops, IntArray rowIndex, FloatArray rowWeight, FloatArray blends, IntArray shifts,
                           FloatArray sims, FloatArray w, FloatArray r, FloatArray u, int maxBatch, int cells,
                           int height, int width) {
        for (@Parallel int j = 0; j < width; j++) {
            for (@Parallel int i = 0; i < height; i++) {
                if ((ops.get(OPS) & ACCUMULATE) != 0) {
                    int p = i * width + j;
                    float wp = w.get(p);
                    float rp = r.get(p);
                    float up = u.get(p);
                    int count = ops.get(COUNT);
                    int first = ops.get(SLOT) * maxBatch;
                    for (int n = 0; n < count; n++) {
                        float m = maskValue(rowIndex, rowWeight, blends, shifts, first + n, cells, height, width, i,
                                j);
                        float s = sims.get(n);
                        float wNew = wp + m;
                        float rOld = rp;
                        float rNew = rOld + (m * (s - rOld)) / wNew;
                        wp = wNew;
                        rp = rNew;
                        up = up + ((s - rNew) * (s - rOld)) * m;
                    }
                    w.set(p, wp);
                    r.set(p, rp);
                    u.set(p, up);
                }
            }
        }
    }
}
