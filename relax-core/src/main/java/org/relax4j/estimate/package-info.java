/**
 * The streaming per-pixel estimator ({@link org.relax4j.estimate.WeightedWelford}) and U-RELAX's median rule
 * ({@link org.relax4j.internal.URelax}).
 */
package org.relax4j.estimate;
