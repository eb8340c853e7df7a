"""fastnn.MLPClassifier / MLPRegressor as scikit-learn estimators: the
estimator checks, model selection, errors, atomic failures, pickling."""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, LeaveOneOut, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn import MLPClassifier, MLPRegressor


def _checked():
    # max_iter as scikit-learn's own test instances (instance_generator.py)
    return [MLPClassifier(max_iter=100, hidden_layer_sizes=(10,)),
            MLPRegressor(max_iter=100)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(_checked())
def test_estimator_checks(estimator, check):
    check(estimator)


def _small(n=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int), X @ [1.0, -2.0, 0.5, 0.0]


def _quiet(est, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kw)


def test_model_selection_tools():
    X, yc, yr = _small()
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), clone(clf)).fit(X, yc)
        assert pipe.score(X, yc) > 0.5
        grid = GridSearchCV(clone(reg), {"alpha": [1e-4, 1e-2]}, cv=3).fit(X, yr)
        assert grid.best_params_["alpha"] in (1e-4, 1e-2)
        scores = cross_val_score(clone(clf), X, yc, cv=KFold(3))
        assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1))
        loo = cross_val_score(clone(reg), X[:8], yr[:8], cv=LeaveOneOut(),
                              scoring="neg_mean_squared_error")
        assert loo.shape == (8,) and np.all(np.isfinite(loo))


def test_errors():
    X, yc, yr = _small()
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        MLPClassifier(max_iter=2).fit(bad, yc)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError):
        MLPRegressor(max_iter=2).fit(bad, yr)
    with pytest.raises(ValueError):
        MLPClassifier(max_iter=2).fit(X, np.zeros(len(X)))  # a single class (see sklearn.py)
    with pytest.raises(ValueError):
        MLPRegressor(max_iter=2).fit(X, yr[:-1])
    for params in [dict(alpha=-1), dict(solver="rmsprop"), dict(dropout=1.0),
                   dict(dropout=-0.1), dict(dropout=[0.5, 1.5]), dict(hidden_layer_sizes=(3, 0)),
                   dict(l1=-1), dict(n_threads=0), dict(learning_rate_init=0)]:
        kw = dict(max_iter=2, hidden_layer_sizes=(3, 2))
        kw.update(params)
        with pytest.raises(ValueError):
            MLPClassifier(**kw).fit(X, yc)
    with pytest.raises(AttributeError):
        MLPClassifier(solver="lbfgs").partial_fit


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_failed_fit_leaves_the_model_unchanged(Est):
    X, yc, yr = _small()
    y = yc if Est is MLPClassifier else yr
    est = _quiet(Est(hidden_layer_sizes=(5,), solver="sgd", max_iter=3, random_state=0), X, y)
    coefs = [w.copy() for w in est.coefs_ + est.intercepts_]
    curve = list(est.loss_curve_)
    bad = X.copy()
    bad[3, 1] = np.nan
    for attempt in [lambda: est.fit(bad, y), lambda: est.partial_fit(bad, y),
                    lambda: est.set_params(learning_rate_init=1e200, warm_start=True).fit(
                        X * 1e200, y),
                    lambda: est.set_params(warm_start=False).fit(X * 1e300, y)]:
        with pytest.raises(ValueError):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                attempt()
        for w, w0 in zip(est.coefs_ + est.intercepts_, coefs):
            np.testing.assert_array_equal(w, w0)
        assert est.loss_curve_ == curve
    est.set_params(learning_rate_init=0.001)
    est.partial_fit(X, y)  # still usable


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_strides_and_order_give_the_same_model(Est):
    X, yc, yr = _small()
    y = yc if Est is MLPClassifier else yr
    kw = dict(hidden_layer_sizes=(5,), max_iter=4, random_state=0)
    ref = _quiet(Est(**kw), X, y)
    wide = np.zeros((X.shape[0] * 2, X.shape[1] * 3))
    wide[::2, ::3] = X
    for variant in [np.asfortranarray(X), wide[::2, ::3]]:
        est = _quiet(Est(**kw), variant, y)
        for a, b in zip(est.coefs_, ref.coefs_):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(est.predict(variant), ref.predict(X))


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_pickle_round_trip_and_fastnn_state(Est):
    X, yc, yr = _small()
    y = np.array(["no", "yes"])[yc] if Est is MLPClassifier else yr
    est = _quiet(Est(hidden_layer_sizes=(5,), max_iter=3, random_state=0), X, y)
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.predict(X), est.predict(X))
    # the optimizer state travels too: one more epoch matches
    est.partial_fit(X, y)
    copy.partial_fit(X, y)
    np.testing.assert_array_equal(copy.predict(X), est.predict(X))
    meta, arrays = est._fastnn_state()
    import json
    meta = json.loads(json.dumps(meta))
    back = Est._from_fastnn_state(meta, arrays)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    assert back.get_params() == est.get_params()
    assert back.loss_curve_ == est.loss_curve_
    if Est is MLPClassifier:
        assert list(back.classes_) == ["no", "yes"]
        np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))


def test_fastnn_parameters():
    import fastnn
    X, yc, yr = _small()
    before = fastnn.get_num_threads()
    est = _quiet(MLPClassifier(hidden_layer_sizes=(6, 4), dropout=[0.2, 0.0], l1=1e-4,
                               weight_decay=1e-3, n_threads=1, max_iter=5, random_state=0),
                 X, yc)
    assert fastnn.get_num_threads() == before
    assert all(np.isfinite(w).all() for w in est.coefs_)
    again = _quiet(clone(est), X, yc)
    for a, b in zip(again.coefs_, est.coefs_):
        np.testing.assert_array_equal(a, b)  # same random_state, same dropout masks
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba))
    assert 0 <= est.score(X, yc) <= 1
