/**
 * Is a map faithful? Metrics that judge an explanation by what the encoder does when the input is changed where the
 * map points: {@link org.relax4j.evaluate.PerturbationCurves} (deletion and insertion in representation space, with a
 * band of random orders to compare against) over a {@link org.relax4j.evaluate.Substrate} (what replaces the removed
 * pixels). Above the root package: it uses {@link org.relax4j.Encoder} and {@link org.relax4j.Similarity}.
 */
package org.relax4j.evaluate;
