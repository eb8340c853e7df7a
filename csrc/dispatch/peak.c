/* The machine's float32 FMA limit, measured: every thread runs independent
 * FMA chains of the selected ISA for about `seconds`; the result is the
 * FLOP rate of all threads together (2 FLOP per lane per FMA).  fastnn bench
 * reports training speed against it. */
#include <stdint.h>
#include "fastnn.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif
#include <time.h>
#include "dispatch/kernels.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Scalar chains: what portable C gets without SIMD. */
float fnn_fma_probe_generic(int64_t iters)
{
    float sink = 0;
    volatile float a = 1.0f;
    float acc[12];
    for (int j = 0; j < 12; j++) acc[j] = a + j;
    for (int64_t i = 0; i < iters; i++)
        for (int j = 0; j < 12; j++) acc[j] = acc[j] * 0.999999f + 1e-7f;
    for (int j = 0; j < 12; j++) sink += acc[j];
    return sink;
}

/* FLOP rate of n_threads threads each running probe(iters) for about
 * `seconds` (calibrated on one thread), flops_per_iter FLOP per iteration. */
static double peak_gflops(float (*probe)(int64_t), double flops_per_iter, int n_threads,
                          double seconds)
{
    if (n_threads < 1) n_threads = 1;
    probe(1000);
    int64_t iters = 100000;
    double t0 = now();
    probe(iters);
    double dt = now() - t0;
    if (dt > 0) iters = (int64_t)(iters * seconds / dt) + 1;
    volatile float sink = 0;
    t0 = now();
#ifdef FNN_HAVE_OPENMP
#pragma omp parallel num_threads(n_threads) reduction(+ : sink)
#endif
    sink += probe(iters);
    dt = now() - t0;
    (void)sink;
    return (double)iters * flops_per_iter * n_threads / dt / 1e9;
}

double fnn_fma_peak_gflops(int n_threads, double seconds)
{
    const fnn_kernels *k = fnn_kernels_get();
    fnn_kernel_trace_set(FNN_ROLE_FMA_PROBE, k->fma_probe.name);
    /* 12 chains, 2 FLOP per lane per FMA */
    return peak_gflops(k->fma_probe.fn, 12.0 * k->fma_probe.lanes * 2, n_threads, seconds);
}

double fnn_amx_peak_gflops(int n_threads, double seconds)
{
#if FNN_HAVE_AMX
    if (fnn_amx_unusable_reason() != NULL) return -1;
    /* 4 tdpbf16ps of 16 x 16 x 32 multiply-adds */
    return peak_gflops(fnn_amx_probe, 4.0 * 16 * 16 * 32 * 2, n_threads, seconds);
#else
    (void)n_threads;
    (void)seconds;
    return -1;
#endif
}
