/* Allocating and freeing a trainer: every buffer of a step, once per fit. */
#include <math.h>
#include <string.h>
#include "trainer.h"
#include "../ops/tmpl.h"

static int config_ok(const fnn_train_config *c)
{
    if (c->n_layers < 1 || c->n_layers > FNN_MAX_LAYERS || c->max_batch < 1) return 0;
    if (c->n_threads < 1) return 0;
    for (int l = 0; l <= c->n_layers; l++)
        if (c->sizes[l] < 1 || c->sizes[l] > ((int64_t)1 << 31)) return 0;
    for (int l = 0; l < c->n_layers; l++) {
        int64_t fan = c->sizes[l] * c->sizes[l + 1];
        if (c->w_off[l] < 0 || c->b_off[l] < 0 || c->w_off[l] + fan > c->n_params ||
            c->b_off[l] + c->sizes[l + 1] > c->n_params)
            return 0;
        if (l < c->n_layers - 1 && !(c->dropout[l] >= 0 && c->dropout[l] < 1)) return 0;
        if (l < c->n_layers - 1 && (c->hidden_acts[l] < 0 || c->hidden_acts[l] >= FNN_ACT_COUNT))
            return 0;
    }
    if (c->output < FNN_OUT_SOFTMAX || c->output > FNN_OUT_IDENTITY) return 0;
    if (c->loss == FNN_LOSS_SOFTMAX_CE && c->output != FNN_OUT_SOFTMAX) return 0;
    if (c->loss == FNN_LOSS_BCE_LOGITS && c->output != FNN_OUT_SIGMOID) return 0;
    /* Poisson reads the output pre-activation as the log of the rate */
    if (c->loss == FNN_LOSS_POISSON && c->output != FNN_OUT_IDENTITY) return 0;
    if (c->loss < FNN_LOSS_SOFTMAX_CE || c->loss > FNN_LOSS_POISSON) return 0;
    if (c->optimizer != FNN_OPT_SGD && c->optimizer != FNN_OPT_ADAM) return 0;
    if (c->dropout_mode != FNN_DROPOUT_INVERTED && c->dropout_mode != FNN_DROPOUT_CLASSIC)
        return 0;
    if (!(c->input_noise >= 0)) return 0;
    if (!(c->max_grad_norm >= 0) || isinf(c->max_grad_norm)) return 0;
    if (c->compute_bf16 != 0 && c->compute_bf16 != 1) return 0;
    if (!(c->label_smoothing >= 0 && c->label_smoothing <= 1) || c->warmup_steps < 0) return 0;
    if (c->label_smoothing != 0 && c->loss != FNN_LOSS_SOFTMAX_CE && c->loss != FNN_LOSS_BCE_LOGITS)
        return 0;
    if (!(c->probability_clip >= 0 && c->probability_clip < 0.5)) return 0;
    if (c->probability_clip != 0 && c->loss != FNN_LOSS_SOFTMAX_CE &&
        c->loss != FNN_LOSS_BCE_LOGITS)
        return 0;
    if (c->augment & ~(FNN_AUGMENT_SHIFT | FNN_AUGMENT_FLIP | FNN_AUGMENT_ERASE)) return 0;
    if (c->augment) {
        if (c->image_h < 1 || c->image_w < 1 || c->image_c < 1 || c->max_shift < 0) return 0;
        /* each factor <= sizes[0] <= 2^31 and h w checked first: no product overflows */
        if (c->image_h > c->sizes[0] || c->image_w > c->sizes[0] || c->image_c > c->sizes[0] ||
            c->image_h * c->image_w > c->sizes[0] ||
            c->image_h * c->image_w * c->image_c != c->sizes[0])
            return 0;
        if ((c->augment & FNN_AUGMENT_SHIFT) &&
            (c->max_shift >= c->image_h || c->max_shift >= c->image_w))
            return 0;
    }
    /* every buffer below must be addressable: max_batch x the widest layer,
     * not only x the input width (B * 2^31 could wrap the int64 byte count) */
    for (int l = 0; l <= c->n_layers; l++)
        if (c->max_batch > ((int64_t)1 << 40) / (c->sizes[l] + 1)) return 0;
    return 1;
}

void fnn_trainer_free(fnn_trainer *tr)
{
    if (!tr) return;
    fnn_aligned_free(tr->xb);
    fnn_aligned_free(tr->yb);
    fnn_aligned_free(tr->labels_b);
    fnn_aligned_free(tr->wb);
    for (int l = 0; l < tr->cfg.n_layers; l++) {
        if (tr->h[l] != tr->a[l]) fnn_aligned_free(tr->h[l]);
        fnn_aligned_free(tr->z[l]);
        fnn_aligned_free(tr->a[l]);
        fnn_aligned_free(tr->mask[l]);
    }
    fnn_aligned_free(tr->dz);
    fnn_aligned_free(tr->da);
    fnn_aligned_free(tr->dh);
    fnn_aligned_free(tr->gemm_work);
    fnn_aligned_free(tr->norm_parts);
    for (int l = 0; l < tr->cfg.n_layers; l++) {
        fnn_aligned_free(tr->image[0][l]);
        fnn_aligned_free(tr->image[1][l]);
    }
    fnn_aligned_free(tr);
}

