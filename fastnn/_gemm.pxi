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
    size_t fnn_bf16_packed_units(int64_t k, int64_t n)
    int fnn_bf16_pack(int trans_b, const float *b, int64_t ldb, int64_t k, int64_t n,
                      uint32_t *dst) nogil
    int fnn_gemm_bf16_packed(int kernel, int trans_a, int64_t m, int64_t n, int64_t k,
                             float alpha, const float *a, int64_t lda, const uint32_t *b_packed,
                             float beta, float *c, int64_t ldc, const fnn_epilogue *epi,
                             void *work, size_t work_bytes) nogil
    int fnn_bf16_refresh(int kernel, const float *w, int64_t ldw, int64_t rows, int64_t cols,
                         int64_t r0, int64_t r1, int64_t c0, int64_t c1, uint32_t *fwd,
                         uint32_t *bwd) nogil


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
    cdef int status
    cdef int64_t ldc = c.strides[0] // c.itemsize if c.ndim == 2 and c.shape[0] > 1 else max(n, 1)
    cdef void *pa = cnp.PyArray_DATA(a)
    cdef void *pb = cnp.PyArray_DATA(b)
    cdef void *pc = cnp.PyArray_DATA(c)
    if bf16:
        with nogil:
            status = fnn_gemm_bf16(trans_a, trans_b, m, n, k, <float>alpha, <const float *>pa, lda,
                                   <const float *>pb, ldb, <float>beta, <float *>pc, ldc,
                                   NULL, NULL, 0)
    elif c.dtype == np.float32:
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


# Pre-packed bfloat16 weights (the trainer's path), exposed for the tests:
# C-contiguous float32 arrays only, shapes checked here.
def bf16_pack(bint trans_b, cnp.ndarray b, int64_t k, int64_t n):
    """(kernel, units): op(b) (k x n) packed as fnn_gemm_bf16's B operand."""
    if b.dtype != np.float32 or not b.flags.c_contiguous or b.ndim != 2 or \
            (b.shape[0], b.shape[1]) != ((n, k) if trans_b else (k, n)):
        raise ValueError("bf16_pack: b must be a C-contiguous float32 array of op shape (k, n)")
    units = np.zeros(fnn_bf16_packed_units(k, n), dtype=np.uint32)
    cdef int kernel = fnn_bf16_pack(trans_b, <const float *>cnp.PyArray_DATA(b), b.shape[1], k, n,
                                    <uint32_t *>cnp.PyArray_DATA(units))
    return kernel, units


def gemm_bf16_packed(int kernel, cnp.ndarray a, cnp.ndarray units, int64_t n):
    """a (m x k, C-contiguous float32) times a packed B of n columns."""
    if a.dtype != np.float32 or not a.flags.c_contiguous or a.ndim != 2 or \
            units.dtype != np.uint32 or units.shape[0] < <Py_ssize_t>fnn_bf16_packed_units(a.shape[1], n):
        raise ValueError("gemm_bf16_packed: bad operands")
    cdef int64_t m = a.shape[0], k = a.shape[1]
    cdef cnp.ndarray c = np.empty((m, n), dtype=np.float32)
    cdef const float *pa = <const float *>cnp.PyArray_DATA(a)
    cdef const uint32_t *pu = <const uint32_t *>cnp.PyArray_DATA(units)
    cdef float *pc = <float *>cnp.PyArray_DATA(c)
    cdef int st
    with nogil:
        st = fnn_gemm_bf16_packed(kernel, 0, m, n, k, 1, pa, k, pu, 0, pc, n if n > 1 else 1,
                                  NULL, NULL, 0)
    check_status(st, "gemm_bf16_packed")
    return c


def bf16_refresh(int kernel, cnp.ndarray w, int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                 cnp.ndarray fwd, cnp.ndarray bwd):
    """Rewrite the packed units of w[r0:r1, c0:c1] in both layouts."""
    rows, cols = w.shape[0], w.shape[1]
    if w.dtype != np.float32 or not w.flags.c_contiguous or \
            not (0 <= r0 <= r1 <= rows and 0 <= c0 <= c1 <= cols) or \
            fwd.shape[0] < <Py_ssize_t>fnn_bf16_packed_units(rows, cols) or \
            bwd.shape[0] < <Py_ssize_t>fnn_bf16_packed_units(cols, rows):
        raise ValueError("bf16_refresh: bad operands")
    check_status(fnn_bf16_refresh(kernel, <const float *>cnp.PyArray_DATA(w), cols, rows, cols,
                                  r0, r1, c0, c1, <uint32_t *>cnp.PyArray_DATA(fwd),
                                  <uint32_t *>cnp.PyArray_DATA(bwd)), "bf16_refresh")
