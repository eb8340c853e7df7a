"""Sample weights and the Poisson loss in the compiled epoch: its trajectory
against the twin (reference.EpochRunner) with and without dropout, and the
zero-sum errors, which leave the session as it was."""
import numpy as np
import pytest

from fastnn import reference
from fastnn._session import Session

from test_train import make_data as train_data

HEADS = [("softmax", "cross_entropy", "labels"), ("softmax", "cross_entropy", "probs"),
         ("sigmoid", "binary_cross_entropy", "binary"), ("identity", "mse", "real"),
         ("softmax", "mse", "probs"), ("identity", "poisson", "counts")]
OPTIMIZERS = [("sgd", dict(momentum=0.0)), ("sgd", dict(momentum=0.9, nesterov=True)),
              ("adam", dict(adam_eps_style="sklearn"))]
N, N_IN, N_OUT = 29, 6, 3  # batch 8 leaves a short last batch of 5


def make_data(kind, seed=0):
    return train_data(kind, n=N, n_in=N_IN, n_out=N_OUT, seed=seed)


def make_weights(sign="positive", seed=5):
    """Weights in [0.2, 2); "mixed" turns every fourth negative (scikit-learn
    trains with them: each batch is still normalised by its own sum)."""
    w = np.random.default_rng(seed).uniform(0.2, 2.0, N)
    if sign == "mixed":
        w[::4] *= -0.5
    return w


def session(runner, dtype="float64", output="softmax", loss="cross_entropy", dropout=0.0,
            **kw):
    sizes = [N_IN, 9, 5, N_OUT]
    s = Session(sizes, activation="tanh", output=output, loss=loss, dropout=[dropout, 0.0],
                dropout_mode="inverted", dtype=dtype, max_batch=8, runner=runner, seed=4,
                l2_per_batch=True, **kw)
    rng = np.random.default_rng(7)
    s.params[...] = rng.uniform(-0.4, 0.4, s.params.shape)
    return s


def trajectory(runner, data, weights, epochs=3, dtype="float64", **kw):
    X, Y, labels = data
    s = session(runner, dtype=dtype, **kw)
    X = np.ascontiguousarray(X, dtype=s.dtype)
    Y = None if Y is None else np.ascontiguousarray(Y, dtype=s.dtype)
    w = None if weights is None else np.ascontiguousarray(weights, dtype=s.dtype)
    losses = [s.epoch(X, Y, labels, batch_size=8, learning_rate=0.05, shuffle=True, epoch=e,
                      sample_weight=w) for e in range(epochs)]
    return s.params.copy(), np.array(losses), s.step


def assert_same_trajectory(data, weights, rtol=1e-10, **kw):
    p_c, l_c, step_c = trajectory(None, data, weights, **kw)
    p_r, l_r, step_r = trajectory(reference.EpochRunner, data, weights, **kw)
    assert np.abs(p_c - p_r).max() <= rtol * np.abs(p_r).max()
    np.testing.assert_allclose(l_c, l_r, rtol=rtol)
    assert step_c == step_r == 3 * 4


@pytest.mark.parametrize("opt,extra", OPTIMIZERS, ids=lambda v: str(v))
@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("sign", ["positive", "mixed"])
def test_weighted_epoch_follows_reference(opt, extra, dropout, sign):
    assert_same_trajectory(make_data("labels"), make_weights(sign), optimizer=opt,
                           dropout=dropout, l1=1e-3, l2=0.2, **extra)


@pytest.mark.parametrize("output,loss,kind", HEADS)
@pytest.mark.parametrize("weighted", [False, True])
def test_every_head_weighted_follows_reference(output, loss, kind, weighted):
    """The Poisson loss unweighted too: it is new to the compiled epoch."""
    assert_same_trajectory(make_data(kind), make_weights() if weighted else None,
                           optimizer="adam", output=output, loss=loss, dropout=0.2, l2=0.1)


