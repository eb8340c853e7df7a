"""class_weight, a user's validation set (X_val), validation_loss_curve_ and
scoring on the scikit-learn drop-ins."""
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

import fastnn
from fastnn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=300, labels=(0, 1, 2)):
    X, y = make_classification(n, 8, n_informative=5, n_classes=3, weights=[0.6, 0.3, 0.1],
                               random_state=0)
    return X, np.asarray(labels)[y]


def _params(a):
    return a.coefs_ + a.intercepts_


@pytest.mark.parametrize("class_weight", ["balanced", {"a": 1.0, "b": 2.5, "c": 7.0}])
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("with_sw", [False, True])
def test_class_weight_is_the_equivalent_sample_weight(class_weight, early_stopping, with_sw):
    X, y = _data(labels=("a", "b", "c"))
    sw = np.random.RandomState(1).uniform(0.5, 2.0, len(y)) if with_sw else None
    kw = dict(hidden_layer_sizes=(12,), max_iter=12, random_state=0,
              early_stopping=early_stopping)
    a = MLPClassifier(class_weight=class_weight, **kw).fit(X, y, sample_weight=sw)
    equivalent = compute_sample_weight(class_weight, y) * (1.0 if sw is None else sw)
    b = MLPClassifier(**kw).fit(X, y, sample_weight=equivalent)
    for p, q in zip(_params(a), _params(b)):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-12)
    if early_stopping:
        np.testing.assert_allclose(a.validation_scores_, b.validation_scores_, rtol=1e-12)
        np.testing.assert_allclose(a.validation_loss_curve_, b.validation_loss_curve_,
                                   rtol=1e-12)


def test_class_weight_changes_the_fit_and_binary_works():
    X, y = _data()
    y = (y > 0).astype(int)
    kw = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    plain = MLPClassifier(**kw).fit(X, y)
    weighted = MLPClassifier(class_weight={0: 1.0, 1: 5.0}, **kw).fit(X, y)
    assert not np.array_equal(plain.coefs_[0], weighted.coefs_[0])
    assert weighted.predict(X).mean() > plain.predict(X).mean()


def test_class_weight_refusals():
    X, y = _data()
    Y = np.stack([y == 0, y == 1], axis=1).astype(int)
    with pytest.raises(ValueError, match="multilabel"):
        MLPClassifier(class_weight="balanced", max_iter=2).fit(X, Y)
    with pytest.raises(ValueError, match="partial_fit"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    est = MLPClassifier(class_weight={0: 1.0, 1: 2.0, 2: 3.0}, random_state=0)
    est.partial_fit(X, y, classes=[0, 1, 2])  # a dict is known before the data
    with pytest.raises(ValueError):
        MLPClassifier(class_weight="heavy").fit(X, y)


@pytest.mark.parametrize("labels", [(0, 1, 2), ("x", "y", "z"), (-1, 5, 9)])
def test_saved_model_keeps_class_weight(tmp_path, labels):
    X, y = _data(labels=labels)
    cw = {labels[0]: 1.0, labels[1]: 2.0, labels[2]: 4.0}
    est = MLPClassifier(hidden_layer_sizes=(6,), max_iter=3, class_weight=cw,
                        early_stopping=True, random_state=0).fit(X, y)
    fastnn.save(est, tmp_path / "m.fnn")
    back = fastnn.load(tmp_path / "m.fnn")
    assert back.class_weight == cw
    assert [type(k) for k in back.class_weight] == [type(k) for k in cw]
    assert back.validation_loss_curve_ == pytest.approx(est.validation_loss_curve_)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))


def test_x_val_early_stopping_restores_the_best_model():
    X, y = _data(500)
    X_val, y_val = X[:150], y[:150]
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=80, early_stopping=True,
                        n_iter_no_change=4, random_state=0)
    est.fit(X[150:], y[150:], X_val=X_val, y_val=y_val)
    assert est.n_iter_ < 80
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_validation_score_ == est.score(X_val, y_val)
    # all of X trained: t_ counts every row of every epoch
    assert est.t_ == est.n_iter_ * 350


def test_x_val_weights_and_scoring_loss():
    X, y = _data(400)
    X_val, y_val = X[:100], y[:100]
    sw_val = np.random.RandomState(0).uniform(0.5, 2.0, 100)
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=40, early_stopping=True,
                        n_iter_no_change=3, scoring="loss", alpha=0.0, random_state=0)
    est.fit(X[100:], y[100:], X_val=X_val, y_val=y_val, sample_weight_val=sw_val)
    np.testing.assert_allclose(est.validation_scores_, -np.array(est.validation_loss_curve_))
    assert est.best_validation_score_ == max(est.validation_scores_)
    # with alpha=0 and one batch, the validation loss is scikit-learn's weighted log-loss
    expected = log_loss(y_val, est.predict_proba(X_val), sample_weight=sw_val)
    assert -est.best_validation_score_ == pytest.approx(expected, rel=1e-9)


def test_validation_loss_curve_compares_with_loss_curve():
    # validating on the training rows in training order, the last epoch's
    # validation loss is the loss of the weights after it (a full batch)
    X, y = _data(200)
    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, batch_size=200, shuffle=False,
                        alpha=0.01, random_state=0)
    est.fit(X, y, X_val=X, y_val=y)
    assert est.validation_loss_curve_[:-1] == pytest.approx(est.loss_curve_[1:], rel=1e-9)
    assert est.best_validation_score_ is None and len(est.validation_scores_) == 5


def test_scoring_names_and_callables_and_regressor():
    X, y = make_regression(300, 5, noise=1.0, random_state=0)
    y = y / y.std()
    kw = dict(hidden_layer_sizes=(8,), max_iter=6, random_state=0)
    est = MLPRegressor(scoring="neg_mean_absolute_error", **kw)
    est.fit(X[50:], y[50:], X_val=X[:50], y_val=y[:50])
    assert all(s < 0 for s in est.validation_scores_)
    calls = []

    def scorer(estimator, X_, y_):
        calls.append(len(X_))
        return 1.0

    MLPRegressor(scoring=scorer, early_stopping=True, **kw).fit(X, y)
    assert calls == [30] * 6


def test_x_val_errors():
    X, y = _data(100)
    est = MLPClassifier(max_iter=2)
    with pytest.raises(ValueError, match="y_val was not provided"):
        est.fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="X_val was not provided"):
        est.fit(X, y, y_val=y)
    with pytest.raises(ValueError, match="sample_weight_val"):
        est.fit(X, y, sample_weight_val=np.ones(100))
    with pytest.raises(ValueError, match="features"):
        est.fit(X, y, X_val=X[:, :3], y_val=y)
    with pytest.raises(ValueError, match="not seen"):
        est.fit(X, y, X_val=X, y_val=y + 10)
    with pytest.raises(ValueError, match="lbfgs"):
        MLPClassifier(solver="lbfgs").fit(X, y, X_val=X, y_val=y)
    assert not hasattr(est, "coefs_")  # nothing ran


def test_x_val_through_a_pipeline_with_metadata_routing():
    X, y = _data(300)
    X = X * 100 + 5
    with fastnn_routing():
        mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, early_stopping=True,
                            n_iter_no_change=3, random_state=0)
        mlp.set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"])
        pipe.fit(X[100:], y[100:], X_val=X[:100], y_val=y[:100])
    fitted = pipe.named_steps["mlp"]
    assert fitted.best_validation_score_ == pytest.approx(pipe.score(X[:100], y[:100]))


def fastnn_routing():
    import sklearn
    return sklearn.config_context(enable_metadata_routing=True)
