"""fastnn.MLPClassifier / MLPRegressor follow scikit-learn's trajectory: the
same random_state gives the same initial weights, shuffles and batches, so
coefs_ and loss_curve_ agree to rounding after several epochs."""
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkClassifier
from sklearn.neural_network import MLPRegressor as SkRegressor

from fastnn import MLPClassifier, MLPRegressor

N = 53  # batch_size 10 leaves a short last batch of 3
RTOL64 = 1e-10


def _data(kind, dtype=np.float64):
    rng = np.random.RandomState(0)
    X = rng.randn(N, 5).astype(dtype)
    y = {"binary": rng.randint(0, 2, N), "multiclass": rng.randint(0, 3, N),
         "multilabel": rng.randint(0, 2, (N, 3)), "regression": rng.randn(N),
         "multioutput": rng.randn(N, 2), "poisson": rng.poisson(2.0, N).astype(float)}[kind]
    return X, y


def _pair(kind, **params):
    kw = dict(hidden_layer_sizes=(7, 4), activation="tanh", alpha=1e-3, batch_size=10,
              max_iter=5, random_state=1, learning_rate_init=0.05)
    kw.update(params)
    if kind in ("regression", "multioutput", "poisson"):
        if kind == "poisson":
            kw["loss"] = "poisson"
        return SkRegressor(**kw), MLPRegressor(**kw)
    return SkClassifier(**kw), MLPClassifier(**kw)


def _rel(ours, theirs):
    """Largest |difference| of each array over its largest |entry|."""
    return max(float(np.max(np.abs(np.asarray(a, dtype=np.float64) - b)) /
                     max(np.max(np.abs(b)), 1e-300)) for a, b in zip(ours, theirs))


