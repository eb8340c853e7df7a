/* FMA throughput probe, AVX-512: 12 independent chains of 16-lane FMAs, enough
 * to cover the FMA latency on every current core.  Returns a value derived
 * from the chains so the compiler cannot drop them. */
#include <immintrin.h>
#include <stdint.h>

float fnn_fma_probe_avx512(int64_t iters)
{
    __m512 acc[12];
    const __m512 mul = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-7f);
    for (int j = 0; j < 12; j++) acc[j] = _mm512_set1_ps(1.0f + (float)j);
    for (int64_t i = 0; i < iters; i++)
        for (int j = 0; j < 12; j++) acc[j] = _mm512_fmadd_ps(acc[j], mul, add);
    __m512 s = acc[0];
    for (int j = 1; j < 12; j++) s = _mm512_add_ps(s, acc[j]);
    return _mm512_reduce_add_ps(s);
}
