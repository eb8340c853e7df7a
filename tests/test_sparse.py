"""Sparse X read at the cost of its nonzeros: ops.linear on SciPy sparse
rows, the compiled epoch's first layer on CSR rows (csrc/ops/sparse.inc),
and the fits and predictions that use them, each against the NumPy twin
and the dense path."""
import functools
import json
import os
import textwrap
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import _core, ops, reference
from fastnn._session import Session
from fastnn._values import csr_parts
from conftest import run_python

sp = pytest.importorskip("scipy.sparse")

# float32: a row of k terms rounds by about k ulps either way
TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=2e-5, atol=2e-5)}


def sparse_rows(m, k, density=0.02, dtype=np.float64, seed=0):
    X = sp.random(m, k, density=density, format="csr", random_state=seed, dtype=dtype)
    X.data = (X.data * 4 - 2).astype(dtype)  # signed values
    return X


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("act", ["identity", "relu", "tanh"])
def test_linear_on_sparse_rows_matches_the_twin(kernel, dtype, fmt, act):
    X = sparse_rows(70, 300, dtype=dtype).asformat(fmt)
    rng = np.random.default_rng(1)
    w = rng.standard_normal((300, 19)).astype(dtype)
    b = rng.standard_normal(19).astype(dtype)
    got = ops.linear(X, w, b, act)
    assert got.dtype == dtype and got.shape == (70, 19)
    np.testing.assert_allclose(got, reference.linear(X, w, b, act), **TOL[dtype])
    np.testing.assert_allclose(got, ops.linear(X.toarray(), w, b, act), **TOL[dtype])


def test_duplicate_entries_empty_rows_and_explicit_zeros_are_their_dense_matrix():
    # rows 0 and 2 hold (0, 1) and (2, 4) twice, row 2 unsorted, (3, 2) an explicit 0
    indptr = np.array([0, 2, 2, 5, 6, 6])
    indices = np.array([1, 1, 4, 0, 4, 2])
    data = np.array([1.0, 2.0, 0.5, -1.0, 0.25, 0.0])
    X = sp.csr_matrix((data, indices, indptr), shape=(5, 6))
    assert X.nnz == 6 and not X.has_canonical_format  # kept as given
    w = np.arange(6 * 3, dtype=np.float64).reshape(6, 3)
    dense = np.zeros((5, 6))
    np.add.at(dense, (np.repeat(np.arange(5), np.diff(indptr)), indices), data)
    np.testing.assert_array_equal(ops.linear(X, w), dense @ w)


def csr_call(indptr, indices, data, cols=4, n=3):
    w = np.ones((cols, n))
    out = np.empty((len(indptr) - 1, n))
    parts = (np.asarray(indptr, np.int64), np.asarray(indices, np.int64),
             np.asarray(data, np.float64), cols)
    _core.csr_dense_fwd(out, parts, w, None, 0, 1)
    return out


@pytest.mark.parametrize("indptr, indices", [
    ([0, 2, 1], [0, 1]),       # offsets decreasing
    ([0, 1, 3], [0, 1]),       # past the entries
    ([1, 1, 2], [0, 1]),       # from 1: a row before the first entry is fine, -1 is not
    ([0, 1, 2], [0, 4]),       # a column past the width
    ([0, 1, 2], [-1, 0]),      # a negative column
])
def test_the_kernel_checks_every_row_before_reading_it(indptr, indices):
    if indptr[0] == 1:
        indptr = [-1, 1, 2]
    with pytest.raises(ValueError):
        csr_call(indptr, indices, [1.0, 2.0])
    np.testing.assert_array_equal(csr_call([0, 1, 2], [0, 3], [1.0, 2.0]), [[1] * 3, [2] * 3])


def test_wrong_index_dtypes_are_type_errors_not_reads():
    w, out = np.ones((4, 3)), np.empty((2, 3))
    with pytest.raises(TypeError, match="indices must be a C-contiguous 1-D int64"):
        _core.csr_dense_fwd(out, (np.array([0, 1, 2]), np.array([0, 1], np.int32),
                                  np.ones(2), 4), w, None, 0, 1)


def session(dtype, runner=None, **kw):
    return Session([300, 16, 8, 3], activation="relu", output="softmax", loss="cross_entropy",
                   dropout=[0.2, 0.0], dropout_mode="inverted", dtype=dtype, max_batch=32,
                   seed=7, runner=runner, **kw)


