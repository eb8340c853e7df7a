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
                  int64_t ldc, const fnn_epilogue *epi, void *work, size_t work_bytes);
/* Scratch for fnn_gemm_bf16 with n_threads threads (either kernel). */
size_t fnn_gemm_bf16_work_bytes(int64_t m, int64_t n, int64_t k, int n_threads);
/* 1 when fnn_gemm_bf16 runs on vdpbf16ps (AVX512-BF16 CPU, AVX-512 selected). */
int fnn_bf16_native(void);

/* A B operand packed once and reused (a training step's weights): the
 * layout belongs to the kernel that packed it, so fnn_bf16_pack returns that
 * kernel's id (fnn_bf16_native()) and the calls below take it back; a
 * mismatch (the ISA changed in between) is FNN_EINVAL, never a misread.
 * fnn_bf16_packed_units: the uint32 units either kernel needs for op(B) k x n. */
size_t fnn_bf16_packed_units(int64_t k, int64_t n);
int fnn_bf16_pack(int trans_b, const float *b, int64_t ldb, int64_t k, int64_t n, uint32_t *dst);
int fnn_gemm_bf16_packed(int kernel, int trans_a, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const uint32_t *b_packed, float beta,
                         float *c, int64_t ldc, const fnn_epilogue *epi, void *work,
                         size_t work_bytes);
/* W (rows x cols) packed both as op(B) = W (fwd) and = W^T (bwd): rewrite the
 * units of the block [r0, r1) x [c0, c1) after it changed; r0, c0 even, r1, c1
 * even or the end. */
int fnn_bf16_refresh(int kernel, const float *w, int64_t ldw, int64_t rows, int64_t cols,
                     int64_t r0, int64_t r1, int64_t c0, int64_t c1, uint32_t *fwd,
                     uint32_t *bwd);

#ifdef __cplusplus
}
#endif
#endif
