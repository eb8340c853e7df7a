/* Training epochs, float32 and float64 from epoch.inc. */
#include <math.h>
#include <string.h>
#include "trainer.h"
#include "../ops/rng.h"
#include "../ops/tmpl.h"
#include "../ops/hot.h"

/* The GEMM of a step: float32 computes in bfloat16 when the config asks. */
static int train_gemm_f32(const fnn_train_config *c, int ta, int tb, int64_t m, int64_t n,
                          int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                          float *out, int64_t ldc, const fnn_epilogue *epi, void *work,
                          size_t work_bytes)
{
    return (c->compute_bf16 ? fnn_gemm_bf16 : fnn_gemm_f32)(ta, tb, m, n, k, 1, a, lda, b, ldb, 0,
                                                             out, ldc, epi, work, work_bytes,
                                                             c->n_threads);
}

static int train_gemm_f64(const fnn_train_config *c, int ta, int tb, int64_t m, int64_t n,
                          int64_t k, const double *a, int64_t lda, const double *b,
                          int64_t ldb, double *out, int64_t ldc, const fnn_epilogue *epi,
                          void *work, size_t work_bytes)
{
    return fnn_gemm_f64(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, out, ldc, epi, work, work_bytes,
                        c->n_threads);
}

#define FNN_TEMPLATE "train/epoch.inc"
#include "../ops/each_dtype.h"
