"""partial_fit after set_params: scikit-learn reads activation, alpha (and
fastnn's dropout, l1, weight_decay) at every call, so an edit between calls
changes the next step; the optimizer of the first call carries on."""
import pickle
import warnings

import numpy as np
import pytest

import fastnn

sklearn_nn = pytest.importorskip("sklearn.neural_network")


def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 4))
    return X, rng.integers(0, 3, 150)


def continue_after(est, edit, X, y, calls=5):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.partial_fit(X, y, classes=[0, 1, 2])
        est.set_params(**edit)
        for _ in range(calls):
            est.partial_fit(X, y)
    return est


@pytest.mark.parametrize("edit", [dict(activation="relu"), dict(alpha=0.5),
                                  dict(activation="logistic", alpha=0.0)])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_edits_between_calls_follow_scikit_learn(edit, solver):
    X, y = data()
    kw = dict(hidden_layer_sizes=(16,), activation="tanh", batch_size=20, random_state=1,
              learning_rate_init=0.05, solver=solver)
    ours = continue_after(fastnn.MLPClassifier(**kw), edit, X, y)
    theirs = continue_after(sklearn_nn.MLPClassifier(**kw), edit, X, y)
    scale = max(np.abs(w).max() for w in theirs.coefs_)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert np.abs(a - b).max() / scale < 1e-10
    assert np.allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10, atol=0)


def test_fastnn_settings_edited_between_calls_take_effect():
    X, y = data()
    kw = dict(hidden_layer_sizes=(16,), batch_size=20, random_state=1, solver="adam")
    plain = continue_after(fastnn.MLPClassifier(**kw), {}, X, y)
    for edit in (dict(dropout=0.3), dict(l1=1e-2), dict(weight_decay=0.5)):
        edited = continue_after(fastnn.MLPClassifier(**kw), edit, X, y)
        assert not np.array_equal(edited.coefs_[0], plain.coefs_[0]), edit
    # a session rebuilt on the same settings (here after a pickle round trip)
    # carries the weights and the optimizer's state exactly
    est = pickle.loads(pickle.dumps(continue_after(fastnn.MLPClassifier(**kw), {}, X, y,
                                                   calls=0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):
            est.partial_fit(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(est.coefs_, plain.coefs_))


def test_changing_solver_between_calls_is_refused():
    X, y = data()
    est = continue_after(fastnn.MLPClassifier((8,), solver="adam", random_state=0), {}, X, y,
                         calls=0)
    est.set_params(solver="sgd")
    with pytest.raises(ValueError, match="continues the 'adam' optimizer"):
        est.partial_fit(X, y)


@pytest.mark.parametrize("first,second", [(False, True), (True, False)])
def test_a_warm_start_may_switch_early_stopping(first, second):
    """The stopping rule's state is started for the rule the new fit uses
    (scikit-learn fails adding tol to None here)."""
    X, y = data()
    est = fastnn.MLPClassifier((8,), max_iter=3, warm_start=True, early_stopping=first,
                               random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
        before = [w.copy() for w in est.coefs_]
        est.set_params(early_stopping=second).fit(X, y)
    assert not np.array_equal(est.coefs_[0], before[0])  # it trained on
    if second:
        assert len(est.validation_scores_) >= 1 and est.best_validation_score_ > -np.inf
    else:
        assert np.isfinite(est.best_loss_)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_an_edited_learning_rate_init_waits_for_a_new_optimizer(solver):
    """scikit-learn's optimizer keeps the learning_rate_init it was made with
    until a fit makes a new one: partial_fit calls after an edit train as
    before it, in both solvers."""
    X, y = data()
    kw = dict(hidden_layer_sizes=(16,), batch_size=20, random_state=1, solver=solver,
              learning_rate_init=0.01)
    ours = continue_after(fastnn.MLPClassifier(**kw), dict(learning_rate_init=0.5), X, y)
    theirs = continue_after(sklearn_nn.MLPClassifier(**kw), dict(learning_rate_init=0.5), X, y)
    plain = continue_after(fastnn.MLPClassifier(**kw), {}, X, y)
    assert np.allclose(ours.coefs_[0], theirs.coefs_[0], rtol=0, atol=1e-10)
    assert np.array_equal(ours.coefs_[0], plain.coefs_[0])


def test_partial_fit_after_an_lbfgs_fit_is_refused_by_name():
    # scikit-learn raises AttributeError ('loss_curve_') here
    X = np.random.default_rng(0).standard_normal((60, 4))
    y = (X[:, 0] > 0).astype(int)
    est = fastnn.MLPClassifier((5,), solver="lbfgs", random_state=0, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    with pytest.raises(ValueError, match="fitted with solver 'lbfgs', which partial_fit cannot"):
        est.set_params(solver="adam").partial_fit(X, y)


@pytest.mark.parametrize("solver, edit", [
    ("sgd", dict(momentum=0.5)), ("sgd", dict(nesterovs_momentum=False)),
    ("sgd", dict(learning_rate="invscaling", power_t=0.3)),
    ("sgd", dict(momentum=0.5, alpha=0.5)),  # alpha rebuilds the session: momentum stays
    ("adam", dict(beta_1=0.5, beta_2=0.9)), ("adam", dict(epsilon=1e-3, alpha=0.5)),
])
@pytest.mark.parametrize("round_trip", [False, True], ids=["in-memory", "pickled"])
def test_the_optimizer_keeps_the_settings_it_started_with(solver, edit, round_trip):
    # scikit-learn's optimizer object takes them at the first partial_fit and
    # keeps them (also through a pickle) until the next fit
    X, y = data()
    kw = dict(hidden_layer_sizes=(16,), activation="tanh", batch_size=20, random_state=1,
              learning_rate_init=0.05, solver=solver, momentum=0.9)
    pair = []
    for cls in (fastnn.MLPClassifier, sklearn_nn.MLPClassifier):
        est = continue_after(cls(**kw), edit, X, y, calls=1)
        if round_trip:
            est = pickle.loads(pickle.dumps(est))
        pair.append(est)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(4):
                est.partial_fit(X, y)
    ours, theirs = pair
    scale = max(np.abs(w).max() for w in theirs.coefs_)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert np.abs(a - b).max() / scale < 1e-10
    assert np.allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10, atol=0)


@pytest.mark.parametrize("continued", ["partial_fit", "warm_start"])
def test_a_continued_fit_keeps_the_weights_dtype(continued):
    """scikit-learn keeps the dtype of the first fit's weights; a batch of
    another dtype is cast to it (a float32 batch turned a float64 model
    float32 for good)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 5))
    y = (X[:, 0] > 0).astype(int)
    X32 = X.astype(np.float32)
    models = []
    for second in (X32, X32.astype(np.float64)):  # the float32 batch's values, exactly
        est = fastnn.MLPClassifier((8,), random_state=0, max_iter=2, batch_size=32,
                                   warm_start=continued == "warm_start")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
            est.partial_fit(second, y) if continued == "partial_fit" else est.fit(second, y)
        models.append(est)
    for a, b in zip(models[0].coefs_ + models[0].intercepts_,
                    models[1].coefs_ + models[1].intercepts_):
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a, b)
