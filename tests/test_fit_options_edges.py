"""Edges of the time and image fit options (max_time, augment, image_shape,
label_smoothing, warmup_epochs) met by messy inputs: values past the float
range, augmentation functions returning odd arrays, unordered shapes, and the
time the history reports against the time the budget decides by."""
import math
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import _budget
from fastnn._budget import TimeBudget
from fastnn._fit_extras import FitExtras
from fastnn._schedules import make_schedule


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def images(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 36)).astype(np.float32)
    return X, (X[:, :18].sum(1) > X[:, 18:].sum(1)).astype(np.int64)


def weights(m):
    return np.concatenate([w.ravel() for w in m.coefs_ + m.intercepts_])


def stop_after(n):
    return lambda model, epoch, logs: epoch + 1 >= n


# ---- values past the float range: a ValueError-free fit, not an OverflowError ----

@pytest.mark.parametrize("max_time", [1e306, 1e308, float(np.finfo(np.float64).max)])
def test_a_budget_near_the_float_limit_never_triggers(max_time):
    X, y = images()
    fit = dict(epochs=3, lr_schedule="cosine", validation_split=0.25)
    plain = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, **fit)
    timed = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, max_time=max_time, **fit)
    assert np.array_equal(weights(plain), weights(timed))
    assert timed.history_["learning_rate"] == plain.history_["learning_rate"]
    assert timed.stop_reason_ == "epochs" == plain.stop_reason_


def test_planned_epochs_of_a_huge_budget_is_max_epochs():
    clock = FakeClock()
    budget = TimeBudget(1e308, 50, now=clock)
    budget.may_start_epoch()
    clock.now = 1e-6
    budget.end_epoch()
    assert budget.planned_epochs() == 50


def test_planned_epochs_counts_the_epoch_starting():
    # the clock moves between the budget letting an epoch start and the plan:
    # a plan of only the epochs done gave that epoch cosine's final rate, 0
    clock = FakeClock()
    budget = TimeBudget(10.0, 100, now=clock)
    budget.may_start_epoch()
    clock.now = 1.0
    budget.end_epoch()
    clock.now = 8.95
    assert budget.may_start_epoch()  # 8.95 + 1 <= 10
    clock.now = 9.05
    assert budget.planned_epochs() == 2
    cosine = make_schedule("cosine", 0.1, 100)
    cosine.plan(budget.planned_epochs())
    assert cosine.learning_rate(1) == pytest.approx(0.05)


def test_a_warm_up_past_the_float_range_ramps_throughout():
    extras = FitExtras(loss="cross_entropy", n_features=36, warmup_epochs=1e308)
    assert extras.session_options(3)["warmup_steps"] == 2 ** 62
    X, y = images()
    fit = dict(epochs=2, batch_size=1)
    a = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, warmup_epochs=1e308, **fit)
    b = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, warmup_epochs=1e300, **fit)
    assert np.array_equal(weights(a), weights(b))  # both capped at 2**62 steps


def test_a_step_size_past_the_floats_in_a_timed_fit():
    X, y = images()
    fit = dict(epochs=3, lr_schedule="step", schedule_options={"step_size": 10 ** 400})
    plain = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, **fit)
    timed = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, max_time=1e6, **fit)
    assert timed.history_["learning_rate"] == [1e-3] * 3 == plain.history_["learning_rate"]
    assert np.array_equal(weights(plain), weights(timed))


@pytest.mark.parametrize("max_time", [None, 1e6])
def test_cosine_over_epochs_past_the_floats(max_time):
    X, y = images()
    m = fastnn.MLP([36, 8, 2], random_state=0)
    m.fit(X, y, epochs=10 ** 400, lr_schedule="cosine", max_time=max_time,
          callbacks=[stop_after(2)])
    assert m.history_["learning_rate"] == [1e-3, 1e-3] and m.stop_reason_ == "callback"
    assert make_schedule("cosine", 0.1, 10 ** 400).learning_rate(7) == 0.1
    assert make_schedule("cosine", 0.1, 10).learning_rate(5) == pytest.approx(0.05)


# ---- an augmentation function's result, checked in the batch's dtype ----

