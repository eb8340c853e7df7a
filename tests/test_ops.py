"""fastnn.ops elementwise kernels, softmax, column sums, the dense layer and the
losses against their NumPy twins in fastnn.reference (the specification).

float64 must match to 1e-12 of the error scale; float32 (the twin evaluated in
float64 on the same float32 inputs) to a few eps32 of a scale derived from the
arithmetic: see tests/_opsutil.py."""
import numpy as np
import pytest

from fastnn import ops
from fastnn import reference as ref
from _opsutil import (ACTIVATIONS, BIG, DTYPES, SHAPES, act_grad_scale, act_scale,
                      assert_close, bits_equal, layouts, randn, rng, threads, whole_range)

LOSSES = ("cross_entropy", "binary_cross_entropy", "mse")
EXTREMES = np.array([-1e4, -100.0, -30.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 5.0, 30.0,
                     100.0, 1e4])


def act_input(shape, dtype, seed=0):
    z = randn(shape, np.float64, 3.0, seed)
    flat = z.reshape(-1)
    k = min(flat.size, EXTREMES.size)
    flat[:k] = EXTREMES[:k]
    return z.astype(dtype)


def deriv(name, z):
    """|g'(z)| in float64 (for error propagation)."""
    z = np.asarray(z, dtype=np.float64)
    a = ref.activation(z, name)
    return np.abs(ref.activation_grad(name, z, a, np.ones_like(z)))


# ---------------------------------------------------------------- activations
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + [(4, 3, 5), (11,), ()])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_twin(kernel, name, shape, dtype):
    z = act_input(shape, dtype)
    got = ops.activation(z, name)
    assert got.dtype == dtype and got.shape == z.shape
    z64 = z.astype(np.float64)
    assert_close(got, ref.activation(z64, name), act_scale(name, z64), dtype, what=name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + [(4, 3, 5), ()])
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_grad_matches_twin(kernel, name, shape, dtype):
    z = act_input(shape, dtype)
    a = ops.activation(z, name)
    da = randn(shape, dtype, seed=1)
    got = ops.activation_grad(name, z, a, da)
    assert got.dtype == dtype and got.shape == z.shape
    z64, a64, da64 = (v.astype(np.float64) for v in (z, a, da))
    assert_close(got, ref.activation_grad(name, z64, a64, da64),
                 act_grad_scale(name, z64, a64, da64), dtype, what=name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["tanh", "sigmoid", "elu", "gelu", "softplus"])
def test_activation_sweep_matches_twin(kernel, name, dtype):
    """The compiled exp, expm1, tanh and log1p (range reductions, polynomials,
    clamps) against NumPy's over every range they have, forward and gradient."""
    z = whole_range(dtype)
    da = np.ones_like(z)
    z64 = z.astype(np.float64)
    with np.errstate(all="ignore"):
        want = ref.activation(z64, name)
        scale = act_scale(name, z64)
    got = ops.activation(z, name)
    assert_close(got, want, scale, dtype, what=name)
    with np.errstate(all="ignore"):
        a64 = got.astype(np.float64)
        want_g = ref.activation_grad(name, z64, a64, da.astype(np.float64))
        scale_g = act_grad_scale(name, z64, a64, da.astype(np.float64))
    assert_close(ops.activation_grad(name, z, got, da), want_g, scale_g, dtype, what=name)


