"""The linear models' L-BFGS fits (fastnn/linear.py), on standardized features.

scipy's L-BFGS-B minimizes the penalized mean loss over the weights of the
features centred and scaled, x_s = (x - mean) / scale (scale: the
deviation, or sqrt(variance + l2) with an l2 penalty: standardize()),
then maps the optimum back: the weights w = w_s / scale with the intercepts
b = b_s - mean . w (thresholds theta = theta_s + mean . w) give the same
logits, and the penalties are written in w (0.5 l2 sum (w_s / scale)^2 and
l1 sum |w_s| / scale), so the optimum is the same one.  What changes is the
curvature lbfgs sees.  On raw features a feature of offset 1e4 and spread 1
moves the logits through its weight 1e8 times more strongly than the
intercept does, and lbfgs stops ("relative reduction") with that weight
near 0; a feature of scale 1e-6 has a gradient under any tolerance at the
start, so lbfgs "converges" to the intercepts alone.  Standardized, `tol`
(scipy's gtol) means the same on any data.

A sparse X is centred and scaled without being filled in: CentredSparse
keeps it sparse and adds the centring to each product as a rank-one term
(in float64, where the cancellation of a large mean costs little).
"""
import numpy as np

from . import ops
from ._linear_base import ConvergenceWarning
from ._parallel import single_threaded_blas
from ._warn import warn
from ._values import is_sparse
from .scaled import column_moments

EPS64 = float(np.finfo(np.float64).eps)


# The largest gradient (on the standardized features lbfgs fits) that lbfgs
# may leave when it stops because the loss no longer falls: converged fits
# leave under 1e-5 (float64) or 2e-3 (float32, whose loss stops resolving
# smaller steps); stalled ones far more.
STALLED_GRADIENT = {np.dtype(np.float64): 1e-3, np.dtype(np.float32): 1e-2}


def final_gradient(res, n_weights, n_copies=1):
    """lbfgs's final gradient: res.x holds n_copies times the n_weights
    weights (n_copies=2: the l1 split, bounded below by 0), then the rest;
    a positive gradient at the bound 0 is no reason to move, so it counts 0."""
    gradient = np.array(res.jac, dtype=np.float64)
    if n_copies == 2:
        m = n_weights * 2
        gradient[:m][(res.x[:m] <= 0) & (gradient[:m] > 0)] = 0
    return gradient


def _warn_unless_converged(res, max_iter, gradient=None, dtype=np.float64):
    """lbfgs's result: out of iterations, or stopped by its line search or
    because the loss stopped falling with a gradient (final_gradient) still
    larger than STALLED_GRADIENT: at the dtype's resolution a stop is
    convergence (float32's loss often ends its line search so)."""
    if res.status == 1:
        warn("lbfgs stopped after max_iter=%d iterations; increase max_iter" % max_iter,
             ConvergenceWarning)
        return
    if res.success and "REDUCTION" not in str(res.message).upper():
        return  # stopped on its gradient tolerance
    largest = np.inf if gradient is None else float(np.max(np.abs(gradient)))
    if largest <= STALLED_GRADIENT[np.dtype(dtype)]:
        return
    flat = (" or a loss flat at float32's resolution (dtype='float64')"
            if np.dtype(dtype) == np.float32 else "")
    warn("lbfgs stopped after %d iterations far from the optimum (%s, with a gradient of "
         "%.2g): separable classes (weights that grow without bound: add l2)%s are common "
         "causes" % (res.nit, str(res.message).strip() or "the loss stopped falling", largest,
                     flat), ConvergenceWarning)


