/* Image augmentation (shifts, flips, random erasing), float32 and float64 from augment.inc. */
#include <math.h>
#include <string.h>
#include "fastnn.h"
#include "rng.h"
#include "tmpl.h"

/* One image's transform from its random bits: a translation, a flip and a
 * rectangle to erase (eh = 0: none). */
typedef struct {
    int64_t dy, dx;
    int flip;
    int64_t top, left, eh, ew;
} fnn_augment_draw;

/* floor(sqrt(v)), exact for every v < 2^52 (math.isqrt in the twin). */
static inline int64_t isqrt64(int64_t v)
{
    int64_t r = (int64_t)sqrt((double)v);
    while (r * r > v) r--;
    while ((r + 1) * (r + 1) <= v) r++;
    return r;
}

/* bits * n >> width: a uniform integer in [0, n) from `width` random bits. */
static inline int64_t scaled(uint64_t bits, int width, int64_t n)
{
    return (int64_t)((bits * (uint64_t)n) >> width);
}

/* Random erasing (Zhong et al. 2017) with integer arithmetic, so the twin
 * matches it exactly: with probability 1/2 a rectangle of area a in
 * [ceil(0.02 h w), floor(0.4 h w)] and aspect ratio q / 256 in [77/256, 1]
 * (tall or wide by a coin), sides floor(sqrt(a 256 / q)) and
 * floor(sqrt(a q / 256)), cut to the image, at a uniform position.  Bits of
 * the erase draw: 0 on/off, 1-15 area, 16-30 ratio, 31 orientation, 32-47
 * top, 48-63 left. */
static inline void erase_draw(fnn_augment_draw *d, uint64_t bits, int64_t h, int64_t w)
{
    if (bits & 1) return;
    const int64_t hw = h * w, a_lo = (2 * hw + 99) / 100, a_hi = 2 * hw / 5;
    const int64_t lo = a_lo > 1 ? a_lo : 1, hi = a_hi > lo ? a_hi : lo;
    const int64_t area = lo + scaled((bits >> 1) & 0x7FFF, 15, hi - lo + 1);
    const int64_t q = 77 + scaled((bits >> 16) & 0x7FFF, 15, 256 - 77 + 1);
    int64_t long_side = isqrt64(area * 256 / q), short_side = isqrt64(area * q / 256);
    if (short_side < 1) short_side = 1;
    const int tall = (int)((bits >> 31) & 1);
    d->eh = tall ? long_side : short_side;
    d->ew = tall ? short_side : long_side;
    if (d->eh > h) d->eh = h;
    if (d->ew > w) d->ew = w;
    d->top = scaled((bits >> 32) & 0xFFFF, 16, h - d->eh + 1);
    d->left = scaled(bits >> 48, 16, w - d->ew + 1);
}

/* The key of the erase draws: the augment key's bits at a counter that the
 * row counters never reach as their own (the twin: rng_bits(key, 2^64 - 1)). */
static inline uint64_t fnn_erase_key(uint64_t key)
{
    return fnn_rng_bits_inline(key, UINT64_MAX);
}

static inline fnn_augment_draw fnn_augment_draw_make(uint64_t key, uint64_t erase_key,
                                                     uint64_t counter, int flags,
                                                     int64_t max_shift, int64_t h, int64_t w)
{
    fnn_augment_draw d = {0, 0, 0, 0, 0, 0, 0};
    const uint64_t bits = fnn_rng_bits_inline(key, counter);
    if (flags & FNN_AUGMENT_SHIFT) {
        const uint64_t span = 2 * (uint64_t)max_shift + 1;
        d.dy = (int64_t)(bits % span) - max_shift;
        d.dx = (int64_t)((bits >> 21) % span) - max_shift;
    }
    if (flags & FNN_AUGMENT_FLIP) d.flip = (int)(bits >> 63);
    if (flags & FNN_AUGMENT_ERASE) erase_draw(&d, fnn_rng_bits_inline(erase_key, counter), h, w);
    return d;
}

#define FNN_TEMPLATE "augment.inc"
#include "each_dtype.h"
