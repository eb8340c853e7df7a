"""GEMM with bfloat16 compute (ops.matmul(..., compute="bfloat16")) against its
twin reference.matmul, on every ISA this CPU runs (the AVX-512 one uses
vdpbf16ps when the CPU has AVX512-BF16, the others a portable kernel) and on
1 and 2 threads.

The operands are rounded to bfloat16 exactly as the reference rounds them, and
the product of two bfloat16 values is exact in float32, so the only error left
is float32 summation: |fastnn - exact| <= C_TOL * (k + 2) * eps32 * (|A'| @ |B'|)
with A', B' the rounded operands.  That bound is ~1000 times tighter than the
distance to the unrounded float32 product, which the tests also check is
exceeded, so skipping the rounding cannot pass.
"""
import numpy as np
import pytest

import fastnn
from fastnn import _core, ops, reference

C_TOL = 2.0
EPS32 = float(np.finfo(np.float32).eps)

# Block sizes of the bfloat16 drivers (csrc/gemm/bf16_driver.h): kc = 512 k
# values (256 pairs), mc = 480; tiles 12 x 32 (vdpbf16ps) and 4 x 8 (portable).
SHAPES = [(1, 1, 1), (1, 1, 2), (2, 3, 1), (7, 11, 13), (13, 33, 9), (12, 32, 511),
          (25, 65, 512), (11, 31, 513), (5, 9, 1025), (130, 70, 40), (481, 40, 33),
          (3, 130, 2), (256, 10, 64)]


def op(x, t):
    return x.T if t else x


def operands(rng, m, n, k, ta, tb):
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    return a, b


def assert_bf16_close(got, a, b, ta, tb):
    a16 = op(reference.round_bfloat16(a), ta).astype(np.float64)
    b16 = op(reference.round_bfloat16(b), tb).astype(np.float64)
    exact, mag = a16 @ b16, np.abs(a16) @ np.abs(b16)
    k = a16.shape[1]
    err = np.abs(got.astype(np.float64) - exact)
    tol = C_TOL * (k + 2) * EPS32 * mag
    assert (err <= tol).all(), "worst err %g over tol" % (err - tol).max()
    # the twin agrees within the same bound
    twin = reference.matmul(a, b, trans_a=ta, trans_b=tb, compute="bfloat16")
    assert (np.abs(twin - exact) <= tol).all()
    return exact, mag


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("m,n,k", SHAPES)
def test_matches_rounded_reference(kernel, n_threads, ta, tb, m, n, k):
    rng = np.random.default_rng(m * 7919 + n * 31 + k)
    a, b = operands(rng, m, n, k, ta, tb)
    got = ops.matmul(a, b, trans_a=ta, trans_b=tb, compute="bfloat16")
    assert got.dtype == np.float32 and got.shape == (m, n)
    assert_bf16_close(got, a, b, ta, tb)


def test_rounding_is_applied(kernel):
    rng = np.random.default_rng(3)
    a, b = operands(rng, 40, 50, 60, False, False)
    got = ops.matmul(a, b, compute="bfloat16").astype(np.float64)
    full = a.astype(np.float64) @ b.astype(np.float64)
    mag = np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))
    f32_bound = C_TOL * 62 * EPS32 * mag
    # bfloat16 keeps 8 significant bits: most elements leave the float32 bound
    assert (np.abs(got - full) > f32_bound).mean() > 0.9


SPECIAL = np.array([1 + 2 ** -8, 1 + 3 * 2 ** -8, -(1 + 2 ** -8), 1 + 2 ** -8 + 2 ** -20,
                    3.4028235e38, 3.3895e38, np.inf, -np.inf, np.nan, 1e-40, -1e-40,
                    1.1754944e-38, 0.0, 2.0 ** -130, 65504.0, 0.1], dtype=np.float32)


def test_rounding_ties_overflow_nan_and_subnormals_match_the_twin(kernel):
    # k = 1 and b = 1: the product is exactly the rounded a, bit for bit
    x = SPECIAL.reshape(-1, 1)
    got = ops.matmul(x, np.ones((1, 1), np.float32), compute="bfloat16").ravel()
    want = reference.round_bfloat16(SPECIAL)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert np.array_equal(got[ok], want[ok] + np.float32(0))  # -0 sums to +0
    assert want[0] == 1.0 and want[1] == 1 + 2 ** -6 and want[3] == 1 + 2 ** -7
    assert np.isinf(want[4]) and np.isfinite(want[5])  # past the largest bfloat16: inf
    assert want[9] == 0 and want[10] == 0 and want[13] == 0  # subnormals read as zero


