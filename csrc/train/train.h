/* Whole training epochs in compiled code (train/epoch.c, train/workspace.c).
 *
 * A trainer holds the network's description and every buffer a step needs,
 * allocated once (fnn_trainer_new) and reused by every step: a step never
 * allocates.  Parameters, gradients and optimizer state are flat buffers owned
 * by the caller with the layout given by w_off/b_off (element offsets of each
 * layer's weights (fan_in, fan_out), row-major, and biases (fan_out)).
 *
 * One step on a batch of B rows:
 *   forward   a_l = g(x_l W_l + b_l); h_l = dropout(a_l) for hidden layers
 *   loss      softmax + cross-entropy, sigmoid + binary cross-entropy and exp +
 *             Poisson deviance from the logits; otherwise the output activation,
 *             then 1/2 (t - a)^2.  With sample weights w, the batch's loss and
 *             its gradient are sum_i w_i loss_i / sum_i w_i (scikit-learn's
 *             normalisation), and l2_per_batch divides by sum_i w_i, not B
 *   backward  the chain rule down the layers, dropout masks reapplied
 *   update    SGD/momentum/Nesterov or Adam/AdamW; L1/L2/weight decay on
 *             weights only, never on biases
 * Random draws (shuffle, dropout, input noise) come from fnn_rng_bits with the
 * streams below, so they depend on the seed and positions only.
 */
#ifndef FASTNN_TRAIN_H
#define FASTNN_TRAIN_H

#include <stdint.h>
#include "../vocab.h"
#include "../ops/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Codes from the tables of vocab.h. */
#define FNN_OUT_ENUM_ROW(ID, name, code) FNN_OUT_##ID = code,
typedef enum { FNN_OUTPUTS(FNN_OUT_ENUM_ROW) } fnn_output;
#undef FNN_OUT_ENUM_ROW
#define FNN_OPT_ENUM_ROW(ID, name, code) FNN_OPT_##ID = code,
typedef enum { FNN_OPTIMIZERS(FNN_OPT_ENUM_ROW) } fnn_optimizer;
#undef FNN_OPT_ENUM_ROW

/* Seeds of the random streams: stream s of seed uses key fnn_rng_bits(seed, s). */
#define FNN_STREAM_SHUFFLE 1  /* epoch e: key2 = bits(key, e); j = bits(key2, i) % (i + 1) */
#define FNN_STREAM_NOISE 2    /* counter step * max_batch * n_in + element */
#define FNN_STREAM_AUGMENT 3  /* counter step * max_batch + row of the batch (augment.inc) */
#define FNN_STREAM_DROPOUT 16 /* + hidden layer index; counter step * max_batch * width + element */

#define FNN_MAX_LAYERS 64

typedef struct {
    int n_layers;                       /* weight layers L >= 1 */
    int64_t sizes[FNN_MAX_LAYERS + 1];  /* widths: inputs, hidden..., outputs */
    int64_t w_off[FNN_MAX_LAYERS], b_off[FNN_MAX_LAYERS];
    int64_t n_params;                   /* length of the flat buffers */
    int hidden_acts[FNN_MAX_LAYERS];    /* fnn_activation of hidden layer l (l < n_layers - 1) */
    int output;                         /* fnn_output */
    int loss;                           /* fnn_loss_kind */
    double dropout[FNN_MAX_LAYERS];     /* drop rate after hidden layer l */
    int dropout_mode;                   /* fnn_dropout_mode */
    int optimizer;                      /* fnn_optimizer */
    double momentum;
    int nesterov;
    double beta1, beta2, eps;
    int adam_eps_style;                 /* fnn_adam_eps_style */
    double l1, l2, weight_decay;
    int l2_per_batch;                   /* scikit-learn's alpha: l2 / rows of the batch */
    double data_loss_scale;             /* multiplies the reported data loss, not its gradient
                                           (scikit-learn's squared error: 1 / n_outputs) */
    double input_noise;                 /* std of Gaussian noise added to inputs; 0: none */
    int compute_bf16;                   /* float32 only: every GEMM of a step rounds its
                                           operands to bfloat16 (fnn_gemm_bf16); parameters,
                                           activations and updates stay float32 */
    uint64_t seed;
    int64_t max_batch;
    int n_threads;                      /* >= 1: every kernel of a step runs on at most this
                                           many threads; the GEMM scratch is sized for it */
    double max_grad_norm;               /* > 0: clip the global gradient norm to it (PyTorch's
                                           clip_grad_norm_, train/clip.inc); 0: no clipping */
    /* label smoothing, warm-up, image augmentation (0: off, bit-identical) */
    double label_smoothing;             /* eps of fnn_loss_smoothed (cross-entropies only) */
    double probability_clip;            /* clip of fnn_loss_clipped in [0, 1/2): the reported
                                           cross-entropy as scikit-learn's log_loss, the
                                           gradient untouched; 0: the exact loss */
    int64_t warmup_steps;               /* step t (from 1) uses lr * min(1, t / warmup_steps) */
    int augment;                        /* fnn_augment_flag bits applied while gathering */
    int64_t image_h, image_w, image_c;  /* each input row is an (h, w, c) image when augmenting */
    int64_t max_shift;                  /* shifts are in [-max_shift, max_shift] pixels */
    int bf16_weight_images;             /* with compute_bf16 and no clipping: keep each weight
                                           matrix packed as its GEMMs read it, rewritten by the
                                           update epilogue (epoch.c); 0: pack per GEMM (the
                                           same bits, slower) */
} fnn_train_config;

