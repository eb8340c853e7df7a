"""fastnn.MLP keeps a DataFrame's column names, as scikit-learn's
feature_names_in_: a frame with the columns reordered or renamed is refused
by predict, score, evaluate, a continued fit and validation data, where the
weights would read the wrong columns without a word."""
import pickle
import warnings

import numpy as np
import pytest

import fastnn

pd = pytest.importorskip("pandas")


def frame(seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.standard_normal((60, 3)), columns=["a", "b", "c"])
    return X, (X["a"] > 0).astype(int).to_numpy()


def fitted(**kwargs):
    X, y = frame()
    return fastnn.MLP([3, 8, 2], random_state=0).fit(X, y, epochs=2, batch_size=16, **kwargs)


@pytest.mark.parametrize("call", ["predict", "score", "evaluate", "fit"])
@pytest.mark.parametrize("columns", [["c", "b", "a"], ["a", "b", "z"]])
def test_other_columns_are_refused(call, columns):
    model = fitted()
    X, y = frame()
    other = X[["c", "b", "a"]] if columns[0] == "c" else X.rename(columns={"c": "z"})
    before = [w.copy() for w in model.coefs_]
    args = {"predict": (other,), "score": (other, y), "evaluate": (other, np.eye(2)[y]),
            "fit": (other, y)}[call]
    with pytest.raises(ValueError, match="feature names should match"):
        getattr(model, call)(*args)
    for a, b in zip(before, model.coefs_):
        np.testing.assert_array_equal(a, b)


def test_the_same_columns_predict_as_the_array_and_arrays_warn():
    model = fitted()
    X, _ = frame()
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_frame = model.predict(X)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        by_array = model.predict(X.to_numpy())
    np.testing.assert_array_equal(by_frame, by_array)


def test_validation_data_with_other_columns_is_refused():
    X, y = frame()
    with pytest.raises(ValueError, match="feature names should match"):
        fastnn.MLP([3, 8, 2]).fit(X, y, epochs=1, validation_data=(X[["b", "a", "c"]], y))


def test_names_survive_pickles_and_files_and_reset_forgets_them(tmp_path):
    pytest.importorskip("safetensors")
    model = fitted()
    path = str(tmp_path / "m.safetensors")
    fastnn.save(model, path)
    for copy in (fastnn.load(path), pickle.loads(pickle.dumps(model))):
        np.testing.assert_array_equal(copy.feature_names_in_, ["a", "b", "c"])
        with pytest.raises(ValueError, match="feature names should match"):
            copy.predict(frame()[0][["c", "b", "a"]])
    model.reset()
    assert model.feature_names_in_ is None
    X, y = frame()
    model.fit(X[["c", "b", "a"]], y, epochs=1)  # a new model: the new order
    np.testing.assert_array_equal(model.feature_names_in_, ["c", "b", "a"])


def test_a_failed_first_fit_records_no_names():
    X, y = frame()
    model = fastnn.MLP([3, 8, 2])

    def fail(model, epoch, logs):
        raise RuntimeError("stop")
    with pytest.raises(RuntimeError):
        model.fit(X, y, epochs=1, callbacks=[fail])
    assert model.feature_names_in_ is None


def test_a_model_fitted_on_arrays_learns_no_names_from_a_later_frame():
    X, y = frame()
    model = fastnn.MLP([3, 8, 2], random_state=0).fit(X.to_numpy(), y, epochs=1)
    with pytest.warns(UserWarning, match="X has feature names, but MLP was fitted without"):
        model.fit(X[["c", "b", "a"]], y, epochs=1)
    assert model.feature_names_in_ is None


def test_a_stream_of_frames_takes_its_names_from_the_first_batch():
    X, y = frame()
    batches = [(X.iloc[:30], y[:30]), (X.iloc[30:], y[30:])]
    model = fastnn.MLP([3, 8, 2], random_state=0).fit(batches, epochs=2)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c"])
    reordered = [batches[0], (X.iloc[30:][["c", "b", "a"]], y[30:])]
    fresh = fastnn.MLP([3, 8, 2], random_state=0)
    with pytest.raises(ValueError, match="feature names should match"):
        fresh.fit(reordered, epochs=1)
    assert fresh.feature_names_in_ is None  # the failed fit recorded nothing
    with pytest.raises(ValueError, match="feature names should match"):
        model.fit([(X[["b", "a", "c"]], y)], epochs=1)
    with warnings.catch_warnings():  # a continued stream: its batches are checked, not the list
        warnings.simplefilter("error")
        model.fit(batches, epochs=1)


def test_a_stream_of_frames_checks_the_validation_frame_names():
    """A first fit's names come from the stream's first batch; the validation
    frame, read before it, is held to them as in a fit on a frame."""
    X, y = frame()
    batches = [(X.iloc[:30], y[:30]), (X.iloc[30:], y[30:])]
    fresh = fastnn.MLP([3, 8, 2], random_state=0)
    with pytest.raises(ValueError, match="feature names should match"):
        fresh.fit(batches, epochs=1, validation_data=(X[["c", "b", "a"]], y))
    assert fresh.feature_names_in_ is None and fresh._fits == 0
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        fresh.fit(batches, epochs=1, validation_data=(X.to_numpy(), y))
    same = fastnn.MLP([3, 8, 2], random_state=0).fit(batches, epochs=1, validation_data=(X, y))
    assert len(same.history_["val_loss"]) == 1
