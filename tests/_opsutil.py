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
from fastnn._validate import canonical_activation

DTYPES = (np.float64, np.float32)
EPS32 = float(np.finfo(np.float32).eps)
TINY32 = float(np.finfo(np.float32).smallest_subnormal)
TINY64 = float(np.finfo(np.float64).smallest_subnormal)
RTOL64 = 1e-12
# "a few ulps": each scalar operation rounds once (eps/2); K covers the handful
# of operations per element and the libm functions' own (< 4 ulp) error.
K32 = 8

# every activation of csrc/vocab.h, then its aliases
ACTIVATIONS = tuple(fastnn._core.ACTIVATIONS) + tuple(fastnn._core.ACTIVATION_ALIASES)
GELU_C0, GELU_C1 = 0.7978845608028654, 0.044715

# small, edge and odd shapes; one larger than FNN_PAR_MIN (32768 elements)
SHAPES = [(0, 5), (5, 0), (1, 1), (7, 13), (13, 7), (97, 7), (300, 257)]
BIG = (300, 257)


def whole_range(dtype):
    """Both signs of magnitudes from the smallest subnormal to near overflow,
    dense below 20, with the edges of the compiled exp (csrc/ops/vmath.inc:
    its reduction's half step, where e^x overflows or underflows, its clamps)
    and each value's neighbours."""
    info = np.finfo(dtype)
    edges = [0.34657359, 0.69314718, 1.0, 20.0, 87.3, 88.0, 88.38, 88.5, 88.72, 88.7228,
             89.0, 103.0, 103.9, 104.0, 105.0, 708.0, 709.4, 709.5, 709.78, 710.0, 745.1,
             746.0, 747.0]
    mags = np.concatenate([np.geomspace(float(info.smallest_subnormal), float(info.max) / 4, 6000),
                           np.linspace(0, 20, 8001), np.linspace(20, 800, 3001),
                           edges]).astype(dtype)
    mags = mags[np.isfinite(mags)]
    mags = np.concatenate([mags, np.nextafter(mags, 0), np.nextafter(mags, np.inf)])
    mags = mags[np.isfinite(mags)]
    return np.concatenate([mags, -mags])


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
# act_scale: the sum of |terms| that g(z) is built from, times (1 + condition)
# where an inner argument's rounding is amplified; act_grad_scale: the same
# for da * g'(z).  One (act_scale, act_grad_scale) pair per activation.
def _identity_scale(z):
    return np.abs(z)


def _identity_grad_scale(z, a, da):
    return np.abs(da)


def _tanh_scale(z):
    return np.abs(np.tanh(z)) + np.abs(z) * (1 - np.tanh(z) ** 2)


def _sigmoid_scale(z):
    s = 1 / (1 + np.exp(-z))
    return s + np.abs(z) * s * (1 - s)


def _elu_scale(z):
    zn = np.minimum(z, 0)
    return np.where(z > 0, np.abs(z), np.abs(np.expm1(zn)) + np.abs(z) * np.exp(zn))


def _gelu_scale(z):
    az = np.abs(z)
    u = GELU_C0 * (z + GELU_C1 * z ** 3)
    t = np.tanh(u)
    # 0.5 x (1 + t): the sum 1 + t cancels; t carries |u| (1 - t^2) of argument error
    inner = 1 + np.abs(u) + GELU_C0 * GELU_C1 * az ** 3
    return 0.5 * az * (1 + np.abs(t) + inner * (1 - t * t))


def _gelu_grad_scale(z, a, da):
    az = np.abs(z)
    u = GELU_C0 * (z + GELU_C1 * z ** 3)
    t = np.tanh(u)
    poly = GELU_C0 * (1 + 3 * GELU_C1 * z * z)
    terms = 0.5 * (1 + np.abs(t)) + 0.5 * az * (1 + t * t) * poly
    dd_dt = 0.5 + az * np.abs(t) * poly
    return np.abs(da) * (terms + dd_dt * (1 - t * t) * (1 + np.abs(u)))


def _softplus_scale(z):
    az = np.abs(z)
    return np.maximum(z, 0) + np.log1p(np.exp(-az)) + az / (1 + np.exp(az))


def _softplus_grad_scale(z, a, da):
    s = 1 / (1 + np.exp(-z))
    return np.abs(da) * (s + np.abs(z) * s * (1 - s))


ACT_ERROR_SCALES = {
    "identity": (_identity_scale, _identity_grad_scale),
    "relu": (_identity_scale, _identity_grad_scale),
    "leaky_relu": (_identity_scale, _identity_grad_scale),
    "tanh": (_tanh_scale, lambda z, a, da: np.abs(da) * (1 + a * a)),
    "sigmoid": (_sigmoid_scale, lambda z, a, da: np.abs(da) * np.abs(a) * (1 + np.abs(a))),
    "elu": (_elu_scale, lambda z, a, da: np.abs(da) * (1 + np.abs(a))),
    "gelu": (_gelu_scale, _gelu_grad_scale),
    "softplus": (_softplus_scale, _softplus_grad_scale),
}


def _scales(name):
    name = canonical_activation(name)
    if name not in ACT_ERROR_SCALES:
        raise ValueError(name)
    return ACT_ERROR_SCALES[name]


@np.errstate(over="ignore")
def act_scale(name, z):
    return _scales(name)[0](np.asarray(z, dtype=np.float64))


@np.errstate(over="ignore")
def act_grad_scale(name, z, a, da):
    z, a, da = (np.asarray(v, dtype=np.float64) for v in (z, a, da))
    return _scales(name)[1](z, a, da)
