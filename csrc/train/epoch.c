/* Training epochs, float32 and float64 from epoch.inc. */
#include <math.h>
#include <string.h>
#include "trainer.h"
#include "../ops/rng.h"
#include "../ops/tmpl.h"
#include "../ops/hot.h"

/* The three GEMMs of a step for layer l (k = fan-in, n = fan-out):
 *   fwd  z = in W (epilogue: bias, g, dropout)
 *   dx   d_next = d W^T (epilogue: dropout mask, g' of the layer below)
 *   dw   grads = in^T d (epilogue: the optimizer update of W)
 * float64 and float32 call their GEMM; bfloat16 compute reads W from the
 * panels packed in advance and refreshes them in the update's epilogue. */
static int train_fwd_gemm_f64(fnn_trainer *tr, int l, int64_t B, const double *in,
                              const double *w, double *z, const fnn_epilogue *epi)
{
    const int64_t k = tr->cfg.sizes[l], n = tr->cfg.sizes[l + 1];
    return fnn_gemm_f64(0, 0, B, n, k, 1, in, k, w, n, 0, z, n, epi, tr->gemm_work,
                        tr->gemm_work_bytes);
}

static int train_dx_gemm_f64(fnn_trainer *tr, int l, int64_t B, const double *d, const double *w,
                             double *d_next, const fnn_epilogue *epi)
{
    const int64_t k = tr->cfg.sizes[l], n = tr->cfg.sizes[l + 1];
    return fnn_gemm_f64(0, 1, B, k, n, 1, d, n, w, n, 0, d_next, k, epi, tr->gemm_work,
                        tr->gemm_work_bytes);
}

static int train_dw_gemm_f64(fnn_trainer *tr, int l, int64_t B, const double *in,
                             const double *d, const double *w, double *grads,
                             const fnn_epilogue *update)
{
    const int64_t k = tr->cfg.sizes[l], n = tr->cfg.sizes[l + 1];
    (void)w;
    return fnn_gemm_f64(1, 0, k, n, B, 1, in, k, d, n, 0, grads, n, update, tr->gemm_work,
                        tr->gemm_work_bytes);
}

static int train_prepare_f64(fnn_trainer *tr, const double *params)
{
    (void)tr;
    (void)params;
    return FNN_OK;
}

static int train_fwd_gemm_f32(fnn_trainer *tr, int l, int64_t B, const float *in, const float *w,
                              float *z, const fnn_epilogue *epi)
{
    const int64_t k = tr->cfg.sizes[l], n = tr->cfg.sizes[l + 1];
    if (tr->cfg.compute_bf16)
        return fnn_gemm_bf16_packed(tr->packed_kernel, 0, B, n, k, 1, in, k, tr->w_fwd[l], 0, z,
                                    n, epi, tr->gemm_work, tr->gemm_work_bytes);
    return fnn_gemm_f32(0, 0, B, n, k, 1, in, k, w, n, 0, z, n, epi, tr->gemm_work,
                        tr->gemm_work_bytes);
}

static int train_dx_gemm_f32(fnn_trainer *tr, int l, int64_t B, const float *d, const float *w,
                             float *d_next, const fnn_epilogue *epi)
{
    const int64_t k = tr->cfg.sizes[l], n = tr->cfg.sizes[l + 1];
    if (tr->cfg.compute_bf16)
        return fnn_gemm_bf16_packed(tr->packed_kernel, 0, B, k, n, 1, d, n, tr->w_bwd[l], 0,
                                    d_next, k, epi, tr->gemm_work, tr->gemm_work_bytes);
    return fnn_gemm_f32(0, 1, B, k, n, 1, d, n, w, n, 0, d_next, k, epi, tr->gemm_work,
                        tr->gemm_work_bytes);
}

/* The optimizer's epilogue, then the refresh of the packed W blocks it
 * changed (each thread its own blocks). */
typedef struct {
    fnn_epilogue update;
    fnn_trainer *tr;
    int layer;
    const float *w;
    int failed; /* a refresh refused (cannot happen unless the ISA changed mid-step) */
} bf16_update_ctx;

static void bf16_update_and_refresh(void *vctx, int64_t i0, int64_t j0, int64_t m, int64_t n,
                                    void *c, int64_t ldc)
{
    bf16_update_ctx *x = vctx;
    const int64_t rows = x->tr->cfg.sizes[x->layer], cols = x->tr->cfg.sizes[x->layer + 1];
    x->update.fn(x->update.ctx, i0, j0, m, n, c, ldc);
    if (fnn_bf16_refresh(x->tr->packed_kernel, x->w, cols, rows, cols, i0, i0 + m, j0, j0 + n,
                         x->tr->w_fwd[x->layer], x->tr->w_bwd[x->layer]))
        x->failed = 1;
}

static int train_dw_gemm_f32(fnn_trainer *tr, int l, int64_t B, const float *in, const float *d,
                             const float *w, float *grads, const fnn_epilogue *update)
{
    const int64_t k = tr->cfg.sizes[l], n = tr->cfg.sizes[l + 1];
    if (!tr->cfg.compute_bf16)
        return fnn_gemm_f32(1, 0, k, n, B, 1, in, k, d, n, 0, grads, n, update, tr->gemm_work,
                            tr->gemm_work_bytes);
    bf16_update_ctx ctx = {*update, tr, l, w, 0};
    fnn_epilogue epi = {bf16_update_and_refresh, &ctx};
    int st = fnn_gemm_bf16(1, 0, k, n, B, 1, in, k, d, n, 0, grads, n, &epi, tr->gemm_work,
                           tr->gemm_work_bytes);
    return st ? st : ctx.failed ? FNN_EINVAL : FNN_OK;
}

/* Before an epoch: the weights may have changed since the last one (a
 * restore, a user's edit), so bfloat16 compute packs them afresh. */
static int train_prepare_f32(fnn_trainer *tr, const float *params)
{
    const fnn_train_config *c = &tr->cfg;
    if (!c->compute_bf16) return FNN_OK;
    for (int l = 0; l < c->n_layers; l++) {
        const int64_t k = c->sizes[l], n = c->sizes[l + 1];
        const float *w = params + c->w_off[l];
        tr->packed_kernel = fnn_bf16_pack(0, w, n, k, n, tr->w_fwd[l]);
        if (l > 0) fnn_bf16_pack(1, w, n, n, k, tr->w_bwd[l]);
    }
    return FNN_OK;
}

#define FNN_TEMPLATE "train/epoch.inc"
#include "../ops/each_dtype.h"
