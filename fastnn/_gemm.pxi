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