@pytest.mark.parametrize("name", ["tanh", "gelu", "softplus"])
def test_activation_any_layout_is_copied(kernel, name):
    z = randn((13, 7), np.float64, 2.0)
    want = ops.activation(z, name)
    for label, zl in layouts(z):
        before = zl.copy()
        assert bits_equal(ops.activation(zl, name), want), label
        assert bits_equal(ops.activation_grad(name, zl, want, zl), ops.activation_grad(
            name, z, want, z)), label
        assert np.array_equal(zl, before), label


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_extremes_finite(kernel, name, dtype):
    z = EXTREMES.astype(dtype)
    a = ops.activation(z, name)
    g = ops.activation_grad(name, z, a, np.ones_like(z))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(g))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_non_finite_like_twin(kernel, name, dtype):
    """NaN propagates (a diverged layer must not look healthy), +-inf and signed
    zeros give the twin's values; the same for the gradient with non-finite da."""
    z = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, -2.0, 2.0, -2.0, 2.0], dtype)
    da = np.array([1.0, 1.0, 1.0, np.nan, np.inf, np.nan, np.nan, -np.inf, np.inf], dtype)
    with np.errstate(all="ignore"):
        want = ref.activation(z, name)
        want_g = ref.activation_grad(name, z, want, da)
    z64, a64, da64 = (v.astype(np.float64) for v in (z, want, da))
    with np.errstate(all="ignore"):
        scale, scale_g = act_scale(name, z64), act_grad_scale(name, z64, a64, da64)
    got = ops.activation(z, name)
    assert_close(got, want, scale, dtype, what="forward")
    assert_close(ops.activation_grad(name, z, want, da), want_g, scale_g, dtype, what="grad")
    # the dense layer's epilogue runs the same code: x = 1 (1x1), w = z
    np.testing.assert_array_equal(ops.linear(np.ones((1, 1), dtype), z[None, :], None, name),
                                  got[None, :])


def test_logistic_is_sigmoid_and_linear_is_identity(kernel):
    z = randn((7, 13))
    assert bits_equal(ops.activation(z, "logistic"), ops.activation(z, "sigmoid"))
    assert bits_equal(ops.activation(z, "linear"), z)


# --------------------------------------------------------------- column sums
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES + [(1000, 3), (3, 1000)])
def test_column_sums_matches_twin(kernel, shape, dtype):
    x = randn(shape, dtype, 10.0)
    got = ops.column_sums(x)
    assert got.dtype == dtype and got.shape == (shape[1],)
    x64 = x.astype(np.float64)
    # recursive summation of m terms: |err| <= (m - 1) eps/2 sum|x|
    assert_close(got, ref.column_sums(x64), (shape[0] + 1) * np.abs(x64).sum(axis=0), dtype, k=2)


def test_column_sums_layouts(kernel):
    x = randn((97, 13))
    want = ops.column_sums(x)
    for label, xl in layouts(x):
        assert bits_equal(ops.column_sums(xl), want), label


