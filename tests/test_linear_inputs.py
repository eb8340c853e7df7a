"""What fastnn.LogisticRegression and fastnn.OrdinalRegression take: the
order of their classes (an ordered pandas Categorical), DataFrame column
names, and degenerate or badly scaled X."""
import pickle
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import linear
from fastnn._linear_lbfgs import ordinal_objective

from test_linear import ordinal_sample, sigmoid


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
        np.testing.assert_array_equal(model.coef_, by_code.coef_)  # the same codes: same fit
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
        with pytest.raises(ValueError, match=r"y contains missing labels \(None, NaN, NA or NaT\)"):
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
def scaled_fit(cls, scale, X=None, **params):
    X0, y = ordinal_sample(600, seed=16)
    X = X0 * scale if X is None else X
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = cls(**params).fit(X, y)
    return model, [w for w in caught if w.category is not linear.ConvergenceWarning], \
        [str(w.message) for w in caught if w.category is linear.ConvergenceWarning]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("scale,offset", [(1e8, 0.0), (1e20, 0.0), (1e200, 0.0), (1e-6, 0.0),
                                          (1.0, 1e4), (1.0, 1e8), (1e-3, 5.0)])
def test_unpenalized_fits_do_not_depend_on_feature_scale_or_offset(cls, scale, offset):
    """lbfgs fits standardized features (the same optimum), so x * scale +
    offset gives the same probabilities without a warning.  On raw features
    an offset of 1e4 left the weight near 0 silently (lbfgs stopped on
    "relative reduction"), a scale of 1e8 stalled with a warning, and 1e-6
    "converged" on the intercepts alone.  A constant column of 0.1 (whose
    float64 mean is not 0.1) rides along: it must not become a copy of the
    intercept with a weight of 1e13.  Tolerance: each fit stops with a
    gradient under tol (1e-6) on the same standardized problem, whose
    curvature is about 1, so the probabilities agree to about tol."""
    X, y = ordinal_sample(600, seed=16)
    base = cls().fit(X, y).predict_proba(X)
    shifted = np.c_[X * scale + offset, np.full(len(X), 0.1)]
    model, others, messages = scaled_fit(cls, 1.0, X=shifted)
    assert not others and not messages, messages
    np.testing.assert_allclose(model.predict_proba(shifted), base, rtol=0, atol=1e-6)
    assert np.ravel(model.coef_)[-1] == 0  # the constant column


