/* Image augmentation (shifts, flips), float32 and float64 from augment.inc. */
#include <string.h>
#include "fastnn.h"
#include "rng.h"
#include "tmpl.h"

/* One image's transform from its random bits. */
typedef struct {
    int64_t dy, dx;
    int flip;
} fnn_augment_draw;

static inline fnn_augment_draw fnn_augment_draw_make(uint64_t key, uint64_t counter, int flags,
                                                     int64_t max_shift)
{
    fnn_augment_draw d = {0, 0, 0};
    const uint64_t bits = fnn_rng_bits_inline(key, counter);
    if (flags & FNN_AUGMENT_SHIFT) {
        const uint64_t span = 2 * (uint64_t)max_shift + 1;
        d.dy = (int64_t)(bits % span) - max_shift;
        d.dx = (int64_t)((bits >> 21) % span) - max_shift;
    }
    if (flags & FNN_AUGMENT_FLIP) d.flip = (int)(bits >> 63);
    return d;
}

#define FNN_TEMPLATE "augment.inc"
#include "each_dtype.h"
