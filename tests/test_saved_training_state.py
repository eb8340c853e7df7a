"""A model file carries what partial_fit and a warm-started fit continue
from, as a pickle does: after fastnn.save and fastnn.load they give the
bits the estimator itself would have given."""
import json
import pickle
import warnings

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
    (lambda m, a: m.update(_learning_rate=-0.1), "_learning_rate must be a finite float >= 0"),
    (lambda m, a: m.update(_learning_rate=1), "_learning_rate must be a finite float"),
    (lambda m, a: m.update(_no_improvement_count=-2), "_no_improvement_count must be a finite"),
    (lambda m, a: m.update(_no_improvement_count=True), "_no_improvement_count must be"),
    (lambda m, a: m.update(_no_improvement_count=10 ** 400), None),  # a big count: no harm
    (lambda m, a: m.update(stop_reason_=7), "stop_reason_ must be a str"),
    (lambda m, a: m.update(optimizer_step=2 ** 63), "optimizer_step must be an int >= 0"),
    (lambda m, a: m.update(optimizer_step=2 ** 62 + 1), "optimizer_step must be an int >= 0"),
    (lambda m, a: m.update(optimizer_step=2.0), "optimizer_step must be an int >= 0"),
    (lambda m, a: m.pop("optimizer_step"), "optimizer_m_coefs_0 without optimizer_step"),
    (lambda m, a: a.update(optimizer_v_coefs_1=-a["optimizer_v_coefs_1"] - 1e-3),
     "optimizer_v_coefs_1 must be a finite non-negative float32"),
    (lambda m, a: a.update(optimizer_m_coefs_0=a["optimizer_m_coefs_0"].astype(np.float64)),
     "optimizer_m_coefs_0 must be a finite float32"),
    (lambda m, a: a.update(optimizer_m_coefs_0=a["optimizer_m_coefs_0"].T.copy()),
     r"optimizer_m_coefs_0 must be a finite float32 array of shape \(6, 8\)"),
    (lambda m, a: m.update(optimizer_settings={"momentum": 0.9}),
     "optimizer_settings must hold learning_rate_init, learning_rate"),
    (lambda m, a: m["optimizer_settings"].update(beta_2=1.5),
     "optimizer_settings: The 'beta_2' parameter"),
    (lambda m, a: m["optimizer_settings"].update(learning_rate="fast"),
     "optimizer_settings: The 'learning_rate' parameter"),
    (lambda m, a: m.update(optimizer_solver="sgd"),
     "optimizer_v_.*: the sgd optimizer .momentum 0.9. keeps no moment v"),
    (lambda m, a: (m.update(optimizer_solver="sgd"), m["optimizer_settings"].update(momentum=0)),
     "optimizer_m_.*: the sgd optimizer .momentum 0. keeps no moment m"),
    (lambda m, a: m.update(optimizer_solver="lbfgs"), "the lbfgs solver keeps no optimizer"),
    (lambda m, a: m.update(optimizer_solver="newton"), "optimizer_solver must be 'lbfgs', 'sgd'"),
    (lambda m, a: m.update(optimizer_solver=["adam"]), "optimizer_solver must be 'lbfgs', 'sgd'"),
    # an estimator edited after its fit loads (its partial_fit refuses, as the live one's:
    # test_settings_edited_after_the_fit_still_save_load_and_pickle)
    (lambda m, a: m["params"].update(solver="sgd", momentum=0.0), "loads"),
    (lambda m, a: m["params"].update(solver="lbfgs"), "loads"),
])
def test_a_damaged_training_state_is_refused(edit, message):
    X, y = data()
    est = MLPClassifier((8,), random_state=0, batch_size=32).partial_fit(X, y, classes=[0, 1, 2])
    meta, arrays = est._fastnn_state()
    edit(meta, arrays)
    meta = json.loads(json.dumps(meta))  # as a file gives it back
    if message is None:
        MLPClassifier._from_fastnn_state(meta, arrays).partial_fit(*data())
        return
    if message == "loads":
        loaded = MLPClassifier._from_fastnn_state(meta, arrays)
        np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
        return
    with pytest.raises(ValueError, match=message):
        MLPClassifier._from_fastnn_state(meta, arrays)


def twins(est, tmp_path):
    """(a pickled copy, a saved and loaded copy) of est."""
    return pickle.loads(pickle.dumps(est)), saved_and_loaded(est, tmp_path)


def assert_same_weights(a, b):
    assert len(a.coefs_) == len(b.coefs_)
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert u.dtype == v.dtype
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("make, targets, then", [
    (lambda: MLPClassifier((8,), solver="sgd", momentum=0.0, max_iter=3), "labels", "partial"),
    (lambda: MLPClassifier((8,), solver="sgd", momentum=0.9, max_iter=3), "labels", "partial"),
    (lambda: MLPClassifier((8, 5), max_iter=3), "labels-float64", "partial"),
    (lambda: MLPRegressor(hidden_layer_sizes=(8,), max_iter=3), "outputs", "partial"),
    (lambda: MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", max_iter=3,
                          learning_rate="invscaling"), "outputs-float64", "partial"),
    (lambda: MLPRegressor(hidden_layer_sizes=(8,), max_iter=6, early_stopping=True,
                          n_iter_no_change=2, warm_start=True), "outputs", "warm"),
    (lambda: MLPClassifier((8,), solver="lbfgs", max_iter=15, warm_start=True), "labels",
     "warm"),
], ids=["sgd-momentum-0", "sgd-momentum-0.9", "adam-float64", "regressor-3-outputs",
        "regressor-sgd-float64", "regressor-early-stopping", "lbfgs"])
