"""Twins of the losses (part of fastnn.reference, split out by family; import
them from fastnn.reference): summed over outputs, averaged over rows, the
gradient with respect to the logits."""
import numpy as np


def _log_softmax(z):
    """reference.log_softmax."""
    s = z - z.max(axis=1, keepdims=True, initial=-np.inf)
    with np.errstate(divide="ignore"):  # (m, 0): log 0 beside no entries
        return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _sigmoid(z):
    one, e = z.dtype.type(1), np.exp(-np.abs(z))
    return np.where(z >= 0, one / (one + e), e / (one + e))


def _clipped(nll, clip):
    """-log p as if p were clipped to [clip, 1 - clip] (scikit-learn's log_loss)."""
    T = nll.dtype.type
    return np.clip(nll, -np.log1p(-T(clip)), -np.log(T(clip)))


def loss(name, logits, target, *, label_smoothing=0.0, probability_clip=0.0):
    """Twin of fastnn.ops.loss."""
    m = max(logits.shape[0], 1)  # no rows: a loss of 0 and an empty gradient
    target = np.asarray(target)
    eps = logits.dtype.type(label_smoothing)
    clip = float(probability_clip)
    if clip and name not in ("cross_entropy", "binary_cross_entropy"):
        raise ValueError("probability_clip needs cross_entropy or binary_cross_entropy")
    if name == "cross_entropy":
        if target.ndim == 1:
            target = np.eye(logits.shape[1], dtype=logits.dtype)[target]
        target = target.astype(logits.dtype)
        if eps:
            target = (1 - eps) * target + eps / logits.dtype.type(logits.shape[1])
        logp = _log_softmax(logits)
        if clip:
            value = (target * _clipped(-logp, clip)).sum() / m
        else:
            value = -(target * logp).sum() / m
        grad = (target.sum(axis=1, keepdims=True) * np.exp(logp) - target) / m
    elif name == "binary_cross_entropy":
        t = target.astype(logits.dtype) * (1 - eps) + eps / 2
        soft = np.log1p(np.exp(-np.abs(logits)))
        if clip:  # -log p = softplus(-z), -log(1 - p) = softplus(z), each clipped
            nlp = _clipped(np.maximum(-logits, 0) + soft, clip)
            nlq = _clipped(np.maximum(logits, 0) + soft, clip)
            value = (t * nlp + (1 - t) * nlq).sum() / m
        else:
            value = (np.maximum(logits, 0) - t * logits + soft).sum() / m
        grad = (_sigmoid(logits) - t) / m
    elif name == "mse":
        d = logits - target.astype(logits.dtype)
        value = 0.5 * (d * d).sum() / m
        grad = d / m
    elif name == "poisson":
        rows, grad = _poisson_rows(logits, target.astype(logits.dtype))
        value = rows.sum() / m
        grad = grad / m
    else:
        raise ValueError("unknown loss %r" % name)
    return float(value), grad.astype(logits.dtype)


def _poisson_rows(z, t):
    """(per-row half deviance of the rate exp(z), unscaled gradient exp(z) - t)."""
    rate = np.exp(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        xlogy = np.where(t == 0, 0, t * (np.log(t) - z))  # log(t / e^z), past e^z's underflow
    return (xlogy - t + rate).sum(axis=1), rate - t


def _weighted_loss(name, logits, target, w, *, label_smoothing=0.0, probability_clip=0.0):
    """The compiled epoch's weighted loss: sum_i w_i loss_i / sum_i w_i, and
    row i of the gradient scaled by w_i / sum_i w_i (None: loss).  Each row's
    loss comes from the unweighted twin, one row at a time."""
    opts = dict(label_smoothing=label_smoothing, probability_clip=probability_clip)
    if w is None:
        return loss(name, logits, target, **opts)
    m = logits.shape[0]
    target = np.asarray(target)
    rows = np.empty(m)
    grad = np.empty_like(logits)
    for i in range(m):
        rows[i], g = loss(name, logits[i:i + 1], target[i:i + 1], **opts)
        grad[i] = g[0]
    w_sum = float(w.astype(np.float64).sum())
    if w_sum == 0:
        raise ValueError("sample_weight sums to zero")
    value = float(np.dot(w.astype(np.float64), rows) / w_sum)
    scale = (w.astype(np.float64) / w_sum).astype(logits.dtype)
    return value, (grad * scale[:, None]).astype(logits.dtype)
