# Bindings for csrc/ops (included by _core.pyx).  Arguments arrive validated
# by fastnn/ops.py: C-contiguous, one float dtype, matching sizes.

cdef extern from "fastnn.h":
    int fnn_act_fwd_f32(float *a, const float *z, int64_t size, int act) nogil
    int fnn_act_fwd_f64(double *a, const double *z, int64_t size, int act) nogil
    int fnn_act_bwd_f32(float *dz, const float *da, const float *z, const float *a,
                        int64_t size, int act) nogil
    int fnn_act_bwd_f64(double *dz, const double *da, const double *z, const double *a,
                        int64_t size, int act) nogil
    int fnn_colsum_f32(float *out, const float *x, int64_t m, int64_t n) nogil
    int fnn_colsum_f64(double *out, const double *x, int64_t m, int64_t n) nogil
    int fnn_softmax_f32(float *out, const float *z, int64_t m, int64_t n) nogil
    int fnn_softmax_f64(double *out, const double *z, int64_t m, int64_t n) nogil
    int fnn_log_softmax_f32(float *out, const float *z, int64_t m, int64_t n) nogil
    int fnn_log_softmax_f64(double *out, const double *z, int64_t m, int64_t n) nogil
    int fnn_softmax_bwd_f32(float *dz, const float *da, const float *a, int64_t m, int64_t n) nogil
    int fnn_softmax_bwd_f64(double *dz, const double *da, const double *a, int64_t m,
                            int64_t n) nogil
    int fnn_loss_f32(double *value, float *grad, const float *logits, const float *target,
                     const int64_t *labels, int64_t m, int64_t n, int kind) nogil
    int fnn_loss_f64(double *value, double *grad, const double *logits, const double *target,
                     const int64_t *labels, int64_t m, int64_t n, int kind) nogil
    int fnn_dense_fwd_f32(float *a, float *z, const float *x, const float *w, const float *b,
                          int64_t m, int64_t n, int64_t k, int act) nogil
    int fnn_dense_fwd_f64(double *a, double *z, const double *x, const double *w,
                          const double *b, int64_t m, int64_t n, int64_t k, int act) nogil
    int fnn_dense_bwd_f32(float *dx, float *dw, float *db, float *dz, const float *da,
                          const float *x, const float *w, const float *z, const float *a,
                          int64_t m, int64_t n, int64_t k, int act) nogil
    int fnn_dense_bwd_f64(double *dx, double *dw, double *db, double *dz, const double *da,
                          const double *x, const double *w, const double *z, const double *a,
                          int64_t m, int64_t n, int64_t k, int act) nogil
    int fnn_dropout_fwd_f32(float *y, uint8_t *mask, const float *x, int64_t size, double rate,
                            uint64_t seed, uint64_t offset, int mode) nogil
    int fnn_dropout_fwd_f64(double *y, uint8_t *mask, const double *x, int64_t size,
                            double rate, uint64_t seed, uint64_t offset, int mode) nogil
    int fnn_dropout_bwd_f32(float *dx, const float *dy, const uint8_t *mask, int64_t size,
                            double rate, int mode) nogil
    int fnn_dropout_bwd_f64(double *dx, const double *dy, const uint8_t *mask, int64_t size,
                            double rate, int mode) nogil
    int fnn_sgd_step_f32(float *p, float *v, const float *grad, int64_t size, double lr,
                         double momentum, int nesterov, double l1, double l2,
                         double weight_decay) nogil
    int fnn_sgd_step_f64(double *p, double *v, const double *grad, int64_t size, double lr,
                         double momentum, int nesterov, double l1, double l2,
                         double weight_decay) nogil
    int fnn_adam_step_f32(float *p, float *m, float *v, const float *grad, int64_t size,
                          double lr, double beta1, double beta2, double eps, int64_t t,
                          double l1, double l2, double weight_decay, int eps_style) nogil
    int fnn_adam_step_f64(double *p, double *m, double *v, const double *grad, int64_t size,
                          double lr, double beta1, double beta2, double eps, int64_t t,
                          double l1, double l2, double weight_decay, int eps_style) nogil
    uint64_t fnn_rng_bits(uint64_t seed, uint64_t counter) nogil


cdef inline void *ptr(object x):
    """Data pointer of an ndarray, NULL for None."""
    if x is None:
        return NULL
    return cnp.PyArray_DATA(<cnp.ndarray>x)


cdef inline bint is_f32(cnp.ndarray x):
    return cnp.PyArray_TYPE(x) == cnp.NPY_FLOAT32


