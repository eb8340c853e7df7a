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

/* The kernel table of one dtype (tile, block sizes, micro-kernel per ISA) and
 * its selector; then the driver template for that dtype. */
#ifdef FNN_GENERIC_ONLY
#define GEMM_SIMD_ROWS(SFX, USFX, MC, NC)
#else
#define GEMM_SIMD_ROWS(SFX, USFX, MC, NC)                                                    \
    {FNN_UKR_AVX2_MR_##USFX, FNN_UKR_AVX2_NR_##USFX, MC, 256, NC, fnn_ukr_avx2_##SFX},       \
    {FNN_UKR_AVX512_MR_##USFX, FNN_UKR_AVX512_NR_##USFX, MC, 256, NC, fnn_ukr_avx512_##SFX},
#endif
#define DEFINE_GEMM_TABLE(SFX, USFX, MC_GENERIC, MC_SIMD, NC)                                 \
    typedef struct { int mr, nr; int64_t mc, kc, nc; fnn_ukr_##SFX kernel; } gemm_table_##SFX; \
    static const gemm_table_##SFX tables_##SFX[] = {                                        \
        {FNN_UKR_GENERIC_MR_##USFX, FNN_UKR_GENERIC_NR_##USFX, MC_GENERIC, 256, NC,          \
         fnn_ukr_generic_##SFX},                                                             \
        GEMM_SIMD_ROWS(SFX, USFX, MC_SIMD, NC)                                                  \
    };                                                                                       \
    /* A narrow C (e.g. a 10-class output layer) would waste most of the wide              \
     * AVX-512 tile: the AVX2 tile is half as wide, and AVX-512 implies AVX2. */            \
    static const gemm_table_##SFX *select_table_##SFX(int64_t n_cols)                        \
    {                                                                                        \
        int isa = (int)fnn_get_isa();                                                        \
        int n = (int)(sizeof(tables_##SFX) / sizeof(tables_##SFX[0]));                       \
        if (isa >= n) isa = 0;                                                               \
        if (isa == FNN_ISA_AVX512 && 2 * n_cols <= tables_##SFX[isa].nr) isa = FNN_ISA_AVX2; \
        return &tables_##SFX[isa];                                                           \
    }

DEFINE_GEMM_TABLE(f32, F32, 256, 480, 4096)
DEFINE_GEMM_TABLE(f64, F64, 128, 240, 2048)

#define FNN_TEMPLATE "gemm/gemm_impl.h"
#include "ops/each_dtype.h"

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
