"""fastnn.save / fastnn.load: round trips, atomic writes, and every way a file can be bad."""
import json
import os
import stat
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import io as fio

st = pytest.importorskip("safetensors.numpy")


@fio.register
class FakeModel:
    """Two dense layers' worth of arrays; checks shapes against meta like MLP must."""

    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.sizes = list(sizes)
        self.coefs_ = [rng.standard_normal((a, b)).astype(np.float32)
                       for a, b in zip(sizes[:-1], sizes[1:])]
        self.intercepts_ = [rng.standard_normal(b) for b in sizes[1:]]  # float64
        self.steps = np.array([seed], dtype=np.int64)

    def _fastnn_state(self):
        arrays = {"steps": self.steps}
        for i, (w, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            arrays["coef_%d" % i], arrays["intercept_%d" % i] = w, b
        return {"sizes": self.sizes, "note": "ünïcode"}, arrays

    @classmethod
    def _from_fastnn_state(cls, meta, arrays):
        sizes = meta["sizes"]
        model = cls.__new__(cls)
        model.sizes = list(sizes)
        model.coefs_, model.intercepts_ = [], []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            w, c = arrays["coef_%d" % i], arrays["intercept_%d" % i]
            if w.shape != (a, b) or c.shape != (b,):
                raise ValueError("layer %d: shapes %s, %s do not match sizes %s"
                                 % (i, w.shape, c.shape, sizes))
            model.coefs_.append(w)
            model.intercepts_.append(c)
        model.steps = arrays["steps"]
        return model


class Unregistered(FakeModel):
    pass


@pytest.fixture
def saved(tmp_path):
    model = FakeModel([5, 4, 3], seed=7)
    path = tmp_path / "m.safetensors"
    fastnn.save(model, path)
    return model, path


def rewrite(path, tensors=None, **metadata):
    """Rewrite a saved file with some tensors or metadata fields replaced."""
    from safetensors import safe_open
    with safe_open(str(path), framework="numpy") as f:
        meta = dict(f.metadata())
        arrays = {k: f.get_tensor(k) for k in f.keys()}
    arrays.update(tensors or {})
    meta.update(metadata)
    meta = {k: v for k, v in meta.items() if v is not None}
    st.save_file(arrays, str(path), metadata=meta)


def test_round_trip(saved):
    model, path = saved
    loaded = fastnn.load(path)
    assert type(loaded) is FakeModel
    assert loaded.sizes == model.sizes
    meta0, arrays0 = model._fastnn_state()
    meta1, arrays1 = loaded._fastnn_state()
    assert meta1 == meta0
    assert arrays1.keys() == arrays0.keys()
    for key in arrays0:
        assert arrays1[key].dtype == arrays0[key].dtype
        assert arrays1[key].tobytes() == arrays0[key].tobytes(), key


def test_metadata_fields(saved):
    from safetensors import safe_open
    _, path = saved
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata()
    assert meta["format"] == "fastnn" and meta["format_version"] == str(fio.FORMAT_VERSION)
    assert meta["class"] == "FakeModel"
    assert json.loads(meta["meta"])["sizes"] == [5, 4, 3]


def test_atomic_write_leaves_no_temp_files(tmp_path):
    path = tmp_path / "m.safetensors"
    fastnn.save(FakeModel([3, 2], seed=1), path)
    fastnn.save(FakeModel([3, 2], seed=2), path)  # overwrite
    assert os.listdir(tmp_path) == ["m.safetensors"]
    assert fastnn.load(path).steps[0] == 2


def test_failed_write_keeps_old_file(tmp_path, monkeypatch):
    # interrupted once the new file's bytes are written, before the rename
    path = tmp_path / "m.safetensors"
    fastnn.save(FakeModel([3, 2], seed=1), path)

    def crash(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(fio.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        fastnn.save(FakeModel([3, 2], seed=2), path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["m.safetensors"]
    assert fastnn.load(path).steps[0] == 1


def test_failed_write_names_the_path_not_the_temp(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fio.os, "fsync", full)
    with pytest.raises(OSError, match="cannot save to %s: No space" % path) as info:
        fastnn.save(FakeModel([3, 2]), path)
    assert info.value.errno == 28 and ".tmp" not in str(info.value)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_save_unregistered_class(tmp_path):
    with pytest.raises(ValueError, match="not registered"):
        fastnn.save(Unregistered([2, 2]), tmp_path / "u.safetensors")
    assert os.listdir(tmp_path) == []


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        fastnn.save(FakeModel([2, 2]), tmp_path / "nope" / "m.safetensors")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        fastnn.load(tmp_path / "nope.safetensors")


@pytest.mark.parametrize("data", [b"", b"garbage", b"\x08\x00\x00\x00\x00\x00\x00\x00{}",
                                  b"\xff" * 64, b"\x02\x00\x00\x00\x00\x00\x00\x00{}"])
def test_garbage_file(tmp_path, data):
    path = tmp_path / "g.safetensors"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="not a fastnn model file"):
        fastnn.load(path)


def test_truncated_file(saved):
    _, path = saved
    raw = path.read_bytes()
    for cut in sorted({1, 7, 8, 9, 20, len(raw) // 2, len(raw) - 8, len(raw) - 1}):
        path.write_bytes(raw[:cut])
        with pytest.raises(ValueError, match="not a fastnn model file"):
            fastnn.load(path)


def test_plain_safetensors_without_fastnn_metadata(tmp_path):
    path = tmp_path / "plain.safetensors"
    st.save_file({"w": np.zeros((2, 2), np.float32)}, str(path))
    with pytest.raises(ValueError, match="not a fastnn model file"):
        fastnn.load(path)


def test_wrong_format(saved):
    _, path = saved
    rewrite(path, format="pytorch")
    with pytest.raises(ValueError, match="not a fastnn model file"):
        fastnn.load(path)


@pytest.mark.parametrize("version", ["x", "", "0"])
def test_bad_version(saved, version):
    _, path = saved
    rewrite(path, format_version=version)
    with pytest.raises(ValueError, match="not a fastnn model file"):
        fastnn.load(path)


def test_newer_version(saved):
    _, path = saved
    rewrite(path, format_version=str(fio.FORMAT_VERSION + 1))
    with pytest.raises(ValueError, match="written by a newer fastnn"):
        fastnn.load(path)


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "Nope", ""])
def test_unknown_class(saved, name):
    _, path = saved
    rewrite(path, **{"class": name})
    with pytest.raises(ValueError, match="unknown model class"):
        fastnn.load(path)


@pytest.mark.parametrize("meta", ["{not json", "[1, 2]", "null", None])
def test_bad_meta(saved, meta):
    _, path = saved
    rewrite(path, meta=meta)
    with pytest.raises(ValueError, match="corrupt fastnn model file"):
        fastnn.load(path)


def test_meta_missing_key(saved):
    _, path = saved
    rewrite(path, meta=json.dumps({"other": 1}))
    with pytest.raises(ValueError, match="corrupt fastnn model file.*sizes"):
        fastnn.load(path)


def test_shape_mismatch(saved):
    _, path = saved
    rewrite(path, {"coef_1": np.zeros((4, 2), np.float32)})
    with pytest.raises(ValueError, match="corrupt fastnn model file.*do not match"):
        fastnn.load(path)


def test_meta_disagrees_with_tensors(saved):
    _, path = saved
    rewrite(path, meta=json.dumps({"sizes": [5, 4, 4]}))
    with pytest.raises(ValueError, match="corrupt fastnn model file"):
        fastnn.load(path)


def test_missing_tensor(tmp_path):
    model = FakeModel([3, 2])
    path = tmp_path / "m.safetensors"
    fastnn.save(model, path)
    from safetensors import safe_open
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata()
        arrays = {k: f.get_tensor(k) for k in f.keys() if k != "coef_0"}
    st.save_file(arrays, str(path), metadata=meta)
    with pytest.raises(ValueError, match="corrupt fastnn model file.*coef_0"):
        fastnn.load(path)


@pytest.mark.parametrize("dtype", [np.float16, np.int32, np.uint8, np.bool_])
def test_unexpected_dtype(saved, dtype):
    _, path = saved
    rewrite(path, {"intercept_0": np.zeros(4, dtype)})
    with pytest.raises(ValueError, match="dtype"):
        fastnn.load(path)


def test_missing_safetensors_message(monkeypatch, tmp_path):
    import builtins
    real_import = builtins.__import__

    def no_safetensors(name, *args, **kwargs):
        if name.startswith("safetensors"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_safetensors)
    with pytest.raises(ImportError, match=r'pip install "fastnn\[io\]"'):
        fastnn.save(FakeModel([2, 2]), tmp_path / "x.safetensors")


def test_mlp_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 6)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    model = fastnn.MLP([6, 8, 3], random_state=0).fit(X, y, epochs=2, batch_size=16)
    path = tmp_path / "mlp.safetensors"
    fastnn.save(model, path)
    loaded = fastnn.load(path)
    assert type(loaded) is fastnn.MLP
    assert loaded.get_params() == model.get_params()
    assert loaded.predict(X).tobytes() == model.predict(X).tobytes()
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, model.coefs_ + model.intercepts_):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_mlp_shape_mismatch(tmp_path):
    model = fastnn.MLP([4, 5, 2], random_state=0)
    X = np.zeros((8, 4), np.float32)
    model.fit(X, np.array([0, 1] * 4), epochs=1, batch_size=4)
    path = tmp_path / "mlp.safetensors"
    fastnn.save(model, path)
    from safetensors import safe_open
    with safe_open(str(path), framework="numpy") as f:
        key = max(f.keys(), key=lambda k: f.get_tensor(k).size)
        bad = np.zeros(f.get_tensor(key).size + 1, f.get_tensor(key).dtype)
    rewrite(path, {key: bad})
    with pytest.raises(ValueError):
        fastnn.load(path)


@pytest.mark.parametrize("make", [lambda: fastnn.LogisticRegression(),
                                  lambda: fastnn.OrdinalRegression()],
                         ids=["logistic", "ordinal"])
def test_linear_models_round_trip(tmp_path, make):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    model = make().fit(X, y)
    path = tmp_path / "linear.safetensors"
    fastnn.save(model, path)
    loaded = fastnn.load(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_save_writes_through_a_symlink(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.safetensors"
    fastnn.save(FakeModel([3, 2], seed=1), target)
    os.chmod(target, 0o640)
    link = tmp_path / "m.safetensors"
    os.symlink(os.path.join("real", "model.safetensors"), link)  # relative to the link
    fastnn.save(FakeModel([3, 2], seed=2), link)
    assert os.path.islink(link) and os.readlink(link) == os.path.join("real", "model.safetensors")
    assert os.listdir(tmp_path / "real") == ["model.safetensors"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640  # the replaced file's mode
    assert fastnn.load(target).steps[0] == 2


@pytest.mark.parametrize("kind", ["FIFO", "directory"])
def test_save_refuses_what_is_not_a_regular_file(tmp_path, kind):
    path = tmp_path / "m.safetensors"
    os.mkfifo(path) if kind == "FIFO" else path.mkdir()
    with pytest.raises(ValueError, match="m.safetensors: it is a %s, not a regular file" % kind):
        fastnn.save(FakeModel([3, 2]), path)
    assert os.listdir(tmp_path) == ["m.safetensors"]
    assert (stat.S_ISFIFO if kind == "FIFO" else stat.S_ISDIR)(os.lstat(path).st_mode)


@pytest.mark.parametrize("tensor", ["coefs_0", "intercepts_1"])
def test_sklearn_estimator_file_with_non_finite_weights(tmp_path, tensor):
    # as fastnn.MLP's files: a NaN weight would only surface at predict
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    model = fastnn.MLPClassifier((4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fit
        model.fit(X, X[:, 0] > 0)
    path = tmp_path / "clf.safetensors"
    fastnn.save(model, path)
    from safetensors import safe_open
    with safe_open(str(path), framework="numpy") as f:
        bad = f.get_tensor(tensor).copy()
    bad.flat[0] = np.nan
    rewrite(path, {tensor: bad})
    with pytest.raises(ValueError, match="corrupt fastnn model file.*%s contains NaN" % tensor):
        fastnn.load(path)


REPRODUCIBLE = """
import fastnn
model = fastnn.MLP([6, 8, 3], activation="tanh", random_state=0)
for path in %r:
    fastnn.save(model, path)
"""


def _metadata_keys(raw):
    n = int.from_bytes(raw[:8], "little")
    return list(json.loads(raw[8:8 + n])["__metadata__"])


def test_save_is_byte_reproducible(tmp_path):
    # safetensors writes its metadata in a hash map's random order: the keys
    # are sorted, so saving one model gives the same bytes every time
    from conftest import run_python
    model = fastnn.MLP([6, 8, 3], activation="tanh", random_state=0)
    here = [tmp_path / ("here%d.safetensors" % i) for i in range(6)]
    for path in here:
        fastnn.save(model, path)
    there = [tmp_path / ("there%d.safetensors" % i) for i in range(2)]
    result = run_python(REPRODUCIBLE % [str(p) for p in there])
    assert result.returncode == 0, result.stderr
    raw = here[0].read_bytes()
    assert _metadata_keys(raw) == ["class", "format", "format_version", "meta"]
    for path in here[1:] + there:
        assert path.read_bytes() == raw, path
    loaded = fastnn.load(there[1])
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, model.coefs_ + model.intercepts_):
        assert a.tobytes() == b.tobytes()


def _safetensors_bytes(header):
    return len(header).to_bytes(8, "little") + header + b"DATA"


def test_sorted_header_keeps_its_length():
    # shorter once rewritten (the escape of e-acute is 6 bytes, its UTF-8 2):
    # padded with spaces, so the tensor data stays where it was
    data = _safetensors_bytes(b'{"__metadata__":{"b":"\\u00e9","a":"x"},"t":1}')
    header, rest = fio._sorted_metadata(data)
    assert header == data[:8] + '{"__metadata__":{"a":"x","b":"\u00e9"},"t":1}    '.encode()
    assert bytes(rest) == b"DATA"


@pytest.mark.parametrize("text", [b'{"__metadata__":{"b":"x","a":"y"},"n":1E2}',  # 100.0
                                  b'{"__metadata__":{"b":"x","a":"y"}',  # not JSON
                                  b'{"t":{"dtype":"F32"}}'])  # no metadata
def test_header_that_cannot_be_sorted_in_place_is_kept(text):
    data = _safetensors_bytes(text)
    header, rest = fio._sorted_metadata(data)
    assert header == data[:-4] and bytes(rest) == b"DATA"
