"""pytest-benchmark suite: fastnn.ops.matmul vs NumPy (OpenBLAS), same run.

    python -m pytest bench/bench_gemm.py --benchmark-only --benchmark-group-by=group

Each shape is one benchmark group holding the fastnn and the numpy timing side
by side.  Both libraries use 2 threads (FASTNN_BENCH_THREADS=n for another
count): fastnn.set_num_threads, and threadpoolctl for OpenBLAS when installed,
else OMP_NUM_THREADS/OPENBLAS_NUM_THREADS.  Before fastnn's timing, its
product is checked once against NumPy's float64 product (bench/_check.py);
every result records fastnn.config() and the thread counts in its extra_info.
"""
import os

THREADS = int(os.environ.get("FASTNN_BENCH_THREADS", "2"))
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(THREADS))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import fastnn  # noqa: E402
from fastnn import ops  # noqa: E402

import _check  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def threads():
    limits = _check.use_threads(THREADS)
    yield
    fastnn.set_num_threads(None)  # back to following OpenMP, the state at import
    if limits is not None:
        limits.restore_original_limits()


def shapes():
    for s in (256, 512, 1024, 2048):
        yield "square%d" % s, s, s, s, False, False
    for batch in (32, 128, 256, 512):
        for fan_in, fan_out in ((784, 1024), (1024, 512), (512, 10)):
            tag = "%d-%d-b%d" % (fan_in, fan_out, batch)
            yield "fwd-" + tag, batch, fan_out, fan_in, False, False
            yield "dW-" + tag, fan_in, fan_out, batch, True, False
            yield "dX-" + tag, batch, fan_in, fan_out, False, True


# bfloat16: fastnn's compute="bfloat16" on float32 arrays against NumPy's float32
CASES = [(dt,) + s for dt in ("float32", "bfloat16", "float64") for s in shapes()]


@pytest.mark.parametrize("lib", ["fastnn", "numpy"])
@pytest.mark.parametrize("dtype,name,m,n,k,ta,tb", CASES,
                         ids=["%s-%s" % (c[0], c[1]) for c in CASES])
def test_matmul(benchmark, lib, dtype, name, m, n, k, ta, tb):
    rng = np.random.default_rng(0)
    compute = "bfloat16" if dtype == "bfloat16" else None
    storage = "float32" if compute else dtype
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(storage)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(storage)
    out = np.empty((m, n), storage)
    benchmark.group = "%s %s (m=%d n=%d k=%d)" % (dtype, name, m, n, k)
    benchmark.extra_info["gflop"] = 2e-9 * m * n * k
    _check.record(benchmark)
    if lib == "fastnn":
        _check.check_matmul(a, b, trans_a=ta, trans_b=tb, compute=compute)
        benchmark(ops.matmul, a, b, trans_a=ta, trans_b=tb, out=out, compute=compute)
    else:
        A, B = (a.T if ta else a), (b.T if tb else b)
        benchmark(np.matmul, A, B, out=out)
