"""scikit-learn reports its MLPClassifier's loss with each probability clipped
to [eps, 1 - eps] (eps of the dtype) before the log (neural_network/_base.py:
log_loss, binary_log_loss), the gradient unclipped.  On unscaled features most
rows hit the clip, so the drop-ins' loss_curve_, no-improvement stopping,
lbfgs objective (scipy's line search sees the values) and so the weights
depend on reporting the loss the same way: ops.loss's probability_clip, the
compiled epoch's, and their twins."""
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkClassifier
from sklearn.neural_network._base import binary_log_loss, log_loss

import fastnn
from fastnn import ops, reference
from fastnn._session import Session
from test_train import assert_same_trajectory, make_data, session

RTOL64 = 1e-10
# float32: both sides round every operation to float32 in different orders
# (blocked GEMM vs BLAS; scikit-learn sums each batch's loss in float32, a
# pairwise sum of up to 200 rows, ~8 eps32) and each of the ~13 epochs' steps
# moves the weights a few ulps apart: 100 eps32 bounds it (measured <= 3.2).
RTOL32 = 100 * float(np.finfo(np.float32).eps)
SOLVERS = ["adam", "sgd", "lbfgs"]
KINDS = ["binary", "multiclass", "multilabel"]
NEEDS_SAMPLE_WEIGHT = pytest.mark.skipif(
    tuple(int(v) for v in sklearn.__version__.split(".")[:2]) < (1, 7),
    reason="scikit-learn's MLPs take sample_weight from 1.7")


def _data(kind, dtype=np.float64, scale=1.0):
    """The adversarial pass's repro: incomes and ages, unscaled (scale divides)."""
    rng = np.random.RandomState(0)
    X = np.c_[rng.uniform(2e4, 2e5, 300), rng.randint(18, 90, 300)]
    income = X[:, 0] + 1000 * rng.randn(300)
    y = {"binary": (income > 1e5).astype(int),
         "multiclass": np.digitize(income, [8e4, 1.4e5]),
         "multilabel": np.c_[income > 1e5, X[:, 1] > 50, income < 6e4].astype(int)}[kind]
    return (X / scale).astype(dtype), y


def _fit_both(X, y, fit_kw=None, **params):
    kw = dict(hidden_layer_sizes=(16,), random_state=0)
    kw.update(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkClassifier(**kw).fit(X, y, **(fit_kw or {}))
        ours = fastnn.MLPClassifier(**kw).fit(X, y, **(fit_kw or {}))
    return sk, ours


def _rel(ours, theirs):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    return float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))


def _assert_same(sk, ours, X, rtol):
    assert ours.n_iter_ == sk.n_iter_
    if sk.solver == "lbfgs":
        assert abs(ours.loss_ - sk.loss_) <= rtol * abs(sk.loss_)
    else:
        assert len(ours.loss_curve_) == len(sk.loss_curve_)
        assert _rel(ours.loss_curve_, sk.loss_curve_) < rtol
        assert ours.best_loss_ == pytest.approx(sk.best_loss_, rel=rtol)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("solver", SOLVERS)
def test_unscaled_features_match_sklearn(solver, kind):
    """Before the clip: adam on the binary repro ran 68 epochs to scikit-learn's
    12 (loss 440 vs 20.3), lbfgs 59 iterations to 0."""
    X, y = _data(kind)
    sk, ours = _fit_both(X, y, solver=solver)
    _assert_same(sk, ours, X, RTOL64)


@NEEDS_SAMPLE_WEIGHT
@pytest.mark.parametrize("kind,solver", [(k, s) for k in KINDS for s in SOLVERS
                                         if (k, s) != ("multilabel", "adam")])
def test_unscaled_features_with_sample_weight_match_sklearn(kind, solver):
    """The weighted epoch, and lbfgs's weighted loss (per_row_loss), clip too.
    Not multilabel adam: there scikit-learn's binary_log_loss takes log(1 - p)
    of p rounded near 1 (a confidently wrong row under the clip), so a few of
    its epochs' values are off by ~2e-5 while the weights agree to 1e-15."""
    X, y = _data(kind)
    sw = np.random.RandomState(3).uniform(0.2, 2.0, len(X))
    sk, ours = _fit_both(X, y, fit_kw={"sample_weight": sw}, solver=solver)
    _assert_same(sk, ours, X, RTOL64)


@pytest.mark.parametrize("kind,scale,max_iter", [("multiclass", 100, 200),
                                                 ("multilabel", 10, 200),
                                                 ("multiclass", 1000, 10)])
