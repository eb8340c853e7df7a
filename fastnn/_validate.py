"""Argument checks shared by the public layers.  Every check runs before any C
code, and every message names the argument and its shape or value."""
import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(x, name, ndim=None, dtype=None):
    """Return x as a float32/float64 ndarray without changing its dtype.

    Raises TypeError for anything that is not a float32/float64 array (ints,
    objects, mixed inputs are the caller's to convert explicitly) and
    ValueError for the wrong number of dimensions."""
    if not isinstance(x, np.ndarray):
        raise TypeError("%s must be a numpy array of float32 or float64, got %s"
                        % (name, type(x).__name__))
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError("%s must have dtype float32 or float64, got %s" % (name, x.dtype))
    if dtype is not None and x.dtype != dtype:
        raise TypeError("%s has dtype %s but the other operands are %s"
                        % (name, x.dtype, np.dtype(dtype)))
    if ndim is not None and x.ndim != ndim:
        raise ValueError("%s must be %d-D, got shape %s" % (name, ndim, x.shape))
    return x


def row_major_view(x):
    """(array, transposed, ld) such that x == array (or array.T if transposed),
    where array is row-major with unit column stride and row stride ld elements.
    Copies only when neither x nor x.T has that layout."""
    item = x.itemsize
    rows, cols = x.shape
    s0, s1 = x.strides
    if (s1 == item or cols <= 1) and s0 > 0 and s0 % item == 0 and s0 // item >= cols:
        return x, False, s0 // item
    if (s0 == item or rows <= 1) and s1 > 0 and s1 % item == 0 and s1 // item >= rows:
        return x.T, True, s1 // item
    c = np.ascontiguousarray(x)
    return c, False, max(cols, 1)


def check_rate(rate, name="rate"):
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise TypeError("%s must be a number in [0, 1), got %r" % (name, rate)) from None
    if not (0.0 <= rate < 1.0):
        raise ValueError("%s must be in [0, 1), got %r" % (name, rate))
    return rate
