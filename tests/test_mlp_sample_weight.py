"""fastnn.MLP.fit(sample_weight=): each batch's loss is the weighted mean of
its rows' (scikit-learn's rule, the compiled epoch's weighted path, which
tests/test_train_weights.py holds to its twin), so integer weights train as
duplicated rows in one batch; rows of weight 0 are left out."""
import numpy as np
import pytest

import fastnn
from fastnn._validate import split_rows


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def fit(X, y, **kw):
    kw.setdefault("epochs", 3)
    return fastnn.MLP([5, 8, 2], dtype="float64", random_state=0).fit(X, y, **kw)


def test_integer_weights_train_as_duplicated_rows_in_one_batch():
    X, y = data()
    w = np.random.default_rng(1).integers(0, 4, len(y))
    settings = dict(epochs=5, batch_size=1000, optimizer="sgd", learning_rate=0.1)
    weighted = fit(X, y, sample_weight=w, **settings)
    duplicated = fit(np.repeat(X, w, axis=0), np.repeat(y, w), **settings)
    # the same sums in another order: a few float64 roundings of each product
    for a, b in zip(weighted.coefs_, duplicated.coefs_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13 * np.abs(b).max())
    np.testing.assert_allclose(weighted.history_["loss"], duplicated.history_["loss"],
                               rtol=1e-13)


def test_equal_weights_give_the_unweighted_bits_and_zero_weights_drop_rows():
    X, y = data()
    plain = fit(X, y, batch_size=8)
    np.testing.assert_array_equal(fit(X, y, batch_size=8, sample_weight=np.full(40, 3.0))
                                  .coefs_[0], plain.coefs_[0])
    w = np.ones(40)
    w[::3] = 0
    kept = w > 0
    np.testing.assert_array_equal(fit(X, y, batch_size=8, sample_weight=w).coefs_[0],
                                  fit(X[kept], y[kept], batch_size=8).coefs_[0])


def test_a_validation_split_takes_its_rows_before_the_weights_drop_any():
    X, y = data(60)
    w = np.random.default_rng(2).uniform(0, 2, 60)
    w[:6] = 0
    model = fit(X, y, batch_size=8, sample_weight=w, validation_split=0.25)
    tr, va = split_rows(60, 0.25, model._seed + 1)  # MLP.fit's split
    tr = tr[w[tr] > 0]
    by_hand = fit(X[tr], y[tr], batch_size=8, sample_weight=w[tr],
                  validation_data=(X[va], y[va]))
    np.testing.assert_array_equal(model.coefs_[0], by_hand.coefs_[0])
    assert model.history_["val_loss"] == by_hand.history_["val_loss"]  # unweighted


@pytest.mark.parametrize("weights,err,message", [
    (np.ones(39), ValueError, r"sample_weight must have shape \(40,\), got \(39,\)"),
    (-np.ones(40), ValueError, "finite and >= 0"),
    (np.full(40, np.nan), ValueError, "finite and >= 0"),
    (np.zeros(40), ValueError, "0 for every row"),
    (np.array(["a"] * 40), TypeError, "sample_weight must be numeric"),
])
def test_bad_weights_are_refused_before_training(weights, err, message):
    X, y = data()
    model = fastnn.MLP([5, 8, 2], random_state=0)
    before = model.coefs_[0].copy()
    with pytest.raises(err, match=message):
        model.fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(model.coefs_[0], before)


def test_weights_need_rows_in_memory_and_no_augmentation():
    X, y = data()
    with pytest.raises(ValueError, match="sample_weight needs X and Y as arrays in memory"):
        fastnn.MLP([5, 8, 2]).fit([(X, y)], sample_weight=np.ones(40))
    with pytest.raises(ValueError, match="not supported with sample_weight"):
        fastnn.MLP([5, 8, 2]).fit(X, y, sample_weight=np.ones(40), label_smoothing=0.1)


