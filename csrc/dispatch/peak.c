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

double fnn_fma_peak_gflops(int n_threads, double seconds)
{
    if (n_threads < 1) n_threads = 1;
    const fnn_kernels *k = fnn_kernels_get();
    float (*const probe)(int64_t) = k->fma_probe.fn;
    const int lanes = k->fma_probe.lanes;
    fnn_kernel_trace_set(FNN_ROLE_FMA_PROBE, k->fma_probe.name);
    probe(1000);
    /* calibrate on one thread: iterations for ~seconds */
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
    return (double)iters * 12 * lanes * 2 * n_threads / dt / 1e9;
}
