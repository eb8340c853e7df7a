"""Pre-packed bfloat16 weights (the trainer's path, csrc/gemm/bf16_driver.h):
a GEMM from a B packed once equals fnn_gemm_bf16 bit for bit, and refreshing
the packed units of updated blocks equals packing the changed matrix anew, in
both layouts (W for x W, W^T for dz W^T), for every kernel and thread count."""
import numpy as np
import pytest

from fastnn import _core, ops

SHAPES = [(1, 1, 1), (3, 5, 7), (12, 32, 511), (13, 33, 512), (25, 65, 513), (40, 10, 1025),
          (100, 784, 64), (32, 1024, 784)]


@pytest.mark.parametrize("m,n,k", SHAPES)
def test_packed_gemm_equals_gemm_bf16(kernel, n_threads, m, n, k):
    rng = np.random.default_rng(m + n + k)
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = rng.standard_normal((k, n)).astype(np.float32)
    for trans in (False, True):
        b = np.ascontiguousarray(w.T) if trans else w
        kern, units = _core.bf16_pack(trans, b, k, n)
        got = _core.gemm_bf16_packed(kern, a, units, n)
        want = ops.matmul(a, b, trans_b=trans, compute="bfloat16")
        assert np.array_equal(got, want)


def even_cuts(size, rng, pieces):
    """Block edges that are even, or the end (the refresh's contract)."""
    inner = sorted(set(int(x) * 2 for x in rng.integers(0, size // 2 + 1, pieces)))
    return [0] + [c for c in inner if 0 < c < size] + [size]


@pytest.mark.parametrize("rows,cols", [(1, 1), (2, 3), (7, 10), (64, 33), (513, 40),
                                       (100, 1030), (784, 64)])
def test_refresh_equals_a_fresh_pack(kernel, rows, cols):
    rng = np.random.default_rng(rows * 7 + cols)
    w = rng.standard_normal((rows, cols)).astype(np.float32)
    kern, fwd = _core.bf16_pack(False, w, rows, cols)
    _, bwd = _core.bf16_pack(True, w, cols, rows)
    w2 = w.copy()
    rcuts, ccuts = even_cuts(rows, rng, 3), even_cuts(cols, rng, 3)
    for r0, r1 in zip(rcuts[:-1], rcuts[1:]):
        for c0, c1 in zip(ccuts[:-1], ccuts[1:]):
            if rng.random() < 0.7:
                w2[r0:r1, c0:c1] = rng.standard_normal((r1 - r0, c1 - c0))
                _core.bf16_refresh(kern, w2, r0, r1, c0, c1, fwd, bwd)
    _, fwd_want = _core.bf16_pack(False, w2, rows, cols)
    _, bwd_want = _core.bf16_pack(True, w2, cols, rows)
    assert np.array_equal(fwd, fwd_want)
    assert np.array_equal(bwd, bwd_want)


def test_refresh_rejects_odd_edges_and_a_stale_kernel():
    w = np.ones((6, 6), np.float32)
    kern, fwd = _core.bf16_pack(False, w, 6, 6)
    _, bwd = _core.bf16_pack(True, w, 6, 6)
    with pytest.raises(ValueError):
        _core.bf16_refresh(kern, w, 1, 4, 0, 6, fwd, bwd)
    with pytest.raises(ValueError):
        _core.bf16_refresh(1 - kern, w, 0, 6, 0, 6, fwd, bwd)
    with pytest.raises(ValueError):
        _core.gemm_bf16_packed(1 - kern, w, fwd, 6)
