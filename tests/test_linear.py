"""fastnn.LogisticRegression and fastnn.OrdinalRegression (fastnn/linear.py)."""
import json
import pickle
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import linear, ops
from fastnn._linear_lbfgs import _unpack, ordinal_objective



GATES_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def fitted_binary(coef, intercept, classes=(0, 1)):
    meta = {"params": fastnn.LogisticRegression().get_params(), "classes": list(classes),
            "n_features_in": len(coef)}
    return fastnn.LogisticRegression._from_fastnn_state(
        meta, {"coef_": np.array([coef], dtype=np.float64),
               "intercept_": np.array([intercept], dtype=np.float64)})


def blobs(n=200, d=5, k=2, seed=0):
    """k Gaussian classes in d dimensions, overlapping (so the MLE is finite)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    centers = rng.normal(scale=1.0, size=(k, d))
    return centers[y] + rng.normal(size=(n, d)), y


# ---------------------------------------------------------------- worked example
def test_course_notes_worked_example():
    # x, w, b from the course notes.  The notes write the sum as 0.733, which
    # is w.x without b; with b = 0.1 the logit is 0.833.  P(y=1|x) =
    # sigmoid(0.833) = 0.697, so P(y=0|x) = 0.303, the notes' "0.3".
    x = np.array([[3, 2, 1, 3, 0, 4.19]])
    w = [2.5, -5, -1.2, 0.5, 2, 0.7]
    assert round(float(np.dot(x[0], w)), 3) == 0.733
    model = fitted_binary(w, 0.1)
    z = model.decision_function(x)
    assert z.shape == (1,)
    assert round(float(z[0]), 3) == 0.833
    z_kernel = ops.linear(x, np.array(w).reshape(-1, 1), np.array([0.1]))
    assert abs(z_kernel[0, 0] - 0.833) < 1e-12
    p = model.predict_proba(x)[0]
    assert abs(p[1] - sigmoid(0.833)) < 1e-12
    assert round(float(p[1]), 3) == 0.697
    assert round(float(p[0]), 1) == 0.3          # the notes' P(y=0|x) = 0.3
    assert model.predict(x)[0] == 1


# ---------------------------------------------------------------- logic gates
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
@pytest.mark.parametrize("gate", ["and", "or"])
def test_and_or_learned_without_hidden_layer(gate, solver):
    y = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1]}[gate]
    model = fastnn.LogisticRegression(solver=solver, max_iter=500, learning_rate=0.5,
                                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linear.ConvergenceWarning)  # separable: no finite MLE
        model.fit(GATES_X, y)
    assert model.coef_.shape == (1, 2)            # one output unit, no hidden layer
    assert list(model.predict(GATES_X)) == y
    assert model.score(GATES_X, y) == 1.0


def test_xor_needs_a_hidden_layer():
    y = np.array([0, 1, 1, 0])
    linear_model = fastnn.LogisticRegression(max_iter=500).fit(GATES_X, y)
    assert linear_model.score(GATES_X, y) <= 0.75
    net = fastnn.MLP([2, 8, 2], activation="tanh", dtype="float64", random_state=0)
    net.fit(GATES_X, y, epochs=500, batch_size=4, optimizer="adam", learning_rate=0.05)
    assert net.score(GATES_X, y) == 1.0


# ---------------------------------------------------------------- scikit-learn agreement
@pytest.mark.parametrize("k", [2, 3])
def test_lbfgs_matches_sklearn(k):
    sklearn_lm = pytest.importorskip("sklearn.linear_model")
    X, y = blobs(n=200, d=5, k=k, seed=k)
    l2 = 0.05
    ours = fastnn.LogisticRegression(l2=l2, tol=1e-10, max_iter=1000).fit(X, y)
    # sklearn minimizes 0.5 ||w||^2 + C sum_i loss_i; ours mean_i loss_i + 0.5 l2 ||w||^2:
    # dividing sklearn's objective by C n gives ours with l2 = 1 / (C n)
    theirs = sklearn_lm.LogisticRegression(C=1 / (l2 * len(y)), tol=1e-10,
                                           max_iter=10000).fit(X, y)
    assert ours.coef_.shape == theirs.coef_.shape == ((1 if k == 2 else k), 5)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)
    assert (ours.predict(X) == theirs.predict(X)).all()


@pytest.mark.parametrize("solver,lr", [("adam", 0.05), ("sgd", 0.5)])
def test_engine_solvers_reach_the_lbfgs_optimum(solver, lr):
    X, y = blobs(n=200, d=5, k=3, seed=1)
    ref = fastnn.LogisticRegression(l2=0.05, tol=1e-10, max_iter=1000).fit(X, y)
    model = fastnn.LogisticRegression(l2=0.05, solver=solver, learning_rate=lr, max_iter=3000,
                                      tol=1e-10, random_state=0).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, atol=1e-3)


def test_l1_lbfgs_zeroes_weak_weights():
    X, y = blobs(n=300, d=6, k=2, seed=2)
    dense = fastnn.LogisticRegression(tol=1e-10, max_iter=1000).fit(X, y)
    sparse = fastnn.LogisticRegression(l1=0.05, tol=1e-10, max_iter=1000).fit(X, y)
    assert (dense.coef_ != 0).all()
    assert 0 < (sparse.coef_ == 0).sum() < sparse.coef_.size
    huge = fastnn.LogisticRegression(l1=10.0, max_iter=1000).fit(X, y)
    assert (huge.coef_ == 0).all()


def test_any_label_type_and_probabilities():
    X, y = blobs(n=150, d=4, k=3, seed=3)
    names = np.array(["cat", "dog", "emu"])[y]
    model = fastnn.LogisticRegression(l2=0.01).fit(X, names)
    assert list(model.classes_) == ["cat", "dog", "emu"]
    P = model.predict_proba(X)
    assert P.shape == (150, 3) and (P >= 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), P, atol=1e-12)
    assert set(model.predict(X)) <= set(model.classes_)
    assert model.score(X, names) > 0.6
    binary = fastnn.LogisticRegression().fit(X, names == "dog")
    Pb = binary.predict_proba(X)
    np.testing.assert_allclose(Pb.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(np.exp(binary.predict_log_proba(X)), Pb, atol=1e-12)
    assert binary.predict(X).dtype == np.bool_


def test_float32():
    X, y = blobs(n=200, d=5, k=3, seed=4)
    ref = fastnn.LogisticRegression(l2=0.05).fit(X, y)
    model = fastnn.LogisticRegression(l2=0.05, dtype="float32").fit(X, y)
    assert model.coef_.dtype == np.float32
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-3)


def test_sklearn_clone_and_params():
    base = pytest.importorskip("sklearn.base")
    model = fastnn.LogisticRegression(l2=0.5, solver="adam")
    copy = base.clone(model)
    assert copy.get_params() == model.get_params()
    assert copy.set_params(l2=0.1).l2 == 0.1
    with pytest.raises(ValueError):
        model.set_params(C=1.0)
    assert base.clone(fastnn.OrdinalRegression(l2=2.0)).l2 == 2.0
    assert base.is_classifier(model) and base.is_classifier(fastnn.OrdinalRegression())


def test_sklearn_model_selection():
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = blobs(n=120, d=3, k=3, seed=9)
    scores = model_selection.cross_val_score(fastnn.LogisticRegression(l2=0.01), X, y, cv=3)
    assert scores.shape == (3,) and (scores > 0.5).all()
    search = model_selection.GridSearchCV(fastnn.OrdinalRegression(), {"l2": [0.0, 0.1]}, cv=3)
    assert search.fit(X, y).best_params_["l2"] in (0.0, 0.1)


def test_without_scipy(monkeypatch):
    monkeypatch.setattr(linear, "_import_minimize", lambda: None)
    X, y = blobs(n=100, d=3, k=2, seed=5)
    with pytest.warns(RuntimeWarning, match="fastnn\\[sklearn\\]"):
        model = fastnn.LogisticRegression(max_iter=300, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.6
    with pytest.raises(ImportError, match="fastnn\\[sklearn\\]"):
        fastnn.OrdinalRegression().fit(X, y)


@pytest.mark.parametrize("bad", [
    dict(l2=-1.0), dict(l1=float("nan")), dict(solver="newton"), dict(max_iter=0),
    dict(batch_size=0), dict(learning_rate=0.0), dict(tol=-1.0), dict(dtype="int8"),
])
def test_logistic_bad_params(bad):
    X, y = blobs(n=20, d=2, k=2)
    with pytest.raises(ValueError):
        fastnn.LogisticRegression(**bad).fit(X, y)


@pytest.mark.parametrize("cls", [fastnn.LogisticRegression, fastnn.OrdinalRegression])
def test_bad_inputs(cls):
    X, y = blobs(n=20, d=2, k=3)
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    ynan = y.astype(float)
    ynan[0] = np.nan
    for args in [(Xnan, y), (X, ynan), (X, np.zeros(20)), (X, y[:-1]), (X[:, 0], y),
                 (X[:0], y[:0])]:
        with pytest.raises(ValueError):
            cls().fit(*args)
    with pytest.raises(ValueError):
        cls().predict(X)                          # not fitted
    model = cls().fit(X, y)
    with pytest.raises(ValueError):
        model.predict(X[:, :1])                   # wrong number of features
    with pytest.raises(ValueError):
        model.predict(Xnan)


# ---------------------------------------------------------------- ordinal
W_TRUE = np.array([1.0, -0.5, 0.25])
THETA_TRUE = np.array([-1.0, 0.0, 1.5])


def ordinal_sample(n, seed=0, w=W_TRUE, theta=THETA_TRUE):
    """Draws from the model: y = #{k : theta_k < w.x + e}, e standard logistic,
    so P(y <= k | x) = P(e < theta_k - w.x) = sigmoid(theta_k - w.x)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(w)))
    latent = X @ w + rng.logistic(size=n)
    return X, (latent[:, None] > theta[None, :]).sum(axis=1)