fnn_trainer *fnn_trainer_new(const fnn_train_config *cfg, int elem_size, int *status)
{
    *status = FNN_EINVAL;
    if (!cfg || (elem_size != 4 && elem_size != 8) || !config_ok(cfg)) return NULL;
    if (cfg->compute_bf16 && elem_size != 4) return NULL;
    *status = FNN_ENOMEM;
    fnn_trainer *tr = fnn_aligned_alloc(sizeof *tr);
    if (!tr) return NULL;
    memset(tr, 0, sizeof *tr);
    tr->cfg = *cfg;
    tr->elem_size = elem_size;
    const int L = cfg->n_layers;
    const int64_t B = cfg->max_batch;
    /* the backward scratch holds dL/dz of layers 1..L, never the inputs' width
     * (a sparse X of a million columns would make it gigabytes); xb, the
     * gathered dense rows, is made by the first epoch that gathers them */
    int64_t widest = 0;
    for (int l = 1; l <= L; l++) widest = cfg->sizes[l] > widest ? cfg->sizes[l] : widest;
    tr->max_width = widest;
    int ok = (tr->yb = fnn_aligned_alloc((size_t)(B * cfg->sizes[L]) * elem_size)) &&
             (tr->labels_b = fnn_aligned_alloc((size_t)B * sizeof(int64_t))) &&
             (tr->wb = fnn_aligned_alloc((size_t)B * elem_size)) &&
             (tr->dz = fnn_aligned_alloc((size_t)(B * widest) * elem_size)) &&
             (tr->da = fnn_aligned_alloc((size_t)(B * widest) * elem_size)) &&
             (tr->dh = fnn_aligned_alloc((size_t)(B * widest) * elem_size));
    for (int l = 0; ok && l < L; l++) {
        size_t bytes = (size_t)(B * cfg->sizes[l + 1]) * elem_size;
        ok = (tr->z[l] = fnn_aligned_alloc(bytes)) && (tr->a[l] = fnn_aligned_alloc(bytes));
        if (ok && l < L - 1 && cfg->dropout[l] > 0) {
            ok = (tr->h[l] = fnn_aligned_alloc(bytes)) &&
                 (tr->mask[l] = fnn_aligned_alloc((size_t)(B * cfg->sizes[l + 1])));
        } else {
            tr->h[l] = tr->a[l];
        }
    }
    /* the largest packing scratch of the step's GEMMs: forward x W, dW = x^T dz,
     * dx = dz W^T, at the batch size and thread count of this fit */
    size_t work = 0;
    const int threads = cfg->n_threads;
    for (int l = 0; l < L; l++) {
        int64_t k = cfg->sizes[l], n = cfg->sizes[l + 1];
        size_t s[3] = {fnn_gemm_work_bytes(B, n, k, elem_size, threads),
                       fnn_gemm_work_bytes(k, n, B, elem_size, threads),
                       fnn_gemm_work_bytes(B, k, n, elem_size, threads)};
        if (cfg->compute_bf16) {
            s[0] = fnn_gemm_bf16_work_bytes(B, n, k, threads);
            s[1] = fnn_gemm_bf16_work_bytes(k, n, B, threads);
            s[2] = fnn_gemm_bf16_work_bytes(B, k, n, threads);
        }
        s[1] += fnn_gemm_c_scratch_bytes(n, elem_size, threads); /* the update consumes dW */
        for (int i = 0; i < 3; i++) work = s[i] > work ? s[i] : work;
    }
    tr->gemm_work_bytes = work;
    int64_t largest = 1;
    for (int l = 0; l < L; l++) {
        int64_t size = cfg->sizes[l] * cfg->sizes[l + 1];
        largest = size > largest ? size : largest;
    }
    ok = ok && (tr->norm_parts = fnn_aligned_alloc(
                    (size_t)(2 * ((largest + FNN_NORM_CHUNK - 1) / FNN_NORM_CHUNK)) *
                    sizeof(double)));
    ok = ok && (work == 0 || (tr->gemm_work = fnn_aligned_alloc(work)));
    /* clipping updates outside the dW GEMM's epilogue: no images there */
    if (ok && cfg->compute_bf16 && cfg->bf16_weight_images && cfg->max_grad_norm == 0) {
        const fnn_bf16_entry *e = fnn_bf16_current();
        tr->image_engine = e;
        for (int l = 0; ok && l < L; l++) {
            const int64_t k = cfg->sizes[l], n = cfg->sizes[l + 1];
            ok = (tr->image[0][l] = fnn_aligned_alloc(e->image.bytes(k, n))) != NULL;
            if (ok && l > 0) ok = (tr->image[1][l] = fnn_aligned_alloc(e->image.bytes(n, k))) != NULL;
        }
    }
    if (!ok) {
        fnn_trainer_free(tr);
        return NULL;
    }
    *status = FNN_OK;
    return tr;
}
