"""Twins of the counter-based generator and of dropout (part of
fastnn.reference, split out by family; import them from fastnn.reference)."""
import numpy as np

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


def dropout(x, rate, *, seed, offset=0, mode="inverted", n_threads=None):
    """Twin of fastnn.ops.dropout."""
    keep = dropout_keep(x.shape, rate, seed, offset)
    scale = x.dtype.type(1 / (1 - rate)) if mode == "inverted" else x.dtype.type(1)
    return np.where(keep, x * scale, 0).astype(x.dtype), keep.astype(np.uint8)


def dropout_backward(dy, mask, rate, mode="inverted", *, n_threads=None):
    """Twin of fastnn.ops.dropout_backward."""
    scale = dy.dtype.type(1 / (1 - rate)) if mode == "inverted" else dy.dtype.type(1)
    return np.where(mask.astype(bool), dy * scale, 0).astype(dy.dtype)
