"""Datasets: Fashion-MNIST and MNIST from IDX files, a small bundled digits
set, and load_data, the command line's --data (its CSV and NPZ files are
read by fastnn/_data_files.py).

The IDX loaders never download anything.  They look in ``path``, else in
``$FASTNN_DATA`` (its ``<name>`` subdirectory first, then the directory
itself), else in the Debian location ``/usr/share/datasets/<name>``.
"""
import gzip
import math
import os
import re
import zlib

import numpy as np

from . import _data_files
from ._data_files import DataFileError  # noqa: F401 (raised by load_data, public here)

BUILTIN_DATA = ("fashion-mnist", "mnist", "digits")


# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype.
_IDX_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}

_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

_HINTS = {
    "fashion-mnist": ("install them with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), "
                      "or download the four IDX files (%s) from "
                      "https://github.com/zalandoresearch/fashion-mnist (data/fashion) "
                      "into $FASTNN_DATA or $FASTNN_DATA/fashion-mnist"),
    "mnist": ("download the four IDX files (%s), e.g. from "
              "https://ossci-datasets.s3.amazonaws.com/mnist/ (a mirror of "
              "http://yann.lecun.com/exdb/mnist/), into $FASTNN_DATA or $FASTNN_DATA/mnist"),
}


def read_idx(filename):
    """Read one IDX file (gzip or plain) into an array of its stored shape.

    Parameters
    ----------
    filename : str or path-like

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        The magic number, the dimensions or the byte length are wrong (a
        truncated or corrupt file); the message names the file.
    """
    try:
        with open(filename, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
            raw = gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError("%s: cannot read as gzip or IDX (%s)" % (filename, exc)) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError("%s: not an IDX file (bad magic number %r)" % (filename, raw[:4]))
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError("%s: unknown IDX data type 0x%02x" % (filename, code))
    if ndim < 1 or len(raw) < 4 + 4 * ndim:
        raise ValueError("%s: IDX header truncated or has %d dimensions" % (filename, ndim))
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = math.prod(dims) * dtype.itemsize  # Python ints: no overflow on bogus dims
    got = len(raw) - 4 - 4 * ndim
    if got != expected:
        raise ValueError("%s: IDX data is %d bytes but dimensions %s need %d (truncated or "
                         "corrupt file)" % (filename, got, dims, expected))
    data = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim).reshape(dims)
    return data.astype(dtype.newbyteorder("="), copy=True)


def _find(directory, stem):
    for name in (stem + ".gz", stem):
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _candidate_dirs(name, path):
    if path is not None:
        return [os.fspath(path)]
    dirs = []
    env = os.environ.get("FASTNN_DATA")
    if env:
        dirs += [os.path.join(env, name), env]
    dirs.append(os.path.join("/usr/share/datasets", name))
    return dirs


def _load_idx_set(name, path):
    dirs = _candidate_dirs(name, path)
    for directory in dirs:
        found = {key: _find(directory, stem) for key, stem in _FILES.items()}
        if all(found.values()):
            break
    else:
        stems = ", ".join(s + "[.gz]" for s in _FILES.values())
        raise FileNotFoundError("%s not found (looked in %s); %s"
                                % (name, ", ".join(dirs), _HINTS[name] % stems))
    out = []
    for split in ("train", "test"):
        images = read_idx(found[split + "_images"])
        labels = read_idx(found[split + "_labels"])
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise ValueError("%s: expected uint8 images of shape (n, 28, 28), got %s %s"
                             % (found[split + "_images"], images.dtype, images.shape))
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise ValueError("%s: expected %d labels, got shape %s"
                             % (found[split + "_labels"], images.shape[0], labels.shape))
        # unsigned bytes as the format's label files hold (another type could
        # carry -1, 2.7 or NaN, which a cast would turn into a wrong class)
        if labels.dtype != np.uint8:
            raise ValueError("%s: labels must be unsigned bytes 0..9, got %s"
                             % (found[split + "_labels"], labels.dtype))
        if labels.size and labels.max() > 9:
            raise ValueError("%s: labels must be unsigned bytes 0..9, got max %d"
                             % (found[split + "_labels"], labels.max()))
        out += [images.reshape(-1, 784), labels.astype(np.int64)]
    return tuple(out)


def load_fashion_mnist(path=None):
    """Fashion-MNIST as (X_train, y_train, X_test, y_test), never downloaded.

    Parameters
    ----------
    path : str or path-like, optional
        Directory of the four IDX files (``train-images-idx3-ubyte[.gz]``...);
        default: ``$FASTNN_DATA/fashion-mnist``, ``$FASTNN_DATA``, then
        ``/usr/share/datasets/fashion-mnist``.

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        X uint8 of shape (60000, 784) / (10000, 784), y int64 in 0..9 (the
        counts are whatever the files hold; images must be 28x28).

    Raises
    ------
    FileNotFoundError
        No directory holds the files; the message says how to get them.
    ValueError
        A file is corrupt or not 28x28 uint8 images with labels 0..9.
    """
    return _load_idx_set("fashion-mnist", path)


