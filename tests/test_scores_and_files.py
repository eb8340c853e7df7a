"""Scores that mean what they say, and model files that hold what a fit
produced: the evaluate command on bare MLPs, R^2 over several outputs, a
softmax that cannot learn, NumPy scalars among the settings."""
import warnings

import numpy as np
import pytest

import fastnn
from fastnn._label_files import label_dtype, labels_from_file

from test_cli import assert_one_line_error, run


def binary_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def write(path, X, y):
    with open(path, "w") as f:
        for row, label in zip(X, y):
            f.write(",".join("%.6f" % v for v in row) + ",%d\n" % label)


def test_evaluate_thresholds_a_single_sigmoid_output(capsys, tmp_path):
    X, y = binary_data()
    m = fastnn.MLP([4, 1], output="sigmoid", loss="binary_cross_entropy", random_state=0)
    m.fit(X.astype(np.float32), y[:, None].astype(np.float32), epochs=50, learning_rate=0.05)
    fastnn.save(m, tmp_path / "bin.safetensors")
    write(tmp_path / "d.csv", X, y)
    code, out, err = run(capsys, "evaluate", str(tmp_path / "bin.safetensors"), "--data",
                         str(tmp_path / "d.csv"))
    assert code == 0, err
    reported = float(out.strip().splitlines()[-1].split()[1])
    assert reported == pytest.approx(m.score(X, y[:, None]), abs=1e-4) and reported > 0.9


def test_evaluate_refuses_an_identity_output(capsys, tmp_path):
    X, y = binary_data()
    m = fastnn.MLP([4, 2], output="identity", loss="mse", random_state=0)
    fastnn.save(m, tmp_path / "reg.safetensors")
    write(tmp_path / "d.csv", X, y)
    code, _, err = run(capsys, "evaluate", str(tmp_path / "reg.safetensors"), "--data",
                       str(tmp_path / "d.csv"))
    assert_one_line_error(code, err, "identity output", "model.score")


def test_r2_is_the_mean_over_outputs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    Y = np.c_[100 * X[:, 0], 0.01 * X[:, 1] + 0.01 * rng.standard_normal(300)]
    m = fastnn.MLP([3, 16, 2], output="identity", loss="mse", random_state=0, dtype="float64")
    m.fit(X, Y, epochs=30, learning_rate=1e-2)
    P = m.predict(X)
    per_output = [1 - ((Y[:, j] - P[:, j]) ** 2).sum() / ((Y[:, j] - Y[:, j].mean()) ** 2).sum()
                  for j in range(2)]
    assert m.score(X, Y) == pytest.approx(np.mean(per_output), rel=1e-12)
    sklearn = pytest.importorskip("sklearn.metrics")
    assert m.score(X, Y) == pytest.approx(sklearn.r2_score(Y, P), rel=1e-9)
    # a constant target column counts 1 when predicted exactly, else 0
    Yc = np.c_[Y[:, 0], np.zeros(300)]
    assert m._score(np.c_[P[:, 0], np.zeros(300)], Yc, None) == pytest.approx(
        (per_output[0] + 1) / 2)


def test_a_softmax_over_one_output_is_refused():
    with pytest.raises(ValueError, match="single output is always 1.*sigmoid"):
        fastnn.MLP([4, 8, 1])
    fastnn.MLP([4, 8, 1], output="sigmoid", loss="binary_cross_entropy")  # the two-class net


