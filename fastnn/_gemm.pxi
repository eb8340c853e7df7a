# Bindings for csrc/gemm (included by _core.pyx).

cdef extern from "fastnn.h":
    ctypedef struct fnn_epilogue:
        pass
    int fnn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                     float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                     float beta, float *c, int64_t ldc,
                     const fnn_epilogue *epi, void *work, size_t work_bytes) nogil
    int fnn_gemm_f64(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                     double alpha, const double *a, int64_t lda, const double *b, int64_t ldb,
                     double beta, double *c, int64_t ldc,
                     const fnn_epilogue *epi, void *work, size_t work_bytes) nogil
    int fnn_gemm_bf16(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                      float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                      float beta, float *c, int64_t ldc,
                      const fnn_epilogue *epi, void *work, size_t work_bytes) nogil
    int fnn_bf16_native()


def bf16_native():
    """True when bfloat16 compute runs on vdpbf16ps (else a portable kernel)."""
    return bool(fnn_bf16_native())


def gemm(bint trans_a, bint trans_b, cnp.ndarray a, int64_t lda, cnp.ndarray b, int64_t ldb,
         cnp.ndarray c, int64_t m, int64_t n, int64_t k, double alpha=1.0, double beta=0.0,
         bint bf16=False):
    """C = alpha op(A) op(B) + beta C on validated arrays (see ops.matmul).

    a, b, c are arrays whose first element starts the matrix; row strides are
    lda, ldb and c's own, in elements.  bf16: float32 operands rounded to
    bfloat16 before they are multiplied."""
    cdef int64_t ldc = c.strides[0] // c.itemsize if c.ndim == 2 and c.shape[0] > 1 else max(n, 1)
    _gemm(trans_a, trans_b, a, lda, b, ldb, c, ldc, m, n, k, alpha, beta, bf16)


cdef int _gemm(bint trans_a, bint trans_b, cnp.ndarray a, int64_t lda, cnp.ndarray b,
               int64_t ldb, cnp.ndarray c, int64_t ldc, int64_t m, int64_t n, int64_t k,
               double alpha, double beta, bint bf16) except -1:
    cdef int status
    cdef void *pa = cnp.PyArray_DATA(a)
    cdef void *pb = cnp.PyArray_DATA(b)
    cdef void *pc = cnp.PyArray_DATA(c)
    if bf16:
        with nogil:
            status = fnn_gemm_bf16(trans_a, trans_b, m, n, k, <float>alpha, <const float *>pa, lda,
                                   <const float *>pb, ldb, <float>beta, <float *>pc, ldc,
                                   NULL, NULL, 0)
    elif cnp.PyArray_TYPE(c) == cnp.NPY_FLOAT32:
        with nogil:
            status = fnn_gemm_f32(trans_a, trans_b, m, n, k, <float>alpha, <const float *>pa, lda,
                                  <const float *>pb, ldb, <float>beta, <float *>pc, ldc,
                                  NULL, NULL, 0)
    else:
        with nogil:
            status = fnn_gemm_f64(trans_a, trans_b, m, n, k, alpha, <const double *>pa, lda,
                                  <const double *>pb, ldb, beta, <double *>pc, ldc,
                                  NULL, NULL, 0)
    check_status(status, "gemm")
    return 0


cdef bint _row_major(cnp.ndarray x, bint *flipped, int64_t *ld):
    """Whether 2-D x or x.T is row-major with unit column stride (flipped says
    which) and row stride ld elements, so GEMM reads it without a copy."""
    cdef Py_ssize_t item = cnp.PyArray_ITEMSIZE(x)
    cdef Py_ssize_t rows = x.shape[0], cols = x.shape[1], s0 = x.strides[0], s1 = x.strides[1]
    if (s1 == item or cols <= 1) and s0 > 0 and s0 % item == 0 and s0 // item >= cols:
        flipped[0] = False
        ld[0] = s0 // item
        return True
    if (s0 == item or rows <= 1) and s1 > 0 and s1 % item == 0 and s1 // item >= rows:
        flipped[0] = True
        ld[0] = s1 // item
        return True
    return False


def row_major_layout(cnp.ndarray x):
    """(flipped, ld) when GEMM can read 2-D x in place (see _row_major), else None."""
    cdef bint flipped
    cdef int64_t ld
    return (flipped, ld) if _row_major(x, &flipped, &ld) else None


cdef Py_ssize_t _extent(cnp.ndarray x):
    """Bytes from x's first element to one past its last (positive strides)."""
    return (x.shape[0] - 1) * x.strides[0] + (x.shape[1] - 1) * x.strides[1] + cnp.PyArray_ITEMSIZE(x)


def matmul_fast(a, b, bint trans_a, bint trans_b, out, bint bf16):
    """ops.matmul for the common case, validated here at C speed: two 2-D
    float arrays of one dtype whose layouts need no copy, sizes > 0, and out
    None or a writeable C-contiguous (m, n) array of that dtype that overlaps
    neither input.  Returns None for anything else, which ops.matmul then
    handles (and explains) in Python."""
    if not (cnp.PyArray_Check(a) and cnp.PyArray_Check(b)):
        return None
    cdef cnp.ndarray A = <cnp.ndarray>a, B = <cnp.ndarray>b, C
    cdef int typ = cnp.PyArray_TYPE(A)
    if A.ndim != 2 or B.ndim != 2 or cnp.PyArray_TYPE(B) != typ or \
            (typ != cnp.NPY_FLOAT32 and (bf16 or typ != cnp.NPY_FLOAT64)):
        return None
    cdef int64_t m = A.shape[1] if trans_a else A.shape[0]
    cdef int64_t k = A.shape[0] if trans_a else A.shape[1]
    cdef int64_t kb = B.shape[1] if trans_b else B.shape[0]
    cdef int64_t n = B.shape[0] if trans_b else B.shape[1]
    cdef bint fa, fb
    cdef int64_t lda, ldb
    cdef char *lo
    cdef char *hi
    cdef char *start
    if m <= 0 or n <= 0 or k <= 0 or kb != k or not _row_major(A, &fa, &lda) or \
            not _row_major(B, &fb, &ldb):
        return None
    if out is None:
        C = np.empty((m, n), dtype=A.dtype)
    else:
        if not cnp.PyArray_Check(out):
            return None
        C = <cnp.ndarray>out
        if C.ndim != 2 or cnp.PyArray_TYPE(C) != typ or C.shape[0] != m or C.shape[1] != n or \
                not cnp.PyArray_IS_C_CONTIGUOUS(C) or not cnp.PyArray_ISWRITEABLE(C):
            return None
        lo = <char *>cnp.PyArray_DATA(C)
        hi = lo + _extent(C)
        start = <char *>cnp.PyArray_DATA(A)
        if start < hi and lo < start + _extent(A):
            return None
        start = <char *>cnp.PyArray_DATA(B)
        if start < hi and lo < start + _extent(B):
            return None
    _gemm(trans_a != fa, trans_b != fb, A, lda, B, ldb, C, n, m, n, k, 1.0, 0.0, bf16)
    return C