@pytest.mark.parametrize("opt,extra", OPTIMIZERS, ids=lambda v: str(v))
def test_weighted_float32_follows_float64_reference(opt, extra):
    """One epoch in float32 within float32 rounding of the float64 twin, by
    the same derivation as test_train's unweighted case (eps32 times a few
    hundred operations per weight); the weights add one product per row."""
    data, w = make_data("labels"), make_weights("mixed")
    kw = dict(optimizer=opt, dropout=0.3, l2=0.2, epochs=1, **extra)
    p32, l32, _ = trajectory(None, data, w, dtype="float32", **kw)
    p64, l64, _ = trajectory(reference.EpochRunner, data, w, dtype="float64", **kw)
    assert np.abs(p32 - p64).max() <= 300 * np.finfo(np.float32).eps * np.abs(p64).max()
    np.testing.assert_allclose(l32, l64, rtol=1e-4)


def test_unit_weights_train_as_no_weights():
    """w = 1 normalises by the row count, as the unweighted epoch (to rounding:
    w_i / sum w is computed in double, 1 / B in the dtype)."""
    data = make_data("labels")
    p_w, l_w, _ = trajectory(None, data, np.ones(N), optimizer="adam", dropout=0.3, l2=0.2)
    p_u, l_u, _ = trajectory(None, data, None, optimizer="adam", dropout=0.3, l2=0.2)
    assert np.abs(p_w - p_u).max() <= 1e-12 * np.abs(p_u).max()
    np.testing.assert_allclose(l_w, l_u, rtol=1e-12)


def _fixed_order_epoch(runner, weights, batch_size=4):
    X, _, labels = make_data("labels")
    s = session(runner, optimizer="adam", dropout=0.3)
    before = s.state()
    with pytest.raises(ValueError, match="sample_weight"):
        s.epoch(X, None, labels, batch_size=batch_size, learning_rate=0.05, shuffle=False,
                epoch=0, order=np.arange(N), sample_weight=weights)
    after = s.state()
    for a, b in zip(before[:3], after[:3]):
        assert np.array_equal(a, b)
    assert after[3] == before[3] == s.step == 0
    assert np.isfinite(s.params).all()


@pytest.mark.parametrize("runner", [None, reference.EpochRunner], ids=["compiled", "twin"])
@pytest.mark.parametrize("zero_batch", [0, 3])
def test_batch_with_zero_weight_sum_is_an_error_before_any_update(runner, zero_batch):
    """The data's total is nonzero, one batch of 4 rows sums to zero: the
    epoch finds it before its first step (batch 3 comes after valid ones)."""
    w = make_weights()
    w[4 * zero_batch:4 * zero_batch + 4] = [1.5, -1.0, 0.25, -0.75]
    _fixed_order_epoch(runner, w)


@pytest.mark.parametrize("runner", [None, reference.EpochRunner], ids=["compiled", "twin"])
def test_zero_total_weight_is_an_error_before_the_epoch(runner):
    _fixed_order_epoch(runner, np.zeros(N))
    w = np.ones(N)
    w[-1] = -(N - 1)
    _fixed_order_epoch(runner, w)


@pytest.mark.parametrize("bad,exc,match", [
    (np.ones(N, dtype=np.float32), TypeError, "sample_weight has dtype float32"),
    (np.ones(N - 1), ValueError, "sample_weight must have shape"),
    (np.ones((N, 1)), ValueError, "sample_weight must be 1-D"),
    (np.full(N, np.nan), ValueError, "sample_weight must be finite"),
    ([1.0] * N, TypeError, "sample_weight must be a numpy array"),
])
def test_bad_sample_weight_is_rejected_in_python(bad, exc, match):
    X, _, labels = make_data("labels")
    s = session(None, optimizer="sgd")
    with pytest.raises(exc, match=match):
        s.epoch(X, None, labels, batch_size=8, learning_rate=0.05, shuffle=True, epoch=0,
                sample_weight=bad)
    assert s.step == 0
