"""Numerical and data edge cases: each works or raises a clear error.

All-zero and constant inputs, extreme logits (+-1e4) through the ops and
through a model with huge weights, subnormal inputs, string and
non-contiguous integer labels, a single sample, a batch larger than the data."""
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import ops, reference

DTYPES = (np.float32, np.float64)


def blobs(n=60, d=4, k=3, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    X = rng.standard_normal((n, d)) + 6 * np.eye(k, d)[y]
    return X.astype(dtype), y


def mlp(d=4, k=3, **kw):
    return fastnn.MLP([d, 8, k], random_state=0, **kw)


def classifier(**kw):
    sk = pytest.importorskip("fastnn.sklearn")
    kw.setdefault("hidden_layer_sizes", (8,))
    kw.setdefault("max_iter", 30)
    return sk.MLPClassifier(random_state=0, **kw)


def fit_quietly(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at small max_iter
        return est.fit(X, y)


# ---- inputs ----
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fill", [0.0, 7.0])
def test_all_zero_and_constant_inputs(dtype, fill):
    X = np.full((40, 4), fill, dtype)
    y = np.arange(40) % 3
    m = mlp(dtype=dtype.__name__).fit(X, y, epochs=3)
    P = m.predict(X)
    assert np.isfinite(P).all() and np.allclose(P.sum(axis=1), 1, atol=1e-5)
    assert np.all(P == P[0])  # identical rows in, identical rows out
    assert all(np.isfinite(loss) for loss in m.history_["loss"])


def test_constant_feature_next_to_informative_ones():
    X, y = blobs(200)
    X[:, 3] = 5.0  # column 3 carries no class signal
    m = mlp().fit(X, y, epochs=30, batch_size=16)
    assert m.score(X, y) > 0.9


@pytest.mark.parametrize("dtype, tiny", [(np.float32, 1e-40), (np.float64, 1e-310)])
def test_subnormal_inputs(dtype, tiny):
    assert 0 < tiny < np.finfo(dtype).tiny
    X = np.full((40, 4), tiny, dtype)
    X[::2] *= -1
    y = np.arange(40) % 3
    m = mlp(dtype=dtype.__name__).fit(X, y, epochs=2)
    assert np.isfinite(m.predict(X)).all()
    for act in fastnn._core.ACTIVATIONS:
        a = ops.activation(X, act)
        assert np.isfinite(a).all()
        assert np.isfinite(ops.activation_grad(act, X, a, np.ones_like(X))).all()
    assert np.isfinite(ops.matmul(X, X.T)).all()


# ---- extreme logits ----
@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits_through_the_ops(dtype):
    z = np.array([[1e4, -1e4, 0], [-1e4, -1e4, 1e4], [1e4, 1e4, 1e4]], dtype)
    p = ops.softmax(z)
    assert np.isfinite(p).all() and np.allclose(p.sum(axis=1), 1)
    np.testing.assert_allclose(ops.log_softmax(z), reference.log_softmax(z), rtol=1e-6)
    value, grad = ops.loss("cross_entropy", z, np.array([1, 0, 2]))
    assert value == pytest.approx((2e4 + 2e4 + np.log(3)) / 3, rel=1e-6)
    assert np.isfinite(grad).all() and np.abs(grad).max() <= 1
    t = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]], dtype)
    value, grad = ops.loss("binary_cross_entropy", z, t)
    want_v, want_g = reference.loss("binary_cross_entropy", z, t)
    assert np.isfinite(value) and value == pytest.approx(want_v, rel=1e-6)
    np.testing.assert_allclose(grad, want_g, atol=1e-7)
    value, grad = ops.loss("mse", z, np.zeros_like(z))
    assert np.isfinite(value) and np.isfinite(grad).all()
    s = ops.activation(z, "sigmoid")
    assert np.isfinite(s).all() and s.min() >= 0 and s.max() <= 1
    assert np.isfinite(ops.activation(z, "softplus")).all()