def _sparse_moments(X):
    """(mean, std, constant) of a CSR X's columns in float64, implicit zeros
    counted, from x / max|x| per column (no square overflows)."""
    n, d = X.shape
    top = np.asarray(abs(X).max(axis=0).toarray(), dtype=np.float64).ravel()
    top[~(top > 0)] = 1.0
    unit = X.data.astype(np.float64) / top[X.indices]
    mean = np.bincount(X.indices, unit, minlength=d) / n
    stored = np.bincount(X.indices, minlength=d)
    dev = unit - mean[X.indices]
    var = (np.bincount(X.indices, dev * dev, minlength=d) + (n - stored) * mean * mean) / n
    high = np.asarray(X.max(axis=0).toarray(), dtype=np.float64).ravel()
    low = np.asarray(X.min(axis=0).toarray(), dtype=np.float64).ravel()
    return mean * top, np.sqrt(var) * top, high == low


class CentredSparse:
    """(X - mean) / scale of a CSR X, as its products read it: X scaled in
    float64 and kept sparse, the centring a rank-one term of each product
    (a column of mean 200 standard deviations, uncentred, left lbfgs at
    max_iter with its weight a tenth of the optimum's)."""

    dtype = np.dtype(np.float64)

    def __init__(self, X, mean, inv):
        self.X = X.astype(np.float64)
        self.X.data *= inv[self.X.indices]
        self.shift = mean * inv  # the centred columns' offsets (0 for constant ones)
        self.shape = X.shape


def _standardize_sparse(X, l2):
    """standardize for a CSR X: a CentredSparse in place of the dense copy."""
    mean, std, constant = _sparse_moments(X)
    scale = np.hypot(std, np.sqrt(l2)).astype(X.dtype).astype(np.float64)
    scale[constant | ~(scale > 0) | ~np.isfinite(scale)] = 1
    inv = np.where(constant, 0.0, 1 / scale)
    return CentredSparse(X, np.where(constant, 0.0, mean), inv), mean, scale


def product(X, W, b=None):
    """X W (+ b) for a dense X or a CentredSparse."""
    if isinstance(X, CentredSparse):
        z = ops.linear(X.X, W, b)
        z -= X.shift @ W
        return z
    return ops.linear(X, W, b)


def transposed_product(X, G):
    """X^T G (d, k) for a dense X or a CentredSparse, and a dense G (n, k)."""
    if isinstance(X, CentredSparse):
        return np.asarray(X.X.T @ G) - np.outer(X.shift, G.sum(axis=0))
    return ops.matmul(X, G, trans_a=True)


def standardize(X, l2=0.0):
    """(X_s, mean, scale): X's columns centred and divided by
    sqrt(variance + l2), in X's dtype (a copy), with the mean and scale
    actually applied, as float64 (X's dtype's roundings of them).  Each
    weight's curvature at the start, data (about the variance) plus
    penalty (l2), is then about 1: unit deviation without a penalty, and
    a tiny feature whose weight the penalty holds near 0 is not blown up
    into a penalty 1e12 times more curved than the rest.  A constant
    column (its deviation at rounding level: the mean of 0.1s is not 0.1
    exactly) becomes 0 with scale 1, not a copy of the intercept scaled by
    1e15; features past 1e154 keep their moments (column_moments).  A
    sparse X stays sparse (a CentredSparse)."""
    if is_sparse(X):
        return _standardize_sparse(X.tocsr(), l2)
    mean, std = column_moments(X)
    # the float64 mean of a constant column rounds by a few float64 ulps
    # (pairwise sums); a float32 column's deviation is never that small, a
    # float64 one's only when it varies in its last bits (and is noise)
    constant = std <= 64 * EPS64 * np.abs(mean)
    # a constant column's rounding-level deviation grows with the rows (about
    # 0.1 n ulps measured); only columns that small are read again for max == min
    maybe = np.flatnonzero(~constant & (std <= max(len(X), 64) * EPS64 * np.abs(mean)))
    if len(maybe):
        constant[maybe] = X[:, maybe].max(axis=0) == X[:, maybe].min(axis=0)
    mean = mean.astype(X.dtype)
    Xs = np.array(X, dtype=X.dtype, order="C", copy=True)
    Xs -= mean  # exact where x is near its mean (within a factor 2)
    scale = np.hypot(std, np.sqrt(l2)).astype(X.dtype)  # sqrt(var + l2), no overflow
    scale[constant | ~(scale > 0) | ~np.isfinite(scale)] = 1
    Xs[:, constant] = 0
    Xs /= scale
    return Xs, mean.astype(np.float64), scale.astype(np.float64)


