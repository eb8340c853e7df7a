"""Every defect tools/fuzz_ops.py and tools/fuzz_load.py found, as a named
test, and a replay of their corpora (tools/fuzz_corpus/: seeds and the inputs
that once failed).  The long fuzz runs are documented in CONTRIBUTING.md."""
import glob
import json
import os
import struct
import sys
import tracemalloc

import numpy as np
import pytest

import fastnn
from fastnn import ops

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools")
CORPUS = os.path.join(TOOLS, "fuzz_corpus")
needs_tools = pytest.mark.skipif(not os.path.isdir(TOOLS), reason="tools/ not shipped")


def corpus(*dirs):
    return sorted(f for d in dirs for f in glob.glob(os.path.join(CORPUS, d, "*")))


@needs_tools
def test_replay_ops_corpus(monkeypatch):
    # prepend for this test only: a lasting sys.path entry leaks into the
    # interpreters that later tests spawn (Dask's workers hung on it)
    monkeypatch.syspath_prepend(TOOLS)
    import fuzz_ops
    files = corpus("ops", "ops_crashes")
    assert files
    for path in files:
        with open(path, "rb") as f:
            fuzz_ops.one_input(f.read())


@needs_tools
def test_replay_load_corpus(monkeypatch):
    pytest.importorskip("safetensors")
    pytest.importorskip("sklearn")
    monkeypatch.syspath_prepend(TOOLS)
    import fuzz_load
    files = corpus("load", "load_crashes")
    assert len(files) >= 3
    for path in files:
        with open(path, "rb") as f:
            fuzz_load.one_input(f.read())


# ---- fuzz_ops findings ----
@pytest.mark.parametrize("call", [
    lambda p, g: ops.sgd_step(p, g, lr=10 ** 400),
    lambda p, g: ops.adam_step(p, g, np.zeros_like(p), np.zeros_like(p), t=1, eps=-(10 ** 400)),
    lambda p, g: ops.dropout(p, 10 ** 400, seed=0),
])
def test_ints_beyond_float_range_are_value_errors(call):
    # was OverflowError: int too large to convert to float
    p, g = np.zeros(3, np.float32), np.ones(3, np.float32)
    with pytest.raises(ValueError):
        call(p, g)


@pytest.mark.parametrize("n", [10 ** 30, 10 ** 6])
def test_set_num_threads_refuses_absurd_counts(n):
    # 10**30 was an OverflowError from the C int; 10**6 would spawn 10**6 threads
    old = fastnn.get_num_threads()
    with pytest.raises(ValueError, match="at most"):
        fastnn.set_num_threads(n)
    assert fastnn.get_num_threads() == old


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("big", [1e4, 1e8, -1e8, 3e30])
def test_log_softmax_and_cross_entropy_keep_log_n_for_large_logits(dtype, big):
    # was: z - (max + log s) rounded log s away: log_softmax of float32 logits
    # all equal to 1e8 gave 0 instead of -log(5), and the loss gave 0
    z = np.full((2, 5), big, dtype)
    np.testing.assert_allclose(ops.log_softmax(z), -np.log(5), rtol=1e-6)
    value, grad = ops.loss("cross_entropy", z, np.array([0, 4]))
    assert value == pytest.approx(np.log(5), rel=1e-6)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-7)
    value, _ = ops.loss("cross_entropy", z, np.full((2, 5), 0.2, dtype))
    assert value == pytest.approx(np.log(5), rel=1e-6)


@pytest.mark.parametrize("dtype, huge", [(np.float32, 1.1e30), (np.float32, 3e19),
                                         (np.float64, 1e155)])
def test_gelu_gradient_is_finite_where_tanh_saturates(dtype, huge):
    # was NaN: (1 - t^2) * x * x = 0 * inf once x * x overflows
    z = np.array([huge, -huge, 1.0], dtype)
    a = ops.activation(z, "gelu")
    d = ops.activation_grad("gelu", z, a, np.ones_like(z))
    assert np.isfinite(d).all()
    assert d[0] == 1 and d[1] == 0
    np.testing.assert_allclose(d, fastnn.reference.activation_grad("gelu", z, a, np.ones_like(z)))


# ---- fuzz_load findings ----
def _rewrite_meta(path, change):
    """Rewrite the fastnn 'meta' JSON of a saved file in place."""
    st = pytest.importorskip("safetensors.numpy")
    from safetensors import safe_open
    with safe_open(str(path), framework="numpy") as f:
        md = dict(f.metadata())
        arrays = {k: f.get_tensor(k) for k in f.keys()}
    meta = json.loads(md["meta"])
    md["meta"] = change(meta) if callable(change) else change
    if not isinstance(md["meta"], str):
        md["meta"] = json.dumps(md["meta"])
    st.save_file(arrays, str(path), metadata=md)


