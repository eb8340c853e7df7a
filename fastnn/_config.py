"""Threads, kernel selection and the configuration report."""
import os
import platform
import sys

from . import _core, _parallel

__version__ = "0.1.0"
KERNELS = ("generic", "avx2", "avx512")
MAX_THREADS = _parallel.MAX_THREADS


def _apply_kernel_env():
    """Honour FASTNN_KERNEL=generic|avx2|avx512 (forces one SIMD path)."""
    name = os.environ.get("FASTNN_KERNEL", "").strip().lower()
    if not name:
        return
    if name not in KERNELS:
        raise ImportError("FASTNN_KERNEL=%r is not one of %s" % (name, ", ".join(KERNELS)))
    try:
        _core.set_isa(name)
    except ValueError:
        raise ImportError("FASTNN_KERNEL=%r: this CPU or build cannot run it (best: %s)"
                          % (name, _core.best_isa())) from None


def set_num_threads(n):
    """Threads used by every kernel.  Results are bit-identical for any count.

    An int overrides OpenMP's setting for fastnn.  None (the default state)
    follows OpenMP instead: OMP_NUM_THREADS, and threadpoolctl's
    threadpool_limits in the calling thread.  A Python-level setting: each
    fit, predict or op call reads it once (fastnn/_parallel.py), and an
    estimator's or op's own n_threads wins over it."""
    if n is None:
        _parallel.set_explicit(None)
        return
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError("n must be a positive int, got %r" % (n,))
    _parallel.set_explicit(_parallel.check_n_threads(n, "n"))


def _one_thread_after_fork():
    """In a child created by fork: GNU libgomp cannot run a parallel region in
    a child forked after the parent ran one (the child hangs in its first
    region), so a forked child runs fastnn on one thread, as PyTorch does.
    fastnn.set_num_threads(n) in the child overrides this; it is safe only if
    the parent never ran a fastnn kernel on more than one thread."""
    _parallel.set_explicit(1)


def _register_fork_handler():
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_one_thread_after_fork)


def get_num_threads():
    """The threads a fit started now would use: the count set_num_threads
    chose, else this thread's share of the cores (fastnn/_parallel.py)."""
    return _parallel.effective_n_threads()


def _thread_setting():
    """What set_num_threads last set (None: following OpenMP), for restoring it."""
    return _parallel.explicit()


def config():
    """The build and run-time configuration as a dict."""
    return {
        "version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.machine(),
        "compiler": _core.compiler(),
        "openmp": _core.have_openmp(),
        "threads": get_num_threads(),
        "cpu_features": _core.cpu_features(),
        "kernel": _core.get_isa(),
        "best_kernel": _core.best_isa(),
        "bfloat16": "vdpbf16ps" if _core.bf16_native() else "emulated",
        "bf16_engine": _core.bf16_engine(),
        # the kernel chosen per role (None: this ISA has none, e.g. no narrow GEMM)
        "kernels": _core.kernel_names(),
        # the selected ISA's wide GEMM blocks, mc and nc from this machine's caches or defaults
        "gemm_blocking": dict({dt: _core.gemm_blocking(dt, _core.get_isa())
                               for dt in ("float32", "float64")},
                              source=_core.gemm_blocking_source()),
    }


def show_config(file=None):
    """Print the version, compiler, OpenMP, CPU features and the kernels chosen."""
    c = config()
    lines = [
        "fastnn %s (Python %s, %s)" % (c["version"], c["python"], c["platform"]),
        "compiler: %s" % c["compiler"],
        "openmp: %s" % ("yes" if c["openmp"] else "no (built single-threaded)"),
        "threads: %d" % c["threads"],
        "cpu features: %s" % (" ".join(c["cpu_features"]) or "none beyond baseline"),
        "kernel: %s (best available: %s)" % (c["kernel"], c["best_kernel"]),
        "bfloat16 compute: %s (engine %s)" % (c["bfloat16"], c["bf16_engine"]),
        "gemm blocks (mc/kc/nc, %s): %s" % (
            c["gemm_blocking"]["source"],
            ", ".join("%s %d/%d/%d" % (dt, b["mc"], b["kc"], b["nc"])
                      for dt, b in c["gemm_blocking"].items() if dt != "source")),
        "kernels:",
    ] + ["  %-16s %s" % (role, name or "-") for role, name in c["kernels"].items()]
    print("\n".join(lines), file=file or sys.stdout)
