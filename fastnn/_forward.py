"""The one forward path: every predict, predict_proba, score, evaluate and
validation pass of fastnn.MLP, the scikit-learn estimators and the linear
models runs here.

Rows go through the network PREDICT_CHUNK at a time: memory stays bounded by
one chunk's activations, and each kernel call is short and GIL-free, so
Ctrl-C (a KeyboardInterrupt raised between two calls) stops a large predict
promptly.  Every row's result is independent of the chunking (each kernel
computes a row from that row alone), so chunked and whole-array results are
bit-identical.
"""
import numpy as np

from . import ops
from ._values import dense, sparse_pays

PREDICT_CHUNK = 8192  # rows per forward chunk: bounded memory, prompt Ctrl-C
DENSE_CHUNK_BYTES = 64 << 20  # at most this much of sparse X made dense at once


def dense_chunk_rows(n_features, dtype):
    """Rows of a sparse X made dense at once: DENSE_CHUNK_BYTES of them (at
    least one), for predictions here and the drop-ins' epochs."""
    return max(1, DENSE_CHUNK_BYTES // (n_features * np.dtype(dtype).itemsize))


def apply_output(z, output, n_threads):
    """The output activation of the last pre-activation z (a new array, or z
    itself for identity)."""
    if output == "softmax":
        return ops.softmax(z, n_threads=n_threads)
    if output in ("sigmoid", "logistic"):
        return ops.activation(z, "sigmoid", n_threads=n_threads)
    if output == "exp":  # scikit-learn's Poisson regressor
        return np.exp(z)
    return z


def raise_overflow(X, finite, start):
    """A ValueError naming the rows (of a chunk starting at row start) whose
    outputs are not finite (`finite`: a bool per row): a silent NaN would
    become a wrong label."""
    bad = np.flatnonzero(~finite)
    raise ValueError(
        "the network's outputs are not finite for %d row(s) (first: row %d, whose largest "
        "|input| as the network receives it is %.3g): %s overflowed inside the network. "
        "Inputs far outside the range of the training data, or weights that diverged, cause "
        "this." % (len(bad), start + bad[0],
                   float(np.max(np.abs(dense(X[bad[0]:bad[0] + 1])), initial=0)),
                   X.dtype.name))


def forward(X, coefs, intercepts, *, activation, output, n_threads, hidden_scale=None,
            with_logits=False, check_overflow=True):
    """The output activations of X (C-contiguous, the weights' dtype, or a
    SciPy CSR matrix of it, made dense a chunk of rows at a time), and with
    with_logits the last layer's pre-activations too, as (outputs, logits).

    activation: one name for every hidden layer, or a list of one per layer.
    hidden_scale: None, or one factor per hidden layer applied after its
    activation (classic dropout's retain probability; 1 or None skips it).
    n_threads: the count resolved once by the caller (fastnn/_parallel.py).
    check_overflow: a row whose logits or outputs are not finite raises a
    ValueError (inputs are checked finite before: something overflowed);
    False lets them through, for a training run's validation pass, whose
    divergence the trainer reports itself (scikit-learn scores such an
    epoch as NaN)."""
    n_layers = len(coefs)
    acts = [activation] * (n_layers - 1) if isinstance(activation, str) else activation
    n_out = coefs[-1].shape[1]
    outputs = np.empty((X.shape[0], n_out), dtype=X.dtype)
    logits = np.empty_like(outputs) if with_logits else None
    chunk_rows = PREDICT_CHUNK
    # a sparse X: the first layer reads its nonzeros, or (denser) its rows made dense
    sparse_rows = not isinstance(X, np.ndarray) and sparse_pays(X)
    if not isinstance(X, np.ndarray) and not sparse_rows:  # a chunk of wide rows is large
        chunk_rows = min(chunk_rows, dense_chunk_rows(X.shape[1], X.dtype))
    for start in range(0, X.shape[0], chunk_rows):
        rows = slice(start, start + chunk_rows)
        h = chunk = X[rows] if sparse_rows else dense(X[rows])
        for l in range(n_layers - 1):
            h = ops.linear(h, coefs[l], intercepts[l], acts[l], n_threads=n_threads)
            if hidden_scale is not None and hidden_scale[l] not in (None, 1):
                h *= h.dtype.type(hidden_scale[l])
        z = ops.linear(h, coefs[-1], intercepts[-1], n_threads=n_threads)
        out = apply_output(z, output, n_threads)  # exp may overflow a finite z
        if check_overflow:
            finite = np.isfinite(z).all(axis=1) & np.isfinite(out).all(axis=1)
            if not finite.all():
                raise_overflow(chunk, finite, start)
        if logits is not None:
            logits[rows] = z
        outputs[rows] = out
    return (outputs, logits) if with_logits else outputs
