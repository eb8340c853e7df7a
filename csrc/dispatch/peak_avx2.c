/* FMA throughput probe, AVX2+FMA: 12 independent chains of 8-lane FMAs. */
#include <immintrin.h>
#include <stdint.h>

float fnn_fma_probe_avx2(int64_t iters)
{
    __m256 acc[12];
    const __m256 mul = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-7f);
    for (int j = 0; j < 12; j++) acc[j] = _mm256_set1_ps(1.0f + (float)j);
    for (int64_t i = 0; i < iters; i++)
        for (int j = 0; j < 12; j++) acc[j] = _mm256_fmadd_ps(acc[j], mul, add);
    __m256 s = acc[0];
    for (int j = 1; j < 12; j++) s = _mm256_add_ps(s, acc[j]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}
