"""The time budget (max_time) with an injected clock: no wall-clock asserts.
A fake clock advances only when the test says an epoch or a batch took time,
so every decision of the budget is reproducible."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import fastnn
from fastnn import _budget
from fastnn._budget import TimeBudget
from fastnn._fitloop import NeverStop, run_epochs
from fastnn._schedules import make_schedule


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def fake_clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(_budget, "clock", clock)
    return clock


def loop(budget, clock, epoch_seconds, epochs=100, batches=1):
    """run_epochs with epochs that take epoch_seconds(epoch) on the fake clock,
    spread over `batches` batch boundaries; returns (run, epochs recorded)."""
    recorded = []

    def run_epoch(epoch, progress):
        for b in range(batches):
            if progress is not None:
                progress(b * 10)
            clock.now += epoch_seconds(epoch) / batches
        return 1.0

    run = run_epochs(None, epochs=epochs, run_epoch=run_epoch,
                     record=lambda e, loss, s: recorded.append(e) or {"loss": loss},
                     stopping=NeverStop(), nan_message=str, budget=budget)
    return run, recorded


def test_no_epoch_starts_that_would_end_past_the_budget():
    clock = FakeClock()
    run, recorded = loop(TimeBudget(10.0, 100, now=clock), clock, lambda e: 0.75)
    assert run == (13, True) and run.reason == "time" and len(recorded) == 13
    assert clock.now == pytest.approx(9.75)  # a 14th epoch would have ended at 10.5


def test_the_estimate_follows_epochs_that_slow_down():
    clock = FakeClock()
    run, _ = loop(TimeBudget(10.0, 100, now=clock), clock, lambda e: 1.0 if e < 4 else 2.0)
    assert clock.now <= 10.0 + 2.0  # at most one epoch of lag while the estimate catches up
    assert run.reason == "time"


def test_epochs_is_an_upper_bound():
    clock = FakeClock()
    run, recorded = loop(TimeBudget(100.0, 5, now=clock), clock, lambda e: 1.0, epochs=5)
    assert run == (5, False) and run.reason == "completed"


def test_a_long_epoch_stops_at_the_first_batch_boundary_past_the_budget():
    clock = FakeClock()
    run, recorded = loop(TimeBudget(10.0, 100, now=clock), clock, lambda e: 40.0, batches=8)
    assert run.reason == "time" and recorded == []  # the unfinished epoch is not recorded
    assert clock.now == pytest.approx(15.0)  # boundaries every 5 s: 10 is not past, 15 is


def test_short_epochs_get_no_batch_checks():
    clock = FakeClock()
    budget = TimeBudget(10.0, 100, now=clock)
    first = budget.batch_checks(None)
    assert first is not None  # the first epoch: its length is unknown
    budget.may_start_epoch()
    clock.now = 0.5
    budget.end_epoch()
    assert budget.batch_checks(None) is None
    assert budget.planned_epochs() == 20


def test_planned_epochs_and_the_schedule_it_plans():
    clock = FakeClock()
    budget = TimeBudget(30.0, 1000, now=clock)
    assert budget.planned_epochs() == 1000  # nothing measured yet
    budget.may_start_epoch()
    clock.now = 3.0
    budget.end_epoch()
    assert budget.planned_epochs() == 10
    cosine = make_schedule("cosine", 0.1, 1000)
    cosine.plan(10)
    assert cosine.learning_rate(5) == pytest.approx(0.05)
    step = make_schedule("step", 0.1, 100, {"step_size": 30})
    step.plan(10)
    assert step.learning_rate(2) == pytest.approx(0.1) and step.learning_rate(3) == \
        pytest.approx(0.01)


@pytest.mark.parametrize("bad,err", [(-1, ValueError), (0, ValueError), ("ten", TypeError),
                                     (float("nan"), ValueError), (True, TypeError)])
def test_bad_budgets_are_refused(bad, err):
    X, y = np.zeros((10, 4), np.float32), np.arange(10) % 2
    with pytest.raises(err, match="max_time"):
        fastnn.MLP([4, 2]).fit(X, y, max_time=bad)
    with pytest.raises((TypeError, ValueError), match="max_time"):
        fastnn.MLPClassifier(max_time=bad).fit(X, y)


def data(n=120, d=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def tick_per_epoch(clock, seconds):
    def callback(model, epoch, logs):
        clock.now += seconds
    return callback


def test_mlp_fit_inside_a_budget_records_why_and_when(fake_clock):
    X, y = data()
    m = fastnn.MLP([8, 16, 2], random_state=0)
    m.fit(X, y, epochs=50, max_time=10.0, lr_schedule="cosine",
          callbacks=[tick_per_epoch(fake_clock, 1.5)])
    assert m.stop_reason_ == "time" and m.history_["stop_reason"] == ["time"]
    assert len(m.history_["loss"]) == 6 == len(m.history_["elapsed"])
    # cosine planned over the 6 epochs predicted after the first one (10 / 1.5)
    lr = m.history_["learning_rate"]
    assert lr[0] == pytest.approx(1e-3) and lr[3] == pytest.approx(0.5e-3)
    m2 = fastnn.MLP([8, 16, 2], random_state=0).fit(X, y, epochs=4)
    assert m2.stop_reason_ == "epochs"


def test_untimed_fits_do_not_read_the_budget_clock(fake_clock, monkeypatch):
    monkeypatch.setattr(_budget, "clock", lambda: pytest.fail("the clock was read"))
    X, y = data()
    fastnn.MLP([8, 4, 2], random_state=1).fit(X, y, epochs=2)
    fastnn.MLPClassifier((4,), max_iter=2, random_state=1).fit(X, y)


def test_a_generous_budget_changes_nothing():
    X, y = data()
    a = fastnn.MLP([8, 16, 2], random_state=3).fit(X, y, epochs=5)
    b = fastnn.MLP([8, 16, 2], random_state=3).fit(X, y, epochs=5, max_time=1e6)
    assert all(np.array_equal(u, v) for u, v in zip(a.coefs_, b.coefs_))


def test_early_stopping_works_inside_a_budget(fake_clock):
    X, y = data()
    m = fastnn.MLP([8, 16, 2], random_state=0)
    m.fit(X, y, epochs=500, max_time=1e4, early_stopping=True, patience=2,
          learning_rate=0.5, callbacks=[tick_per_epoch(fake_clock, 1.0)])
    assert m.stop_reason_ == "early_stopping"


def test_classifier_budget_stops_without_convergence_warning(fake_clock, monkeypatch):
    X, y = data()
    est = fastnn.MLPClassifier((16,), max_iter=1000, max_time=5.0, random_state=0, tol=0)
    real = est._score

    def epoch_takes_a_second(*args, **kw):  # the validation pass, once per epoch
        fake_clock.now += 1.0
        return real(*args, **kw)
    monkeypatch.setattr(est, "_score", epoch_takes_a_second)
    est.set_params(early_stopping=True, n_iter_no_change=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.stop_reason_ == "time"
    assert est.n_iter_ == len(est.loss_curve_) == 5 == len(est.validation_scores_)

    # partial_fit ignores the budget
    tiny = fastnn.MLPClassifier((4,), max_time=1e-9, random_state=0)
    for _ in range(2):
        tiny.partial_fit(X, y, classes=[0, 1])
    assert tiny.n_iter_ == 1 and tiny.t_ == 2 * len(X)


def test_classifier_stop_reasons_without_a_budget():
    X, y = data()
    est = fastnn.MLPClassifier((4,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.stop_reason_ == "max_iter"


def test_a_dropin_budget_counts_reading_the_input_as_fastnn_mlp_does(fake_clock, monkeypatch):
    """The clock starts as fit() is called: converting a large list (here 6
    seconds on the fake clock) spends the budget, it is not free."""
    X, y = data()
    est = fastnn.MLPClassifier((4,), max_iter=50, max_time=5.0, random_state=0)
    real = est._validate_input

    def slow(*args, **kw):
        fake_clock.now += 6.0
        return real(*args, **kw)
    monkeypatch.setattr(est, "_validate_input", slow)
    with pytest.warns(UserWarning, match="ran out before the first epoch"):
        est.fit(X, y)
    assert est.n_iter_ == 0 and est.stop_reason_ == "time"


def test_early_stopping_cut_in_its_first_epoch_keeps_the_steps_taken(monkeypatch):
    """No epoch was validated, so there are no best weights to go back to:
    the drop-in keeps the steps the budget let it take, as MLP.fit does
    (it used to put back the initial weights)."""
    ticks = iter(range(10 ** 6))
    monkeypatch.setattr(_budget, "clock", lambda: float(next(ticks)))  # a second a reading
    X, y = data()
    est = fastnn.MLPClassifier((8,), max_iter=50, max_time=6.0, early_stopping=True,
                               batch_size=4, random_state=0)
    with pytest.warns(UserWarning, match="ran out before the first epoch"):
        est.fit(X, y)
    assert est.n_iter_ == 0 and est.stop_reason_ == "time"
    assert not np.array_equal(est.coefs_[0], est._best_coefs[0])  # _best_coefs: the initial