def plain_nll(w, theta, X, y):
    """The same likelihood written the plain way: P(y=k) = F(theta_k - eta) - F(theta_{k-1} - eta)."""
    from scipy.special import expit
    cum = np.hstack([np.zeros((len(y), 1)), expit(theta[None, :] - (X @ w)[:, None]),
                     np.ones((len(y), 1))])
    return -np.mean(np.log(cum[np.arange(len(y)), y + 1] - cum[np.arange(len(y)), y]))


def test_ordinal_gradient_matches_finite_differences():
    X, y = ordinal_sample(300, seed=1)
    model = fastnn.OrdinalRegression()
    rng = np.random.default_rng(2)
    for l2 in (0.0, 0.3):
        p = rng.normal(size=X.shape[1] + len(THETA_TRUE))
        value, grad = ordinal_objective(p, X, y.astype(np.int64), l2)
        w, theta = _unpack(p, X.shape[1])
        assert abs(value - plain_nll(w, theta, X, y) - 0.5 * l2 * w @ w) < 1e-12
        h = 1e-6
        numeric = np.array([(ordinal_objective(p + h * e, X, y, l2)[0]
                             - ordinal_objective(p - h * e, X, y, l2)[0]) / (2 * h)
                            for e in np.eye(len(p))])
        np.testing.assert_allclose(grad, numeric, atol=1e-7)


