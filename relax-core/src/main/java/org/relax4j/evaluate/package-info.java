/**
 * Is a map faithful, and better than the alternatives? Metrics that judge an explanation by what the encoder does when
 * the input changes where the map points — {@link org.relax4j.evaluate.PerturbationCurves} (deletion and insertion in
 * representation space, against a band of random orders) and {@link org.relax4j.evaluate.FaithfulnessCorrelation},
 * over a {@link org.relax4j.evaluate.Substrate} (mean colour, blur, ROAD's imputation) and
 * {@link org.relax4j.evaluate.Regions} (pixels, patches, superpixels), gathered by
 * {@link org.relax4j.evaluate.MapEvaluation} with {@link org.relax4j.evaluate.EvaluationSettings} — and checks of the
 * explainer itself: {@link org.relax4j.evaluate.SanityCheck} (model randomisation) and
 * {@link org.relax4j.evaluate.Stability} (mask seeds against the error estimate), both measured with
 * {@link org.relax4j.evaluate.MapAgreement}. Comparators: {@link org.relax4j.evaluate.MaskWeightings} (RISE and a
 * dot-product weighting of the same masks), {@link org.relax4j.evaluate.Occlusion} and the model-free
 * {@link org.relax4j.evaluate.ReferenceMaps}. Above the root package: it uses {@link org.relax4j.Encoder}.
 * Evaluating only reads maps; it never changes an explanation.
 */
package org.relax4j.evaluate;
