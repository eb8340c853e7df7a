"""fastnn.export to ONNX and the skl2onnx converters of `import fastnn.onnx`,
run by onnxruntime and compared with fastnn for every activation, output and
model class; and export's errors, which leave no file behind."""
import importlib
import os
import warnings

import numpy as np
import pytest

import fastnn
from _exportutil import (ATOL, RTOL, fresh_rows, is_classifier, model_factories, probabilities,
                         regression)

pytest.importorskip("sklearn", reason="the estimators under test need scikit-learn")
for _name in ("onnx", "skl2onnx", "onnxruntime"):
    pytest.importorskip(_name, reason='ONNX export tests need %s: pip install "fastnn[onnx,test]"'
                        % _name)
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402

import fastnn.onnx  # noqa: E402,F401  (registers the converters)

FACTORIES = model_factories()
STANDARD_DOMAINS = ("", "ai.onnx", "ai.onnx.ml")


def run_onnx(path_or_bytes, X):
    session = ort.InferenceSession(path_or_bytes, providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_onnx_matches_fastnn(tmp_path, name):
    model = FACTORIES[name]()
    X = fresh_rows()
    path = tmp_path / "model.onnx"
    assert fastnn.export(model, path, zipmap=False) == str(path)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    assert {op.domain for op in proto.opset_import} <= set(STANDARD_DOMAINS)
    assert {n.domain for n in proto.graph.node} <= set(STANDARD_DOMAINS)
    out = run_onnx(str(path), X)
    if not is_classifier(model):
        assert list(out) == ["variable"]
        np.testing.assert_allclose(out["variable"], regression(model, X), rtol=RTOL, atol=ATOL)
        return
    assert list(out) == ["label", "probabilities"]
    np.testing.assert_allclose(out["probabilities"], probabilities(model, X),
                               rtol=RTOL, atol=ATOL)
    labels = out["label"]
    want = np.asarray(model.predict(X))
    if labels.dtype == object:
        labels = labels.astype(str)
        want = want.astype(str)
    np.testing.assert_array_equal(labels, want)


def test_zipmap_by_default_as_skl2onnx():
    model = FACTORIES["logreg-strings"]()
    X = fresh_rows(6)
    out = run_onnx(_to_bytes(model), X)
    assert list(out) == ["output_label", "output_probability"]
    proba = model.predict_proba(X)
    for row, p in zip(out["output_probability"], proba):
        assert sorted(row) == sorted(model.classes_)
        np.testing.assert_allclose([row[c] for c in model.classes_], p, rtol=RTOL, atol=ATOL)
    assert list(out["output_label"]) == list(model.predict(X))


def _to_bytes(model, **kw):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.onnx")
        fastnn.export(model, path, **kw)
        with open(path, "rb") as f:
            return f.read()


def test_opset_is_honoured_and_checked(tmp_path):
    model = FACTORIES["mlp-gelu"]()
    for opset in (13, 17):
        proto = onnx.load_from_string(_to_bytes(model, opset=opset))
        assert {op.domain: op.version for op in proto.opset_import}[""] == opset
    with pytest.raises(ValueError, match="opset"):
        fastnn.export(model, tmp_path / "m.onnx", opset=9)
    import skl2onnx  # past its newest opset it raised RuntimeError from deep inside
    top = skl2onnx.__max_supported_opset__
    _to_bytes(model, opset=top)
    with pytest.raises(ValueError, match="opset must be an int from 13 to %d" % top):
        fastnn.export(model, tmp_path / "m.onnx", opset=top + 1)
    assert os.listdir(tmp_path) == []


def test_skl2onnx_converts_a_pipeline_with_fastnn_estimators():
    from skl2onnx import to_onnx
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from fastnn.sklearn import MLPClassifier, MLPRegressor
    X = fresh_rows(64, seed=3)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    mlp = MLPClassifier((6,), activation="tanh", max_iter=20, random_state=0)
    for est, zipmap in ((mlp, False),
                        (fastnn.LogisticRegression(), True),
                        (MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0),
                         None)):
        pipe = Pipeline([("scale", StandardScaler()), ("model", est)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning of the short fits
            pipe.fit(X, y if zipmap is not None else X[:, 2])
        options = {id(est): {"zipmap": zipmap}} if zipmap is not None else None
        out = run_onnx(to_onnx(pipe, X[:1], options=options).SerializeToString(), X)
        if zipmap is None:
            np.testing.assert_allclose(out["variable"].ravel(), pipe.predict(X),
                                       rtol=RTOL, atol=ATOL)
        elif zipmap:
            got = np.array([[row[c] for c in est.classes_] for row in out["output_probability"]])
            np.testing.assert_allclose(got, pipe.predict_proba(X), rtol=RTOL, atol=ATOL)
        else:
            np.testing.assert_allclose(out["probabilities"], pipe.predict_proba(X),
                                       rtol=RTOL, atol=ATOL)
            np.testing.assert_array_equal(out["label"], pipe.predict(X))


# ---- errors: clear, and no file left behind (for both formats) ----

@pytest.mark.parametrize("ext", [".onnx", ".c"])
def test_unfitted_estimators_raise_not_fitted(tmp_path, ext):
    from sklearn.exceptions import NotFittedError
    from fastnn.sklearn import MLPClassifier, MLPRegressor
    for model in (MLPClassifier(), MLPRegressor(), fastnn.LogisticRegression(),
                  fastnn.OrdinalRegression()):
        with pytest.raises(NotFittedError, match="not fitted"):
            fastnn.export(model, tmp_path / ("m" + ext))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("bad", ["model.txt", "model", "model.onnx.bak", "model.h"])
def test_unknown_extension(tmp_path, bad):
    with pytest.raises(ValueError, match=r"\.onnx or \.c"):
        fastnn.export(FACTORIES["mlp-relu"](), tmp_path / bad)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("ext", [".onnx", ".c"])
def test_model_without_exporter(tmp_path, ext):
    from sklearn.linear_model import LinearRegression
    for model in (LinearRegression(), object(), "model"):
        with pytest.raises(ValueError, match="no exporter"):
            fastnn.export(model, tmp_path / ("m" + ext))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("ext", [".onnx", ".c"])
def test_unwritable_path(tmp_path, ext):
    model = FACTORIES["mlp-relu"]()
    with pytest.raises(OSError, match="cannot write"):
        fastnn.export(model, tmp_path / "missing" / ("m" + ext))
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(OSError, match="cannot write"):
            fastnn.export(model, locked / ("m" + ext))
    assert sorted(os.listdir(tmp_path)) in ([], ["locked"])


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    # the header is written first; a failure writing the source removes it
    # too, and files from an earlier export stay as they were
    (tmp_path / "m.c").write_bytes(b"old")
    export_module = importlib.import_module("fastnn.export")  # fastnn.export is the function
    real = export_module._write_temp

    def fail_on_source(path, target, data):
        if path.endswith(".c"):
            raise OSError(28, "cannot write %s: No space left on device" % path)
        return real(path, target, data)
    monkeypatch.setattr(export_module, "_write_temp", fail_on_source)
    with pytest.raises(OSError, match="No space"):
        fastnn.export(FACTORIES["mlp-relu"](), tmp_path / "m.c")
    assert os.listdir(tmp_path) == ["m.c"] and (tmp_path / "m.c").read_bytes() == b"old"


def test_scaled_model_preprocesses_in_double():
    # features of 101325 +- 2 (pressures in Pa): offset and scale in float32
    # would move every standardized input by about 1e-3, the probabilities by
    # 2.5e-3; in double (as ScaledModel and the C) the inputs come out exactly
    from fastnn.scaled import ScaledModel
    rng = np.random.default_rng(0)
    raw = (101325 + 2 * rng.standard_normal((300, 2))).astype(np.float32)
    offset, scale = raw.mean(axis=0, dtype=np.float64), raw.std(axis=0, dtype=np.float64)
    assert np.all(np.float32(offset) != offset)  # float32 cannot hold the offsets
    mlp = fastnn.MLP([2, 8, 2], random_state=0)
    model = ScaledModel(mlp, offset, scale, [0, 1])
    mlp.fit(model.transform(raw), (raw[:, 0] > raw[:, 1]).astype(int), epochs=30,
            learning_rate=0.05)
    out = run_onnx(_to_bytes(model, zipmap=False), raw)
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(raw),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(out["label"], model.predict(raw))