def test_lbfgs_iterates_on_the_clipped_objective(kind, scale, max_iter):
    """Features scaled so scipy's line search moves while rows still hit the
    clip: the same values give the same iterations and weights."""
    X, y = _data(kind, scale=scale)
    sk, ours = _fit_both(X, y, solver="lbfgs", max_iter=max_iter)
    assert sk.n_iter_ > 0
    _assert_same(sk, ours, X, RTOL64)
    assert _rel(np.concatenate([c.ravel() for c in ours.coefs_]),
                np.concatenate([c.ravel() for c in sk.coefs_])) < RTOL64


@pytest.mark.parametrize("kind,solver", [(k, s) for k in KINDS for s in SOLVERS
                                         if (k, s) != ("multiclass", "adam")])
def test_float32_matches_sklearn(kind, solver):
    """float32's clip is eps32 (each -log p at most 15.94).  Not multiclass adam:
    its logits reach 7e4, where a float32 ulp is 0.008, so the first epoch's
    losses already differ by 4e-5 and Adam's normalised steps magnify that."""
    X, y = _data(kind, np.float32)
    sk, ours = _fit_both(X, y, solver=solver)
    # scikit-learn's lbfgs evaluates in float32 but leaves scipy's float64 result
    assert ours.coefs_[0].dtype == np.float32
    _assert_same(sk, ours, X, RTOL32)


def _confident(kind):
    """Rows two far-apart blobs and weights that put every row's true class
    past p = 1 - eps: each -log p sits on the lower bound -log1p(-eps)."""
    rng = np.random.RandomState(1)
    y = np.arange(60) % 2
    X = (2 * y - 1)[:, None] * (1 + rng.rand(60, 2))
    coef = np.array([[60.0], [60.0]])
    if kind == "multiclass":  # three blobs, one per class, softmax output
        y = np.arange(60) % 3
        X = np.eye(3)[y][:, :2] * 2 + rng.rand(60, 2) * 0.1
        coef = np.array([[80.0, -80.0, -80.0], [-80.0, 80.0, -80.0]])
    return X, y, coef


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_confident_rows_sit_on_the_lower_bound(kind):
    X, y, coef = _confident(kind)
    sk, ours = [cls(hidden_layer_sizes=(), alpha=0.0, solver="sgd", warm_start=True,
                    max_iter=1, random_state=0, learning_rate_init=1e-6)
                for cls in (SkClassifier, fastnn.MLPClassifier)]
    for est in (sk, ours):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        est.coefs_ = [coef.copy()]
        est.intercepts_ = [np.zeros(coef.shape[1])]
        if kind == "multiclass":
            est.intercepts_ = [np.array([-40.0, -40.0, 40.0])]
        est.set_params(max_iter=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
    floor = -np.log1p(-np.finfo(np.float64).eps)  # 2.2e-16 a row; exact would be ~1e-26
    assert sk.loss_curve_[-1] == pytest.approx(floor, rel=1e-6)
    assert _rel(ours.loss_curve_[1:], sk.loss_curve_[1:]) < RTOL64
    assert ours.n_iter_ == sk.n_iter_


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["cross_entropy", "binary_cross_entropy"])
def test_kernel_lower_bound_is_exact(name, dtype):
    """Confident correct logits: every term is -log1p(-clip), in kernel and twin."""
    eps = float(np.finfo(dtype).eps)
    if name == "cross_entropy":
        z, t = np.array([[60.0, -60.0, 0.0], [0.0, 70.0, -5.0]], dtype), np.array([0, 1])
        terms = 2
    else:
        z = np.array([[60.0, -60.0], [-80.0, 45.0]], dtype)
        t, terms = np.array([[1.0, 0.0], [0.0, 1.0]], dtype), 4
    lo = float(-np.log1p(-dtype(eps)))
    for kernel in (ops.loss, reference.loss):
        value, grad = kernel(name, z, t, probability_clip=eps)
        assert value == pytest.approx(lo * terms / 2, rel=1e-6)
        assert kernel(name, z, t)[0] < value  # the exact loss is below the floor
        assert np.array_equal(grad, kernel(name, z, t)[1])  # the gradient is not clipped


@pytest.mark.parametrize("kind,output,loss", [
    ("labels", "softmax", "cross_entropy"), ("probs", "softmax", "cross_entropy"),
    ("binary", "sigmoid", "binary_cross_entropy")])
