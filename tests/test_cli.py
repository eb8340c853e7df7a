"""The fastnn command line: exit codes, one-line errors, train/evaluate round trips."""
import json
import os
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import cli

from conftest import run_python

def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *fragments):
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def write_csv(path, n=120, header=True, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)) * 5 + 3
    y = np.where(X[:, 0] + X[:, 1] > 6, 7, 2)  # labels need not be 0..k-1
    with open(path, "w") as f:
        if header:
            f.write("a,b,c,d,label\n")
        for row, label in zip(X, y):
            f.write(",".join("%.6f" % v for v in row) + ",%d\n" % label)
    return X, y


def test_info(capsys):
    code, out, err = run(capsys, "info")
    assert code == 0 and err == ""
    for key in ("fastnn " + fastnn.__version__, "threads:", "openmp:", "cpu features:", "kernel:"):
        assert key in out


def test_console_script_entry_point_in_subprocess():
    result = run_python("import sys; from fastnn.cli import main; sys.exit(main(['info']))")
    assert result.returncode == 0, result.stderr
    assert "kernel:" in result.stdout


@pytest.mark.parametrize("argv", [[], ["nope"], ["train"], ["train", "--data", "digits",
                                  "--hidden", "1,x"], ["train", "--data", "digits", "--epochs",
                                  "0"], ["evaluate"], ["bench", "--batch-sizes", "-3"]])
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "Traceback" not in err and "usage:" in err


