"""sample_weight in the scikit-learn estimators beyond parity: with dropout
(compiled, no longer refused) and the ValueError for weights that sum to
zero, which leaves the estimator as it was."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from fastnn import MLPClassifier, MLPRegressor

N = 40


def _data(seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(N, 5), rng.randint(0, 3, N)


def _clf(**kw):
    params = dict(hidden_layer_sizes=(8,), batch_size=10, max_iter=3, random_state=0,
                  learning_rate_init=0.01)
    params.update(kw)
    return MLPClassifier(**params)


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_dropout_with_sample_weight_trains(solver):
    X, y = _data()
    sw = np.random.RandomState(1).uniform(0.2, 2.0, N)
    weighted = _fit(_clf(solver=solver, dropout=0.3), X, y, sample_weight=sw)
    unit = _fit(_clf(solver=solver, dropout=0.3), X, y, sample_weight=np.ones(N))
    plain = _fit(_clf(solver=solver, dropout=0.3), X, y)
    assert all(np.isfinite(w).all() for w in weighted.coefs_)
    # unit weights are the unweighted fit (to rounding), other weights are not
    np.testing.assert_allclose(unit.loss_curve_, plain.loss_curve_, rtol=1e-12)
    for a, b in zip(unit.coefs_, plain.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert not np.allclose(weighted.coefs_[0], plain.coefs_[0])


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_zero_total_weight_is_a_value_error(solver):
    X, y = _data()
    sw = np.ones(N)
    sw[:N // 2] = -1.0
    est = _clf(solver=solver)
    with pytest.raises(ValueError, match="sample_weight sums to zero"):
        est.fit(X, y, sample_weight=sw)
    assert not hasattr(est, "coefs_")


@pytest.mark.parametrize("estimator", ["classifier", "regressor-poisson"])
def test_batch_with_zero_weight_sum_leaves_the_estimator_unchanged(estimator):
    """Unshuffled batches of 10: the third sums to zero, the data does not."""
    X, y = _data()
    if estimator == "classifier":
        est = _clf(solver="adam", shuffle=False, warm_start=True)
    else:
        y = np.random.RandomState(2).poisson(2.0, N).astype(float)
        est = MLPRegressor(loss="poisson", hidden_layer_sizes=(8,), batch_size=10, max_iter=3,
                           random_state=0, shuffle=False, warm_start=True)
    _fit(est, X, y)
    before = [w.copy() for w in est.coefs_ + est.intercepts_]
    curve, n_iter = list(est.loss_curve_), est.n_iter_
    sw = np.ones(N)
    sw[20:30] = [1, -1, 2, -2, 0.5, -0.5, 3, -3, 0.25, -0.25]
    with pytest.raises(ValueError, match="sample_weight: the weights of a batch sum to zero"):
        est.fit(X, y, sample_weight=sw)
    for a, b in zip(est.coefs_ + est.intercepts_, before):
        assert np.array_equal(a, b)
    assert est.loss_curve_ == curve and est.n_iter_ == n_iter
    _fit(est, X, y)  # and it still trains
