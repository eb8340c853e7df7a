/* GEMM with bfloat16 compute: float32 in and out, the operands rounded to
 * bfloat16 as they are packed, products summed in float32.  vdpbf16ps does
 * twice the multiply-adds of a float32 FMA per instruction, AMX's
 * tdpbf16ps a 16 x 16 x 32 block; without either the portable kernel gives
 * the same numbers, slowly.  The engine is the dispatch table's, or the
 * one forced (dispatch/bf16_engines.c). */
#include "gemm/gemm_bf16.h"
#include "dispatch/kernels.h"

#define SFX bf16_generic
#define BF16_KERNEL fnn_ukr_generic_bf16
#define BF16_MR FNN_UKR_GENERIC_MR_BF16
#define BF16_NR FNN_UKR_GENERIC_NR_BF16
#define BF16_NAME "gemm_bf16_portable"
#include "gemm/bf16_driver.h"
#undef SFX

int fnn_bf16_native(void) { return fnn_bf16_current()->native; }

int fnn_gemm_bf16(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                  int64_t ldc, const fnn_epilogue *epi, void *work, size_t work_bytes,
                  int n_threads)
{
    return fnn_bf16_current()->driver(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta,
                                          c, ldc, epi, work, work_bytes, n_threads);
}

/* Scratch for any engine (the ISA or engine can change before the GEMM runs). */
size_t fnn_gemm_bf16_work_bytes(int64_t m, int64_t n, int64_t k, int n_threads)
{
    if (m <= 0 || n <= 0 || k <= 0) return 0;
    size_t s = fnn_gemm_work_bytes_bf16_generic(m, n, k, n_threads);
#if FNN_HAVE_BF16_SIMD
    /* compiled for AVX512-BF16, it may execute their instructions: called only
     * where the CPU has them (elsewhere its engine never runs); the -O1
     * sanitizer build's prologue did, a SIGILL on an AVX2-only Zen 3 */
    if (fnn_bf16_engine_named("avx512bf16", NULL)) {
        size_t s2 = fnn_gemm_work_bytes_bf16_avx512(m, n, k, n_threads);
        if (s2 > s) s = s2;
    }
#endif
    /* the AMX drivers (real and emulated) share one table */
    size_t s3 = fnn_gemm_work_bytes_bf16_amx_emu(m, n, k, n_threads);
    if (s3 > s) s = s3;
    return s;
}
