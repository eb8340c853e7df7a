/* Helpers shared by every GEMM driver instantiation (gemm.c, gemm_bf16*.c):
 * thread count, overflow check and the scratch layout. */
#ifndef FASTNN_GEMM_DRIVER_UTIL_H
#define FASTNN_GEMM_DRIVER_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include "fastnn.h"

/* Below this many multiply-adds a second thread costs more than it saves:
 * the wide kernels' packing must be paid for; the narrow kernel packs
 * nothing, so half as much work already pays for a thread (the output
 * layer's dW, 512x10x128: 78 -> 126 GFLOP/s on two threads). */
#define GEMM_MIN_FLOPS_PER_THREAD (64.0 * 64.0 * 128.0)
#define GEMM_MIN_FLOPS_PER_THREAD_NARROW (32.0 * 64.0 * 128.0)

static inline int gemm_size_overflows(int64_t m, int64_t n, int64_t k)
{
    const int64_t lim = INT64_MAX / 16;
    return m > lim / (n > 0 ? n : 1) || k > lim / (n > 0 ? n : 1) || m > lim / (k > 0 ? k : 1);
}

/* The team for one call: at most n_threads, fewer for a small product. */
static inline int gemm_threads(int64_t m, int64_t n, int64_t k, int n_threads, int narrow)
{
    const double min_work = narrow ? GEMM_MIN_FLOPS_PER_THREAD_NARROW : GEMM_MIN_FLOPS_PER_THREAD;
    int nt = n_threads;
    double work = (double)m * (double)n * (double)k;
    if (nt > 1 && work < min_work * nt) {
        int fit = (int)(work / min_work);
        nt = fit < 1 ? 1 : fit;
    }
    return nt < 1 ? 1 : nt;
}

static inline size_t round64(size_t x) { return (x + 63) & ~(size_t)63; }

/* Scratch layout: packed B panel, then one packed A block per thread.
 * Returns the total; a_stride is the per-thread A size, b_bytes the B size. */
static inline size_t gemm_ws_layout(int64_t m, int64_t n, int64_t k, int64_t k_pad, size_t elem,
                             int nt, int mr, int nr, int64_t mc, int64_t kc, int64_t nc,
                             size_t *a_stride, size_t *b_bytes)
{
    int64_t kb = k < kc ? k : kc;
    if (k_pad < 2) k_pad = 2; /* a bfloat16 panel packs k in pairs (costs nothing elsewhere) */
    kb = (kb + k_pad - 1) / k_pad * k_pad; /* the packing's depth (GEMM_K_PAD) */
    int64_t mb = (m + mr - 1) / mr * mr, nb = (n + nr - 1) / nr * nr;
    if (mb > mc) mb = mc;
    if (nb > nc) nb = nc;
    if (kb < 1) kb = 1;
    *a_stride = round64((size_t)mb * (size_t)kb * elem);
    *b_bytes = round64((size_t)nb * (size_t)kb * elem);
    return *b_bytes + *a_stride * (size_t)(nt < 1 ? 1 : nt);
}

#endif