# -------------------------------------------------------------------- softmax
def softmax_scales(z64):
    n = z64.shape[1]
    mx = z64.max(axis=1, keepdims=True)
    p = ref.softmax(z64)
    lse = ref.log_softmax(z64)  # z - lse
    lse = z64 - lse
    spread = np.abs(z64 - mx)
    sm = p * (spread + n + 3)
    lsm = (np.abs(z64) + np.abs(lse) + np.abs(mx) + np.log(np.exp(z64 - mx).sum(1, keepdims=True))
           + n + spread.max(axis=1, keepdims=True))
    return sm, lsm


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [s for s in SHAPES if s[1] > 0] + [(5, 1)])
def test_softmax_and_log_softmax_match_twin(kernel, shape, dtype):
    z = act_input(shape, dtype)
    z64 = z.astype(np.float64)
    sm = ops.softmax(z)
    lsm = ops.log_softmax(z)
    assert sm.dtype == lsm.dtype == dtype
    s_scale, l_scale = softmax_scales(z64)
    assert_close(sm, ref.softmax(z64), s_scale, dtype, what="softmax")
    assert_close(lsm, ref.log_softmax(z64), l_scale, dtype, what="log_softmax")
    assert np.all(np.isfinite(sm)) and np.all(np.isfinite(lsm))


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_zero_columns(kernel, dtype):
    z = np.zeros((4, 0), dtype)
    assert ops.softmax(z).shape == (4, 0) and ops.log_softmax(z).shape == (4, 0)
    assert ops.softmax_grad(z, z).shape == (4, 0)
    # and the twin: its max over no columns once raised
    assert ref.softmax(z).shape == (4, 0) and ref.log_softmax(z).shape == (4, 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_grad_matches_twin(kernel, shape, dtype):
    z = randn(shape, np.float64, 2.0)
    a = (ref.softmax(z) if shape[1] else z).astype(dtype)
    da = randn(shape, dtype, seed=3)
    got = ops.softmax_grad(a, da)
    a64, da64 = a.astype(np.float64), da.astype(np.float64)
    n = shape[1]
    dot = (da64 * a64).sum(axis=1, keepdims=True)
    dot_terms = np.abs(da64 * a64).sum(axis=1, keepdims=True)
    scale = np.abs(a64) * (np.abs(da64) + np.abs(dot) + (n + 1) * dot_terms)
    assert_close(got, ref.softmax_grad(a64, da64), scale, dtype)


def test_softmax_layouts(kernel):
    z = randn((13, 7))
    for label, zl in layouts(z):
        assert bits_equal(ops.softmax(zl), ops.softmax(z)), label
        assert bits_equal(ops.log_softmax(zl), ops.log_softmax(z)), label
        assert bits_equal(ops.softmax_grad(zl, zl), ops.softmax_grad(z, z)), label


# ---------------------------------------------------------------- dense layer
LINEAR_SHAPES = [(0, 5, 3), (4, 0, 3), (4, 5, 0), (1, 1, 1), (7, 13, 97), (97, 7, 13),
                 (17, 600, 33), (300, 64, 257)]
# every activation on one odd shape, every shape with two activations: the GEMM
# is what differs between kernels, the epilogue is the elementwise code tested above
LINEAR_CASES = ([("every-act", (13, 29, 7), name) for name in ACTIVATIONS]
                + [("shape", mkn, name) for mkn in LINEAR_SHAPES for name in ("identity", "gelu")])
LINEAR_IDS = ["%s-%dx%dx%d" % (name, *mkn) for _, mkn, name in LINEAR_CASES]


def linear_inputs(m, k, n, dtype, seed=0):
    x = randn((m, k), dtype, 1.0, seed)
    w = randn((k, n), dtype, 1.0 / np.sqrt(max(k, 1)), seed + 1)
    b = randn((n,), dtype, 0.5, seed + 2)
    return x, w, b


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", LINEAR_CASES, ids=LINEAR_IDS)
def test_linear_matches_twin(kernel, case, dtype):
    _, mkn, name = case
    m, k, n = mkn
    x, w, b = linear_inputs(m, k, n, dtype)
    x64, w64, b64 = (v.astype(np.float64) for v in (x, w, b))
    z64 = x64 @ w64 + b64
    # GEMM: |err z| <= k eps/2 (|x||w|) + eps/2 |b|-ish; pushed through g, plus g's own error
    dz = (k + 2) * (np.abs(x64) @ np.abs(w64) + np.abs(b64))
    for bias in (b, None):
        got = ops.linear(x, w, bias, name)
        assert got.dtype == dtype and got.shape == (m, n)
        zz = z64 if bias is not None else x64 @ w64
        scale = deriv(name, zz) * dz + act_scale(name, zz)
        assert_close(got, ref.linear(x64, w64, None if bias is None else b64, name), scale, dtype,
                     what="linear %s bias=%s" % (name, bias is not None))


def test_linear_layouts(kernel):
    x, w, b = linear_inputs(13, 7, 5, np.float64)
    want = ops.linear(x, w, b, "tanh")
    for (lx, xl), (lw, wl) in zip(layouts(x), layouts(w)):
        assert_close(ops.linear(xl, wl, b[::-1].copy()[::-1], "tanh"), want,
                     np.abs(want) + 1, np.float64, what=lx + lw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", LINEAR_CASES, ids=LINEAR_IDS)
def test_linear_backward_matches_twin(kernel, case, dtype):
    _, mkn, name = case
    m, k, n = mkn
    x, w, b = linear_inputs(m, k, n, dtype)
    z = ref.linear(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64)).astype(dtype)
    a = ops.activation(z, name)
    da = randn((m, n), dtype, seed=5)
    dx, dw, db = ops.linear_backward(x, w, z, a, da, name)
    assert (dx.shape, dw.shape, db.shape) == ((m, k), (k, n), (n,))
    assert dx.dtype == dw.dtype == db.dtype == dtype
    x64, w64, z64, a64, da64 = (v.astype(np.float64) for v in (x, w, z, a, da))
    wdx, wdw, wdb = ref.linear_backward(x64, w64, z64, a64, da64, name)
    dz = np.abs(ref.activation_grad(name, z64, a64, da64)) + act_grad_scale(name, z64, a64, da64)
    assert_close(dx, wdx, (n + 2) * (dz @ np.abs(w64).T), dtype, what="dx")
    assert_close(dw, wdw, (m + 2) * (np.abs(x64).T @ dz), dtype, what="dw")
    assert_close(db, wdb, (m + 2) * dz.sum(axis=0), dtype, what="db")


def test_linear_backward_layouts(kernel):
    x, w, b = linear_inputs(13, 7, 5, np.float64)
    z = ops.linear(x, w, b)
    a = ops.activation(z, "tanh")
    da = randn((13, 5), seed=9)
    want = ops.linear_backward(x, w, z, a, da, "tanh")
    for (lx, xl), (lw, wl), (lz, zl), (la, dal) in zip(layouts(x), layouts(w), layouts(z),
                                                         layouts(da)):
        got = ops.linear_backward(xl, wl, zl, a, dal, "tanh")
        for g, wnt in zip(got, want):
            assert_close(g, wnt, np.abs(wnt) + 1, np.float64, what=lx + lw + lz + la)


# --------------------------------------------------------------------- losses
def loss_inputs(name, shape, dtype, target_kind, seed=0, logit_scale=3.0):
    m, n = shape
    r = rng(seed)
    logits = (r.standard_normal(shape) * logit_scale).astype(dtype)
    if name == "cross_entropy":
        if target_kind == "labels":
            target = r.integers(0, max(n, 1), size=m) if n else np.zeros(m, np.int64)
        elif target_kind == "onehot":
            target = (np.eye(n, dtype=dtype)[r.integers(0, n, size=m)] if n
                      else np.zeros(shape, dtype))
        else:  # soft probabilities (rows sum to 1; some exact zeros)
            t = r.random(shape) * (r.random(shape) > 0.3)
            target = (t / np.maximum(t.sum(axis=1, keepdims=True), 1e-300)).astype(dtype)
            if target_kind == "unnormalized":  # row sums in [0, 2]: the twin's sum(t) * p - t
                target = (target * r.uniform(0, 2, size=(m, 1))).astype(dtype)
                target[:1] = 0
    elif name == "binary_cross_entropy":
        soft = target_kind == "soft"
        target = (r.random(shape) if soft else r.integers(0, 2, shape)).astype(dtype)
    else:
        target = r.standard_normal(shape).astype(dtype)
    return logits, target


def loss_scales(name, z, t):
    """(value scale, grad scale), float64; z, t float64 and t dense (m, n)."""
    m, n = z.shape
    if name == "cross_entropy":
        mx = z.max(axis=1, keepdims=True)
        p = ref.softmax(z)
        lse = mx + np.log(np.exp(z - mx).sum(axis=1, keepdims=True))
        spread = np.abs(z - mx)
        e_lse = np.abs(mx) + np.abs(lse - mx) + n + (p * spread).sum(axis=1, keepdims=True)
        value = (np.abs(t) * (np.abs(lse) + np.abs(z) + e_lse)).sum() / m
        tsum = t.sum(axis=1, keepdims=True)
        grad = (np.abs(tsum) * p * (spread + n + 3) + p * n * np.abs(t).sum(1, keepdims=True)
                + np.abs(t)) / m
    elif name == "binary_cross_entropy":
        e = np.exp(-np.abs(z))
        p = ref.activation(z, "sigmoid")
        value = (np.maximum(z, 0) + np.abs(t * z) + np.log1p(e) + np.abs(z) * e).sum() / m
        grad = (p + np.abs(t) + np.abs(z) * p * (1 - p)) / m
    else:
        d = z - t
        value = 1.5 * (d * d).sum() / m
        grad = np.abs(d) / m
    return value, grad


LOSS_CASES = [("cross_entropy", "labels"), ("cross_entropy", "onehot"), ("cross_entropy", "soft"),
              ("cross_entropy", "unnormalized"),
              ("binary_cross_entropy", "hard"), ("binary_cross_entropy", "soft"), ("mse", None)]


def dense_target(name, t, shape, dtype=np.float64):
    if name == "cross_entropy" and t.ndim == 1:
        return np.eye(shape[1], dtype=dtype)[t]
    return t.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (13, 7), (97, 7), (300, 257)])
