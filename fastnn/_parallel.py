"""How many threads a fit uses when nobody chose a count: the caller's share of
the cores, so that many fits running side by side (a grid search on a Dask or
Ray cluster, joblib's loky workers, threadpoolctl limits) never oversubscribe.

The rule, applied by fit, partial_fit and predict of fastnn.MLP and the
scikit-learn estimators:

1. an explicit count wins: the estimator's ``n_threads``, else
   ``fastnn.set_num_threads(n)``;
2. otherwise the smallest of
   - OpenMP's limit for the calling thread: ``OMP_NUM_THREADS`` (which
     joblib's loky backend, Dask's nanny and Ray set in their workers) or a
     ``threadpoolctl.threadpool_limits`` block around the call;
   - the CPUs this process may run on (``os.sched_getaffinity``) and the
     cgroup CPU quota (containers);
   - inside a Dask worker task: 1 (Dask runs ``nthreads`` tasks at once on a
     worker meant to use ``nthreads`` cores), or, when the worker declares a
     CPU resource, ``resources["CPU"] // nthreads``, which then also replaces
     the OpenMP limit (Dask's nanny sets OMP_NUM_THREADS=1 in every worker,
     whatever its size, unless the environment has a value already);
   - inside a Ray task or actor: the CPUs Ray assigned to it.

Results never depend on the count (the kernels are bit-identical for any
thread count), so this only decides speed.
"""
import functools
import math
import os
import sys
import threading
from contextlib import contextmanager

from . import _core

# Whether set_num_threads was called; kept here so that fastnn._config and the
# fits agree.  A list so that the module attribute is never rebound.
_explicit = [False]
_lock = threading.Lock()
_active = [0]  # fits running inside fit_threads, in any thread of this process


def set_explicit(flag=True):
    _explicit[0] = bool(flag)


def is_explicit():
    return _explicit[0]


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
    """The thread count rule 2 above gives for the calling thread (OpenMP's
    limit is read through fastnn, which reports it while no count is set)."""
    limits = [affinity_cpus()]
    dask = dask_share()
    if dask is not None:
        limits.append(dask[0])
    if dask is None or not dask[1]:
        limits.append(_core.get_num_threads())
    for share in (cgroup_cpus(), ray_share()):
        if share is not None:
            limits.append(share)
    return max(1, min(limits))


@contextmanager
def fit_threads(requested=None):
    """Run the body with `requested` threads (an estimator's n_threads), else
    with the count the rule picks; the previous setting comes back after.

    The count is process-wide (the kernels read one number), so fits running
    at once in threads of one process share it: a fit that ends while others
    run leaves it alone, the last one out hands the choice back to OpenMP."""
    if requested is None and _explicit[0]:
        yield _core.get_num_threads()
        return
    n = int(requested) if requested is not None else auto_threads()
    with _lock:
        saved = _core.get_num_threads() if (_explicit[0] or _active[0]) else 0
        _core.set_num_threads(n)
        _active[0] += 1
    try:
        yield n
    finally:
        with _lock:
            _active[0] -= 1
            if _explicit[0] or (_active[0] and saved):
                _core.set_num_threads(saved)  # the caller's count, or the outer fit's
            elif not _active[0]:
                _core.set_num_threads(0)