@pytest.fixture
def saved_classifier(tmp_path):
    pytest.importorskip("safetensors")
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    y = np.array(["no", "yes"])[(X[:, 0] > 0).astype(int)]
    est = fastnn.MLPClassifier(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    path = tmp_path / "clf.safetensors"
    fastnn.save(est, path)
    return path


def test_deeply_nested_meta_is_a_value_error(saved_classifier):
    # was RecursionError from json.loads
    _rewrite_meta(saved_classifier, '{"params": ' + "[" * 100000 + "]" * 100000 + "}")
    with pytest.raises(ValueError, match="not JSON"):
        fastnn.load(saved_classifier)


@pytest.mark.parametrize("change, match", [
    (lambda m: dict(m, loss_curve_=[[1.0]]), "TypeError"),           # was TypeError
    (lambda m: dict(m, y_type_="multilabel-indicator"), "outputs"),   # was IndexError in predict
    (lambda m: dict(m, y_type_="weird"), "y_type_"),
    (lambda m: {k: v for k, v in m.items() if k != "n_outputs_"}, "n_outputs_"),  # AttributeError
    (lambda m: dict(m, n_features_in_=7), "n_features_in_"),
    (lambda m: {k: v for k, v in m.items() if k not in ("y_type_", "classes_")}, "y_type_"),
])
def test_inconsistent_fitted_values_are_corrupt_files(saved_classifier, change, match):
    _rewrite_meta(saved_classifier, change)
    with pytest.raises(ValueError, match=match):
        fastnn.load(saved_classifier)


def test_mlp_layer_sizes_are_checked_before_allocating(tmp_path):
    pytest.importorskip("safetensors")
    path = tmp_path / "mlp.safetensors"
    fastnn.save(fastnn.MLP([4, 3, 2], random_state=0), path)
    # 30000 x 30000 float32 fresh weights would be 3.6 GB and take seconds
    _rewrite_meta(path, lambda m: dict(m, params=dict(m["params"],
                                                      layer_sizes=[30000, 30000, 2])))
    tracemalloc.start()  # NumPy reports its buffers to tracemalloc
    try:
        with pytest.raises(ValueError, match="layer_sizes"):
            fastnn.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, peak  # refused before the 3.6 GB of weights were allocated


# ---- the header is checked before any tensor is read ----
def _edit_header(path, edit):
    blob = open(path, "rb").read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    body = blob[8 + n:]
    header, body = edit(header, body)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + body)


@pytest.mark.parametrize("edit, match", [
    (lambda h, b: (dict(h, coefs_0=dict(h["coefs_0"], shape=[4, 4])), b), "needs 64 bytes"),
    (lambda h, b: (dict(h, coefs_0=dict(h["coefs_0"], shape=[2 ** 40, 2 ** 40])), b), "needs"),
    (lambda h, b: (dict(h, coefs_0=dict(h["coefs_0"], shape=[-1, 3])), b), "shape"),
    (lambda h, b: (dict(h, coefs_0=dict(h["coefs_0"], dtype="Q9")), b), "dtype"),
    (lambda h, b: (dict(h, coefs_0=dict(h["coefs_0"], dtype=["F32"])), b), "dtype"),  # TypeError
    (lambda h, b: (dict(h, coefs_0=dict(h["coefs_0"], data_offsets=[8, 0])), b), "offsets"),
    (lambda h, b: (h, b + b"extra"), "file holds"),
    (lambda h, b: (h, b[:-4]), "file holds"),
])
def test_header_sizes_are_checked_before_reading(tmp_path, edit, match):
    pytest.importorskip("safetensors")
    path = tmp_path / "mlp.safetensors"
    fastnn.save(fastnn.MLP([4, 3, 2], random_state=0), path)
    _edit_header(path, edit)
    with pytest.raises(ValueError, match=match):
        fastnn.load(path)


def test_header_length_beyond_the_file(tmp_path):
    pytest.importorskip("safetensors")
    path = tmp_path / "mlp.safetensors"
    fastnn.save(fastnn.MLP([4, 3, 2], random_state=0), path)
    blob = open(path, "rb").read()
    open(path, "wb").write(struct.pack("<Q", 2 ** 62) + blob[8:])
    with pytest.raises(ValueError, match="header length"):
        fastnn.load(path)
