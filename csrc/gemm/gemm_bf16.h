/* GEMM with bfloat16 compute (gemm_bf16.c): fnn_gemm_f32's contract, except
 * that op(A) and op(B) are rounded to bfloat16 (to nearest, ties to even)
 * before they are multiplied; sums are float32.  Bit-identical for any
 * thread count, like every GEMM here. */
#ifndef FASTNN_GEMM_BF16_H_
#define FASTNN_GEMM_BF16_H_
#include "gemm/gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

int fnn_gemm_bf16(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                  int64_t ldc, const fnn_epilogue *epi, void *work, size_t work_bytes,
                  int n_threads);
/* Scratch for fnn_gemm_bf16 with n_threads threads (either kernel). */
size_t fnn_gemm_bf16_work_bytes(int64_t m, int64_t n, int64_t k, int n_threads);
/* 1 when fnn_gemm_bf16 runs on vdpbf16ps (AVX512-BF16 CPU, AVX-512 selected). */
int fnn_bf16_native(void);

#ifdef __cplusplus
}
#endif
#endif
