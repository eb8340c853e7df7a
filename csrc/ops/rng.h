/* Counter-based random bits: a strong 64-bit hash of (seed, counter).
 *
 * Every random draw in fastnn (dropout masks, shuffles, input noise) is
 * bits(seed, index of the element), so it depends only on the seed and the
 * element's position, never on the thread that computes it.  The mixer is
 * splitmix64's finalizer (Steele, Lea, Flood 2014), applied to the seed and
 * again to the seed's hash plus a Weyl step of the counter.  fastnn/reference.py
 * has the same function in NumPy uint64 arithmetic.
 */
#ifndef FASTNN_RNG_H
#define FASTNN_RNG_H
#include <stdint.h>

static inline uint64_t fnn_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t fnn_rng_bits_inline(uint64_t seed, uint64_t counter)
{
    return fnn_mix64(fnn_mix64(seed) + (counter + 1) * 0x9E3779B97F4A7C15ull);
}

/* Dropout keeps element i iff its top 24 bits reach this threshold, so the
 * keep probability is 1 - ceil(rate * 2^24) / 2^24, exact to 6e-8. */
static inline uint32_t fnn_drop_threshold(double rate)
{
    double t = rate * 16777216.0;
    uint32_t ti = (uint32_t)t;
    return ti + ((double)ti < t);
}

/* A uniform double in (0, 1) from 53 random bits, never 0 (for logs). */
static inline double fnn_uniform_open(uint64_t bits)
{
    return ((double)(bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
#endif