@pytest.mark.parametrize("name,target_kind", LOSS_CASES)
def test_loss_matches_twin(kernel, name, target_kind, shape, dtype):
    logits, target = loss_inputs(name, shape, dtype, target_kind)
    value, grad = ops.loss(name, logits, target)
    assert isinstance(value, float) and grad.dtype == dtype and grad.shape == shape
    z64 = logits.astype(np.float64)
    t64 = target if target.ndim == 1 else target.astype(np.float64)
    wv, wg = ref.loss(name, z64, t64)
    vs, gs = loss_scales(name, z64, dense_target(name, target, shape))
    assert_close(value, wv, vs, dtype, what="value")
    assert_close(grad, wg, gs, dtype, what="grad")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,target_kind", LOSS_CASES)
def test_loss_extreme_logits_finite(kernel, name, target_kind, dtype):
    logits, target = loss_inputs(name, (6, 5), dtype, target_kind, seed=4)
    logits[:] = np.where(rng(1).random((6, 5)) > 0.5, 1e4, -1e4).astype(dtype)
    logits[0] = 1e4
    logits[1] = -1e4
    value, grad = ops.loss(name, logits, target)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    z64 = logits.astype(np.float64)
    t64 = target if target.ndim == 1 else target.astype(np.float64)
    wv, wg = ref.loss(name, z64, t64)
    vs, gs = loss_scales(name, z64, dense_target(name, target, logits.shape))
    assert_close(value, wv, vs, dtype, what="value")
    assert_close(grad, wg, gs, dtype, what="grad")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0, 5), (5, 0)])
