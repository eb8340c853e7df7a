"""Training on the inputs' principal components, saving a model of the full
inputs: ``PrincipalProjection`` finds the top k principal axes of the
(preprocessed) training inputs, projects rows onto them, and folds the
projection into the first layer of a model trained on the projections.

A first layer trained on k components, W_k (k x h), acts on a full row x as
W = A W_k (d x h, A the d x k axes) after the centring: x W + b - mean A W_k.
So the folded model is an ordinary MLP of d inputs whose first layer's rows
lie in the span of the axes, and it predicts what the reduced model predicts
on projected rows (up to rounding).  Training costs k/d of the first layer's
products: for Fashion-MNIST's 784 pixels, 256 components keep 95% of the
standardized pixels' variance, and the 784-1024-512-10 recipe trains in
0.6-0.7x the time, at 0.0022 lower validation and 0.0034 lower test
accuracy (docs/performance.md), so it is an option (`fastnn train
--components K`), not the recipe.
"""
import contextlib
import copy

import numpy as np

from . import ops
from ._values import values_of

# rows per block of the float64 products (each block 12.25 MiB for 784 columns)
BLOCK_ROWS = 2048


class PrincipalProjection:
    """The top `components` principal axes of X's rows.

    Parameters
    ----------
    X : ndarray
        (n, d) training inputs, already preprocessed (finite).
    components : int
        How many axes, 1 <= components <= d.

    Attributes
    ----------
    mean : ndarray
        (d,) the rows' mean (float64).
    axes : ndarray
        (d, components) orthonormal columns by decreasing variance, each
        with its largest-magnitude entry positive (float64).
    explained : float
        The share of the rows' variance the axes keep.

    Raises
    ------
    ValueError
        X has NaN or infinity, too few rows, or values whose covariance
        overflows float64; components out of range.
    TypeError
        X is not numeric, or components not an integer.
    """

    def __init__(self, X, components):
        if isinstance(components, bool) or not isinstance(components, (int, np.integer)):
            raise TypeError("components must be an integer, got %r" % (components,))
        X = _numeric(X)
        if X.ndim != 2 or len(X) < 2:
            raise ValueError("principal axes need a 2-d X of at least 2 rows, got shape %s"
                             % (X.shape,))
        if not 1 <= components <= X.shape[1]:
            raise ValueError("components must be between 1 and the %d features, got %d"
                             % (X.shape[1], components))
        with np.errstate(invalid="ignore", over="ignore"):  # NaN or inf: said below
            self.mean = X.mean(axis=0, dtype=np.float64)
        if not np.isfinite(self.mean).all() and np.isfinite(X).all():  # the sum overflowed
            raise ValueError("X is too large for principal axes: its mean overflows float64 "
                             "(scale the features)")
        covariance = _covariance(X, self.mean)
        if not np.isfinite(covariance).all():  # eigh would fail with a LinAlgError
            raise ValueError("X is too large for principal axes: its covariance overflows "
                             "float64 (scale the features)")
        with _one_blas_thread():
            values, vectors = np.linalg.eigh(covariance)
        order = np.argsort(values)[::-1][:components]
        axes = vectors[:, order]
        lead = axes[np.argmax(np.abs(axes), axis=0), np.arange(components)]
        self.axes = np.ascontiguousarray(axes * np.where(lead < 0, -1.0, 1.0))
        total = max(float(np.sum(np.clip(values, 0, None))), 1e-300)
        self.explained = float(np.sum(np.clip(values[order], 0, None))) / total

    @property
    def components(self):
        return self.axes.shape[1]

    def transform(self, X, dtype=np.float32):
        """The rows' components: (X - mean) @ axes.

        Computed in float64 by fastnn's product (the same bits for any thread
        count), a block of rows at a time (no float64 copy of X).

        Parameters
        ----------
        X : array-like
            (n, d) rows preprocessed as the rows the axes came from.
        dtype : dtype, default float32
            The dtype returned (the model's input dtype).

        Returns
        -------
        ndarray
            (n, components).

        Raises
        ------
        ValueError
            X does not have d columns, or contains NaN or infinity.
        TypeError
            X is not numeric.
        """
        X = _numeric(X)
        if X.ndim != 2 or X.shape[1] != self.axes.shape[0]:
            raise ValueError("X must have %d columns, got shape %s"
                             % (self.axes.shape[0], X.shape))
        out = np.empty((len(X), self.components), dtype)
        for start, block in _centred_blocks(X, self.mean):
            out[start:start + len(block)] = ops.matmul(block, self.axes)
        return out

    def fold(self, model):
        """The model of the full inputs that computes what `model` computes
        on their components.

        Parameters
        ----------
        model : MLP
            Trained on ``transform``'s output (``components`` inputs).

        Returns
        -------
        MLP
            A new model of d inputs: first layer ``axes @ W`` with its bias
            shifted by ``mean @ axes @ W``; the other layers, the settings
            and the training history are ``model``'s.

        Raises
        ------
        TypeError
            `model` is not a fastnn.MLP.
        ValueError
            `model` does not take ``components`` inputs.

        Examples
        --------
        >>> import numpy as np, fastnn
        >>> from fastnn.projection import PrincipalProjection
        >>> X = np.random.default_rng(0).standard_normal((200, 8)).astype(np.float32)
        >>> y = (X[:, 0] > 0).astype(int)
        >>> p = PrincipalProjection(X, 4)
        >>> small = fastnn.MLP([4, 16, 2], random_state=0)
        >>> _ = small.fit(p.transform(X), y, epochs=2)
        >>> p.fold(small).layer_sizes
        [8, 16, 2]
        """
        from .model import MLP
        if not isinstance(model, MLP):
            raise TypeError("fold takes a fastnn.MLP, got %s" % type(model).__name__)
        if model.layer_sizes[0] != self.components:
            raise ValueError("the model takes %d inputs, the projection gives %d"
                             % (model.layer_sizes[0], self.components))
        coefs, intercepts = model._checked_weights()
        # a copy keeps the settings, seed and history (random_state the same
        # object): MLP(**get_params()) would draw a new seed from a Generator
        # random_state, advancing the one `model` shares
        full = copy.deepcopy(model, {id(model.random_state): model.random_state})
        full.layer_sizes = [self.axes.shape[0], *model.layer_sizes[1:]]
        w = coefs[0].astype(np.float64)  # fastnn's products: the same bits on any threads
        shift = ops.matmul(ops.matmul(self.mean[None, :], self.axes), w)[0]
        full.coefs_[0] = ops.matmul(self.axes, w).astype(coefs[0].dtype)
        full.intercepts_[0] = (intercepts[0] - shift).astype(coefs[0].dtype)
        return full


