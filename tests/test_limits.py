"""Sizes past 32-bit indexing and requests past the machine's memory.

What is tested, and how it stays cheap (see docs/reliability.md):

* 64-bit indexing on operands of more than 2**31 elements: np.zeros maps
  untouched pages to the kernel's shared zero page, so a (70000, 40000)
  float32 operand (11.2 GB of address space) costs a few MB of RAM.  Rows past
  element 2**31 get distinct values; a 32-bit index would wrap and read zeros
  (or fault).  Outputs stay small, so only GEMM and column sums are covered
  this way; elementwise ops would write outputs of the same size (8+ GB).
* Requests larger than memory raise MemoryError (or ValueError when NumPy
  cannot even express the size), before fastnn's C code runs.
* Trainer buffers whose byte counts would overflow are refused in C
  (csrc/train/workspace.c config_ok) with ValueError, before any allocation.
"""
import numpy as np
import pytest

import fastnn
from fastnn import _core, ops
from fastnn._session import Session, param_layout

ROW_PAST_2_31 = 53688  # 53688 * 40000 > 2**31


def big_zeros(shape):
    try:
        return np.zeros(shape, dtype=np.float32)
    except MemoryError:
        pytest.skip("cannot map %s float32 (address space / overcommit)" % (shape,))


def test_matmul_with_more_than_2_31_elements():
    # trans_a=True on the same operand takes ~40 s (TLB misses while packing
    # columns of an 11 GB mapping): too slow for the suite, see docs/reliability.md
    m, k = 70000, 40000
    assert m * k > 2 ** 31
    a = big_zeros((m, k))
    rows = {0: 3.0, ROW_PAST_2_31: 2.0, m - 1: 1.0}
    for i, v in rows.items():
        a[i, :] = v
        a[i, k - 1] = v + 0.5  # the last element of the row, the farthest address
    b = np.ones((k, 1), dtype=np.float32)
    c = ops.matmul(a, b)
    assert c.shape == (m, 1)
    for i, v in rows.items():
        assert c[i, 0] == v * (k - 1) + v + 0.5
    assert np.count_nonzero(c) == len(rows)


def test_column_sums_with_more_than_2_31_elements():
    a = big_zeros((ROW_PAST_2_31 + 2, 40000))
    assert a.size > 2 ** 31
    a[ROW_PAST_2_31 + 1, :] = 2.0
    a[0, -1] = 1.0
    s = ops.column_sums(a)
    assert s[0] == 2.0 and s[-1] == 3.0 and np.all(s[1:-1] == 2.0)


@pytest.mark.parametrize("side", [2 ** 20, 2 ** 40])
def test_matmul_output_too_large_is_refused(side):
    # zero-size inputs, but a 4 TB (MemoryError) or 2**80-element (ValueError) output
    a = np.zeros((side, 0), dtype=np.float32)
    b = np.zeros((0, side), dtype=np.float32)
    with pytest.raises((MemoryError, ValueError)):
        ops.matmul(a, b)


def test_empty_products_with_huge_dimensions():
    a = np.zeros((0, 2 ** 40), dtype=np.float32)
    b = np.zeros((2 ** 40, 0), dtype=np.float32)
    assert ops.matmul(a, b).shape == (0, 0)
    assert ops.matmul(a.T, b.T, trans_a=True, trans_b=True).shape == (0, 0)


def test_model_larger_than_memory_is_a_memory_error():
    with pytest.raises(MemoryError):
        fastnn.MLP([10 ** 6, 10 ** 6, 10])


def test_trainer_buffers_larger_than_memory_are_a_memory_error():
    with pytest.raises(MemoryError, match="trainer"):
        Session([2, 3, 2], activation="relu", output="softmax", loss="cross_entropy",
                dropout=[0.0], dropout_mode="inverted", dtype=np.float32, max_batch=2 ** 38)


def _config(sizes, max_batch):
    w_off, b_off, n_params = param_layout(sizes)
    return dict(sizes=sizes, w_off=w_off, b_off=b_off, n_params=n_params, hidden_act=1,
                output=2, loss=2, dropout=[0.0] * (len(sizes) - 2), dropout_mode=0,
                optimizer=0, momentum=0.0, nesterov=False, beta1=0.9, beta2=0.999, eps=1e-8,
                adam_eps_style=0, l1=0.0, l2=0.0, weight_decay=0.0, l2_per_batch=False,
                input_noise=0.0, seed=0, max_batch=max_batch, dtype="float32", n_threads=1)


@pytest.mark.parametrize("sizes, max_batch", [
    ([1, 2 ** 31, 1], 2 ** 33),   # batch x hidden width = 2**64: wrapped to 0 bytes before
    ([2 ** 31 + 1, 1], 1),        # a layer wider than 2**31
    ([4, 4], 2 ** 40),            # batch x input width past 2**40 elements
])
def test_trainer_sizes_that_overflow_are_refused_before_allocating(sizes, max_batch):
    with pytest.raises(ValueError, match="trainer"):
        _core.EpochRunner(_config(sizes, max_batch))
