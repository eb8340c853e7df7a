"""Twins of the optimizer updates (part of fastnn.reference, split out by
family; import them from fastnn.reference)."""
import numpy as np

# ---- optimizers, in place ----
def _reg_grad(p, grad, l1, l2):
    return grad + p.dtype.type(l2) * p + p.dtype.type(l1) * np.sign(p)


def _flushed(x):
    """x with its subnormals as (signed) zeros: the compiled optimizer steps
    store their state so (csrc/ops/hot.inc)."""
    x = np.asarray(x)
    return np.where(np.abs(x) < np.finfo(x.dtype).tiny, x * 0, x)


def sgd_step(params, grad, velocity=None, *, lr, momentum=0.0, nesterov=False, l1=0.0,
             l2=0.0, weight_decay=0.0, n_threads=None):
    """Twin of fastnn.ops.sgd_step."""
    T = params.dtype.type
    g = _reg_grad(params, grad, l1, l2)
    p = params - T(lr * weight_decay) * params
    if momentum == 0:
        p = p - T(lr) * g
    else:
        velocity[...] = _flushed(T(momentum) * velocity - T(lr) * g)
        p = p + (T(momentum) * velocity - T(lr) * g if nesterov else velocity)
    params[...] = p
    return params


def adam_step(params, grad, m, v, *, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, l1=0.0,
              l2=0.0, weight_decay=0.0, eps_style="hat", n_threads=None):
    """Twin of fastnn.ops.adam_step."""
    T = params.dtype.type
    g = _reg_grad(params, grad, l1, l2)
    p = params - T(lr * weight_decay) * params
    m[...] = _flushed(T(beta1) * m + (1 - T(beta1)) * g)
    v[...] = _flushed(T(beta2) * v + (1 - T(beta2)) * g * g)
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    if eps_style == "sklearn":
        p = p - T(lr * np.sqrt(c2) / c1) * m / (np.sqrt(v) + T(eps))
    else:
        p = p - T(lr / c1) * m / (np.sqrt(v * T(1 / c2)) + T(eps))
    params[...] = p
    return params
