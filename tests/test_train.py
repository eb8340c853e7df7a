"""The training engine: the compiled epoch against its NumPy twin
(reference.EpochRunner), finite-difference gradients through the compiled
path, and determinism across thread counts."""
import numpy as np
import pytest

import fastnn
from fastnn import reference
from fastnn._session import Session
from _opsutil import threads

ACTIVATIONS = list(fastnn._core.ACTIVATIONS)
HEADS = [("softmax", "cross_entropy", "labels"), ("softmax", "cross_entropy", "probs"),
         ("sigmoid", "binary_cross_entropy", "binary"), ("identity", "mse", "real"),
         ("sigmoid", "mse", "binary"), ("softmax", "mse", "probs")]
OPTIMIZERS = [("sgd", dict(momentum=0.0)), ("sgd", dict(momentum=0.9)),
              ("sgd", dict(momentum=0.9, nesterov=True)), ("adam", {}),
              ("adamw", dict(weight_decay=0.05))]


def make_data(kind, n=53, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    if kind == "labels":
        return X, None, rng.integers(0, n_out, n)
    if kind == "probs":
        Y = rng.random((n, n_out))
        return X, Y / Y.sum(axis=1, keepdims=True), None
    if kind == "binary":
        return X, (rng.random((n, n_out)) > 0.5).astype(float), None
    if kind == "counts":
        return X, rng.poisson(2.0, (n, n_out)).astype(float), None
    return X, rng.standard_normal((n, n_out)), None


def session(sizes, runner=None, dtype="float64", activation="tanh", output="softmax",
            loss="cross_entropy", dropout=None, dropout_mode="inverted", max_batch=8, **kw):
    s = Session(sizes, activation=activation, output=output, loss=loss,
                dropout=dropout or [0.0] * (len(sizes) - 2), dropout_mode=dropout_mode,
                dtype=dtype, max_batch=max_batch, runner=runner, **kw)
    init = fastnn.MLP(sizes, activation=activation, output=output, loss=loss,
                      dtype=dtype, random_state=7)
    s.load(init.coefs_, init.intercepts_)
    return s


def trajectory(runner, X, Y, labels, epochs=3, batch_size=8, lr=0.05, hidden=(9, 5), **kw):
    s = session([X.shape[1], *hidden, (Y.shape[1] if Y is not None else 3)], runner=runner, **kw)
    X = np.ascontiguousarray(X, dtype=s.dtype)
    Y = None if Y is None else np.ascontiguousarray(Y, dtype=s.dtype)
    losses = [s.epoch(X, Y, labels, batch_size=batch_size, learning_rate=lr, shuffle=True,
                      epoch=e) for e in range(epochs)]
    return s.params.copy(), np.array(losses)


def assert_same_trajectory(kw, data, rtol=1e-10):
    X, Y, labels = data
    p_c, l_c = trajectory(None, X, Y, labels, **kw)
    p_r, l_r = trajectory(reference.EpochRunner, X, Y, labels, **kw)
    scale = np.abs(p_r).max()
    assert np.abs(p_c - p_r).max() <= rtol * scale
    np.testing.assert_allclose(l_c, l_r, rtol=rtol)


@pytest.mark.parametrize("opt,extra", OPTIMIZERS, ids=lambda v: str(v))
@pytest.mark.parametrize("mode", ["inverted", "classic"])
def test_compiled_epoch_follows_reference_trainer(opt, extra, mode, kernel):
    """Several epochs with L1, L2, weight decay, dropout and input noise."""
    kw = dict(optimizer=opt, l1=1e-3, l2=1e-2, dropout=[0.3, 0.1], dropout_mode=mode,
              input_noise=0.05, seed=11, **extra)
    assert_same_trajectory(kw, make_data("labels"))


# Layers of more than 16 outputs take the wide GEMM path, where the weights'
# update consumes each block of their gradient from the driver's scratch
# (fnn_epilogue.consumes_c) when the batch is one k panel (8; float64's kc is
# 256) and through C when it is not (300).  (At batch 8 the products are too
# small for a second thread: the next test checks the 2-thread scratch.)
@pytest.mark.parametrize("batch_size", [8, 300])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("opt,extra", [("adam", {}), ("sgd", dict(momentum=0.9))],
                         ids=["adam", "sgd"])
def test_wide_layers_follow_reference_trainer(batch_size, threads, opt, extra):
    kw = dict(optimizer=opt, l2=1e-2, dropout=[0.2, 0.1], seed=3, hidden=(48, 33),
              batch_size=batch_size, max_batch=batch_size, epochs=2, lr=0.01,
              n_threads=threads, **extra)
    assert_same_trajectory(kw, make_data("labels", n=600, n_in=100))


# 8300 outputs: two nc blocks of the float64 kernels (8192), the scratch's
# rows as wide as one block; float64 reaches the reference's bits closely
@pytest.mark.parametrize("threads", [1, 2])
def test_layer_wider_than_an_nc_block_follows_reference(threads):
    kw = dict(optimizer="adam", seed=3, hidden=(8300,), batch_size=8, max_batch=8, epochs=1,
              lr=0.01, n_threads=threads)
    assert_same_trajectory(kw, make_data("labels", n=24, n_in=10))


def test_input_noise_over_several_chunks_follows_reference():
    """A batch input of 8 x 601 spans two chunks (4096 elements) of the noise
    loop; the last batch, one row, has an odd element count (an unpaired
    Box-Muller draw)."""
    kw = dict(optimizer="sgd", momentum=0.0, input_noise=0.1, seed=4)
    assert_same_trajectory(kw, make_data("labels", n=41, n_in=601))


def test_input_noise_is_independent_standard_normal_draws_times_its_scale():
    """The noise the compiled epoch adds (seen by an augment callable, which
    runs after it, on all-zero inputs): mean 0, std 1 and the normal's mass
    within one std once divided by the scale, and the two outputs of a
    Box-Muller pair (neighbouring elements) uncorrelated.  Bounds: 5 standard
    errors of each statistic over the N draws."""
    seen = []

    def capture(xb):
        seen.append(np.array(xb))
        return xb
    X, y = np.zeros((512, 301)), np.arange(512) % 2
    m = fastnn.MLP([301, 4, 2], dtype="float64", random_state=0)
    m.fit(X, y, epochs=1, batch_size=128, input_noise=0.5, augment=capture, shuffle=False)
    z = np.concatenate(seen).ravel() / 0.5
    n = z.size
    assert n == 512 * 301
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var() - 1) < 5 * np.sqrt(2 / n)
    assert abs(np.mean(np.abs(z) < 1) - 0.682689) < 5 * np.sqrt(0.2167 / n)
    pairs = z[:n - n % 2].reshape(-1, 2)
    assert abs(np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]) < 5 / np.sqrt(len(pairs))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output,loss,kind", HEADS)
