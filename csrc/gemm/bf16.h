/* float32 -> bfloat16 rounding for the bfloat16 GEMM's packing.  bfloat16 is
 * the top half of a float32; rounding to nearest, ties to even, is an integer
 * add on the bits (the AVX-512 build vectorises it).  NaN stays a quiet NaN;
 * a finite value past the largest bfloat16 rounds to infinity, as in IEEE;
 * a subnormal result becomes a signed zero, as the hardware treats it. */
#ifndef FASTNN_GEMM_BF16_ROUND_H
#define FASTNN_GEMM_BF16_ROUND_H
#include <stdint.h>
#include <string.h>

static inline uint32_t fnn_bf16_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    if ((rounded & 0x7f80u) == 0) rounded &= 0x8000u; /* subnormal: vdpbf16ps reads zero */
    return (u & 0x7fffffffu) > 0x7f800000u ? (u >> 16) | 0x40u : rounded;
}

/* One packed unit: lo in bits 0-15, hi in bits 16-31 (vdpbf16ps's pair). */
static inline uint32_t fnn_bf16_pair(float lo, float hi)
{
    return fnn_bf16_bits(lo) | fnn_bf16_bits(hi) << 16;
}

static inline float fnn_bf16_to_float(uint32_t bits16)
{
    const uint32_t u = bits16 << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}
#endif