def load_mnist(path=None):
    """MNIST as (X_train, y_train, X_test, y_test); see load_fashion_mnist.

    Parameters
    ----------
    path : str or path-like, optional
        As in load_fashion_mnist (default subdirectory ``mnist``).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
    """
    return _load_idx_set("mnist", path)


def load_digits():
    """The 8x8 handwritten digits bundled with fastnn.

    1797 samples of 64 uint8 features in 0..16, 10 classes, split 1437/360
    (stratified, fixed seed; the split is stored in the file).  Source: UCI
    Optical Recognition of Handwritten Digits, CC BY 4.0 (see fastnn/data/README).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        X uint8 (n, 64), y int64 in 0..9.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = fastnn.datasets.load_digits()
    >>> X_train.shape, X_test.shape
    ((1437, 64), (360, 64))
    """
    filename = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "digits.npz")
    with np.load(filename, allow_pickle=False) as f:
        return (f["X_train"], f["y_train"].astype(np.int64),
                f["X_test"], f["y_test"].astype(np.int64))


def _idx_kind(directory):
    """The recipe of a directory of IDX files: MNIST's where its name (or,
    for torchvision's MNIST/raw, its parent's) has the word mnist and not
    fashion, else Fashion-MNIST's."""
    parts = os.path.normpath(os.path.abspath(directory)).split(os.sep)
    name = parts[-2] if parts[-1].lower() == "raw" and len(parts) > 1 else parts[-1]
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    return "mnist" if "mnist" in words and "fashion" not in words else "fashion-mnist"


def load_data(spec, seed=0, split=True):
    """(kind, X_train, y_train, X_test, y_test) for a ``--data`` argument of the CLI.

    Parameters
    ----------
    spec : str
        fashion-mnist, mnist, digits, a directory of the four IDX files of
        Fashion-MNIST (or of MNIST, when its name says mnist and not
        fashion: the recipe follows), or a .csv (features then a label column;
        an optional header line) or .npz (X_train, y_train[, X_test, y_test],
        or X, y) file; each X is samples x features (more dimensions, e.g.
        images, are flattened per sample), each y one label per sample.
    seed : int, default 0
        Shuffles the held-out part of a file without a test split.
    split : bool, default True
        Hold out 1/6 of a file without a test split; if False, all of it is
        the test set and the training set is empty.

    Returns
    -------
    kind : str
        ``spec`` for a built-in set, else "file".
    X_train, y_train, X_test, y_test : ndarray

    Raises
    ------
    DataFileError
        The file is missing, unreadable or inconsistent (one line says why).
    """
    if spec in BUILTIN_DATA:
        loader = {"fashion-mnist": load_fashion_mnist, "mnist": load_mnist,
                  "digits": load_digits}[spec]
        return (spec,) + tuple(loader())
    if os.path.isdir(spec):  # the four IDX files of Fashion-MNIST or MNIST, elsewhere
        kind = _idx_kind(spec)
        missing = [s + "[.gz]" for s in _FILES.values() if not _find(spec, s)]
        if missing:
            raise DataFileError("%s: missing %s (a directory holds the four IDX files of "
                                "Fashion-MNIST or MNIST)" % (spec, ", ".join(missing)))
        try:
            return (kind,) + tuple(_load_idx_set(kind, spec))
        except (OSError, ValueError) as exc:
            raise DataFileError("%s: %s" % (spec, exc)) from None
    ext = os.path.splitext(spec)[1].lower()
    if ext not in (".csv", ".npz"):
        raise DataFileError("unknown dataset %r: use one of %s, a .csv or .npz file, or a "
                            "directory of the four IDX files of Fashion-MNIST or MNIST"
                            % (spec, ", ".join(BUILTIN_DATA)))
    if not os.path.isfile(spec):
        raise DataFileError("no such data file: %s" % spec)
    arrays = _data_files.read_csv(spec) if ext == ".csv" else _data_files.read_npz(spec)
    if "X_test" in arrays:
        parts = [arrays[k] for k in ("X_train", "y_train", "X_test", "y_test")]
    else:
        X, y = (arrays["X_train"], arrays["y_train"]) if "X_train" in arrays else \
            (arrays["X"], arrays["y"])
        if split:
            order = np.random.default_rng(seed).permutation(len(X))
            n_test = len(X) // 6
            parts = [X[order[n_test:]], y[order[n_test:]], X[order[:n_test]], y[order[:n_test]]]
        else:
            parts = [X[:0], y[:0], X, y]
    X_train, X_test = _data_files.features(parts[0], spec), _data_files.features(parts[2], spec)
    y_train, y_test = _data_files.labels(parts[1], spec), _data_files.labels(parts[3], spec)
    return "file", X_train, y_train, X_test, y_test
