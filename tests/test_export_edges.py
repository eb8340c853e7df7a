"""fastnn.export at its edges: ScaledModel's two-class case in both formats,
parameters and labels no exported model can hold, and how the files are
written (a failed rename puts everything back, symlinks are written through,
directories and FIFOs are refused)."""
import errno
import os
import re
import shutil
import stat
import warnings

import numpy as np
import pytest

import fastnn
from _exportutil import ATOL, RTOL, fresh_rows, model_factories

pytest.importorskip("sklearn", reason="the estimators under test need scikit-learn")
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


def needs_onnx(runtime=False):
    for name in ("onnx", "skl2onnx") + (("onnxruntime",) if runtime else ()):
        pytest.importorskip(name, reason='ONNX export tests need %s: pip install '
                            '"fastnn[onnx,test]"' % name)


@pytest.fixture(params=[".c", ".onnx"])
def ext(request):
    if request.param == ".onnx":
        needs_onnx()
    return request.param


def run_onnx(model, X, tmp_path, **kw):
    needs_onnx(runtime=True)
    import onnxruntime as ort
    path = tmp_path / "m.onnx"
    fastnn.export(model, path, **kw)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {"X": np.ascontiguousarray(X, dtype=np.float32)})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def fit_quietly(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fits
        return est.fit(X, y)


# ---- ScaledModel with one sigmoid output and two classes ----

def scaled_binary(tie=False):
    """fastnn train --save's model of a two-class problem: one sigmoid output,
    whose predict gives the second label where it is at least 0.5.  tie: all
    weights zero, so every output is exactly 0.5."""
    from fastnn.scaled import ScaledModel
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((200, 4)) * 3 + 10).astype(np.float32)
    mlp = fastnn.MLP([4, 8, 1], output="sigmoid", loss="binary_cross_entropy", random_state=0)
    model = ScaledModel(mlp, X.mean(axis=0, dtype=np.float64), X.std(axis=0, dtype=np.float64),
                        [2, 7])
    if tie:
        for a in mlp.coefs_ + mlp.intercepts_:
            a[...] = 0
    else:
        mlp.fit(model.transform(X), (X[:, :1] > 10).astype(np.float32), epochs=20)
    return model, X


