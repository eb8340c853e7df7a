"""The pure-NumPy twin of every fastnn kernel: the specification.

Each function has the same name and signature as its counterpart in
fastnn.ops and computes the same thing the plainest way NumPy allows, in the
inputs' dtype.  Tests compare the two; when they disagree, this file is right.
n_threads is accepted where fastnn.ops takes it, and ignored: results never
depend on the thread count.
"""
import numpy as np

from ._augment import transform_images
from ._validate import ACTIVATIONS as _ACTIVATION_CODES
from ._validate import (ADAM_EPS_STYLES, DROPOUT_MODES, LOSSES, OPTIMIZERS, OUTPUTS,
                        canonical_activation)


def round_bfloat16(x):
    """float32 values rounded to the nearest bfloat16 (ties to even), as float32.
    NaN stays NaN; a subnormal becomes a signed zero (vdpbf16ps reads it so)."""
    x = np.asarray(x, dtype=np.float32)
    u = x.view(np.uint32)
    r = ((u + np.uint32(0x7FFF) + ((u >> 16) & np.uint32(1))) >> 16) << 16
    r[(r & np.uint32(0x7F800000)) == 0] &= np.uint32(0x80000000)  # subnormals read as zero
    nan = np.isnan(x)
    r[nan] = (u[nan] | np.uint32(0x400000)) & np.uint32(0xFFFF0000)
    return r.view(np.float32)


def matmul(a, b, *, trans_a=False, trans_b=False, out=None, compute=None, n_threads=None):
    """op(a) @ op(b); op transposes when the flag is set.  compute="bfloat16":
    the operands rounded to bfloat16 first (the products are then exact; the
    sum is float64 here, float32 in the kernel)."""
    if compute == "bfloat16":
        a, b = round_bfloat16(a).astype(np.float64), round_bfloat16(b).astype(np.float64)
        result = np.matmul(a.T if trans_a else a, b.T if trans_b else b).astype(np.float32)
    else:
        result = np.matmul(a.T if trans_a else a, b.T if trans_b else b)
    if out is not None:
        out[...] = result
        return out
    return np.ascontiguousarray(result)


# ---- activations: {name: (forward g(z), gradient g'(z) given z and a = g(z))} ----
# One pair per row of FNN_ACTIVATIONS in csrc/vocab.h (the tests check the keys).
LEAKY_SLOPE = 0.01
_GELU_C = np.sqrt(2 / np.pi)


def _one(z):
    return z.dtype.type(1)


def _gelu(z):
    c = z.dtype.type(_GELU_C)
    return z.dtype.type(0.5) * z * (_one(z) + np.tanh(c * (z + z.dtype.type(0.044715) * z ** 3)))


def _gelu_grad(z, a):
    one, c, k = _one(z), z.dtype.type(_GELU_C), z.dtype.type(0.044715)
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.tanh(c * (z + k * z ** 3))
        s = one - t * t  # 0 where tanh saturates: the second term is 0 (not 0 * inf)
        return 0.5 * (one + t) + np.where(s != 0, 0.5 * z * s * c * (one + 3 * k * z * z), 0)


def _sigmoid(z):
    one, e = _one(z), np.exp(-np.abs(z))
    return np.where(z >= 0, one / (one + e), e / (one + e))


ACTIVATIONS = {
    "identity": (lambda z: z.copy(), lambda z, a: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
    "leaky_relu": (lambda z: np.where(z > 0, z, z.dtype.type(LEAKY_SLOPE) * z),
                   lambda z, a: np.where(z > 0, _one(z), z.dtype.type(LEAKY_SLOPE))),
    "tanh": (np.tanh, lambda z, a: _one(z) - a * a),
    "sigmoid": (_sigmoid, lambda z, a: a * (_one(z) - a)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
            lambda z, a: np.where(z > 0, _one(z), a + _one(z))),
    "gelu": (_gelu, _gelu_grad),
    "softplus": (lambda z: np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))),
                 lambda z, a: _sigmoid(z)),
}


