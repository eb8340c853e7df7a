/* Is vdpbf16ps faster than float32 FMAs on this core?  One thread runs the
 * FMA probe (peak_avx512.c) and the vdpbf16ps probe (peak_avx512bf16.c) for
 * the same instruction count; the best of three each.  The result is the
 * multiply-add rate of vdpbf16ps over that of the float32 FMA (2 x the
 * instruction rate ratio): about 0.8 where vdpbf16ps issues at 0.4x, 2 where
 * it issues at the FMA rate.  A few milliseconds, run once, lazily. */
#include <time.h>
#include "dispatch/kernels.h"

static double seconds(float (*probe)(int64_t), int64_t iters)
{
    double best = 1e30;
    volatile float sink = 0;
    for (int rep = 0; rep < 3; rep++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        sink += probe(iters);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (dt < best) best = dt;
    }
    (void)sink;
    return best;
}

double fnn_bf16_vs_fma_rate(void)
{
#if FNN_HAVE_BF16_SIMD
    static double ratio = -1;
    if (ratio >= 0) return ratio;
    if (fnn_bf16_engine_named("avx512bf16", NULL) == NULL) return -1;
    const int64_t iters = 100000; /* 1.2M instructions: ~0.5 ms per run */
    const double t_fma = seconds(fnn_fma_probe_avx512, iters);
    const double t_bf16 = seconds(fnn_bf16_probe_avx512bf16, iters);
    ratio = t_bf16 > 0 ? 2.0 * t_fma / t_bf16 : 0; /* idempotent: a race is harmless */
    return ratio;
#else
    return -1;
#endif
}
