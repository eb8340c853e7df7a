"""A model file carries what partial_fit and a warm-started fit continue
from, as a pickle does: after fastnn.save and fastnn.load they give the
bits the estimator itself would have given."""
import pickle

import numpy as np
import pytest

import fastnn
from fastnn import MLPClassifier, MLPRegressor

pytest.importorskip("safetensors")


def data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((240, 6)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    return X, y


def saved_and_loaded(est, tmp_path):
    path = str(tmp_path / "m.safetensors")
    fastnn.save(est, path)
    return fastnn.load(path)


@pytest.mark.parametrize("settings", [
    dict(solver="adam"),
    dict(solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate="invscaling"),
    dict(solver="sgd", momentum=0.0, learning_rate="adaptive"),
    dict(solver="adam", dropout=0.2),
], ids=["adam", "sgd-nesterov-invscaling", "sgd-plain-adaptive", "adam-dropout"])
def test_partial_fit_after_load_continues_bit_for_bit(settings, tmp_path):
    X, y = data()
    est = MLPClassifier((8,), random_state=0, batch_size=32, **settings)
    est.partial_fit(X, y, classes=[0, 1, 2])
    est.partial_fit(X, y)
    loaded = saved_and_loaded(est, tmp_path)
    for e in (est, loaded):
        e.partial_fit(X, y)
        e.partial_fit(X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, loaded.coefs_ + loaded.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert loaded.loss_curve_ == est.loss_curve_ and loaded.t_ == est.t_


def test_the_regressor_too(tmp_path):
    X, y = data()
    est = MLPRegressor(hidden_layer_sizes=(8,), random_state=1, batch_size=40)
    est.partial_fit(X, y.astype(np.float32))
    loaded = saved_and_loaded(est, tmp_path)
    for e in (est, loaded):
        e.partial_fit(X, y.astype(np.float32))
    np.testing.assert_array_equal(est.coefs_[0], loaded.coefs_[0])


def test_warm_start_with_early_stopping_keeps_the_best_weights(tmp_path):
    X, y = data()
    est = MLPClassifier((8,), random_state=0, max_iter=6, early_stopping=True,
                        n_iter_no_change=2, warm_start=True, learning_rate_init=0.05)
    with pytest.warns(Warning):
        est.fit(X, y)
    # weights moved on since the best epoch (partial_fit refuses early stopping)
    est.set_params(early_stopping=False).partial_fit(X, y)
    est.set_params(early_stopping=True)
    assert "best_coefs_0" in est._fastnn_state()[1]
    twin = pickle.loads(pickle.dumps(est))
    loaded = saved_and_loaded(est, tmp_path)
    for e in (twin, loaded):
        with pytest.warns(Warning):
            e.set_params(max_iter=3).fit(X, y)
    for a, b in zip(twin.coefs_ + twin.intercepts_, loaded.coefs_ + loaded.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_a_file_from_before_still_loads_and_starts_a_new_optimizer(tmp_path):
    X, y = data()
    est = MLPClassifier((8,), random_state=0, batch_size=32).partial_fit(X, y, classes=[0, 1, 2])
    meta, arrays = est._fastnn_state()
    for k in [k for k in arrays if k.startswith("optimizer_")]:
        del arrays[k]
    del meta["optimizer_step"]
    old = MLPClassifier._from_fastnn_state(meta, arrays)
    assert old._session is None
    old.partial_fit(X, y)  # a fresh Adam, as after fit


@pytest.mark.parametrize("edit, message", [
    (lambda m, a: a.update(optimizer_m_coefs_0=a["optimizer_m_coefs_0"][:2]),
     "optimizer_m_coefs_0 must be a finite float32 array of shape"),
    (lambda m, a: a.pop("optimizer_v_intercepts_1"), "optimizer_v_intercepts_1 must be"),
    (lambda m, a: a.update(optimizer_m_coefs_1=a["optimizer_m_coefs_1"] * np.nan),
     "optimizer_m_coefs_1 must be a finite"),
    (lambda m, a: m.update(optimizer_step=-1), "optimizer_step must be an int >= 0"),
    (lambda m, a: m.update(optimizer_step=True), "optimizer_step must be an int >= 0"),
    (lambda m, a: m.update(_learning_rate="fast"), "_learning_rate must be a finite float"),
    (lambda m, a: [a.pop(k) for k in list(a) if k.startswith("optimizer_v")],
     "needs its moment v"),
])
def test_a_damaged_training_state_is_refused(edit, message):
    X, y = data()
    est = MLPClassifier((8,), random_state=0, batch_size=32).partial_fit(X, y, classes=[0, 1, 2])
    meta, arrays = est._fastnn_state()
    edit(meta, arrays)
    with pytest.raises(ValueError, match=message):
        MLPClassifier._from_fastnn_state(meta, arrays)