def test_model_with_huge_weights_predicts_and_fits_or_says_why():
    X, y = blobs(60)
    m = mlp()
    rng = np.random.default_rng(1)
    m.coefs_[-1][...] = rng.standard_normal(m.coefs_[-1].shape) * 1e4  # logits ~ +-1e4
    P = m.predict(X)
    assert np.isfinite(P).all() and np.allclose(P.sum(axis=1), 1, atol=1e-5)
    loss, _ = m.evaluate(X, None, labels=y)
    assert np.isfinite(loss) and loss > 100
    before = [w.copy() for w in m.coefs_]
    try:
        m.fit(X, y, epochs=2, learning_rate=1e-3)
    except ValueError as exc:  # the clear error, with the weights kept
        assert "NaN or infinite" in str(exc)
        assert all(np.array_equal(a, b) for a, b in zip(before, m.coefs_))
    else:
        assert all(np.isfinite(loss) for loss in m.history_["loss"])
        assert all(np.isfinite(w).all() for w in m.coefs_)


def test_divergence_is_a_clear_error():
    X, y = blobs(60)
    m = mlp()
    m.coefs_[0][...] = 1e18
    with pytest.raises(ValueError, match="NaN or infinite|too large"):
        m.fit(X * 1e19, y, epochs=2, learning_rate=1e10)


# ---- labels ----
def test_mlp_needs_labels_0_to_k_minus_1():
    X, _ = blobs(3)
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\)"):
        mlp().fit(X, np.array([3, 7, 42]), epochs=1)
    with pytest.raises(ValueError, match="integer class labels"):
        mlp().fit(X, np.array(["a", "b", "c"]), epochs=1)


@pytest.mark.parametrize("labels", [np.array(["cat", "dog", "eel"]), np.array([3, 7, 42]),
                                    np.array([-5, 0, 10 ** 12])])
def test_classifier_labels_as_strings_and_non_contiguous_ints(labels):
    X, yi = blobs(90)
    y = labels[yi]
    est = fit_quietly(classifier(max_iter=200), X, y)
    assert list(est.classes_) == sorted(labels.tolist())
    pred = est.predict(X)
    assert pred.dtype == y.dtype and set(pred) <= set(labels)
    assert (pred == y).mean() > 0.9
    assert est.predict_proba(X).shape == (90, 3)


def test_classifier_two_string_classes_binary():
    X, yi = blobs(60, k=2)
    y = np.array(["no", "yes"])[yi]
    est = fit_quietly(classifier(max_iter=200), X, y)
    assert set(est.predict(X)) <= {"no", "yes"}
    assert est.predict_proba(X).shape == (60, 2)


# ---- sizes ----
def test_single_sample():
    X, y = blobs(1)
    m = mlp().fit(X, y, epochs=3)
    assert np.isfinite(m.predict(X)).all()
    with pytest.raises(ValueError, match="no training samples"):
        mlp().fit(X, y, epochs=1, validation_split=0.5)
    with pytest.raises(ValueError, match="at least 2 classes|only one class"):
        fit_quietly(classifier(), X, y)
    est = fit_quietly(classifier(), X[[0, 0]], np.array([3, 7]))  # one sample per class
    assert set(est.predict(X)) <= {3, 7}


def test_no_samples_is_a_clear_error():
    with pytest.raises(ValueError, match="no samples"):
        mlp().fit(np.zeros((0, 4), np.float32), np.zeros(0, np.int64))


@pytest.mark.parametrize("batch_size", [7, 10 ** 9])
def test_batch_larger_than_the_data(batch_size):
    X, y = blobs(5)
    full = mlp().fit(X, y, epochs=3, batch_size=batch_size, shuffle=False)
    exact = mlp().fit(X, y, epochs=3, batch_size=5, shuffle=False)
    assert all(np.array_equal(a, b) for a, b in zip(full.coefs_, exact.coefs_))
    est = fit_quietly(classifier(batch_size=batch_size, max_iter=3), X, y)
    assert est.predict(X).shape == (5,)


@pytest.mark.parametrize("fmt", ["csr_matrix", "csc_matrix", "coo_matrix", "csr_array"])
def test_scipy_sparse_inputs_train_as_their_dense_arrays(fmt):
    sp = pytest.importorskip("scipy.sparse")
    make = getattr(sp, fmt)
    X, y = blobs()
    X[np.abs(X) < 1] = 0
    settings = dict(epochs=2, batch_size=16)
    dense = mlp().fit(X, y, validation_data=(X, y), **settings)
    sparse = mlp().fit(make(X), make(np.eye(3, dtype=np.float32)[y]),
                       validation_data=(make(X), y), **settings)
    for a, b in zip(dense.coefs_ + dense.intercepts_, sparse.coefs_ + sparse.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sparse.predict(make(X)), dense.predict(X))
    bad = make(X).tocsr()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        mlp().fit(bad, y)


