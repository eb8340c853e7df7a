"""Dropout and the counter-based generator against fastnn.reference, and the
statistics of the mask."""
import numpy as np
import pytest

from fastnn import ops
from fastnn import reference as ref
from fastnn import _reference_random as random_twin
from _opsutil import DTYPES, SHAPES, bits_equal, layouts, randn, threads

N_STAT = 1 << 20  # >= 1e6 draws
MODES = ("inverted", "classic")


@pytest.mark.parametrize("seed,counter", [(0, 0), (0, 1), (1, 0), (42, 12345), (2 ** 63, 7),
                                          (2 ** 64 - 1, 0), (0, 2 ** 64 - 1),
                                          (2 ** 64 - 1, 2 ** 64 - 1), (123456789, 2 ** 40 + 3)])
def test_rng_bits_matches_twin(seed, counter):
    got = ops.rng_bits(seed, counter)
    assert isinstance(got, int) and 0 <= got < 2 ** 64
    assert got == int(ref.rng_bits(seed, counter))


def test_rng_bits_known_value():
    # splitmix64 with state 0 -> first output 0xE220A8397B1DCDAF: mix64(golden)
    assert int(random_twin._mix64(np.uint64(0x9E3779B97F4A7C15))) == 0xE220A8397B1DCDAF
    assert ops.rng_bits(0, 0) == int(random_twin._mix64(random_twin._mix64(np.uint64(0)) + random_twin._GOLDEN))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + [(4, 3, 5), (11,), ()])
@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.9, 1 - 2 ** -30])
@pytest.mark.parametrize("mode", MODES)
def test_dropout_matches_twin(kernel, mode, rate, shape, dtype):
    x = randn(shape, dtype, 2.0)
    seed, offset = 1234, 99
    y, mask = ops.dropout(x, rate, seed=seed, offset=offset, mode=mode)
    wy, wmask = ref.dropout(x, rate, seed=seed, offset=offset, mode=mode)
    assert y.dtype == dtype and y.shape == x.shape
    assert mask.dtype == np.uint8 and mask.shape == x.shape
    assert bits_equal(mask, wmask)
    assert bits_equal(mask.astype(bool), ref.dropout_keep(shape, rate, seed, offset))
    # one rounded multiplication by the same rounded scale: exactly the twin
    assert bits_equal(y, wy)
    dy = randn(shape, dtype, seed=3)
    dx = ops.dropout_backward(dy, mask, rate, mode=mode)
    assert bits_equal(dx, ref.dropout_backward(dy, mask, rate, mode=mode))
    assert bits_equal(dx, ops.dropout_backward(dy, mask.astype(bool), rate, mode=mode))


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_scale(kernel, dtype):
    x = np.ones(1000, dtype)
    for rate in (0.1, 0.5, 0.75):
        y, mask = ops.dropout(x, rate, seed=5)
        kept = mask.astype(bool)
        assert np.all(y[kept] == dtype(1 / (1 - rate))) and np.all(y[~kept] == 0)
        y, mask2 = ops.dropout(x, rate, seed=5, mode="classic")
        assert bits_equal(mask, mask2)
        assert np.all(y[kept] == 1) and np.all(y[~kept] == 0)
        dx = ops.dropout_backward(x * 3, mask, rate)
        assert np.all(dx[kept] == dtype(3) * dtype(1 / (1 - rate))) and np.all(dx[~kept] == 0)
        dx = ops.dropout_backward(x * 3, mask, rate, mode="classic")
        assert np.all(dx[kept] == 3) and np.all(dx[~kept] == 0)


def test_rate_zero_keeps_everything(kernel):
    x = randn((300, 257), np.float32)
    for mode in MODES:
        y, mask = ops.dropout(x, 0.0, seed=77, mode=mode)
        assert mask.all() and bits_equal(y, x)
        assert bits_equal(ops.dropout_backward(x, mask, 0.0, mode=mode), x)


def test_dropout_layouts(kernel):
    x = randn((13, 7))
    want = ops.dropout(x, 0.3, seed=9)
    for label, xl in layouts(x):
        got = ops.dropout(xl, 0.3, seed=9)
        assert bits_equal(got[0], want[0]) and bits_equal(got[1], want[1]), label
        assert bits_equal(ops.dropout_backward(xl, want[1], 0.3),
                          ops.dropout_backward(x, want[1], 0.3)), label
    # the mask itself may be non-contiguous too
    big = np.zeros((26, 7), np.uint8)
    big[::2] = want[1]
    assert bits_equal(ops.dropout_backward(x, big[::2], 0.3), ops.dropout_backward(x, want[1], 0.3))


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_keep_fraction_and_neighbour_independence(rate):
    x = np.ones(N_STAT, np.float32)
    _, mask = ops.dropout(x, rate, seed=2024)
    k = mask.astype(np.float64)
    p = 1 - rate
    se = np.sqrt(p * (1 - p) / N_STAT)
    assert abs(k.mean() - p) < 5 * se
    # neighbours: correlation ~ N(0, 1/N); P(both kept) ~ p^2
    corr = np.corrcoef(k[:-1], k[1:])[0, 1]
    assert abs(corr) < 5 / np.sqrt(N_STAT - 1)
    both = (k[:-1] * k[1:]).mean()
    q = p * p
    assert abs(both - q) < 5 * np.sqrt(q * (1 - q) / (N_STAT - 1))
    # rows of a 2-D array are not aligned copies of each other
    rows = mask.reshape(1024, 1024)
    corr_rows = np.corrcoef(rows[:-1].ravel().astype(float), rows[1:].ravel().astype(float))[0, 1]
    assert abs(corr_rows) < 5 / np.sqrt(rows[1:].size)


