"""Argument checks shared by the public layers.  Every check runs before any C
code, and every message names the argument and its shape or value."""
import numpy as np

from . import _core
from ._values import is_sparse, values_of

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(x, name, ndim=None, dtype=None):
    """Return x as a float32/float64 ndarray without changing its dtype.

    Raises TypeError for anything that is not a float32/float64 array (ints,
    objects, mixed inputs are the caller's to convert explicitly) and
    ValueError for the wrong number of dimensions."""
    if not isinstance(x, np.ndarray):
        raise TypeError("%s must be a numpy array of float32 or float64, got %s"
                        % (name, type(x).__name__))
    if x.dtype not in FLOAT_DTYPES:
        if x.dtype.kind == "f" and not x.dtype.isnative:
            raise TypeError("%s has non-native byte order (%s): convert it with "
                            "x.astype(x.dtype.newbyteorder('='))" % (name, x.dtype))
        raise TypeError("%s must have dtype float32 or float64, got %s" % (name, x.dtype))
    if dtype is not None and x.dtype != dtype:
        raise TypeError("%s has dtype %s but the other operands are %s"
                        % (name, x.dtype, np.dtype(dtype)))
    if ndim is not None and x.ndim != ndim:
        raise ValueError("%s must be %d-D, got shape %s" % (name, ndim, x.shape))
    return x


def probability_targets(Y, loss, name="targets"):
    """Cross-entropy targets are weights of log-probabilities: a negative one
    (or, for binary cross-entropy, one over 1) makes a loss without a floor,
    which training would chase to minus infinity.  Softmax cross-entropy
    takes any non-negative weights (rows need not sum to 1).  Poisson targets
    are counts or rates: a negative one makes exp(z) - t z unbounded below
    too."""
    if loss not in ("cross_entropy", "binary_cross_entropy", "poisson") or not Y.size:
        return Y
    high = 1 if loss == "binary_cross_entropy" else np.inf
    ok = (Y >= 0) & (Y <= high)
    if not ok.all():
        raise ValueError("%s %s must be in %s, got %g"
                         % (loss, name, "[0, 1]" if high == 1 else "[0, inf)",
                            Y[~ok].ravel()[0]))
    return Y


def check_loaded_classes(classes, name="classes", minimum=2):
    """Class labels read from a model file: a 1-D array of at least `minimum`
    distinct labels in sorted order, as fitting makes them (np.unique); an
    edited file with other labels would predict nonsense or fail in predict."""
    classes = np.asarray(classes)
    if classes.ndim != 1 or len(classes) < minimum or \
            not np.array_equal(np.unique(classes), classes):
        raise ValueError("%s must be a list of at least %d distinct labels in sorted order, "
                         "got %.80r" % (name, minimum, classes.tolist()))
    return classes


def row_major_view(x):
    """(array, transposed, ld) such that x == array (or array.T if transposed),
    where array is row-major with unit column stride and row stride ld elements.
    Copies only when neither x nor x.T has that layout (the test is
    _core.row_major_layout, shared with ops.matmul's fast path)."""
    layout = _core.row_major_layout(x)
    if layout is not None:
        flipped, ld = layout
        return (x.T if flipped else x), flipped, ld
    return np.ascontiguousarray(x), False, max(x.shape[1], 1)


def check_rate(rate, name="rate"):
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise TypeError("%s must be a number in [0, 1), got %r" % (name, rate)) from None
    except OverflowError:  # an int beyond the float range
        raise ValueError("%s must be in [0, 1), got %r" % (name, rate)) from None
    if not (0.0 <= rate < 1.0):
        raise ValueError("%s must be in [0, 1), got %r" % (name, rate))
    return rate


def contiguous_float(x, name, ndim=None, dtype=None):
    """float_array(...) as a C-contiguous array (copied only when needed).
    The shape is kept: np.ascontiguousarray alone turns a 0-d array into (1,)."""
    x = float_array(x, name, ndim=ndim, dtype=dtype)
    return np.ascontiguousarray(x).reshape(x.shape)


def same_shape(x, name, shape):
    if x.shape != tuple(shape):
        raise ValueError("%s must have shape %s, got %s" % (name, tuple(shape), x.shape))
    return x