@pytest.mark.parametrize("tie", [False, True], ids=["fitted", "p-exactly-half"])
def test_scaled_binary_onnx_labels_and_probabilities(tmp_path, tie):
    model, X = scaled_binary(tie)
    labels, p = model.predict(X), model.predict_proba(X)[:, 0]
    assert set(labels) == ({7} if tie else {2, 7})
    want = np.stack([1 - p, p], axis=1)
    out = run_onnx(model, X, tmp_path, zipmap=False)
    np.testing.assert_array_equal(out["label"], labels)
    np.testing.assert_allclose(out["probabilities"], want, rtol=RTOL, atol=ATOL)
    zipped = run_onnx(model, X, tmp_path)  # skl2onnx's ZipMap, keyed by both labels
    np.testing.assert_array_equal(zipped["output_label"], labels)
    got = np.array([[row[2], row[7]] for row in zipped["output_probability"]])
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@needs_gcc
def test_scaled_binary_c(tmp_path):
    from test_export_c import run_c
    model, X = scaled_binary()
    out = run_c(tmp_path, model, X)
    assert out.shape == (len(X), 1)
    np.testing.assert_allclose(out, model.predict_proba(X), rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(np.where(out[:, 0] >= 0.5, 7, 2), model.predict(X))
    header = (tmp_path / "fastnn.h").read_text()
    assert "#define FASTNN_N_OUTPUTS 1\n#define FASTNN_N_CLASSES 2\n" in header
    assert "/* the two labels: the second where the row's probability is at least 0.5 */" \
        in header and "argmax" not in header


# ---- what no exported model can hold: refused before any file is written ----

def test_non_finite_parameters_are_refused(tmp_path, ext):
    f = model_factories()
    clf, reg, logreg = f["clf-binary"](), f["reg-squared"](), f["logreg-multinomial"]()
    ordinal, scaled, scaled_zero = f["ordinal"](), f["cli-scaled"](), f["cli-scaled"]()
    clf.coefs_[0][0, 0] = np.nan
    reg.intercepts_[1][0] = np.inf
    logreg.coef_[1, 2] = -np.inf
    ordinal.thresholds_[0] = np.nan
    scaled.offset[1] = np.nan
    scaled_zero.scale[0] = 0
    for model, match in ((clf, r"coefs_\[0\] holds nan"), (reg, r"intercepts_\[1\] holds inf"),
                         (logreg, "coef_ holds -inf"), (ordinal, "thresholds_ holds nan"),
                         (scaled, "preprocessing offset must hold 5 finite values"),
                         (scaled_zero, "preprocessing scale must hold 5 finite nonzero")):
        with pytest.raises(ValueError, match=match):
            fastnn.export(model, tmp_path / ("m" + ext))
    assert os.listdir(tmp_path) == []


def test_labels_no_export_can_hold_are_refused(tmp_path, ext):
    X = fresh_rows(100)
    side = (X[:, 0] > 0).astype(int)
    for est, labels, match in (
            (fastnn.MLPClassifier((4,), max_iter=5, random_state=0),
             np.array([1, 2 ** 64 - 1], dtype=np.uint64), r"18446744073709551615\] \(beyond"),
            (fastnn.LogisticRegression(), np.array([0.0, 1e20]), r"1e\+20\] \(beyond"),
            (fastnn.LogisticRegression(), np.array([b"lo", b"hi"]), r"of dtype \|S2"),
            (fastnn.LogisticRegression(), np.array(["2020-01-01", "2021-01-01"],
                                                   dtype="datetime64[D]"), "datetime64")):
        model = fit_quietly(est, X, labels[side])
        with pytest.raises(ValueError, match=r"cannot export the class labels \[.*" + match):
            fastnn.export(model, tmp_path / ("m" + ext))
    assert os.listdir(tmp_path) == []


def test_integer_labels_stay_integers_onnx(tmp_path):
    # integers held as objects are int64 labels, not their text; floats that
    # hold integers (pandas' nullable Int64 labels) are int64 labels as before
    X = fresh_rows(90)
    k = np.digitize(X[:, 0], [-0.5, 0.5])
    for labels in (np.array([10, 20, 2 ** 62], dtype=object), np.array([100.0, 101.0, 102.0])):
        model = fastnn.LogisticRegression().fit(X, labels[k])
        out = run_onnx(model, X, tmp_path, zipmap=False)
        assert out["label"].dtype == np.int64
        np.testing.assert_array_equal(out["label"], model.predict(X))


@needs_gcc
def test_integer_labels_stay_integers_c(tmp_path):
    from test_export_c import print_labels
    X = fresh_rows(90)
    labels = np.array([10, 20, 2 ** 62], dtype=object)
    model = fastnn.LogisticRegression().fit(X, labels[np.digitize(X[:, 0], [-0.5, 0.5])])
    fastnn.export(model, tmp_path / "m.c")
    assert "extern const int64_t FASTNN_CLASSES" in (tmp_path / "m.h").read_text()
    assert print_labels(tmp_path, "m", "FASTNN", '"%" PRId64') == [str(v) for v in labels]


# ---- how the files are written ----

MODEL = model_factories()["mlp-relu"]


def test_c_export_onto_a_directory_writes_nothing(tmp_path):
    (tmp_path / "m.c").mkdir()
    with pytest.raises(ValueError, match="m.c: it is a directory, not a regular file"):
        fastnn.export(MODEL(), tmp_path / "m.c")
    assert os.listdir(tmp_path) == ["m.c"]


@pytest.mark.parametrize("name", ["m.c", "m.h", "m.onnx"])
def test_fifo_targets_are_refused(tmp_path, name):
    if name.endswith(".onnx"):
        needs_onnx()
    os.mkfifo(tmp_path / name)
    path = tmp_path / ("m.onnx" if name.endswith(".onnx") else "m.c")
    with pytest.raises(ValueError, match="%s: it is a FIFO" % name):
        fastnn.export(MODEL(), path)
    assert os.listdir(tmp_path) == [name] and stat.S_ISFIFO(os.lstat(tmp_path / name).st_mode)


@pytest.mark.parametrize("links", [True, False], ids=["hard-links", "no-hard-links"])
@pytest.mark.parametrize("existing", [True, False], ids=["replacing", "new"])
def test_failed_rename_puts_everything_back(tmp_path, monkeypatch, existing, links):
    # the header is renamed into place first; when the source cannot be
    # (a bind-mounted file: EBUSY), the header is put back (or removed); on a
    # file system without hard links (FAT, some network mounts) the header
    # was deleted, as if it had been new
    if not links:
        def no_link(*args, **kw):
            raise OSError(errno.EPERM, os.strerror(errno.EPERM))
        monkeypatch.setattr(os, "link", no_link)
    if existing:
        (tmp_path / "m.c").write_bytes(b"old source")
        (tmp_path / "m.h").write_bytes(b"old header")
    real = os.replace

    def busy(src, dst, **kw):
        if os.path.basename(dst) == "m.c" and src.endswith(".tmp"):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), src, None, dst)
        return real(src, dst, **kw)
    monkeypatch.setattr(os, "replace", busy)
    message = "cannot write %s: %s" % (tmp_path / "m.c", os.strerror(errno.EBUSY))
    with pytest.raises(OSError, match=re.escape(message) + "$") as info:
        fastnn.export(MODEL(), tmp_path / "m.c")
    monkeypatch.undo()
    assert info.value.errno == errno.EBUSY
    if existing:
        assert sorted(os.listdir(tmp_path)) == ["m.c", "m.h"]
        assert (tmp_path / "m.c").read_bytes() == b"old source"
        assert (tmp_path / "m.h").read_bytes() == b"old header"
    else:
        assert os.listdir(tmp_path) == []


def test_symlinks_are_written_through(tmp_path, ext):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / ("model" + ext)
    target.write_bytes(b"old")
    link = tmp_path / ("m" + ext)
    os.symlink(os.path.join("real", "model" + ext), link)  # relative to the link
    fastnn.export(MODEL(), link)
    assert os.path.islink(link) and os.readlink(link) == os.path.join("real", "model" + ext)
    assert os.listdir(tmp_path / "real") == ["model" + ext]
    if ext == ".c":
        assert target.read_text().startswith("/* Generated by fastnn.export")
        assert sorted(os.listdir(tmp_path)) == ["m.c", "m.h", "real"]
    else:
        import onnx
        onnx.checker.check_model(onnx.load(str(target)))
        assert sorted(os.listdir(tmp_path)) == ["m.onnx", "real"]


def test_source_and_header_must_be_two_files(tmp_path):
    (tmp_path / "m.c").write_bytes(b"old")
    os.symlink("m.c", tmp_path / "m.h")
    with pytest.raises(ValueError, match="are the same file"):
        fastnn.export(MODEL(), tmp_path / "m.c")
    assert (tmp_path / "m.c").read_bytes() == b"old" and os.path.islink(tmp_path / "m.h")


def test_header_name_must_be_includable(tmp_path):
    with pytest.raises(ValueError, match="cannot be #included"):
        fastnn.export(MODEL(), tmp_path / 'we"ird.c')
    assert os.listdir(tmp_path) == []
