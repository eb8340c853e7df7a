"""fastnn.LogisticRegression and fastnn.OrdinalRegression (fastnn/linear.py)."""
import json
import pickle
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import linear, ops



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
        value, grad = model._objective(p, X, y.astype(np.int64), l2)
        w, theta = model._unpack(p, X.shape[1])
        assert abs(value - plain_nll(w, theta, X, y) - 0.5 * l2 * w @ w) < 1e-12
        h = 1e-6
        numeric = np.array([(model._objective(p + h * e, X, y, l2)[0]
                             - model._objective(p - h * e, X, y, l2)[0]) / (2 * h)
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


# ---------------------------------------------------------------- class order
LEVELS = ["low", "medium", "high"]


def ordered_levels(X_seed=12, n=600):
    X, y = ordinal_sample(n, seed=X_seed, theta=np.array([-1.0, 1.0]))
    return X, y, np.array(LEVELS, dtype=object)[y]


def test_ordinal_follows_an_ordered_categorical():
    pd = pytest.importorskip("pandas")
    X, y, labels = ordered_levels()
    by_code = fastnn.OrdinalRegression().fit(X, y)
    for target in (pd.Categorical(labels, categories=LEVELS, ordered=True),
                   pd.Series(pd.Categorical(labels, categories=LEVELS, ordered=True))):
        model = fastnn.OrdinalRegression().fit(X, target)
        assert model.classes_.tolist() == LEVELS  # not alphabetical: high < low < medium
        np.testing.assert_allclose(model.coef_, by_code.coef_, rtol=1e-9)
        assert model.score(X, target) == by_code.score(X, y)
        np.testing.assert_array_equal(model.predict(X), np.array(LEVELS)[by_code.predict(X)])
    # categories absent from y are no classes; the order of the others holds
    wide = pd.Categorical(labels, categories=["none"] + LEVELS + ["top"], ordered=True)
    assert fastnn.OrdinalRegression().fit(X, wide).classes_.tolist() == LEVELS
    reverse = pd.Categorical(y, categories=[2, 1, 0], ordered=True)
    assert fastnn.OrdinalRegression().fit(X, reverse).classes_.tolist() == [2, 1, 0]


def test_ordinal_sorts_plain_labels_and_unordered_categoricals():
    pd = pytest.importorskip("pandas")
    X, _, labels = ordered_levels()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for target in (labels, pd.Series(labels), pd.Categorical(labels)):  # sorted categories
            model = fastnn.OrdinalRegression().fit(X, target)
            assert model.classes_.tolist() == ["high", "low", "medium"]
    unordered = pd.Categorical(labels, categories=LEVELS)  # ordered=True forgotten
    with pytest.warns(UserWarning, match=r"unordered Categorical: classes_ are the sorted "
                      r"labels.*\(ordered=True\)"):
        model = fastnn.OrdinalRegression().fit(X, unordered)
    assert model.classes_.tolist() == ["high", "low", "medium"]


def test_logistic_classes_are_sorted_for_any_categorical():
    """As scikit-learn's (whose metrics read predict_proba's columns so)."""
    pd = pytest.importorskip("pandas")
    X, _, labels = ordered_levels()
    plain = fastnn.LogisticRegression().fit(X, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ordered in (True, False):
            target = pd.Series(pd.Categorical(labels, categories=LEVELS, ordered=ordered))
            model = fastnn.LogisticRegression().fit(X, target)
            assert model.classes_.tolist() == ["high", "low", "medium"]
            np.testing.assert_array_equal(model.predict_proba(X), plain.predict_proba(X))


def test_a_categorical_with_missing_values_is_refused():
    pd = pytest.importorskip("pandas")
    X, _, labels = ordered_levels()
    labels = labels.copy()
    labels[3] = None
    for cls in (fastnn.OrdinalRegression, fastnn.LogisticRegression):
        with pytest.raises(ValueError, match="y contains None or NaN"):
            cls().fit(X, pd.Categorical(labels, categories=LEVELS, ordered=True))


def test_ordered_categorical_without_pandas():
    """Duck-typed: the attributes of a pandas Categorical, no pandas needed;
    a missing value (code -1) is refused whatever the labels say."""
    class FakeCategorical:
        ordered, categories = True, np.array(LEVELS, dtype=object)

        def __init__(self, codes):
            self.codes = np.asarray(codes)

        def __array__(self, dtype=None, copy=None):
            return self.categories[self.codes]

    X, y, _ = ordered_levels()
    assert fastnn.OrdinalRegression().fit(X, FakeCategorical(y)).classes_.tolist() == LEVELS
    codes = y.copy()
    codes[0] = -1
    with pytest.raises(ValueError, match="y contains missing values"):
        fastnn.OrdinalRegression().fit(X, FakeCategorical(codes))


def test_ordinal_category_order_survives_save_and_load(tmp_path):
    pytest.importorskip("safetensors")
    pd = pytest.importorskip("pandas")
    X, _, labels = ordered_levels()
    model = fastnn.OrdinalRegression().fit(
        X, pd.Categorical(labels, categories=LEVELS, ordered=True))
    fastnn.save(model, tmp_path / "m.safetensors")
    for again in (fastnn.load(tmp_path / "m.safetensors"), pickle.loads(pickle.dumps(model))):
        assert again.classes_.tolist() == LEVELS
        np.testing.assert_array_equal(again.predict(X), model.predict(X))
    meta, arrays = model._fastnn_state()
    for bad in (["low", "low", "high"], ["low"]):
        with pytest.raises(ValueError, match="distinct labels"):
            fastnn.OrdinalRegression._from_fastnn_state(dict(meta, classes=bad), arrays)


# ---------------------------------------------------------------- feature names
ESTIMATORS = [fastnn.LogisticRegression, fastnn.OrdinalRegression]


def named_frame(pd, n=300, seed=13):
    X, y = ordinal_sample(n, seed=seed)
    return pd.DataFrame(X, columns=["a", "b", "c"]), y


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_reordered_columns_are_refused(cls):
    pd = pytest.importorskip("pandas")
    df, y = named_frame(pd)
    model = cls().fit(df, y)
    assert model.feature_names_in_.dtype == object
    assert model.feature_names_in_.tolist() == ["a", "b", "c"]
    X = df.to_numpy()
    assert model.score(df, y) == cls().fit(X, y).score(X, y)  # the names change nothing else
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(ValueError, match=r"^The feature names should match those that "
                           r"were passed during fit: the names are in another order"):
            getattr(model, method)(df[["c", "b", "a"]])
    with pytest.raises(ValueError, match="unseen at fit: 'x'; seen at fit, now missing: 'a'"):
        model.score(df.rename(columns={"a": "x"}), y)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_names_on_one_side_warn_and_a_refit_forgets_them(cls):
    pd = pytest.importorskip("pandas")
    df, y = named_frame(pd)
    model = cls().fit(df, y)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        model.predict(df.to_numpy())
    model.fit(df.to_numpy(), y)
    assert not hasattr(model, "feature_names_in_")
    with pytest.warns(UserWarning, match="X has feature names, but %s was fitted without"
                      % cls.__name__):
        model.predict(df)
    assert not hasattr(cls().fit(pd.DataFrame(df.to_numpy()), y), "feature_names_in_")


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_feature_names_survive_pickle_and_save(cls, tmp_path):
    pytest.importorskip("safetensors")
    pd = pytest.importorskip("pandas")
    df, y = named_frame(pd)
    model = cls().fit(df, y)
    fastnn.save(model, tmp_path / "m.safetensors")
    for again in (fastnn.load(tmp_path / "m.safetensors"), pickle.loads(pickle.dumps(model))):
        assert again.feature_names_in_.dtype == object
        assert again.feature_names_in_.tolist() == ["a", "b", "c"]
        np.testing.assert_array_equal(again.predict(df), model.predict(df))
        with pytest.raises(ValueError, match="another order"):
            again.predict(df[["b", "a", "c"]])
    meta, arrays = model._fastnn_state()
    assert meta["feature_names_in"] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="feature_names_in must be a list of 3 str"):
        cls._from_fastnn_state(dict(meta, feature_names_in=["a", "b"]), arrays)
    del meta["feature_names_in"]  # a file from before feature names
    assert not hasattr(cls._from_fastnn_state(meta, arrays), "feature_names_in_")


def test_polars_column_names():
    pl = pytest.importorskip("polars")
    X, y = ordinal_sample(200, seed=14)
    df = pl.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2]})
    model = fastnn.OrdinalRegression().fit(df, y)
    assert model.feature_names_in_.tolist() == ["a", "b", "c"]
    with pytest.raises(ValueError, match="another order"):
        model.predict(df.select(["c", "b", "a"]))


