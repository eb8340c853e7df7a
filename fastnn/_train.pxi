# Bindings for csrc/train (included by _core.pyx).  fastnn/model.py validates
# and lays out the buffers; this class owns the C trainer and runs epochs.
from cpython.exc cimport PyErr_CheckSignals

cdef extern from "fastnn.h":
    enum: FNN_MAX_LAYERS
    ctypedef struct fnn_train_config:
        int n_layers
        int64_t sizes[65]
        int64_t w_off[64]
        int64_t b_off[64]
        int64_t n_params
        int hidden_act
        int output
        int loss
        double dropout[64]
        int dropout_mode
        int optimizer
        double momentum
        int nesterov
        double beta1, beta2, eps
        int adam_eps_style
        double l1, l2, weight_decay
        int l2_per_batch
        double data_loss_scale
        double input_noise
        int compute_bf16
        uint64_t seed
        int64_t max_batch
    ctypedef struct fnn_trainer:
        pass
    ctypedef int (*fnn_interrupt_fn)(void *ctx, int64_t rows_done) noexcept nogil
    ctypedef int (*fnn_batch_hook_fn)(void *ctx, void *x, int64_t rows, int64_t cols) noexcept nogil
    ctypedef struct fnn_callbacks:
        fnn_interrupt_fn interrupt
        void *interrupt_ctx
        fnn_batch_hook_fn batch_hook
        void *batch_hook_ctx
    fnn_trainer *fnn_trainer_new(const fnn_train_config *cfg, int elem_size, int *status) nogil
    void fnn_trainer_free(fnn_trainer *tr) nogil
    int fnn_train_epoch_f32(fnn_trainer *tr, float *params, float *grads, float *opt_m,
                            float *opt_v, const float *x, const float *y, const int64_t *labels,
                            int64_t n, int64_t *order, int shuffle, int64_t epoch,
                            int64_t batch_size, double lr, int64_t *step, double *loss,
                            const fnn_callbacks *cb) nogil
    int fnn_train_epoch_f64(fnn_trainer *tr, double *params, double *grads, double *opt_m,
                            double *opt_v, const double *x, const double *y,
                            const int64_t *labels, int64_t n, int64_t *order, int shuffle,
                            int64_t epoch, int64_t batch_size, double lr, int64_t *step,
                            double *loss, const fnn_callbacks *cb) nogil


cdef int check_interrupt(void *ctx, int64_t rows_done) noexcept nogil:
    """Between batches: let Python see Ctrl-C, and report progress."""
    cdef int stop = 0
    with gil:
        try:
            PyErr_CheckSignals()
            progress = (<EpochRunner>ctx).progress
            if progress is not None:
                progress(rows_done)
        except BaseException as exc:
            (<object>ctx).pending = exc
            stop = 1
    return stop


cdef int run_batch_hook(void *ctx, void *x, int64_t rows, int64_t cols) noexcept nogil:
    """Apply the user's augmentation function to the batch, in place."""
    cdef int stop = 0
    with gil:
        runner = <object>ctx
        try:
            runner.apply_hook(<size_t>x, rows, cols)
        except BaseException as exc:
            runner.pending = exc
            stop = 1
    return stop


