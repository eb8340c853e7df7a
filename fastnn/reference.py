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