def _twin(name):
    name = canonical_activation(name)
    if name not in ACTIVATIONS:
        raise ValueError("unknown activation %r" % name)
    return ACTIVATIONS[name]


def activation(z, name, *, n_threads=None):
    """g(z) elementwise."""
    forward = _twin(name)[0]
    return forward(np.asarray(z))


def activation_grad(name, z, a, da, *, n_threads=None):
    """da * g'(z), where a = g(z)."""
    gradient = _twin(name)[1]
    return (da * gradient(z, a)).astype(z.dtype)


def column_sums(x, *, n_threads=None):
    """Twin of fastnn.ops.column_sums."""
    return x.sum(axis=0)


def softmax(z, *, n_threads=None):
    """Twin of fastnn.ops.softmax."""
    e = np.exp(z - z.max(axis=1, keepdims=True, initial=-np.inf))  # (m, 0): empty
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z, *, n_threads=None):
    """Twin of fastnn.ops.log_softmax."""
    return _log_softmax(z)


def softmax_grad(a, da, *, n_threads=None):
    """Twin of fastnn.ops.softmax_grad."""
    return a * (da - (da * a).sum(axis=1, keepdims=True))


def linear(x, w, b=None, activation="identity", *, n_threads=None):
    """Twin of fastnn.ops.linear."""
    z = x @ w
    if b is not None:
        z = z + b
    return globals()["activation"](z, activation)


def linear_backward(x, w, z, a, da, activation="identity", *, n_threads=None):
    """Twin of fastnn.ops.linear_backward."""
    dz = activation_grad(activation, z, a, da)
    return dz @ w.T, x.T @ dz, dz.sum(axis=0)


# ---- the losses, the counter-based generator, dropout, augmentation and the optimizers ----
from ._reference_loss import _log_softmax, _weighted_loss, loss  # noqa: E402,F401
from ._reference_augment import augment_images  # noqa: E402,F401
from ._reference_optim import adam_step, sgd_step  # noqa: E402,F401
from ._reference_random import (dropout, dropout_backward, dropout_keep,  # noqa: E402,F401
                                rng_bits)


# ---- the training epoch: the twin of csrc/train (fastnn._core.EpochRunner) ----
STREAM_SHUFFLE, STREAM_NOISE, STREAM_AUGMENT, STREAM_DROPOUT = 1, 2, 3, 16


def _names_by_code(codes):
    return {code: name for name, code in codes.items()}


_ACT_NAMES = _names_by_code(_ACTIVATION_CODES)
_OUTPUT_NAMES = _names_by_code(OUTPUTS)
_LOSS_NAMES = _names_by_code(LOSSES)
_DROPOUT_MODE_NAMES = _names_by_code(DROPOUT_MODES)
_ADAM_EPS_STYLE_NAMES = _names_by_code(ADAM_EPS_STYLES)
_ADAM = OPTIMIZERS["adam"]


def shuffled_order(seed, epoch, n):
    """The permutation the compiled epoch visits: Fisher-Yates on counter bits."""
    key = int(rng_bits(int(rng_bits(seed, STREAM_SHUFFLE)), epoch))
    order = np.arange(n, dtype=np.int64)
    for i in range(n - 1, 0, -1):
        j = int(rng_bits(key, i)) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


