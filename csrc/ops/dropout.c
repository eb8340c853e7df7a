/* Dropout, float32 and float64 from dropout.inc; the shared random bits. */
#include "fastnn.h"
#include "rng.h"
#include "tmpl.h"

uint64_t fnn_rng_bits(uint64_t seed, uint64_t counter)
{
    return fnn_rng_bits_inline(seed, counter);
}

#define FNN_TEMPLATE "dropout.inc"
#include "each_dtype.h"
