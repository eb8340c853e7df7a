# Bindings for the dispatch table (csrc/dispatch/kernels.h), included by
# _core.pyx: the kernel chosen per role, the trace of the kernels that ran,
# and the GEMM tile and block sizes.

cdef extern from "dispatch/kernels.h":
    int FNN_ROLE_COUNT
    const char *fnn_kernel_role_name(int role) nogil
    const char *fnn_kernel_selected(int role) nogil
    const char *fnn_kernel_trace(int role) nogil
    void fnn_kernel_trace_reset() nogil
    const char *fnn_bf16_engine() nogil
    int fnn_gemm_blocking(int isa, int elem_size, int narrow, int64_t *out) nogil
    const char *fnn_gemm_blocking_source() nogil
    int fnn_cache_blocking_from(const char *dir, int elem_size, int mr, int nr, int64_t kc,
                                int64_t *out) nogil


cdef object _name_or_none(const char *name):
    return None if name == NULL else name.decode()


def kernel_names():
    """{role: name of the kernel the selected ISA uses, None if it has none}."""
    return {fnn_kernel_role_name(r).decode(): _name_or_none(fnn_kernel_selected(r))
            for r in range(FNN_ROLE_COUNT)}


def bf16_engine():
    """The bfloat16-compute engine selected: "avx512bf16" or "portable"."""
    return fnn_bf16_engine().decode()


def last_kernels():
    """{role: name of the last kernel that ran since reset_kernel_trace(), or
    None}.  A narrow GEMM counts in its dtype's role (gemm_f32, gemm_f64)."""
    return {fnn_kernel_role_name(r).decode(): _name_or_none(fnn_kernel_trace(r))
            for r in range(FNN_ROLE_COUNT)}


def reset_kernel_trace():
    fnn_kernel_trace_reset()


_BLOCKING_ELEM_SIZE = {"float32": 4, "float64": 8}


def gemm_blocking(str dtype, str isa, bint narrow=False):
    """Tile and block sizes {mr, nr, mc, kc, nc} of the GEMM kernel of `isa`
    for `dtype` ("float32" or "float64"), wide or narrow.  ValueError if this
    build lacks the ISA or the ISA has no narrow kernel."""
    if dtype not in _BLOCKING_ELEM_SIZE:
        raise ValueError("dtype must be 'float32' or 'float64', got %r" % (dtype,))
    if isa not in ISA_NAMES:
        raise ValueError("isa must be one of %s, got %r" % (", ".join(ISA_NAMES), isa))
    cdef int64_t out[5]
    if fnn_gemm_blocking(ISA_NAMES.index(isa), _BLOCKING_ELEM_SIZE[dtype], narrow, out) != FNN_OK:
        raise ValueError("this build has no %s%s GEMM kernel for %s"
                         % (isa, " narrow" if narrow else "", dtype))
    return dict(zip(("mr", "nr", "mc", "kc", "nc"), [out[i] for i in range(5)]))


def gemm_blocking_source():
    """Where the wide GEMM kernels' mc and nc came from: "sysfs" (this
    machine's per-core caches) or "default" (built-in constants)."""
    return fnn_gemm_blocking_source().decode()


def cache_blocking_from(str cache_dir, str dtype, int mr, int nr, int64_t kc):
    """Tests: {mc, nc} that the sysfs cache directory `cache_dir` gives a
    kc-deep mr x nr tile of dtype, or None if it has no usable caches."""
    if dtype not in _BLOCKING_ELEM_SIZE:
        raise ValueError("dtype must be 'float32' or 'float64', got %r" % (dtype,))
    cdef int64_t out[2]
    cdef bytes d = cache_dir.encode()
    if fnn_cache_blocking_from(d, _BLOCKING_ELEM_SIZE[dtype], mr, nr, kc, out) != FNN_OK:
        return None
    return {"mc": out[0], "nc": out[1]}
