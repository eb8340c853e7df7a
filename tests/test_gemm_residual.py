"""Large products checked the BLIS way: C·t against A·(B·t) for a random t.

The other GEMM tests compare whole products with NumPy up to a few hundred
per side; this one runs 2000-sized products (many kc and mc blocks, full and
edge tiles, every packing path) on every ISA this CPU runs, for float32,
float64 and bfloat16 compute, at the cost of matrix-vector products only.

The bound: each element of C - A·B is a sum of k rounding errors of size u
(the working precision's unit roundoff) times the terms |a_il|·|b_lj|.  The
worst case, k·u, is far too loose to notice a skipped tile; the probabilistic
bound of Higham and Mary (SIAM J. Sci. Comput. 41(5), 2019), lambda·sqrt(k)·u
with lambda = 10, fails by chance with probability under 1e-21 and is still
derived from the arithmetic alone.  So |C·t - A·(B·t)| <= lambda·sqrt(k)·u ·
|A|·(|B|·|t|), the right side in float64.  A skipped kc panel or a wrong
micro-tile breaks it several times over."""
import numpy as np
import pytest

from fastnn import ops, reference

SIZE = 2000
UNIT_ROUNDOFF = {"float32": 2.0**-24, "float64": 2.0**-53, "bfloat16": 2.0**-24}


LAMBDA = 10.0


def probabilistic_gamma(k, u):
    return LAMBDA * np.sqrt(k) * u


def check_residual(compute, layout):
    rng = np.random.default_rng(2000)
    dtype = np.float64 if compute == "float64" else np.float32
    m, n, k = SIZE, SIZE + 3, SIZE - 5  # odd edges in every dimension
    a = rng.uniform(-1, 1, (k, m) if layout == "tt" else (m, k)).astype(dtype)
    b = rng.uniform(-1, 1, (n, k) if layout == "tt" else (k, n)).astype(dtype)
    if layout == "tt":
        a, b = a.T, b.T  # column-major views: the transposed packing paths
    c = ops.matmul(a, b, compute="bfloat16" if compute == "bfloat16" else None)
    if compute == "bfloat16":  # the product is exact for the rounded operands
        a, b = reference.round_bfloat16(a), reference.round_bfloat16(b)
    t = rng.uniform(-1, 1, n)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    residual = np.abs(c.astype(np.float64) @ t - a64 @ (b64 @ t))
    # float64: the check's own float64 products carry the same kind of error
    u = UNIT_ROUNDOFF[compute] * (2 if compute == "float64" else 1)
    bound = probabilistic_gamma(k, u) * (np.abs(a64) @ (np.abs(b64) @ np.abs(t)))
    worst = float(np.max(residual / bound))
    assert worst <= 1.0, "residual at %.3g of the bound" % worst
    assert np.linalg.norm(c) > 0.1 * np.sqrt(m * n * k / 27)  # far from a vacuous zero product


@pytest.mark.parametrize("layout", ["nn", "tt"])
@pytest.mark.parametrize("compute", ["float32", "float64"])
def test_residual_of_a_2000_sized_product(kernel, compute, layout):
    check_residual(compute, layout)


@pytest.mark.parametrize("layout", ["nn", "tt"])
def test_residual_of_a_2000_sized_bfloat16_product(layout):
    """bfloat16 compute with the engine this CPU selects (chosen apart from the
    float32 ISA, so not once per ISA)."""
    check_residual("bfloat16", layout)
