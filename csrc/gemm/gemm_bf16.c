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

#if !defined(FNN_GENERIC_ONLY) && !defined(FNN_NO_AVX512BF16)
int fnn_gemm_bf16_avx512(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                         float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                         size_t work_bytes);
size_t fnn_gemm_work_bytes_bf16_avx512(int64_t m, int64_t n, int64_t k, int n_threads);
size_t fnn_bf16_packed_units_bf16_avx512(int64_t k, int64_t n);
void fnn_bf16_pack_bf16_avx512(int trans_b, const float *b, int64_t ldb, int64_t k, int64_t n,
                               uint32_t *dst);
int fnn_gemm_packed_bf16_avx512(int trans_a, int64_t m, int64_t n, int64_t k, float alpha,
                                const float *a, int64_t lda, const uint32_t *b_packed, float beta,
                                float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                                size_t work_bytes);
void fnn_bf16_refresh_bf16_avx512(const float *w, int64_t ldw, int64_t rows, int64_t cols,
                                  int64_t r0, int64_t r1, int64_t c0, int64_t c1, uint32_t *fwd,
                                  uint32_t *bwd);
#define FNN_BF16_SIMD 1
#else
#define FNN_BF16_SIMD 0
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
                  int64_t ldc, const fnn_epilogue *epi, void *work, size_t work_bytes)
{
#if FNN_BF16_SIMD
    if (fnn_bf16_native())
        return fnn_gemm_bf16_avx512(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                                    ldc, epi, work, work_bytes);
#endif
    return fnn_gemm_bf16_generic(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                                 epi, work, work_bytes);
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

size_t fnn_bf16_packed_units(int64_t k, int64_t n)
{
    if (k <= 0 || n <= 0) return 0;
    size_t s = fnn_bf16_packed_units_bf16_generic(k, n);
#if FNN_BF16_SIMD
    size_t s2 = fnn_bf16_packed_units_bf16_avx512(k, n);
    if (s2 > s) s = s2;
#endif
    return s;
}

int fnn_bf16_pack(int trans_b, const float *b, int64_t ldb, int64_t k, int64_t n, uint32_t *dst)
{
    const int kernel = fnn_bf16_native();
#if FNN_BF16_SIMD
    if (kernel) {
        fnn_bf16_pack_bf16_avx512(trans_b, b, ldb, k, n, dst);
        return kernel;
    }
#endif
    fnn_bf16_pack_bf16_generic(trans_b, b, ldb, k, n, dst);
    return kernel;
}

int fnn_gemm_bf16_packed(int kernel, int trans_a, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const uint32_t *b_packed, float beta,
                         float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                         size_t work_bytes)
{
    if (kernel != fnn_bf16_native()) return FNN_EINVAL;
#if FNN_BF16_SIMD
    if (kernel)
        return fnn_gemm_packed_bf16_avx512(trans_a, m, n, k, alpha, a, lda, b_packed, beta, c,
                                           ldc, epi, work, work_bytes);
#endif
    return fnn_gemm_packed_bf16_generic(trans_a, m, n, k, alpha, a, lda, b_packed, beta, c, ldc,
                                        epi, work, work_bytes);
}

int fnn_bf16_refresh(int kernel, const float *w, int64_t ldw, int64_t rows, int64_t cols,
                     int64_t r0, int64_t r1, int64_t c0, int64_t c1, uint32_t *fwd, uint32_t *bwd)
{
    if (kernel != fnn_bf16_native() || (r0 & 1) || (c0 & 1) || ((r1 & 1) && r1 != rows) ||
        ((c1 & 1) && c1 != cols))
        return FNN_EINVAL;
#if FNN_BF16_SIMD
    if (kernel) {
        fnn_bf16_refresh_bf16_avx512(w, ldw, rows, cols, r0, r1, c0, c1, fwd, bwd);
        return FNN_OK;
    }
#endif
    fnn_bf16_refresh_bf16_generic(w, ldw, rows, cols, r0, r1, c0, c1, fwd, bwd);
    return FNN_OK;
}
