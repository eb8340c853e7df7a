/* GEMM: C = alpha * op(A) * op(B) + beta * C, row-major, any leading dims.
 *
 *   op(A) is (m, k): A is (m, k) with row stride lda, or stored transposed as
 *   (k, m) when trans_a.  op(B) is (k, n) likewise.  C is (m, n), row stride ldc.
 *
 * Blocked and packed in the BLIS manner; threads split m and n only (never k),
 * so the result is bit-identical for any thread count.  beta == 0 means C is
 * write-only (NaN in C is not propagated), as in BLAS.
 *
 * The optional epilogue runs once on every finished block of C, after its
 * last k-panel, while the block is still in cache: the fused bias and
 * activation (ops/dense.inc) and the training step's dropout and optimizer
 * update (train/epoch.inc) live there, not in GEMM.
 */
#ifndef FASTNN_GEMM_H
#define FASTNN_GEMM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* c points at C[i0, j0] of the full matrix (or, for an epilogue that
 * consumes C, at the block in the driver's scratch); the block is m x n, row
 * stride ldc. */
typedef void (*fnn_epilogue_fn)(void *ctx, int64_t i0, int64_t j0, int64_t m, int64_t n,
                                void *c, int64_t ldc);
typedef struct {
    fnn_epilogue_fn fn;
    void *ctx;
    /* fn streams arrays laid out like C beside it (an optimizer's weights
     * and moments): whole rows of C read them contiguously, so threads split
     * m where m has the panels (the batch-128 epoch ran 13% faster than on
     * column chunks of the n split) */
    int whole_rows;
    /* fn consumes C: nothing reads C after the GEMM (the weight gradient,
     * which the update epilogue applies), so the driver may compute each
     * block in a scratch that stays in L2 for fn and never write C (a 784 x
     * 1024 gradient written out and read back cost the bfloat16 epoch on AMX
     * a fifth of its time) */
    int consumes_c;
} fnn_epilogue;

/* work: optional scratch of at least fnn_gemm_work_bytes(...) bytes, 64-byte
 * aligned (the training workspace passes one so a step never allocates);
 * NULL makes GEMM allocate and free its own.  A work too small or misaligned
 * for this call's team returns FNN_EINVAL (never falls back to malloc).
 * n_threads (>= 1): the most threads the call may use. */
size_t fnn_gemm_work_bytes(int64_t m, int64_t n, int64_t k, size_t elem_size, int n_threads);
/* added to fnn_gemm_work_bytes for a GEMM whose epilogue consumes C (n its
 * columns, c_elem the bytes of C's elements) */
size_t fnn_gemm_c_scratch_bytes(int64_t n, size_t c_elem, int n_threads);

int fnn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                 float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                 float beta, float *c, int64_t ldc,
                 const fnn_epilogue *epi, void *work, size_t work_bytes, int n_threads);
int fnn_gemm_f64(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                 double alpha, const double *a, int64_t lda, const double *b, int64_t ldb,
                 double beta, double *c, int64_t ldc,
                 const fnn_epilogue *epi, void *work, size_t work_bytes, int n_threads);

#ifdef __cplusplus
}
#endif
#endif