def test_round_bfloat16_keeps_8_bits():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(100000).astype(np.float32)
    r = reference.round_bfloat16(x)
    assert np.all(r.view(np.uint32) & 0xFFFF == 0)
    assert np.all(np.abs(r - x) <= np.abs(x) * 2.0 ** -8)  # half an ulp of 8 significant bits


def test_bit_identical_across_threads_within_each_kernel():
    """Bit for bit across thread counts; across kernels only within the bound,
    as CPUs may order a vdpbf16ps pair's two roundings differently."""
    rng = np.random.default_rng(9)
    a, b = operands(rng, 300, 200, 1100, False, False)
    results = {}
    old_isa, old_threads = _core.get_isa(), fastnn._config._thread_setting()
    try:
        for isa in ["generic", _core.best_isa()]:
            _core.set_isa(isa)
            for t in (1, 2):
                fastnn.set_num_threads(t)
                results.setdefault(isa, []).append(ops.matmul(a, b, compute="bfloat16"))
    finally:
        _core.set_isa(old_isa)
        fastnn.set_num_threads(old_threads)
    for isa, (one, two) in results.items():
        assert np.array_equal(one, two), isa
        assert_bf16_close(one, a, b, False, False)


def test_out_and_aliasing():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((20, 20)).astype(np.float32)
    want = ops.matmul(a, a, compute="bfloat16")
    out = np.empty((20, 20), np.float32)
    assert ops.matmul(a, a, compute="bfloat16", out=out) is out
    assert np.array_equal(out, want)
    b = a.copy()
    ops.matmul(b, a, compute="bfloat16", out=b)
    assert np.array_equal(b, want)


def test_bad_compute_arguments():
    a = np.ones((2, 2))
    with pytest.raises(TypeError, match="float32"):
        ops.matmul(a, a, compute="bfloat16")
    with pytest.raises(ValueError, match="compute"):
        ops.matmul(a.astype(np.float32), a.astype(np.float32), compute="float16")
    with pytest.raises(ValueError, match="inner sizes"):
        ops.matmul(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32), compute="bfloat16")


def test_show_config_reports_bf16(kernel):
    amx = _core.amx_unusable_reason() is None  # AMX, where usable, for every ISA
    native = kernel == "avx512" and "avx512_bf16" in _core.cpu_features()
    assert fastnn.config()["bfloat16"] == ("tdpbf16ps" if amx else
                                           "vdpbf16ps" if native else "emulated")


@pytest.mark.parametrize("k", [31, 32, 64, 300])
@pytest.mark.parametrize("side", ["a", "a_trans", "b", "b_trans"])
def test_vector_rounding_matches_the_twin_bit_for_bit(kernel, k, side):
    """Rows long enough for the vector conversion: each row holds one special
    value among zeros and is summed against ones, so C is its rounding."""
    rng = np.random.default_rng(k)
    rows = np.zeros((len(SPECIAL), k), np.float32)
    rows[np.arange(len(SPECIAL)), rng.integers(0, k, len(SPECIAL))] = SPECIAL
    ones = np.ones((k, 1), np.float32)
    stored_t = np.ascontiguousarray(rows.T)  # k x rows: the pair-of-rows packing paths
    if side == "a":
        got = ops.matmul(rows, ones, compute="bfloat16").ravel()
    elif side == "a_trans":
        got = ops.matmul(stored_t, ones, trans_a=True, compute="bfloat16").ravel()
    elif side == "b":  # C = ones^T rows^T
        got = ops.matmul(ones.T, stored_t, compute="bfloat16").ravel()
    else:
        got = ops.matmul(ones.T, rows, trans_b=True, compute="bfloat16").ravel()
    want = reference.round_bfloat16(SPECIAL) + np.float32(0)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert np.array_equal(got[ok].view(np.uint32), want[ok].view(np.uint32))
