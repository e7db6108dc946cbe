/**
 * RELAX — representation-learning explainability (Wickstrøm et al., IJCV 131(6):1584–1610, 2023) — for the JVM.
 *
 * <p>Start at {@link org.relax4j.Relax}: give it a {@link org.relax4j.RelaxConfig}, an
 * {@link org.relax4j.data.InputTensor} and an {@link org.relax4j.Encoder}, and get an
 * {@link org.relax4j.Explanation} with importance, uncertainty, weighted variance and U-RELAX maps. The algorithm
 * follows the PyTorch reference ({@code relax-xai}) exactly: replaying its recorded masks and similarities
 * reproduces its maps bit for bit.
 *
 * <p>Stability: the types in this package are the public API. {@link org.relax4j.mask},
 * {@link org.relax4j.estimate} and {@link org.relax4j.engine} are public for engine implementers and for
 * reproducing runs mask by mask; {@link org.relax4j.image} reads images and writes maps.
 */
package org.relax4j;
