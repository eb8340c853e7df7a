"""ScaledModel: a model with its input preprocessing and labels, the model
that ``fastnn train --save`` writes.  It is registered with fastnn.io as
"ScaledModel" (files name only that); it is also importable as
fastnn.cli.ScaledModel, its home before."""
import numpy as np

from . import io
from ._validate import accuracy, check_loaded_classes
from ._values import values_of

TRANSFORM_BLOCK_ELEMENTS = 1 << 16  # float64 scratch of preprocess: 512 KiB, about an L2


@io.register
class ScaledModel:
    """A classifier that remembers its input preprocessing and its labels.

    ``predict_proba(X) = model.predict((X - offset) / scale)`` (per feature), and
    ``predict`` maps the most probable output back to the original label.

    Parameters
    ----------
    model : MLP
        The network, trained on preprocessed inputs.
    offset, scale : array-like
        Per-feature preprocessing (float64).
    classes : array-like of int
        The label of each output.
    """

    def __init__(self, model, offset, scale, classes):
        from .model import MLP  # scaled.py is imported by model's importers
        if not isinstance(model, MLP):
            raise TypeError("ScaledModel wraps a fastnn.MLP (its predict gives one column per "
                            "class), got %s" % type(model).__name__)
        self.model = model
        self.offset = np.asarray(offset, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.classes = np.asarray(classes, dtype=np.int64)

    @property
    def n_features(self):
        return self.offset.shape[0]

    def transform(self, X):
        """(X - offset) / scale in the model's input dtype.

        Parameters
        ----------
        X : array-like
            (n, n_features).

        Returns
        -------
        ndarray

        Raises
        ------
        ValueError
            X does not have n_features columns.
        """
        X = values_of(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError("the model expects %d features per sample, the data has shape %s"
                           % (self.n_features, X.shape))
        dtype = self.model.get_params().get("dtype", "float32")
        dtype = "float32" if dtype == "bfloat16" else dtype  # float32 weights and inputs
        return preprocess(X, self.offset, self.scale, dtype)

    def predict_proba(self, X):
        """The model's outputs on the preprocessed X.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        ndarray
        """
        return self.model.predict(self.transform(X))

    def predict(self, X):
        """The most probable label per sample (with one sigmoid output, the
        second of two classes where it is at least 0.5).

        Parameters
        ----------
        X : array-like

        Returns
        -------
        ndarray of int64
        """
        P = self.predict_proba(X)
        index = (P[:, 0] >= 0.5).astype(np.int64) if P.shape[1] == 1 else np.argmax(P, axis=1)
        return self.classes[index]

    def score(self, X, y):
        """Accuracy of predict(X) against y.

        Parameters
        ----------
        X : array-like
        y : array-like

        Returns
        -------
        float
        """
        return accuracy(self.predict(X), y)

    def _fastnn_state(self):
        inner_meta, inner_arrays = self.model._fastnn_state()
        meta = {"model_class": io.class_name(type(self.model)), "model_meta": inner_meta,
                "n_features": int(self.n_features), "classes": self.classes.tolist()}
        arrays = {"preprocess.offset": self.offset, "preprocess.scale": self.scale}
        arrays.update({"model." + k: v for k, v in inner_arrays.items()})
        return meta, arrays

    @classmethod
    def _from_fastnn_state(cls, meta, arrays):
        inner_cls = io.resolve(meta["model_class"])
        if inner_cls.__name__ != "MLP":
            raise ValueError("a ScaledModel wraps an MLP, the file names %s" % inner_cls.__name__)
        n = meta["n_features"]
        offset, scale = arrays["preprocess.offset"], arrays["preprocess.scale"]
        if offset.shape != (n,) or scale.shape != (n,):
            raise ValueError("preprocess arrays have shapes %s, %s; meta says %d features"
                             % (offset.shape, scale.shape, n))
        if offset.dtype != np.float64 or scale.dtype != np.float64:
            raise ValueError("preprocess arrays must be float64")
        if not (np.all(np.isfinite(offset)) and np.all(np.isfinite(scale)) and np.all(scale > 0)):
            raise ValueError("preprocess arrays hold non-finite or non-positive scales")
        allowed = getattr(inner_cls, "_fastnn_dtypes", io.DEFAULT_DTYPES)
        inner = {}
        for k, v in arrays.items():
            if k.startswith("model."):
                if v.dtype.name not in allowed:
                    raise ValueError("tensor %r has dtype %s" % (k, v.dtype))
                inner[k[len("model."):]] = v
        classes = meta["classes"]
        if not isinstance(classes, list) or not all(type(c) is int for c in classes):
            raise ValueError("classes must be a list of ints")
        check_loaded_classes(classes)
        model = inner_cls._from_fastnn_state(meta["model_meta"], inner)
        coefs = getattr(model, "coefs_", None)
        outputs = coefs[-1].shape[1] if coefs else 0  # one sigmoid output: two classes
        if coefs and (coefs[0].shape[0] != n or len(classes) != max(outputs, 2)):
            raise ValueError("the model maps %d features to %d outputs; meta says %d features "
                             "and %d classes" % (coefs[0].shape[0], coefs[-1].shape[1], n,
                                                 len(classes)))
        return cls(model, offset, scale, classes)


def preprocess(X, offset, scale, dtype):
    """(X - offset) / scale in float64, as one expression would compute it,
    returned in `dtype`: a block of rows at a time, so no float64 copy of the
    whole data set is made (for Fashion-MNIST, two of 376 MB)."""
    out = np.empty(X.shape, dtype)
    rows = max(1, TRANSFORM_BLOCK_ELEMENTS // max(1, X.shape[1]))
    work = np.empty((min(rows, len(X)), X.shape[1]))
    for start in range(0, len(X), rows):
        chunk = X[start:start + rows]
        block = work[:len(chunk)]
        np.subtract(chunk, offset, out=block)
        np.divide(block, scale, out=block)
        with np.errstate(over="ignore"):
            out[start:start + len(chunk)] = block
        if out.dtype != block.dtype and not np.isfinite(out[start:start + len(chunk)]).all() \
                and np.isfinite(block).all():  # finite, but not in the narrower dtype
            raise ValueError("inputs reach %.3g after preprocessing, beyond %s's range "
                             "(%.3g): standardize them, or train in float64"
                             % (np.abs(block).max(), out.dtype.name, np.finfo(out.dtype).max))
    return out


def column_std(X, mean):
    """X.std(axis=0, dtype=np.float64) given X.mean(axis=0, dtype=np.float64),
    the same bits, a block of rows at a time: NumPy's own makes a float64 copy
    of X (for Fashion-MNIST, 376 MB).  Over rows laid out one after another
    NumPy's axis-0 sum adds row after row, so each block's squares are summed
    after a first row holding the sum so far, in the order of one pass over
    all of X.  Where columns are contiguous (one feature, Fortran order) it
    sums pairwise instead: those take NumPy's own."""
    n, d = X.shape
    if d < 2 or abs(X.strides[1]) > abs(X.strides[0]):
        return X.std(axis=0, dtype=np.float64)
    rows = max(1, TRANSFORM_BLOCK_ELEMENTS // max(1, d))
    work = np.empty((min(rows, n) + 1, d))
    work[0] = 0
    for start in range(0, n, rows):
        chunk = X[start:start + rows]
        block = work[1:len(chunk) + 1]
        np.subtract(chunk, mean, out=block)
        np.multiply(block, block, out=block)
        np.sum(work[:len(chunk) + 1], axis=0, out=work[0])
    return np.sqrt(work[0] / n) if n else np.full(d, np.nan)


def fit_preprocessing(X, pixel_max=None, standardize=False):
    """Per-feature (offset, scale) so that (X - offset) / scale is the model input."""
    if pixel_max is None and X.dtype == np.uint8:
        pixel_max = 255
    offset = np.zeros(X.shape[1])
    scale = np.full(X.shape[1], float(pixel_max or 1))
    if standardize:
        offset, std = column_moments(X)
        # a constant feature (std 0 up to rounding) is only centred
        scale = np.where(std > 1e-8 * (np.abs(offset) + 1), std, 1.0)
    return offset, scale


def column_moments(X):
    """(mean, std) of X's columns in float64: NumPy's bits (column_std), and
    for a feature past 1e154 or with a spread under 1e-150, whose sum or
    squares overflow or underflow, those of x / max|x| scaled back (NaN or
    inf in X stay non-finite)."""
    with np.errstate(over="ignore", under="ignore"):  # past float64: redone below
        mean = X.mean(axis=0, dtype=np.float64)
        std = column_std(X, mean)
    # squares past float64, or under its smallest (a spread of 1e-170 squares to 0)
    redo = ~(np.isfinite(mean) & np.isfinite(std)) | ((std < 1e-150) & (std > 0))
    zero = np.flatnonzero(std == 0)  # constant, or squares under the smallest float64
    if len(zero):
        redo[zero] = X[:, zero].max(axis=0) != X[:, zero].min(axis=0)
    if redo.any():
        mean[redo], std[redo] = _scaled_moments(X[:, redo])
    return mean, std


def _scaled_moments(X):
    """(mean, std) per column of X in float64 computed on x / max|x|, so
    that neither the sum nor the squares overflow (NaN or inf in X stay
    non-finite, for the caller's finiteness check to name)."""
    top = np.max(np.abs(X), axis=0).astype(np.float64)
    top = np.where((top > 0) & np.isfinite(top), top, 1.0)
    unit = X / top
    mean = unit.mean(axis=0, dtype=np.float64)
    return mean * top, unit.std(axis=0, dtype=np.float64) * top