def test_seed_and_offset_streams(kernel):
    x = np.ones(5000)
    _, m1 = ops.dropout(x, 0.5, seed=1)
    _, m1b = ops.dropout(x, 0.5, seed=1)
    _, m2 = ops.dropout(x, 0.5, seed=2)
    assert bits_equal(m1, m1b)
    # different seeds: the masks agree on about half of the elements, not all
    agree = (m1 == m2).mean()
    assert abs(agree - 0.5) < 5 * np.sqrt(0.25 / x.size)
    # offset k continues the stream: dropout(x, offset=k) is the tail of a longer call
    _, long_mask = ops.dropout(np.ones(5000 + 123), 0.5, seed=1)
    for k in (0, 1, 123):
        _, tail = ops.dropout(x, 0.5, seed=1, offset=k)
        assert bits_equal(tail, long_mask[k:k + 5000])
    # 2-D arrays use row-major element order
    _, m2d = ops.dropout(np.ones((50, 100)), 0.5, seed=1, offset=123)
    assert bits_equal(m2d.ravel(), long_mask[123:123 + 5000])
    # offsets near 2**64 wrap the counter like the twin
    for seed, offset in [(2 ** 64 - 1, 2 ** 64 - 3), (0, 2 ** 64 - 1)]:
        _, m = ops.dropout(np.ones(8), 0.5, seed=seed, offset=offset)
        assert bits_equal(m.astype(bool), ref.dropout_keep((8,), 0.5, seed, offset))


def test_dropout_mask_same_for_any_thread_count(kernel, n_threads):
    x = randn((300, 257), np.float32)  # > FNN_PAR_MIN elements
    got = ops.dropout(x, 0.3, seed=11, offset=5)
    dx = ops.dropout_backward(x, got[1], 0.3)
    with threads(1):
        want = ops.dropout(x, 0.3, seed=11, offset=5)
        want_dx = ops.dropout_backward(x, want[1], 0.3)
    assert bits_equal(got[0], want[0]) and bits_equal(got[1], want[1]) and bits_equal(dx, want_dx)
    assert bits_equal(got[1].astype(bool), ref.dropout_keep(x.shape, 0.3, 11, 5))


@pytest.mark.parametrize("bad", [1.0, -0.1, float("nan"), float("inf"), 1.5, -1e-300])
def test_bad_rate_raises_value_error(bad):
    x = np.ones(4)
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        ops.dropout(x, bad, seed=0)
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        ops.dropout_backward(x, np.ones(4, np.uint8), bad)


def test_bad_dropout_arguments():
    x = np.ones(4)
    with pytest.raises(TypeError, match="rate"):
        ops.dropout(x, "half", seed=0)
    for bad_seed in (1.5, "1", None, True):
        with pytest.raises(TypeError, match="seed"):
            ops.dropout(x, 0.5, seed=bad_seed)
    for bad in (-1, 2 ** 64):
        with pytest.raises(ValueError, match="seed"):
            ops.dropout(x, 0.5, seed=bad)
        with pytest.raises(ValueError, match="offset"):
            ops.dropout(x, 0.5, seed=0, offset=bad)
        with pytest.raises(ValueError, match="counter"):
            ops.rng_bits(0, bad)
    with pytest.raises(TypeError, match="mask must be uint8 or bool"):
        ops.dropout_backward(x, np.ones(4, np.int64), 0.5)
    with pytest.raises(ValueError, match="mask must have shape"):
        ops.dropout_backward(x, np.ones(5, np.uint8), 0.5)
    with pytest.raises(TypeError, match="float32 or float64"):
        ops.dropout(np.ones(4, np.int32), 0.5, seed=0)


@pytest.mark.parametrize("seed", [0, 31337, 2 ** 64 - 1])
def test_threshold_boundary(kernel, seed):
    """Kept iff top24 >= ceil(rate * 2**24): exercise top24 == threshold exactly,
    and rates just below / above an integer multiple of 2**-24."""
    x = np.ones(64)
    top = np.array([ops.rng_bits(seed, i) >> 40 for i in range(64)])
    for i in (0, 17, 63):
        r = int(top[i])
        if r == 0:
            continue
        for rate, kept in [(r / 2 ** 24, True), ((r - 0.5) / 2 ** 24, True),
                           ((r + 0.5) / 2 ** 24, False), ((r + 1) / 2 ** 24, False)]:
            if not rate < 1:
                continue
            _, mask = ops.dropout(x, rate, seed=seed)
            assert bool(mask[i]) is kept, (i, r, rate)
            assert bits_equal(mask.astype(bool), ref.dropout_keep(x.shape, rate, seed))
            assert bits_equal(mask.astype(bool), top >= np.ceil(rate * 2 ** 24))
