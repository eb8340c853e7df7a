/* The trainer's private layout, shared by workspace.c and epoch.c. */
#ifndef FASTNN_TRAINER_H
#define FASTNN_TRAINER_H
#include "fastnn.h"
#include "dispatch/kernels.h"

/* Elements per partial sum of the L1/L2 penalty (train/epoch.inc). */
#define FNN_NORM_CHUNK 16384

struct fnn_trainer {
    fnn_train_config cfg;
    int elem_size;
    int64_t max_width;                /* widest layer, inputs excluded */
    void *xb, *yb;                    /* the gathered batch: (B, n_in) (NULL until an epoch
                                         on dense rows makes it), (B, n_out) */
    int64_t *labels_b;                /* (B) */
    void *wb;                         /* the batch's sample weights (B) */
    void *z[FNN_MAX_LAYERS];          /* pre-activations (B, n_l+1) */
    void *a[FNN_MAX_LAYERS];          /* activations g(z) */
    void *h[FNN_MAX_LAYERS];          /* after dropout; == a[l] when no dropout */
    uint8_t *mask[FNN_MAX_LAYERS];    /* dropout keep masks, NULL when no dropout */
    void *dz, *da, *dh;               /* (B, max_width) scratch for the backward pass */
    double *norm_parts;               /* 2 per FNN_NORM_CHUNK of the largest weight tensor */
    void *gemm_work;                  /* packing scratch for every GEMM of a step */
    size_t gemm_work_bytes;
    /* bfloat16: each W_l packed as the forward reads it (image[0], op(B) = W)
     * and as dz W_l^T does (image[1], op(B) = W^T; none for the first layer),
     * laid out for image_engine (NULL: no images) */
    const fnn_bf16_entry *image_engine;
    uint32_t *image[2][FNN_MAX_LAYERS];
    int use_images;                   /* this epoch: the engine is still image_engine */
    /* a sparse X (fnn_train_epoch's xs, NULL: dense): the first layer reads the
     * batch's rows (csr_rows, B of them) from it in place of xb */
    const fnn_csr_view *csr;
    const int64_t *csr_rows;
};
#endif
