/**
 * ONNX Runtime encoders for relax4j, and the pretrained MobileNetV2 (imported from TensorFlow.js by relax-tfjs).
 *
 * <ul>
 *   <li>{@link org.relax4j.onnx.OnnxEncoder}: any rank-4 float ONNX model as an {@link org.relax4j.Encoder}
 *       (NCHW or NHWC input, fixed or dynamic batch, the model's pixel space declared, output flattened to
 *       rows; the caller's session options or session for execution providers).</li>
 *   <li>{@link org.relax4j.onnx.PretrainedModels}: MobileNetV2 from the nsfwjs npm package, fetched with
 *       {@code npm pack}, verified, converted by {@link org.relax4j.tfjs.TfjsToOnnx} and cached at set-up time.</li>
 * </ul>
 *
 * <p><b>Stability.</b> Public types are the module's API (0.x: may still change between minor versions); the
 * tar reader is a package-private internal.
 */
package org.relax4j.onnx;
