"""The numpydoc docstrings of fastnn.MLP and its public methods, which help()
and the documentation site show.  They live here because model.py, with them,
would pass the 400-line module limit; model.py keeps short docstrings, and
fastnn/__init__.py attaches these texts when fastnn is imported.  A parameter
added to MLP or MLP.fit needs its line here (the docs build checks)."""
from .model import MLP

MLP_DOC = """A multi-layer perceptron: z = W x + b, a = g(z), layer by layer.

Every epoch (shuffle, batching, forward, loss, backward, dropout masks,
optimizer step) runs in C with the GIL released, over buffers allocated
once per fit.  The same ``random_state`` gives bit-identical weights and
results for any thread count.

Parameters
----------
layer_sizes : list of int
    [n_inputs, hidden..., n_outputs], at least two.
activation : str or list of str, default "relu"
    The hidden layers' g: identity, relu, leaky_relu, tanh, sigmoid (or
    logistic), elu, gelu or softplus; one name for every hidden layer, or a
    list of one per hidden layer (e.g. ["relu", "tanh"]).  Each layer is
    initialised for its own activation (He uniform for the ReLU family,
    Glorot uniform otherwise).
output : {"softmax", "sigmoid", "identity"}
    The output layer's activation.
loss : {"cross_entropy", "binary_cross_entropy", "mse"}
    cross_entropy needs softmax, binary_cross_entropy needs sigmoid; mse is
    1/2 (t - a)^2.  Every loss is summed over outputs and averaged over
    samples.
dropout : float or list of float, default 0.0
    The drop rate after each hidden layer (one for all, or one per layer),
    in [0, 1).
dtype : {"float32", "float64", "bfloat16"}
    bfloat16: float32 weights and activations with every training GEMM's
    operands rounded to bfloat16 and summed in float32 (vdpbf16ps on CPUs
    with AVX512-BF16, about twice the arithmetic rate); predictions use the
    float32 weights.
random_state : int or None
    Seed of the initial weights, shuffles, dropout masks and noise.
dropout_mode : {"inverted", "classic"}
    inverted scales kept units by 1/(1 - rate) while training; classic
    scales by the retain probability at inference instead.

Attributes
----------
coefs_, intercepts_ : list of ndarray
    Each layer's (n_in, n_out) weights and (n_out,) biases; they can be
    set by hand.
history_ : dict of list
    Per epoch: loss, learning_rate, elapsed (seconds since the fit began,
    the epoch's validation pass included), and with validation
    data val_loss and val_accuracy (the score; val_loss against the true
    targets, without label smoothing); per fit: stop_reason.
stop_reason_ : str
    Why the last fit stopped: "epochs" (all ran), "time" (max_time),
    "early_stopping", "callback" (a callback returned true) or
    "interrupted" (Ctrl-C; the fit then re-raises KeyboardInterrupt).
feature_names_in_ : ndarray of str or None
    The column names of the DataFrame the first fit after construction (or
    reset()) trained on, as scikit-learn's: predict, score, evaluate, a
    later fit and validation data must then have the same names in the same
    order (a ValueError otherwise; a warning for an array, which has none).
    None when it trained on an array.

Raises
------
ValueError
    A setting out of its range or an output/loss pair that does not match.

Examples
--------
>>> import fastnn
>>> X, y, X_test, y_test = fastnn.datasets.load_digits()
>>> model = fastnn.MLP([64, 128, 10], dropout=0.2, random_state=0)
>>> model.fit(X / 16.0, y, epochs=20, batch_size=32).score(X_test / 16.0, y_test)  # doctest: +SKIP
0.97...
"""

