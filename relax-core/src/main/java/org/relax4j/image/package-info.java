/**
 * Images in ({@link org.relax4j.image.Images}: read, resize; {@link org.relax4j.image.Normalization}: pixel spaces)
 * and maps out
 * ({@link org.relax4j.image.Heatmaps} as PNG heatmaps over the image in a {@link org.relax4j.image.ColorMap},
 * {@link org.relax4j.image.Npy} and {@link org.relax4j.image.Npz} as NumPy files).
 */
package org.relax4j.image;
