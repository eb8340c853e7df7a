"""fastnn.ops: one function per compiled kernel, NumPy in and NumPy out.

Each function checks dtypes, shapes and ranges, then calls the C kernel with
the GIL released.  Each has a pure-NumPy twin of the same name and signature
in fastnn.reference, which is its specification.
"""
import numpy as np

from . import _core
from ._validate import float_array, row_major_view


def matmul(a, b, *, trans_a=False, trans_b=False, out=None):
    """Return op(a) @ op(b), C-contiguous, in the inputs' dtype.

    ``trans_a=True`` means ``a`` is stored transposed, with shape (k, m); likewise
    ``trans_b`` for ``b`` of shape (n, k).  Any strides and C or Fortran order
    are accepted.  ``out``, if given, must be a C-contiguous (m, n) array of the
    same dtype; it may alias an input.
    """
    a = float_array(a, "a", ndim=2)
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
            out[...] = matmul(a, b, trans_a=trans_a, trans_b=trans_b)
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
               av, lda, bv, ldb, out, m, n, k)
    return out
