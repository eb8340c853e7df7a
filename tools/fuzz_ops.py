"""Fuzz the fastnn.ops entry points (see tools/_fuzzlib.py for the drivers).

    nice -n 19 python tools/fuzz_ops.py -max_total_time=600 -rss_limit_mb=4096 \\
        /tmp/fuzz_ops_corpus tools/fuzz_corpus/ops      # atheris, 10 minutes
    python tools/fuzz_ops.py --random 2000 --seed 1     # no atheris needed
    python tools/fuzz_ops.py --replay crash-...         # reproduce one input

Each input picks an op and builds its arguments: shapes with 0, 1, SIMD-edge
and odd sizes (and zero-size operands with dimensions above 2**31, whose
product is refused or computed), C/Fortran/strided/reversed/transposed/
broadcast layouts, float32/float64 and wrong dtypes (float16, ints, bool,
object, complex, mixed), NaN/inf/denormal/huge values, `out=` aliasing an
input, and bad scalar arguments.  Every call must either return what the
NumPy twin in fastnn.reference returns (compared when the arguments are
valid and finite, with the test suite's derived tolerances) or raise
TypeError, ValueError or MemoryError.  Valid arguments must not raise.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzzlib import Bytes, instrument, main  # noqa: E402

import numpy as np  # noqa: E402

with instrument():
    import fastnn  # noqa: E402
    from fastnn import ops, reference  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))
from _opsutil import act_grad_scale, act_scale, assert_close  # noqa: E402

ALLOWED = (TypeError, ValueError, MemoryError)
FLOATS = (np.float32, np.float64)
DTYPES = FLOATS * 4 + (np.float16, np.int32, np.int64, np.bool_, object, np.complex64)
DIMS = (0, 1, 1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 33, 64, 65, 100)
# the names of csrc/vocab.h, in code order (an input's bytes pick by position)
ACTS = tuple(fastnn._core.ACTIVATIONS) + tuple(fastnn._core.ACTIVATION_ALIASES)
LOSSES = tuple(fastnn._core.LOSSES)
DROPOUT_MODES = tuple(fastnn._core.DROPOUT_MODES)
ADAM_EPS_STYLES = tuple(fastnn._core.ADAM_EPS_STYLES)
BAD_NAMES = ("bogus", "", None, 3, b"relu", "RELU")
BAD_NUMBERS = (float("nan"), float("inf"), -1.0, -1e-300, 1.0, 2.0, 10 ** 400, -(10 ** 400),
               2 ** 64, -1, True, None, "0.5", 1j, np.float32(0.5), np.int64(3), [0.1])


class Case:
    """Arguments of one call, and whether they are valid (so must succeed)."""

    def __init__(self, data):
        self.b = Bytes(data)
        self.valid = True

    def dims(self, n):
        return tuple(self.b.pick(DIMS) for _ in range(n))

    def dtype(self, like=None):
        if like is not None and self.b.flag(0.9):
            return like
        d = np.dtype(self.b.pick(DTYPES))
        if d not in FLOATS or (like is not None and d != like):
            self.valid = False
        return d

    def values(self, shape, dtype):
        rng = np.random.default_rng(self.b.u32())
        kind = self.b.pick(("normal", "normal", "normal", "zeros", "denormal", "large",
                            "huge", "special", "ints"))
        x = np.asarray(rng.standard_normal(shape))
        if kind == "zeros":
            x = np.zeros(shape)
        elif kind == "denormal":
            x = x * (1e-41 if dtype == np.float32 else 1e-310)
        elif kind == "large":
            x = x * 1e4
        elif kind == "huge":
            x = x * 1e30
        elif kind == "ints":
            x = np.round(x * 3)
        elif kind == "special" and x.size:
            flat = x.reshape(-1)
            for _ in range(self.b.int_in(1, 3)):
                flat[self.b.int_in(0, flat.size - 1)] = self.b.pick((np.nan, np.inf, -np.inf))
        x = np.asarray(x)  # arithmetic on a 0-d array returns a scalar
        with np.errstate(all="ignore"):
            if dtype == np.dtype(object):
                return np.array(x.tolist(), dtype=object).reshape(x.shape)
            if dtype == np.dtype(np.bool_):
                return x > 0
            if dtype.kind in "iu":
                return np.nan_to_num(x).clip(-1e6, 1e6).astype(dtype)
            return x.astype(dtype)

    def array(self, shape, dtype, layout_ok=True):
        """An array of `shape` in a random layout; layouts that are read-only or
        otherwise unusable as an output are fine for inputs."""
        x = np.asarray(self.values(shape, dtype))
        layout = self.b.pick(("C", "C", "F", "strided", "reversed", "transposed", "broadcast"))
        if layout == "F":
            x = np.asfortranarray(x).reshape(x.shape)
        elif layout == "strided" and x.ndim:
            big = np.zeros(tuple(2 * s + 1 for s in x.shape), dtype=x.dtype)
            sl = tuple(slice(1, None, 2) for _ in x.shape)
            big[sl] = x
            x = big[sl]
        elif layout == "reversed" and x.ndim:
            x = np.ascontiguousarray(x[::-1])[::-1]
        elif layout == "transposed" and x.ndim == 2:
            x = np.ascontiguousarray(x.T).T
        elif layout == "broadcast" and x.ndim and x.size:
            x = np.broadcast_to(x.reshape(-1)[:1].reshape((1,) * x.ndim), x.shape)
        return x


def call(case, fn, *args, **kwargs):
    """fn(...) or None when it raised an allowed error for invalid arguments."""
    try:
        return fn(*args, **kwargs)
    except ALLOWED as exc:
        if case.valid and not isinstance(exc, MemoryError):
            raise AssertionError("valid arguments raised %r" % exc) from exc
        return None


def finite(*arrays):
    return all(np.isfinite(np.asarray(a, dtype=np.complex128)).all() for a in arrays)


def tol_ok(x):
    """Values small enough that float64 sums of products stay finite."""
    return all(np.abs(np.asarray(a, dtype=np.float64)).max(initial=0) < 1e6 for a in x)


def fuzz_matmul(c):
    ta, tb = c.b.flag(), c.b.flag()
    if c.b.flag(0.05):
        # zero-size operands with huge dimensions: the product is empty, or far
        # too large to allocate (MemoryError / ValueError, never a crash)
        big = c.b.pick((2 ** 31 + 1, 2 ** 32, 2 ** 40, 2 ** 50))
        m, k, n = c.b.pick(((0, big, 0), (big, 0, big), (big, 0, 0), (0, 0, big)))
        c.valid = False
    else:
        m, k, n = c.dims(3)
        if c.b.flag(0.1):
            k = c.b.pick((200, 257, 600))
    dt = c.dtype()
    if max(m, k, n) > 2 ** 20:
        a = np.zeros((k, m) if ta else (m, k), dt)
        b = np.zeros((n, k) if tb else (k, n), dt)
    else:
        a = c.array((k, m) if ta else (m, k), dt)
        b = c.array((n, k) if tb else (k, n), c.dtype(dt))
    if c.b.flag(0.1) and max(m, k, n) <= 2 ** 20:  # wrong inner size
        b = c.array((n, k + 1) if tb else (k + 1, n), b.dtype)
        c.valid = False
    out_kind = c.b.pick(("none", "none", "fresh", "alias_a", "alias_b", "bad"))
    if max(m, k, n) > 2 ** 20:
        out_kind = "none"
    out = None
    if out_kind == "fresh":
        out = np.full((m, n), 7, dtype=dt)
    elif out_kind in ("alias_a", "alias_b"):
        src = a if out_kind == "alias_a" else b
        if src.shape == (m, n) and src.flags.c_contiguous and src.flags.writeable:
            out = src
    elif out_kind == "bad":
        out = c.b.pick((np.empty((n, m), dtype=dt) if m != n else None,
                        np.empty((m, n), dtype=np.float16), np.empty((m, n), dt, order="F"),
                        [[0.0]]))
        if out is not None and not (isinstance(out, np.ndarray) and out.shape == (m, n) and
                                    out.dtype == dt and out.flags.c_contiguous):
            c.valid = False
    want = None
    if c.valid and finite(a, b) and tol_ok((a, b)):
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        want = reference.matmul(a64, b64, trans_a=ta, trans_b=tb)
        scale = reference.matmul(np.abs(a64), np.abs(b64), trans_a=ta, trans_b=tb)
    got = call(c, ops.matmul, a, b, trans_a=ta, trans_b=tb, out=out)
    if got is None:
        return
    assert got.shape == (m, n) and got.dtype == dt and got.flags.c_contiguous
    if out is not None:
        assert got is out
    if want is not None:
        # k + 2 roundings per element, each relative (eps) or, in gradual
        # underflow, absolute (one subnormal step)
        fin = np.finfo(dt)
        tol = (k + 2) * (float(fin.eps) * scale + float(fin.smallest_subnormal))
        err = np.abs(got.astype(np.float64) - want)
        assert np.all(err <= tol), ("matmul", err.max(), (err - tol).max())


def fuzz_linear(c):
    m, k, n = c.dims(3)
    act = c.b.pick(ACTS) if c.b.flag(0.9) else c.b.pick(BAD_NAMES)
    if act not in ACTS:
        c.valid = False
    dt = c.dtype()
    x = c.array((m, k), dt)
    w = c.array((k, n) if c.b.flag(0.95) else (k + 1, n), c.dtype(dt))
    if w.shape[0] != k:
        c.valid = False
    b = c.array((n,), c.dtype(dt)) if c.b.flag() else None
    if not c.b.flag(0.95):
        b = np.zeros(n + 1, dt)
        c.valid = False
    if c.b.flag(0.3):
        got = call(c, ops.linear, x, w, b, act)
        if got is None or not (finite(x, w) and (b is None or finite(b)) and tol_ok((x, w))):
            return
        z = x.astype(np.float64) @ w.astype(np.float64) + (0 if b is None else b)
        scale = np.abs(x.astype(np.float64)) @ np.abs(w.astype(np.float64)) + \
            (0 if b is None else np.abs(b))
        want = reference.activation(z, act)
        fin = np.finfo(dt)  # + (k + 2) subnormal steps of absolute error (gradual underflow)
        sub = (k + 2) * float(fin.smallest_subnormal) / float(fin.eps)
        assert_close(got, want, act_scale(act, z) * (k + 2) + scale * (k + 2) + sub, dt,
                     what="linear")
        return
    z = c.array((m, n), dt)
    a = c.array((m, n), dt)
    da = c.array((m, n) if c.b.flag(0.95) else (m, n + 1), dt)
    if da.shape != (m, n):
        c.valid = False
    got = call(c, ops.linear_backward, x, w, z, a, da, act)
    if got is not None:
        dx, dw, db = got
        assert dx.shape == x.shape and dw.shape == w.shape and db.shape == (n,)


def fuzz_activation(c):
    shape = c.dims(c.b.int_in(0, 3))
    act = c.b.pick(ACTS) if c.b.flag(0.9) else c.b.pick(BAD_NAMES)
    if act not in ACTS:
        c.valid = False
    dt = c.dtype()
    z = c.array(shape, dt)
    if c.b.flag(0.6):
        got = call(c, ops.activation, z, act)
        if got is None:
            return
        assert got.shape == z.shape and got.dtype == dt
        if finite(z):
            z64 = z.astype(np.float64)
            with np.errstate(all="ignore"):
                assert_close(got, reference.activation(z64, act), act_scale(act, z64), dt,
                             what="activation " + act)
        return
    with np.errstate(all="ignore"):
        a = np.asarray(reference.activation(np.asarray(z, dtype=np.float64), act if c.valid
                                            else "identity")).astype(dt) if dt in FLOATS else z
    da = c.array(shape if c.b.flag(0.95) else shape + (2,), dt)
    if da.shape != shape:
        c.valid = False
    got = call(c, ops.activation_grad, act, z, a, da)
    if got is None:
        return
    assert got.shape == z.shape
    if finite(z, a, da):
        z64, a64, da64 = (v.astype(np.float64) for v in (z, a, da))
        with np.errstate(all="ignore"):
            want = reference.activation_grad(act, z64, a64, da64)
        assert_close(got, want, act_grad_scale(act, z64, a64, da64), dt,
                     what="activation_grad " + act)


def fuzz_rowwise(c):
    m, n = c.dims(2)
    dt = c.dtype()
    z = c.array((m, n), dt)
    which = c.b.pick(("softmax", "log_softmax", "softmax_grad", "column_sums"))
    if which == "softmax_grad":
        da = c.array((m, n), c.dtype(dt))
        a = reference.softmax(z.astype(np.float64)).astype(dt) if c.valid and z.size else z
        got = call(c, ops.softmax_grad, a, da)
        if got is not None and finite(a, da) and tol_ok((da,)):
            a64, da64 = a.astype(np.float64), da.astype(np.float64)
            want = reference.softmax_grad(a64, da64)
            scale = np.abs(a64) * (np.abs(da64) + (np.abs(a64) * np.abs(da64)).sum(1,
                                                                                    keepdims=True))
            assert_close(got, want, scale * (n + 2), dt, what="softmax_grad")
        return
    got = call(c, getattr(ops, which), z)
    if got is None or not finite(z) or not z.size:
        return
    z64 = z.astype(np.float64)
    with np.errstate(all="ignore"):
        want = getattr(reference, which)(z64)
    if which == "column_sums":
        assert_close(got, want, np.abs(z64).sum(0) * (m + 2), dt, what=which)
    elif which == "softmax":
        assert np.isfinite(got).all() and (got >= 0).all()
        assert_close(got, want, np.abs(want) * (np.abs(z64).max(initial=0) * 4 + n + 2), dt,
                     what=which)
    else:
        spread = np.abs(z64 - z64.max(axis=1, keepdims=True)) if n else z64
        assert_close(got, want, (spread + np.log1p(n)) * 4 + 4, dt, what=which)


def fuzz_loss(c):
    m, n = c.dims(2)
    name = c.b.pick(LOSSES) if c.b.flag(0.95) else c.b.pick(BAD_NAMES)
    if name not in LOSSES:
        c.valid = False
    dt = c.dtype()
    logits = c.array((m, n), dt)
    if c.b.flag(0.1):
        logits = (np.sign(logits) * 1e4).astype(dt) if dt in FLOATS else logits
    tkind = c.b.pick(("labels", "onehot", "probs", "bad_labels", "float_labels", "str"))
    if tkind == "labels" and name == "cross_entropy" and n:
        target = np.random.default_rng(c.b.u32()).integers(0, n, m)
    elif tkind == "labels" and name == "cross_entropy":
        target = np.zeros(m, np.int64)
        c.valid = c.valid and m == 0
    elif tkind in ("onehot", "probs"):
        rng = np.random.default_rng(c.b.u32())
        target = rng.random((m, n)) if tkind == "probs" else \
            np.eye(max(n, 1))[rng.integers(0, max(n, 1), m)][:, :n]
        target = target.astype(c.b.pick((dt, np.float64, np.int64)))
    else:
        target = c.b.pick((np.array([n] * m), np.full(m, -1), np.zeros(m + 1, np.int64),
                           np.full(m, 0.5), np.array(["a"] * m), np.zeros((m, n + 1))))
        c.valid = False
    if name == "mse" and np.ndim(target) == 1:
        c.valid = False
    got = call(c, ops.loss, name, logits, target)
    if got is None:
        return
    value, grad = got
    assert grad.shape == logits.shape and grad.dtype == logits.dtype
    # Poisson's rate exp(z) overflows the kernel's dtype where float64's twin
    # does not: there the two answers differ by design, so no comparison
    overflows = name == "poisson" and logits.size and \
        np.max(logits) >= np.log(np.finfo(logits.dtype).max)
    if c.valid and finite(logits, target) and logits.size and tol_ok((logits,)) \
            and not overflows:
        l64 = logits.astype(np.float64)
        with np.errstate(all="ignore"):
            want_v, want_g = reference.loss(name, l64, target)
        assert np.isfinite(value) == np.isfinite(want_v), (value, want_v)
        mag = np.abs(l64).max(initial=0) + 1
        t64 = np.abs(np.asarray(target, dtype=np.float64))
        if np.isfinite(want_v):
            rel = 1e-4 if dt == np.float32 else 1e-10
            assert abs(value - want_v) <= rel * (abs(want_v) + mag * (t64.max(initial=0) + 1)
                                                 * n + 1), (name, value, want_v)
        assert_close(grad, want_g, (np.abs(want_g) + (1 + t64.max(initial=0)) / m) * (n + 4)
                     * mag, dt, what="loss grad " + name)


def fuzz_dropout(c):
    shape = c.dims(c.b.int_in(0, 3))
    dt = c.dtype()
    x = c.array(shape, dt)
    rate = c.b.pick((0.0, 0.1, 0.5, 0.9, 0.999999)) if c.b.flag(0.85) else c.b.pick(BAD_NUMBERS)
    seed = c.b.u32() if c.b.flag(0.9) else c.b.pick((-1, 2 ** 64, 1.5, None, np.uint64(7)))
    offset = c.b.pick((0, 1, 2 ** 63, 2 ** 64 - 1)) if c.b.flag(0.9) else c.b.pick((-5, 2 ** 64))
    mode = c.b.pick(DROPOUT_MODES) if c.b.flag(0.95) else c.b.pick(BAD_NAMES)
    if not (isinstance(rate, float) and 0 <= rate < 1) or mode not in DROPOUT_MODES \
            or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2 ** 64 \
            or not 0 <= offset < 2 ** 64:
        c.valid = False
    got = call(c, ops.dropout, x, rate, seed=seed, offset=offset, mode=mode)
    if got is None:
        return
    y, mask = got
    if c.valid:
        want_y, want_mask = reference.dropout(np.array(x), rate, seed=int(seed),
                                              offset=offset, mode=mode)
        assert np.array_equal(mask, want_mask)
        assert np.array_equal(y, want_y, equal_nan=True) or not finite(x)
    if not c.b.flag(0.9):
        mask = mask.astype(np.int8)
        c.valid = False
    dx = call(c, ops.dropout_backward, y, mask, rate, mode)
    if dx is not None:
        assert dx.shape == y.shape


def fuzz_optim(c):
    shape = c.dims(c.b.int_in(1, 2))
    dt = c.dtype()
    p = np.ascontiguousarray(c.values(shape, dt)).reshape(shape)
    g = c.array(shape if c.b.flag(0.95) else shape + (1,), c.dtype(dt))
    if g.shape != shape:
        c.valid = False
    if c.b.flag(0.1):
        p = p.T if p.ndim == 2 and p.shape[0] > 1 and p.shape[1] > 1 else p
        if not p.flags.c_contiguous:
            c.valid = False
    def num(good):
        if c.b.flag(0.9):
            return c.b.pick(good)
        c.valid = False
        return c.b.pick(BAD_NUMBERS)
    p_ref = p.astype(np.float64) if dt in FLOATS else None
    if c.b.flag():
        v = np.zeros(shape, dt) if c.b.flag(0.8) else None
        mom = num((0.0, 0.5, 0.9)) if v is not None else 0.0
        kw = dict(lr=num((0.0, 1e-3, 0.1)), momentum=mom, nesterov=c.b.flag(),
                  l1=num((0.0, 1e-4)), l2=num((0.0, 1e-3)), weight_decay=num((0.0, 1e-2)))
        got = call(c, ops.sgd_step, p, g, v, **kw)
        if got is not None and c.valid and finite(p_ref, g) and tol_ok((p_ref, g)):
            want = reference.sgd_step(p_ref, g.astype(np.float64),
                                      None if v is None else np.zeros(shape), **kw)
            assert_close(got, want, np.abs(want) + np.abs(g) + 1, dt, k=64, what="sgd")
        return
    m, v = np.zeros(shape, dt), np.zeros(shape, dt)
    t = c.b.pick((1, 2, 100)) if c.b.flag(0.9) else c.b.pick((0, -1, 1.5, True, None))
    if not isinstance(t, int) or isinstance(t, bool) or t < 1:
        c.valid = False
    kw = dict(t=t, lr=num((1e-3, 0.0)), beta1=num((0.9, 0.0)), beta2=num((0.999, 0.5)),
              eps=num((1e-8, 0.0, 1.0)), l1=num((0.0, 1e-4)), l2=num((0.0,)),
              weight_decay=num((0.0, 1e-2)),
              eps_style=c.b.pick(ADAM_EPS_STYLES) if c.b.flag(0.95) else c.b.pick(BAD_NAMES))
    if kw["eps_style"] not in ADAM_EPS_STYLES:
        c.valid = False
    got = call(c, ops.adam_step, p, g, m, v, **kw)
    if got is not None and c.valid and finite(p_ref, g) and tol_ok((p_ref, g)) \
            and kw["eps"] > 0:
        with np.errstate(all="ignore"):
            want = reference.adam_step(p_ref, g.astype(np.float64), np.zeros(shape),
                                       np.zeros(shape), **kw)
        assert_close(got, want, np.abs(want) + 1, dt, k=64, what="adam")


def fuzz_misc(c):
    seed = c.b.pick((0, 1, 2 ** 64 - 1, -1, 2 ** 64, 1.0, None, np.int8(-3)))
    counter = c.b.pick((0, 5, 2 ** 64 - 1, -2, "x"))
    c.valid = False
    got = call(c, ops.rng_bits, seed, counter)
    if got is not None:
        assert got == int(reference.rng_bits(seed, counter))
    n = c.b.pick((1, 2, 0, -1, 10 ** 30, "2", 1.5))
    try:
        fastnn.set_num_threads(n)
    except ALLOWED:
        pass
    finally:
        fastnn.set_num_threads(c.b.pick((1, 2)))


TARGETS = (fuzz_matmul, fuzz_matmul, fuzz_linear, fuzz_activation, fuzz_rowwise, fuzz_loss,
           fuzz_dropout, fuzz_optim, fuzz_misc)


def one_input(data):
    c = Case(data)
    target = c.b.pick(TARGETS)
    with np.errstate(all="ignore"):
        target(c)


if __name__ == "__main__":
    main(one_input, "fuzz_ops")