def test_ordinal_recovers_the_true_parameters():
    X, y = ordinal_sample(20000, seed=3)
    model = fastnn.OrdinalRegression().fit(X, y)
    assert list(model.classes_) == [0, 1, 2, 3]
    assert model.coef_.shape == (3,) and model.thresholds_.shape == (3,)
    # standard errors are about 0.02 at n = 20000
    assert np.abs(model.coef_ - W_TRUE).max() < 0.1
    assert np.abs(model.thresholds_ - THETA_TRUE).max() < 0.1
    assert (np.diff(model.thresholds_) > 0).all()


def test_ordinal_matches_a_plain_scipy_fit():
    from scipy.optimize import minimize
    X, y = ordinal_sample(500, seed=4, w=np.array([0.8, -1.2]), theta=np.array([-0.5, 1.0]))
    model = fastnn.OrdinalRegression().fit(X, y)
    # unconstrained (w, theta) with finite-difference gradients, from a different start
    plain = minimize(lambda p: plain_nll(p[:2], p[2:], X, y), np.array([0, 0, -1.0, 1.0]),
                     method="BFGS", options={"gtol": 1e-9})
    ours = plain_nll(model.coef_, model.thresholds_, X, y)
    assert abs(ours - plain.fun) < 1e-6
    assert ours <= plain.fun + 1e-9
    np.testing.assert_allclose(model.coef_, plain.x[:2], atol=1e-3)
    np.testing.assert_allclose(model.thresholds_, plain.x[2:], atol=1e-3)