def test_fit_only_then_save_then_train_on(make, targets, then, tmp_path):
    X, y = data()
    if targets.startswith("outputs"):
        y = np.c_[X[:, 0], 2 * X[:, 1], X[:, 2] - 1]
    if targets.endswith("float64"):
        X = X.astype(np.float64)
    est = make().set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached
        est.fit(X, y)
        twin, loaded = twins(est, tmp_path)
        for e in (twin, loaded):
            for _ in range(2):
                e.partial_fit(X, y) if then == "partial" else e.fit(X, y)
    assert_same_weights(twin, loaded)
    assert loaded.coefs_[0].dtype == X.dtype and loaded.t_ == twin.t_


def test_an_lbfgs_file_keeps_no_optimizer():
    X, y = data()
    est = MLPClassifier((8,), solver="lbfgs", max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    meta, arrays = est._fastnn_state()
    # its session holds only the weights (was a weights-sized moment of zeros)
    assert "optimizer_step" not in meta and not any(k.startswith("optimizer_") for k in arrays)
    loaded = MLPClassifier._from_fastnn_state(meta, arrays)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize("first, edit", [
    (dict(solver="adam"), dict(solver="sgd")),
    (dict(solver="adam"), dict(solver="lbfgs")),
    (dict(solver="lbfgs"), dict(solver="adam")),
    (dict(solver="sgd", momentum=0.9), dict(momentum=0.0)),
    (dict(solver="sgd", momentum=0.0), dict(momentum=0.9)),
])
def test_settings_edited_after_the_fit_still_save_load_and_pickle(first, edit, tmp_path):
    X, y = data()
    est = MLPClassifier((8,), random_state=0, max_iter=3, **first)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    est.set_params(**edit)
    # both failed: the edited optimizer keeps other moments than the fitted one
    twin, loaded = twins(est, tmp_path)
    for e in (twin, loaded):
        np.testing.assert_array_equal(e.predict_proba(X), est.predict_proba(X))
    if "momentum" in edit:  # the fit's optimizer continues, as scikit-learn's
        for e in (est, twin, loaded):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                e.partial_fit(X, y)
        assert_same_weights(loaded, est)
        assert_same_weights(twin, est)
    elif est.solver != "lbfgs":  # the fitted optimizer is not continued by another solver's
        refusals = []
        for e in (est, twin, loaded):
            with pytest.raises(ValueError, match="fit anew to change solver") as info:
                e.partial_fit(X, y)
            refusals.append(str(info.value))
        assert len(set(refusals)) == 1, refusals
        assert_same_weights(loaded, est)
    for e in (est, twin, loaded):  # a new fit of the edited solver, from the same start
        e.set_params(**first)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e.fit(X, y)
    assert_same_weights(loaded, est)
    assert_same_weights(twin, est)


def test_a_file_written_before_training_state_was_kept(tmp_path, monkeypatch):
    from fastnn import _sklearn_state
    X, y = data()
    est = MLPClassifier((8,), random_state=0, max_iter=4, early_stopping=True,
                        n_iter_no_change=1, learning_rate_init=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    # the previous version wrote everything but the training state
    monkeypatch.setattr(_sklearn_state, "_save_training_state", lambda est, meta, arrays: None)
    path = str(tmp_path / "old.safetensors")
    fastnn.save(est, path)
    monkeypatch.undo()
    old = fastnn.load(path)
    assert old._session is None
    assert_same_weights(old, est)
    for a, b in zip(old._best_coefs, old.coefs_):
        np.testing.assert_array_equal(a, b)
    fresh = pickle.loads(pickle.dumps(est))
    fresh._session = None  # what partial_fit after the old load continues from: nothing
    for e in (old, fresh):
        e.set_params(early_stopping=False).partial_fit(X, y)
    assert_same_weights(old, fresh)


@pytest.mark.parametrize("random_state", [None, 7, "generator"])
def test_dropout_models_of_any_seed_save_and_load(random_state, tmp_path):
    X, y = data()
    seed = np.random.RandomState(0) if random_state == "generator" else random_state
    est = MLPClassifier((8,), dropout=0.2, random_state=seed, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    loaded = saved_and_loaded(est, tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded.partial_fit(X, y)  # continues with a dropout seed of its own


def test_an_array_image_shape_saves_and_loads(tmp_path):
    X = np.random.default_rng(0).standard_normal((30, 36)).astype(np.float32)
    y = np.arange(30) % 3
    est = MLPClassifier((4,), augment="flip", image_shape=np.array([6, 6]), max_iter=1,
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    assert saved_and_loaded(est, tmp_path).get_params()["image_shape"] == (6, 6)


def test_a_pickle_remembers_the_solver_it_fitted():
    X, y = data()
    est = MLPClassifier((8,), solver="sgd", random_state=0, batch_size=32)
    est.partial_fit(X, y, classes=[0, 1, 2])
    est.set_params(solver="adam")
    for e in (est, pickle.loads(pickle.dumps(est))):
        with pytest.raises(ValueError, match="continues the 'sgd' optimizer"):
            e.partial_fit(X, y)
