package org.relax4j.mask;

/**
 * The parameters that fix a source of {@link CounterRng} masks: mask <i>n</i> has grid cell <i>k</i> kept when
 * {@code CounterRng.uniform(CounterRng.bits(CounterRng.maskKey(seed, n), k)) < keepProbability} and shifts
 * {@code CounterRng.below(bits(key, cells²), cells)} and {@code below(bits(key, cells² + 1), cells)}, exactly as
 * {@link RandomMasks#draw}. Offered by {@link MaskSource#counterDraws()} so that an engine can draw such masks
 * anywhere (on a device) with the same result bit for bit.
 *
 * @param seed the generator's seed
 * @param cells cells per grid side
 * @param keepProbability the probability that a cell is kept, compared in float32
 */
public record CounterDraws(long seed, int cells, float keepProbability) {
}
