"""A training session: the flat parameter, gradient and optimizer buffers of
one model and the compiled epoch runner that updates them.

MLP.fit and the scikit-learn estimators both train through a session; it is
allocated once per fit (or kept across partial_fit calls), so no step
allocates.  The runner is fastnn._core.EpochRunner, or the NumPy
reference.EpochRunner with the same interface for the tests.
"""
import os

import numpy as np

from . import _core
from ._parallel import op_n_threads
from ._validate import (ACTIVATIONS, ADAM_EPS_STYLES, DROPOUT_MODES, LOSSES, OPTIMIZERS, OUTPUTS,
                        contiguous_float, same_shape)

ALIGN = 16  # elements: every tensor starts on a 64-byte boundary in float32


def param_layout(sizes):
    """(w_off, b_off, n_params): element offsets of each layer's weights and
    biases in the flat buffer, each rounded up to ALIGN."""
    w_off, b_off, pos = [], [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w_off.append(pos)
        pos += -(-fan_in * fan_out // ALIGN) * ALIGN
        b_off.append(pos)
        pos += -(-fan_out // ALIGN) * ALIGN
    return w_off, b_off, max(pos, 1)


def aligned_zeros(n, dtype):
    """A zeroed 1-D array whose data starts on a 64-byte boundary."""
    dtype = np.dtype(dtype)
    raw = np.zeros(n * dtype.itemsize + 64, dtype=np.uint8)
    start = -raw.ctypes.data % 64
    return raw[start:start + n * dtype.itemsize].view(dtype)


def loss_code(output, loss):
    return {("softmax", "cross_entropy"): LOSSES["cross_entropy"],
            ("sigmoid", "binary_cross_entropy"): LOSSES["binary_cross_entropy"],
            ("identity", "poisson"): LOSSES["poisson"]}.get((output, loss), LOSSES["mse"])


def hidden_act_codes(activation, n_hidden):
    """One activation code per hidden layer: from one name for all, or from a
    list of one name per layer (checked by the callers)."""
    if isinstance(activation, str):
        return [ACTIVATIONS[activation]] * n_hidden
    return [ACTIVATIONS[name] for name in activation]


class Session:
    """Buffers and runner for training `sizes` with the given settings."""

    def __init__(self, sizes, *, activation, output, loss, dropout, dropout_mode, dtype,
                 optimizer="adam", momentum=0.9, nesterov=False, beta1=0.9, beta2=0.999,
                 eps=1e-8, adam_eps_style="hat", l1=0.0, l2=0.0, weight_decay=0.0,
                 l2_per_batch=False, data_loss_scale=1.0, input_noise=0.0, seed=0, max_batch=32,
                 compute=None, runner=None, n_threads=None, max_grad_norm=None,
                 label_smoothing=0.0, warmup_steps=0, augment=None, probability_clip=0.0):
        self.sizes = [int(s) for s in sizes]  # NumPy uints would wrap, or overflow below
        self.dtype = np.dtype(dtype)
        self.w_off, self.b_off, n_params = param_layout(self.sizes)
        self.optimizer = optimizer
        self.config = dict(
            sizes=self.sizes, w_off=self.w_off, b_off=self.b_off, n_params=n_params,
            hidden_acts=hidden_act_codes(activation, len(self.sizes) - 2),
            output=OUTPUTS[output],
            loss=loss_code(output, loss), dropout=list(dropout),
            dropout_mode=DROPOUT_MODES[dropout_mode], optimizer=OPTIMIZERS[optimizer],
            momentum=float(momentum) if optimizer == "sgd" else 0.0, nesterov=bool(nesterov),
            beta1=float(beta1), beta2=float(beta2), eps=float(eps),
            adam_eps_style=ADAM_EPS_STYLES[adam_eps_style], l1=float(l1), l2=float(l2),
            weight_decay=float(weight_decay), l2_per_batch=bool(l2_per_batch),
            data_loss_scale=float(data_loss_scale),
            input_noise=float(input_noise), seed=int(seed) % 2 ** 64, max_batch=int(max_batch),
            dtype=self.dtype.name, compute_bf16=compute == "bfloat16",
            # FASTNN_BF16_WEIGHT_IMAGES=0 packs the weights per GEMM instead (the
            # same bits; for comparisons)
            bf16_weight_images=os.environ.get("FASTNN_BF16_WEIGHT_IMAGES", "1") != "0",
            n_threads=op_n_threads(n_threads),  # the enclosing fit's count by default
            max_grad_norm=float(max_grad_norm or 0.0),
            label_smoothing=float(label_smoothing), warmup_steps=int(warmup_steps),
            # the reported cross-entropy with each p clipped to [clip, 1 - clip] before
            # its log (scikit-learn's log_loss); the gradient is the exact one
            probability_clip=float(probability_clip),
            **(augment or {}))  # _augment.config_entries: flags, image shape, max shift
        self.params = aligned_zeros(n_params, self.dtype)
        # the last step's gradients: every one with max_grad_norm; otherwise
        # only the biases' for certain, as the update may consume a weight
        # gradient block by block from the GEMM's scratch and never write it
        # (fnn_epilogue.consumes_c)
        self.grads = aligned_zeros(n_params, self.dtype)
        needs_m = optimizer != "sgd" or self.config["momentum"] != 0
        self.opt_m = aligned_zeros(n_params, self.dtype) if needs_m else None
        self.opt_v = aligned_zeros(n_params, self.dtype) if optimizer != "sgd" else None
        self.step = 0
        self.order = np.empty(0, dtype=np.int64)
        self.runner = (runner or _core.EpochRunner)(self.config)

    def views(self, buf=None):
        """(coefs, intercepts): per-layer views of the flat parameter buffer, or
        of `buf`, any flat buffer laid out like it (the optimizer's moments)."""
        buf = self.params if buf is None else buf
        coefs, intercepts = [], []
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            w, b = self.w_off[l], self.b_off[l]
            coefs.append(buf[w:w + fan_in * fan_out].reshape(fan_in, fan_out))
            intercepts.append(buf[b:b + fan_out])
        return coefs, intercepts

    def load(self, coefs, intercepts):
        """Copy weights into the flat buffer (a no-op for its own views)."""
        for dst, src in zip(sum(self.views(), []), list(coefs) + list(intercepts)):
            if not np.shares_memory(dst, src):
                dst[...] = src

    def state(self):
        """A copy of everything an epoch changes, for restoring after a failure."""
        return (self.params.copy(), None if self.opt_m is None else self.opt_m.copy(),
                None if self.opt_v is None else self.opt_v.copy(), self.step)

    def take_state(self, other):
        """`other`'s weights and optimizer state, in this session's dtype: a
        session rebuilt for edited settings continues its predecessor."""
        params, m, v, step = other.state()
        cast = [None if a is None else a.astype(self.dtype) for a in (params, m, v)]
        self.restore((*cast, step))

    def restore(self, state):
        params, m, v, self.step = state
        self.params[...] = params
        if m is not None:
            self.opt_m[...] = m
        if v is not None:
            self.opt_v[...] = v

    def epoch(self, X, Y, labels, *, batch_size, learning_rate, shuffle, epoch, order=None,
              augment=None, progress=None, sample_weight=None, part=False):
        """Train one epoch over X (C-contiguous, session dtype) and the targets
        (Y 2-D, or int64 labels for cross-entropy); returns the mean loss.
        `order` (int64 row indices) overrides the built-in shuffle.
        sample_weight: one weight per row (session dtype, any sign), with
        scikit-learn's normalisation; a batch whose weights sum to zero is a
        ValueError and leaves the session unchanged.  part: X is a piece of an
        epoch whose weights' total the caller checked (a piece's may be 0).
        X may be _values.csr_parts(...) of a sparse X: the first layer then reads its
        nonzeros (no augmentation, input noise or bfloat16 compute)."""
        n = len(X[0]) - 1 if isinstance(X, tuple) else X.shape[0]
        if sample_weight is not None:
            sample_weight = self.check_sample_weight(sample_weight, n, nonzero_total=not part)
        if order is not None:
            self.order = np.ascontiguousarray(order, dtype=np.int64)
            shuffle = False
        elif self.order.shape[0] != n or not shuffle:
            self.order = np.arange(n, dtype=np.int64)
        n_threads = op_n_threads()
        if n_threads != self.config["n_threads"]:
            # a later partial_fit with another count: a workspace sized for it
            self.config["n_threads"] = n_threads
            self.runner = type(self.runner)(self.config)
        self.runner.hook = augment
        self.runner.progress = progress
        try:
            loss, self.step = self.runner.run(
                self.params, self.grads, self.opt_m, self.opt_v, X, Y, labels, self.order,
                bool(shuffle), int(epoch), int(min(batch_size, self.config["max_batch"])),
                float(learning_rate), int(self.step), sample_weight=sample_weight)
        except BaseException:
            self.step = self.runner.last_step
            raise
        finally:
            self.runner.hook = None
            self.runner.progress = None
        return loss

    @property
    def reads_sparse(self):
        """Whether epoch() may take a sparse X's csr_parts: not with what
        rewrites the gathered rows (augmentation, input noise) or bfloat16
        products."""
        c = self.config
        return not (c.get("augment") or c["input_noise"] > 0 or c.get("compute_bf16"))

    def check_sample_weight(self, sample_weight, n, nonzero_total=True):
        """sample_weight as the epoch reads it: n finite weights of the session
        dtype whose total is nonzero (a batch's zero sum is the epoch's to find)."""
        w = same_shape(contiguous_float(sample_weight, "sample_weight", ndim=1,
                                        dtype=self.dtype), "sample_weight", (n,))
        if not np.all(np.isfinite(w)):
            raise ValueError("sample_weight must be finite")
        if nonzero_total and n and float(w.sum(dtype=np.float64)) == 0:
            raise ValueError("sample_weight sums to zero: there is nothing to normalise the "
                             "loss by")
        return w
