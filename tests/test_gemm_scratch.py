"""A caller's GEMM scratch (the training workspace passes one) too small for
the call is an error, never a reason to allocate inside a training step."""
import numpy as np
import pytest

import fastnn
from fastnn import _core
from fastnn._session import aligned_zeros


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scratch_too_small_for_the_team_is_an_error(dtype):
    if not fastnn.config()["openmp"]:
        pytest.skip("built without OpenMP: one thread, one scratch size")
    # m under every kernel's mc: each thread's A block is then the same size in every
    # kernel, so scratch for one thread (sized for any kernel) is short for two
    m, n, k = 96, 256, 300
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    want = np.empty((m, n), dtype)
    _core.gemm(False, False, a, k, b, n, want, m, n, k, n_threads=2)
    size = np.dtype(dtype).itemsize
    one, two = (_core.gemm_work_bytes(m, n, k, size, t) for t in (1, 2))
    assert two > one  # one packed A block per thread
    c = np.full((m, n), np.nan, dtype)
    with pytest.raises(ValueError, match="gemm"):
        _core.gemm(False, False, a, k, b, n, c, m, n, k, n_threads=2,
                   scratch=aligned_zeros(one, np.uint8))
    assert np.isnan(c).all()  # refused before touching C
    misaligned = aligned_zeros(two + 8, np.uint8)[8:]
    with pytest.raises(ValueError, match="gemm"):
        _core.gemm(False, False, a, k, b, n, c, m, n, k, n_threads=2, scratch=misaligned)
    _core.gemm(False, False, a, k, b, n, c, m, n, k, n_threads=2,
               scratch=aligned_zeros(two, np.uint8))
    assert np.array_equal(c, want)
    _core.gemm(False, False, a, k, b, n, c, m, n, k, n_threads=1,
               scratch=aligned_zeros(one, np.uint8))
    assert np.array_equal(c, want)


def test_bad_thread_count_is_refused_by_c():
    a = np.ones((9, 4))
    b = np.ones((4, 7))
    c = np.zeros((9, 7))
    for bad in (0, -3):
        with pytest.raises(ValueError):
            _core.gemm(False, False, a, 4, b, 7, c, 9, 7, 4, n_threads=bad)
        with pytest.raises(ValueError):
            _core.softmax(c.copy(), c, False, bad)
    assert not c.any()