def train(s, X, labels, epochs=3, **kw):
    s.params[:] = np.random.default_rng(3).standard_normal(len(s.params)).astype(s.dtype) * 0.1
    losses = [s.epoch(X, None, labels, batch_size=32, learning_rate=0.01, shuffle=True,
                      epoch=e, **kw) for e in range(epochs)]
    return s.params.copy(), losses


CASES = [dict(), dict(optimizer="sgd", momentum=0.9, nesterov=True),
         dict(l1=1e-4, l2=1e-3, weight_decay=0.01), dict(max_grad_norm=1e-3)]  # it clips


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=["adam", "nesterov", "penalties", "clip"])
def test_an_epoch_on_csr_rows_matches_the_twin_and_the_dense_epoch(kernel, dtype, case):
    X = sparse_rows(200, 300, dtype=dtype)
    labels = np.random.default_rng(2).integers(0, 3, 200)
    weights = np.linspace(0.5, 2, 200).astype(dtype)
    got = train(session(dtype, **case), csr_parts(X, dtype), labels, sample_weight=weights)
    twin = train(session(dtype, runner=reference.EpochRunner, **case), csr_parts(X, dtype),
                 labels, sample_weight=weights)
    dense = train(session(dtype, **case), X.toarray(), labels, sample_weight=weights)
    # float32: each product's sum in another order, ~sqrt(300 terms) x 6e-8 relative,
    # through 21 updates of lr 0.01 (measured: 3e-7 on the weights, 1e-8 on the losses)
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=1e-5, atol=2e-6)
    for other in (twin, dense):
        np.testing.assert_allclose(got[0], other[0], **tol)
        np.testing.assert_allclose(got[1], other[1], **tol)


def test_csr_epochs_give_the_same_bits_on_one_and_two_threads(kernel):
    X = sparse_rows(300, 2000, density=0.01, dtype=np.float32)
    labels = np.random.default_rng(2).integers(0, 3, 300)
    runs, before = [], fastnn._config._thread_setting()
    try:
        for threads in (1, 2):
            fastnn.set_num_threads(threads)
            s = Session([2000, 64, 3], activation="relu", output="softmax",
                        loss="cross_entropy", dropout=[0.3], dropout_mode="inverted",
                        dtype=np.float32, max_batch=64, seed=1, n_threads=threads)
            runs.append(train(s, csr_parts(X, np.float32), labels, epochs=2))
    finally:
        fastnn.set_num_threads(before)
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def text_like(n=400, k=3000, seed=0):
    """Rows of a few nonzero counts among many columns, classes from a few of them."""
    X = sp.random(n, k, density=0.005, format="csr", random_state=seed, dtype=np.float64)
    X.data = np.ceil(X.data * 3)
    y = np.asarray(X[:, :40].sum(axis=1) > X[:, 40:80].sum(axis=1)).ravel().astype(int)
    return X, y


@pytest.mark.parametrize("estimator", ["MLPClassifier", "MLPRegressor"])
def test_drop_ins_train_and_predict_on_sparse_rows_as_on_their_dense_matrix(
        estimator, rows_made_dense):
    X, y = text_like()
    make = functools.partial(getattr(fastnn, estimator), hidden_layer_sizes=(32,), max_iter=5,
                             batch_size=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 5 epochs do not converge
        dense = make().fit(X.toarray(), y)
        rows_made_dense.clear()
        sparse = make().fit(X, y)
        sparse_early = make(early_stopping=True, validation_fraction=0.2).fit(X, y)
        predicted = sparse.predict(X)
    assert rows_made_dense == []  # never a dense copy of the rows
    for a, b in zip(dense.coefs_ + dense.intercepts_, sparse.coefs_ + sparse.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-10)
    if estimator == "MLPClassifier":
        np.testing.assert_array_equal(predicted, dense.predict(X.toarray()))
    else:
        np.testing.assert_allclose(predicted, dense.predict(X.toarray()), rtol=1e-10)
    assert sparse_early.n_iter_ >= 1 and np.isfinite(sparse_early.best_validation_score_)


def test_mlp_fit_reads_sparse_rows_and_falls_back_to_dense_ones_for_augmentation(
        rows_made_dense):
    X, y = text_like(k=784)
    def model():
        return fastnn.MLP([784, 16, 2], random_state=0, dtype="float64")
    dense = model().fit(X.toarray(), y, epochs=3, batch_size=40, validation_split=0.2)
    rows_made_dense.clear()
    sparse = model().fit(X, y, epochs=3, batch_size=40, validation_split=0.2)
    assert rows_made_dense == []
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sparse.history_["val_loss"], dense.history_["val_loss"],
                               rtol=1e-10)
    # augmentation rewrites the gathered rows: those are made dense, the result the same
    shifted = [m.fit(data, y, epochs=1, batch_size=40, augment="shift",
                     image_shape=(28, 28)).coefs_[0] for m, data in
               ((model(), X.toarray()), (model(), X))]
    assert rows_made_dense
    np.testing.assert_array_equal(shifted[0], shifted[1])


