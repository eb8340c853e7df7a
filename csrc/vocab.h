/* fastnn's vocabulary, defined once: every named choice whose code crosses the
 * binding (activations, losses, outputs, optimizers, dropout modes, Adam eps
 * styles, ISAs, CPU features).  Each table is an X-macro: a user defines
 * X(...) to turn every row into what it needs.  From these rows come the C
 * enums (fastnn.h, ops/ops.h, train/train.h), the activation switches
 * (ops/act_span.inc) and the Python mappings of fastnn._core (vocab_export.h,
 * fastnn/_vocab.pxi).  Codes are explicit, distinct and dense from 0: they are
 * part of the ABI (stored in configs, passed by the bindings).
 */
#ifndef FASTNN_VOCAB_H
#define FASTNN_VOCAB_H

/* ---- activations ----
 * X(ID, "name", code, grad_needs, init, forward, gradient)
 *   forward:    a[i] = g(z[i]), an expression of x = z[i]
 *   gradient:   dz[i] = da[i] * g'(z[i]), an expression of x = z[i],
 *               y = a[i] = g(x) and g = da[i]; the exact operation order is
 *               part of the result's bits, so keep it when editing a row
 *   grad_needs: Z if the gradient needs z itself; A if it reads what it needs
 *               from a (z only by its sign, which a keeps), so the trainer
 *               can store a over z
 *   init:       HE or GLOROT, MLP's weight initialisation for layers with g
 * The expressions are expanded inside ops/act_span.inc, one dtype T at a
 * time, where the constants one, half, c0, c1 (GELU's tanh-form constants),
 * the helpers act_logistic and act_gelu_slope and the vectorizable vm_exp,
 * vm_expm1, vm_tanh and vm_log1p_unit (ops/vmath.inc) are defined.  The twin of
 * every row is fastnn/reference.py's ACTIVATIONS[name]. */
#define FNN_LEAKY_SLOPE 0.01
#define FNN_ACTIVATIONS(X)                                                                    \
    X(IDENTITY, "identity", 0, A, GLOROT,                                                      \
      x,                                                                                       \
      g)                                                                                       \
    /* max(z, 0) like the twin: NaN propagates (x != x), -0 gives +0; a non-finite da         \
     * stays NaN in the gradient, as in the twin */                                            \
    X(RELU, "relu", 1, A, HE,                                                                  \
      x > 0 || x != x ? x : 0,                                                                 \
      g * (T)(x > 0))                                                                          \
    X(LEAKY_RELU, "leaky_relu", 2, A, HE,                                                      \
      x > 0 ? x : (T)FNN_LEAKY_SLOPE * x,                                                      \
      x > 0 ? g : (T)FNN_LEAKY_SLOPE * g)                                                      \
    X(TANH, "tanh", 3, A, GLOROT,                                                              \
      FN(vm_tanh)(x),                                                                          \
      g * (one - y * y))                                                                       \
    X(SIGMOID, "sigmoid", 4, A, GLOROT,                                                        \
      FN(act_logistic)(x),                                                                     \
      g * y * (one - y))                                                                       \
    /* alpha 1 */                                                                              \
    X(ELU, "elu", 5, A, HE,                                                                    \
      x > 0 ? x : FN(vm_expm1)(x),                                                             \
      x > 0 ? g : g * (y + one))                                                               \
    /* tanh form */                                                                            \
    X(GELU, "gelu", 6, Z, HE,                                                                  \
      half * x * (one + FN(vm_tanh)(c0 * (x + c1 * x * x * x))),                               \
      g * FN(act_gelu_slope)(x))                                                               \
    X(SOFTPLUS, "softplus", 7, Z, HE,                                                          \
      (x > 0 ? x : 0) + FN(vm_log1p_unit)(FN(vm_exp)(-fabs(x))),                               \
      g * FN(act_logistic)(x))

/* Other names the Python layer accepts for an activation: X("alias", ID). */
#define FNN_ACTIVATION_ALIASES(X) \
    X("logistic", SIGMOID)        \
    X("linear", IDENTITY)

/* ---- losses: X(ID, "name", code) ---- */
#define FNN_LOSSES(X)                                                                          \
    /* logits -> softmax; target probs/one-hot, or int64 labels */                             \
    X(SOFTMAX_CE, "cross_entropy", 0)                                                          \
    /* logits -> sigmoid; target in [0, 1] */                                                  \
    X(BCE_LOGITS, "binary_cross_entropy", 1)                                                   \
    /* 1/2 sum (t - a)^2, a = the given "logits" */                                            \
    X(MSE, "mse", 2)                                                                           \
    /* half Poisson deviance of the rate exp(z); target counts >= 0 */                         \
    X(POISSON, "poisson", 3)

/* ---- the trainer's output layer and optimizer: X(ID, "name", code) ---- */
#define FNN_OUTPUTS(X)          \
    X(SOFTMAX, "softmax", 0)    \
    X(SIGMOID, "sigmoid", 1)    \
    X(IDENTITY, "identity", 2)

#define FNN_OPTIMIZERS(X) \
    X(SGD, "sgd", 0)      \
    X(ADAM, "adam", 1)

/* ---- dropout modes and Adam's eps placement: X(ID, "name", code) ---- */
#define FNN_DROPOUT_MODES(X)     \
    X(INVERTED, "inverted", 0)   \
    X(CLASSIC, "classic", 1)

#define FNN_ADAM_EPS_STYLES(X)                                                                 \
    /* p -= lr * mhat / (sqrt(vhat) + eps)   (PyTorch, Kingma & Ba) */                         \
    X(HAT, "hat", 0)                                                                           \
    /* p -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps) */                                  \
    X(SKLEARN, "sklearn", 1)

/* ---- image augmentations of the compiled epoch, bit flags: X(ID, "name", bit) ---- */
#define FNN_AUGMENTS(X)          \
    X(SHIFT, "shift", 1)         \
    X(FLIP, "flip", 2)           \
    X(ERASE, "erase", 4)

/* ---- kernel ISAs (FASTNN_KERNEL names): X(ID, "name", code) ---- */
#define FNN_ISAS(X)              \
    X(GENERIC, "generic", 0)     \
    X(AVX2, "avx2", 1)           \
    X(AVX512, "avx512", 2)

/* ---- CPU feature bits, read once from CPUID: X(ID, "name", bit) ---- */
#define FNN_CPU_FEATURES(X)              \
    X(AVX2, "avx2", 0)                   \
    X(FMA, "fma", 1)                     \
    X(AVX512F, "avx512f", 2)             \
    X(AVX512BW, "avx512bw", 3)           \
    X(AVX512VL, "avx512vl", 4)           \
    X(AVX512DQ, "avx512dq", 5)           \
    X(AVX512BF16, "avx512_bf16", 6)      \
    X(AMX_TILE, "amx_tile", 7)           \
    X(AMX_BF16, "amx_bf16", 8)

/* Row helpers for the enums: PREFIX##ID = code, and a row counter. */
#define FNN_VOCAB_COUNT_ROW(...) +1

#endif
