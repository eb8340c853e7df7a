/* Dropout, float32 and float64 from dropout.inc; the shared random bits. */
#include "fastnn.h"
#include "rng.h"
#include "tmpl.h"

uint64_t fnn_rng_bits(uint64_t seed, uint64_t counter)
{
    return fnn_rng_bits_inline(seed, counter);
}

#define T float
#define SFX f32
#include "dropout.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "dropout.inc"
#undef T
#undef SFX