typedef struct fnn_trainer fnn_trainer;

/* Called before each batch with the rows done so far in this epoch (the
 * bindings take the GIL there to see Ctrl-C and report progress): nonzero
 * stops the epoch with FNN_EINTR and leaves the model at its last step. */
typedef int (*fnn_interrupt_fn)(void *ctx, int64_t rows_done);
/* Called on each gathered input batch (rows x cols, row-major) before the
 * forward pass, to augment it in place; nonzero aborts with FNN_EINTR. */
typedef int (*fnn_batch_hook_fn)(void *ctx, void *x, int64_t rows, int64_t cols);

typedef struct {
    fnn_interrupt_fn interrupt;
    void *interrupt_ctx;
    fnn_batch_hook_fn batch_hook;
    void *batch_hook_ctx;
} fnn_callbacks;

/* elem_size 4 (float32) or 8 (float64).  NULL on bad config or no memory
 * (*status tells which). */
fnn_trainer *fnn_trainer_new(const fnn_train_config *cfg, int elem_size, int *status);
void fnn_trainer_free(fnn_trainer *tr);

/* One epoch over n rows of x (n, sizes[0]) and the targets: y (n, sizes[L])
 * or, for cross-entropy, labels (n).  weights: n sample weights, gathered
 * with the rows (NULL: unweighted, today's path bit for bit); any sign, but
 * every batch's sum must be nonzero: else FNN_EZEROWEIGHT before any update
 * of this epoch.  order: n row indices to visit (in/out:
 * filled with a fresh permutation when shuffle).  step: the number of
 * updates so far (in/out; Adam's t and the dropout counters).  loss: the
 * mean over rows of the batch losses, each including the L1/L2 penalty at
 * the weights it started from.  xs: X as CSR rows (x NULL), read by the
 * first layer at the cost of its nonzeros (its weight gradient is dense, the
 * update of every weight as with x); not with augmentation, input noise, a
 * batch hook or bfloat16 compute (FNN_EINVAL). */
#define FNN_DECLARE_TRAIN(T, SFX)                                                          \
    int fnn_train_epoch_##SFX(fnn_trainer *tr, T *params, T *grads, T *opt_m, T *opt_v,    \
                              const T *x, const fnn_csr_view *xs, const T *y,              \
                              const int64_t *labels,                                      \
                              const T *weights, int64_t n,                                 \
                              int64_t *order, int shuffle, int64_t epoch,                  \
                              int64_t batch_size, double lr, int64_t *step, double *loss,  \
                              const fnn_callbacks *cb);
FNN_DECLARE_TRAIN(float, f32)
FNN_DECLARE_TRAIN(double, f64)
#undef FNN_DECLARE_TRAIN

#ifdef __cplusplus
}
#endif
#endif
