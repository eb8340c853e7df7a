"""Benchmarks: fastnn.ops kernels side by side with their NumPy twins.

Run:  python -m pytest bench/bench_ops.py
      (-k "256x1024 and float32" to pick cases; call
      fastnn.set_num_threads(n) in a conftest to vary threads).

Each case is parametrized over impl in ("fastnn", "numpy") and shares a
benchmark group "<op> <shape> <dtype>", so the two appear in the same table.
"""
import numpy as np
import pytest

from fastnn import ops
from fastnn import reference as ref

IMPLS = {"fastnn": ops, "numpy": ref}
SIZES = [(256, 1024), (4096, 1024)]
DTYPES = [np.float32, np.float64]
SIZE_IDS = ["%dx%d" % s for s in SIZES]


def _data(shape, dtype, seed=0, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


def _group(benchmark, op, shape, dtype):
    benchmark.group = "%s %dx%d %s" % (op, shape[0], shape[1], np.dtype(dtype).name)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "gelu"])
def test_activation(benchmark, name, shape, dtype, impl):
    _group(benchmark, "activation " + name, shape, dtype)
    z = _data(shape, dtype, scale=3.0)
    benchmark(IMPLS[impl].activation, z, name)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_softmax(benchmark, shape, dtype, impl):
    _group(benchmark, "softmax", shape, dtype)
    benchmark(IMPLS[impl].softmax, _data(shape, dtype, scale=3.0))


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_loss_cross_entropy(benchmark, shape, dtype, impl):
    _group(benchmark, "loss cross_entropy", shape, dtype)
    logits = _data(shape, dtype, scale=3.0)
    labels = np.random.default_rng(1).integers(0, shape[1], size=shape[0])
    benchmark(IMPLS[impl].loss, "cross_entropy", logits, labels)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_dropout(benchmark, shape, dtype, impl):
    _group(benchmark, "dropout 0.5", shape, dtype)
    x = _data(shape, dtype)
    benchmark(IMPLS[impl].dropout, x, 0.5, seed=42)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_column_sums(benchmark, shape, dtype, impl):
    _group(benchmark, "column_sums", shape, dtype)
    benchmark(IMPLS[impl].column_sums, _data(shape, dtype))


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SIZES, ids=SIZE_IDS)
def test_adam_step(benchmark, shape, dtype, impl):
    _group(benchmark, "adam_step", shape, dtype)
    p = _data(shape, dtype)
    g = _data(shape, dtype, seed=1)
    m, v = np.zeros(shape, dtype), np.zeros(shape, dtype)
    step = IMPLS[impl].adam_step
    # in place: the state keeps evolving, which is what training does
    benchmark(lambda: step(p, g, m, v, t=10, lr=1e-3, weight_decay=1e-2))