# ---------------------------------------------------------------- degenerate X
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_no_features_or_no_rows_are_refused(cls):
    """As scikit-learn refuses them, at fit and at predict."""
    y = np.array([0, 1, 2, 0, 1])
    with pytest.raises(ValueError, match=r"X has 0 features \(shape \(5, 0\)\); at least 1"):
        cls().fit(np.zeros((5, 0)), y)
    X, y = ordinal_sample(100, seed=15)
    model = cls().fit(X, y)
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(ValueError, match=r"X has 0 samples \(shape \(0, 3\)\)"):
            getattr(model, method)(X[:0])


# ---------------------------------------------------------------- badly scaled features
def scaled_fit(cls, scale, **params):
    X, y = ordinal_sample(600, seed=16)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = cls(**params).fit(X * scale, y)
    return model, [w for w in caught if w.category is not linear.ConvergenceWarning], \
        [str(w.message) for w in caught if w.category is linear.ConvergenceWarning]


@pytest.mark.parametrize("cls,params", [(fastnn.OrdinalRegression, {}),
                                        (fastnn.LogisticRegression, {}),
                                        (fastnn.LogisticRegression, {"l1": 1e-3})])
@pytest.mark.parametrize("scale", [1e8, 1e20])
def test_a_fit_stalled_by_feature_scale_warns(cls, params, scale):
    """lbfgs stops as the loss no longer falls, far from the optimum: once
    silently (at 1e20 with NumPy's "invalid value" warnings and zero weights)."""
    _, others, messages = scaled_fit(cls, scale, **params)
    assert not others, [str(w.message) for w in others]
    assert len(messages) == 1 and "far from the optimum" in messages[0], messages
    assert "standardize them" in messages[0]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_well_scaled_fits_do_not_warn(cls, dtype):
    X, y = ordinal_sample(600, seed=16)
    accuracy = scaled_fit(cls, 1.0, dtype=dtype)[0].score(X, y)
    for scale in (1e-2, 1.0, 1e3):
        model, others, messages = scaled_fit(cls, scale, dtype=dtype)
        assert not others and not messages, messages
        assert abs(model.score(X * scale, y) - accuracy) <= 1 / 600  # a tie may fall otherwise


def test_ordinal_objective_is_finite_where_eta_dwarfs_the_thresholds():
    """a - b is the gap between two thresholds: computed through eta = 1e20
    (or a threshold of 1e17) it cancelled to 0, giving NaN gradients."""
    model = fastnn.OrdinalRegression()
    index = np.array([1, 1, 0, 2])
    for X, t0 in ((np.full((4, 1), 1e20), -1.0), (np.ones((4, 1)), 1e17)):
        params = np.array([1.0, t0, np.log(2.0)])  # thresholds t0, t0 + 2
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value, grad = model._objective(params, X, index, 0.0)
        assert np.isfinite(value) and np.isfinite(grad).all(), (value, grad)
    # at eta = 0 the middle class's log-probability is log(F(1) - F(-1))
    value, _ = model._objective(np.array([0.0, -1.0, np.log(2.0)]), np.zeros((1, 1)),
                                np.array([1]), 0.0)
    assert abs(value + np.log(sigmoid(1.0) - sigmoid(-1.0))) < 1e-15