class EpochRunner:
    """The compiled EpochRunner in plain NumPy: same config, same run()."""

    def __init__(self, config):
        self.c = dict(config)
        self.hook = None
        self.progress = None
        self.last_step = 0

    def _views(self, flat):
        c = self.c
        sizes = c["sizes"]
        out = []
        for l in range(len(sizes) - 1):
            w, b = c["w_off"][l], c["b_off"][l]
            out.append((flat[w:w + sizes[l] * sizes[l + 1]].reshape(sizes[l], sizes[l + 1]),
                        flat[b:b + sizes[l + 1]]))
        return out

    def _mm(self, a, b, trans_a=False, trans_b=False):
        """A step's GEMM: in bfloat16 compute when the config asks for it."""
        if self.c.get("compute_bf16"):
            return matmul(a, b, trans_a=trans_a, trans_b=trans_b, compute="bfloat16")
        return (a.T if trans_a else a) @ (b.T if trans_b else b)

    def _step(self, params, grads, xb, yb, lb, wb, step):
        c = self.c
        n_hidden = len(c["sizes"]) - 2
        hidden = [_ACT_NAMES[code] for code in
                  c.get("hidden_acts", [c.get("hidden_act")] * n_hidden)]
        output = _OUTPUT_NAMES[c["output"]]
        loss_kind = _LOSS_NAMES[c["loss"]]
        mode = _DROPOUT_MODE_NAMES[c["dropout_mode"]]
        layers = self._views(params)
        L, B = len(layers), xb.shape[0]
        hs, zs, as_, masks = [xb], [], [], []
        for l, (w, b) in enumerate(layers):
            z = self._mm(hs[-1], w) + b
            zs.append(z)
            if l < L - 1:
                a = activation(z, hidden[l])
                as_.append(a)
                rate = c["dropout"][l]
                if rate > 0:
                    key = int(rng_bits(c["seed"], STREAM_DROPOUT + l))
                    h, mask = dropout(a, rate, seed=key, offset=step * c["max_batch"] * w.shape[1],
                                      mode=mode)
                else:
                    h, mask = a, None
                masks.append(mask)
                hs.append(h)
        z = zs[-1]
        target = lb if lb is not None else yb
        if loss_kind == "mse":
            a = {"softmax": softmax, "sigmoid": lambda v: activation(v, "sigmoid"),
                 "identity": lambda v: v}[output](z)
            value, da = _weighted_loss("mse", a, target, wb)
            dz = softmax_grad(a, da) if output == "softmax" else (
                activation_grad(output, z, a, da))
        else:
            value, dz = _weighted_loss(loss_kind, z, target, wb,
                                       label_smoothing=c.get("label_smoothing", 0),
                                       probability_clip=c.get("probability_clip", 0))
        for l in range(L - 1, -1, -1):
            w, b = layers[l]
            gw, gb = self._views(grads)[l]
            gw[...] = self._mm(hs[l], dz, trans_a=True)
            gb[...] = dz.sum(axis=0)
            if l == 0:
                break
            dh = self._mm(dz, w, trans_b=True)
            if masks[l - 1] is not None:
                dh = dropout_backward(dh, masks[l - 1], c["dropout"][l - 1], mode)
            dz = activation_grad(hidden[l - 1], zs[l - 1], as_[l - 1], dh)
        return value

    def run(self, params, grads, opt_m, opt_v, x, y, labels, order, shuffle, epoch,
            batch_size, lr, step, sample_weight=None):
        c = self.c
        if isinstance(x, tuple):  # CSR rows (indptr, indices, data, cols): the rows, dense
            indptr, indices, data, cols = x
            x = np.zeros((len(indptr) - 1, cols), data.dtype)
            for r in range(len(indptr) - 1):
                np.add.at(x[r], indices[indptr[r]:indptr[r + 1]], data[indptr[r]:indptr[r + 1]])
        n = x.shape[0]
        if shuffle:
            order[...] = shuffled_order(c["seed"], epoch, n)
        batch_weight_sums = []
        for start in range(0, n, batch_size) if sample_weight is not None else ():
            w_sum = 0.0  # in visiting order, as the compiled epoch
            for i in order[start:start + batch_size]:
                w_sum += float(sample_weight[i])
            if w_sum == 0:
                self.last_step = step
                raise ValueError("sample_weight: the weights of a batch sum to zero")
            batch_weight_sums.append(w_sum)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            B = len(idx)
            xb = x[idx].copy()
            if c.get("augment"):  # augment_images' rule, key from the augment stream
                xb = transform_images(xb, int(rng_bits(c["seed"], STREAM_AUGMENT)),
                                      step * c["max_batch"], c["augment"], c["max_shift"],
                                      c["image_shape"])
            if c["input_noise"] > 0:  # Box-Muller: elements 2p, 2p+1 take pair p's cos, sin
                key = int(rng_bits(c["seed"], STREAM_NOISE))
                first = np.arange(0, xb.size, 2, dtype=np.uint64)  # each pair's first element
                counter = 2 * (np.uint64(step * c["max_batch"] * x.shape[1]) + first)
                u1 = ((rng_bits(key, counter) >> np.uint64(11)).astype(np.float64) + 0.5) / 2**53
                u2 = ((rng_bits(key, counter + np.uint64(1)) >> np.uint64(11)).astype(np.float64)
                      + 0.5) / 2**53
                r, t = c["input_noise"] * np.sqrt(-2 * np.log(u1)), 2 * np.pi * u2
                noise = np.stack([r * np.cos(t), r * np.sin(t)], axis=1).ravel()[:xb.size]
                xb += noise.reshape(xb.shape).astype(xb.dtype)
            if self.hook is not None:
                xb[...] = self.hook(xb.copy())
            wb = None if sample_weight is None else sample_weight[idx]
            value = self._step(params, grads, xb, None if y is None else y[idx],
                               None if labels is None else labels[idx], wb, step)
            value *= c.get("data_loss_scale", 1.0)
            per_batch = B if wb is None else batch_weight_sums[start // batch_size]
            l2 = c["l2"] / per_batch if c["l2_per_batch"] else c["l2"]
            weights = [w for w, _ in self._views(params)]
            value += 0.5 * l2 * sum(float((w.astype(np.float64) ** 2).sum()) for w in weights)
            value += c["l1"] * sum(float(np.abs(w).sum()) for w in weights)
            if not np.isfinite(value):
                self.last_step = step
                raise FloatingPointError(step)
            t = step + 1
            warm = c.get("warmup_steps", 0)  # linear warm-up, per update
            step_lr = lr * t / warm if t <= warm else lr
            clip, l1 = c.get("max_grad_norm") or 0.0, c["l1"]
            if clip > 0:  # PyTorch's clip_grad_norm_ on the penalized gradient
                for (w, _), (gw, _) in zip(self._views(params), self._views(grads)):
                    gw += l2 * w + c["l1"] * np.sign(w)
                pieces = [g for pair in self._views(grads) for g in pair]
                norm = np.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in pieces))
                if clip / (norm + 1e-6) < 1:
                    for g in pieces:
                        g *= g.dtype.type(clip / (norm + 1e-6))
                l2 = l1 = 0.0
            for (w, b), (gw, gb), ms, vs in zip(
                    self._views(params), self._views(grads),
                    self._views(opt_m) if opt_m is not None else [(None, None)] * len(weights),
                    self._views(opt_v) if opt_v is not None else [(None, None)] * len(weights)):
                for p, g, m, v, is_w in ((w, gw, ms[0], vs[0], True),
                                         (b, gb, ms[1], vs[1], False)):
                    reg = dict(l1=l1 if is_w else 0.0, l2=l2 if is_w else 0.0,
                               weight_decay=c["weight_decay"] if is_w else 0.0)
                    if c["optimizer"] == _ADAM:
                        adam_step(p, g, m, v, t=t, lr=step_lr, beta1=c["beta1"], beta2=c["beta2"],
                                  eps=c["eps"],
                                  eps_style=_ADAM_EPS_STYLE_NAMES[c["adam_eps_style"]],
                                  **reg)
                    else:
                        sgd_step(p, g, m, lr=step_lr, momentum=c["momentum"],
                                 nesterov=c["nesterov"], **reg)
            step += 1
            total += value * B
        self.last_step = step
        if not np.isfinite(params).all():  # the last update, as the C epoch checks it
            raise FloatingPointError(step)
        return (total / n if n else 0.0), step
