/* Placeholder GEMM: correct, unblocked.  Replaced by the packed BLIS-style
 * implementation (pack.c, macro.c, ukr_*.c). */
#include "fastnn.h"

size_t fnn_gemm_work_bytes(int64_t m, int64_t n, int64_t k, size_t elem_size, int n_threads)
{
    (void)m; (void)n; (void)k; (void)elem_size; (void)n_threads;
    return 0;
}

#define DEFINE_GEMM(T, SFX)                                                                 \
int fnn_gemm_##SFX(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,               \
                   T alpha, const T *a, int64_t lda, const T *b, int64_t ldb,               \
                   T beta, T *c, int64_t ldc,                                               \
                   const fnn_epilogue *epi, void *work, size_t work_bytes)                  \
{                                                                                           \
    (void)work; (void)work_bytes;                                                           \
    if (m < 0 || n < 0 || k < 0) return FNN_EINVAL;                                         \
    if (ldc < (n > 1 ? n : 1)) return FNN_EINVAL;                                           \
    if (lda < ((trans_a ? m : k) > 1 ? (trans_a ? m : k) : 1)) return FNN_EINVAL;           \
    if (ldb < ((trans_b ? k : n) > 1 ? (trans_b ? k : n) : 1)) return FNN_EINVAL;           \
    _Pragma("omp parallel for schedule(static) num_threads(fnn_get_num_threads())")         \
    for (int64_t i = 0; i < m; i++) {                                                       \
        for (int64_t j = 0; j < n; j++) {                                                   \
            T s = 0;                                                                        \
            for (int64_t p = 0; p < k; p++) {                                               \
                T av = trans_a ? a[p * lda + i] : a[i * lda + p];                           \
                T bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];                           \
                s += av * bv;                                                               \
            }                                                                               \
            c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];     \
        }                                                                                   \
    }                                                                                       \
    if (epi && epi->fn && m > 0 && n > 0) epi->fn(epi->ctx, 0, 0, m, n, c, ldc);            \
    return FNN_OK;                                                                          \
}

DEFINE_GEMM(float, f32)
DEFINE_GEMM(double, f64)