def test_ordinal_probabilities_and_monotonicity():
    X, y = ordinal_sample(2000, seed=5)
    labels = np.array(["a-low", "b-mid", "c-high", "d-top"])[y]
    model = fastnn.OrdinalRegression(l2=0.01).fit(X, labels)
    assert list(model.classes_) == ["a-low", "b-mid", "c-high", "d-top"]
    P = model.predict_proba(X)
    assert P.shape == (2000, 4) and (P >= 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1, atol=1e-12)
    assert model.score(X, labels) > 0.4
    # move along w: w.x increases, so every cumulative P(y <= k) falls and the
    # expected class rises (first-order stochastic dominance)
    direction = model.coef_ / np.linalg.norm(model.coef_)
    path = np.linspace(-4, 4, 41)[:, None] * direction[None, :]
    cum = model.predict_cumulative_proba(path)
    assert (np.diff(cum, axis=0) < 0).all()
    mean_class = model.predict_proba(path) @ np.arange(4)
    assert (np.diff(mean_class) > 0).all()
    assert model.predict(path[:1])[0] == "a-low" and model.predict(path[-1:])[0] == "d-top"
    # extreme inputs: probabilities stay valid
    Pext = model.predict_proba(np.array([[1e6, -1e6, 1e6], [-1e6, 1e6, -1e6]]))
    assert (Pext >= 0).all() and np.allclose(Pext.sum(axis=1), 1)


def test_ordinal_bad_params():
    X, y = ordinal_sample(50)
    for bad in (dict(l2=-1), dict(max_iter=0), dict(tol=float("nan")), dict(dtype="float16")):
        with pytest.raises(ValueError):
            fastnn.OrdinalRegression(**bad).fit(X, y)
    with pytest.raises(ValueError):
        fastnn.OrdinalRegression().fit(X, np.full(50, 2))      # one class


# ---------------------------------------------------------------- persistence
def fitted_models():
    Xb, yb = blobs(n=100, d=3, k=2, seed=6)
    Xm, ym = blobs(n=100, d=3, k=3, seed=7)
    Xo, yo = ordinal_sample(300, seed=8)
    return [(fastnn.LogisticRegression(l2=0.1, random_state=3).fit(Xb, yb), Xb),
            (fastnn.LogisticRegression(l2=0.1).fit(Xm, np.array(["x", "y", "z"])[ym]), Xm),
            (fastnn.OrdinalRegression(l2=0.1).fit(Xo, yo), Xo)]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_fastnn_state_round_trip(index):
    model, X = fitted_models()[index]
    meta, arrays = model._fastnn_state()
    meta = json.loads(json.dumps(meta))               # JSON-able
    assert meta["params"] == model.get_params()
    assert meta["classes"] == model.classes_.tolist()
    assert all(isinstance(a, np.ndarray) for a in arrays.values())
    again = type(model)._from_fastnn_state(meta, arrays)
    assert (again.predict(X) == model.predict(X)).all()
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict_proba(X), model.predict_proba(X))
    assert (clone.classes_ == model.classes_).all()


def test_from_state_rejects_inconsistent_arrays():
    model, _ = fitted_models()[2]
    meta, arrays = model._fastnn_state()
    arrays["thresholds_"] = arrays["thresholds_"][::-1].copy()
    with pytest.raises(ValueError):
        fastnn.OrdinalRegression._from_fastnn_state(meta, arrays)
    model, _ = fitted_models()[0]
    meta, arrays = model._fastnn_state()
    arrays["coef_"] = arrays["coef_"][:, :2]
    with pytest.raises(ValueError):
        fastnn.LogisticRegression._from_fastnn_state(meta, arrays)


def test_thread_count_invariance():
    X, y = blobs(n=60, d=3, k=3, seed=10)
    Xo, yo = ordinal_sample(200, seed=11)
    results = []
    for n in (1, 2):
        fastnn.set_num_threads(n)
        lr = fastnn.LogisticRegression(l2=0.1, max_iter=50).fit(X, y)
        ad = fastnn.LogisticRegression(l2=0.1, solver="adam", max_iter=20, random_state=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", linear.ConvergenceWarning)
            ad.fit(X, y)
        od = fastnn.OrdinalRegression(max_iter=50).fit(Xo, yo)
        results.append((lr.coef_, ad.coef_, od.coef_, od.thresholds_))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)     # bit-identical, as the kernels promise


