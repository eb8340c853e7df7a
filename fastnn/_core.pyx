# cython: language_level=3
"""Thin bindings to the C core: memoryviews to pointers, ``with nogil``, C
status to exception.  No logic and no defaults live here: fastnn/ops.py
validates every argument before it reaches these functions.

The bindings are split by layer into .pxi files included below, one per C
header: _gemm.pxi (csrc/gemm), _ops.pxi (csrc/ops), _train.pxi (csrc/train).
setup.py generates them from the Tempita templates of the same name + .tp,
which write each binding once for float32 and float64.

Every kernel that runs OpenMP takes n_threads, resolved once per call by
fastnn/_parallel.py: there is no thread count in C.
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t, uint64_t, uint8_t, uint16_t

cnp.import_array()

cdef extern from "fastnn.h":
    ctypedef enum fnn_status:
        FNN_OK, FNN_EINVAL, FNN_ENOMEM, FNN_EINTR, FNN_ENONFINITE, FNN_EOVERFLOW,
        FNN_EZEROWEIGHT
    int fnn_omp_max_threads() nogil
    int fnn_widest_team_take() nogil
    int fnn_have_openmp() nogil
    void fnn_team_adapt_set(int on) nogil
    int fnn_team_capped() nogil
    void fnn_team_report(int team, double waited, double wall) nogil
    unsigned fnn_cpu_features() nogil
    int fnn_best_isa() nogil
    int fnn_set_isa(int isa) nogil
    int fnn_get_isa() nogil
    const char *fnn_isa_name(int isa) nogil
    const char *fnn_compiler() nogil
    double fnn_fma_peak_gflops(int n_threads, double seconds) nogil
    double fnn_amx_peak_gflops(int n_threads, double seconds) nogil


_STATUS_ERRORS = {
    FNN_EINVAL: (ValueError, "invalid size, stride or option"),
    FNN_ENOMEM: (MemoryError, "out of memory"),
    FNN_EINTR: (KeyboardInterrupt, "interrupted"),
    FNN_ENONFINITE: (FloatingPointError, "non-finite loss"),
    FNN_EOVERFLOW: (OverflowError, "size too large"),
    FNN_EZEROWEIGHT: (ValueError, "the sample_weight of a batch sums to zero"),
}


cdef int check_status(int status, str where) except -1:
    """Raise the Python exception for a C status (ops.py should have caught
    every user error earlier; reaching here with EINVAL is a fastnn bug)."""
    if status == FNN_OK:
        return 0
    exc, what = _STATUS_ERRORS.get(status, (RuntimeError, "unknown status %d" % status))
    raise exc("%s: %s" % (where, what))


include "_vocab.pxi"


def omp_max_threads():
    """OpenMP's default team for the calling thread (OMP_NUM_THREADS,
    threadpoolctl); 1 without OpenMP."""
    return fnn_omp_max_threads()


def widest_team_take():
    """The widest GEMM team this OS thread started since the last call (0:
    none), then cleared: what a call really ran with, for tests."""
    return fnn_widest_team_take()


def team_adaptation(bint on):
    """Tests: let GEMMs drop to one thread while their team is starved of CPU
    (on, the default) or never; clears this OS thread's state."""
    fnn_team_adapt_set(on)


def team_report(int team, double waited, double wall):
    """Tests: tell this OS thread's adaptation that a GEMM on `team` threads
    waited `waited` of its `wall` seconds for the team."""
    fnn_team_report(team, waited, wall)


def team_capped():
    """Whether this OS thread's calls run on one thread now (contention)."""
    return bool(fnn_team_capped())


def have_openmp():
    return bool(fnn_have_openmp())


def cpu_features():
    cdef unsigned f = fnn_cpu_features()
    return [name for name, bit in CPU_FEATURE_BITS.items() if f & bit]


def best_isa():
    return ISA_NAMES[fnn_best_isa()]


def set_isa(str name):
    if fnn_set_isa(ISA_NAMES.index(name)) != FNN_OK:
        raise ValueError("this CPU or build does not support the %r kernels" % name)


def get_isa():
    return ISA_NAMES[fnn_get_isa()]


def fma_peak_gflops(int n_threads, double seconds=0.2):
    """Measured float32 FMA throughput of n_threads threads (selected ISA)."""
    cdef double r
    with nogil:
        r = fnn_fma_peak_gflops(n_threads, seconds)
    return r


def amx_peak_gflops(int n_threads, double seconds=0.2):
    """Measured AMX tdpbf16ps throughput of n_threads threads, or None where
    AMX is unusable (amx_unusable_reason() says why)."""
    cdef double r
    with nogil:
        r = fnn_amx_peak_gflops(n_threads, seconds)
    return None if r < 0 else r


def compiler():
    return fnn_compiler().decode()


include "_gemm.pxi"
include "_ops.pxi"
include "_train.pxi"
include "_dispatch.pxi"
include "_bf16_engines.pxi"