def act_fwd(cnp.ndarray a, cnp.ndarray z, int act):
    cdef int st
    cdef int64_t size = z.size
    cdef void *pa = ptr(a)
    cdef void *pz = ptr(z)
    cdef bint f32 = is_f32(z)
    with nogil:
        if f32:
            st = fnn_act_fwd_f32(<float *>pa, <const float *>pz, size, act)
        else:
            st = fnn_act_fwd_f64(<double *>pa, <const double *>pz, size, act)
    check_status(st, "activation")


def act_bwd(cnp.ndarray dz, cnp.ndarray da, cnp.ndarray z, cnp.ndarray a, int act):
    cdef int st
    cdef int64_t size = dz.size
    cdef void *pdz = ptr(dz)
    cdef void *pda = ptr(da)
    cdef void *pz = ptr(z)
    cdef void *pa = ptr(a)
    cdef bint f32 = is_f32(dz)
    with nogil:
        if f32:
            st = fnn_act_bwd_f32(<float *>pdz, <const float *>pda, <const float *>pz,
                                 <const float *>pa, size, act)
        else:
            st = fnn_act_bwd_f64(<double *>pdz, <const double *>pda, <const double *>pz,
                                 <const double *>pa, size, act)
    check_status(st, "activation_grad")


def colsum(cnp.ndarray out, cnp.ndarray x):
    cdef int st
    cdef int64_t m = x.shape[0], n = x.shape[1]
    cdef void *po = ptr(out)
    cdef void *px = ptr(x)
    cdef bint f32 = is_f32(x)
    with nogil:
        if f32:
            st = fnn_colsum_f32(<float *>po, <const float *>px, m, n)
        else:
            st = fnn_colsum_f64(<double *>po, <const double *>px, m, n)
    check_status(st, "column_sums")


def softmax(cnp.ndarray out, cnp.ndarray z, bint log_form):
    cdef int st
    cdef int64_t m = z.shape[0], n = z.shape[1]
    cdef void *po = ptr(out)
    cdef void *pz = ptr(z)
    cdef bint f32 = is_f32(z)
    with nogil:
        if f32:
            st = (fnn_log_softmax_f32 if log_form else fnn_softmax_f32)(
                <float *>po, <const float *>pz, m, n)
        else:
            st = (fnn_log_softmax_f64 if log_form else fnn_softmax_f64)(
                <double *>po, <const double *>pz, m, n)
    check_status(st, "softmax")


def softmax_bwd(cnp.ndarray dz, cnp.ndarray da, cnp.ndarray a):
    cdef int st
    cdef int64_t m = a.shape[0], n = a.shape[1]
    cdef void *pdz = ptr(dz)
    cdef void *pda = ptr(da)
    cdef void *pa = ptr(a)
    cdef bint f32 = is_f32(a)
    with nogil:
        if f32:
            st = fnn_softmax_bwd_f32(<float *>pdz, <const float *>pda, <const float *>pa, m, n)
        else:
            st = fnn_softmax_bwd_f64(<double *>pdz, <const double *>pda, <const double *>pa,
                                     m, n)
    check_status(st, "softmax_grad")


def loss(object grad, cnp.ndarray logits, object target, object labels, int kind):
    """Mean loss over rows; fills grad (same shape as logits) unless None."""
    cdef int st
    cdef double value = 0
    cdef int64_t m = logits.shape[0], n = logits.shape[1]
    cdef void *pg = ptr(grad)
    cdef void *pz = ptr(logits)
    cdef void *pt = ptr(target)
    cdef void *pl = ptr(labels)
    cdef bint f32 = is_f32(logits)
    with nogil:
        if f32:
            st = fnn_loss_f32(&value, <float *>pg, <const float *>pz, <const float *>pt,
                              <const int64_t *>pl, m, n, kind)
        else:
            st = fnn_loss_f64(&value, <double *>pg, <const double *>pz, <const double *>pt,
                              <const int64_t *>pl, m, n, kind)
    check_status(st, "loss")
    return value


def dense_fwd(cnp.ndarray a, object z, cnp.ndarray x, cnp.ndarray w, object b, int act):
    cdef int st
    cdef int64_t m = x.shape[0], k = x.shape[1], n = w.shape[1]
    cdef void *pa = ptr(a)
    cdef void *pz = ptr(z)
    cdef void *px = ptr(x)
    cdef void *pw = ptr(w)
    cdef void *pb = ptr(b)
    cdef bint f32 = is_f32(x)
    with nogil:
        if f32:
            st = fnn_dense_fwd_f32(<float *>pa, <float *>pz, <const float *>px,
                                   <const float *>pw, <const float *>pb, m, n, k, act)
        else:
            st = fnn_dense_fwd_f64(<double *>pa, <double *>pz, <const double *>px,
                                   <const double *>pw, <const double *>pb, m, n, k, act)
    check_status(st, "linear")


