"""sgd_step and adam_step against their twins over consecutive steps, in place.

float32: every step is compared with the twin evaluated in float64 on the
kernel's own float32 state, to a bound built from the magnitudes of the terms
of that step (including the rounding of beta1, beta2 to float32, which
(1 - beta) amplifies by beta / (1 - beta))."""
import numpy as np
import pytest

from fastnn import ops
from fastnn import reference as ref
from _opsutil import DTYPES, assert_close, bits_equal, randn, threads

STEPS = 5
SHAPES = [(0, 5), (1, 1), (7, 13), (97,), (4, 3, 5), (), (300, 257)]

SGD_CASES = {
    "plain": dict(lr=0.1),
    "momentum": dict(lr=0.05, momentum=0.9),
    "nesterov": dict(lr=0.05, momentum=0.9, nesterov=True),
    "l1": dict(lr=0.1, l1=0.01),
    "l2": dict(lr=0.1, l2=0.05),
    "weight_decay": dict(lr=0.1, weight_decay=0.1),
    "all": dict(lr=0.05, momentum=0.5, nesterov=True, l1=0.001, l2=0.01, weight_decay=0.01),
}
ADAM_CASES = {
    "hat": dict(),
    "sklearn": dict(eps_style="sklearn"),
    "adamw": dict(lr=0.01, weight_decay=0.1),
    "l1l2": dict(lr=0.01, l1=0.001, l2=0.01),
    "sklearn_all": dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, l1=0.001, l2=0.01,
                        weight_decay=0.05, eps_style="sklearn"),
}


def sgd_scales(p, v, grad, lr, momentum=0.0, nesterov=False, l1=0.0, l2=0.0, weight_decay=0.0):
    """(params scale, velocity scale): sums of |terms| of one step, float64."""
    p, grad = np.abs(p.astype(np.float64)), np.abs(grad.astype(np.float64))
    s_g = grad + l2 * p + l1
    s_p1 = p + lr * weight_decay * p
    if momentum == 0:
        return s_p1 + lr * s_g, None
    s_v = momentum * np.abs(v.astype(np.float64)) + lr * s_g
    return (s_p1 + (momentum * s_v + lr * s_g if nesterov else s_v)), s_v


def adam_scales(p, m, v, grad, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, l1=0.0, l2=0.0,
                weight_decay=0.0, eps_style="hat"):
    p64, m64, v64, g64 = (x.astype(np.float64) for x in (p, m, v, grad))
    g = g64 + l2 * p64 + l1 * np.sign(p64)
    s_g = np.abs(g64) + l2 * np.abs(p64) + l1
    s_m = beta1 * np.abs(m64) + (1 + beta1) * np.abs(g) + (1 - beta1) * s_g
    s_v = beta2 * v64 + (1 + beta2) * g * g + 2 * (1 - beta2) * np.abs(g) * s_g
    m_new = beta1 * m64 + (1 - beta1) * g
    v_new = beta2 * v64 + (1 - beta2) * g * g
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    if eps_style == "sklearn":
        step, root = lr * np.sqrt(c2) / c1, np.sqrt(v_new)
    else:
        step, root = lr / c1, np.sqrt(v_new / c2)
    d = root + eps
    with np.errstate(divide="ignore", invalid="ignore"):
        s_d = np.where(v_new > 0, root * (0.5 * s_v / v_new + 1.5), 0) + eps
        upd = step * m_new / d
        s_upd = np.where(d > 0, step * s_m / d + np.abs(upd) * (s_d / d + 2), 0)
    s_p = np.abs(p64) * (1 + lr * weight_decay) + s_upd
    return s_p, s_m, s_v