def _numeric(X):
    X = values_of(X)  # sparse made dense, a DataFrame's mixed numeric columns as float64
    if X.dtype.kind not in "fiub":  # complex would lose its imaginary part unsaid
        raise TypeError("X must be numeric, got dtype %s" % X.dtype)
    return X


def _centred_blocks(X, mean):
    """(start, rows - mean) in float64, BLOCK_ROWS rows at a time; ValueError
    at NaN or infinity (eigh would fail on them, a product spread them)."""
    for start in range(0, len(X), BLOCK_ROWS):
        with np.errstate(invalid="ignore", over="ignore"):
            block = X[start:start + BLOCK_ROWS] - mean
        if not np.isfinite(block).all():
            raise ValueError("X contains NaN or infinity")
        yield start, block


def _covariance(X, mean):
    """The rows' covariance (float64), a block of rows at a time, with
    fastnn's product (k is never split between threads, so the sums are the
    same for any thread count)."""
    d = X.shape[1]
    total = np.zeros((d, d))
    for _, block in _centred_blocks(X, mean):
        total += ops.matmul(block, block, trans_a=True)
    return total / (len(X) - 1)


def _one_blas_thread():
    """LAPACK's eigh splits its sums between BLAS threads, so its bits depend
    on their number: with threadpoolctl installed (fastnn[all], [test]) it
    runs on one (for 784 columns also the faster choice, 0.1 s)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")
