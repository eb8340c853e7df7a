"""How many threads a call uses: resolved once per call by
effective_n_threads() and passed down to every kernel as a value (the C core
has no thread count of its own), so concurrent fits with different counts in
one process never share one.  The rule itself (explicit counts, OpenMP and
threadpoolctl limits, affinity, cgroups, Dask and Ray shares) is written down
once, in docs/threads.md; this module applies it.  Results never depend on
the count (the kernels are bit-identical for any thread count), so it only
decides speed.
"""
import functools
import math
import numbers
import os
import sys
import threading
from contextlib import contextmanager

from . import _core

# More would only oversubscribe (and a C int cannot hold 10**30).
MAX_THREADS = max(1024, 4 * (os.cpu_count() or 1))

# set_num_threads' count, or None (the rule decides).  A list so that the
# module attribute is never rebound.
_explicit = [None]
# The count of the fit or predict running in this Python thread (call_threads):
# per thread, so concurrent fits never see each other's.
class _CallCount(threading.local):
    n = None  # a class default: a missing attribute would cost an exception per call


_current = _CallCount()


def check_n_threads(n, name="n_threads"):
    """n as an int in [1, MAX_THREADS], else TypeError/ValueError."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError("%s must be a positive int or None, got %r" % (name, n))
    if n < 1:
        raise ValueError("%s must be a positive int, got %r" % (name, n))
    if n > MAX_THREADS:
        raise ValueError("%s must be at most %d (1024, or 4 x the %d CPUs if more), got %r"
                         % (name, MAX_THREADS, os.cpu_count() or 1, n))
    return int(n)


def set_explicit(n):
    """Make n (an int, already checked) the count of every call that names
    none; None hands the choice back to the rule."""
    _explicit[0] = n


def explicit():
    return _explicit[0]


def is_explicit():
    return _explicit[0] is not None


@functools.lru_cache(maxsize=None)
def cgroup_cpus():
    """The container's CPU quota (cgroup v2 cpu.max, or v1), or None; read
    once per process (a predict of one row should not pay for two files)."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = int(f.read())
        if quota > 0 and period > 0:
            return max(1, math.ceil(quota / period))
    except (OSError, ValueError):
        pass
    return None


def affinity_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def dask_share():
    """(threads for one task on the Dask worker running this code, whether the
    worker declared a CPU resource), or None outside a Dask worker.  Only
    looks if distributed is already imported."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        worker = distributed.get_worker()
    except (ValueError, AttributeError):
        return None
    state = getattr(worker, "state", worker)
    nthreads = max(1, int(getattr(state, "nthreads", 1) or 1))
    resources = getattr(state, "total_resources", None) or {}
    cpus = resources.get("CPU", resources.get("cpu"))
    return (max(1, int(cpus // nthreads)), True) if cpus else (1, False)


def ray_share():
    """CPUs Ray assigned to the task or actor running this code, or None
    outside one (or on the driver).  Only looks if ray is already imported."""
    ray = sys.modules.get("ray")
    if ray is None:
        return None
    try:
        if not ray.is_initialized():
            return None
        context = ray.get_runtime_context()
        if getattr(context.worker, "mode", None) != getattr(ray, "WORKER_MODE", 1):
            return None
        cpus = context.get_assigned_resources().get("CPU")
    except Exception:  # an API change in Ray must never break a fit
        return None
    return max(1, int(cpus)) if cpus else 1


def auto_threads():
    """The thread count rule 2 above gives for the calling thread."""
    limits = [affinity_cpus()]
    dask = dask_share()
    if dask is not None:
        limits.append(dask[0])
    if dask is None or not dask[1]:
        limits.append(_core.omp_max_threads())
    for share in (cgroup_cpus(), ray_share()):
        if share is not None:
            limits.append(share)
    return max(1, min(limits))


def effective_n_threads(n_threads=None):
    """The thread count of one call: n_threads (an estimator's or an op's)
    if given, else that of the fit this thread is inside (call_threads), else
    set_num_threads' count, else rule 2 for the calling thread."""
    if n_threads is not None:
        return check_n_threads(n_threads)
    n = _current.n
    if n is not None:
        return n
    if _explicit[0] is not None:
        return _explicit[0]
    return auto_threads()


@contextmanager
def call_threads(n_threads=None):
    """Resolve the count of one fit or predict once (effective_n_threads) and
    yield it; inside the block it is also the default of every fastnn.ops call
    this Python thread makes (a fit's validation predict, sample-weight
    epochs), and of nested fits.  Nothing is shared with other threads."""
    n = effective_n_threads(n_threads)
    outer = _current.n
    _current.n = n
    try:
        yield n
    finally:
        _current.n = outer


def op_n_threads(n_threads=None):
    """The thread count of one fastnn.ops call: n_threads if given, else the
    enclosing fit's (call_threads), else set_num_threads' count, else OpenMP's
    default for the calling thread (OMP_NUM_THREADS, threadpoolctl).  Lighter
    than rule 2, whose affinity system call costs as much as a small matmul."""
    if n_threads is None:  # counts are >= 1, so `or` skips only the unset ones
        return _current.n or _explicit[0] or _core.omp_max_threads()
    return check_n_threads(n_threads)


@contextmanager
def single_threaded_blas():
    """BLAS (OpenBLAS, MKL) on one thread while scipy's L-BFGS-B runs: since
    SciPy 1.15 its solver makes BLAS calls on vectors, which a threaded
    OpenBLAS slows by 10-50x on 2 cores (scipy issue 22438; 5.7 s against
    0.12 s for 30 iterations on 60,000 weights here).  fastnn's own kernels
    (OpenMP) keep their threads.  Without threadpoolctl, a no-op."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
