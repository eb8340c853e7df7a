/* The hot elementwise kernels of a training step, compiled once per ISA
 * (hot_generic.c, hot_avx2.c, hot_avx512.c from hot.inc) so the compiler
 * vectorizes them for the widest registers the CPU has.  Callers get the
 * table of the ISA selected by fnn_get_isa() (FASTNN_KERNEL) and call
 * through it; results differ between ISAs only by FMA contraction.
 *
 * The GEMM epilogues fuse what follows a product while its block of C is
 * still in cache:
 *   forward:  z = c + b; a = g(z); h = dropout(a)      (c is z, in place)
 *   backward: dz = dropout_grad(c) * g'(z)             (c is dh, in place)
 */
#ifndef FASTNN_HOT_H
#define FASTNN_HOT_H
#include <stddef.h>
#include <stdint.h>
#include "fastnn.h"

typedef struct {
    const void *bias;  /* (n) or NULL */
    void *a;           /* g(z), row stride ld; NULL: apply g in place in c */
    void *h;           /* dropout(a), row stride ld; NULL: no dropout */
    uint8_t *mask;     /* keep mask of h, row stride ld */
    int64_t ld;
    int act;
    uint32_t drop_threshold; /* keep iff bits >> 40 >= threshold (rng.h) */
    double drop_scale;       /* 1/(1-rate) inverted, 1 classic */
    uint64_t drop_key;       /* fnn_mix64(seed) */
    uint64_t drop_offset;    /* counter of element (0, 0); element (i, j) adds i*ld + j */
} fnn_fwd_epilogue_ctx;

typedef struct {
    const uint8_t *mask; /* NULL: no dropout */
    double drop_scale;
    const void *z, *a;   /* the layer's pre-activation and activation, row stride ld */
    int64_t ld;
    int act;
} fnn_bwd_epilogue_ctx;

typedef struct {
    double lr, beta1, beta2, eps, l1, l2, decay, step, inv_c2;
    int sklearn_eps;
} fnn_adam_consts;

/* Adam's per-step constants (bias corrections for step t, eps placement). */
fnn_adam_consts fnn_adam_consts_make(double lr, double beta1, double beta2, double eps,
                                     int64_t t, double l1, double l2, double weight_decay,
                                     int eps_style);

/* The optimizer step as a GEMM epilogue on the weight gradient: each
 * finished block of dW updates its weights at once, while it is in cache. */
typedef struct {
    void *p, *m, *v;     /* flat buffers at the tensor's offset, row stride ld */
    int64_t ld;
    int adam;            /* 1: Adam with `adam`; 0: SGD with the fields below */
    fnn_adam_consts adam_k;
    double lr, momentum, l1, l2, decay;
    int nesterov;
} fnn_update_epilogue_ctx;

/* Whether act's gradient needs z itself (grad_needs Z in vocab.h); otherwise
 * it reads what it needs from a = g(z), so a may be stored over z. */
#define FNN_GRAD_NEEDS_A 0
#define FNN_GRAD_NEEDS_Z 1
#define FNN_GRAD_NEEDS_CASE(ID, name, code, grad_needs, ...) \
    case FNN_ACT_##ID: return FNN_GRAD_NEEDS_##grad_needs;
static inline int fnn_act_grad_needs_z(int act)
{
    switch (act) { FNN_ACTIVATIONS(FNN_GRAD_NEEDS_CASE) }
    return 0;
}
#undef FNN_GRAD_NEEDS_CASE

/* vmath.inc's functions, by number, for the tests' hook (fnn_vmath_*) */
enum { FNN_VMATH_EXP, FNN_VMATH_EXPM1, FNN_VMATH_TANH, FNN_VMATH_LOG1P_UNIT, FNN_VMATH_COUNT };

#define FNN_DECLARE_HOT(T, SFX)                                                              \
    typedef struct {                                                                         \
        fnn_epilogue_fn fwd_epilogue; /* ctx: fnn_fwd_epilogue_ctx */                        \
        fnn_epilogue_fn bwd_epilogue; /* ctx: fnn_bwd_epilogue_ctx */                        \
        fnn_epilogue_fn update_epilogue; /* ctx: fnn_update_epilogue_ctx */                  \
        void (*act)(T *a, const T *z, int64_t n, int act);                                   \
        void (*act_grad)(T *dz, const T *da, const T *z, const T *a, int64_t n, int act);    \
        /* out[j] (+)= sum_i x[i, j] for j < nb, rows in order; stride ldx */               \
        void (*colsum)(T *out, const T *x, int64_t m, int64_t nb, int64_t ldx);              \
        void (*adam)(T *p, T *m, T *v, const T *g, int64_t n, const fnn_adam_consts *k);     \
        void (*sgd)(T *p, T *v, const T *g, int64_t n, double lr, double momentum,           \
                    int nesterov, double l1, double l2, double decay);                       \
        /* sums of x^2 and |x| in double, in a fixed lane order */                          \
        void (*norms)(const T *x, int64_t n, double *sq, double *ab);                        \
        /* out = f(x) for vmath.inc's function fn (FNN_VMATH_*), for the tests */            \
        void (*vmath)(T *out, const T *x, int64_t n, int fn);                                \
        /* rows r0..r1 of out (stride ldo) = CSR rows rows[r] (NULL: r) times w (K x n) */   \
        void (*csr_rows)(T *out, int64_t ldo, const fnn_csr_view *xs, const int64_t *rows,   \
                         int64_t r0, int64_t r1, const T *w, int64_t n);                     \
        /* rows k0..k1 of g (K x n) = (CSR rows rows[r], r < B)^T d (stride ldd) */         \
        void (*csr_t_rows)(T *g, const fnn_csr_view *xs, const int64_t *rows, int64_t B,     \
                           const T *d, int64_t ldd, int64_t n, int64_t k0, int64_t k1);      \
    } fnn_hot_##SFX;                                                                         \
    const fnn_hot_##SFX *fnn_hot_table_##SFX(void);

FNN_DECLARE_HOT(float, f32)
FNN_DECLARE_HOT(double, f64)
#undef FNN_DECLARE_HOT

#define FNN_DECLARE_HOT_ISA(ISA)                                                             \
    extern const fnn_hot_f32 fnn_hot_f32_##ISA;                                              \
    extern const fnn_hot_f64 fnn_hot_f64_##ISA;
FNN_DECLARE_HOT_ISA(generic)
FNN_DECLARE_HOT_ISA(avx2)
FNN_DECLARE_HOT_ISA(avx512)
#undef FNN_DECLARE_HOT_ISA
#endif
