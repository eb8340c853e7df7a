"""Benchmarks: fastnn.ops kernels side by side with their NumPy twins.

Run:  python -m pytest bench/bench_ops.py --benchmark-only --benchmark-group-by=group
      (-k "256x1024 and float32" to pick cases; FASTNN_BENCH_THREADS=n
      for another thread count than 2).

Each case is parametrized over impl in ("fastnn", "numpy") and shares a
benchmark group "<op> <shape> <dtype>", so the two appear in the same table.
Before fastnn's timing, its result is checked once against the NumPy twin
(fastnn.reference, in float64); every result records fastnn.config() and the
thread count in its extra_info.
"""
import os

import numpy as np
import pytest

import fastnn
from fastnn import ops
from fastnn import reference as ref

import _check

THREADS = int(os.environ.get("FASTNN_BENCH_THREADS", "2"))

IMPLS = {"fastnn": ops, "numpy": ref}
SIZES = [(256, 1024), (4096, 1024)]
DTYPES = [np.float32, np.float64]
SIZE_IDS = ["%dx%d" % s for s in SIZES]


def _data(shape, dtype, seed=0, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


@pytest.fixture(scope="module", autouse=True)
def threads():
    limits = _check.use_threads(THREADS)
    yield
    fastnn.set_num_threads(None)  # back to following OpenMP, the state at import
    if limits is not None:
        limits.restore_original_limits()


def _group(benchmark, op, shape, dtype):
    benchmark.group = "%s %dx%d %s" % (op, shape[0], shape[1], np.dtype(dtype).name)
    _check.record(benchmark)


def _checked(impl, name, *args, **kwargs):
    """The op to time; fastnn's is first checked against its twin."""
    if impl == "fastnn":
        _check.check_op(name, *args, **kwargs)
    return getattr(IMPLS[impl], name)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "gelu"])
def test_activation(benchmark, name, shape, dtype, impl):
    _group(benchmark, "activation " + name, shape, dtype)
    z = _data(shape, dtype, scale=3.0)
    benchmark(_checked(impl, "activation", z, name), z, name)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_softmax(benchmark, shape, dtype, impl):
    _group(benchmark, "softmax", shape, dtype)
    z = _data(shape, dtype, scale=3.0)
    benchmark(_checked(impl, "softmax", z), z)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_loss_cross_entropy(benchmark, shape, dtype, impl):
    _group(benchmark, "loss cross_entropy", shape, dtype)
    logits = _data(shape, dtype, scale=3.0)
    labels = np.random.default_rng(1).integers(0, shape[1], size=shape[0])
    benchmark(_checked(impl, "loss", "cross_entropy", logits, labels),
              "cross_entropy", logits, labels)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_dropout(benchmark, shape, dtype, impl):
    _group(benchmark, "dropout 0.5", shape, dtype)
    x = _data(shape, dtype)
    benchmark(_checked(impl, "dropout", x, 0.5, seed=42), x, 0.5, seed=42)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_column_sums(benchmark, shape, dtype, impl):
    _group(benchmark, "column_sums", shape, dtype)
    x = _data(shape, dtype)
    benchmark(_checked(impl, "column_sums", x), x)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_adam_step(benchmark, shape, dtype, impl):
    _group(benchmark, "adam_step", shape, dtype)
    p = _data(shape, dtype)
    g = _data(shape, dtype, seed=1)
    m, v = np.zeros(shape, dtype), np.zeros(shape, dtype)
    step = _checked(impl, "adam_step", p, g, m, v, t=10, lr=1e-3, weight_decay=1e-2)
    # in place: the state keeps evolving, which is what training does
    benchmark(lambda: step(p, g, m, v, t=10, lr=1e-3, weight_decay=1e-2))
