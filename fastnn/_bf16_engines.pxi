# Bindings for the bfloat16 engines (csrc/dispatch/bf16_engines.c, amx.c,
# peak_bf16.c) and, for tests, one emulated AMX tile instruction
# (csrc/gemm/amx_emu.h).  Included by _core.pyx.

cdef extern from "dispatch/kernels.h":
    ctypedef struct fnn_bf16_entry:
        const char *engine
    const fnn_bf16_entry *fnn_bf16_engine_named(const char *name, const char **why_not) nogil
    int fnn_set_bf16_engine(const char *name) nogil
    const char *fnn_amx_unusable_reason() nogil
    double fnn_bf16_vs_fma_rate() nogil

cdef extern from "gemm/amx_emu.h":
    void fnn_amx_emu_dpbf16ps_once(float *c, const uint16_t *a, const uint16_t *b) nogil

BF16_ENGINES = ("amx", "avx512bf16", "portable", "amx-emulated")


def bf16_engine_unusable(str name):
    """None if the bfloat16 engine `name` runs here, else why not."""
    cdef const char *why = NULL
    cdef bytes key = name.encode()
    if fnn_bf16_engine_named(key, &why) != NULL:
        return None
    return why.decode() if why != NULL else "unusable"


def set_bf16_engine(name):
    """Force a bfloat16 engine for the process (None: the ISA's default).
    ValueError naming the reason if it cannot run here."""
    if name is None:
        fnn_set_bf16_engine(NULL)
        return
    if name not in BF16_ENGINES:
        raise ValueError("bfloat16 engine must be one of %s, got %r"
                         % (", ".join(BF16_ENGINES), name))
    why = bf16_engine_unusable(name)
    if why is not None:
        raise ValueError("bfloat16 engine %r cannot run here: %s" % (name, why))
    fnn_set_bf16_engine(name.encode())


def amx_unusable_reason():
    """None if AMX is usable by this process, else why not."""
    cdef const char *why = fnn_amx_unusable_reason()
    return None if why == NULL else why.decode()


def bf16_vs_fma_rate():
    """vdpbf16ps multiply-adds per second over float32 FMA ones on one core,
    measured once (a few ms); None where vdpbf16ps cannot run."""
    cdef double r
    with nogil:
        r = fnn_bf16_vs_fma_rate()
    return None if r < 0 else r


def _amx_emu_dpbf16ps(c, a, b):
    """One emulated tdpbf16ps on 16 x 16 tiles, for tests: returns c + a.b
    with c float32 (16, 16), a uint16 (16, 32) bfloat16 bits (row m: 16
    pairs), b uint16 (16, 32) (pair row k: 16 columns, each a pair)."""
    c = np.array(c, dtype=np.float32, order="C", copy=True)
    a = np.ascontiguousarray(a, dtype=np.uint16)
    b = np.ascontiguousarray(b, dtype=np.uint16)
    if c.shape != (16, 16) or a.shape != (16, 32) or b.shape != (16, 32):
        raise ValueError("tiles must be c (16, 16), a (16, 32), b (16, 32)")
    cdef float[:, ::1] cv = c
    cdef const uint16_t[:, ::1] av = a
    cdef const uint16_t[:, ::1] bv = b
    with nogil:
        fnn_amx_emu_dpbf16ps_once(&cv[0, 0], &av[0, 0], &bv[0, 0])
    return c