@pytest.mark.parametrize("name,target_kind", LOSS_CASES)
def test_loss_empty(kernel, name, target_kind, shape, dtype):
    if name == "cross_entropy" and shape[1] == 0 and target_kind == "labels":
        pytest.skip("no valid label exists for zero classes")
    logits, target = loss_inputs(name, shape, dtype, target_kind)
    value, grad = ops.loss(name, logits, target)
    # documented convention of the kernel: nothing to average -> 0
    assert value == 0.0 and grad.shape == shape and grad.dtype == dtype
    with np.errstate(all="raise"):  # the twin divided 0 by 0 rows
        twin_value, twin_grad = ref.loss(name, logits, target)
    assert twin_value == 0.0 and twin_grad.shape == shape and twin_grad.dtype == dtype


def test_loss_target_layouts(kernel):
    logits, target = loss_inputs("cross_entropy", (13, 7), np.float64, "soft")
    want = ops.loss("cross_entropy", logits, target)
    for (l1, zl), (l2, tl) in zip(layouts(logits), layouts(target)):
        got = ops.loss("cross_entropy", zl, tl)
        assert got[0] == want[0] and bits_equal(got[1], want[1]), l1 + l2
    labels = np.arange(26) % 7
    assert ops.loss("cross_entropy", logits, labels[::2])[0] == \
        ops.loss("cross_entropy", logits, labels[::2].copy())[0]


def test_loss_int_label_dtypes(kernel):
    logits, _ = loss_inputs("cross_entropy", (7, 5), np.float64, "labels")
    labels = np.arange(7) % 5
    want = ops.loss("cross_entropy", logits, labels.astype(np.int64))
    for dt in (np.int8, np.uint8, np.int32, np.uint64):
        got = ops.loss("cross_entropy", logits, labels.astype(dt))
        assert got[0] == want[0] and bits_equal(got[1], want[1])


