"""The activations' own exp, expm1, tanh and log1p (csrc/ops/vmath.inc: range
reductions and polynomials written to vectorize) over their whole range, on
every ISA's build, in ulps of a correctly rounded reference: float32 against
float64 NumPy, float64 against NumPy's long double (x87 extended on x86-64).

The bound is derived from the arithmetic: the polynomial's truncation is
under a quarter ulp; the reduction, the polynomial's handful of roundings and
the final product or division add an ulp or two; 4 ulp leaves room for one
more rounding, and a degree too low or a wrong constant costs far more.  The
special values (NaN, +-inf, signed zeros, the overflow edge) are exact.
"""
import numpy as np
import pytest

from fastnn import _core
from _opsutil import whole_range

ULPS = 4
FUNCTIONS = {  # name: (reference on float64 / long double, domain of x)
    "exp": (np.exp, "all"),
    "expm1": (np.expm1, "all"),
    "tanh": (np.tanh, "all"),
    "log1p_unit": (np.log1p, "unit"),
}


def inputs(dtype, domain):
    if domain == "all":
        return whole_range(dtype)
    info = np.finfo(dtype)  # [0, 1], subnormals included
    mags = np.concatenate([np.geomspace(float(info.smallest_subnormal), 1, 4000),
                           np.linspace(0, 1, 4001), [0.41421356237309503]])
    x = mags.astype(dtype)
    return np.concatenate([x, np.nextafter(x, 0), np.nextafter(x, 1)])


def ulp_errors(got, want, dtype):
    """|got - want| in ulps of want rounded to dtype (subnormal ulps below)."""
    want_t = want.astype(dtype)
    spacing = np.maximum(np.abs(np.spacing(want_t)), np.finfo(dtype).smallest_subnormal)
    return np.abs(got.astype(want.dtype) - want) / spacing.astype(want.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_within_a_few_ulps_over_the_whole_range(kernel, name, dtype):
    fn, domain = FUNCTIONS[name]
    x = inputs(dtype, domain)
    wide = np.float64 if dtype == np.float32 else np.longdouble
    with np.errstate(over="ignore"):
        want = fn(x.astype(wide))
    got = _core._vmath(name, x)
    assert got.dtype == dtype and got.shape == x.shape
    with np.errstate(over="ignore"):
        rounded = want.astype(dtype)
    finite = np.isfinite(rounded)
    # where the true value rounds past the largest float, only inf is right
    assert np.array_equal(got[~finite], rounded[~finite]), x[~finite][:5]
    err = ulp_errors(got[finite], want[finite], dtype)
    worst = int(np.argmax(err))
    assert err[worst] <= ULPS, "%s(%r) = %r, want %r: %.2f ulp" % (
        name, x[finite][worst], got[finite][worst], want[finite][worst], err[worst])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_values_exact(kernel, dtype):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0], dtype)
    want = {"exp": [np.nan, np.inf, 0.0, 1.0, 1.0],
            "expm1": [np.nan, np.inf, -1.0, 0.0, -0.0],
            "tanh": [np.nan, 1.0, -1.0, 0.0, -0.0]}
    for name, values in want.items():
        got = _core._vmath(name, x)
        np.testing.assert_array_equal(got, np.array(values, dtype), err_msg=name)
        assert np.array_equal(np.signbit(got[3:]), np.signbit(np.array(values[3:]))), name
    got = _core._vmath("log1p_unit", np.array([np.nan, 0.0, 1.0], dtype))
    assert np.isnan(got[0]) and got[1] == 0 and got[2] == dtype(np.log(2.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_overflow_edge(kernel, dtype):
    """exp and expm1 overflow to inf just where the rounded true value does,
    never to NaN (inf - inf at the top of the range)."""
    top = np.log(np.longdouble(np.finfo(dtype).max))
    x = np.array([top], dtype)
    x = np.concatenate([np.nextafter(x, 0), x, np.nextafter(x, np.inf)])
    for name, fn in (("exp", np.exp), ("expm1", np.expm1)):
        with np.errstate(over="ignore"):
            want = fn(x.astype(np.longdouble)).astype(dtype)
        got = _core._vmath(name, x)
        assert not np.any(np.isnan(got)), name
        np.testing.assert_array_equal(np.isinf(got), np.isinf(want), err_msg=name)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown function"):
        _core._vmath("sin", np.zeros(3))
    with pytest.raises(TypeError, match="float32 or float64"):
        _core._vmath("exp", np.zeros(3, np.int64))