def test_every_activation_and_head_follows_reference(activation, output, loss, kind):
    kw = dict(optimizer="sgd", momentum=0.5, activation=activation, output=output, loss=loss,
              dropout=[0.2, 0.0], seed=3)
    assert_same_trajectory(kw, make_data(kind))


def test_sklearn_conventions_follow_reference():
    """alpha per batch rows and sklearn's Adam epsilon, short last batch."""
    kw = dict(optimizer="adam", adam_eps_style="sklearn", l2=0.3, l2_per_batch=True,
              batch_size=8)
    assert_same_trajectory(kw, make_data("labels", n=29))


def test_float32_follows_float64_reference():
    """One epoch in float32: differences stay within float32 rounding of the
    float64 trajectory (eps32 * a few hundred operations per weight)."""
    X, Y, labels = make_data("labels")
    p32, l32 = trajectory(None, X, Y, labels, dtype="float32", epochs=1)
    p64, l64 = trajectory(reference.EpochRunner, X, Y, labels, dtype="float64", epochs=1)
    tol = 300 * np.finfo(np.float32).eps * np.abs(p64).max()
    assert np.abs(p32 - p64).max() <= tol
    np.testing.assert_allclose(l32, l64, rtol=1e-4)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("output,loss,kind", HEADS)
def test_gradient_matches_finite_differences(activation, output, loss, kind):
    """The compiled backward pass (grads after an epoch at lr 0) against
    central differences of the compiled loss, float64.  A max_grad_norm that
    never clips keeps every gradient in grads, the L2 penalty's included
    (without it the update may consume the weights' gradients block by block
    and never write them: fnn_epilogue.consumes_c)."""
    X, Y, labels = make_data(kind, n=7, n_in=4, seed=1)
    sizes = [4, 5, Y.shape[1] if Y is not None else 3]
    s = session(sizes, activation=activation, output=output, loss=loss, max_batch=7,
                optimizer="sgd", momentum=0.0, l2=0.1, l1=0.0, max_grad_norm=1e300)

    def loss_at(params):
        s.params[...] = params
        return s.epoch(X, Y, labels, batch_size=7, learning_rate=0.0, shuffle=False, epoch=0)

    p0 = s.params.copy()
    loss_at(p0)
    analytic = s.grads.copy()
    h = 1e-6
    num = np.zeros_like(p0)
    for i in range(p0.size):
        e = np.zeros_like(p0)
        e[i] = h
        num[i] = (loss_at(p0 + e) - loss_at(p0 - e)) / (2 * h)
    s.params[...] = p0
    used = np.zeros(p0.size, bool)
    for off, (fan_in, fan_out), boff in zip(s.w_off, zip(sizes[:-1], sizes[1:]), s.b_off):
        used[off:off + fan_in * fan_out] = True
        used[boff:boff + fan_out] = True
    err = np.abs(analytic - num)[used].max() / max(np.abs(num[used]).max(), 1e-12)
    assert err < 1e-6, err


