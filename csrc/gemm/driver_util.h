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

/* Chunks of work handed out with stealing: each thread owns a range of
 * chunks (its "home") and takes them from the front; a thread whose own are
 * gone takes the others' from the back, so threads keep their home chunks
 * (and what those leave in their caches) unless another thread falls behind.
 * A range is one 64-bit word, front in the low half and back in the high half,
 * changed by compare-and-swap only. */
static inline int64_t gemm_range(int64_t front, int64_t back) { return front | (back << 32); }

/* Takes a chunk of range *r, from the front if `own`, else from the back;
 * -1 when the range is empty. */
static inline int64_t gemm_range_take(int64_t *r, int own)
{
    int64_t v = __atomic_load_n(r, __ATOMIC_RELAXED);
    for (;;) {
        const int64_t front = v & 0xffffffff, back = v >> 32;
        if (front >= back) return -1;
        const int64_t w = own ? gemm_range(front + 1, back) : gemm_range(front, back - 1);
        if (__atomic_compare_exchange_n(r, &v, w, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return own ? front : back - 1;
    }
}

/* Thread tid's next chunk of ranges[0..nth): its own first, then the others'. */
static inline int64_t gemm_steal_chunk(int64_t *ranges, int tid, int nth)
{
    for (int i = 0; i < nth; i++) {
        const int u = (tid + i) % nth;
        const int64_t ch = gemm_range_take(&ranges[u], i == 0);
        if (ch >= 0) return ch;
    }
    return -1;
}

static inline size_t round64(size_t x) { return (x + 63) & ~(size_t)63; }

/* The C scratch of an epilogue that consumes C (fnn_epilogue.consumes_c):
 * about GEMM_C_SCRATCH_BYTES per thread, so a block stays in L2 beside the A
 * block and the epilogue's streams.  512 KB, not 256: the 2-thread m split's
 * blocks of a 784 x 1024 float32 gradient (108 rows) fit whole, so the
 * schedule, and how a thread slowed by another process shows in the team's
 * waits, stay as they were (with 256 KB, 60-row blocks, bench/contention.py's
 * contended ratio fell from 0.96-1.10 to 0.83-0.97).  Rows of one nc block,
 * padded by 64 bytes (rows 4 KB apart would share L1 sets).  Bytes per
 * thread; *rows (a multiple of mr) and *ld its shape, in c_elem elements. */
#define GEMM_C_SCRATCH_BYTES (512 * 1024)
static inline size_t gemm_c_scratch(int64_t n, size_t c_elem, int mr, int nr, int64_t nc,
                                    int64_t *rows, int64_t *ld)
{
    int64_t w = n < nc ? n : nc;
    w = (w + nr - 1) / nr * nr + 64 / (int64_t)c_elem;
    int64_t r = (int64_t)(GEMM_C_SCRATCH_BYTES / c_elem) / w / mr * mr;
    if (r < mr) r = mr;
    *rows = r;
    *ld = w;
    return round64((size_t)(r * w) * c_elem);
}

/* Scratch layout: packed B panel, then one packed A block per thread, then
 * (c_elem > 0: C's element size) one C scratch per thread (gemm_c_scratch).
 * Returns the total; a_stride is the per-thread A size, b_bytes the B size,
 * c_stride the per-thread C scratch (0 without). */
static inline size_t gemm_ws_layout(int64_t m, int64_t n, int64_t k, int64_t k_pad, size_t elem,
                             int nt, int mr, int nr, int64_t mc, int64_t kc, int64_t nc,
                             size_t c_elem, size_t *a_stride, size_t *b_bytes, size_t *c_stride)
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
    int64_t rows, ld;
    *c_stride = c_elem ? gemm_c_scratch(n, c_elem, mr, nr, nc, &rows, &ld) : 0;
    return *b_bytes + (*a_stride + *c_stride) * (size_t)(nt < 1 ? 1 : nt);
}

#endif
