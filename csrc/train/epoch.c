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

/* ---- bfloat16 weight images (trainer.h): float32 only ---- */

/* A GEMM whose B is weight matrix l, as W (transposed 0: the forward) or as
 * W^T (1: dz W^T); from its image when the epoch uses them. */
static int weight_gemm_f32(fnn_trainer *tr, int l, int transposed, int64_t m, int64_t n,
                           int64_t k, const float *a, int64_t lda, const float *w, int64_t ldw,
                           float *out, int64_t ldc, const fnn_epilogue *epi)
{
    const uint32_t *img = tr->use_images ? tr->image[transposed][l] : NULL;
    if (img)
        return tr->image_engine->image.gemm(0, m, n, k, 1, a, lda, img, 0, out, ldc, epi,
                                            tr->gemm_work, tr->gemm_work_bytes,
                                            tr->cfg.n_threads);
    return train_gemm_f32(&tr->cfg, 0, transposed, m, n, k, a, lda, w, ldw, out, ldc, epi,
                          tr->gemm_work, tr->gemm_work_bytes);
}

static int weight_gemm_f64(fnn_trainer *tr, int l, int transposed, int64_t m, int64_t n,
                           int64_t k, const double *a, int64_t lda, const double *w,
                           int64_t ldw, double *out, int64_t ldc, const fnn_epilogue *epi)
{
    (void)l;
    return train_gemm_f64(&tr->cfg, 0, transposed, m, n, k, a, lda, w, ldw, out, ldc, epi,
                          tr->gemm_work, tr->gemm_work_bytes);
}

/* The update epilogue of W_l's gradient GEMM, with images interleaved with
 * packing what it has just updated (still in L2) into both images. */
typedef struct {
    fnn_epilogue update;          /* the hot table's update and its context */
    const fnn_bf16_entry *engine;
    const float *w;               /* W_l: rows x cols, row-major */
    int64_t rows, cols;
    uint32_t *fwd, *bwd;          /* images of W_l and W_l^T (bwd NULL: none) */
} image_update_ctx;

/* Rows of W updated and packed at a time: the update streams the weights and
 * both moments, so a whole block (up to the engines' mc of 480 rows; of W_1,
 * 1.9 MB of weights beside 3.9 MB of moments) leaves L2 before it is packed;
 * 32 rows (128 KB of weights, 512 KB with the moments and gradient) are
 * packed while in L2.  Even, as the forward image packs rows in pairs (block
 * starts are multiples of the even mr); a multiple of 16, the backward
 * image's transposes (which only the speed depends on).  The update is
 * elementwise, so the bits do not depend on the chunking. */
#define IMAGE_UPDATE_ROWS 32

static void image_update_epilogue(void *vctx, int64_t i0, int64_t j0, int64_t m, int64_t n,
                                  void *c, int64_t ldc)
{
    const image_update_ctx *x = vctx;
    for (int64_t r = 0; r < m; r += IMAGE_UPDATE_ROWS) {
        const int64_t i = i0 + r, rows = m - r < IMAGE_UPDATE_ROWS ? m - r : IMAGE_UPDATE_ROWS;
        x->update.fn(x->update.ctx, i, j0, rows, n, (float *)c + r * ldc, ldc);
        x->engine->image.pack(0, x->w, x->cols, x->rows, x->cols, x->fwd, i, i + rows, j0,
                              j0 + n);
        if (x->bwd)
            x->engine->image.pack(1, x->w, x->cols, x->cols, x->rows, x->bwd, j0, j0 + n, i,
                                  i + rows);
    }
}

static fnn_epilogue weight_update_epilogue_f32(fnn_trainer *tr, int l, fnn_epilogue update,
                                               const float *params, image_update_ctx *x)
{
    if (!tr->use_images) return update;
    const fnn_train_config *c = &tr->cfg;
    x->update = update;
    x->engine = tr->image_engine;
    x->w = params + c->w_off[l];
    x->rows = c->sizes[l];
    x->cols = c->sizes[l + 1];
    x->fwd = tr->image[0][l];
    x->bwd = tr->image[1][l];
    fnn_epilogue e = {image_update_epilogue, x, update.whole_rows, update.consumes_c};
    return e;
}

static fnn_epilogue weight_update_epilogue_f64(fnn_trainer *tr, int l, fnn_epilogue update,
                                               const double *params, image_update_ctx *x)
{
    (void)tr, (void)l, (void)params, (void)x;
    return update;
}

/* At an epoch's start: images from the current weights (which the caller may
 * have set since the last epoch), if the engine is still the one they were
 * laid out for; else this epoch packs per GEMM. */
static void refresh_images_f32(fnn_trainer *tr, const float *params)
{
    tr->use_images = tr->image_engine == fnn_bf16_current(); /* NULL: never the current one */
    if (!tr->use_images) return;
    const fnn_train_config *c = &tr->cfg;
    const fnn_bf16_image_ops *ops = &tr->image_engine->image;
    for (int l = 0; l < c->n_layers; l++) {
        const int64_t k = c->sizes[l], n = c->sizes[l + 1];
        const float *w = params + c->w_off[l];
        ops->clear(k, n, tr->image[0][l]);
        ops->pack(0, w, n, k, n, tr->image[0][l], 0, k, 0, n);
        if (tr->image[1][l]) {
            ops->clear(n, k, tr->image[1][l]);
            ops->pack(1, w, n, n, k, tr->image[1][l], 0, n, 0, k);
        }
    }
}

static void refresh_images_f64(fnn_trainer *tr, const double *params)
{
    (void)params;
    tr->use_images = 0;
}

#define FNN_TEMPLATE "train/epoch.inc"
#include "../ops/each_dtype.h"
