"""`fastnn export`: the model `fastnn train --save` writes, to ONNX and to C;
usage errors exit 2, other failures print one line and exit 1."""
import os

import numpy as np
import pytest

import fastnn
from fastnn import cli
from test_cli import assert_one_line_error, run, write_csv

pytest.importorskip("safetensors", reason="saved models need safetensors")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_export")
    X, _ = write_csv(d / "data.csv")
    model = d / "model.safetensors"
    assert cli.main(["train", "--data", str(d / "data.csv"), "--hidden", "6", "--epochs", "2",
                     "--standardize", "--save", str(model)]) == 0
    return model, X.astype(np.float32)


def test_export_c(capsys, tmp_path, saved):
    model, _ = saved
    code, out, err = run(capsys, "export", str(model), "-o", str(tmp_path / "m.c"),
                         "--prefix", "digits")
    assert code == 0 and err == "", err
    assert "wrote %s" % (tmp_path / "m.c") in out and "wrote %s" % (tmp_path / "m.h") in out
    header = (tmp_path / "m.h").read_text()
    assert "DIGITS_CLASSES" in header and "void digits_predict(" in header


def test_export_onnx(capsys, tmp_path, saved):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    model, X = saved
    code, out, err = run(capsys, "export", str(model), "-o", str(tmp_path / "m.onnx"),
                         "--no-zipmap")
    assert code == 0 and err == "", err
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    label, proba = session.run(None, {"X": X})
    loaded = fastnn.load(str(model))
    np.testing.assert_allclose(proba, loaded.predict_proba(X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(label, loaded.predict(X))


@pytest.mark.parametrize("argv", [["export"], ["export", "m.safetensors"],
                                  ["export", "m.safetensors", "-o", "m.txt"],
                                  ["export", "m.safetensors", "-o", "m.c", "--prefix", "1x"],
                                  ["export", "m.safetensors", "-o", "m.onnx", "--opset", "7"]])
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and "usage:" in err


def test_failures_are_one_line(capsys, tmp_path, saved):
    model, _ = saved
    code, _, err = run(capsys, "export", str(tmp_path / "none.safetensors"), "-o",
                       str(tmp_path / "m.c"))
    assert_one_line_error(code, err, "fastnn export: error:")
    code, _, err = run(capsys, "export", str(model), "-o", str(tmp_path / "no" / "m.c"))
    assert_one_line_error(code, err, "fastnn export: error:", "cannot write")
    assert code == 1 and os.listdir(tmp_path) == []


@pytest.mark.parametrize("name,flags,fragment", [
    ("self.onnx", ["-o", "self.onnx"], "would overwrite the model"),
    ("m.h", ["-o", "m.c"], "would overwrite the model"),      # the header of m.c
    ("m.safetensors", ["-o", "m.onnx", "--prefix", "digits"],
     "--prefix has no effect on ONNX output"),
    ("m.safetensors", ["-o", "m.c", "--opset", "15", "--no-zipmap"],
     "--no-zipmap and --opset have no effect on C output"),
])
def test_export_refuses_its_own_input_and_the_other_formats_flags(capsys, tmp_path, monkeypatch,
                                                                  saved, name, flags, fragment):
    """A model file named as the output was replaced by it ("wrote self.onnx",
    the model gone); a flag of the other format was silently ignored."""
    model, _ = saved
    monkeypatch.chdir(tmp_path)
    before = open(model, "rb").read()
    open(name, "wb").write(before)
    code, out, err = run(capsys, "export", name, *flags)
    assert_one_line_error(code, err, fragment)
    assert open(name, "rb").read() == before and sorted(os.listdir()) == [name]
