/* Blocked, packed GEMM (BLIS design), float32 and float64 from one template
 * (gemm_impl.h).  Micro-kernels per ISA live in ukr_*.c; the table below picks
 * one, with its tile shape and block sizes, from fnn_get_isa() at call time. */
#include <stdint.h>
#include "fastnn.h"
#include "gemm/ukr.h"
#include "gemm/driver_util.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif

/* The kernel table of one dtype (tile, block sizes, micro-kernel per ISA) and
 * its selector; then the driver template for that dtype. */
#ifdef FNN_GENERIC_ONLY
#define GEMM_SIMD_ROWS(SFX, USFX, MC, KC, NC)
#define GEMM_NARROW_COLS(SFX, USFX) 0
#else
/* The AVX2 and AVX-512 rows sit at their fnn_isa index; the narrow AVX-512
 * row (one vector wide, A read in place: gemm_impl.h run_narrow) follows. */
#define GEMM_SIMD_ROWS(SFX, USFX, MC, KC, NC)                                               \
    {FNN_UKR_AVX2_MR_##USFX, FNN_UKR_AVX2_NR_##USFX, MC, KC, NC, fnn_ukr_avx2_##SFX, NULL}, \
    {FNN_UKR_AVX512_MR_##USFX, FNN_UKR_AVX512_NR_##USFX, MC, KC, NC, fnn_ukr_avx512_##SFX,  \
     NULL},                                                                                 \
    {FNN_UKR_AVX512N_MR_##USFX, FNN_UKR_AVX512N_NR_##USFX, 20 * FNN_UKR_AVX512N_MR_##USFX,  \
     256, NC, NULL, fnn_ukr_avx512n_##SFX},
#define GEMM_NARROW_COLS(SFX, USFX) FNN_UKR_AVX512N_NR_##USFX
#endif
#define DEFINE_GEMM_TABLE(SFX, USFX, MC_GENERIC, MC_SIMD, KC_SIMD, NC)                      \
    typedef struct {                                                                        \
        int mr, nr;                                                                         \
        int64_t mc, kc, nc;                                                                 \
        fnn_ukr_##SFX kernel;                                                               \
        fnn_ukr_narrow_##SFX narrow; /* non-NULL: C is at most nr wide, run_narrow */       \
    } gemm_table_##SFX;                                                                     \
    static const gemm_table_##SFX tables_##SFX[] = {                                        \
        {FNN_UKR_GENERIC_MR_##USFX, FNN_UKR_GENERIC_NR_##USFX, MC_GENERIC, 256, NC,         \
         fnn_ukr_generic_##SFX, NULL},                                                      \
        GEMM_SIMD_ROWS(SFX, USFX, MC_SIMD, KC_SIMD, NC)                                     \
    };                                                                                      \
    /* A narrow C (e.g. a 10-class output layer) would waste most of the wide               \
     * AVX-512 tile: it gets the tall one-vector tile instead. */                           \
    static const gemm_table_##SFX *select_table_##SFX(int64_t n_cols)                       \
    {                                                                                       \
        int isa = (int)fnn_get_isa();                                                       \
        int n = (int)(sizeof(tables_##SFX) / sizeof(tables_##SFX[0]));                      \
        if (isa < 0 || isa >= n) isa = 0;                                                   \
        if (isa == FNN_ISA_AVX512 && n_cols <= GEMM_NARROW_COLS(SFX, USFX) &&               \
            FNN_ISA_AVX512 + 1 < n)                                                         \
            isa = FNN_ISA_AVX512 + 1;                                                       \
        return &tables_##SFX[isa];                                                          \
    }

/* float64 on Zen 4 (bench/README.md): kc 128 and 192 were slower than 256;
 * mc 120 with kc 512 gained ~3% at 1024^3-2048^3 but lost 5-8% at 256^3-512^3
 * (twice the passes over B), so they stay at mc 240, kc 256. */
DEFINE_GEMM_TABLE(f32, F32, 256, 480, 256, 4096)
DEFINE_GEMM_TABLE(f64, F64, 128, 240, 256, 2048)

#define GEMM_NARROW 1
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
