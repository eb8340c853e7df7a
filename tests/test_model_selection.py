"""Cross-validation of fastnn.MLP with scikit-learn's model selection (the
course notes' k-fold and leave-one-out): clone, cross_val_score,
GridSearchCV, and set_params giving the model its constructor would."""
import pickle

import numpy as np
import pytest

import fastnn

model_selection = pytest.importorskip("sklearn.model_selection")
from sklearn.base import clone  # noqa: E402 (after the skip)


def digits(n=120):
    X, y, _, _ = fastnn.datasets.load_digits()
    return X[:n] / 16.0, y[:n]


def by_hand(make, X, Y, splits, epochs):
    """The score of each split of a fresh model, fit and scored by hand."""
    scores = []
    for train, test in splits:
        model = make().fit(X[train], Y[train], epochs=epochs)
        scores.append(model.score(X[test], Y[test]))
    return np.array(scores)


@pytest.mark.parametrize("cv", ["kfold", "leave_one_out"])
def test_cross_val_score_is_the_loop_by_hand(cv):
    X, y = digits(60 if cv == "leave_one_out" else 120)
    def make():
        return fastnn.MLP([64, 16, 10], random_state=0)
    splitter = (model_selection.LeaveOneOut() if cv == "leave_one_out"
                else model_selection.KFold(4, shuffle=True, random_state=0))
    got = model_selection.cross_val_score(make(), X, y, cv=splitter, params={"epochs": 3})
    want = by_hand(make, X, y, splitter.split(X), epochs=3)
    np.testing.assert_array_equal(got, want)
    assert len(got) == (60 if cv == "leave_one_out" else 4)


def test_a_regressor_is_scored_by_r2():
    X, _ = digits()
    Y = X[:, 20:22]
    def make():
        return fastnn.MLP([64, 8, 2], output="identity", loss="mse", random_state=0)
    splitter = model_selection.KFold(3)
    got = model_selection.cross_val_score(make(), X, Y, cv=splitter, params={"epochs": 2})
    np.testing.assert_array_equal(got, by_hand(make, X, Y, splitter.split(X), epochs=2))


def test_an_integer_cv_stratifies_a_classifier():
    X, y = digits()
    model = fastnn.MLP([64, 16, 10], random_state=0)
    got = model_selection.cross_val_score(model, X, y, cv=3, params={"epochs": 2})
    splits = model_selection.StratifiedKFold(3).split(X, y)
    np.testing.assert_array_equal(got, by_hand(lambda: clone(model), X, y, splits, epochs=2))


def test_clone_and_set_params_give_the_constructors_model():
    model = fastnn.MLP((64, 16, 10), activation="tanh", random_state=3)
    assert model.get_params()["layer_sizes"] == (64, 16, 10)  # as given: clone checks it
    twin = clone(model)
    edited = fastnn.MLP([64, 16, 10], random_state=3).set_params(activation="tanh",
                                                                   dropout=0.2)
    built = fastnn.MLP([64, 16, 10], activation="tanh", dropout=0.2, random_state=3)
    for original, cloned, by_set, by_init in zip(model.coefs_, twin.coefs_, edited.coefs_,
                                                 built.coefs_):
        np.testing.assert_array_equal(cloned, original)
        np.testing.assert_array_equal(by_set, by_init)  # tanh's Glorot draws, not ReLU's He
    with pytest.raises(ValueError, match="invalid parameter.s. hidden for MLP"):
        built.set_params(hidden=3)


def test_set_params_keeps_trained_and_loaded_weights(tmp_path):
    X, y = digits()
    model = fastnn.MLP([64, 16, 10], random_state=0).fit(X, y, epochs=2)
    trained = [w.copy() for w in model.coefs_]
    model.set_params(dropout=0.3)
    for a, b in zip(trained, model.coefs_):
        np.testing.assert_array_equal(a, b)
    again = pickle.loads(pickle.dumps(model)).set_params(dropout=0.1)
    for a, b in zip(trained, again.coefs_):
        np.testing.assert_array_equal(a, b)


def test_grid_search_picks_by_the_cross_validated_score():
    X, y = digits()
    base = fastnn.MLP([64, 16, 10], random_state=0)
    grid = {"activation": ["relu", "tanh"]}
    search = model_selection.GridSearchCV(base, grid, cv=3).fit(X, y, epochs=3)
    means = []
    for activation in grid["activation"]:
        scores = model_selection.cross_val_score(clone(base).set_params(activation=activation),
                                                 X, y, cv=3, params={"epochs": 3})
        means.append(scores.mean())
    assert search.best_score_ == max(means)
    assert search.best_params_["activation"] == grid["activation"][int(np.argmax(means))]


def test_a_tuple_of_sizes_saves(tmp_path):
    pytest.importorskip("safetensors")
    model = fastnn.MLP((4, 3, 2), random_state=0)
    fastnn.save(model, tmp_path / "m.safetensors")
    assert fastnn.load(tmp_path / "m.safetensors").layer_sizes == [4, 3, 2]


def test_set_params_redraws_after_a_pickle_and_keeps_hand_set_weights():
    fresh = pickle.loads(pickle.dumps(fastnn.MLP([4, 8, 2], random_state=0)))
    fresh.set_params(layer_sizes=[4, 16, 2])  # a parallel search's pickled clone
    assert fresh.coefs_[0].shape == (4, 16)
    by_hand = fastnn.MLP([4, 8, 2], random_state=0)
    by_hand.coefs_[0][...] = 1  # in place
    by_hand.set_params(dropout=0.1)
    np.testing.assert_array_equal(by_hand.coefs_[0], 1)


def test_set_params_waits_for_no_fit():
    """Refused while a fit runs (here, from the fit's own callback), as reset()."""
    X, y = digits()
    model = fastnn.MLP([64, 16, 10], random_state=0)
    refused = []

    def callback(model_, epoch, logs):
        try:
            model_.set_params(activation="tanh")
        except RuntimeError as exc:
            refused.append(str(exc))
    model.fit(X, y, epochs=1, callbacks=[callback])
    assert refused and "call set_params() after that fit returns" in refused[0]
    assert model.activation == "relu"
