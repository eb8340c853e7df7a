/* Elementwise kernels, losses, dropout and optimizer updates.
 *
 * Every function exists for float32 and float64 (suffix _f32 / _f64), generated
 * from one templated source.  Arrays are C-contiguous; `size` counts elements,
 * (m, n) are rows and columns.  Each returns an fnn_status.  n_threads (>= 1,
 * else FNN_EINVAL) caps the OpenMP team of the kernels that run one.
 *
 * The Python twins in fastnn/reference.py are the specification.
 */
#ifndef FASTNN_OPS_H
#define FASTNN_OPS_H

#include <stddef.h>
#include <stdint.h>
#include "../vocab.h"
#include "../gemm/gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Codes from the tables of vocab.h. */
#define FNN_ACT_ENUM_ROW(ID, name, code, ...) FNN_ACT_##ID = code,
typedef enum {
    FNN_ACTIVATIONS(FNN_ACT_ENUM_ROW)
    FNN_ACT_COUNT = 0 FNN_ACTIVATIONS(FNN_VOCAB_COUNT_ROW)
} fnn_activation;
#undef FNN_ACT_ENUM_ROW

#define FNN_LOSS_ENUM_ROW(ID, name, code) FNN_LOSS_##ID = code,
typedef enum { FNN_LOSSES(FNN_LOSS_ENUM_ROW) } fnn_loss_kind;
#undef FNN_LOSS_ENUM_ROW

#define FNN_DROPOUT_ENUM_ROW(ID, name, code) FNN_DROPOUT_##ID = code,
typedef enum { FNN_DROPOUT_MODES(FNN_DROPOUT_ENUM_ROW) } fnn_dropout_mode;
#define FNN_AUGMENT_ENUM_ROW(ID, name, bit) FNN_AUGMENT_##ID = bit,
typedef enum { FNN_AUGMENTS(FNN_AUGMENT_ENUM_ROW) } fnn_augment_flag;
#undef FNN_AUGMENT_ENUM_ROW
#undef FNN_DROPOUT_ENUM_ROW

#define FNN_ADAM_EPS_ENUM_ROW(ID, name, code) FNN_ADAM_EPS_##ID = code,
typedef enum { FNN_ADAM_EPS_STYLES(FNN_ADAM_EPS_ENUM_ROW) } fnn_adam_eps_style;
#undef FNN_ADAM_EPS_ENUM_ROW

/* A sparse matrix in CSR form (scipy's layout, 64-bit indices), its values
 * of the kernel's dtype.  The kernels that take one check the entries of the
 * rows they read (fnn_csr_check) before reading them. */
typedef struct {
    const int64_t *indptr;  /* rows + 1 offsets into indices and data */
    const int64_t *indices; /* nnz column indices */
    const void *data;       /* nnz values */
    int64_t rows, cols, nnz;
} fnn_csr_view;

/* FNN_OK when rows idx[r] (r < m; r itself when idx is NULL) of xs are rows
 * of it, their offsets ordered within [0, nnz] and their columns in
 * [0, cols); FNN_EINVAL otherwise.  Time: m plus those rows' entries. */
int fnn_csr_check(const fnn_csr_view *xs, const int64_t *idx, int64_t m);