def test_cross_validation_routes_the_weights_to_fit():
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = data(60)
    w = np.random.default_rng(3).uniform(0.5, 2, 60)
    est = fastnn.MLP([5, 8, 2], dtype="float64", random_state=0)
    scores = model_selection.cross_val_score(est, X, y, cv=3, params={"sample_weight": w})
    by_hand = []
    for tr, te in model_selection.KFold(3).split(X):
        m = fastnn.MLP([5, 8, 2], dtype="float64", random_state=0)
        by_hand.append(m.fit(X[tr], y[tr], sample_weight=w[tr]).score(X[te], y[te]))
    np.testing.assert_array_equal(scores, by_hand)


@pytest.mark.parametrize("factor", [2.0 ** -170, 2.0 ** 130])
def test_the_weights_scale_does_not_matter_even_past_float32(factor):
    """Weights are divided by the largest before they take the model's
    dtype: 2**-170 of them underflowed float32 to 0 ("0 for every row"),
    2**130 overflowed it; a power of two scales exactly, so the bits match."""
    X, y = data()
    w = np.random.default_rng(4).uniform(0.5, 2.0, len(y))
    base = fastnn.MLP([5, 8, 2], random_state=0).fit(X, y, sample_weight=w, epochs=2)
    scaled = fastnn.MLP([5, 8, 2], random_state=0).fit(X, y, sample_weight=w * factor, epochs=2)
    np.testing.assert_array_equal(scaled.coefs_[0], base.coefs_[0])


def test_an_array_inside_an_object_x_is_refused_not_read_as_x():
    X = np.empty((4, 2), dtype=object)
    X[:] = 1.0
    X[0, 0] = np.zeros((4, 2))  # it used to be returned as X's values
    with pytest.raises(TypeError, match=r"object holding array\(\[\[0\., 0\.\], \[0"):
        fastnn.MLP([2, 3, 2]).fit(X, np.arange(4) % 2)


def test_metadata_routing_routes_the_weights_once_requested():
    sklearn = pytest.importorskip("sklearn")
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = data(60)
    w = np.random.default_rng(5).uniform(0.5, 2, 60)

    def fitted(est, **params):  # the folds' trained first-layer weights
        out = model_selection.cross_validate(est, X, y, cv=3, params=params,
                                             return_estimator=True)
        return [e.coefs_[0] for e in out["estimator"]]
    est = fastnn.MLP([5, 8, 2], dtype="float64", random_state=0)
    weighted, unweighted = fitted(est, sample_weight=w), fitted(est)
    assert not np.array_equal(weighted[0], unweighted[0])
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(Exception, match="sample_weight"):  # unrequested: refused
            fitted(est, sample_weight=w)
        routed = fitted(est.set_fit_request(sample_weight=True), sample_weight=w)
    for a, b in zip(routed, weighted):
        np.testing.assert_array_equal(a, b)


def test_set_fit_request_keeps_scikit_learns_rules():
    sklearn = pytest.importorskip("sklearn")
    import copy
    est = fastnn.MLP([5, 8, 2])
    with pytest.raises(RuntimeError, match="only available when metadata routing is enabled"):
        est.set_fit_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        est.set_fit_request(sample_weight=True).set_fit_request()  # no argument: unchanged
        requests = est.get_metadata_routing().fit.requests
        assert requests["sample_weight"] is True and requests["epochs"] is None
        twin = copy.copy(est)
        twin.set_fit_request(sample_weight=False)  # a copy's request is its own
        assert est.get_metadata_routing().fit.requests["sample_weight"] is True
        with pytest.raises(TypeError, match="fit takes no epoch; it takes epochs, batch_size"):
            est.set_fit_request(epoch=True)


def test_routed_fit_keywords_reach_fit():
    """With routing on, only sample_weight could be requested: the README's
    cross_val_score(..., params={"epochs": 20}) could not run."""
    sklearn = pytest.importorskip("sklearn")
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = data(60)
    plain = model_selection.cross_validate(fastnn.MLP([5, 8, 2], random_state=0), X, y, cv=3,
                                           params={"epochs": 2}, return_estimator=True)
    with sklearn.config_context(enable_metadata_routing=True):
        est = fastnn.MLP([5, 8, 2], random_state=0).set_fit_request(epochs=True)
        routed = model_selection.cross_validate(est, X, y, cv=3, params={"epochs": 2},
                                                return_estimator=True)
    for a, b in zip(plain["estimator"], routed["estimator"]):
        assert len(b.history_["loss"]) == 2
        np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])

