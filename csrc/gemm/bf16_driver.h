/* One bfloat16-compute GEMM driver: gemm_impl.h with float32 operands packed
 * as bfloat16 pairs (pack_bf16.inc).  The includer defines SFX (the driver's
 * name suffix), BF16_KERNEL, BF16_MR, BF16_NR and BF16_NAME (the kernel's
 * name, without its tile), and may define BF16_PACK_FILE (its packing, else
 * pack_bf16.inc), BF16_THREAD_BEGIN/END (per-thread set-up, gemm_impl.h) and
 * BF16_K_PAD (k values each packed panel is zero-padded to, default 2); the
 * driver is fnn_gemm_<SFX>, with fnn_gemm_f32's
 * signature, and fnn_gemm_name_<SFX> names its kernel with the tile.
 * Included by gemm_bf16.c (portable kernel), gemm_bf16_avx512bf16.c
 * (vdpbf16ps, whose packing is compiled with AVX-512 too), gemm_bf16_amx.c
 * (AMX tiles) and gemm_bf16_amx_emu.c (AMX tiles emulated). */
#include <stdint.h>
#include <string.h>
#include "fastnn.h"
#include "gemm/ukr.h"
#include "gemm/driver_util.h"
#include "dispatch/kernels.h"
#ifdef FNN_HAVE_OPENMP
#include <omp.h>
#endif

#define BF16_CAT_(a, b) a##_##b
#define BF16_CAT(a, b) BF16_CAT_(a, b)
#define BF16_TABLE BF16_CAT(gemm_table, SFX)

typedef struct { int mr, nr; int64_t mc, kc, nc; fnn_ukr_bf16 kernel; } BF16_TABLE;

#ifndef BF16_K_PAD /* k values a packed panel is rounded up to (gemm_impl.h's GEMM_K_PAD) */
#define BF16_K_PAD 2
#endif

/* kc counts k values: 512 of them are 256 units, the bytes of a float32 kc of 256. */
static const BF16_TABLE BF16_CAT(table, SFX) = {BF16_MR, BF16_NR, 480, 512, 4096, BF16_KERNEL};

const char BF16_CAT(fnn_gemm_name, SFX)[] = FNN_TILE_NAME(BF16_NAME, BF16_MR, BF16_NR);

/* Called once per call, when a micro-kernel is about to run: the trace. */
static const BF16_TABLE *BF16_CAT(select_table, SFX)(int64_t n_cols)
{
    (void)n_cols;
    fnn_kernel_trace_set(FNN_ROLE_BF16, BF16_CAT(fnn_gemm_name, SFX));
    return &BF16_CAT(table, SFX);
}

/* The table's sizes, for the caller's scratch estimate. */
size_t BF16_CAT(fnn_gemm_work_bytes, SFX)(int64_t m, int64_t n, int64_t k, int n_threads)
{
    const BF16_TABLE *t = &BF16_CAT(table, SFX);
    size_t a_stride, b_bytes, c_stride;
    return gemm_ws_layout(m, n, k, BF16_K_PAD, sizeof(uint16_t), n_threads, t->mr, t->nr, t->mc, t->kc,
                          t->nc, 0, &a_stride, &b_bytes, &c_stride);
}

#define T float
#define PT uint32_t
#define GEMM_KP 2
#define GEMM_K_PAD BF16_K_PAD
#ifdef BF16_PACK_FILE /* a kernel that wants A laid out its own way */
#define GEMM_PACK_FILE BF16_PACK_FILE
#else
#define GEMM_PACK_FILE "gemm/pack_bf16.inc"
#endif
#ifdef BF16_THREAD_BEGIN
#define GEMM_THREAD_BEGIN() BF16_THREAD_BEGIN()
#define GEMM_THREAD_END() BF16_THREAD_END()
#endif
#define GEMM_IMAGE_TABLE (&BF16_CAT(table, SFX))
_Static_assert(BF16_MR % 2 == 0 && BF16_NR % 2 == 0,
               "images are written per epilogue block, whose edges must not split a k pair");
#include "gemm/gemm_impl.h"
#undef GEMM_IMAGE_TABLE
#undef T

#undef BF16_TABLE
#undef BF16_PACK_FILE
#undef BF16_K_PAD
#undef BF16_THREAD_BEGIN
#undef BF16_THREAD_END
#undef BF16_NAME
#undef BF16_CAT
#undef BF16_CAT_