CLIP_CASES = [c for c in LOSS_CASES if c[0] != "mse"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("clip", ["eps", 0.01])
@pytest.mark.parametrize("name,target_kind", CLIP_CASES)
def test_clipped_loss_matches_twin(kernel, name, target_kind, clip, dtype):
    """probability_clip bounds each -log p of the value (scikit-learn's log_loss):
    logits spread over +-60 so both bounds bind (-log p above -log(clip) and
    below -log1p(-clip)); the gradient is the unclipped one, bit for bit."""
    clip = float(np.finfo(dtype).eps) if clip == "eps" else clip
    logits, target = loss_inputs(name, (97, 7), dtype, target_kind, logit_scale=30.0)
    value, grad = ops.loss(name, logits, target, probability_clip=clip)
    exact, exact_grad = ops.loss(name, logits, target)
    assert bits_equal(grad, exact_grad) and value != exact
    z64 = logits.astype(np.float64)
    t64 = target if target.ndim == 1 else target.astype(np.float64)
    wv, _ = ref.loss(name, z64, t64, probability_clip=clip)
    vs, _ = loss_scales(name, z64, dense_target(name, target, logits.shape))
    assert_close(value, wv, vs, dtype, what="value")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,target_kind", LOSS_CASES)
def test_clip_zero_is_the_exact_loss_bit_for_bit(kernel, name, target_kind, dtype):
    # the clipping kernel itself with a clip of 0 (ops.loss calls it only with one)
    from fastnn import _core
    logits, target = loss_inputs(name, (13, 7), dtype, target_kind, logit_scale=30.0)
    target, labels = ops._loss_target(name, logits, target)
    kind = ops.LOSSES[name]
    got_grad, want_grad = np.empty_like(logits), np.empty_like(logits)
    got = _core.loss_clipped(got_grad, logits, target, labels, kind, 0.0, 0.0)
    want = _core.loss(want_grad, logits, target, labels, kind)
    assert got == want and bits_equal(got_grad, want_grad)


@pytest.mark.parametrize("clip,err", [(0.5, "below 0.5"), (-1e-3, ">= 0"), (np.nan, "finite"),
                                      ("a", "number")])
def test_probability_clip_is_checked(clip, err):
    z = np.zeros((2, 3))
    with pytest.raises((TypeError, ValueError), match=err):
        ops.loss("cross_entropy", z, np.array([0, 1]), probability_clip=clip)
    with pytest.raises(ValueError, match="probability_clip needs"):
        ops.loss("mse", z, z, probability_clip=1e-3)


# ------------------------------------------------- threads: same bits for 1, 2
def test_bit_identical_across_threads(kernel, n_threads):
    x = randn(BIG, np.float32, 3.0, seed=7)
    y = randn(BIG, np.float64, 3.0, seed=8)
    logits, labels = loss_inputs("cross_entropy", BIG, np.float32, "labels")

    def run():
        out = [ops.column_sums(x), ops.column_sums(y)]
        for name in ACTIVATIONS:
            a = ops.activation(x, name)
            out += [a, ops.activation_grad(name, x, a, x), ops.activation(y, name)]
        out += [ops.softmax(x), ops.log_softmax(y), ops.softmax_grad(x, x)]
        v, g = ops.loss("cross_entropy", logits, labels)
        out += [np.float64(v), g]
        for name in ("binary_cross_entropy", "mse"):
            v, g = ops.loss(name, y, np.minimum(np.abs(y) / 10, 1))  # BCE: in [0, 1]
            out += [np.float64(v), g]
        return out

    got = run()
    with threads(1):
        want = run()
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert bits_equal(g, w), i


# ------------------------------------------- finite differences, float64 only
H = 1e-6


def rel_err(a, b):
    a, b = np.ravel(a), np.ravel(b)
    denom = max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)
    return np.linalg.norm(a - b) / denom


def central_diff(f, x):
    g = np.zeros_like(x)
    flat, gf = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + H
        fp = f()
        flat[i] = old - H
        fm = f()
        flat[i] = old
        gf[i] = (fp - fm) / (2 * H)
    return g


def away_from_kinks(shape, seed):
    z = randn(shape, np.float64, 2.0, seed)
    return np.where(np.abs(z) < 1e-3, 0.5, z)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_grad_finite_difference(kernel, name):
    z = away_from_kinks((6, 7), 11)
    da = randn((6, 7), seed=12)
    a = ops.activation(z, name)
    got = ops.activation_grad(name, z, a, da)
    # elementwise g: the derivative of each element by its own central difference
    fd = da * (ops.activation(z + H, name) - ops.activation(z - H, name)) / (2 * H)
    assert rel_err(got, fd) < 1e-6


@pytest.mark.parametrize("name,target_kind", LOSS_CASES)
def test_loss_grad_finite_difference(kernel, name, target_kind):
    logits, target = loss_inputs(name, (5, 4), np.float64, target_kind, seed=2, logit_scale=1.5)
    _, grad = ops.loss(name, logits, target)
    fd = central_diff(lambda: ops.loss(name, logits, target)[0], logits)
    assert rel_err(grad, fd) < 1e-6