@pytest.mark.skipif(not os.path.exists("/proc/self/status") or "asan" in os.environ.get(
    "LD_PRELOAD", ""), reason="Linux's VmPeak, without AddressSanitizer's own reservations")
def test_a_million_sparse_columns_cost_their_weights_not_dense_rows():
    """The trainer made a dense (batch x inputs) gather buffer and three
    backward scratches of the inputs' width: 3.2 GB at 200 x 10**6 of
    address space (untouched, so not resident: VmPeak, not the RSS, shows
    it; a system that does not overcommit refused the fit)."""
    code = textwrap.dedent("""
        import json, warnings
        import numpy as np, scipy.sparse as sp, fastnn

        def peak_mb():
            with open("/proc/self/status") as f:
                line = next(l for l in f if l.startswith("VmPeak:"))
            return int(line.split()[1]) / 1024

        rng = np.random.default_rng(0)
        n, d, per = 2000, 10 ** 6, 20
        indptr = np.arange(0, n * per + 1, per)
        indices = np.sort(rng.integers(0, d, (n, per)), axis=1).ravel()
        X = sp.csr_matrix((np.ones(n * per, np.float32), indices, indptr), shape=(n, d))
        y = rng.integers(0, 2, n)
        base = peak_mb()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fastnn.MLPClassifier((4,), max_iter=1, batch_size=200).fit(X, y).predict(X)
            fastnn.MLP([d, 4, 2]).fit(X, y, epochs=1, batch_size=200)
        print(json.dumps(peak_mb() - base))
    """)
    res = run_python(code, timeout=300)
    assert res.returncode == 0, res.stderr
    grown = json.loads(res.stdout.strip().splitlines()[-1])
    assert grown < 700, grown  # weights 16 MB a copy (threads' stacks too); the old 3.2 GB


