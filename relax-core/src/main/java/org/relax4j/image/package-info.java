/**
 * Images in ({@link org.relax4j.image.Images}: read, resize, ImageNet-normalise) and maps out
 * ({@link org.relax4j.image.Heatmaps} as PNG heatmaps over the image, {@link org.relax4j.image.Npy} as NumPy files).
 */
package org.relax4j.image;