@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_compiled_epoch_clip_follows_twin(kind, output, loss, opt):
    """The compiled epoch reports the clipped loss as reference.EpochRunner
    does; its weights (the gradient) are the unclipped run's.  A clip of 0.2
    (each -log p within [0.22, 1.61]) binds on these rows both ways."""
    X, Y, labels = make_data(kind)
    kw = dict(output=output, loss=loss, optimizer=opt, probability_clip=0.2)
    assert_same_trajectory(kw, (X, Y, labels))
    Yc = None if Y is None else np.ascontiguousarray(Y)
    run = dict(batch_size=8, learning_rate=0.05, shuffle=True, epoch=0)
    clipped, exact = (session([6, 9, 3], **dict(kw, probability_clip=c)) for c in (0.2, 0.0))
    assert clipped.epoch(X, Yc, labels, **run) != exact.epoch(X, Yc, labels, **run)
    assert np.array_equal(clipped.params, exact.params)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_compiled_epoch_weighted_clip_follows_twin(dtype):
    X, _, labels = make_data("labels")
    X = X.astype(dtype)
    sw = np.random.default_rng(2).uniform(0.2, 2.0, len(X)).astype(dtype)
    losses = []
    for runner, clip in ((None, 0.2), (reference.EpochRunner, 0.2), (None, 0.0)):
        s = session([6, 9, 3], runner=runner, dtype=np.dtype(dtype).name, probability_clip=clip)
        losses.append([s.epoch(X, None, labels, batch_size=8, learning_rate=0.05, shuffle=True,
                               epoch=e, sample_weight=sw) for e in range(3)])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-10 if dtype == np.float64 else 1e-5)
    assert not np.allclose(losses[0], losses[2], rtol=1e-3)


def test_clip_needs_a_cross_entropy():
    with pytest.raises(ValueError):
        Session([3, 2], activation="relu", output="identity", loss="mse", dropout=[],
                dropout_mode="inverted", dtype="float64", probability_clip=1e-3)
    with pytest.raises(ValueError):
        Session([3, 2], activation="relu", output="softmax", loss="cross_entropy", dropout=[],
                dropout_mode="inverted", dtype="float64", probability_clip=0.5)


def test_validation_loss_is_clipped_as_loss_curve():
    """validation_loss_curve_ (fastnn's) reports the loss as loss_curve_ does:
    scikit-learn's log_loss of the validation rows plus alpha's term."""
    X, y = _data("multilabel")
    Xv, yv = X[200:], y[200:]
    est = fastnn.MLPClassifier((16,), random_state=0, max_iter=3, batch_size=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X[:200], y[:200], X_val=Xv, y_val=yv)
    sq = sum(float((w ** 2).sum()) for w in est.coefs_)
    want = binary_log_loss(yv, est.predict_proba(Xv)) + 0.5 * est.alpha * sq / len(Xv)
    assert est.validation_loss_curve_[-1] == pytest.approx(want, rel=RTOL64)
    Xm, ym = _data("multiclass")
    est = fastnn.MLPClassifier((16,), random_state=0, max_iter=3, alpha=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Xm[:200], ym[:200], X_val=Xm[200:], y_val=ym[200:])
    want = log_loss(np.eye(3)[ym[200:]], est.predict_proba(Xm[200:]))
    assert est.validation_loss_curve_[-1] == pytest.approx(want, rel=RTOL64)


def test_label_smoothing_keeps_the_clip_and_mlp_keeps_the_exact_loss():
    """With label_smoothing (fastnn's) the drop-in still clips every -log p, so
    its loss stays on scikit-learn's scale (at most -log(eps) a row with
    alpha=0); fastnn.MLP reports the exact loss, far above it here."""
    X, y = _data("multiclass")
    cap = -np.log(np.finfo(np.float64).eps)
    est = fastnn.MLPClassifier((16,), random_state=0, alpha=0.0, max_iter=5,
                               label_smoothing=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert max(est.loss_curve_) <= cap
    mlp = fastnn.MLP([2, 16, 3], random_state=0).fit(X, y, epochs=1)
    assert mlp.history_["loss"][0] > cap


def test_scorer_on_dataframe_does_not_warn_about_feature_names():
    """scoring= (a name or a callable) with a DataFrame X: the validation rows
    reach the scorer with the fit's column names, as scikit-learn's own early
    stopping predicts without the feature-name warning."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(120, 3), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int)
    for scoring in ("accuracy", lambda est, X, y: est.score(X, y)):
        est = fastnn.MLPClassifier((5,), early_stopping=True, scoring=scoring, max_iter=5,
                                   random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # ConvergenceWarning is one
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        assert len(est.validation_scores_) == 5
        with warnings.catch_warnings():  # and with a user's validation frame
            warnings.simplefilter("error", UserWarning)  # ConvergenceWarning is one
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.set_params(early_stopping=False).fit(X[:80], y[:80], X_val=X[80:], y_val=y[80:])