def opt_inputs(shape, dtype, seed=0):
    p = randn(shape, dtype, 1.0, seed)
    return p, [randn(shape, dtype, 0.5, seed + 1 + s) for s in range(STEPS)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", sorted(SGD_CASES))
def test_sgd_step_matches_twin(kernel, case, shape, dtype):
    kw = SGD_CASES[case]
    p, grads = opt_inputs(shape, dtype)
    vel = np.zeros(shape, dtype) if kw.get("momentum") else None
    rp, rv = p.astype(np.float64), (None if vel is None else vel.astype(np.float64))
    for step, grad in enumerate(grads, 1):
        g_before = grad.copy()
        if dtype == np.float32:  # compare one step from the kernel's own state
            rp, rv = p.astype(np.float64), (None if vel is None else vel.astype(np.float64))
        ps, vs = sgd_scales(rp, rv, grad, **kw)
        out = ops.sgd_step(p, grad, vel, **kw)
        assert out is p and bits_equal(grad, g_before)
        ref.sgd_step(rp, grad.astype(np.float64), rv, **kw)
        assert_close(p, rp, ps, dtype, what="%s params step %d" % (case, step))
        if vel is not None:
            assert_close(vel, rv, vs, dtype, what="%s velocity step %d" % (case, step))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("case", sorted(ADAM_CASES))
def test_adam_step_matches_twin(kernel, case, shape, dtype):
    kw = ADAM_CASES[case]
    p, grads = opt_inputs(shape, dtype)
    m, v = np.zeros(shape, dtype), np.zeros(shape, dtype)
    rp, rm, rv = (x.astype(np.float64) for x in (p, m, v))
    for t, grad in enumerate(grads, 1):
        g_before = grad.copy()
        if dtype == np.float32:
            rp, rm, rv = (x.astype(np.float64) for x in (p, m, v))
        ps, ms, vs = adam_scales(rp, rm, rv, grad, t, **kw)
        out = ops.adam_step(p, grad, m, v, t=t, **kw)
        assert out is p and bits_equal(grad, g_before)
        ref.adam_step(rp, grad.astype(np.float64), rm, rv, t=t, **kw)
        assert_close(m, rm, ms, dtype, what="%s m step %d" % (case, t))
        assert_close(v, rv, vs, dtype, what="%s v step %d" % (case, t))
        assert_close(p, rp, ps, dtype, what="%s params step %d" % (case, t))


def test_adam_moves_params_by_about_lr(kernel):
    # step 1 of Adam moves every parameter by ~lr against the sign of its gradient
    p = np.zeros(1000)
    g = randn(1000, seed=3)
    ops.adam_step(p, g, np.zeros(1000), np.zeros(1000), t=1, lr=0.01, eps=1e-300)
    np.testing.assert_allclose(p, -0.01 * np.sign(g), rtol=1e-12)


def test_sgd_velocity_without_momentum_is_untouched(kernel):
    p, g = randn(10), randn(10, seed=1)
    vel = randn(10, seed=2)
    before = vel.copy()
    ops.sgd_step(p, g, vel, lr=0.1)
    assert bits_equal(vel, before)


def test_non_contiguous_grad_is_copied(kernel):
    p, g = randn((7, 13)), randn((13, 7), seed=1).T
    p2 = p.copy()
    ops.sgd_step(p, g, lr=0.1)
    ops.sgd_step(p2, np.ascontiguousarray(g), lr=0.1)
    assert bits_equal(p, p2)
    m, v, m2, v2 = (np.zeros((7, 13)) for _ in range(4))
    ops.adam_step(p, g, m, v, t=1)
    ops.adam_step(p2, np.ascontiguousarray(g), m2, v2, t=1)
    assert bits_equal(p, p2) and bits_equal(m, m2) and bits_equal(v, v2)


def test_optimizers_same_bits_for_any_thread_count(kernel, n_threads):
    shape = (300, 257)  # > FNN_PAR_MIN elements

    def run():
        out = []
        for dtype in DTYPES:
            p, grads = opt_inputs(shape, dtype, seed=7)
            vel = np.zeros(shape, dtype)
            q, m, v = p.copy(), np.zeros(shape, dtype), np.zeros(shape, dtype)
            for t, g in enumerate(grads[:3], 1):
                ops.sgd_step(p, g, vel, lr=0.1, momentum=0.9, nesterov=True, l1=1e-3, l2=1e-2,
                             weight_decay=1e-2)
                ops.adam_step(q, g, m, v, t=t, l1=1e-3, l2=1e-2, weight_decay=1e-2)
            out += [p, vel, q, m, v]
        return out

    got = run()
    with threads(1):
        want = run()
    for i, (g, w) in enumerate(zip(got, want)):
        assert bits_equal(g, w), i


# ----------------------------------------------------------------- bad inputs
def test_bad_sgd_arguments():
    p, g = randn((3, 4)), randn((3, 4), seed=1)
    for kw, exc, pat in [
            (dict(lr=-0.1), ValueError, "lr must be >= 0"),
            (dict(lr=float("nan")), ValueError, "lr must be finite"),
            (dict(lr="0.1"), TypeError, "lr must be a number"),
            (dict(lr=0.1, momentum=1.5), ValueError, "momentum must be <= 1"),
            (dict(lr=0.1, momentum=-0.1), ValueError, "momentum must be >= 0"),
            (dict(lr=0.1, momentum=0.9), ValueError, "momentum > 0 needs a velocity"),
            (dict(lr=0.1, l1=-1), ValueError, "l1"), (dict(lr=0.1, l2=-1), ValueError, "l2"),
            (dict(lr=0.1, weight_decay=-1), ValueError, "weight_decay")]:
        before = p.copy()
        with pytest.raises(exc, match=pat):
            ops.sgd_step(p, g, **kw)
        assert bits_equal(p, before)
    with pytest.raises(ValueError, match="params must be a writeable C-contiguous"):
        ops.sgd_step(np.asfortranarray(p), g, lr=0.1)
    with pytest.raises(ValueError, match="params must be a writeable C-contiguous"):
        ops.sgd_step(randn((6, 4))[::2], g, lr=0.1)
    ro = p.copy()
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        ops.sgd_step(ro, g, lr=0.1)
    with pytest.raises(ValueError, match="velocity must be a writeable C-contiguous"):
        ops.sgd_step(p, g, np.zeros((4, 3)).T, lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="velocity must have shape"):
        ops.sgd_step(p, g, np.zeros((4, 3)), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="grad must have shape"):
        ops.sgd_step(p, g.T, lr=0.1)
    with pytest.raises(TypeError, match="grad has dtype float32"):
        ops.sgd_step(p, g.astype(np.float32), lr=0.1)
    with pytest.raises(TypeError, match="velocity has dtype float32"):
        ops.sgd_step(p, g, np.zeros((3, 4), np.float32), lr=0.1, momentum=0.9)
    with pytest.raises(TypeError, match="params must have dtype"):
        ops.sgd_step(np.zeros((3, 4), np.int64), g, lr=0.1)
    with pytest.raises(TypeError, match="params must be a numpy array"):
        ops.sgd_step([1.0, 2.0], [0.0, 0.0], lr=0.1)


def test_bad_adam_arguments():
    p, g = randn((3, 4)), randn((3, 4), seed=1)
    m, v = np.zeros((3, 4)), np.zeros((3, 4))
    for kw, exc, pat in [
            (dict(t=0), ValueError, "t must be an int >= 1"),
            (dict(t=-1), ValueError, "t must be an int >= 1"),
            (dict(t=1.0), ValueError, "t must be an int"),
            (dict(t=True), ValueError, "t must be an int"),
            (dict(t=1, lr=-1e-3), ValueError, "lr must be >= 0"),
            (dict(t=1, beta1=1.0), ValueError, "beta1 and beta2 must be in"),
            (dict(t=1, beta2=1.5), ValueError, "beta1 and beta2 must be in"),
            (dict(t=1, beta1=-0.1), ValueError, "beta1 must be >= 0"),
            (dict(t=1, eps=-1e-8), ValueError, "eps must be >= 0"),
            (dict(t=1, eps=float("inf")), ValueError, "eps must be finite"),
            (dict(t=1, l1=-1), ValueError, "l1"),
            (dict(t=1, weight_decay=-1), ValueError, "weight_decay"),
            (dict(t=1, eps_style="pytorch"), ValueError, "eps_style must be one of")]:
        before = p.copy()
        with pytest.raises(exc, match=pat):
            ops.adam_step(p, g, m, v, **kw)
        assert bits_equal(p, before) and not m.any() and not v.any()
    with pytest.raises(ValueError, match="params must be a writeable C-contiguous"):
        ops.adam_step(np.asfortranarray(p), g, m, v, t=1)
    with pytest.raises(ValueError, match="m must be a writeable C-contiguous"):
        ops.adam_step(p, g, np.zeros((4, 3)).T, v, t=1)
    with pytest.raises(ValueError, match="v must have shape"):
        ops.adam_step(p, g, m, np.zeros(12), t=1)
    with pytest.raises(TypeError, match="v has dtype float32"):
        ops.adam_step(p, g, m, v.astype(np.float32), t=1)
    with pytest.raises(TypeError, match="m must have dtype"):
        ops.adam_step(p, g, m.astype(object), v, t=1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eps_style", ["hat", "sklearn"])
def test_adam_flushes_subnormal_moments(kernel, dtype, eps_style):
    """A weight whose gradient is zero: its moments decay into the subnormal
    range, where the update treats them as zeros (as its twin does), not as
    the slow IEEE subnormals they would be."""
    tiny = np.finfo(dtype).tiny
    p = randn((64,), dtype, 1.0, 5)
    m, v = np.full(64, tiny / 4, dtype), np.full(64, tiny / 8, dtype)
    m[::2] *= -1
    grad = np.zeros(64, dtype)
    before = p.copy()
    rp, rm, rv = p.copy(), m.copy(), v.copy()
    ops.adam_step(p, grad, m, v, t=100, eps_style=eps_style)
    ref.adam_step(rp, grad, rm, rv, t=100, eps_style=eps_style)
    assert not (m != 0).any() and not (v != 0).any()  # IEEE would keep 0.9 m, 0.999 v
    assert bits_equal(rm, m) and bits_equal(rv, v) and bits_equal(rp, p)
    assert bits_equal(p, before)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_flushes_a_subnormal_velocity(kernel, dtype):
    tiny = np.finfo(dtype).tiny
    p = randn((64,), dtype, 1.0, 6)
    vel = np.full(64, tiny / 4, dtype)
    rp, rv = p.copy(), vel.copy()
    ops.sgd_step(p, np.zeros(64, dtype), vel, lr=0.1, momentum=0.9)
    ref.sgd_step(rp, np.zeros(64, dtype), rv, lr=0.1, momentum=0.9)
    assert not (vel != 0).any() and bits_equal(rv, vel) and bits_equal(rp, p)


def test_a_subnormal_gradient_still_counts(kernel):
    """Only the stored state is flushed: a subnormal gradient times a large
    rate moves the weight as IEEE arithmetic says (a fuzzer found it when the
    whole update ran with FTZ and DAZ)."""
    p = np.zeros(3, np.float32)
    g = np.full(3, 1.5e-39, np.float32)
    want = p.astype(np.float64) - 1e34 * g.astype(np.float64)
    ops.sgd_step(p, g, lr=1e34)
    assert_close(p, want, np.abs(want), np.float32, what="sgd with a subnormal gradient")
    p, vel = np.zeros(3, np.float32), np.zeros(3, np.float32)
    ops.sgd_step(p, g, vel, lr=1e34, momentum=0.9)
    assert_close(vel, want, np.abs(want), np.float32, what="velocity from a subnormal gradient")


@pytest.mark.parametrize("step", ["adam", "sgd"])
def test_state_buffers_given_twice_are_refused(step):
    """m = v = np.zeros_like(p) once gave NaN weights, differently from the twin."""
    p, g = randn(10), randn(10, seed=1)
    m = np.zeros(10)
    before = p.copy()
    with pytest.raises(ValueError, match="share memory: each needs its own array"):
        if step == "adam":
            ops.adam_step(p, g, m, m, t=1, lr=0.1)
        else:
            ops.sgd_step(p, g, p, lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="params and grad share memory"):
        ops.sgd_step(p, p, lr=0.1)
    assert bits_equal(p, before)
