"""Threads, kernel selection and the configuration report."""
import os
import platform
import sys

import numpy as np

from . import _core, _parallel
from ._warn import warn

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


def _apply_bf16_env():
    """Honour FASTNN_BF16=amx|avx512bf16|portable (forces one bfloat16 engine;
    amx-emulated, the AMX driver on emulated tiles, is for tests)."""
    name = os.environ.get("FASTNN_BF16", "").strip().lower()
    if not name:
        return
    if name not in _core.BF16_ENGINES:
        raise ImportError("FASTNN_BF16=%r is not one of %s"
                          % (name, ", ".join(_core.BF16_ENGINES)))
    why = _core.bf16_engine_unusable(name)
    if why is not None:
        raise ImportError("FASTNN_BF16=%r: this CPU or build cannot run it (%s)" % (name, why))
    _core.set_bf16_engine(name)


class BFloat16SlowWarning(UserWarning):
    """bfloat16 compute was asked for where it is slower than float32."""


# vdpbf16ps counts as faster from this multiple of the float32 multiply-add
# rate: Zen 4 reads 2.0 and Sapphire Rapids 0.8, and the margin keeps a probe
# on a busy machine from flipping the answer (and with it the Fashion-MNIST
# recipe's dtype) between runs.
BF16_FASTER_MIN_RATE = 1.5


def bfloat16_speed():
    """(faster, reason): the one rule for "bfloat16 is faster here".

    True with AMX (tdpbf16ps: many times the float32 FMA rate), or with
    vdpbf16ps where a one-off probe (a few ms, on first call) measures its
    multiply-adds at BF16_FASTER_MIN_RATE times the float32 FMA rate or more
    (on Sapphire Rapids it issues at 0.4x, i.e. 0.8x the multiply-adds:
    slower).  False with the portable and emulated-AMX engines."""
    engine = _core.bf16_engine()
    if engine == "amx":
        return True, "bfloat16 compute runs on AMX tiles (tdpbf16ps)"
    if engine == "avx512bf16":
        rate = _core.bf16_vs_fma_rate() or 0.0
        if rate >= BF16_FASTER_MIN_RATE:
            return True, ("bfloat16 compute runs on vdpbf16ps, measured at %.2fx the float32 "
                          "multiply-add rate" % rate)
        return False, ("bfloat16 compute runs on vdpbf16ps, measured at only %.2fx the float32 "
                       "multiply-add rate on this CPU, under the %.1fx that counts as faster "
                       "(AMX: %s)" % (rate, BF16_FASTER_MIN_RATE, _core.amx_unusable_reason()))
    if engine == "amx-emulated":
        return False, ("bfloat16 compute runs on emulated AMX tiles (a test engine): much "
                       "slower than float32")
    return False, ("bfloat16 compute is emulated on this CPU (no AVX512-BF16 or AMX: %s): "
                   "slower than float32" % (_core.amx_unusable_reason(),))


_bf16_warned = False


def warn_if_bfloat16_slow():
    """Asking for bfloat16 compute: warn once per process where it is slower
    than float32 (bfloat16_speed), naming the reason."""
    global _bf16_warned
    if _bf16_warned:
        return
    faster, reason = bfloat16_speed()
    _bf16_warned = True
    if not faster:
        warn(reason, BFloat16SlowWarning)


def set_num_threads(n):
    """Set the threads used by every kernel.  Results are bit-identical for any count.

    A Python-level setting: each fit, predict or op call reads it once
    (fastnn/_parallel.py), and an estimator's or op's own n_threads wins over it.

    Parameters
    ----------
    n : int or None
        A positive int overrides OpenMP's setting for fastnn.  None (the
        default state) follows OpenMP instead: OMP_NUM_THREADS, and
        threadpoolctl's threadpool_limits in the calling thread.

    Raises
    ------
    ValueError
        ``n`` is not None or a positive int.

    Examples
    --------
    >>> fastnn.set_num_threads(2)
    >>> fastnn.get_num_threads()
    2
    """
    if n is None:
        _parallel.set_explicit(None)
        return
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError("n must be a positive int, got %r" % (n,))
    _parallel.set_explicit(_parallel.check_n_threads(int(n), "n"))


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
    """The threads a fit started now would use.

    Returns
    -------
    int
        The count set_num_threads chose, else this thread's share of the cores
        (fastnn/_parallel.py, docs/threads.md).
    """
    return _parallel.effective_n_threads()


def _thread_setting():
    """What set_num_threads last set (None: following OpenMP), for restoring it."""
    return _parallel.explicit()


def config():
    """The build and run-time configuration.

    Returns
    -------
    dict
        version, python, platform, compiler, openmp, threads, cpu_features,
        kernel (the SIMD path in use), best_kernel, bfloat16 (the instruction:
        tdpbf16ps, vdpbf16ps or emulated), bf16_engine, bfloat16_faster,
        bfloat16_reason, and kernels (the kernel chosen per role).

    Examples
    --------
    >>> fastnn.config()["kernel"]  # doctest: +SKIP
    'avx2'
    """
    faster, reason = bfloat16_speed()
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
        # the instruction: tdpbf16ps (AMX), vdpbf16ps, or emulated (portable C)
        "bfloat16": _BF16_INSTRUCTION.get(_core.bf16_engine(), "emulated"),
        "bf16_engine": _core.bf16_engine(),
        "bfloat16_faster": faster,
        "bfloat16_reason": reason,
        # the kernel chosen per role (None: this ISA has none, e.g. no narrow GEMM)
        "kernels": _core.kernel_names(),
        # the selected ISA's wide GEMM blocks, mc and nc from this machine's caches or defaults
        "gemm_blocking": dict({dt: _core.gemm_blocking(dt, _core.get_isa())
                               for dt in ("float32", "float64")},
                              source=_core.gemm_blocking_source()),
    }


_BF16_INSTRUCTION = {"amx": "tdpbf16ps", "avx512bf16": "vdpbf16ps"}


def show_config(file=None):
    """Print the version, compiler, OpenMP, CPU features and the kernels chosen.

    Parameters
    ----------
    file : file-like, optional
        Where to print (default: sys.stdout).
    """
    c = config()
    lines = [
        "fastnn %s (Python %s, %s)" % (c["version"], c["python"], c["platform"]),
        "compiler: %s" % c["compiler"],
        "openmp: %s" % ("yes" if c["openmp"] else "no (built single-threaded)"),
        "threads: %d" % c["threads"],
        "cpu features: %s" % (" ".join(c["cpu_features"]) or "none beyond baseline"),
        "kernel: %s (best available: %s)" % (c["kernel"], c["best_kernel"]),
        "bfloat16 compute: %s (engine %s): %s"
        % (c["bfloat16"], c["bf16_engine"], c["bfloat16_reason"]),
        "gemm blocks (mc/kc/nc, %s): %s" % (
            c["gemm_blocking"]["source"],
            ", ".join("%s %d/%d/%d" % (dt, b["mc"], b["kc"], b["nc"])
                      for dt, b in c["gemm_blocking"].items() if dt != "source")),
        "kernels:",
    ] + ["  %-16s %s" % (role, name or "-") for role, name in c["kernels"].items()]
    print("\n".join(lines), file=file or sys.stdout)