@pytest.mark.parametrize("status,success,message,gradient,dtype,warns", [
    (2, False, "ABNORMAL_TERMINATION_IN_LNSRCH", 5e-3, "float32", False),  # float32's floor
    (2, False, "ABNORMAL_TERMINATION_IN_LNSRCH", 5e-2, "float32", True),
    (2, False, "ABNORMAL_TERMINATION_IN_LNSRCH", 5e-3, "float64", True),
    (0, True, "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH", 0.1, "float64", True),
    (0, True, "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH", 1e-4, "float64", False),
    (0, True, "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL", 0.1, "float64", False),
])
def test_lbfgs_stops_warn_only_short_of_the_dtypes_resolution(status, success, message,
                                                                gradient, dtype, warns):
    """A line-search failure or a stalled loss is convergence when the final
    gradient is within the dtype's resolution, else a ConvergenceWarning
    naming the gradient; scipy's own gradient tolerance is always met."""
    from types import SimpleNamespace
    from fastnn._linear_lbfgs import _warn_unless_converged
    res = SimpleNamespace(status=status, success=success, message=message, nit=7,
                          jac=np.array([gradient, 0.0]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _warn_unless_converged(res, 100, np.array([gradient, 0.0]), np.dtype(dtype))
    messages = [str(w.message) for w in caught if w.category is linear.ConvergenceWarning]
    assert len(messages) == warns, messages
    if warns:
        assert "far from the optimum" in messages[0] and "%.2g" % gradient in messages[0]
        assert ("dtype='float64'" in messages[0]) == (dtype == "float32")


@pytest.mark.parametrize("cls,params", [(fastnn.OrdinalRegression, {"l2": 0.1}),
                                        (fastnn.LogisticRegression, {"l2": 0.1}),
                                        (fastnn.LogisticRegression, {"l1": 1e-2})])
def test_penalized_fits_do_not_depend_on_feature_offset(cls, params):
    """The intercepts and thresholds are not penalized, so a shift of the
    features changes neither the optimum's weights nor its probabilities."""
    X, y = ordinal_sample(600, seed=16)
    base = cls(**params).fit(X, y)
    shifted = cls(**params).fit(X + 1e4, y)
    # both stop with a gradient under tol (1e-6) on one standardized problem
    np.testing.assert_allclose(shifted.coef_, base.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(shifted.predict_proba(X + 1e4), base.predict_proba(X), atol=1e-6)


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
            value, grad = ordinal_objective(params, X, index, 0.0)
        assert np.isfinite(value) and np.isfinite(grad).all(), (value, grad)
    # at eta = 0 the middle class's log-probability is log(F(1) - F(-1))
    value, _ = ordinal_objective(np.array([0.0, -1.0, np.log(2.0)]), np.zeros((1, 1)),
                                np.array([1]), 0.0)
    assert abs(value + np.log(sigmoid(1.0) - sigmoid(-1.0))) < 1e-15


def test_a_fit_stopped_on_a_small_gradient_does_not_warn():
    """scipy stopped on its gradient tolerance at the regularized optimum of
    tiny features: no stalled-fit warning (the standardized gradient carries
    the l2 term's, which is large there)."""
    X, y = ordinal_sample(300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fastnn.LogisticRegression(l2=1e-2).fit(X * 1e-6, (y > 1).astype(int))


def test_ordinal_follows_a_polars_enum():
    pl = pytest.importorskip("polars")
    X, y = ordinal_sample(400)
    levels = ["low", "medium", "high", "top"]
    enum = pl.Series([levels[k] for k in y], dtype=pl.Enum(levels))
    by_enum = fastnn.OrdinalRegression().fit(X, enum)
    by_codes = fastnn.OrdinalRegression().fit(X, y)
    assert list(by_enum.classes_) == levels
    np.testing.assert_array_equal(by_enum.coef_, by_codes.coef_)
    with pytest.raises(ValueError, match="missing labels"):
        fastnn.OrdinalRegression().fit(X, enum.scatter(3, None))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_continuous_target_and_missing_labels_are_refused(cls):
    """Non-whole numbers are a regression target passed by mistake (it made
    a class of every row, as scikit-learn's classifiers refuse); pandas' NA
    and NaT are missing labels (NaT made duplicate classes)."""
    pd = pytest.importorskip("pandas")
    X, y = ordinal_sample(60, seed=3)
    with pytest.raises(ValueError, match=r"not whole, such as %r: a continuous" % float(y[0] + 0.5)):
        cls().fit(X, y + 0.5)
    whole = cls().fit(X, y.astype(np.float64))  # whole numbers are labels
    np.testing.assert_array_equal(whole.classes_, [0.0, 1.0, 2.0, 3.0])
    dates = pd.to_datetime(["2020-01-01", "2021-01-01"])[y % 2]
    for missing in (pd.Series(y, dtype=object).where(np.arange(60) != 4, pd.NA),
                    np.where(np.arange(60) == 4, pd.NaT, dates.to_numpy(dtype=object)),
                    dates.to_numpy().copy().astype("M8[ns]")):
        if missing.dtype.kind == "M":
            missing[4] = np.datetime64("NaT")
        with pytest.raises(ValueError, match="missing labels"):
            cls().fit(X, missing)


def test_ordered_levels_that_are_not_whole_numbers_stay_labels():
    pd = pytest.importorskip("pandas")
    X, y = ordinal_sample(200, seed=4)
    levels = np.array([0.5, 1.5, 2.5, 10.5])
    by_levels = fastnn.OrdinalRegression().fit(
        X, pd.Categorical(levels[y], categories=levels, ordered=True))
    np.testing.assert_array_equal(by_levels.classes_, levels)
    np.testing.assert_array_equal(by_levels.coef_, fastnn.OrdinalRegression().fit(X, y).coef_)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_an_unfitted_model_raises_not_fitted_error(cls):
    exceptions = pytest.importorskip("sklearn.exceptions")
    X, _ = ordinal_sample(5)
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(exceptions.NotFittedError, match="is not fitted yet; call fit"):
            getattr(cls(), method)(X)
    assert cls().__sklearn_tags__().input_tags.sparse  # sparse X is read (made dense)



@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_feature_of_small_relative_spread_is_not_taken_for_a_constant(cls, dtype):
    """1000 + U(0, 1) over 20000 rows: a "constant" test that grew with the
    row count (n * eps * |mean|, 2.4 in float32) zeroed it (accuracy 0.5)."""
    rng = np.random.default_rng(0)
    u = rng.uniform(size=20000)
    X = (1000 + u)[:, None]
    y = (u + 0.1 * rng.normal(size=20000) > 0.5).astype(int)
    model = cls(dtype=dtype).fit(X, y)
    assert np.ravel(model.coef_)[0] > 1 and model.score(X, y) > 0.85


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_feature_of_spread_1e_170_fits_as_a_unit_one(cls):
    """Its squares underflowed to 0: taken for a constant, zeroed."""
    rng = np.random.default_rng(1)
    u = rng.uniform(size=600)
    y = (u + 0.1 * rng.normal(size=600) > 0.5).astype(int)
    unit = cls().fit(u[:, None], y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor overflow warnings from squaring raw weights
        tiny = cls().fit(u[:, None] * 1e-170, y)
    np.testing.assert_allclose(tiny.predict_proba(u[:, None] * 1e-170),
                               unit.predict_proba(u[:, None]), rtol=0, atol=1e-6)


def test_multinomial_intercepts_are_centred_with_l1_too():
    X, y = ordinal_sample(300, seed=2)
    for params in ({}, {"l2": 0.01}, {"l1": 0.01}):
        model = fastnn.LogisticRegression(**params).fit(X, y)
        assert abs(model.intercept_.sum()) < 1e-12, params
