/* Blocked, packed GEMM (BLIS design), float32 and float64 from one template
 * (gemm_impl.h).  Micro-kernels per ISA live in ukr_*.c; the table below picks
 * one, with its tile shape and block sizes, from fnn_get_isa() at call time. */
#include <stdint.h>
#include "fastnn.h"
#include "gemm/ukr.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif

/* Below this many multiply-adds a second thread costs more than it saves. */
#define GEMM_MIN_FLOPS_PER_THREAD (64.0 * 64.0 * 128.0)

static int gemm_size_overflows(int64_t m, int64_t n, int64_t k)
{
    const int64_t lim = INT64_MAX / 16;
    return m > lim / (n > 0 ? n : 1) || k > lim / (n > 0 ? n : 1) || m > lim / (k > 0 ? k : 1);
}

static int gemm_threads(int64_t m, int64_t n, int64_t k)
{
    int nt = fnn_get_num_threads();
    double work = (double)m * (double)n * (double)k;
    if (nt > 1 && work < GEMM_MIN_FLOPS_PER_THREAD * nt) {
        int fit = (int)(work / GEMM_MIN_FLOPS_PER_THREAD);
        nt = fit < 1 ? 1 : fit;
    }
    return nt < 1 ? 1 : nt;
}

static size_t round64(size_t x) { return (x + 63) & ~(size_t)63; }

/* Scratch layout: packed B panel, then one packed A block per thread.
 * Returns the total; a_stride is the per-thread A size, b_bytes the B size. */
static size_t gemm_ws_layout(int64_t m, int64_t n, int64_t k, size_t elem, int nt, int mr,
                             int nr, int64_t mc, int64_t kc, int64_t nc, size_t *a_stride,
                             size_t *b_bytes)
{
    int64_t kb = k < kc ? k : kc;
    int64_t mb = (m + mr - 1) / mr * mr, nb = (n + nr - 1) / nr * nr;
    if (mb > mc) mb = mc;
    if (nb > nc) nb = nc;
    if (kb < 1) kb = 1;
    *a_stride = round64((size_t)mb * (size_t)kb * elem);
    *b_bytes = round64((size_t)nb * (size_t)kb * elem);
    return *b_bytes + *a_stride * (size_t)(nt < 1 ? 1 : nt);
}

/* ---- float32 ---- */
#define T float
#define SFX f32
typedef struct { int mr, nr; int64_t mc, kc, nc; fnn_ukr_f32 kernel; } gemm_table_f32;
static const gemm_table_f32 tables_f32[] = {
    {FNN_UKR_GENERIC_MR_F32, FNN_UKR_GENERIC_NR_F32, 256, 256, 4096, fnn_ukr_generic_f32},
#ifndef FNN_GENERIC_ONLY
    {FNN_UKR_AVX2_MR_F32, FNN_UKR_AVX2_NR_F32, 480, 256, 4096, fnn_ukr_avx2_f32},
    {FNN_UKR_AVX512_MR_F32, FNN_UKR_AVX512_NR_F32, 480, 256, 4096, fnn_ukr_avx512_f32},
#endif
};
static const gemm_table_f32 *select_table_f32(int64_t n_cols)
{
    int isa = (int)fnn_get_isa();
    int n = (int)(sizeof(tables_f32) / sizeof(tables_f32[0]));
    if (isa >= n) isa = 0;
    /* A narrow C (e.g. a 10-class output layer) would waste most of the wide
     * AVX-512 tile: the AVX2 tile is half as wide, and AVX-512 implies AVX2. */
    if (isa == FNN_ISA_AVX512 && 2 * n_cols <= tables_f32[isa].nr) isa = FNN_ISA_AVX2;
    return &tables_f32[isa];
}
#include "gemm/gemm_impl.h"
#undef T
#undef SFX

/* ---- float64 ---- */
#define T double
#define SFX f64
typedef struct { int mr, nr; int64_t mc, kc, nc; fnn_ukr_f64 kernel; } gemm_table_f64;
static const gemm_table_f64 tables_f64[] = {
    {FNN_UKR_GENERIC_MR_F64, FNN_UKR_GENERIC_NR_F64, 128, 256, 2048, fnn_ukr_generic_f64},
#ifndef FNN_GENERIC_ONLY
    {FNN_UKR_AVX2_MR_F64, FNN_UKR_AVX2_NR_F64, 240, 256, 2048, fnn_ukr_avx2_f64},
    {FNN_UKR_AVX512_MR_F64, FNN_UKR_AVX512_NR_F64, 240, 256, 2048, fnn_ukr_avx512_f64},
#endif
};
static const gemm_table_f64 *select_table_f64(int64_t n_cols)
{
    int isa = (int)fnn_get_isa();
    int n = (int)(sizeof(tables_f64) / sizeof(tables_f64[0]));
    if (isa >= n) isa = 0;
    /* A narrow C (e.g. a 10-class output layer) would waste most of the wide
     * AVX-512 tile: the AVX2 tile is half as wide, and AVX-512 implies AVX2. */
    if (isa == FNN_ISA_AVX512 && 2 * n_cols <= tables_f64[isa].nr) isa = FNN_ISA_AVX2;
    return &tables_f64[isa];
}
#include "gemm/gemm_impl.h"
#undef T
#undef SFX

/* Scratch for any kernel this build might select (the ISA can change between
 * this call and the GEMM), for n_threads threads. */
size_t fnn_gemm_work_bytes(int64_t m, int64_t n, int64_t k, size_t elem_size, int n_threads)
{
    size_t best = 0, a_stride, b_bytes;
    if (m <= 0 || n <= 0 || k <= 0) return 0;
    if (elem_size <= sizeof(float)) {
        for (size_t i = 0; i < sizeof(tables_f32) / sizeof(tables_f32[0]); i++) {
            const gemm_table_f32 *t = &tables_f32[i];
            size_t s = gemm_ws_layout(m, n, k, elem_size, n_threads, t->mr, t->nr, t->mc,
                                      t->kc, t->nc, &a_stride, &b_bytes);
            if (s > best) best = s;
        }
    } else {
        for (size_t i = 0; i < sizeof(tables_f64) / sizeof(tables_f64[0]); i++) {
            const gemm_table_f64 *t = &tables_f64[i];
            size_t s = gemm_ws_layout(m, n, k, elem_size, n_threads, t->mr, t->nr, t->mc,
                                      t->kc, t->nc, &a_stride, &b_bytes);
            if (s > best) best = s;
        }
    }
    return best;
}
