"""Loss and gradient of a whole batch from fastnn.ops, for what the compiled
epoch does not cover: scikit-learn's L-BFGS solver (one full-batch
evaluation per call, sample weights and the Poisson loss included), and the
estimators' forward pass for prediction.

Conventions are scikit-learn's (neural_network/_multilayer_perceptron.py,
_backprop): the data loss is a (weighted) mean over rows, summed over outputs
(squared error: averaged over outputs), plus 0.5 * alpha * ||W||^2 / sw_sum;
the gradient of the output pre-activation is (out - y) * sw / sw_sum for every
canonical pair (softmax + log-loss, logistic + binary log-loss, identity +
squared error, exp + Poisson).  fastnn's l1 adds l1 * sum |W| (as the epoch).

scikit-learn's log_loss and binary_log_loss clip each probability to
[eps, 1 - eps] (eps of the dtype) before its log, so the loss it reports,
and with it loss_curve_, the no-improvement rule and lbfgs's objective, caps
each -log p at -log(eps) (36.04 in float64, 15.94 in float32); the gradient
is not clipped.  The drop-ins report every cross-entropy so (the epoch, the
validation loss, lbfgs), with label_smoothing too: the clip bounds the
probabilities, whatever the targets, and keeps the smoothed loss on the
scale of the unsmoothed one.  fastnn.MLP reports the exact loss.
"""
import numpy as np
from scipy.special import xlogy

from . import ops
from ._forward import apply_output
from ._validate import canonical_activation
from ._values import is_sparse

# estimator out_activation_ -> the compiled epoch's (output, loss)
SESSION_OUTPUT = {"softmax": ("softmax", "cross_entropy"),
                  "logistic": ("sigmoid", "binary_cross_entropy"),
                  "identity": ("identity", "mse"), "exp": ("identity", "poisson")}
# estimator out_activation_ -> ops.loss name (None: computed here)
OPS_LOSS = {"softmax": "cross_entropy", "logistic": "binary_cross_entropy",
            "identity": "mse", "exp": None}


def forward(X, coefs, intercepts, activation, n_threads=None):
    """(hs, zs): the inputs of each layer (hs[0] = X) and every pre-activation,
    all kept for backprop (predictions run fastnn/_forward.py instead)."""
    act = canonical_activation(activation)
    hs, zs = [X], []
    for l, (w, b) in enumerate(zip(coefs, intercepts)):
        z = ops.linear(hs[-1], w, b, n_threads=n_threads)
        zs.append(z)
        if l < len(coefs) - 1:
            hs.append(ops.activation(z, act, n_threads=n_threads))
    return hs, zs


def probability_clip(out_activation, dtype):
    """The clip of scikit-learn's log losses for this output and dtype (0: none)."""
    return float(np.finfo(dtype).eps) if out_activation in ("softmax", "logistic") else 0.0


def _clipped_nll(nll, clip):
    """-log p with p clipped to [clip, 1 - clip], as ops.loss's probability_clip."""
    T = nll.dtype.type
    return np.clip(nll, -np.log1p(-T(clip)), -np.log(T(clip)))


def per_row_loss(z, out, Y, out_activation, n_threads, clip=0.0):
    """Each row's data loss from its pre-activation z and output out; clip:
    each -log p of a cross-entropy as if p were clipped to [clip, 1 - clip]."""
    if out_activation == "softmax":
        if clip:
            return (Y * _clipped_nll(-ops.log_softmax(z, n_threads=n_threads), clip)).sum(axis=1)
        return -(Y * ops.log_softmax(z, n_threads=n_threads)).sum(axis=1)
    if out_activation == "logistic":
        soft = np.log1p(np.exp(-np.abs(z)))
        if clip:  # -log p = softplus(-z), -log(1 - p) = softplus(z)
            return (Y * _clipped_nll(np.maximum(-z, 0) + soft, clip)
                    + (1 - Y) * _clipped_nll(np.maximum(z, 0) + soft, clip)).sum(axis=1)
        return (np.maximum(z, 0) - Y * z + soft).sum(axis=1)
    if out_activation == "exp":
        return (xlogy(Y, Y) - Y * z - Y + out).sum(axis=1)  # Y log(Y / e^z): no underflow
    return 0.5 * ((out - Y) ** 2).mean(axis=1)


def _data_loss(z, Y, sw, out_activation, n_threads, clip=0.0):
    """(value, dz): the weighted data loss (clip: per_row_loss's) and its
    gradient w.r.t. z (never clipped)."""
    n, k = z.shape
    name = OPS_LOSS[out_activation]
    if sw is None and name is not None:
        value, dz = ops.loss(name, z, Y, probability_clip=clip)
        return (value / k if name == "mse" else value), dz
    out = apply_output(z, out_activation, n_threads)
    sw_ = np.ones(n, dtype=z.dtype) if sw is None else sw
    sw_sum = sw_.sum()
    per_row = per_row_loss(z, out, Y, out_activation, n_threads, clip)
    value = float(np.dot(sw_, per_row) / sw_sum)
    dz = (out - Y) * (sw_ / sw_sum).astype(z.dtype)[:, None]
    return value, np.ascontiguousarray(dz, dtype=z.dtype)


def loss_grad(X, Y, sw, coefs, intercepts, activation, out_activation, alpha, l1=0.0,
              n_threads=None, clip=0.0):
    """(loss, coef_grads, intercept_grads) of one batch, alpha and l1 included;
    clip: per_row_loss's, of the loss only."""
    act = canonical_activation(activation)
    hs, zs = forward(X, coefs, intercepts, activation, n_threads)
    value, dz = _data_loss(zs[-1], Y, sw, out_activation, n_threads, clip)
    sw_sum = X.shape[0] if sw is None else float(sw.sum())
    sq = sum(float(np.dot(w.ravel(), w.ravel())) for w in coefs)
    value += 0.5 * alpha * sq / sw_sum + l1 * sum(float(np.abs(w).sum()) for w in coefs)
    coef_grads, intercept_grads = [None] * len(coefs), [None] * len(coefs)
    for l in range(len(coefs) - 1, -1, -1):
        if l == 0 and is_sparse(X):  # sparse rows: X^T dz at the cost of their nonzeros
            if len(coefs) > 1:
                dz = ops.activation_grad(act, zs[0], hs[1], dz, n_threads=n_threads)
            dx, dw = None, np.asarray(X.T @ dz, dtype=dz.dtype)
            db = ops.column_sums(dz, n_threads=n_threads)
        elif l == len(coefs) - 1:
            dx, dw, db = ops.linear_backward(hs[l], coefs[l], dz, dz, dz,
                                             n_threads=n_threads)
        else:
            # dz holds dL/da of layer l here; linear_backward applies g'(z)
            dx, dw, db = ops.linear_backward(hs[l], coefs[l], zs[l], hs[l + 1], dz, act,
                                             n_threads=n_threads)
        dw += (alpha / sw_sum) * coefs[l]
        if l1:
            dw += l1 * np.sign(coefs[l])
        coef_grads[l], intercept_grads[l] = dw, db
        dz = dx
    return value, coef_grads, intercept_grads
