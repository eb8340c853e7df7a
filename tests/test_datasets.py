"""fastnn.datasets: the IDX reader on tiny synthetic files, the search path, digits."""
import gzip
import os
import struct

import numpy as np
import pytest

from fastnn import datasets

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def idx_bytes(array, code=0x08):
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, data, compress):
    if compress:
        path = str(path) + ".gz"
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    return str(path)


def write_set(directory, n_train=5, n_test=3, compress=True, seed=0):
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write(os.path.join(directory, split + "-images-idx3-ubyte"), idx_bytes(images), compress)
        write(os.path.join(directory, split + "-labels-idx1-ubyte"), idx_bytes(labels), compress)
        arrays[split] = (images, labels)
    return arrays


@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_round_trip(tmp_path, compress):
    a = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    f = write(tmp_path / "a-idx3-ubyte", idx_bytes(a), compress)
    got = datasets.read_idx(f)
    assert got.dtype == np.uint8 and got.shape == (2, 3, 4)
    assert np.array_equal(got, a)


def test_read_idx_big_endian_int32(tmp_path):
    a = np.array([1, -2, 70000], dtype=np.int32)
    f = write(tmp_path / "i", idx_bytes(a, code=0x0C), False)
    got = datasets.read_idx(f)
    assert got.dtype == np.int32 and np.array_equal(got, a)


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("cut", [1, 3, 10, 50])
def test_read_idx_truncated(tmp_path, compress, cut):
    data = idx_bytes(np.zeros((4, 28, 28), np.uint8))
    f = write(tmp_path / "t-idx3-ubyte", data[:-cut] if cut < 50 else data[:cut], compress)
    with pytest.raises(ValueError, match="t-idx3-ubyte"):
        datasets.read_idx(f)


def test_read_idx_truncated_gzip_stream(tmp_path):
    f = write(tmp_path / "g-idx3-ubyte", idx_bytes(np.zeros((40, 28, 28), np.uint8)), True)
    raw = open(f, "rb").read()
    with open(f, "wb") as out:
        out.write(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="g-idx3-ubyte"):
        datasets.read_idx(f)


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x01\x02\x08\x01\x00\x00\x00\x01x",
                                  b"\x00\x00\x07\x01\x00\x00\x00\x01x",
                                  b"\x00\x00\x08\x02\x00\x00\x00\x01",
                                  b"\x00\x00\x08\x01\x00\x00\x00\x02xyz",
                                  # dims whose product overflows int64
                                  b"\x00\x00\x08\x03" + b"\xff\xff\xff\xff" * 3 + b"x"])
def test_read_idx_corrupt(tmp_path, data):
    f = write(tmp_path / "bad", data, False)
    with pytest.raises(ValueError, match="bad"):
        datasets.read_idx(f)


@pytest.mark.parametrize("compress", [True, False])
def test_load_from_path(tmp_path, compress):
    arrays = write_set(tmp_path, compress=compress)
    X, y, Xt, yt = datasets.load_fashion_mnist(tmp_path)
    assert X.shape == (5, 784) and X.dtype == np.uint8
    assert y.shape == (5,) and y.dtype == np.int64
    assert Xt.shape == (3, 784) and yt.dtype == np.int64
    assert np.array_equal(X, arrays["train"][0].reshape(5, 784))
    assert np.array_equal(yt, arrays["t10k"][1])


def test_label_count_mismatch(tmp_path):
    write_set(tmp_path, compress=False)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(4, np.uint8)), False)
    with pytest.raises(ValueError, match="train-labels"):
        datasets.load_fashion_mnist(tmp_path)


def test_env_var(tmp_path, monkeypatch):
    write_set(tmp_path / "fashion-mnist", n_train=2)
    write_set(tmp_path / "mnist", n_train=4)
    monkeypatch.setenv("FASTNN_DATA", str(tmp_path))
    assert datasets.load_fashion_mnist()[0].shape == (2, 784)
    assert datasets.load_mnist()[0].shape == (4, 784)


def test_env_var_directory_itself(tmp_path, monkeypatch):
    write_set(tmp_path, n_train=6)
    monkeypatch.setenv("FASTNN_DATA", str(tmp_path))
    assert datasets.load_mnist()[0].shape == (6, 784)


def test_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        datasets.load_fashion_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="FASTNN_DATA"):
        datasets.load_mnist(tmp_path)


@pytest.mark.skipif(not os.path.exists(os.path.join(FASHION_DIR, "t10k-labels-idx1-ubyte.gz")),
                    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist():
    X, y, Xt, yt = datasets.load_fashion_mnist()
    assert X.shape == (60000, 784) and X.dtype == np.uint8
    assert Xt.shape == (10000, 784) and Xt.dtype == np.uint8
    assert y.shape == (60000,) and yt.shape == (10000,) and y.dtype == np.int64
    assert np.array_equal(np.bincount(y), np.full(10, 6000))
    assert np.array_equal(np.bincount(yt), np.full(10, 1000))


def test_digits():
    X, y, Xt, yt = datasets.load_digits()
    assert X.shape == (1437, 64) and Xt.shape == (360, 64)
    assert X.dtype == np.uint8 and y.dtype == np.int64 and yt.dtype == np.int64
    assert X.max() == 16 and X.min() == 0
    assert set(np.unique(y)) == set(range(10)) and set(np.unique(yt)) == set(range(10))
    assert np.bincount(yt).min() >= 35  # stratified: 35 or 36 of each class
    X2, y2, _, _ = datasets.load_digits()
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_digits_declared_as_package_data():
    """`pip install .` must ship fastnn/data/digits.npz (checked in pyproject.toml)."""
    tomllib = pytest.importorskip("tomllib")
    root = os.path.dirname(os.path.dirname(os.path.abspath(datasets.__file__)))
    pyproject = os.path.join(root, "pyproject.toml")
    if not os.path.exists(pyproject):
        pytest.skip("running against an installed fastnn")
    with open(pyproject, "rb") as f:
        config = tomllib.load(f)["tool"]["setuptools"]
    # a package of its own (setuptools warns it would stop shipping a data
    # directory that is not one), with its files as package data
    assert "fastnn.data" in config["packages"]
    assert {"*.npz", "README"} <= set(config["package-data"]["fastnn.data"])


@pytest.mark.parametrize("labels,code", [(np.array([0, -1, 3, 2, 1], np.int8), 0x09),
                                         (np.array([0, 2.7, 3, 2, 1], np.float32), 0x0D),
                                         (np.array([0, np.nan, 3, 2, 1], np.float32), 0x0D)])
def test_label_files_of_another_type_are_refused(tmp_path, labels, code):
    """-1, 2.7 or NaN would become a wrong class in the cast to int64."""
    write_set(tmp_path, compress=False)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels, code=code), False)
    with pytest.raises(ValueError, match="labels must be unsigned bytes 0..9, got %s"
                                         % labels.dtype):
        datasets.load_fashion_mnist(str(tmp_path))


@pytest.mark.parametrize("y", [np.array([0.0, 1e20] * 5), np.array([0, 2 ** 64 - 1] * 5,
                                                                   np.uint64)])
def test_file_labels_beyond_int64_are_refused(tmp_path, y):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((10, 3)), y=y)
    with pytest.raises(ValueError, match="labels must fit int64"):
        datasets.load_data(str(path))