def test_scipy_sparse_inputs_elsewhere_are_their_dense_arrays():
    sp = pytest.importorskip("scipy.sparse")
    from fastnn.projection import PrincipalProjection
    X, y = blobs(dtype=np.float64)
    X[np.abs(X) < 1] = 0
    S = sp.csr_matrix(X)
    dense, sparse = PrincipalProjection(X, 2), PrincipalProjection(S, 2)
    np.testing.assert_array_equal(dense.transform(X, np.float64),
                                  sparse.transform(S, np.float64))
    fitted = fastnn.LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(fastnn.LogisticRegression().fit(S, y).predict_proba(X),
                                  fitted.predict_proba(X))
    np.testing.assert_array_equal(fitted.predict_proba(S), fitted.predict_proba(X))


def test_predicting_on_sparse_rows_makes_one_chunk_dense_at_a_time(monkeypatch, rows_made_dense):
    sp = pytest.importorskip("scipy.sparse")
    from fastnn import _forward
    X, y = blobs(n=90)
    X[np.abs(X) < 1] = 0
    model = mlp().fit(X, y, epochs=2)
    clf = classifier(max_iter=3).fit(X, y)
    expected = model.predict(X), clf.predict_proba(X), model.evaluate(X, np.eye(3)[y])
    made_dense = rows_made_dense
    monkeypatch.setattr(_forward, "PREDICT_CHUNK", 16)
    S = sp.csr_matrix(X.astype(np.float64))  # MLP casts to its float32, as a dense X
    got = model.predict(S), clf.predict_proba(sp.csc_matrix(X)), model.evaluate(S, np.eye(3)[y])
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    assert got[2] == expected[2]
    assert made_dense and max(made_dense) == 16
    made_dense.clear()  # and wide rows in fewer: 3 rows of 4 float32 features in 48 bytes
    monkeypatch.setattr(_forward, "DENSE_CHUNK_BYTES", 48)
    np.testing.assert_array_equal(model.predict(S), expected[0])
    assert max(made_dense) == 3 and len(made_dense) == 30
    bad = S.copy()
    bad.data[3] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        model.predict(bad)
    with pytest.raises(ValueError, match="X has 3 features but the model expects 4"):
        model.predict(S[:, :3])