cdef class EpochRunner:
    """A C trainer (every buffer of a step, allocated once) and its epochs."""
    cdef fnn_trainer *tr
    cdef fnn_train_config cfg
    cdef readonly bint f32
    cdef public object pending
    cdef public object hook
    cdef public object progress
    cdef public int64_t last_step
    cdef object dtype

    def __cinit__(self, dict c):
        cdef int status = 0
        sizes = c["sizes"]
        if not 1 <= len(sizes) - 1 <= FNN_MAX_LAYERS:
            raise ValueError("a network needs 1 to %d weight layers" % FNN_MAX_LAYERS)
        self.cfg.n_layers = len(sizes) - 1
        for i, s in enumerate(sizes):
            self.cfg.sizes[i] = s
        for i, (w, b) in enumerate(zip(c["w_off"], c["b_off"])):
            self.cfg.w_off[i] = w
            self.cfg.b_off[i] = b
        self.cfg.n_params = c["n_params"]
        self.cfg.hidden_act = c["hidden_act"]
        self.cfg.output = c["output"]
        self.cfg.loss = c["loss"]
        for i, r in enumerate(c["dropout"]):
            self.cfg.dropout[i] = r
        self.cfg.dropout_mode = c["dropout_mode"]
        self.cfg.optimizer = c["optimizer"]
        self.cfg.momentum = c["momentum"]
        self.cfg.nesterov = c["nesterov"]
        self.cfg.beta1 = c["beta1"]
        self.cfg.beta2 = c["beta2"]
        self.cfg.eps = c["eps"]
        self.cfg.adam_eps_style = c["adam_eps_style"]
        self.cfg.l1 = c["l1"]
        self.cfg.l2 = c["l2"]
        self.cfg.weight_decay = c["weight_decay"]
        self.cfg.l2_per_batch = c["l2_per_batch"]
        self.cfg.data_loss_scale = c.get("data_loss_scale", 1.0)
        self.cfg.input_noise = c["input_noise"]
        self.cfg.compute_bf16 = c.get("compute_bf16", False)
        self.cfg.seed = c["seed"]
        self.cfg.max_batch = c["max_batch"]
        self.dtype = np.dtype(c["dtype"])
        self.f32 = self.dtype == np.float32
        with nogil:
            self.tr = fnn_trainer_new(&self.cfg, 4 if self.f32 else 8, &status)
        if self.tr == NULL:
            check_status(status, "trainer")
        self.pending = None
        self.hook = None
        self.progress = None

    def __dealloc__(self):
        if self.tr != NULL:
            fnn_trainer_free(self.tr)

    def apply_hook(self, size_t address, int64_t rows, int64_t cols):
        cdef cnp.npy_intp shape[2]
        shape[0] = rows
        shape[1] = cols
        batch = cnp.PyArray_SimpleNewFromData(2, shape, cnp.PyArray_TYPE(
            np.empty(0, self.dtype)), <void *>address)
        result = self.hook(batch.copy())
        result = np.asarray(result)
        if result.shape != batch.shape:
            raise ValueError("augment must return an array of shape %s, got %s"
                             % (batch.shape, result.shape))
        if not np.all(np.isfinite(result)):
            raise ValueError("augment returned NaN or infinite values")
        batch[...] = result

    def run(self, cnp.ndarray params, cnp.ndarray grads, object opt_m, object opt_v,
            cnp.ndarray x, object y, object labels, cnp.ndarray order, bint shuffle,
            int64_t epoch, int64_t batch_size, double lr, int64_t step):
        """One epoch; returns (mean loss, step).  Raises the pending exception
        (KeyboardInterrupt, an augment error) or FloatingPointError."""
        cdef int st
        cdef double loss = 0
        cdef int64_t n = x.shape[0]
        cdef fnn_callbacks cb
        cdef void *pp = ptr(params)
        cdef void *pg = ptr(grads)
        cdef void *pm = ptr(opt_m)
        cdef void *pv = ptr(opt_v)
        cdef void *px = ptr(x)
        cdef void *py = ptr(y)
        cdef void *pl = ptr(labels)
        cdef int64_t *po = <int64_t *>ptr(order)
        cb.interrupt = check_interrupt
        cb.interrupt_ctx = <void *>self
        cb.batch_hook = NULL
        if self.hook is not None:
            cb.batch_hook = run_batch_hook
        cb.batch_hook_ctx = <void *>self
        self.pending = None
        with nogil:
            if self.f32:
                st = fnn_train_epoch_f32(self.tr, <float *>pp, <float *>pg, <float *>pm,
                                         <float *>pv, <const float *>px, <const float *>py,
                                         <const int64_t *>pl, n, po, shuffle, epoch,
                                         batch_size, lr, &step, &loss, &cb)
            else:
                st = fnn_train_epoch_f64(self.tr, <double *>pp, <double *>pg, <double *>pm,
                                         <double *>pv, <const double *>px, <const double *>py,
                                         <const int64_t *>pl, n, po, shuffle, epoch,
                                         batch_size, lr, &step, &loss, &cb)
        self.last_step = step
        if self.pending is not None:
            exc, self.pending = self.pending, None
            raise exc
        if st == FNN_ENONFINITE:
            raise FloatingPointError(step)
        check_status(st, "train_epoch")
        return loss, step
