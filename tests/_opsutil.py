"""Helpers shared by the ops tests: inputs, thread control and error bounds.

Tolerances are derived, never tuned: a float64 kernel result must agree with
the twin to 1e-12 relative to `scale`, a float32 result (the twin evaluated in
float64 on the same float32 inputs) to K * eps32 relative to `scale`, where
`scale` is the sum of the magnitudes of the terms each result is built from
(times a condition factor where an input rounding is amplified).  A few
smallest subnormals of absolute slack cover gradual underflow.
"""
import contextlib

import numpy as np

import fastnn

DTYPES = (np.float64, np.float32)
EPS32 = float(np.finfo(np.float32).eps)
TINY32 = float(np.finfo(np.float32).smallest_subnormal)
TINY64 = float(np.finfo(np.float64).smallest_subnormal)
RTOL64 = 1e-12
# "a few ulps": each scalar operation rounds once (eps/2); K covers the handful
# of operations per element and the libm functions' own (< 4 ulp) error.
K32 = 8

ACTIVATIONS = ("identity", "relu", "leaky_relu", "tanh", "sigmoid", "elu", "gelu", "softplus",
               "logistic")
GELU_C0, GELU_C1 = 0.7978845608028654, 0.044715

# small, edge and odd shapes; one larger than FNN_PAR_MIN (32768 elements)
SHAPES = [(0, 5), (5, 0), (1, 1), (7, 13), (13, 7), (97, 7), (300, 257)]
BIG = (300, 257)


def rng(seed=0):
    return np.random.default_rng(seed)


def randn(shape, dtype=np.float64, scale=1.0, seed=0):
    return np.asarray(rng(seed).standard_normal(shape) * scale, dtype=dtype)


def layouts(x):
    """x in several memory layouts: C, Fortran, strided (every other row/col view)."""
    yield "C", np.ascontiguousarray(x)
    yield "F", np.asfortranarray(x)
    if x.ndim == 2:
        big = np.zeros((2 * x.shape[0], 3 * x.shape[1]), dtype=x.dtype)
        big[::2, ::3] = x
        yield "strided", big[::2, ::3]
        yield "transposed", np.ascontiguousarray(x.T).T


def assert_close(got, want, scale, dtype, k=K32, what=""):
    """|got - want| <= tol * scale + tiny, elementwise; want is float64."""
    got = np.asarray(got)
    want = np.asarray(want, dtype=np.float64)
    scale = np.broadcast_to(np.abs(np.asarray(scale, dtype=np.float64)), want.shape)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    if np.dtype(dtype) == np.float64:
        tol = RTOL64 * scale + 4 * TINY64
    else:
        tol = k * EPS32 * scale + k * TINY32
    g = got.astype(np.float64)
    assert np.all(np.isfinite(g) == np.isfinite(want)), what
    fin = np.isfinite(want)
    with np.errstate(invalid="ignore"):
        err = np.abs(g - want)
    bad = fin & ~((err <= tol) | (err == 0))
    if bad.any():
        i = np.argwhere(bad)[0] if want.ndim else ()
        i = tuple(i)
        raise AssertionError(
            "%s: %d/%d elements out of tolerance; first at %s: got %r want %r err %.3g tol %.3g"
            % (what, bad.sum(), bad.size, i, g[i], want[i], err[i], tol[i]))
    assert np.array_equal(g[~fin], want[~fin], equal_nan=True), what


@contextlib.contextmanager
def threads(n):
    old = fastnn._config._thread_setting()
    fastnn.set_num_threads(n)
    try:
        yield
    finally:
        fastnn.set_num_threads(old)


def bits_equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


# ---- per-activation error scales (float64 arithmetic) ----
@np.errstate(over="ignore")
def act_scale(name, z):
    """sum of |terms| that g(z) is built from, times (1 + condition) where an
    inner argument's rounding is amplified."""
    z = np.asarray(z, dtype=np.float64)
    name = {"logistic": "sigmoid"}.get(name, name)
    az = np.abs(z)
    if name in ("identity", "relu", "leaky_relu"):
        return az
    if name == "tanh":
        return np.abs(np.tanh(z)) + az * (1 - np.tanh(z) ** 2)
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s + az * s * (1 - s)
    if name == "elu":
        zn = np.minimum(z, 0)
        return np.where(z > 0, az, np.abs(np.expm1(zn)) + az * np.exp(zn))
    if name == "gelu":
        u = GELU_C0 * (z + GELU_C1 * z ** 3)
        t = np.tanh(u)
        # 0.5 x (1 + t): the sum 1 + t cancels; t carries |u| (1 - t^2) of argument error
        inner = 1 + np.abs(u) + GELU_C0 * GELU_C1 * az ** 3
        return 0.5 * az * (1 + np.abs(t) + inner * (1 - t * t))
    if name == "softplus":
        return np.maximum(z, 0) + np.log1p(np.exp(-az)) + az / (1 + np.exp(az))
    raise ValueError(name)


@np.errstate(over="ignore")
def act_grad_scale(name, z, a, da):
    z, a, da = (np.asarray(v, dtype=np.float64) for v in (z, a, da))
    name = {"logistic": "sigmoid"}.get(name, name)
    ada = np.abs(da)
    if name in ("identity", "relu", "leaky_relu"):
        return ada
    if name == "tanh":
        return ada * (1 + a * a)
    if name == "sigmoid":
        return ada * np.abs(a) * (1 + np.abs(a))
    if name == "elu":
        return ada * (1 + np.abs(a))
    if name == "softplus":
        s = 1 / (1 + np.exp(-z))
        return ada * (s + np.abs(z) * s * (1 - s))
    if name == "gelu":
        az = np.abs(z)
        u = GELU_C0 * (z + GELU_C1 * z ** 3)
        t = np.tanh(u)
        poly = GELU_C0 * (1 + 3 * GELU_C1 * z * z)
        terms = 0.5 * (1 + np.abs(t)) + 0.5 * az * (1 + t * t) * poly
        dd_dt = 0.5 + az * np.abs(t) * poly
        return ada * (terms + dd_dt * (1 - t * t) * (1 + np.abs(u)))
    raise ValueError(name)
