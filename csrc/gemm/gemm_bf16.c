/* GEMM with bfloat16 compute: float32 in and out, the operands rounded to
 * bfloat16 as they are packed, products summed in float32.  vdpbf16ps does
 * twice the multiply-adds of a float32 FMA per instruction; without
 * AVX512-BF16 the portable kernel gives the same numbers, slowly. */
#include "gemm/gemm_bf16.h"

#define SFX bf16_generic
#define BF16_KERNEL fnn_ukr_generic_bf16
#define BF16_MR FNN_UKR_GENERIC_MR_BF16
#define BF16_NR FNN_UKR_GENERIC_NR_BF16
#include "gemm/bf16_driver.h"
#undef SFX

/* The vdpbf16ps driver exists on x86 builds whose compiler takes -mavx512bf16. */
#if !defined(FNN_GENERIC_ONLY) && !defined(FNN_NO_AVX512BF16)
#define FNN_BF16_SIMD 1
#else
#define FNN_BF16_SIMD 0
#endif

#if FNN_BF16_SIMD
int fnn_gemm_bf16_avx512(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                         float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                         size_t work_bytes, int n_threads);
size_t fnn_gemm_work_bytes_bf16_avx512(int64_t m, int64_t n, int64_t k, int n_threads);
#endif

int fnn_bf16_native(void)
{
#if FNN_BF16_SIMD
    return fnn_get_isa() == FNN_ISA_AVX512 && (fnn_cpu_features() & FNN_CPU_AVX512BF16) != 0;
#else
    return 0;
#endif
}

int fnn_gemm_bf16(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                  int64_t ldc, const fnn_epilogue *epi, void *work, size_t work_bytes,
                  int n_threads)
{
#if FNN_BF16_SIMD
    if (fnn_bf16_native())
        return fnn_gemm_bf16_avx512(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                                    ldc, epi, work, work_bytes, n_threads);
#endif
    return fnn_gemm_bf16_generic(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                                 epi, work, work_bytes, n_threads);
}

size_t fnn_gemm_bf16_work_bytes(int64_t m, int64_t n, int64_t k, int n_threads)
{
    if (m <= 0 || n <= 0 || k <= 0) return 0;
    size_t s = fnn_gemm_work_bytes_bf16_generic(m, n, k, n_threads);
#if FNN_BF16_SIMD
    size_t s2 = fnn_gemm_work_bytes_bf16_avx512(m, n, k, n_threads);
    if (s2 > s) s = s2;
#endif
    return s;
}