def test_numpy_scalars_among_the_settings_save_and_load(tmp_path):
    pytest.importorskip("sklearn")
    X, y = binary_data()
    est = fastnn.MLPClassifier((np.int64(5),), batch_size=np.int64(16), alpha=np.float32(1e-3),
                               max_iter=np.int64(2), random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    fastnn.save(est, tmp_path / "e.safetensors")
    back = fastnn.load(tmp_path / "e.safetensors")
    assert back.get_params()["batch_size"] == 16
    assert np.array_equal(back.predict_proba(X), est.predict_proba(X))
    m = fastnn.MLP([4, 3], dropout=np.float32(0.1), random_state=np.int64(3))
    fastnn.save(m, tmp_path / "m.safetensors")
    assert np.array_equal(fastnn.load(tmp_path / "m.safetensors").coefs_[0], m.coefs_[0])
    with pytest.raises(TypeError, match="cannot hold"):
        fastnn.io.save(est.set_params(batch_size=np.bytes_(b"1")), tmp_path / "x.safetensors")


@pytest.mark.parametrize("dtype", ["uint8", "int16", "int32", "bool", "float32", "float16",
                                   "uint64", "int64", "datetime64[D]", "datetime64[ns]",
                                   "timedelta64[s]", "object", "object numbers"])
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
@pytest.mark.parametrize("estimator", ["MLPClassifier", "LogisticRegression",
                                       "OrdinalRegression"])
def test_labels_of_any_dtype_save_and_come_back_as_they_were(tmp_path, dtype, suffix, estimator):
    """The linear models' files once gave int32 labels back as int64 and
    nanosecond dates as bare int64 counts (predict then compared unequal)."""
    pytest.importorskip("sklearn")
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 4)), rng.integers(0, 3, 60)
    labels = (y > 0) if dtype == "bool" else y.astype(dtype.split()[0])  # dates: days from 1970
    if dtype == "uint64":
        labels = labels + np.uint64(2 ** 63)  # past int64: kept as JSON numbers
    if dtype == "object":
        labels = np.array(["cat", "dog", "emu"], dtype=object)[y]
    if dtype == "object numbers":  # came back as the strings '0', '1', '2'
        if estimator == "MLPClassifier":
            pytest.skip("scikit-learn's type_of_target refuses numbers held as objects")
        labels = np.array([0, 1, 2], dtype=object)[y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two epochs do not converge
        est = getattr(fastnn, estimator)(max_iter=2).fit(X, labels)
    fastnn.save(est, tmp_path / ("e" + suffix))
    back = fastnn.load(tmp_path / ("e" + suffix))
    assert back.classes_.dtype == est.classes_.dtype
    assert np.array_equal(back.classes_, est.classes_)
    assert back.predict(X).dtype == est.predict(X).dtype
    assert np.array_equal(back.predict(X), est.predict(X))


@pytest.mark.parametrize("name", ["O", "U5", "V8", "no such dtype", 3])
def test_a_file_cannot_name_a_non_numeric_label_dtype(name):
    with pytest.raises(ValueError, match="classes_dtype must name a numeric, date or duration"):
        label_dtype(name)


@pytest.mark.parametrize("values, dtype, fragment", [
    ([0, 300], "uint8", "do not fit their dtype uint8"),
    ([2 ** 70], "int64", "do not fit their dtype int64"),
    ([0.5, 1], "int32", "do not fit their dtype int32"),
    (["a", 1], "object", "must be strings"),
    ([[1], 2], "int64", "must be numbers"),
    ({"a": 1}, "int64", "must be a list"),
])
def test_labels_a_file_holds_must_fit_their_dtype(values, dtype, fragment):
    with pytest.raises(ValueError, match=fragment):
        labels_from_file(values, dtype)
    assert labels_from_file([1, 2], dtype if dtype != "object" else None).tolist() == [1, 2]


@pytest.mark.skipif(not hasattr(__import__("os"), "umask"), reason="POSIX modes")
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_saved_files_get_the_usual_mode_or_keep_the_replaced_ones(tmp_path, suffix):
    import os
    import stat
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    old = os.umask(0o022)
    try:
        fastnn.save(fastnn.MLP([2, 3, 2]), tmp_path / ("new" + suffix))
        (tmp_path / ("old" + suffix)).write_bytes(b"")
        os.chmod(tmp_path / ("old" + suffix), 0o640)
        fastnn.save(fastnn.MLP([2, 3, 2]), tmp_path / ("old" + suffix))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / ("new" + suffix)).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / ("old" + suffix)).st_mode) == 0o640


def test_export_refuses_float64_weights_beyond_float32(tmp_path):
    m = fastnn.MLP([3, 4, 2], dtype="float64", random_state=0)
    m.coefs_[0][0, 0] = 1e39
    with pytest.raises(ValueError, match="holds 1e\\+39, beyond float32's range"):
        fastnn.export(m, tmp_path / "big.c")
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_scaled_model_wraps_only_an_mlp():
    from fastnn.scaled import ScaledModel
    X, y = binary_data()
    with pytest.raises(TypeError, match="ScaledModel wraps a fastnn.MLP.*LogisticRegression"):
        ScaledModel(fastnn.LogisticRegression().fit(X, y), np.zeros(4), np.ones(4), [0, 1])


def test_a_scaled_one_sigmoid_model_predicts_its_two_classes(tmp_path):
    from fastnn.scaled import ScaledModel
    X, y = binary_data()
    m = fastnn.MLP([4, 1], output="sigmoid", loss="binary_cross_entropy", random_state=0)
    m.fit(X.astype(np.float32), y[:, None].astype(np.float32), epochs=50, learning_rate=0.05)
    wrapped = ScaledModel(m, np.zeros(4), np.ones(4), [3, 7])
    want = np.where(m.predict(X)[:, 0] >= 0.5, 7, 3)
    assert np.array_equal(wrapped.predict(X), want) and len(set(want)) == 2
    fastnn.save(wrapped, tmp_path / "s.safetensors")  # one output, two classes: accepted
    assert np.array_equal(fastnn.load(tmp_path / "s.safetensors").predict(X), want)


def test_a_drop_ins_file_with_labels_as_an_array_still_loads():
    """Files written before the labels moved to the settings hold numeric and
    date labels as an int64/float64 array beside their dtype's name."""
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((60, 4)), rng.integers(0, 3, 60).astype(np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = fastnn.MLPClassifier((5,), max_iter=2, random_state=0).fit(X, y)
    meta, arrays = est._fastnn_state()
    old_meta = {k: v for k, v in meta.items() if k != "classes_"}
    old_arrays = dict(arrays, classes_=est.classes_.astype(np.int64))
    back = type(est)._from_fastnn_state(old_meta, old_arrays)
    assert back.classes_.dtype == np.uint8 and np.array_equal(back.predict(X), est.predict(X))