# Names and their C codes, from the tables of csrc/vocab.h (via _core).
ACTIVATIONS = {name: row["code"] for name, row in _core.ACTIVATIONS.items()}
ACTIVATION_ALIASES = dict(_core.ACTIVATION_ALIASES)
# activations whose layers MLP initialises He-uniform (the rest Glorot-uniform)
HE_INIT_ACTIVATIONS = frozenset(name for name, row in _core.ACTIVATIONS.items()
                                if row["init"] == "he")
LOSSES = dict(_core.LOSSES)
OUTPUTS = dict(_core.OUTPUTS)
# "adamw" is Adam with decoupled weight decay: the same C optimizer
OPTIMIZERS = {**_core.OPTIMIZERS, "adamw": _core.OPTIMIZERS["adam"]}
DROPOUT_MODES = dict(_core.DROPOUT_MODES)
ADAM_EPS_STYLES = dict(_core.ADAM_EPS_STYLES)


def canonical_activation(name):
    """The activation's own name for an alias ("logistic" -> "sigmoid",
    "linear" -> "identity"); anything else is returned unchanged."""
    if isinstance(name, str):
        return ACTIVATION_ALIASES.get(name, name)
    return name

def choice(value, options, name):
    """The code of `value` among `options` (a dict), or a ValueError listing them."""
    if isinstance(value, str) and value in options:
        return options[value]
    raise ValueError("%s must be one of %s, got %r" % (name, ", ".join(map(repr, options)), value))


def check_compute(compute):
    """True for bfloat16 compute, False for the arrays' own dtype (None)."""
    if compute is None:
        return False
    return choice(compute, {"bfloat16": True}, "compute")


def activation_code(name):
    return choice(canonical_activation(name), ACTIVATIONS, "activation")


def finite_number(value, name, low=None, high=None, low_open=False):
    """A float within [low, high] (or (low, high] if low_open); TypeError/ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError("%s must be a number, got %r" % (name, value))
    try:
        value = float(value)
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        raise ValueError("%s must be finite, got an int too large for a float" % name) from None
    if not np.isfinite(value):
        raise ValueError("%s must be finite, got %r" % (name, value))
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError("%s must be %s %s, got %r"
                         % (name, ">" if low_open else ">=", low, value))
    if high is not None and value > high:
        raise ValueError("%s must be <= %s, got %r" % (name, high, value))
    return value


def whole_number(value, name, low=0, high=None):
    """An int (NumPy's too; not a bool) within [low, high]; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low \
            or (high is not None and value > high):
        raise ValueError("%s must be an int >= %d%s, got %r"
                         % (name, low, "" if high is None else " and <= %d" % high, value))
    return int(value)


def store_params(obj, params):
    """Set every constructor argument (locals() of __init__) as an attribute of
    the same name: scikit-learn's convention, no logic in __init__."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(obj, name, value)


# ---- shared by the estimators (MLP, the scikit-learn drop-ins, the linear models) ----

def seed_from(random_state):
    """A 64-bit seed from None (fresh entropy), an int, or a numpy RandomState/Generator."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if not 0 <= random_state < 2 ** 64:  # the generator's seed is 64 bits: no wrap
            raise ValueError("random_state must be in [0, 2**64), got %r" % random_state)
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2 ** 63 - 1, dtype=np.int64))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2 ** 63 - 1))
    raise TypeError("random_state must be None, an int or a numpy RandomState/Generator, "
                    "got %r" % (random_state,))


def dropout_rates(dropout, n_hidden):
    """One drop rate per hidden layer from a float or a sequence."""
    if np.ndim(dropout) == 0:
        return [check_rate(dropout, "dropout")] * n_hidden
    rates = [check_rate(r, "dropout") for r in dropout]
    if len(rates) != n_hidden:
        raise ValueError("dropout has %d rates but the network has %d hidden layers"
                         % (len(rates), n_hidden))
    return rates