def test_softmax_grad_finite_difference(kernel):
    z = randn((4, 6), seed=3)
    da = randn((4, 6), seed=4)
    got = ops.softmax_grad(ops.softmax(z), da)
    fd = central_diff(lambda: float((da * ops.softmax(z)).sum()), z)
    assert rel_err(got, fd) < 1e-6


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_linear_backward_finite_difference(kernel, name):
    x, w, b = linear_inputs(5, 4, 3, np.float64, seed=20)
    da = randn((5, 3), seed=21)
    z = ops.linear(x, w, b)
    assert np.abs(z).min() > 1e-4  # away from kinks
    a = ops.linear(x, w, b, name)
    dx, dw, db = ops.linear_backward(x, w, z, a, da, name)

    def f():
        return float((da * ops.linear(x, w, b, name)).sum())

    with threads(1):  # about the math, not threads: skip ~70 tiny 2-thread GEMMs
        assert rel_err(dx, central_diff(f, x)) < 1e-6
        assert rel_err(dw, central_diff(f, w)) < 1e-6
        assert rel_err(db, central_diff(f, b)) < 1e-6


# ----------------------------------------------------------------- bad inputs
def test_unknown_names_raise_value_error():
    z = randn((3, 4))
    for bad in ("swish", "ReLU", "", None, 1):
        with pytest.raises(ValueError, match="activation"):
            ops.activation(z, bad)
        with pytest.raises(ValueError, match="activation"):
            ops.activation_grad(bad, z, z, z)
        with pytest.raises(ValueError, match="activation"):
            ops.linear(z, z.T, None, bad)
    with pytest.raises(ValueError, match="loss.*'hinge'"):
        ops.loss("hinge", z, z)
    with pytest.raises(ValueError, match="mode"):
        ops.dropout(z, 0.5, seed=1, mode="gaussian")
    with pytest.raises(ValueError, match="mode"):
        ops.dropout_backward(z, np.ones(z.shape, np.uint8), 0.5, mode="Inverted")


@pytest.mark.parametrize("bad", [np.arange(12).reshape(3, 4),
                                 np.arange(12, dtype=np.int32).reshape(3, 4),
                                 np.ones((3, 4), dtype=object), np.ones((3, 4), dtype=np.float16),
                                 np.ones((3, 4), dtype=np.complex128), [[1.0, 2.0]]])
def test_non_float_inputs_raise_type_error(bad):
    good = randn((3, 4))
    for call in (lambda: ops.activation(bad, "relu"),
                 lambda: ops.activation_grad("relu", bad, good, good),
                 lambda: ops.column_sums(bad), lambda: ops.softmax(bad),
                 lambda: ops.log_softmax(bad), lambda: ops.softmax_grad(bad, good),
                 lambda: ops.loss("mse", bad, good),
                 lambda: ops.dropout(bad, 0.5, seed=0),
                 lambda: ops.dropout_backward(bad, np.ones((3, 4), np.uint8), 0.5),
                 lambda: ops.linear(bad, good.T)):
        with pytest.raises(TypeError, match="float32|float64"):
            call()


def test_mixed_dtypes_raise_type_error():
    a64 = randn((3, 4))
    a32 = a64.astype(np.float32)
    calls = [lambda: ops.activation_grad("tanh", a64, a32, a64),
             lambda: ops.activation_grad("tanh", a64, a64, a32),
             lambda: ops.softmax_grad(a64, a32),
             lambda: ops.linear(a64, a32.T), lambda: ops.linear(a64, a64.T, a32[0, :3]),
             lambda: ops.linear_backward(a64, a64.T, a32[:, :3], a64[:, :3], a64[:, :3])]
    for call in calls:
        with pytest.raises(TypeError, match="dtype"):
            call()