def test_ordinal_decision_function_keeps_scikit_learns_contract():
    """Two classes: the logit of classes_[1] (positive means it); more: the
    log class probabilities, one column per class, largest at predict's
    class.  (It returned w.x, (n,), for any K: scikit-learn's calibration and
    ranking metrics then read one column for K classes.)  w.x itself is
    linear_predictor."""
    X, y = ordinal_sample(400, seed=5)
    model = fastnn.OrdinalRegression().fit(X, y)
    np.testing.assert_allclose(model.linear_predictor(X), X @ model.coef_, rtol=1e-12)
    scores = model.decision_function(X)
    assert scores.shape == (400, 4)
    np.testing.assert_allclose(np.exp(scores), model.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal(model.classes_[scores.argmax(axis=1)], model.predict(X))
    binary = fastnn.OrdinalRegression().fit(X, (y > 1).astype(int))
    z = binary.decision_function(X)
    assert z.shape == (400,)
    np.testing.assert_allclose(sigmoid(z), binary.predict_proba(X)[:, 1], rtol=1e-12)
    np.testing.assert_array_equal((z > 0).astype(int), binary.predict(X))


def test_ordinal_log_probabilities_stay_finite_where_probabilities_round_to_0():
    """A confident model's middle class: a difference of two sigmoids near 1
    rounds to 0, and log gave -inf scores (isotonic calibration refused them,
    sigmoid calibration gave NaN)."""
    X, y = ordinal_sample(300, seed=8, w=np.array([20.0]), theta=np.array([-9.0, 9.0]))
    model = fastnn.OrdinalRegression().fit(X, y)
    far = np.array([[-3.0], [3.0]])
    logp = model.predict_log_proba(far)
    assert np.isfinite(logp).all() and (logp[:, 1] < -30).all()
    # predict_proba subtracts sigmoids near 1: exact to a few float64 eps, absolute
    np.testing.assert_allclose(np.exp(logp), model.predict_proba(far), rtol=1e-9,
                               atol=4 * np.finfo(np.float64).eps)
    np.testing.assert_array_equal(model.decision_function(far), logp)
    calibration = pytest.importorskip("sklearn.calibration")
    for method in ("sigmoid", "isotonic"):
        calibrated = calibration.CalibratedClassifierCV(fastnn.OrdinalRegression(), cv=3,
                                                        method=method).fit(X, y)
        assert np.isfinite(calibrated.predict_proba(X)).all()


def test_ordinal_log_probabilities_of_thresholds_equal_in_float32_stay_finite():
    """A middle class of one row, on a feature near 2000: its two thresholds
    round to one float32 (6e4 +- 0.004): a gap of 0, log 0 = -inf."""
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, size=200000)
    y = np.digitize(30 * u + rng.logistic(size=u.size), [0.0, 1e-9])
    y[0] = 1
    model = fastnn.OrdinalRegression(dtype="float32").fit((2000.0 + u)[:, None], y)
    assert model.thresholds_[0] == model.thresholds_[1]  # the case itself
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logp = model.predict_log_proba((2000.0 + u[:5])[:, None])
    assert np.isfinite(logp).all()


def test_ordinal_calibrates_through_scikit_learn():
    calibration = pytest.importorskip("sklearn.calibration")
    X, y = ordinal_sample(600, seed=6)
    model = calibration.CalibratedClassifierCV(fastnn.OrdinalRegression(), cv=3).fit(X, y)
    raw = fastnn.OrdinalRegression().fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (600, 4) and proba.min(axis=0).max() < 0.5  # not one class for all
    assert model.score(X, y) > raw.score(X, y) - 0.05


def test_ordinal_predictions_that_overflow_are_refused():
    X, y = ordinal_sample(200, seed=7)
    model = fastnn.OrdinalRegression().fit(X, y)
    with pytest.raises(ValueError, match="outputs are not finite for 1 row"):
        model.predict(np.vstack([X[:3], np.full((1, X.shape[1]), 1.7e308)]))
