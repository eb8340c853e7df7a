/* vdpbf16ps throughput probe: 12 independent chains, as the FMA probe of
 * peak_avx512.c, each instruction two multiply-adds per float32 lane. */
#include <immintrin.h>
#include <stdint.h>

float fnn_bf16_probe_avx512bf16(int64_t iters)
{
    __m512 acc[12];
    const __m512bh x = (__m512bh)_mm512_set1_epi32(0x3f803f80); /* the pair (1, 1) */
    const __m512bh y = (__m512bh)_mm512_set1_epi32(0x33d633d6); /* ~1e-7 twice */
    for (int j = 0; j < 12; j++) acc[j] = _mm512_set1_ps(1.0f + (float)j);
    for (int64_t i = 0; i < iters; i++)
        for (int j = 0; j < 12; j++) acc[j] = _mm512_dpbf16_ps(acc[j], x, y);
    __m512 s = acc[0];
    for (int j = 1; j < 12; j++) s = _mm512_add_ps(s, acc[j]);
    return _mm512_reduce_add_ps(s);
}