def test_wrong_ndim_and_shapes_raise_value_error():
    z = randn((3, 4))
    for call, pat in [
            (lambda: ops.column_sums(z[0]), "2-D"), (lambda: ops.softmax(z[0]), "2-D"),
            (lambda: ops.log_softmax(z[None]), "2-D"), (lambda: ops.loss("mse", z[0], z[0]), "2-D"),
            (lambda: ops.linear(z[0], z.T), "2-D"),
            (lambda: ops.linear(z, z), "rows"),
            (lambda: ops.linear(z, z.T, z[0]), "b must have shape"),
            (lambda: ops.activation_grad("relu", z, z[:2], z), r"a must have shape \(3, 4\)"),
            (lambda: ops.activation_grad("relu", z, z, z.T), "da must have shape"),
            (lambda: ops.softmax_grad(z, z[:, :3]), "da must have shape"),
            (lambda: ops.loss("mse", z, z[:2]), "target must have shape"),
            (lambda: ops.loss("cross_entropy", z, z.T), "target must have shape"),
            (lambda: ops.loss("cross_entropy", z, np.array([0, 1])), "2 labels for 3 rows"),
            (lambda: ops.linear_backward(z, z.T, z, z, z[:, :3]), "z must have shape"),
            (lambda: ops.dropout_backward(z, np.ones((4, 3), np.uint8), 0.5),
             "mask must have shape")]:
        with pytest.raises(ValueError, match=pat):
            call()


def test_bad_labels():
    z = randn((3, 4))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 4\)"):
        ops.loss("cross_entropy", z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"got range \[-1, 1\]"):
        ops.loss("cross_entropy", z, np.array([0, -1, 1]))
    with pytest.raises(TypeError, match="integer class labels"):
        ops.loss("cross_entropy", z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match="numeric"):
        ops.loss("mse", z, np.full((3, 4), "a"))


# ------------------------------------------------------- property tests
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

finite64 = st.floats(-50, 50, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(ACTIVATIONS),
       z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=9),
                    elements=finite64))
def test_property_activation_vs_twin(name, z):
    assert_close(ops.activation(z, name), ref.activation(z, name), act_scale(name, z), np.float64)
    a = np.asarray(ref.activation(z, name))
    assert_close(ops.activation_grad(name, z, a, z), ref.activation_grad(name, z, a, z),
                 act_grad_scale(name, z, a, z), np.float64)


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from(LOSS_CASES), m=st.integers(1, 9), n=st.integers(1, 9),
       seed=st.integers(0, 2 ** 32 - 1), scale=st.sampled_from([1e-3, 1.0, 30.0, 1e4]),
       dtype=st.sampled_from(DTYPES))
def test_property_loss_vs_twin(case, m, n, seed, scale, dtype):
    name, kind = case
    logits, target = loss_inputs(name, (m, n), dtype, kind, seed=seed, logit_scale=scale)
    value, grad = ops.loss(name, logits, target)
    z64 = logits.astype(np.float64)
    wv, wg = ref.loss(name, z64, target if target.ndim == 1 else target.astype(np.float64))
    vs, gs = loss_scales(name, z64, dense_target(name, target, (m, n)))
    assert_close(value, wv, vs, dtype, what="value")
    assert_close(grad, wg, gs, dtype, what="grad")


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_loss_stays_finite_where_the_rate_underflows(kernel, dtype):
    """t log(t / e^z) was computed through e^z, which underflows to 0 below
    z = -88 in float32 (-745 in float64): an infinite loss for a finite
    deviance, t (log t - z) - t."""
    z = np.array([[-1000.0, -100.0, -3.0, 0.0, 2.5]], dtype)
    t = np.array([[2.0, 1.0, 0.0, 4.0, 3.0]], dtype)
    value, grad = ops.loss("poisson", z, t)
    z64, t64 = z.astype(np.float64), t.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        want = np.where(t64 == 0, 0, t64 * (np.log(t64) - z64)) - t64 + np.exp(z64)
    assert np.isfinite(value)
    np.testing.assert_allclose(value, want.sum(), rtol=10 * np.finfo(dtype).eps)
    np.testing.assert_allclose(grad, np.exp(z64) - t64, rtol=10 * np.finfo(dtype).eps)
    twin_value, twin_grad = ref.loss("poisson", z, t)
    np.testing.assert_allclose(twin_value, value, rtol=10 * np.finfo(dtype).eps)
    np.testing.assert_allclose(twin_grad, grad, rtol=10 * np.finfo(dtype).eps)
