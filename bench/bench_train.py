"""One training epoch of 784-1024-512-10 (ReLU, dropout 0.25, Adam, float32)
for fastnn and every installed peer, side by side in one run:

    python -m pytest bench/bench_train.py --benchmark-only --benchmark-group-by=group

Each benchmark group is one batch size; compare the peers' medians within it.
`fastnn bench` prints the same comparison as ratios with the FMA limit.
Before any timing, a short fastnn fit is checked against NumPy (float32 and
bfloat16: bench/_check.py); every result records fastnn.config() and the
thread count in its extra_info.  FASTNN_BENCH_THREADS=n: n threads, not 2.
"""
import os

import numpy as np
import pytest

from fastnn import _bench

import _check

THREADS = int(os.environ.get("FASTNN_BENCH_THREADS", "2"))

SIZES = [784, 1024, 512, 10]
SMALL = [64, 32, 10]
N = 4096


@pytest.fixture(scope="module", autouse=True)
def checked_threads():
    limits = _check.use_threads(THREADS)
    for dtype in ("float32", "bfloat16"):
        _check.check_training(dtype)
    yield
    if limits is not None:
        limits.restore_original_limits()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, SIZES[0])).astype(np.float32)
    y = rng.integers(0, 10, N).astype(np.int64)
    return X, y


def _run(benchmark, fn, sizes, X, y, batch_size, dropout):
    benchmark.extra_info["samples"] = len(X)
    _check.record(benchmark)
    benchmark.pedantic(lambda: fn(sizes, X, y, batch_size, dropout), rounds=3, iterations=1)


@pytest.mark.parametrize("name,fn", _bench.available_trainers(), ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("batch_size", [32, 128, 256, 512])
def test_epoch(benchmark, data, name, fn, batch_size):
    benchmark.group = "epoch 784-1024-512-10 batch %d" % batch_size
    X, y = data
    _run(benchmark, fn, SIZES, X, y, batch_size, 0.25)


@pytest.mark.parametrize("dropout", [0.0, 0.25])
def test_fastnn_dropout_cost(benchmark, data, dropout):
    benchmark.group = "fastnn dropout cost, batch 256"
    X, y = data
    _run(benchmark, _bench.bench_fastnn, SIZES, X, y, 256, dropout)


@pytest.mark.parametrize("name,fn", _bench.available_trainers(), ids=lambda v: getattr(v, "__name__", v))
def test_small_net(benchmark, name, fn):
    benchmark.group = "epoch 64-32-10 batch 32"
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, 64)).astype(np.float32)
    y = rng.integers(0, 10, N).astype(np.int64)
    _run(benchmark, fn, SMALL, X, y, 32, 0.0)
