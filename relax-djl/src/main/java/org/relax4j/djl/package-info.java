/**
 * Deep Java Library (DJL) interop: {@link org.relax4j.djl.DjlEncoder} runs a DJL {@code Predictor<NDList, NDList>}
 * or {@code ZooModel} as a RELAX {@link org.relax4j.Encoder}; {@link org.relax4j.djl.DjlImages} turns a DJL
 * {@code Image} into RELAX's input.
 *
 * <p>Stability: public API, experimental until 1.0.
 */
package org.relax4j.djl;
