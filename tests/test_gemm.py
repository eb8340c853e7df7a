"""GEMM (csrc/gemm) against NumPy, on every ISA this CPU runs and 1/2 threads.

Accuracy: for each element, |fastnn - exact| <= C_TOL * k * eps * (|op(A)| @ |op(B)|)
(the classical dot-product error bound, k being the reduction length), with the
"exact" reference computed in a wider type (float64 for float32 inputs,
longdouble for float64 inputs).
"""
import numpy as np
import pytest

import fastnn
from fastnn import _core, ops

C_TOL = 2.0


def blocking(kernel, dtype, narrow=False):
    """(mr, nr, mc, kc, nc) of the GEMM kernel `kernel` selects for dtype,
    read from the dispatch table; the tail shapes below sit on either side
    of each of them."""
    b = _core.gemm_blocking(np.dtype(dtype).name, kernel, narrow=narrow)
    return b["mr"], b["nr"], b["mc"], b["kc"], b["nc"]


def narrow_blocking(dtype, kernel):
    """The narrow path's (mr, nr, mc, kc): C at most nr wide, A read in place
    (AVX2, AVX-512): `kernel`'s, else another ISA's; a build without any
    narrow kernel uses the portable tile."""
    for isa in [kernel, *_core.ISA_NAMES]:
        try:
            return blocking(isa, dtype, narrow=True)[:4]
        except ValueError:
            pass
    return blocking("generic", dtype)[:4]


DTYPES = [np.float32, np.float64]


def op(x, t):
    return x.T if t else x


def reference(a, b, ta, tb):
    wide = np.longdouble if a.dtype == np.float64 else np.float64
    A = op(a, ta).astype(wide)
    B = op(b, tb).astype(wide)
    return A @ B, np.abs(A) @ np.abs(B)


def assert_close(got, a, b, ta=False, tb=False, alpha=1.0, beta=0.0, c0=None):
    exact, mag = reference(a, b, ta, tb)
    k = op(a, ta).shape[1]
    eps = np.finfo(got.dtype).eps
    exact = alpha * exact
    mag = abs(alpha) * mag
    if beta != 0:
        wide = exact.dtype
        exact = exact + beta * c0.astype(wide)
        mag = mag + abs(beta) * np.abs(c0.astype(wide))
    tol = C_TOL * (k + 2) * eps * mag
    err = np.abs(got.astype(exact.dtype) - exact)
    bad = ~(err <= tol)
    assert not bad.any(), "%d bad elements, worst err %g (tol %g) at %s" % (
        bad.sum(), err.max(), tol.flat[np.argmax(err - tol)], np.unravel_index(np.argmax(err - tol), err.shape))


def make(rng, shape, dtype, order="C"):
    x = rng.standard_normal(shape).astype(dtype)
    return np.asfortranarray(x) if order == "F" else x


def operands(rng, m, n, k, ta, tb, dtype):
    a = make(rng, (k, m) if ta else (m, k), dtype)
    b = make(rng, (n, k) if tb else (k, n), dtype)
    return a, b


