/**
 * RELAX's masks: where they come from ({@link org.relax4j.mask.MaskSource}: counter-based
 * {@link org.relax4j.mask.RandomMasks} or replayed {@link org.relax4j.mask.RecordedMasks}) and how a grid and a
 * shift become a mask ({@link org.relax4j.mask.MaskGeometry}, the single source of truth for the formula that the
 * OpenCL kernels share).
 */
package org.relax4j.mask;