def _fit_both(sk, ours, X, y, **fit_kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk.fit(X, y, **fit_kw)
        ours.fit(X, y, **fit_kw)
    return sk, ours


def _assert_same(sk, ours, rtol):
    assert _rel(ours.coefs_ + ours.intercepts_, sk.coefs_ + sk.intercepts_) < rtol
    assert ours.n_iter_ == sk.n_iter_
    assert ours.t_ == sk.t_
    if sk.solver == "lbfgs":
        assert abs(ours.loss_ - sk.loss_) <= rtol * abs(sk.loss_)
    else:
        assert len(ours.loss_curve_) == len(sk.loss_curve_)
        assert _rel([ours.loss_curve_], [sk.loss_curve_]) < rtol


SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.0),
    "momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False),
    "nesterov-invscaling": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True,
                                learning_rate="invscaling"),
    "adam": dict(solver="adam"),
    "lbfgs": dict(solver="lbfgs"),
}
KINDS = ["binary", "multiclass", "multilabel", "regression", "multioutput"]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("solver", list(SOLVERS))
def test_float64_trajectory_matches(solver, kind, shuffle):
    X, y = _data(kind)
    sk, ours = _fit_both(*_pair(kind, shuffle=shuffle, **SOLVERS[solver]), X, y)
    _assert_same(sk, ours, RTOL64)
    assert ours.coefs_[0].dtype == np.float64
    np.testing.assert_allclose(ours.predict(X) if kind.startswith(("reg", "multio"))
                               else ours.predict_proba(X),
                               sk.predict(X) if kind.startswith(("reg", "multio"))
                               else sk.predict_proba(X), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("activation", ["identity", "logistic", "relu"])
def test_activations_and_no_hidden_layer(activation):
    X, y = _data("multiclass")
    for hidden in [(6,), ()]:
        sk, ours = _fit_both(*_pair("multiclass", hidden_layer_sizes=hidden,
                                    activation=activation, solver="adam"), X, y)
        _assert_same(sk, ours, RTOL64)


@pytest.mark.skipif(tuple(int(v) for v in sklearn.__version__.split(".")[:2]) < (1, 7),
                    reason="scikit-learn's MLPs take sample_weight and loss='poisson' from 1.7")
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("kind", ["multiclass", "multioutput", "poisson"])
def test_sample_weight_and_poisson_match(solver, kind):
    X, y = _data(kind)
    sw = np.random.RandomState(3).uniform(0.2, 2.0, N)
    for weights in (None, sw):
        kw = {} if weights is None else {"sample_weight": weights}
        sk, ours = _fit_both(*_pair(kind, solver=solver, learning_rate_init=0.01), X, y, **kw)
        _assert_same(sk, ours, RTOL64)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_keeps_optimizer_state(solver):
    X, y = _data("multiclass")
    sk, ours = _pair("multiclass", solver=solver)
    for i in range(3):
        rows = slice(0, 40) if i % 2 else slice(None)
        sk.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        ours.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    _assert_same(sk, ours, RTOL64)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_early_stopping_matches(kind):
    X, y = _data(kind)
    sk, ours = _fit_both(*_pair(kind, solver="sgd", early_stopping=True, max_iter=30,
                                n_iter_no_change=2, validation_fraction=0.2), X, y)
    _assert_same(sk, ours, RTOL64)
    np.testing.assert_allclose(ours.validation_scores_, sk.validation_scores_, rtol=1e-9)
    assert ours.best_validation_score_ == pytest.approx(sk.best_validation_score_, rel=1e-9)
    assert ours.best_loss_ is None


def test_adaptive_learning_rate_and_tol_stopping_match():
    X, y = _data("regression")
    sk, ours = _fit_both(*_pair("regression", solver="sgd", learning_rate="adaptive",
                                tol=0.05, n_iter_no_change=1, max_iter=40), X, y)
    _assert_same(sk, ours, RTOL64)
    assert ours.best_loss_ == pytest.approx(sk.best_loss_, rel=1e-10)
    assert ours._learning_rate == pytest.approx(sk._optimizer.learning_rate, rel=1e-12)
    assert ours.n_iter_ < 40


def test_warm_start_re_creates_the_optimizer():
    X, y = _data("binary")
    sk, ours = _pair("binary", solver="adam", warm_start=True, shuffle=True)
    for _ in range(2):
        _fit_both(sk, ours, X, y)
    _assert_same(sk, ours, RTOL64)
    assert len(ours.loss_curve_) == 10


def test_same_start_from_assigned_weights():
    """Weights assigned by hand, then warm_start: both continue from them."""
    X, y = _data("multilabel")
    sk, ours = _pair("multilabel", solver="sgd", warm_start=True, max_iter=1)
    _fit_both(sk, ours, X, y)
    rng = np.random.RandomState(7)
    coefs = [rng.uniform(-0.5, 0.5, w.shape) for w in sk.coefs_]
    intercepts = [rng.uniform(-0.5, 0.5, b.shape) for b in sk.intercepts_]
    for est in (sk, ours):
        est.coefs_ = [w.copy() for w in coefs]
        est.intercepts_ = [b.copy() for b in intercepts]
        est.set_params(max_iter=4)
    _fit_both(sk, ours, X, y)
    _assert_same(sk, ours, RTOL64)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_float32_trains_in_float32(solver):
    """float32 in, float32 weights out, near scikit-learn's float32 run.

    Both runs round every product and sum to float32 (eps 6e-8) but in
    different orders (blocked GEMM vs BLAS, double-precision loss sums here),
    so each of the 30 steps differs by a few float32 ulps.  SGD steps are
    contractive at this learning rate and keep that at ~1e-6 (measured
    3-8e-7); Adam divides by sqrt(v), which magnifies the relative error of
    near-zero gradients, and the weights drift further apart (measured
    1.1e-5).  Hence 1e-4 for weights, and 1e-5 for the loss curve (measured
    at most 1.5e-6; scikit-learn also sums its float32 loss in float32)."""
    X, y = _data("multiclass", np.float32)
    sk, ours = _fit_both(*_pair("multiclass", solver=solver), X, y)
    assert ours.coefs_[0].dtype == np.float32 and sk.coefs_[0].dtype == np.float32
    assert _rel(ours.coefs_ + ours.intercepts_, sk.coefs_ + sk.intercepts_) < 1e-4
    assert _rel([ours.loss_curve_], [sk.loss_curve_]) < 1e-5


def test_convergence_warning_at_max_iter_only():
    X, y = _data("binary")
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        _pair("binary", solver="sgd", max_iter=3)[1].fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        _pair("binary", solver="sgd", max_iter=3)[1].partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("kind", ["multiclass", "multilabel", "poisson"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_negative_sample_weights_match(solver, kind, shuffle):
    """scikit-learn trains with negative weights: each batch is normalised by
    its own weight sum, alpha too (unshuffled, rows 20-29 are one batch whose
    sum is negative, so its alpha term is negative)."""
    X, y = _data(kind)
    sw = np.random.RandomState(3).uniform(0.2, 2.0, N)
    sw[::9] *= -0.5
    sw[20:30] = -np.abs(sw[20:30])
    sk, ours = _fit_both(*_pair(kind, solver=solver, shuffle=shuffle, learning_rate_init=0.01),
                         X, y, sample_weight=sw)
    _assert_same(sk, ours, RTOL64)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_a_random_state_instance_is_drawn_from_as_scikit_learn_draws(solver):
    """Without dropout nothing may take a draw scikit-learn does not: one
    taken for the (unused) dropout seed moved every shuffle after it."""
    X, y = _data("multiclass")
    sk, _ = _pair("multiclass", solver=solver, random_state=np.random.RandomState(3))
    _, ours = _pair("multiclass", solver=solver, random_state=np.random.RandomState(3))
    _fit_both(sk, ours, X, y)
    _assert_same(sk, ours, 1e-9)
    assert ours.random_state.randint(1000) == sk.random_state.randint(1000)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("more", ["warm_start", "partial_fit"])
def test_a_pickled_estimator_continues_as_the_live_one_with_a_random_state_instance(
        dropout, more):
    """A pickle's session drew a fresh dropout seed (from the copy's
    generator) where the live one kept its own."""
    import pickle
    X, y = _data("multiclass")
    _, live = _pair("multiclass", random_state=np.random.RandomState(3), warm_start=True)
    live.set_params(dropout=dropout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        live.fit(X, y)
        copy = pickle.loads(pickle.dumps(live))
        for est in (live, copy):
            est.fit(X, y) if more == "warm_start" else est.partial_fit(X, y)
    assert _rel(copy.coefs_ + copy.intercepts_, live.coefs_ + live.intercepts_) == 0


def test_a_warm_start_from_lbfgs_continues_with_a_stochastic_solver():
    X, y = _data("multiclass")
    _, ours = _pair("multiclass", solver="lbfgs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
        start = [w.copy() for w in ours.coefs_]
        ours.set_params(solver="adam", warm_start=True)
        ours.fit(X, y)  # raised AttributeError: no loss_curve_ (as scikit-learn does)
    assert len(ours.loss_curve_) == ours.n_iter_ == 5
    assert not np.array_equal(ours.coefs_[0], start[0])
