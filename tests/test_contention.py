"""A shared machine: GEMM blocks handed out dynamically and the team cut to
one thread while it is starved of CPU must never change a bit.  Results are
compared for 1-4 threads and more threads than cores, under every split (m,
n, narrow C, small m), with the adaptation on, off and forced."""
import os
import time

import numpy as np
import pytest

import fastnn
from fastnn import _core, ops

# (m, n, k): m split with many blocks, small m (n split), narrow C, several
# k panels and partial tiles everywhere, a training layer.
SHAPES = [(515, 300, 600), (40, 700, 300), (300, 10, 530), (7, 33, 1000), (256, 1024, 784),
          (1000, 37, 70)]


def _operands(m, n, k, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype))


@pytest.fixture
def adaptation():
    yield _core
    _core.team_adaptation(True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_gemm_bits_any_team(kernel, shape, dtype, adaptation):
    a, b = _operands(*shape, dtype)
    adaptation.team_adaptation(False)
    want = ops.matmul(a, b, n_threads=1)
    for nt in (2, 3, 4, 2 * (os.cpu_count() or 1) + 1):
        assert np.array_equal(ops.matmul(a, b, n_threads=nt), want), nt
        assert np.array_equal(ops.matmul(b, a, trans_a=True, trans_b=True, n_threads=nt).T,
                              ops.matmul(b, a, trans_a=True, trans_b=True, n_threads=1).T)


def test_starved_team_runs_on_one_thread_with_the_same_bits(adaptation):
    if not fastnn.config()["openmp"]:
        pytest.skip("fastnn built without OpenMP")
    a, b = _operands(256, 256, 256, np.float32)  # ~2 ms: well inside the 0.2 s cap
    adaptation.team_adaptation(True)
    want = ops.matmul(a, b, n_threads=1)
    for _ in range(8):  # the master waited 90% of every call for its team
        adaptation.team_report(2, 0.9, 1.0)
    assert adaptation.team_capped()
    _core.widest_team_take()
    assert np.array_equal(ops.matmul(a, b, n_threads=2), want)
    assert adaptation.team_capped()
    assert _core.widest_team_take() == 2  # the count granted is still the one noted
    adaptation.team_adaptation(True)  # cleared: the full team again
    assert not adaptation.team_capped()
    assert np.array_equal(ops.matmul(a, b, n_threads=2), want)
    assert _core.widest_team_take() == 2


def test_cap_is_a_span_of_time_then_the_team_is_tried_again(adaptation):
    if not fastnn.config()["openmp"]:
        pytest.skip("fastnn built without OpenMP")
    adaptation.team_adaptation(True)
    for _ in range(8):
        adaptation.team_report(2, 0.9, 1.0)
    assert adaptation.team_capped()
    time.sleep(0.25)  # longer than the cap (threads.c: TEAM_CAPPED_SECONDS)
    assert not adaptation.team_capped()  # the span is over, whatever runs next


def test_wakeup_sized_waits_are_not_contention(adaptation):
    # a parked worker takes microseconds to wake: most of a tiny call, but
    # less than a time slice in all, so never a reason to drop the team
    adaptation.team_adaptation(True)
    for _ in range(50):
        adaptation.team_report(2, 9e-5, 1e-4)
    assert not adaptation.team_capped()
    adaptation.team_report(2, 0.9e-2, 1e-2)  # a starved slice: believed
    assert adaptation.team_capped()


def test_balanced_team_is_not_capped(adaptation):
    adaptation.team_adaptation(True)
    for _ in range(100):
        adaptation.team_report(2, 0.05, 1.0)
    assert not adaptation.team_capped()
    adaptation.team_adaptation(False)
    for _ in range(8):
        adaptation.team_report(2, 0.9, 1.0)
    assert not adaptation.team_capped()  # off: reports are ignored


@pytest.mark.parametrize("forced", [False, True])
def test_fit_bits_more_threads_than_cores(forced, adaptation):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((600, 64)).astype(np.float32)
    y = rng.integers(0, 5, 600)

    def fit(nt):
        adaptation.team_adaptation(True)
        if forced:
            for _ in range(8):
                adaptation.team_report(2, 0.9, 1.0)
        m = fastnn.MLP([64, 256, 128, 5], dropout=0.25, random_state=3)
        with _count(nt):
            m.fit(X, y, epochs=2, batch_size=128)
        return [w.tobytes() for w in m.coefs_ + m.intercepts_]

    want = fit(1)
    for nt in (2, 3, 2 * (os.cpu_count() or 1) + 1):
        assert fit(nt) == want, nt


class _count:
    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.old = fastnn._config._thread_setting()
        fastnn.set_num_threads(self.n)

    def __exit__(self, *exc):
        fastnn.set_num_threads(self.old)
