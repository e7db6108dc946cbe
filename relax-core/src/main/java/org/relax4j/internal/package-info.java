/**
 * relax4j's own machinery, shared between its packages but not part of its API: the worker threads
 * ({@link org.relax4j.internal.Parallel}), the mask formula's interpolation step
 * ({@link org.relax4j.internal.Bilinear}) and U-RELAX's arithmetic ({@link org.relax4j.internal.URelax}). It depends
 * on no other relax4j package. Public only because
 * Java has no other way to share a type between packages; anything here may change in any release. Use the types
 * that the API hands out instead ({@link org.relax4j.mask.MaskDomain#renderer()}, {@link org.relax4j.Explanation}).
 */
package org.relax4j.internal;