@pytest.mark.parametrize("result,err,message", [
    (lambda b: b + 1j, TypeError,
     "augment's result must be numeric, got dtype complex64"),
    (lambda b: b.astype(str), TypeError, "augment's result must be numeric, got dtype <U"),
    (lambda b: b.astype(str).astype(object), TypeError,
     "augment's result must be numeric, got dtype object holding '"),
    (lambda b: np.zeros(b.shape, "M8[s]"), TypeError,
     "augment's result must be numeric, got dtype datetime64"),
    (lambda b: None, TypeError, "augment must return the augmented batch, got None"),
    (lambda b: b.astype(np.float64) * 1e300, ValueError,
     r"augment's result has values beyond the range of float32 \(largest magnitude "
     r"9\.\d+e\+299\)"),
], ids=["complex", "str", "object", "datetime", "none", "overflow"])
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_an_augment_function_returning_no_usable_batch_is_named(result, err, message, dtype):
    X, y = images()
    m = fastnn.MLP([36, 8, 2], random_state=0, dtype=dtype).fit(X, y, epochs=1)
    before, history, fits = weights(m), {k: list(v) for k, v in m.history_.items()}, m._fits
    with pytest.raises(err, match=message):
        m.fit(X, y, epochs=2, augment=result)
    assert np.array_equal(weights(m), before) and m.history_ == history and m._fits == fits


def test_augment_functions_returning_other_real_dtypes_still_train():
    X, y = images()
    fit = dict(epochs=2, batch_size=16)
    same = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, augment=lambda b: b, **fit)
    wide = fastnn.MLP([36, 8, 2], random_state=0).fit(
        X, y, augment=lambda b: b.astype(np.float64), **fit)
    listed = fastnn.MLP([36, 8, 2], random_state=0).fit(
        X, y, augment=lambda b: b.tolist(), **fit)
    assert np.array_equal(weights(same), weights(wide))
    assert np.array_equal(weights(same), weights(listed))
    fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, augment=lambda b: b > 0.5, **fit)
    with pytest.raises(ValueError, match="augment's result has 3 features but the model "
                                         "expects 36"):
        fastnn.MLP([36, 8, 2]).fit(X, y, augment=lambda b: b[:, :3], **fit)
    with pytest.raises(ValueError, match=r"augment must return an array of shape \(16, 36\), "
                                         r"got \(15, 36\)"):
        fastnn.MLP([36, 8, 2]).fit(X, y, augment=lambda b: b[1:], **fit)
    with pytest.raises(ValueError, match="augment's result contains NaN or infinity"):
        fastnn.MLP([36, 8, 2]).fit(X, y, augment=lambda b: b * np.nan, **fit)


# ---- image_shape in a known order ----

@pytest.mark.parametrize("shape", [{4, 9}, frozenset({4, 9}), {4: 1, 9: 1}], ids=str)
def test_an_unordered_image_shape_is_refused(shape):
    X, y = images()
    with pytest.raises(TypeError, match=r"image_shape must be an ordered \(H, W\) or "
                                        r"\(H, W, C\) such as a tuple, got "):
        fastnn.MLP([36, 2]).fit(X, y, epochs=1, augment="flip", image_shape=shape)
    with pytest.raises(TypeError, match="image_shape must be an ordered"):
        fastnn.ops.augment_images(X, shape, augment="flip", seed=0)
    fastnn.MLP([36, 2]).fit(X, y, epochs=1, augment="flip", image_shape=[4, 9])


# ---- history_["elapsed"] on the budget's clock ----