def _minimize(minimize, objective, start, max_iter, tol, bounds=None, args=()):
    with single_threaded_blas():
        return minimize(objective, start, args=args, jac=True, method="L-BFGS-B",
                        bounds=bounds, options={"maxiter": int(max_iter), "gtol": float(tol),
                                                "ftol": 64 * EPS64, "maxls": 50})


def fit_logistic(minimize, X, target, n_out, binary, l1, l2, max_iter, tol):
    """(W (d, n_out), b (n_out,), iterations) of logistic regression on X:
    mean (binary) cross-entropy + l1 ||W||_1 + 0.5 l2 ||W||^2."""
    Xs, mean, scale = standardize(X, l2)
    if target.dtype.kind == "f":  # the logits' dtype (a CentredSparse computes in float64)
        target = target.astype(Xs.dtype)
    d = X.shape[1]
    n_w = d * n_out
    loss_name = "binary_cross_entropy" if binary else "cross_entropy"
    per_weight = np.repeat(1.0 / scale, n_out)  # W (d, n_out) raveled by rows

    def unpack(theta):
        # with l1 the weights are split W = W+ - W- (both >= 0) so the
        # penalty l1 sum(W+ + W-) is smooth for L-BFGS-B
        W = theta[:n_w] - theta[n_w:2 * n_w] if l1 > 0 else theta[:n_w]
        return W, theta[-n_out:]

    def objective(theta):
        W, b = unpack(theta)
        z = product(Xs, W.reshape(d, n_out).astype(Xs.dtype), b.astype(Xs.dtype))
        value, G = ops.loss(loss_name, z, target)     # G = d mean-loss / dz
        dW = transposed_product(Xs, G).astype(np.float64).ravel()   # (d, n_out)
        db = ops.column_sums(G).astype(np.float64)
        if l2:  # the raw weights of a tiny feature's column can square past float64
            w = W * per_weight                        # the weights of the raw features
            value += 0.5 * l2 * float(w @ w)
            dW += l2 * w * per_weight
        if l1 > 0:
            value += l1 * float(theta[:2 * n_w] @ np.tile(per_weight, 2))
            return value, np.concatenate([dW + l1 * per_weight, -dW + l1 * per_weight, db])
        return value, np.concatenate([dW, db])

    n_theta = (2 * n_w if l1 > 0 else n_w) + n_out
    bounds = [(0, None)] * (2 * n_w) + [(None, None)] * n_out if l1 > 0 else None
    res = _minimize(minimize, objective, np.zeros(n_theta), max_iter, tol, bounds)
    gradient = final_gradient(res, n_w, 1 + (l1 > 0))
    _warn_unless_converged(res, max_iter, gradient, X.dtype)
    W, b = unpack(res.x)
    W = W.reshape(d, n_out) / scale[:, None]
    b = b - mean @ W
    if n_out > 1:  # softmax's intercepts, reported centred (l1's W shifts their sum)
        b -= b.mean()
    return W, b, int(res.nit)


def _unpack(params, d):
    """(w, theta) from the unconstrained vector [w, theta_0, log d_1..log d_{K-2}]."""
    w, t = params[:d], params[d:]
    theta = np.cumsum(np.concatenate([t[:1], np.exp(t[1:])]))
    return w, theta


def _pack(w, theta):
    return np.concatenate([w, theta[:1], np.log(np.diff(theta))])


