"""The numpydoc docstrings of fastnn.ops, which help() and the documentation
site show.  They live here because ops.py, with them, would pass the
400-line module limit; ops.py keeps a one-line summary on each function and
attaches these texts when it is imported."""

DOCS = {}

DOCS['matmul'] = """Return op(a) @ op(b), C-contiguous, in the inputs' dtype.

Parameters
----------
a, b : ndarray
    2-D, any strides, C or Fortran order; op(a) is (m, k), op(b) (k, n).
trans_a, trans_b : bool
    ``a`` is stored transposed, (k, m); likewise ``b``, (n, k).
out : ndarray, optional
    C-contiguous (m, n) array of the same dtype to write; may alias an input.
compute : {None, "bfloat16"}
    "bfloat16" (float32 only): both operands rounded to bfloat16 (nearest,
    ties to even), products summed in float32; twice the speed on CPUs with
    AVX512-BF16 (``fastnn.show_config()``), the same numbers elsewhere.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray
    The (m, n) product (``out`` if given).

Raises
------
ValueError
    Inner sizes differ, or ``out`` has the wrong shape or layout.
TypeError
    Not float arrays, dtypes differ, or bfloat16 compute on float64.

Examples
--------
>>> fastnn.ops.matmul(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32), trans_b=True)
array([[3., 3.],
       [3., 3.]], dtype=float32)"""

DOCS['linear'] = """g(x @ w + b): a fused dense layer.

Parameters
----------
x, w : ndarray
    (m, k) inputs and (k, n) weights.
b : ndarray or None
    (n,) bias.
activation : str
    g, a name of ``activation``.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray
    (m, n)."""

DOCS['linear_backward'] = """(dx, dw, db) of a = g(x @ w + b) given da = dL/da.

Parameters
----------
x, w : ndarray
    The forward's (m, k) input and (k, n) weights.
z, a, da : ndarray
    (m, n): the forward's x @ w + b and a, and dL/da.
activation : str
    The forward's g.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
dx, dw, db : ndarray
    (m, k), (k, n) and (n,)."""

DOCS['activation'] = """g(z) elementwise, any shape.

Parameters
----------
z : ndarray
name : str
    identity, relu, leaky_relu, tanh, sigmoid (logistic), elu, gelu, softplus.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray"""

DOCS['activation_grad'] = """da * g'(z), where a = g(z) (kernels use whichever is cheaper).

Parameters
----------
name : str
    g, as in ``activation``.
z, a, da : ndarray
    One shape.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray"""

DOCS['column_sums'] = """x.sum(axis=0) in a fixed order: bit-identical for any thread count.

Parameters
----------
x : ndarray
    2-D.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray"""

DOCS['softmax'] = """Row-wise softmax, max-shifted: no overflow for any finite z.

Parameters
----------
z : ndarray
    2-D.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray"""

DOCS['log_softmax'] = """Row-wise log-softmax, max-shifted.

Parameters
----------
z : ndarray
    2-D.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray"""

DOCS['softmax_grad'] = """dL/dz for a = softmax(z) given da = dL/da (row-wise Jacobian product).

Parameters
----------
a, da : ndarray
    2-D, one shape.
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray"""

DOCS['loss'] = """(value, grad): the loss summed over outputs and averaged over rows, and
its gradient with respect to ``logits``.

Parameters
----------
name : {"cross_entropy", "binary_cross_entropy", "mse"}
    Softmax cross-entropy from logits; sigmoid cross-entropy from logits
    (target in [0, 1]); 1/2 sum (target - logits)^2.
logits : ndarray
    (m, n).
target : ndarray
    (m, n) values, or for cross_entropy (m,) integer class labels.
label_smoothing : float, default 0.0
    eps in [0, 1], cross-entropies only (as PyTorch): targets
    (1 - eps) t + eps / n for cross_entropy, t (1 - eps) + eps / 2 for
    binary_cross_entropy.
probability_clip : float, default 0.0
    c in [0, 0.5), cross-entropies only: the value as scikit-learn's
    log_loss reports it, each probability clipped to [c, 1 - c] before its
    log (each -log p clamped to [-log1p(-c), -log(c)]; scikit-learn uses
    c = numpy.finfo(dtype).eps).  The gradient is never clipped; 0 gives
    the exact loss.

Returns
-------
value : float
grad : ndarray"""

DOCS['dropout'] = """(y, mask): Bernoulli dropout with drop probability ``rate``.

Element i (row-major) is kept iff rng_bits(seed, offset + i) >> 40 is at
least ceil(rate * 2**24).

Parameters
----------
x : ndarray
rate : float
    In [0, 1).
seed, offset : int
    In [0, 2**64): the same ones give the same mask.
mode : {"inverted", "classic"}
    inverted: y = x * mask / (1 - rate); classic: y = x * mask (scale by
    1 - rate at inference instead).
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
y : ndarray
mask : ndarray of uint8"""

DOCS['dropout_backward'] = """dL/dx of dropout: the same mask and scale applied to dy.

Parameters
----------
dy : ndarray
mask : ndarray of uint8 or bool
    ``dropout``'s mask.
rate : float
mode : {"inverted", "classic"}
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray"""

DOCS['rng_bits'] = """The counter-based generator behind every random draw (a uint64).

Parameters
----------
seed, counter : int
    In [0, 2**64).

Returns
-------
int"""

DOCS['sgd_step'] = """One SGD step in place.  g = grad + l2 p + l1 sign(p); p -= lr wd p; then
momentum 0: p -= lr g, else v = momentum v - lr g and
p += (momentum v - lr g if nesterov else v).

Parameters
----------
params, grad : ndarray
    One shape; ``params`` writeable C-contiguous, updated.
velocity : ndarray, optional
    Updated; needed when momentum > 0.
lr, momentum, l1, l2, weight_decay : float
    >= 0; momentum <= 1.
nesterov : bool
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray
    ``params``."""

DOCS['adam_step'] = """One Adam (AdamW when weight_decay > 0) step in place, t >= 1.

eps_style "hat": p -= lr mhat / (sqrt(vhat) + eps) (Kingma & Ba, PyTorch);
"sklearn": p -= lr sqrt(1 - beta2^t) / (1 - beta1^t) m / (sqrt(v) + eps).

Parameters
----------
params, grad, m, v : ndarray
    One shape; params, m and v writeable C-contiguous, updated.
t : int
    The step, >= 1.
lr, beta1, beta2, eps, l1, l2, weight_decay : float
    >= 0; beta1, beta2 < 1.
eps_style : {"hat", "sklearn"}
n_threads : int, optional
    Most threads to use (module notes); results do not depend on it.

Returns
-------
ndarray
    ``params``."""


def attach(namespace):
    """Set the docstring of each function of ``namespace`` (ops' globals()) named in DOCS."""
    for name, doc in DOCS.items():
        namespace[name].__doc__ = doc