def dense_bwd(object dx, cnp.ndarray dw, cnp.ndarray db, cnp.ndarray dz, cnp.ndarray da,
              cnp.ndarray x, cnp.ndarray w, cnp.ndarray z, cnp.ndarray a, int act):
    cdef int st
    cdef int64_t m = x.shape[0], k = x.shape[1], n = w.shape[1]
    cdef void *pdx = ptr(dx)
    cdef void *pdw = ptr(dw)
    cdef void *pdb = ptr(db)
    cdef void *pdz = ptr(dz)
    cdef void *pda = ptr(da)
    cdef void *px = ptr(x)
    cdef void *pw = ptr(w)
    cdef void *pz = ptr(z)
    cdef void *pa = ptr(a)
    cdef bint f32 = is_f32(x)
    with nogil:
        if f32:
            st = fnn_dense_bwd_f32(<float *>pdx, <float *>pdw, <float *>pdb, <float *>pdz,
                                   <const float *>pda, <const float *>px, <const float *>pw,
                                   <const float *>pz, <const float *>pa, m, n, k, act)
        else:
            st = fnn_dense_bwd_f64(<double *>pdx, <double *>pdw, <double *>pdb, <double *>pdz,
                                   <const double *>pda, <const double *>px, <const double *>pw,
                                   <const double *>pz, <const double *>pa, m, n, k, act)
    check_status(st, "linear_backward")


def dropout_fwd(cnp.ndarray y, cnp.ndarray mask, cnp.ndarray x, double rate, uint64_t seed,
                uint64_t offset, int mode):
    cdef int st
    cdef int64_t size = x.size
    cdef void *py = ptr(y)
    cdef void *pm = ptr(mask)
    cdef void *px = ptr(x)
    cdef bint f32 = is_f32(x)
    with nogil:
        if f32:
            st = fnn_dropout_fwd_f32(<float *>py, <uint8_t *>pm, <const float *>px, size, rate,
                                     seed, offset, mode)
        else:
            st = fnn_dropout_fwd_f64(<double *>py, <uint8_t *>pm, <const double *>px, size,
                                     rate, seed, offset, mode)
    check_status(st, "dropout")


def dropout_bwd(cnp.ndarray dx, cnp.ndarray dy, cnp.ndarray mask, double rate, int mode):
    cdef int st
    cdef int64_t size = dy.size
    cdef void *pdx = ptr(dx)
    cdef void *pdy = ptr(dy)
    cdef void *pm = ptr(mask)
    cdef bint f32 = is_f32(dy)
    with nogil:
        if f32:
            st = fnn_dropout_bwd_f32(<float *>pdx, <const float *>pdy, <const uint8_t *>pm,
                                     size, rate, mode)
        else:
            st = fnn_dropout_bwd_f64(<double *>pdx, <const double *>pdy, <const uint8_t *>pm,
                                     size, rate, mode)
    check_status(st, "dropout_backward")


def sgd_step(cnp.ndarray p, object v, cnp.ndarray grad, double lr, double momentum,
             bint nesterov, double l1, double l2, double weight_decay):
    cdef int st
    cdef int64_t size = p.size
    cdef void *pp = ptr(p)
    cdef void *pv = ptr(v)
    cdef void *pg = ptr(grad)
    cdef bint f32 = is_f32(p)
    with nogil:
        if f32:
            st = fnn_sgd_step_f32(<float *>pp, <float *>pv, <const float *>pg, size, lr,
                                  momentum, nesterov, l1, l2, weight_decay)
        else:
            st = fnn_sgd_step_f64(<double *>pp, <double *>pv, <const double *>pg, size, lr,
                                  momentum, nesterov, l1, l2, weight_decay)
    check_status(st, "sgd_step")


def adam_step(cnp.ndarray p, cnp.ndarray m, cnp.ndarray v, cnp.ndarray grad, double lr,
              double beta1, double beta2, double eps, int64_t t, double l1, double l2,
              double weight_decay, int eps_style):
    cdef int st
    cdef int64_t size = p.size
    cdef void *pp = ptr(p)
    cdef void *pm = ptr(m)
    cdef void *pv = ptr(v)
    cdef void *pg = ptr(grad)
    cdef bint f32 = is_f32(p)
    with nogil:
        if f32:
            st = fnn_adam_step_f32(<float *>pp, <float *>pm, <float *>pv, <const float *>pg,
                                   size, lr, beta1, beta2, eps, t, l1, l2, weight_decay,
                                   eps_style)
        else:
            st = fnn_adam_step_f64(<double *>pp, <double *>pm, <double *>pv,
                                   <const double *>pg, size, lr, beta1, beta2, eps, t, l1, l2,
                                   weight_decay, eps_style)
    check_status(st, "adam_step")


def rng_bits(uint64_t seed, uint64_t counter):
    return fnn_rng_bits(seed, counter)
