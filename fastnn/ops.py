"""fastnn.ops: one function per compiled kernel, NumPy in and NumPy out.

Each function checks dtypes, shapes and ranges (ValueError or TypeError
before any C runs), then calls the C kernel with the GIL released.  Each has
a pure-NumPy twin of the same name and signature in fastnn.reference, which
is its specification.  Arrays are float32 or float64 (one dtype per call);
results have the inputs' dtype.

n_threads (keyword, last, on every function whose kernel runs OpenMP): the
most threads the call may use; None: fastnn.set_num_threads' count, else
OpenMP's default (fastnn/_parallel.py).  Results never depend on it.

The numpydoc texts of these functions are in fastnn/_docs_ops.py.
"""
import numpy as np

from . import _config, _core
from ._augment import augment_settings
from ._parallel import op_n_threads
from ._values import csr_parts, is_sparse
from ._validate import (ADAM_EPS_STYLES, DROPOUT_MODES, LOSSES, activation_code, check_compute,
                        check_rate, choice, contiguous_float, finite_number, float_array,
                        probability_targets, row_major_view, same_shape, whole_number)


def matmul(a, b, *, trans_a=False, trans_b=False, out=None, compute=None, n_threads=None):
    """Return op(a) @ op(b), C-contiguous, in the inputs' dtype.

    ``trans_a=True`` means ``a`` is stored transposed, with shape (k, m); likewise
    ``trans_b`` for ``b`` of shape (n, k).  Any strides and C or Fortran order
    are accepted.  ``out``, if given, must be a C-contiguous (m, n) array of the
    same dtype; it may alias an input.

    ``compute="bfloat16"`` (float32 arrays only) rounds both operands to
    bfloat16 (to nearest, ties to even) and sums their products in float32:
    on AMX tiles, else AVX512-BF16's vdpbf16ps, where the CPU has them
    (``fastnn.config()["bfloat16_faster"]`` says whether that beats float32:
    about 4x on AMX, 2x on Zen 4; it warns once where not), the same numbers
    from a portable kernel elsewhere.
    """
    if isinstance(compute, str) and compute == "bfloat16" and not _config._bf16_warned:
        _config.warn_if_bfloat16_slow()
    if compute is None or (isinstance(compute, str) and compute == "bfloat16"):
        # the common case checked and run in Cython (about 1 us instead of 3)
        fast = _core.matmul_fast(a, b, trans_a, trans_b, out, compute is not None,
                                 op_n_threads(n_threads))
        if fast is not None:
            return fast
    for flag, value in (("trans_a", trans_a), ("trans_b", trans_b)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError("matmul: %s must be True or False, got %r" % (flag, value))
    bf16 = check_compute(compute)
    nt = op_n_threads(n_threads)
    a = float_array(a, "a", ndim=2)
    if bf16 and a.dtype != np.float32:
        raise TypeError("matmul: compute='bfloat16' takes float32 arrays, got a of dtype %s"
                        % a.dtype)
    b = float_array(b, "b", ndim=2, dtype=a.dtype)
    m, ka = (a.shape[1], a.shape[0]) if trans_a else a.shape
    kb, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
    if ka != kb:
        raise ValueError("matmul: inner sizes differ: op(a) is %s and op(b) is %s "
                         "(a.shape=%s, trans_a=%s; b.shape=%s, trans_b=%s)"
                         % ((m, ka), (kb, n), a.shape, trans_a, b.shape, trans_b))
    k = ka
    if out is not None:
        out = float_array(out, "out", ndim=2, dtype=a.dtype)
        if out.shape != (m, n):
            raise ValueError("out must have shape %s, got %s" % ((m, n), out.shape))
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError("out must be a writeable C-contiguous array")
        if np.may_share_memory(out, a) or np.may_share_memory(out, b):
            out[...] = matmul(a, b, trans_a=trans_a, trans_b=trans_b, compute=compute,
                              n_threads=nt)
            return out
    else:
        out = np.empty((m, n), dtype=a.dtype)
    if m == 0 or n == 0:
        return out
    if k == 0:
        out.fill(0)
        return out
    av, a_flipped, lda = row_major_view(a)
    bv, b_flipped, ldb = row_major_view(b)
    _core.gemm(bool(trans_a) != a_flipped, bool(trans_b) != b_flipped,
               av, lda, bv, ldb, out, m, n, k, bf16=bf16, n_threads=nt)
    return out


def linear(x, w, b=None, activation="identity", *, n_threads=None):
    """g(x @ w + b): a fused dense layer.  x (m, k), w (k, n), b (n,) or None.
    x may be a SciPy sparse matrix: its nonzeros are read, its rows never
    made dense (each output row sums its stored entries in their order)."""
    nt = op_n_threads(n_threads)
    act = activation_code(activation)
    if is_sparse(x):
        return _sparse_linear(x, w, b, act, nt)
    x = contiguous_float(x, "x", ndim=2)
    w = contiguous_float(w, "w", ndim=2, dtype=x.dtype)
    if w.shape[0] != x.shape[1]:
        raise ValueError("linear: x is %s but w is %s; w must have %d rows"
                         % (x.shape, w.shape, x.shape[1]))
    if b is not None:
        b = same_shape(contiguous_float(b, "b", ndim=1, dtype=x.dtype), "b", (w.shape[1],))
    out = np.empty((x.shape[0], w.shape[1]), dtype=x.dtype)
    _core.dense_fwd(out, None, x, w, b, act, nt)
    return out


def _sparse_linear(x, w, b, act, nt):
    if len(x.shape) != 2:
        raise ValueError("linear: a sparse x must be 2-D, got shape %s" % (x.shape,))
    if x.dtype not in (np.float32, np.float64):
        raise TypeError("linear: a sparse x must hold float32 or float64, got %s" % x.dtype)
    w = contiguous_float(w, "w", ndim=2, dtype=x.dtype)
    if x.ndim != 2 or w.shape[0] != x.shape[1]:
        raise ValueError("linear: x is %s but w is %s; w must have %d rows"
                         % (x.shape, w.shape, x.shape[1]))
    if b is not None:
        b = same_shape(contiguous_float(b, "b", ndim=1, dtype=x.dtype), "b", (w.shape[1],))
    parts = csr_parts(x, x.dtype)
    if not np.isfinite(parts[2]).all():
        raise ValueError("linear: x holds NaN or infinity")
    out = np.empty((x.shape[0], w.shape[1]), dtype=x.dtype)
    _core.csr_dense_fwd(out, parts, w, b, act, nt)
    return out


def linear_backward(x, w, z, a, da, activation="identity", *, n_threads=None):
    """(dx, dw, db) of a = g(x @ w + b) given da = dL/da; z and a from the forward."""
    nt = op_n_threads(n_threads)
    act = activation_code(activation)
    x = contiguous_float(x, "x", ndim=2)
    w = contiguous_float(w, "w", ndim=2, dtype=x.dtype)
    if w.shape[0] != x.shape[1]:
        raise ValueError("linear_backward: x is %s but w is %s" % (x.shape, w.shape))
    shape = (x.shape[0], w.shape[1])
    z, a, da = (same_shape(contiguous_float(v, name, ndim=2, dtype=x.dtype), name, shape)
                for v, name in ((z, "z"), (a, "a"), (da, "da")))
    dx = np.empty_like(x)
    dw = np.empty_like(w)
    db = np.empty(w.shape[1], dtype=x.dtype)
    dz = np.empty(shape, dtype=x.dtype)
    _core.dense_bwd(dx, dw, db, dz, da, x, w, z, a, act, nt)
    return dx, dw, db


def activation(z, name, *, n_threads=None):
    """g(z) elementwise, any shape."""
    nt = op_n_threads(n_threads)
    act = activation_code(name)
    z = contiguous_float(z, "z")
    out = np.empty_like(z)
    _core.act_fwd(out, z, act, nt)
    return out


def activation_grad(name, z, a, da, *, n_threads=None):
    """da * g'(z), where a = g(z) (kernels use whichever is cheaper)."""
    nt = op_n_threads(n_threads)
    act = activation_code(name)
    z = contiguous_float(z, "z")
    a = same_shape(contiguous_float(a, "a", dtype=z.dtype), "a", z.shape)
    da = same_shape(contiguous_float(da, "da", dtype=z.dtype), "da", z.shape)
    out = np.empty_like(z)
    _core.act_bwd(out, da, z, a, act, nt)
    return out


def column_sums(x, *, n_threads=None):
    """x.sum(axis=0) in a fixed order: bit-identical for any thread count."""
    nt = op_n_threads(n_threads)
    x = contiguous_float(x, "x", ndim=2)
    out = np.empty(x.shape[1], dtype=x.dtype)
    _core.colsum(out, x, nt)
    return out


def softmax(z, *, n_threads=None):
    """Row-wise softmax, max-shifted: no overflow for any finite z."""
    nt = op_n_threads(n_threads)
    z = contiguous_float(z, "z", ndim=2)
    out = np.empty_like(z)
    _core.softmax(out, z, False, nt)
    return out


def log_softmax(z, *, n_threads=None):
    """Row-wise log-softmax, max-shifted."""
    nt = op_n_threads(n_threads)
    z = contiguous_float(z, "z", ndim=2)
    out = np.empty_like(z)
    _core.softmax(out, z, True, nt)
    return out


def softmax_grad(a, da, *, n_threads=None):
    """dL/dz for a = softmax(z) given da = dL/da (row-wise Jacobian product)."""
    nt = op_n_threads(n_threads)
    a = contiguous_float(a, "a", ndim=2)
    da = same_shape(contiguous_float(da, "da", ndim=2, dtype=a.dtype), "da", a.shape)
    out = np.empty_like(a)
    _core.softmax_bwd(out, da, a, nt)
    return out


def _loss_target(name, logits, target):
    """(target, labels) for the C loss: exactly one is an array."""
    target = np.asarray(target)
    if name == "cross_entropy" and target.ndim == 1:
        if target.dtype.kind not in "iu":
            raise TypeError("cross_entropy: 1-D targets must be integer class labels, got %s"
                            % target.dtype)
        if target.shape[0] != logits.shape[0]:
            raise ValueError("cross_entropy: %d labels for %d rows of logits"
                             % (target.shape[0], logits.shape[0]))
        if target.size and (target.min() < 0 or target.max() >= logits.shape[1]):
            raise ValueError("cross_entropy: labels must be in [0, %d), got range [%d, %d]"
                             % (logits.shape[1], target.min(), target.max()))
        return None, np.ascontiguousarray(target, dtype=np.int64)
    if target.dtype.kind not in "fiub":
        raise TypeError("%s: target must be numeric, got %s" % (name, target.dtype))
    target = same_shape(np.ascontiguousarray(target, dtype=logits.dtype), "target", logits.shape)
    return probability_targets(target, name), None


def loss(name, logits, target, *, label_smoothing=0.0, probability_clip=0.0):
    """(value, grad): the loss summed over outputs and averaged over rows, and
    its gradient with respect to `logits`.

    cross_entropy: softmax cross-entropy from logits; target one-hot/probabilities
    (m, n) or integer labels (m,).  binary_cross_entropy: sigmoid cross-entropy
    from logits, target in [0, 1].  mse: 1/2 sum (target - logits)^2.
    label_smoothing eps in [0, 1] (cross-entropies, as PyTorch): targets
    (1 - eps) t + eps / n for cross_entropy, t (1 - eps) + eps / 2 for
    binary_cross_entropy.  probability_clip c in [0, 0.5) (cross-entropies):
    the value with each -log p clamped to [-log1p(-c), -log(c)], as
    scikit-learn's log_loss clips p; the gradient is never clipped."""
    kind = choice(name, LOSSES, "loss")
    eps = finite_number(label_smoothing, "label_smoothing", low=0, high=1)
    clip = finite_number(probability_clip, "probability_clip", low=0, high=0.5)
    if clip >= 0.5:
        raise ValueError("probability_clip must be below 0.5, got %r" % (probability_clip,))
    for option, value in (("label_smoothing", eps), ("probability_clip", clip)):
        if value and name not in ("cross_entropy", "binary_cross_entropy"):
            raise ValueError("%s needs cross_entropy or binary_cross_entropy" % option)
    logits = contiguous_float(logits, "logits", ndim=2)
    target, labels = _loss_target(name, logits, target)
    grad = np.empty_like(logits)
    if eps or clip:
        return _core.loss_clipped(grad, logits, target, labels, kind, eps, clip), grad
    value = _core.loss(grad, logits, target, labels, kind)
    return value, grad


def augment_images(x, image_shape, *, augment, max_shift=2, seed, counter=0):
    """The images of x (one per row, stored (H, W, C)) shifted by up to
    max_shift pixels (zero fill) and/or flipped left-right, then, half of
    them, a random rectangle erased to 0, as the compiled epoch augments a
    batch: row r's transform comes from rng_bits(seed, counter + r)
    (fastnn/_augment.py has the rule).  augment: "shift", "flip", "erase" or
    a list of them; image_shape: (H, W) or (H, W, C)."""
    x = contiguous_float(x, "x", ndim=2)
    flags, shape, max_shift = augment_settings(augment, image_shape, max_shift, x.shape[1])
    seed, counter = _uint64(seed, "seed"), _uint64(counter, "counter")
    out = np.empty_like(x)
    if not flags:
        out[...] = x
        return out
    _core.augment_gather(out, x, shape[0], shape[1], shape[2], flags, max_shift, seed, counter)
    return out


def dropout(x, rate, *, seed, offset=0, mode="inverted", n_threads=None):
    """(y, mask): Bernoulli dropout with drop probability `rate`.

    Element i (row-major) is kept iff rng_bits(seed, offset + i) >> 40 is at
    least ceil(rate * 2**24).  inverted: y = x * mask / (1 - rate); classic:
    y = x * mask (scale by 1 - rate at inference instead)."""
    nt = op_n_threads(n_threads)
    rate = check_rate(rate)
    mode_code = choice(mode, DROPOUT_MODES, "mode")
    seed, offset = _uint64(seed, "seed"), _uint64(offset, "offset")
    x = contiguous_float(x, "x")
    y = np.empty_like(x)
    mask = np.empty(x.shape, dtype=np.uint8)
    _core.dropout_fwd(y, mask, x, rate, seed, offset, mode_code, nt)
    return y, mask


def dropout_backward(dy, mask, rate, mode="inverted", *, n_threads=None):
    """dL/dx of dropout: the same mask and scale applied to dy."""
    nt = op_n_threads(n_threads)
    rate = check_rate(rate)
    mode_code = choice(mode, DROPOUT_MODES, "mode")
    dy = contiguous_float(dy, "dy")
    mask = np.asarray(mask)
    if mask.dtype not in (np.uint8, np.bool_):
        raise TypeError("mask must be uint8 or bool, got %s" % mask.dtype)
    mask = same_shape(np.ascontiguousarray(mask.view(np.uint8)).reshape(mask.shape), "mask",
                      dy.shape)
    dx = np.empty_like(dy)
    _core.dropout_bwd(dx, dy, mask, rate, mode_code, nt)
    return dx


def rng_bits(seed, counter):
    """The counter-based generator behind every random draw (a uint64)."""
    return _core.rng_bits(_uint64(seed, "seed"), _uint64(counter, "counter"))


def _uint64(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError("%s must be an int, got %r" % (name, value))
    if not 0 <= int(value) < 2 ** 64:
        raise ValueError("%s must be in [0, 2**64), got %r" % (name, value))
    return int(value)


def _param_buffers(params, grad, names_and_buffers):
    params = float_array(params, "params")
    if not params.flags.c_contiguous or not params.flags.writeable:
        raise ValueError("params must be a writeable C-contiguous array (updated in place)")
    grad = same_shape(contiguous_float(grad, "grad", dtype=params.dtype), "grad", params.shape)
    for name, buf in names_and_buffers:
        float_array(buf, name, dtype=params.dtype)
        same_shape(buf, name, params.shape)
        if not buf.flags.c_contiguous or not buf.flags.writeable:
            raise ValueError("%s must be a writeable C-contiguous array (updated in place)"
                             % name)
    # every buffer is read and written element by element: one array given
    # twice (m = v = np.zeros_like(p)) would mix two states into garbage
    named = [("params", params), ("grad", grad)] + list(names_and_buffers)
    for i, (name, buf) in enumerate(named):
        for other, obuf in named[:i]:
            if np.may_share_memory(buf, obuf):  # exact: all are contiguous
                raise ValueError("%s and %s share memory: each needs its own array"
                                 % (other, name))
    return params, grad


def sgd_step(params, grad, velocity=None, *, lr, momentum=0.0, nesterov=False, l1=0.0,
             l2=0.0, weight_decay=0.0, n_threads=None):
    """One SGD step in place.  g = grad + l2 p + l1 sign(p); p -= lr wd p; then
    momentum 0: p -= lr g, else v = momentum v - lr g and
    p += (momentum v - lr g if nesterov else v)."""
    nt = op_n_threads(n_threads)
    lr = finite_number(lr, "lr", low=0)
    momentum = finite_number(momentum, "momentum", low=0, high=1)
    l1, l2, wd = (finite_number(v, n, low=0) for v, n in
                  ((l1, "l1"), (l2, "l2"), (weight_decay, "weight_decay")))
    if not isinstance(nesterov, (bool, np.bool_)):  # "no" would read as True
        raise TypeError("sgd_step: nesterov must be True or False, got %.50r" % (nesterov,))
    if momentum != 0 and velocity is None:
        raise ValueError("sgd_step: momentum > 0 needs a velocity buffer")
    extra = [("velocity", velocity)] if velocity is not None else []
    params, grad = _param_buffers(params, grad, extra)
    _core.sgd_step(params, velocity, grad, lr, momentum, bool(nesterov), l1, l2, wd, nt)
    return params


def adam_step(params, grad, m, v, *, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, l1=0.0,
              l2=0.0, weight_decay=0.0, eps_style="hat", n_threads=None):
    """One Adam (AdamW when weight_decay > 0) step in place, t >= 1.

    eps_style "hat": p -= lr mhat / (sqrt(vhat) + eps) (Kingma & Ba, PyTorch);
    "sklearn": p -= lr sqrt(1 - beta2^t) / (1 - beta1^t) m / (sqrt(v) + eps)."""
    nt = op_n_threads(n_threads)
    t = whole_number(t, "t", low=1, high=2 ** 63 - 1)  # the C step count is an int64
    lr = finite_number(lr, "lr", low=0)
    beta1 = finite_number(beta1, "beta1", low=0)
    beta2 = finite_number(beta2, "beta2", low=0)
    if beta1 >= 1 or beta2 >= 1:
        raise ValueError("beta1 and beta2 must be in [0, 1), got %r, %r" % (beta1, beta2))
    eps = finite_number(eps, "eps", low=0)
    l1, l2, wd = (finite_number(x, n, low=0) for x, n in
                  ((l1, "l1"), (l2, "l2"), (weight_decay, "weight_decay")))
    style = choice(eps_style, ADAM_EPS_STYLES, "eps_style")
    params, grad = _param_buffers(params, grad, [("m", m), ("v", v)])
    _core.adam_step(params, m, v, grad, lr, beta1, beta2, eps, int(t), l1, l2, wd, style, nt)
    return params


from ._docs_ops import attach as _attach_docs  # noqa: E402 (the numpydoc texts)
_attach_docs(globals())