FIT_DOC = """Train, continuing from the current weights (reset() starts over).

Ctrl-C stops within a batch and leaves the model at its last completed
step; a non-finite loss, or an exception from augment or a callback,
restores the weights the model had before this fit.

Parameters
----------
X : array-like, DataFrame, sparse matrix, memmap or iterable
    (n_samples, n_inputs) features: an array; a pandas or polars DataFrame
    (mixed numeric columns read as float64; missing values, text and date
    columns refused by name; its column names become ``feature_names_in_``);
    a SciPy sparse matrix (made dense); or a memmap, slicing array-like or
    sparse matrix larger than fastnn._stream.STREAM_MIN_BYTES dense, read
    in chunks; or, with Y omitted, an iterable of (X, y) batches (one pass
    = one epoch) or a function returning a fresh one per epoch
    (docs/scale-out.md).
Y : array-like, optional
    (n_samples, n_outputs) targets, or integer (or bool) class labels for
    cross_entropy.
epochs : int, default 10
    Passes over the data (0: nothing is trained).
batch_size : int, default 32
    Samples per step.
optimizer : {"adam", "adamw", "sgd"}
    adam becomes adamw when weight_decay > 0.
learning_rate : float, default 1e-3
    The step size (> 0), or the schedule's start.
momentum : float, default 0.9
    sgd's momentum, in [0, 1].
nesterov : bool, default False
    Nesterov's momentum for sgd.
betas : (float, float), default (0.9, 0.999)
    Adam's moment decay rates, each in [0, 1).
eps : float, default 1e-8
    Adam's denominator term.
l1, l2 : float, default 0.0
    Penalties l1 ||W||_1 and l2/2 ||W||^2 on the weights (not biases).
weight_decay : float, default 0.0
    Decoupled weight decay (AdamW; sgd: p -= lr wd p).
lr_schedule : str or callable, default "constant"
    constant, step, cosine, invscaling, plateau (reduce on plateau), or a
    function epoch -> learning rate (fastnn/_schedules.py).
shuffle : bool, default True
    Reshuffle the samples each epoch.
validation_data : (X, Y), optional
    Held-out data scored after each epoch.
validation_split : float, default 0.0
    Fraction of X held out as validation data, in [0, 1).
early_stopping : bool, default False
    Stop after ``patience`` epochs without improvement of the validation
    loss (in memory, 0.1 of X is held out when neither validation argument
    is given) and restore the best weights.
patience : int, default 10
    Epochs without improvement before early stopping.
augment : callable, "shift", "flip", "erase" or a list of them, optional
    f(batch) -> batch of the same shape, applied to each batch's features;
    or image augmentation in the compiled epoch's batch gather (random
    shifts of at most max_shift pixels, horizontal flips, random erasing
    of a rectangle in half the images, drawn from the seed) of rows that
    are images of image_shape.
callbacks : sequence of callable
    callback(model, epoch, logs) after each epoch; a true result stops.
verbose : int, default 0
    Print one line per epoch (and a progress bar with tqdm).
input_noise : float, default 0.0
    Standard deviation of Gaussian noise added to each batch's features.
schedule_options : dict, optional
    Options of lr_schedule (step_size, gamma, min_lr, power_t, factor,
    patience, tol).
max_grad_norm : float, optional
    Cap of each step's global gradient norm over all weights and biases
    (PyTorch's ``clip_grad_norm_``), L1/L2 terms included, decoupled weight
    decay not; None leaves the fused update as it is.
max_time : float, optional
    A time budget in seconds: no epoch starts that is predicted to end
    later, ``epochs`` becomes an upper bound and the schedule is planned
    over the epochs predicted to fit, never raising the rate when the
    prediction grows (a timed fit repeats exactly only at the same speed);
    ``stop_reason_`` says why the fit stopped.
label_smoothing : float, default 0.0
    Label smoothing eps in [0, 1] of the cross-entropy losses (PyTorch's:
    targets (1 - eps) t + eps / n).
warmup_epochs : float, default 0
    The learning rate rises linearly from 0, per batch, over these epochs
    (batches from a function or iterator, whose count is unknown before
    the first epoch, cannot warm up: a ValueError says so).
image_shape : tuple, optional
    (H, W) or (H, W, C): the image each row holds (row-major, channels
    last); needed by a string augment, checked against X whenever given.
max_shift : int, default 2
    The largest shift of augment="shift", in pixels.
sample_weight : array-like, optional
    One weight >= 0 per row of X (in memory, not a stream): each batch's
    loss is the weighted mean of its rows' (scikit-learn's rule), so
    integer weights train as duplicated rows would in one batch (their
    scale does not matter: they are divided by the largest first); rows of
    weight 0, or too small beside the largest for the model's dtype, are
    left out of training.  A validation split is drawn from
    all rows, those of weight 0 included, and its loss is unweighted.  Not
    with augment or label_smoothing.

Returns
-------
MLP
    self.

Raises
------
ValueError
    A setting out of range, data of the wrong shape, missing or non-finite
    values, columns other than ``feature_names_in_``, or a loss that became
    NaN or infinite (the weights are then the ones before this fit).
TypeError
    augment or a callback is not callable, or X or Y is not numeric.
"""

METHOD_DOCS = {
    "predict": """The output activations: class probabilities for softmax/sigmoid outputs.

Parameters
----------
X : array-like, DataFrame or sparse matrix
    (n_samples, n_inputs); a sparse matrix is made dense a chunk of rows at
    a time.

Returns
-------
ndarray
    (n_samples, n_outputs).

Raises
------
ValueError
    X has the wrong number of features, columns other than
    ``feature_names_in_`` or non-finite values, or the outputs
    of some rows are not finite (the arithmetic overflowed inside the
    network: inputs far outside the training data's range); the message
    names the first such row.
""",
    "score": """Accuracy for softmax (argmax) and sigmoid (every output right, at 0.5)
outputs; the coefficient of determination R^2 for identity outputs (the
mean of each output's, as scikit-learn's ``r2_score``; an output whose
targets are constant counts 1 if predicted exactly, else 0; NaN with a
warning for a single row).

Parameters
----------
X : array-like
Y : array-like
    Targets as fit takes them.

Returns
-------
float
""",
    "evaluate": """(mean loss, score) on data already converted by _targets (no penalty).

Parameters
----------
X : array-like
Y : ndarray or None
    2-D targets in the model dtype.
labels : ndarray of int64, optional
    Class labels instead of Y.

Returns
-------
loss, score : float
""",
    "reset": """Fresh weights from random_state (Glorot for sigmoid/tanh, He for the
ReLU family), an empty history and no ``feature_names_in_``.

Returns
-------
MLP
    self.
""",
    "set_params": """Set constructor parameters (the scikit-learn protocol: GridSearchCV).

A model whose weights are still reset()'s draws gets new ones for the new
settings, as if constructed with them; trained, loaded or hand-set weights
are kept, as after editing the attributes (reset() starts over).

Parameters
----------
**params
    Constructor parameters by name.

Returns
-------
MLP
    self.

Raises
------
ValueError
    A name that is not a constructor parameter.
""",
    "get_params": """The constructor's parameters (the scikit-learn protocol).

Parameters
----------
deep : bool
    Ignored (no nested estimators).

Returns
-------
dict
""",
}


def attach():
    """Set the docstrings of MLP, MLP.fit and the methods of METHOD_DOCS."""
    MLP.__doc__ = MLP_DOC
    MLP.fit.__doc__ = FIT_DOC
    for name, doc in METHOD_DOCS.items():
        getattr(MLP, name).__doc__ = doc