SMALL_SHAPES = [(1, 1, 1), (1, 7, 3), (5, 1, 4), (2, 3, 1), (7, 11, 13), (31, 37, 41),
                (13, 17, 97), (64, 64, 64), (3, 130, 2)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("m,n,k", SMALL_SHAPES)
def test_small_shapes(kernel, n_threads, dtype, ta, tb, m, n, k):
    rng = np.random.default_rng(m * 1000 + n * 10 + k)
    a, b = operands(rng, m, n, k, ta, tb, dtype)
    assert_close(ops.matmul(a, b, trans_a=ta, trans_b=tb), a, b, ta, tb)


def tail_shapes(kernel, dtype):
    mr, nr, mc, kc, nc = blocking(kernel, dtype)
    shapes = set()
    for m in (mr - 1, mr, mr + 1, 2 * mr + 1):
        for n in (nr - 1, nr + 1):
            shapes.add((m, n, 5))
    for k in (kc - 1, kc, kc + 1, 2 * kc + 1):
        shapes.add((mr + 1, nr + 1, k))
    for m in (mc - 1, mc + 1):
        shapes.add((m, nr + 3, 9))
    for n in (nc - 1, nc + 1):
        shapes.add((mr + 2, n, 7))
    return sorted(shapes)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", [(False, False), (True, True)])
def test_block_tails(kernel, n_threads, dtype, ta, tb):
    rng = np.random.default_rng(7)
    for m, n, k in tail_shapes(kernel, dtype):
        a, b = operands(rng, m, n, k, ta, tb, dtype)
        assert_close(ops.matmul(a, b, trans_a=ta, trans_b=tb), a, b, ta, tb)


def narrow_shapes(dtype, kernel):
    mr, nr, mc, kc = narrow_blocking(dtype, kernel)
    shapes = set()
    for m in (1, mr - 1, mr, mr + 1, 2 * mr + 1, 512):
        for n in (1, nr - 1, nr, nr + 1):
            shapes.add((m, n, 7))
    for k in (kc - 1, kc, kc + 1, 2 * kc + 1):
        shapes.add((2 * mr + 3, 10 if nr > 10 else nr - 1, k))
    for m in (mc - 1, mc + 1, 2 * mc + mr + 5):
        shapes.add((m, nr - 3, 9))
    return sorted(shapes)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_narrow_tails(kernel, n_threads, dtype, ta, tb):
    rng = np.random.default_rng(17)
    for m, n, k in narrow_shapes(dtype, kernel):
        a, b = operands(rng, m, n, k, ta, tb, dtype)
        assert_close(ops.matmul(a, b, trans_a=ta, trans_b=tb), a, b, ta, tb)


@pytest.mark.parametrize("dtype", DTYPES)
def test_narrow_b_in_place_with_wider_rows(kernel, n_threads, dtype):
    """B a column slice of a wider array (row stride > n, passed in place):
    the narrow path reads only B's n lanes or packs it; the right-hand slice
    ends at its buffer's end, so a whole-row read of the last row would run
    past it (the sanitizer run catches that)."""
    rng = np.random.default_rng(23)
    mr, nr, _, kc = narrow_blocking(dtype, kernel)
    for m, k in ((2 * mr + 1, 9), (mr, kc + 3)):
        a = make(rng, (m, k), dtype)
        for n in sorted({1, nr - 3, nr - 1}):
            wide = make(rng, (k, nr + 5), dtype)
            for b in (wide[:, :n], wide[:, -n:]):
                assert_close(ops.matmul(a, b), a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_medium_all_paths(kernel, n_threads, dtype, ta, tb):
    rng = np.random.default_rng(11)
    for m, n, k in [(300, 517, 260), (20, 700, 300), (129, 33, 600)]:
        a, b = operands(rng, m, n, k, ta, tb, dtype)
        assert_close(ops.matmul(a, b, trans_a=ta, trans_b=tb), a, b, ta, tb)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n,k", [(0, 5, 3), (5, 0, 3), (0, 0, 0), (5, 3, 0), (0, 4, 0)])
def test_empty(dtype, m, n, k):
    a = np.ones((m, k), dtype)
    b = np.ones((k, n), dtype)
    c = ops.matmul(a, b)
    assert c.shape == (m, n) and c.dtype == dtype
    assert np.array_equal(c, np.zeros((m, n), dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_strided_and_fortran(kernel, n_threads, dtype):
    rng = np.random.default_rng(3)
    big_a = make(rng, (2 * 67, 3 * 45), dtype)
    big_b = make(rng, (45 * 2, 53 * 2), dtype)
    a = big_a[::2, ::3]          # (67, 45), both strides odd
    b = big_b[::2, ::2]          # (45, 53)
    assert_close(ops.matmul(a, b), a, b)
    af, bf = np.asfortranarray(a), np.asfortranarray(b)
    assert_close(ops.matmul(af, bf), af, bf)
    assert_close(ops.matmul(af, b), af, b)
    # transposed views of C and F arrays
    at = np.asfortranarray(a.T)  # (45, 67)
    assert_close(ops.matmul(at, b, trans_a=True), at, b, True, False)
    bt = big_b[::2, ::2].T[:, :]  # (53, 45) strided
    assert_close(ops.matmul(a, bt, trans_b=True), a, bt, False, True)
    # row slices with a leading dimension larger than the row
    a2 = make(rng, (70, 100), dtype)[:, 10:55]
    assert_close(ops.matmul(a2, b), a2, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_out_and_aliasing(dtype):
    rng = np.random.default_rng(5)
    a = make(rng, (40, 40), dtype)
    b = make(rng, (40, 40), dtype)
    out = np.empty((40, 40), dtype)
    r = ops.matmul(a, b, out=out)
    assert r is out
    assert_close(out, a, b)
    a0 = a.copy()
    r = ops.matmul(a, b, out=a)
    assert r is a
    assert_close(a, a0, b)
    b0 = b.copy()
    ops.matmul(a0, b, out=b)
    assert_close(b, a0, b0)


def gemm_call(a, b, c, alpha, beta, ta=False, tb=False):
    m, n = c.shape
    k = a.shape[0] if ta else a.shape[1]
    _core.gemm(ta, tb, a, a.shape[1], b, b.shape[1], c, m, n, k, alpha=alpha, beta=beta,
               n_threads=fastnn.get_num_threads())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (13, 33, 17), (100, 70, 300), (37, 10, 300),
                                   (600, 7, 600)])
def test_alpha_beta(kernel, n_threads, dtype, m, n, k):
    rng = np.random.default_rng(9)
    a, b = operands(rng, m, n, k, False, False, dtype)
    # beta == 0: C is write-only, NaN and inf there must not leak
    c = np.full((m, n), np.nan, dtype)
    c[0, 0] = np.inf
    gemm_call(a, b, c, 1.0, 0.0)
    assert np.isfinite(c).all()
    assert_close(c, a, b)
    c = np.full((m, n), np.nan, dtype)
    gemm_call(a, b, c, -0.5, 0.0)
    assert_close(c, a, b, alpha=-0.5)
    # beta == 1: accumulate
    c0 = make(rng, (m, n), dtype)
    c = c0.copy()
    gemm_call(a, b, c, 1.0, 1.0)
    assert_close(c, a, b, alpha=1.0, beta=1.0, c0=c0)
    # general alpha and beta
    c = c0.copy()
    gemm_call(a, b, c, 0.75, -2.0)
    assert_close(c, a, b, alpha=0.75, beta=-2.0, c0=c0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_alpha_beta_edge_cases(dtype):
    rng = np.random.default_rng(2)
    a = make(rng, (9, 4), dtype)
    b = make(rng, (4, 7), dtype)
    c0 = make(rng, (9, 7), dtype)
    # k == 0: C = beta C, or zeros (not NaN) when beta == 0
    c = c0.copy()
    _core.gemm(False, False, a, 4, b, 7, c, 9, 7, 0, alpha=1.0, beta=3.0, n_threads=1)
    assert np.array_equal(c, (c0 * dtype(3)))
    c = np.full((9, 7), np.nan, dtype)
    _core.gemm(False, False, a, 4, b, 7, c, 9, 7, 0, alpha=1.0, beta=0.0, n_threads=1)
    assert np.array_equal(c, np.zeros((9, 7), dtype))
    # alpha == 0: A and B are not used
    c = c0.copy()
    _core.gemm(False, False, a, 4, b, 7, c, 9, 7, 4, alpha=0.0, beta=2.0, n_threads=1)
    assert np.array_equal(c, c0 * dtype(2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_bad_leading_dimensions(dtype):
    a = np.ones((9, 4), dtype)
    b = np.ones((4, 7), dtype)
    c = np.zeros((9, 7), dtype)
    for lda, ldb in [(3, 7), (4, 6), (0, 7)]:
        with pytest.raises(ValueError, match="invalid size, stride"):
            _core.gemm(False, False, a, lda, b, ldb, c, 9, 7, 4, n_threads=1)
    with pytest.raises(ValueError, match="invalid size, stride"):
        _core.gemm(False, False, a, 4, b, 7, c, -1, 7, 4, n_threads=1)
    assert not c.any()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("m,n,k", [(300, 517, 260), (24, 1000, 300), (520, 40, 700),
                                   (517, 10, 600), (1000, 7, 300)])
def test_bit_identical_across_threads(kernel, dtype, ta, tb, m, n, k):
    if not fastnn.config()["openmp"]:
        pytest.skip("built without OpenMP")
    rng = np.random.default_rng(13)
    a, b = operands(rng, m, n, k, ta, tb, dtype)
    old = fastnn._config._thread_setting()
    try:
        fastnn.set_num_threads(1)
        one = ops.matmul(a, b, trans_a=ta, trans_b=tb)
        fastnn.set_num_threads(2)
        two = ops.matmul(a, b, trans_a=ta, trans_b=tb)
    finally:
        fastnn.set_num_threads(old)
    assert np.array_equal(one, two)
    assert_close(two, a, b, ta, tb)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", [(False, False), (True, True)])
def test_bit_identical_when_threads_outnumber_cores(kernel, dtype, ta, tb):
    """More threads than CPUs: members are descheduled mid-call, so the
    blocks of the m split and the chunks of the n split (work stealing, kept
    across k panels) go to whoever is running.  Shapes: n split with several
    k panels, n split over two jc blocks (n past nc: the chunks are handed
    out afresh), m split."""
    if not fastnn.config()["openmp"]:
        pytest.skip("built without OpenMP")
    _, nr, mc, kc, nc = blocking(kernel, dtype)
    shapes = [(min(mc, 250), 40 * nr + 7, 3 * kc + 5), (30, nc + 3 * nr + 1, kc + 9),
              (2 * mc + 13, 9 * nr, kc + 1)]
    rng = np.random.default_rng(29)
    old = fastnn._config._thread_setting()
    try:
        for m, n, k in shapes:
            a, b = operands(rng, m, n, k, ta, tb, dtype)
            fastnn.set_num_threads(1)
            one = ops.matmul(a, b, trans_a=ta, trans_b=tb)
            for threads in (3, 5):
                fastnn.set_num_threads(threads)
                for _ in range(3):
                    assert np.array_equal(ops.matmul(a, b, trans_a=ta, trans_b=tb), one), \
                        (m, n, k, threads)
            assert_close(one, a, b, ta, tb)
    finally:
        fastnn.set_num_threads(old)


try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # pragma: no cover
    given = None

if given is not None:
    @settings(max_examples=60, deadline=None)
    @given(m=st.integers(1, 70), n=st.integers(1, 70), k=st.integers(1, 70),
           ta=st.booleans(), tb=st.booleans(), f64=st.booleans(),
           isa=st.sampled_from(["generic", "avx2", "avx512"]), seed=st.integers(0, 2**31))
    def test_property_random_shapes(m, n, k, ta, tb, f64, isa, seed):
        order = ("generic", "avx2", "avx512")
        if order.index(isa) > order.index(_core.best_isa()):
            isa = _core.best_isa()
        dtype = np.float64 if f64 else np.float32
        rng = np.random.default_rng(seed)
        a, b = operands(rng, m, n, k, ta, tb, dtype)
        old = _core.get_isa()
        _core.set_isa(isa)
        try:
            got = ops.matmul(a, b, trans_a=ta, trans_b=tb)
        finally:
            _core.set_isa(old)
        assert_close(got, a, b, ta, tb)



@pytest.mark.parametrize("compute", [None, "bfloat16"])
def test_out_overlapping_an_input_partly_gives_the_unaliased_result(compute):
    """ops.matmul's Cython fast path declines any out that overlaps an input
    (here a shifted window of the same buffer); the result must be as if the
    operands had been copied first."""
    rng = np.random.default_rng(4)
    buf = rng.standard_normal((40, 70)).astype(np.float32)
    a = buf[:, :30]
    b = rng.standard_normal((30, 30)).astype(np.float32)
    want = ops.matmul(a.copy(), b, compute=compute)
    out = buf[:, 5:35]  # overlaps a's columns 5..29, not C-contiguous: general path
    with pytest.raises(ValueError, match="C-contiguous"):
        ops.matmul(a, b, out=out, compute=compute)
    flat = np.zeros(40 * 30 + 17, np.float32)
    a2 = flat[:1200].reshape(40, 30)
    a2[...] = a
    out2 = flat[17:].reshape(40, 30)  # C-contiguous, overlapping a2 by all but 17 elements
    assert ops.matmul(a2, b, out=out2, compute=compute) is out2
    np.testing.assert_array_equal(out2, want)
    disjoint = np.zeros((80, 30), np.float32)
    a3, out3 = disjoint[:40], disjoint[40:]  # same buffer, no overlap: fast path
    a3[...] = a
    assert ops.matmul(a3, b, out=out3, compute=compute) is out3
    np.testing.assert_array_equal(out3, want)


def test_fast_and_general_paths_agree_on_layouts():
    """C, Fortran, transposed, strided (general path: a copy) and one-row or
    one-column views all give the product within the dot-product bound."""
    rng = np.random.default_rng(6)
    for dtype in (np.float32, np.float64):
        base = rng.standard_normal((50, 60)).astype(dtype)
        for xa in (base, base.T, base[::2, ::3], np.asfortranarray(base), base[:, :1], base[:1],
                   base[3:40, 5:50]):
            w = rng.standard_normal((xa.shape[1], 7)).astype(dtype)
            got = ops.matmul(xa, w)
            assert got.flags.c_contiguous and got.dtype == dtype
            assert_close(got, xa, w)