def test_elapsed_is_the_time_the_budget_decided_by(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(_budget, "clock", clock)
    X, y = images()

    def slow(batch):  # every batch takes a second on the fake clock
        clock.now += 1.0
        return batch
    m = fastnn.MLP([36, 8, 2], random_state=0)
    m.fit(X, y, epochs=10, batch_size=16, max_time=10.0, augment=slow)
    # 4-second epochs: a third would end at 12
    assert m.history_["elapsed"] == [4.0, 8.0] and m.stop_reason_ == "time"
    assert m.history_["stop_reason"] == ["time"]


def test_untimed_elapsed_grows_and_counts_every_epoch():
    X, y = images()
    m = fastnn.MLP([36, 8, 2], random_state=0).fit(X, y, epochs=3, validation_split=0.25)
    elapsed = m.history_["elapsed"]
    assert len(elapsed) == 3 and 0 < elapsed[0] <= elapsed[1] <= elapsed[2]
    assert all(math.isfinite(e) for e in elapsed)


# ---- untimed and never-triggered fits are the same fit ----

@pytest.mark.parametrize("kw", [
    dict(lr_schedule="cosine", warmup_epochs=1.5),
    dict(lr_schedule="step", schedule_options={"step_size": 2}, validation_split=0.2,
         early_stopping=True, patience=2),
    dict(augment=["shift", "flip", "erase"], image_shape=(6, 6), max_shift=1,
         label_smoothing=0.1),
], ids=["cosine-warmup", "step-early-stopping", "augment-smoothing"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_generous_budget_is_bit_identical(kw, dtype):
    X, y = images(96)
    fit = dict(kw, epochs=5, batch_size=16)
    a = fastnn.MLP([36, 16, 2], random_state=2, dtype=dtype).fit(X, y, **fit)
    b = fastnn.MLP([36, 16, 2], random_state=2, dtype=dtype).fit(X, y, max_time=1e9, **fit)
    assert np.array_equal(weights(a), weights(b))
    assert a.history_["loss"] == b.history_["loss"]
    assert a.history_["learning_rate"] == b.history_["learning_rate"]
    assert a.stop_reason_ == b.stop_reason_


def test_the_drop_ins_check_max_time_in_partial_fit_and_take_an_array_image_shape():
    X = np.random.default_rng(0).standard_normal((40, 36)).astype(np.float32)
    y = np.arange(40) % 3
    est = fastnn.MLPClassifier((8,), max_time=True, random_state=0)
    with pytest.raises(TypeError, match="max_time"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(est, "coefs_")
    est = fastnn.MLPClassifier((8,), augment="flip", image_shape=np.array([6, 6]),
                               random_state=0, max_iter=2)
    with pytest.warns(Warning):
        est.fit(X, y)
    twin = fastnn.MLPClassifier((8,), augment="flip", image_shape=(6, 6), random_state=0,
                                max_iter=2)
    with pytest.warns(Warning):
        twin.fit(X, y)
    np.testing.assert_array_equal(est.coefs_[0], twin.coefs_[0])


def test_lbfgs_checks_the_image_options_it_does_not_use():
    X = np.random.default_rng(0).standard_normal((40, 36))
    y = np.arange(40) % 2
    est = fastnn.MLPClassifier((4,), solver="lbfgs", max_iter=3, image_shape=(5, 5))
    with pytest.raises(ValueError, match=r"image_shape \(5, 5\) holds 25 values but X has 36"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fastnn.MLPClassifier((4,), solver="lbfgs", max_iter=3, image_shape=(6, 6)).fit(X, y)


def test_a_huge_epoch_count_keeps_the_step_schedule():
    # counted at most MAX_EPOCHS: the step schedule still drops every step_size
    # epochs; under a budget it is replanned over the epochs that fit (fewer:
    # the step shrinks in proportion, as documented) without overflowing
    X = np.random.default_rng(0).standard_normal((64, 5)).astype(np.float32)
    y = np.arange(64) % 2
    rates = []
    for extra in ({}, dict(max_time=1e6)):
        m = fastnn.MLP([5, 4, 2], random_state=0)
        m.fit(X, y, epochs=10 ** 400, lr_schedule="step", schedule_options={"step_size": 2},
              callbacks=[lambda model, epoch, logs: epoch >= 2], **extra)
        rates.append(m.history_["learning_rate"])
    assert rates[0] == [1e-3, 1e-3, 1e-4]
    assert rates[1][0] == 1e-3 and rates[1] == sorted(rates[1], reverse=True)


@pytest.mark.parametrize("uint", [np.uint8, np.uint32, np.uint64])
def test_unsigned_numpy_sizes_train_as_their_values(uint):
    """A batch size or layer width held in a NumPy unsigned int made
    -rows // batch_size (and the parameter layout) raise OverflowError."""
    X = np.random.default_rng(0).standard_normal((40, 16))
    y = np.arange(40) % 2
    a = fastnn.MLP([16, uint(4), 2], random_state=0).fit(X, y, epochs=2, batch_size=uint(8))
    b = fastnn.MLP([16, 4, 2], random_state=0).fit(X, y, epochs=2, batch_size=8)
    for wa, wb in zip(weights(a), weights(b)):
        np.testing.assert_array_equal(wa, wb)
    pytest.importorskip("sklearn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two epochs do not converge
        c = fastnn.MLPClassifier((uint(4),), batch_size=uint(8), max_iter=2,
                                 random_state=0).fit(X, y)
        d = fastnn.MLPClassifier((4,), batch_size=8, max_iter=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(c.coefs_[0], d.coefs_[0])