@pytest.mark.parametrize("estimator", ["LogisticRegression", "OrdinalRegression"])
def test_linear_models_fit_sparse_rows_scaled_not_centred_to_the_dense_optimum(
        estimator, rows_made_dense):
    X, y = text_like(k=2000)
    X = sp.hstack([X, sp.csr_matrix(np.full((X.shape[0], 1), 3.0))]).tolil()  # a constant
    X[:, 5] = 0          # a column of zeros
    X[:7, 9] = 1e200     # a feature whose squares overflow
    X = X.tocsr()
    y = y + (np.asarray(X[:, 40:60].sum(axis=1)).ravel() > 1)  # three ordered classes
    make = functools.partial(getattr(fastnn, estimator), l2=1e-2, tol=1e-9, max_iter=2000)
    rows_made_dense.clear()
    sparse = make().fit(X, y)
    assert rows_made_dense == []  # neither fit nor predict made the rows dense
    proba = sparse.predict_proba(X)
    assert rows_made_dense == []
    dense = make().fit(X.toarray(), y)
    coef = np.ravel(sparse.coef_)
    assert np.isfinite(coef).all() and coef.reshape(-1, X.shape[1])[:, [5, -1]].tolist() == [
        [0.0, 0.0]] * (coef.size // X.shape[1])
    # both stop where lbfgs's loss no longer falls by 64 eps (relative): a loss
    # within 1e-14 of the optimum, of curvature at least l2, leaves the
    # weights within sqrt(2e-14 / 1e-2) = 1.4e-6 of it
    np.testing.assert_allclose(coef, np.ravel(dense.coef_), rtol=0, atol=2e-6)
    np.testing.assert_allclose(proba, dense.predict_proba(X.toarray()), rtol=0, atol=2e-6)


def test_lbfgs_runs_with_single_threaded_blas(monkeypatch):
    """SciPy's L-BFGS-B solver makes vector BLAS calls that a threaded
    OpenBLAS slowed 10-50x on 2 cores (scipy issue 22438)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from scipy.optimize import minimize
    from fastnn import linear
    seen = []

    def spy(*args, **kwargs):
        seen.append({i["num_threads"] for i in threadpoolctl.threadpool_info()
                     if i["user_api"] == "blas"})
        return minimize(*args, **kwargs)
    monkeypatch.setattr(linear, "_import_minimize", lambda: spy)
    X, y = text_like(n=100, k=50)
    fastnn.LogisticRegression().fit(X.toarray(), y)
    assert seen == [{1}]


def test_a_fit_that_rewrites_rows_streams_a_large_sparse_x_in_dense_chunks(
        monkeypatch, rows_made_dense):
    """With input noise (or augmentation, or bfloat16) the epoch cannot read
    CSR rows: a large sparse X must stream a chunk at a time, as before,
    not be made dense whole (a 10**5 x 10**6 X asked for 373 GiB)."""
    from fastnn import _stream
    X, y = text_like(n=400, k=784)
    monkeypatch.setattr(_stream, "STREAM_MIN_BYTES", 1 << 16)  # X counts as large
    monkeypatch.setattr(_stream, "CHUNK_BYTES", 1 << 16)
    fastnn.MLP([784, 8, 2], random_state=0).fit(X, y, epochs=1, batch_size=20,
                                                  input_noise=0.1)
    assert rows_made_dense and max(rows_made_dense) < X.shape[0]


def test_a_sparse_validation_set_is_read_sparse(rows_made_dense):
    X, y = text_like()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = fastnn.MLPClassifier((8,), max_iter=2, early_stopping=True, random_state=0)
        est.fit(X, y, X_val=X[:100], y_val=y[:100])
    assert rows_made_dense == [] and len(est.validation_scores_) == 2


def test_an_edited_invalid_csr_matrix_is_named_before_any_kernel():
    X, y = text_like(n=50, k=30)
    X.indices[3] = 100  # past the 30 columns
    for fit in (lambda: fastnn.MLP([30, 4, 2]).fit(X, y, epochs=1),
                lambda: ops.linear(X, np.ones((30, 2)))):
        with pytest.raises(ValueError, match="X is not a valid sparse matrix: indices"):
            fit()
    with pytest.raises(ValueError, match="a sparse x must be 2-D, got shape"):
        ops.linear(sp.coo_array(np.ones(3)), np.ones((3, 2)))


@pytest.mark.parametrize("estimator", ["LogisticRegression", "OrdinalRegression"])
def test_a_sparse_column_far_from_zero_is_centred_as_a_dense_one(estimator):
    """Scaled but not centred, a column of mean 200 deviations (a year beside
    word counts) left lbfgs at max_iter with its weight a tenth of the optimum."""
    rng = np.random.default_rng(0)
    words = sp.random(2000, 300, density=0.01, format="csr", random_state=0)
    year = rng.normal(2000, 10, 2000)
    X = sp.hstack([words, sp.csr_matrix(year[:, None])]).tocsr()
    y = (0.2 * (year - 2000) + rng.normal(0, 1, 2000) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        sparse = getattr(fastnn, estimator)().fit(X, y)
        dense = getattr(fastnn, estimator)().fit(X.toarray(), y)
    np.testing.assert_allclose(np.ravel(sparse.coef_), np.ravel(dense.coef_), rtol=1e-8,
                               atol=1e-10)
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X.toarray()),
                               atol=1e-10)


@pytest.mark.parametrize("hidden", [(16,), ()])
def test_the_drop_ins_lbfgs_reads_sparse_rows_as_scikit_learn_does(hidden, rows_made_dense):
    """lbfgs made a sparse X dense whole (scikit-learn's reads it sparse)."""
    from sklearn.neural_network import MLPClassifier as SkClassifier
    X, y = text_like()
    settings = dict(hidden_layer_sizes=hidden, solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 5 iterations do not converge
        ours = fastnn.MLPClassifier(**settings).fit(X, y)
        assert rows_made_dense == []
        theirs = SkClassifier(**settings).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-10)