@pytest.mark.parametrize("argv,fragment", [
    (["train", "--data", "nope.csv"], "no such data file: nope.csv"),
    (["train", "--data", "imagenet"], "unknown dataset 'imagenet'"),
    (["evaluate", "missing.safetensors", "--data", "digits"], "missing.safetensors"),
])
def test_missing_and_unknown(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert_one_line_error(code, err, fragment)


def test_missing_idx_dataset_says_how_to_get_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FASTNN_DATA", str(tmp_path))
    code, out, err = run(capsys, "train", "--data", "mnist")
    if code == 0:
        pytest.skip("MNIST is installed system-wide")
    assert_one_line_error(code, err, "mnist not found", "FASTNN_DATA")


def test_bad_files(capsys, tmp_path):
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("a,b\n1,x\n")
    code, _, err = run(capsys, "train", "--data", str(bad_csv))
    assert_one_line_error(code, err, "bad.csv")
    bad_npz = tmp_path / "bad.npz"
    np.savez(bad_npz, A=np.zeros(3))
    code, _, err = run(capsys, "train", "--data", str(bad_npz))
    assert_one_line_error(code, err, "expected arrays X_train")
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip")
    code, _, err = run(capsys, "train", "--data", str(garbage))
    assert_one_line_error(code, err, "garbage.npz")
    not_model = tmp_path / "m.safetensors"
    not_model.write_bytes(b"junk")
    code, _, err = run(capsys, "evaluate", str(not_model), "--data", "digits")
    assert_one_line_error(code, err, "not a fastnn model file")


def test_load_data_splits_files(tmp_path):
    X, y = write_csv(tmp_path / "d.csv", n=60)
    kind, Xtr, ytr, Xte, yte = cli.load_data(str(tmp_path / "d.csv"), seed=3)
    assert kind == "file" and len(Xte) == 10 and len(Xtr) == 50
    assert np.allclose(np.sort(np.concatenate([Xtr, Xte]), axis=0), np.sort(X, axis=0),
                       atol=1e-6)
    assert set(np.unique(np.concatenate([ytr, yte]))) == {2, 7}
    _, Xtr2, _, _, _ = cli.load_data(str(tmp_path / "d.csv"), seed=3)
    assert np.array_equal(Xtr, Xtr2)
    _, Xtr, _, Xte, _ = cli.load_data(str(tmp_path / "d.csv"), split=False)
    assert len(Xtr) == 0 and len(Xte) == 60


def test_csv_without_header(tmp_path):
    write_csv(tmp_path / "d.csv", n=12, header=False)
    _, Xtr, ytr, Xte, yte = cli.load_data(str(tmp_path / "d.csv"))
    assert Xtr.shape == (10, 4) and Xte.shape == (2, 4) and ytr.dtype == np.int64


def test_preprocessing():
    X = np.array([[0, 255, 7], [255, 0, 7]], dtype=np.uint8)
    offset, scale = cli.fit_preprocessing(X)
    assert np.array_equal((X - offset) / scale, X / 255)
    offset, scale = cli.fit_preprocessing(X, pixel_max=255, standardize=True)
    Z = (X - offset) / scale
    assert np.allclose(Z[:, :2].mean(0), 0) and np.allclose(Z[:, :2].std(0), 1)
    assert np.array_equal(Z[:, 2], [0, 0])  # a constant feature is centred, not divided by 0



@pytest.mark.parametrize("dtype", ["uint8", "float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 784), (83, 784), (1000, 784),  # 1 row, 1 and 13 blocks
                                   (9, 1), (70000, 1), (5000, 2), (3000, 3)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_column_std_is_numpys_bit_for_bit(dtype, shape, order):
    from fastnn.scaled import column_std
    rng = np.random.default_rng(shape[0])
    X = (rng.integers(0, 256, shape) * rng.random(shape[1]) ** 3).astype(dtype)
    X = np.asarray(X, order=order)
    mean = X.mean(axis=0, dtype=np.float64)
    assert np.array_equal(column_std(X, mean), X.std(axis=0, dtype=np.float64))

def test_default_recipe_fashion_mnist():
    recipe = cli.default_recipe("fashion-mnist")
    # untimed: the measured recipe, an epoch count (reproducible for the seed)
    assert recipe["hidden"] == (1024, 512) and recipe["model"] == dict(dropout=0.1)
    assert recipe["preprocess"] == dict(pixel_max=255, standardize=True)
    assert recipe["fit"] == dict(epochs=20, batch_size=128, learning_rate=1e-3,
                                 lr_schedule="cosine", label_smoothing=0.1, weight_decay=0.05)
    assert "time" not in recipe
    # --time: the same preprocessing, the width planned, cosine over the epochs that fit
    assert "preprocess" not in recipe["timed"] and "hidden" not in recipe["timed"]
    assert recipe["timed"]["fit"] == dict(lr_schedule="cosine")
    recipe["fit"]["epochs"] = 1
    assert cli.default_recipe("fashion-mnist")["fit"]["epochs"] == 20  # a fresh copy


@pytest.mark.parametrize("fmt", ["csv", "npz"])
def test_train_and_evaluate(capsys, tmp_path, fmt):
    if fmt == "csv":
        write_csv(tmp_path / "d.csv", n=300)
        data = str(tmp_path / "d.csv")
    else:
        rng = np.random.default_rng(1)
        X = rng.integers(0, 256, (300, 2, 3)).astype(np.uint8)  # images are flattened
        y = (X[:, 0, 0] > 127).astype(np.int64)
        data = str(tmp_path / "d.npz")
        np.savez(data, X_train=X[:240], y_train=y[:240], X_test=X[240:], y_test=y[240:])
    model_path = tmp_path / "m.safetensors"
    plot_path = tmp_path / "curve.png"
    code, out, err = run(capsys, "train", "--data", data, "--hidden", "16", "--epochs", "15",
                         "--lr", "1e-2", "--save", str(model_path), "--plot", str(plot_path),
                         "--threads", "1")
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    assert last.startswith("test accuracy: ")
    accuracy = float(last.split(": ")[1])
    assert accuracy > 0.8
    assert plot_path.read_bytes()[:4] == b"\x89PNG"
    loaded = fastnn.load(model_path)
    assert isinstance(loaded, cli.ScaledModel) and isinstance(loaded.model, fastnn.MLP)

    code, out, err = run(capsys, "evaluate", str(model_path), "--data", data)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[-1].startswith("accuracy: ")
    assert "confusion matrix" in out
    if fmt == "npz":  # evaluate uses the same test split and preprocessing as train
        assert float(lines[-1].split()[1]) == accuracy
        matrix = np.array([[int(v) for v in line.split()[1:]] for line in lines[-3:-1]])
        assert matrix.sum() == 60 and np.trace(matrix) == round(accuracy * 60)
    else:  # no test split in the file: evaluates every row
        assert "(evaluating on all 300 samples" in out


def test_evaluate_bare_mlp(capsys, tmp_path):
    """A model saved from Python (no preprocessing) is evaluated on raw features."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = fastnn.MLP([3, 8, 2], random_state=0).fit(X, y, epochs=20, batch_size=16,
                                                learning_rate=1e-2)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    fastnn.save(model, tmp_path / "m.safetensors")
    code, out, err = run(capsys, "evaluate", str(tmp_path / "m.safetensors"),
                         "--data", str(tmp_path / "d.npz"))
    assert code == 0, err
    expected = np.mean(model.predict(X).argmax(1) == y)
    assert out.strip().splitlines()[-1] == "accuracy: %.4f (200 samples)" % expected


@pytest.mark.parametrize("content", ["", "a,b\n", "1,2\n3\n", "1,2.5\n3,4\n", "1,nan\n",
                                     "\xff\xfe\x00"])
def test_bad_csv_contents(capsys, tmp_path, content):
    (tmp_path / "d.csv").write_bytes(content.encode("latin-1"))
    code, _, err = run(capsys, "train", "--data", str(tmp_path / "d.csv"))
    assert_one_line_error(code, err, "d.csv")


def test_train_single_class_is_an_error(capsys, tmp_path):
    np.savez(tmp_path / "one.npz", X=np.zeros((12, 3)), y=np.zeros(12, np.int64))
    code, _, err = run(capsys, "train", "--data", str(tmp_path / "one.npz"))
    assert_one_line_error(code, err, "need at least 2")


def test_evaluate_wrong_feature_count(capsys, tmp_path):
    write_csv(tmp_path / "d.csv", n=60)
    model_path = str(tmp_path / "m.safetensors")
    assert cli.main(["train", "--data", str(tmp_path / "d.csv"), "--epochs", "1",
                     "--save", model_path]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "evaluate", model_path, "--data", "digits")
    assert_one_line_error(code, err, "expects 4 features")


def test_scaled_model_score_needs_a_label_per_sample():
    wrapped = cli.ScaledModel(fastnn.MLP([3, 4, 2], random_state=0), np.zeros(3), np.ones(3), [0, 1])
    X = np.ones((4, 3))
    assert wrapped.score(X, wrapped.predict(X)) == 1.0
    with pytest.raises(ValueError, match="X has 4 samples but y has 1"):
        wrapped.score(X, [wrapped.predict(X)[0]])  # one label would broadcast to all four


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
@pytest.mark.parametrize("rows", [0, 1, 300])
def test_scaled_model_transform_is_the_float64_expression_block_by_block(monkeypatch, dtype,
                                                                         rows):
    from fastnn import scaled
    monkeypatch.setattr(scaled, "TRANSFORM_BLOCK_ELEMENTS", 7 * 40)  # 40 rows per block
    rng = np.random.default_rng(0)
    offset, scale = rng.random(7) * 100, rng.random(7) + 0.1
    wrapped = cli.ScaledModel(fastnn.MLP([7, 4, 2], random_state=0, dtype=dtype), offset, scale,
                              [0, 1])
    for X in (rng.integers(0, 256, (rows, 7)).astype(np.uint8),
              rng.standard_normal((rows, 7)).astype(np.float32)):
        want = ((X - offset) / scale).astype("float32" if dtype == "bfloat16" else dtype)
        got = wrapped.transform(X)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_scaled_model_rejects_bad_preprocessing(tmp_path):
    from safetensors import safe_open
    from safetensors.numpy import save_file
    wrapped = cli.ScaledModel(fastnn.MLP([3, 4, 2], random_state=0), np.zeros(3), np.ones(3), [0, 1])
    path = str(tmp_path / "m.safetensors")
    fastnn.save(wrapped, path)
    with safe_open(path, framework="numpy") as f:
        meta, arrays = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}
    for key, bad in (("preprocess.scale", np.zeros(3)), ("preprocess.offset", np.zeros(4)),
                     ("preprocess.scale", np.ones(3, np.float32))):
        save_file(dict(arrays, **{key: bad}), path, metadata=meta)
        with pytest.raises(ValueError, match="corrupt fastnn model file"):
            fastnn.load(path)
    inner = json.loads(meta["meta"])
    for change in ({"classes": [0, 1, 2]}, {"classes": ["a", "b"]}, {"model_class": "ScaledModel"},
                   {"n_features": 4}):
        save_file(arrays, path, metadata=dict(meta, meta=json.dumps(dict(inner, **change))))
        with pytest.raises(ValueError, match="corrupt fastnn model file"):
            fastnn.load(path)
    save_file(arrays, path, metadata=meta)
    assert isinstance(fastnn.load(path), cli.ScaledModel)


def test_bench_quick(capsys):
    code, out, err = run(capsys, "bench", "--quick", "--samples", "128", "--batch-sizes", "32")
    assert code == 0, err
    assert "kernel:" in out  # records the configuration it ran with
    assert "numpy" in out and "samples/s" in out
    assert "fastest peer" in out


def test_bench_activation(capsys):
    code, out, err = run(capsys, "bench", "--quick", "--samples", "128", "--batch-sizes", "32",
                         "--peers", "fastnn,numpy,sklearn", "--activation", "tanh")
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("| batch |"))
    assert "tanh" in out and "numpy" in header and "sklearn" in header
    # a peer without the activation sits out; none left is a clear error
    code, out, err = run(capsys, "bench", "--quick", "--samples", "128", "--batch-sizes", "32",
                         "--peers", "sklearn", "--activation", "gelu")
    assert code != 0 and "no trainer of sklearn trains activation 'gelu'" in err


def test_demo_subprocess():
    result = run_python("import sys; from fastnn.cli import main; sys.exit(main(['demo']))",
                        timeout=120)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("test accuracy: ") and float(last.split(": ")[1]) > 0.85
    assert "samples/s" in result.stdout


def test_plot_without_matplotlib_fails_before_training(capsys, tmp_path, monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    code, out, err = run(capsys, "train", "--data", "digits", "--plot",
                         str(tmp_path / "c.png"))
    assert_one_line_error(code, err, 'pip install "fastnn[plot]"')
    assert "training" not in out


def test_plot_legend_names_the_smoothed_training_loss(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib.axes
    from fastnn import _recipes
    labels = []
    real = matplotlib.axes.Axes.legend
    monkeypatch.setattr(matplotlib.axes.Axes, "legend", lambda ax, *a, **k: (
        labels.extend(ax.get_legend_handles_labels()[1]), real(ax, *a, **k))[1])
    history = {"loss": [1.0, 0.8], "val_loss": [1.1, 0.9], "val_accuracy": [0.5, 0.6],
               "elapsed": [1.0, 2.0]}
    _recipes.plot_history(history, tmp_path / "a.png", label_smoothing=0.1)
    assert "training loss (smoothed targets, 0.1)" in labels
    assert "validation loss (true labels)" in labels
    labels.clear()
    _recipes.plot_history(history, tmp_path / "b.png")
    assert "training loss" in labels and "validation loss" in labels
    assert (tmp_path / "a.png").stat().st_size > 0
    _recipes.plot_history(history, str(tmp_path / "noext"))  # written as named, as a PNG
    assert (tmp_path / "noext").read_bytes()[:4] == b"\x89PNG"

def test_warnings_print_as_one_line_named_by_the_command(capsys, monkeypatch):
    from fastnn import _config
    monkeypatch.setattr(_config, "_bf16_warned", False)
    monkeypatch.setattr(_config, "bfloat16_speed", lambda: (False, "bfloat16 is slower\nhere"))
    warnings.filterwarnings("always", category=_config.BFloat16SlowWarning)  # conftest hides it
    code, out, err = run(capsys, "train", "--data", "digits", "--epochs", "1",
                         "--dtype", "bfloat16")
    assert code == 0, err
    assert "fastnn train: warning: bfloat16 is slower here\n" in err
    assert ".py:" not in err and "runpy" not in err  # no source location

def test_train_dtype_bfloat16(capsys, tmp_path):
    write_csv(tmp_path / "d.csv", n=300)
    model_path = tmp_path / "m.safetensors"
    code, out, err = run(capsys, "train", "--data", str(tmp_path / "d.csv"), "--hidden", "16",
                         "--epochs", "15", "--lr", "1e-2", "--dtype", "bfloat16",
                         "--save", str(model_path))
    assert code == 0, err
    assert float(out.strip().splitlines()[-1].split(": ")[1]) > 0.8
    assert fastnn.load(model_path).model.get_params()["dtype"] == "bfloat16"


def test_scaled_model_file_from_before_the_move_loads(tmp_path):
    # A file as `fastnn train --save` wrote it when ScaledModel lived in
    # fastnn/cli.py: the header names the class "ScaledModel" only.  It loads
    # without importing the command line, as the class now at fastnn.scaled,
    # which fastnn.cli still exports.
    from safetensors.numpy import save_file
    mlp = fastnn.MLP([3, 4, 2], random_state=0)
    inner_meta, inner_arrays = mlp._fastnn_state()
    arrays = {"preprocess.offset": np.zeros(3), "preprocess.scale": np.full(3, 2.0)}
    arrays.update({"model." + k: np.ascontiguousarray(v) for k, v in inner_arrays.items()})
    meta = {"model_class": "MLP", "model_meta": inner_meta, "n_features": 3, "classes": [4, 7]}
    path = str(tmp_path / "old.safetensors")
    save_file(arrays, path, metadata={"format": "fastnn", "format_version": "1",
                                      "class": "ScaledModel", "meta": json.dumps(meta)})
    code = ("import sys, numpy as np, fastnn\n"
            "m = fastnn.load(%r)\n"
            "assert 'fastnn.cli' not in sys.modules, 'load imported the command line'\n"
            "from fastnn import cli, scaled\n"
            "assert type(m) is cli.ScaledModel is scaled.ScaledModel\n"
            "print(m.predict(np.ones((2, 3))).tolist())\n" % path)
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    expected = cli.ScaledModel(mlp, np.zeros(3), np.full(3, 2.0), [4, 7]).predict(np.ones((2, 3)))
    assert result.stdout.split("\n")[0] == str(expected.tolist())


def test_values_beyond_float32_after_preprocessing_are_named(capsys, tmp_path):
    with open(tmp_path / "d.csv", "w") as f:
        for i in range(20):
            f.write("%g,%g,%d\n" % (1e39 if i == 3 else i, 2 * i, i % 2))
    code, out, err = run(capsys, "train", "--data", str(tmp_path / "d.csv"),
                         "--no-standardize", "--epochs", "1")
    assert_one_line_error(code, err, "reach 1e+39 after preprocessing", "float32's range",
                          "float64")
    assert "trained" not in out
    code, out, err = run(capsys, "train", "--data", str(tmp_path / "d.csv"),
                         "--no-standardize", "--epochs", "1", "--dtype", "float64")
    assert code == 0, err


@pytest.mark.parametrize("flags,fragment", [
    (["--save", "{data}"], "would overwrite the training data"),
    (["--save", ""], "'' is not a file name"),
    (["--save", "{dir}"], "is not a file name"),
    (["--plot", "{dir}"], "is not a file name"),
    (["--plot", "{dir}/c.xyz"], "cannot tell an image format"),
    (["--save", "{dir}/m.png", "--plot", "{dir}/./m.png"], "name the same file"),
    (["--save", "/proc/m.safetensors"], "--save: cannot write /proc/m.safetensors"),
    (["--plot", "/proc/c.png"], "--plot: cannot write /proc/c.png"),
    (["--save", "/dev/null"], "--save: cannot write /dev/null: it is a device"),
    (["--save", "{dir}/data-link.csv"], "would overwrite the training data"),  # a symlink
    (["--save", "{dir}/loop"], "--save: cannot write {dir}/loop: Too many levels"),
])
def test_output_paths_are_checked_before_training(capsys, tmp_path, flags, fragment):
    if "--plot" in flags:
        pytest.importorskip("matplotlib")
    write_csv(tmp_path / "d.csv", n=40)
    data = str(tmp_path / "d.csv")
    os.symlink("d.csv", tmp_path / "data-link.csv")
    os.symlink("loop", tmp_path / "loop")
    flags = [f.format(data=data, dir=str(tmp_path)) for f in flags]
    fragment = fragment.format(dir=str(tmp_path))
    code, out, err = run(capsys, "train", "--data", data, "--epochs", "1", *flags)
    assert_one_line_error(code, err, fragment)
    assert "training" not in out
    assert (tmp_path / "d.csv").read_text().startswith("a,b,c,d,label")


def test_threads_and_byte_paths(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--data", "digits", "--threads", "100000")
    assert_one_line_error(code, err, "--threads:", "at most")
    m = fastnn.MLP([2, 3, 2], random_state=0)
    fastnn.save(m, bytes(tmp_path / "x.safetensors"))  # bytes paths, as open() takes
    assert fastnn.load(bytes(tmp_path / "x.safetensors")).layer_sizes == [2, 3, 2]
    fastnn.export(m, bytes(tmp_path / "x.c"))
    assert (tmp_path / "x.c").exists()


@pytest.mark.parametrize("components", [None, "2"])
def test_plot_holds_out_its_validation_rows_before_scaling(capsys, tmp_path, components):
    """--plot's validation rows are scored by a model whose standardization
    (and principal axes) come from the other rows only."""
    pytest.importorskip("matplotlib")
    from fastnn import _recipes
    from fastnn.scaled import fit_preprocessing
    X, y = write_csv(tmp_path / "d.csv", n=200)
    model_path = tmp_path / "m.safetensors"
    flags = ["--components", components] if components else []
    code, out, err = run(capsys, "train", "--data", str(tmp_path / "d.csv"), "--hidden", "8",
                         "--epochs", "2", "--save", str(model_path), "--plot",
                         str(tmp_path / "c.png"), "--threads", "1", *flags)
    assert code == 0, err
    _, X, y, _, _ = cli.load_data(str(tmp_path / "d.csv"), seed=0)  # the command's training rows
    X_train, _, X_val, _ = _recipes.validation_rows(X, y, 0)
    assert len(X_val) == round(0.1 * len(X)) and len(X_train) == len(X) - len(X_val)
    offset, scale = fit_preprocessing(X_train, standardize=True)
    loaded = fastnn.load(model_path)
    np.testing.assert_allclose(loaded.offset, offset, rtol=1e-12)
    np.testing.assert_allclose(loaded.scale, scale, rtol=1e-12)
    assert not np.allclose(loaded.offset, X.mean(axis=0), rtol=1e-6)
    assert "%d samples" % len(X_train) in out
    np.testing.assert_array_equal(np.sort(np.concatenate([X_train, X_val]), axis=0),
                                  np.sort(X, axis=0))


def test_plot_needs_rows_left_to_train_on():
    from fastnn import _recipes
    with pytest.raises(ValueError, match="--plot: 1 training samples leave none"):
        _recipes.validation_rows(np.zeros((1, 3)), np.zeros(1), 0)


def test_features_past_1e154_standardize_and_the_saved_model_loads(capsys, tmp_path):
    """Their squares overflowed float64: the scale became inf, the feature
    was zeroed, and the model saved could not be loaded."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(60)
    with open(tmp_path / "big.csv", "w") as f:
        for i in range(60):
            f.write("%r,%r,%d\n" % (float(x[i] * 1e200 + 3e200), float(x[i]), int(x[i] > 0)))
    code, out, err = run(capsys, "train", "--data", str(tmp_path / "big.csv"), "--epochs", "1",
                         "--save", str(tmp_path / "m.safetensors"))
    assert code == 0 and err == "", err
    assert np.isfinite(fastnn.load(tmp_path / "m.safetensors").scale).all()
    from fastnn.scaled import fit_preprocessing
    X = np.stack([x * 1e200 + 3e200, x], axis=1)
    offset, scale = fit_preprocessing(X, standardize=True)
    np.testing.assert_allclose(offset[0], 1e200 * x.mean() + 3e200, rtol=1e-12)
    np.testing.assert_allclose(scale[0], 1e200 * x.std(), rtol=1e-12)
    with np.errstate(over="ignore"):  # the usual bits elsewhere: NumPy's mean and std
        assert (offset[1], scale[1]) == (X.mean(axis=0)[1], X.std(axis=0)[1])
    code, out, err = run(capsys, "evaluate", str(tmp_path / "m.safetensors"), "--data",
                         str(tmp_path / "big.csv"))
    assert code == 0, err


def test_python_dash_m_fastnn_runs_the_command():
    result = run_python("import runpy, sys; sys.argv = ['fastnn', '--version']; "
                        "runpy.run_module('fastnn', run_name='__main__')")
    assert result.returncode == 0 and result.stdout.strip() == "fastnn " + fastnn.__version__