def ordinal_objective(params, X, index, l2, per_weight=None):
    """(objective, gradient) of the proportional odds model P(y <= k | x) =
    sigmoid(theta_k - w.x) at the unconstrained params: the mean negative
    log-likelihood + 0.5 l2 ||w * per_weight||^2, per_weight (None: 1)
    turning X's weights into those the penalty is written in (1 / scale
    for standardized X)."""
    n, d = X.shape
    w, theta = _unpack(params, d)
    eta = product(X, w.reshape(-1, 1).astype(X.dtype)).ravel().astype(np.float64)
    ext = np.concatenate([[-np.inf], theta, [np.inf]])
    a = ext[index + 1] - eta          # upper cut:  P = F(a) - F(b)
    b = ext[index] - eta              # lower cut
    # a - b, the gap between the thresholds, from its parameter: via eta (or
    # theta) it cancels to 0 where |eta| >> the gap, and 0 * inf gives NaN
    gap = np.concatenate([[np.inf], np.exp(params[d + 1:]), [np.inf]])[index]
    # log(F(a) - F(b)) = log F(a) + log(1 - F(b)) + log(1 - e^(b - a)), stable at +-inf
    with np.errstate(divide="ignore", over="ignore"):
        logp = -np.logaddexp(0, -a) - np.logaddexp(0, b) + np.log(-np.expm1(-gap))
        r = 1.0 / np.expm1(gap)       # 0 when a or b is infinite, or the gap is huge
    ga = 1.0 / (1.0 + np.exp(np.minimum(a, 700))) + r    # d logP / da = 1 - F(a) + r
    gb = -1.0 / (1.0 + np.exp(-np.maximum(b, -700))) - r  # d logP / db = -F(b) - r
    ga[np.isinf(a)] = 0.0
    gb[np.isinf(b)] = 0.0
    value = -logp.mean()
    # d eta = -(d a) = -(d b): dNLL/dw = (1/n) X^T (ga + gb)
    G = ((ga + gb) / n).reshape(-1, 1).astype(X.dtype)
    gw = transposed_product(X, G).ravel().astype(np.float64)
    if l2:  # (skipped without: the raw weights of a tiny feature can square past float64)
        pw = 1.0 if per_weight is None else per_weight
        raw = w * pw
        value += 0.5 * l2 * float(raw @ raw)
        gw += l2 * raw * pw
    K1 = theta.shape[0]
    gtheta = -(np.bincount(index, ga, minlength=K1 + 1)[:K1]
               + np.bincount(index, gb, minlength=K1 + 1)[1:K1 + 1]) / n
    # theta_j = t_0 + sum_{i<=j, i>=1} exp(d_i): chain rule by a reverse cumsum
    tail = np.cumsum(gtheta[::-1])[::-1]
    gt = np.concatenate([tail[:1], tail[1:] * np.exp(params[d + 1:])])
    return value, np.concatenate([gw, gt])


def fit_ordinal(minimize, X, index, n_classes, l2, max_iter, tol):
    """(w (d,), theta (K-1,), iterations, final objective) of the
    proportional odds model on X, from w = 0 with the thresholds at the
    logits of the cumulative class frequencies (strictly increasing: every
    class occurs)."""
    Xs, mean, scale = standardize(X, l2)
    n, d = X.shape
    cum = np.cumsum(np.bincount(index, minlength=n_classes))[:-1] / n
    theta0 = np.log(cum) - np.log1p(-cum)
    res = _minimize(minimize, ordinal_objective, _pack(np.zeros(d), theta0), max_iter, tol,
                    args=(Xs, index, float(l2), 1.0 / scale))
    gradient = final_gradient(res, d)
    gradient[d + 1:] /= np.exp(res.x[d + 1:])  # per threshold, not per log of its gap
    _warn_unless_converged(res, max_iter, gradient, X.dtype)
    w, theta = _unpack(res.x, d)
    w = w / scale
    return w, theta + mean @ w, int(res.nit), float(res.fun)