def test_dataframes_with_columns_of_several_dtypes_train_as_float64_arrays(monkeypatch):
    pd = pytest.importorskip("pandas")
    from fastnn import _stream
    rng = np.random.default_rng(0)
    frame = pd.get_dummies(pd.DataFrame({"age": rng.uniform(0, 3, 60),
                                         "city": rng.choice(list("abc"), 60)}))
    assert np.asarray(frame).dtype == object  # what the model was given before
    y = np.arange(60) % 3
    values = frame.to_numpy(dtype=np.float64)
    expected = mlp(d=4).fit(values, y, epochs=2, batch_size=16)
    monkeypatch.setattr(_stream, "STREAM_MIN_BYTES", 0)  # a large frame: converted whole too
    got = mlp(d=4).fit(frame, pd.Series(y).astype("Int64"), epochs=2, batch_size=16)
    for a, b in zip(expected.coefs_, got.coefs_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(got.predict(frame), expected.predict(values))
    by_frame = fastnn.LogisticRegression().fit(frame, y)  # the linear models read it so too
    np.testing.assert_array_equal(by_frame.predict_proba(frame),
                                  fastnn.LogisticRegression().fit(values, y).predict_proba(values))
    with pytest.raises(ValueError, match=r"Y has missing labels \(NaN\) in 1 row"):
        mlp(d=4).fit(frame, pd.Series(y).astype("Int64").where(np.arange(60) != 5))
    with pytest.raises(ValueError, match="X contains NaN"):
        mlp(d=4).fit(frame.assign(age=frame["age"].astype("Float64").where(
            np.arange(60) != 7)), y)
    with pytest.raises(TypeError, match="column.s. when are not: encode them as numbers"):
        mlp(d=5).fit(frame.assign(when=pd.date_range("2020", periods=60)), y)


def test_targets_as_bools_and_past_the_dtype_range():
    X, y = blobs(k=2)
    bools = mlp(k=2).fit(X, y.astype(bool), epochs=1)
    ints = mlp(k=2).fit(X, y, epochs=1)
    np.testing.assert_array_equal(bools.coefs_[0], ints.coefs_[0])
    with pytest.raises(ValueError, match="Y has values beyond the range of float32"):
        mlp(k=2).fit(X, np.eye(2)[y] * 1e39)


def test_r2_of_one_row_is_nan_with_a_warning_as_scikit_learn():
    X, _ = blobs()
    model = fastnn.MLP([4, 8, 1], output="identity", loss="mse", random_state=0)
    model.fit(X, X[:, :1], epochs=1)
    with pytest.warns(UserWarning, match="R\\^2 is not defined for fewer than two samples"):
        assert np.isnan(model.score(X[:1], X[:1, :1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(model.score(X[:2], X[:2, :1]))


@pytest.mark.parametrize("settings", [
    dict(solver="adam", dropout=0.2),
    dict(solver="sgd", early_stopping=True, n_iter_no_change=2),
    dict(solver="adam", sample_weight=True),
    # the first piece's weights sum to 0, none of its batches' does: trains as dense
    dict(solver="sgd", shuffle=False, sample_weight="signed"),
])
def test_drop_ins_train_on_a_large_sparse_matrix_a_dense_piece_at_a_time(settings, monkeypatch,
                                                                          rows_made_dense):
    sp = pytest.importorskip("scipy.sparse")
    from fastnn import _forward
    settings = dict(settings)
    weighted = settings.pop("sample_weight", False)
    X, y = blobs(n=200, d=6, dtype=np.float64)
    X[np.abs(X) < 1] = 0
    weights = np.linspace(0.5, 2, len(y)) if weighted else None
    if weighted == "signed":
        weights = np.ones(len(y))
        weights[16:48] = -0.5

    def fitted(data):
        est = classifier(hidden_layer_sizes=(8,), batch_size=16, max_iter=4, **settings)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return est.fit(data, y, sample_weight=weights)
    dense = fitted(X)
    pieces = rows_made_dense
    # 48 rows of 6 float64 features a piece: the epoch's 180-200 rows in 4-5 pieces
    monkeypatch.setattr(_forward, "DENSE_CHUNK_BYTES", 48 * 6 * 8)
    sparse = fitted(sp.csr_matrix(X))
    assert pieces and max(pieces) <= 48
    for a, b in zip(dense.coefs_ + dense.intercepts_, sparse.coefs_ + sparse.intercepts_):
        np.testing.assert_array_equal(a, b)  # the same batches: the same steps
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-13)
    assert sparse.n_iter_ == dense.n_iter_


def test_a_sparse_dataframe_with_early_stopping_scores_without_warnings(monkeypatch):
    pd = pytest.importorskip("pandas")
    sp = pytest.importorskip("scipy.sparse")
    from fastnn import _forward
    monkeypatch.setattr(_forward, "DENSE_CHUNK_BYTES", 1024)  # X stays sparse
    X, y = blobs(n=120, d=6, dtype=np.float64)
    X[np.abs(X) < 1] = 0
    frame = pd.DataFrame.sparse.from_spmatrix(sp.csr_matrix(X), columns=list("abcdef"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # feature names' warnings
        warnings.filterwarnings("ignore", "Stochastic Optimizer: Maximum iterations")
        est = classifier(hidden_layer_sizes=(8,), max_iter=3, early_stopping=True,
                         scoring="accuracy", n_iter_no_change=5).fit(frame, y)
    assert len(est.validation_scores_) == 3


def test_a_large_coo_matrix_streams_as_csr(monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    from fastnn import _stream
    monkeypatch.setattr(_stream, "STREAM_MIN_BYTES", 0)
    X, y = blobs()
    X[np.abs(X) < 1] = 0
    fits = [mlp().fit(make(X), y, epochs=2) for make in (sp.coo_matrix, sp.csr_matrix)]
    np.testing.assert_array_equal(fits[0].coefs_[0], fits[1].coefs_[0])


def test_a_polars_frame_names_only_its_text_columns():
    pl = pytest.importorskip("polars")
    X, y = blobs(d=1)
    frame = pl.DataFrame({"a": X[:, 0], "s": ["x"] * len(y)})
    with pytest.raises(TypeError, match=r"column\(s\) s are not"):
        mlp(d=2).fit(frame, y)


def test_frames_name_their_missing_values_dates_and_label_columns():
    pd = pytest.importorskip("pandas")
    X, y = blobs()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"X contains NaN .* in column\(s\) c"):
        mlp().fit(frame.assign(c=frame["c"].where(np.arange(len(y)) != 3)), y)
    with pytest.raises(TypeError, match=r"column\(s\) d are not"):  # dates alone too
        mlp().fit(frame.assign(d=pd.date_range("2020", periods=len(y))), y)
    labels = pd.Series(y % 2 == 0, dtype="boolean")
    with pytest.raises(ValueError, match=r"Y has missing labels \(NaN\) in 1 row"):
        mlp(k=2).fit(frame, labels.where(np.arange(len(y)) != 9))
    by_column = mlp().fit(frame, pd.DataFrame({"label": y}), epochs=1)
    by_series = mlp().fit(frame, pd.Series(y), epochs=1)
    np.testing.assert_array_equal(by_column.coefs_[0], by_series.coefs_[0])
    pl = pytest.importorskip("polars")
    dated = pl.DataFrame({"a": X[:, 0], "when": pd.date_range("2020", periods=len(y))})
    with pytest.raises(TypeError, match=r"column\(s\) when are not"):
        mlp(d=2).fit(dated, y)


def test_numbers_stored_as_objects_train_as_numbers_and_text_is_named():
    """scikit-learn converts an object array of numbers; so do fastnn.MLP and
    the linear models (NumPy scalars, Decimal, None and pd.NA as missing),
    while text stays refused by name rather than parsed."""
    pd = pytest.importorskip("pandas")
    from decimal import Decimal
    X, y = blobs(dtype=np.float64)
    X[2, 2] = int(X[2, 2] > 0)
    X[3, 3] = 1.0
    expected = mlp(d=4, dtype="float64").fit(X, y, epochs=2, batch_size=16)
    objects = X.astype(object)
    objects[0, 0] = Decimal(float(X[0, 0]))  # the same number, as a Decimal
    objects[1, 1] = np.float64(X[1, 1])  # and as a NumPy scalar
    objects[2, 2] = int(X[2, 2])  # and as a Python int
    objects[3, 3] = np.True_  # and a NumPy bool (not a numbers.Real)
    frame = pd.DataFrame(objects, columns=list("abcd"))
    assert (frame.dtypes == object).all()
    for given in (objects, frame):
        got = mlp(d=4, dtype="float64").fit(given, y, epochs=2, batch_size=16)
        np.testing.assert_array_equal(got.coefs_[0], expected.coefs_[0])
    np.testing.assert_array_equal(
        fastnn.LogisticRegression().fit(frame, y).coef_, fastnn.LogisticRegression().fit(X, y).coef_)
    missing = frame.astype(object)
    missing.iloc[3, 2] = pd.NA
    with pytest.raises(ValueError, match=r"X contains NaN .* in column\(s\) c"):
        mlp().fit(missing, y)
    with pytest.raises(TypeError, match=r"column\(s\) b are not: encode them as numbers"):
        mlp().fit(frame.assign(b=frame["b"].astype(str)), y)  # numbers as text: not parsed
    with pytest.raises(TypeError, match="got dtype object holding '1.5' .str."):
        mlp().fit(np.where(np.arange(4) == 1, "1.5", objects), y)
    huge = objects.copy()
    huge[5, 1] = 10 ** 400  # a Python int past float64: infinite, named, not an OverflowError
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        mlp().fit(huge, y)
    huge[5, 1] = Decimal("sNaN")  # float() of it raised a ValueError of its own words
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        mlp().fit(huge, y)
    with pytest.raises(ValueError, match=r"infinity in column\(s\) b"):
        mlp().fit(pd.DataFrame(huge, columns=list("abcd")), y)