#define FNN_DECLARE_OPS(T, SFX)                                                              \
    /* a = g(z), elementwise over size elements */                                           \
    int fnn_act_fwd_##SFX(T *a, const T *z, int64_t size, int act, int n_threads);           \
    /* dz = da * g'(z); a = g(z) is passed too so kernels may use whichever is cheaper */    \
    int fnn_act_bwd_##SFX(T *dz, const T *da, const T *z, const T *a, int64_t size, int act,  \
                          int n_threads);                                                  \
    /* out = f(x) for the activations' exp, expm1, tanh or log1p (ops/vmath.inc, fn one of   \
     * FNN_VMATH_* in ops/hot.h), serially on the selected ISA's build: for the tests */     \
    int fnn_vmath_##SFX(T *out, const T *x, int64_t size, int fn);                          \
    /* out[j] = sum_i x[i, j], fixed-order chunked sum: same bits for any thread count */    \
    int fnn_colsum_##SFX(T *out, const T *x, int64_t m, int64_t n, int n_threads);           \
    int fnn_softmax_##SFX(T *out, const T *z, int64_t m, int64_t n, int n_threads);          \
    int fnn_log_softmax_##SFX(T *out, const T *z, int64_t m, int64_t n, int n_threads);      \
    /* dz = a * (da - rowsum(da * a)): the softmax Jacobian applied to da, a = softmax(z) */ \
    int fnn_softmax_bwd_##SFX(T *dz, const T *da, const T *a, int64_t m, int64_t n,          \
                              int n_threads);                                              \
    /* value = (1/m) sum_i sum_j loss_ij; grad = d value / d logits (already / m).           \
     * labels (int64, m) replaces target for FNN_LOSS_SOFTMAX_CE when not NULL. */           \
    int fnn_loss_##SFX(double *value, T *grad, const T *logits, const T *target,             \
                       const int64_t *labels, int64_t m, int64_t n, int kind);               \
    /* fnn_loss with label smoothing eps in [0, 1] (cross-entropies only): softmax       \
     * targets (1 - eps) t + eps / n, binary targets t (1 - eps) + eps / 2. */             \
    int fnn_loss_smoothed_##SFX(double *value, T *grad, const T *logits, const T *target,   \
                                const int64_t *labels, int64_t m, int64_t n, int kind,      \
                                double smoothing);                                          \
    /* fnn_loss with a weight per row (NULL: fnn_loss): value = sum_i w_i loss_i / w_sum,   \
     * grad row i scaled by w_i / w_sum; FNN_EZEROWEIGHT if w_sum is 0. */                   \
    int fnn_loss_weighted_##SFX(double *value, T *grad, const T *logits, const T *target,    \
                                const int64_t *labels, const T *weights, double w_sum,       \
                                int64_t m, int64_t n, int kind);                             \
    /* Both at once: weights as fnn_loss_weighted, targets                              \
     * smoothed as fnn_loss_smoothed. */                                                   \
    int fnn_loss_weighted_smoothed_##SFX(double *value, T *grad, const T *logits,         \
                                         const T *target, const int64_t *labels,          \
                                         const T *weights, double w_sum, int64_t m,       \
                                         int64_t n, int kind, double smoothing);          \
    /* Every option (the compiled epoch's loss): weights and smoothing as above, and a    \
     * probability clip in [0, 1/2) of a cross-entropy's value, not its gradient: each    \
     * -log p clamped to [-log1p(-clip), -log(clip)] (scikit-learn's log_loss); 0: none */ \
    int fnn_loss_clipped_##SFX(double *value, T *grad, const T *logits, const T *target,   \
                               const int64_t *labels, const T *weights, double w_sum,      \
                               int64_t m, int64_t n, int kind, double smoothing,           \
                               double clip);                                               \
    /* out[r] = image idx[r] of x (r when idx is NULL), each row an (h, w, ch) image,        \
     * shifted and/or flipped (flags: fnn_augment_flag) by the draw                          \
     * fnn_rng_bits(key, counter0 + r), zeros filling the uncovered border (augment.inc). */ \
    int fnn_augment_gather_##SFX(T *out, const T *x, const int64_t *idx, int64_t m,         \
                                 int64_t h, int64_t w, int64_t ch, int flags,               \
                                 int64_t max_shift, uint64_t key, uint64_t counter0);       \
    /* Dense layer, forward: z = x w + b (x (m,k), w (k,n), b (n) or NULL), a = g(z),        \
     * in one pass per output tile (GEMM epilogue).  z may be NULL (not stored). */          \
    int fnn_dense_fwd_##SFX(T *a, T *z, const T *x, const T *w, const T *b,                  \
                            int64_t m, int64_t n, int64_t k, int act, int n_threads);        \
    /* Dense layer, backward: dz = da * g'(z); dw = x^T dz; db = colsum(dz);                 \
     * dx = dz w^T (dx may be NULL).  dz is caller scratch (m, n). */                        \
    int fnn_dense_bwd_##SFX(T *dx, T *dw, T *db, T *dz, const T *da, const T *x,             \
                            const T *w, const T *z, const T *a,                              \
                            int64_t m, int64_t n, int64_t k, int act, int n_threads);        \
    /* out (m x n, row stride ldo) = rows idx[r] of the CSR xs (cols x: k) times w (k x n),   \
     * each row summing its entries in order (the same bits on any thread count); epi    \
     * (NULL: none) runs on each finished block of rows, as a GEMM's epilogue. */        \
    int fnn_csr_gemm_##SFX(T *out, int64_t ldo, const fnn_csr_view *xs, const int64_t *idx, \
                           int64_t m, const T *w, int64_t n, const fnn_epilogue *epi,     \
                           int n_threads);                                                \
    /* The dense layer on sparse rows: a = g(xs w + b) (fnn_dense_fwd's rules), xs m rows. */ \
    int fnn_csr_dense_fwd_##SFX(T *a, const fnn_csr_view *xs, const T *w, const T *b,       \
                                int64_t m, int64_t n, int act, int n_threads);              \
    /* g (k x n) = (rows idx[r], r < m, of xs)^T d (m x n, row stride ldd): every        \
     * element summed over the rows in order, whatever the thread count; epi (NULL:     \
     * none) runs on each finished block of g's rows while it is in cache. */            \
    int fnn_csr_t_gemm_##SFX(T *g, const fnn_csr_view *xs, const int64_t *idx, int64_t m,  \
                             const T *d, int64_t ldd, int64_t n, const fnn_epilogue *epi, \
                             int n_threads);                                              \
    /* Dropout: element i is kept iff fnn_rng_bits(seed, offset + i) >> 40 >=               \
     * ceil(rate * 2^24) (see rng.h).  inverted: y = x * mask / (1 - rate);                 \
     * classic: y = x * mask.  mask (uint8, size) may be NULL. */                            \
    int fnn_dropout_fwd_##SFX(T *y, uint8_t *mask, const T *x, int64_t size, double rate,    \
                              uint64_t seed, uint64_t offset, int mode, int n_threads);      \
    int fnn_dropout_bwd_##SFX(T *dx, const T *dy, const uint8_t *mask, int64_t size,         \
                              double rate, int mode, int n_threads);                         \
    /* Optimizers, in place over flat buffers.  g = grad + l2*p + l1*sign(p).                \
     * SGD: momentum 0: p -= lr*g.  else v = momentum*v - lr*g;                              \
     *      p += nesterov ? momentum*v - lr*g : v.                                           \
     * Decoupled weight decay: p -= lr*weight_decay*p_old, before the gradient step. */      \
    int fnn_sgd_step_##SFX(T *p, T *v, const T *grad, int64_t size, double lr,               \
                           double momentum, int nesterov, double l1, double l2,              \
                           double weight_decay, int n_threads);                              \
    /* Adam, step t >= 1 (bias correction), eps placement per fnn_adam_eps_style. */         \
    int fnn_adam_step_##SFX(T *p, T *m, T *v, const T *grad, int64_t size, double lr,        \
                            double beta1, double beta2, double eps, int64_t t, double l1,    \
                            double l2, double weight_decay, int eps_style, int n_threads);

FNN_DECLARE_OPS(float, f32)
FNN_DECLARE_OPS(double, f64)
#undef FNN_DECLARE_OPS

/* Counter-based random bits: a strong 64-bit hash of (seed, counter); see rng.h. */
uint64_t fnn_rng_bits(uint64_t seed, uint64_t counter);

#ifdef __cplusplus
}
#endif
#endif