# The update reads the weights' gradient from the GEMM's scratch
# (fnn_epilogue.consumes_c); with a max_grad_norm that never clips, the
# gradient is written out in full and the update runs after the backward pass
# (clip.inc), with the same arithmetic: the same bits, in every compute dtype
# and on 1 and 2 threads (fan-in 400: 34 row panels of 12, enough for the
# 2-thread m split, so the second thread's scratch is used too; the AMX
# kernel's blocks are quick enough that the first thread may take them all).
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
@pytest.mark.parametrize("n", [1, 2])
def test_update_from_the_gradient_scratch_matches_the_written_gradient(dtype, n):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((640, 400)).astype(np.float32)
    y = rng.integers(0, 10, 640)
    fits = []
    with threads(n):
        for clip in (None, 1e30):
            m = fastnn.MLP([400, 200, 150, 10], dropout=0.1, random_state=0, dtype=dtype)
            m.fit(X, y, epochs=2, batch_size=64, max_grad_norm=clip, weight_decay=0.01)
            fits.append(m.coefs_ + m.intercepts_)
    for a, b in zip(*fits):
        assert np.array_equal(a, b)


def test_training_is_bit_identical_across_thread_counts():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((600, 120)).astype(np.float32)
    y = rng.integers(0, 10, 600)
    results = []
    for n in (1, 2):
        with threads(n):
            m = fastnn.MLP([120, 300, 200, 10], dropout=0.25, random_state=5)
            m.fit(X, y, epochs=2, batch_size=64, l1=1e-5, l2=1e-3, input_noise=0.1)
        results.append((np.concatenate([w.ravel() for w in m.coefs_]), m.history_["loss"]))
    assert results[0][0].tobytes() == results[1][0].tobytes()
    assert results[0][1] == results[1][1]


def test_same_seed_same_model_new_seed_new_model():
    X, _, y = make_data("labels", n=64)

    def fit(seed):
        m = fastnn.MLP([6, 16, 3], dropout=0.2, random_state=seed, dtype="float64")
        m.fit(X, y, epochs=2, batch_size=8)
        return np.concatenate([w.ravel() for w in m.coefs_])

    assert fit(1).tobytes() == fit(1).tobytes()
    assert not np.array_equal(fit(1), fit(2))


def test_shuffle_matches_reference_permutation():
    s = session([6, 4, 3], max_batch=5, seed=99)
    X, _, y = make_data("labels", n=23)
    s.epoch(X, None, y, batch_size=5, learning_rate=0.0, shuffle=True, epoch=4)
    np.testing.assert_array_equal(s.order, reference.shuffled_order(s.config["seed"], 4, 23))
    assert sorted(s.order) == list(range(23))


def test_batch_sized_products_are_bit_identical_run_to_run():
    """Batch 128 splits n between threads with no barrier in the k loop; a
    shallower last k panel once let one thread repack B panels the other was
    still reading (found as run-to-run differences of a whole fit; a race
    shows only sometimes, so this guards rather than proves)."""
    rng = np.random.default_rng(0)
    X = rng.random((1500, 784)).astype(np.float32)
    y = rng.integers(0, 10, 1500)
    weights = []
    for n in (1, 2, 2, 2):
        with threads(n):
            m = fastnn.MLP([784, 1024, 512, 10], dropout=0.3, random_state=0)
            m.fit(X, y, epochs=1, batch_size=128)
        weights.append(np.concatenate([w.ravel() for w in m.coefs_]).tobytes())
    assert all(w == weights[0] for w in weights)
