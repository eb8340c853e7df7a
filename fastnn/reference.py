"""The pure-NumPy twin of every fastnn kernel: the specification.

Each function has the same name and signature as its counterpart in
fastnn.ops and computes the same thing the plainest way NumPy allows, in the
inputs' dtype.  Tests compare the two; when they disagree, this file is right.
"""
import numpy as np


def matmul(a, b, *, trans_a=False, trans_b=False, out=None):
    """op(a) @ op(b); op transposes when the flag is set."""
    result = np.matmul(a.T if trans_a else a, b.T if trans_b else b)
    if out is not None:
        out[...] = result
        return out
    return np.ascontiguousarray(result)


# ---- activations ----
LEAKY_SLOPE = 0.01
_GELU_C = np.sqrt(2 / np.pi)


def _act(name):
    return {"logistic": "sigmoid", "linear": "identity"}.get(name, name)


def activation(z, name):
    """g(z) elementwise."""
    name = _act(name)
    z = np.asarray(z)
    one = z.dtype.type(1)
    if name == "identity":
        return z.copy()
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        return np.where(z > 0, z, z.dtype.type(LEAKY_SLOPE) * z)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, one / (one + e), e / (one + e))
    if name == "elu":
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
    if name == "gelu":
        c = z.dtype.type(_GELU_C)
        return z.dtype.type(0.5) * z * (one + np.tanh(c * (z + z.dtype.type(0.044715) * z ** 3)))
    if name == "softplus":
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    raise ValueError("unknown activation %r" % name)


def activation_grad(name, z, a, da):
    """da * g'(z), where a = g(z)."""
    name = _act(name)
    one = z.dtype.type(1)
    if name == "identity":
        d = np.ones_like(z)
    elif name == "relu":
        d = (z > 0).astype(z.dtype)
    elif name == "leaky_relu":
        d = np.where(z > 0, one, z.dtype.type(LEAKY_SLOPE))
    elif name == "tanh":
        d = one - a * a
    elif name == "sigmoid":
        d = a * (one - a)
    elif name == "elu":
        d = np.where(z > 0, one, a + one)
    elif name == "gelu":
        c, k = z.dtype.type(_GELU_C), z.dtype.type(0.044715)
        t = np.tanh(c * (z + k * z ** 3))
        d = 0.5 * (one + t) + 0.5 * z * (one - t * t) * c * (one + 3 * k * z * z)
    elif name == "softplus":
        d = activation(z, "sigmoid")
    else:
        raise ValueError("unknown activation %r" % name)
    return (da * d).astype(z.dtype)


def column_sums(x):
    return x.sum(axis=0)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def softmax_grad(a, da):
    return a * (da - (da * a).sum(axis=1, keepdims=True))


def linear(x, w, b=None, activation="identity"):
    z = x @ w
    if b is not None:
        z = z + b
    return globals()["activation"](z, activation)


def linear_backward(x, w, z, a, da, activation="identity"):
    dz = activation_grad(activation, z, a, da)
    return dz @ w.T, x.T @ dz, dz.sum(axis=0)


# ---- losses: summed over outputs, averaged over rows; grad w.r.t. logits ----
def loss(name, logits, target):
    m = logits.shape[0]
    target = np.asarray(target)
    if name == "cross_entropy":
        if target.ndim == 1:
            target = np.eye(logits.shape[1], dtype=logits.dtype)[target]
        target = target.astype(logits.dtype)
        logp = log_softmax(logits)
        value = -(target * logp).sum() / m
        grad = (target.sum(axis=1, keepdims=True) * np.exp(logp) - target) / m
    elif name == "binary_cross_entropy":
        t = target.astype(logits.dtype)
        value = (np.maximum(logits, 0) - t * logits + np.log1p(np.exp(-np.abs(logits)))).sum() / m
        grad = (activation(logits, "sigmoid") - t) / m
    elif name == "mse":
        d = logits - target.astype(logits.dtype)
        value = 0.5 * (d * d).sum() / m
        grad = d / m
    else:
        raise ValueError("unknown loss %r" % name)
    return float(value), grad.astype(logits.dtype)


# ---- the counter-based generator and dropout ----
_M1, _M2, _GOLDEN = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), \
    np.uint64(0x9E3779B97F4A7C15)


def _mix64(z):
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def rng_bits(seed, counter):
    """splitmix64(splitmix64(seed) + (counter + 1) * golden), in uint64 arithmetic."""
    with np.errstate(over="ignore"):
        c = np.asarray(counter, dtype=np.uint64) + np.uint64(1)
        return _mix64(_mix64(np.uint64(seed)) + c * _GOLDEN)


def dropout_keep(shape, rate, seed, offset=0):
    """The keep mask (bool) of dropout over a row-major array of `shape`."""
    size = int(np.prod(shape))
    threshold = int(np.ceil(rate * 2 ** 24))
    idx = np.arange(size, dtype=np.uint64) + np.uint64(offset)
    return ((rng_bits(seed, idx) >> np.uint64(40)) >= threshold).reshape(shape)


def dropout(x, rate, *, seed, offset=0, mode="inverted"):
    keep = dropout_keep(x.shape, rate, seed, offset)
    scale = x.dtype.type(1 / (1 - rate)) if mode == "inverted" else x.dtype.type(1)
    return np.where(keep, x * scale, 0).astype(x.dtype), keep.astype(np.uint8)


def dropout_backward(dy, mask, rate, mode="inverted"):
    scale = dy.dtype.type(1 / (1 - rate)) if mode == "inverted" else dy.dtype.type(1)
    return np.where(mask.astype(bool), dy * scale, 0).astype(dy.dtype)


# ---- optimizers, in place ----
def _reg_grad(p, grad, l1, l2):
    return grad + p.dtype.type(l2) * p + p.dtype.type(l1) * np.sign(p)


def sgd_step(params, grad, velocity=None, *, lr, momentum=0.0, nesterov=False, l1=0.0,
             l2=0.0, weight_decay=0.0):
    T = params.dtype.type
    g = _reg_grad(params, grad, l1, l2)
    p = params - T(lr * weight_decay) * params
    if momentum == 0:
        p = p - T(lr) * g
    else:
        velocity[...] = T(momentum) * velocity - T(lr) * g
        p = p + (T(momentum) * velocity - T(lr) * g if nesterov else velocity)
    params[...] = p
    return params


def adam_step(params, grad, m, v, *, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, l1=0.0,
              l2=0.0, weight_decay=0.0, eps_style="hat"):
    T = params.dtype.type
    g = _reg_grad(params, grad, l1, l2)
    p = params - T(lr * weight_decay) * params
    m[...] = T(beta1) * m + (1 - T(beta1)) * g
    v[...] = T(beta2) * v + (1 - T(beta2)) * g * g
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    if eps_style == "sklearn":
        p = p - T(lr * np.sqrt(c2) / c1) * m / (np.sqrt(v) + T(eps))
    else:
        p = p - T(lr / c1) * m / (np.sqrt(v * T(1 / c2)) + T(eps))
    params[...] = p
    return params