def split_rows(n_rows, share, seed):
    """(train, validation) row indices, each sorted: a seeded `share` of
    n_rows rows (at least one) held out, the rest to train on (possibly
    none: the caller says what that means)."""
    n_val = min(n_rows, max(1, int(round(n_rows * share))))
    perm = np.random.default_rng(seed).permutation(n_rows)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def as_features(X, n_features, dtype, name="X", sparse=False):
    """X as a C-contiguous 2-D array of `dtype`, checked for shape and
    finiteness.  sparse: a SciPy sparse X stays sparse, as a CSR matrix of
    `dtype` with its values checked (a forward pass makes it dense a chunk
    of rows at a time); else it is made dense whole."""
    if sparse and is_sparse(X) and len(X.shape) == 2:  # 1-D sparse arrays: refused below
        X = X.tocsr()
        if X.shape[1] != n_features:
            raise ValueError("%s has %d features but the model expects %d"
                             % (name, X.shape[1], n_features))
        data = as_features(X.data.reshape(-1, 1), 1, dtype, name)
        return type(X)((data.ravel(), X.indices, X.indptr), shape=X.shape)
    columns = getattr(X, "columns", None)  # a DataFrame's: the message names the bad ones
    X = values_of(X, name)
    if X.dtype.kind not in "fiub":
        raise TypeError("%s must be numeric, got dtype %s" % (name, X.dtype))
    if X.ndim != 2:
        raise ValueError("%s must be 2-D (samples, features), got shape %s" % (name, X.shape))
    if X.shape[1] != n_features:
        raise ValueError("%s has %d features but the model expects %d"
                         % (name, X.shape[1], n_features))
    original = X
    if X.dtype.itemsize > np.dtype(dtype).itemsize:  # narrowing: overflow is said below
        with np.errstate(over="ignore"):
            X = np.ascontiguousarray(X, dtype=dtype)
    else:
        X = np.ascontiguousarray(X, dtype=dtype)
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        if original.dtype.kind == "f" and np.isfinite(original).all():
            raise ValueError("%s has values beyond the range of %s (largest magnitude %g): "
                             "scale them" % (name, X.dtype, np.abs(original).max()))
        if columns is None:
            raise ValueError("%s contains NaN or infinity" % name)
        bad = [str(c) for c, ok in zip(columns, np.isfinite(X).all(axis=0)) if not ok]
        raise ValueError("%s contains NaN (a missing value) or infinity in column(s) %s"
                         % (name, ", ".join(bad[:5])))
    return X


def row_weights(sample_weight, n_rows, dtype):
    """fastnn.MLP.fit's sample_weight: n_rows finite weights >= 0, not all 0,
    divided by the largest and then of `dtype` (each batch's loss is their
    weighted mean; rows whose weight is or rounds to 0 are left out, so no
    batch sums to 0)."""
    w = np.asarray(values_of(sample_weight, "sample_weight"))
    if w.ndim != 1 or w.shape[0] != n_rows:
        raise ValueError("sample_weight must have shape (%d,), got %s" % (n_rows, w.shape))
    if w.dtype.kind not in "fiub":
        raise TypeError("sample_weight must be numeric, got dtype %s" % w.dtype)
    w = w.astype(np.float64)
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and >= 0")
    if not w.any():
        raise ValueError("sample_weight is 0 for every row: nothing to train on")
    # a weighted mean does not see their scale: divided by the largest, they
    # fit any dtype (1e39 or 1e-50 in float32); one under dtype's range
    # relative to it rounds to 0 and its row is left out
    return np.ascontiguousarray(w / w.max(), dtype=dtype)


def storable_seed(random_state):
    """random_state as a model file keeps it: an int (NumPy's too) or None (a
    Generator or RandomState object is training-only state)."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    return None


def check_max_grad_norm(value):
    """None (no clipping) or a finite number > 0 (the global gradient norm's cap)."""
    if value is None:
        return None
    return finite_number(value, "max_grad_norm", low=0, low_open=True)


def accuracy(pred, y):
    """Share of labels in y equal to pred, one per sample (ValueError when
    the counts differ: a length-1 y must not broadcast)."""
    y = np.asarray(y).ravel()
    if y.shape[0] != pred.shape[0]:
        raise ValueError("X has %d samples but y has %d" % (pred.shape[0], y.shape[0]))
    return float(np.mean(pred == y))


class _NotFittedError(ValueError, AttributeError):
    """The model is not fitted yet: raised when scikit-learn, whose
    NotFittedError is raised otherwise, is not installed."""


def not_fitted(model, action="call fit first"):
    """scikit-learn's NotFittedError (a ValueError and an AttributeError) for
    an unfitted `model`, or the same kind of error without scikit-learn."""
    # imported only here: `import fastnn` must not import scikit-learn
    try:
        from sklearn.exceptions import NotFittedError
    except ImportError:
        NotFittedError = _NotFittedError
    return NotFittedError("this %s is not fitted yet; %s" % (type(model).__name__, action))
