"""fastnn.MLP: the course notes' worked examples, logic gates, fit options,
failures that must leave the model as it was, and Ctrl-C."""
import functools
import pickle

import numpy as np
import pytest

import fastnn
from fastnn import ops, reference
from conftest import interrupt_after_ready


def notes_network():
    """The notes' 3-2-1 sigmoid network with its hand-set weights."""
    m = fastnn.MLP([3, 2, 1], activation="sigmoid", output="sigmoid", loss="mse",
                   dtype="float64")
    m.coefs_ = [np.array([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]), np.array([[-0.3], [-0.2]])]
    m.intercepts_ = [np.array([-0.4, 0.2]), np.array([0.1])]
    return m


def test_notes_321_network_forward():
    m = notes_network()
    x = np.array([[1.0, 0.0, 1.0]])
    hidden = ops.linear(x, m.coefs_[0], m.intercepts_[0], "sigmoid")
    np.testing.assert_allclose(hidden, [[0.332, 0.525]], atol=5e-4)
    np.testing.assert_allclose(m.predict(x), [[0.474]], atol=5e-4)


def test_notes_321_network_one_step():
    """One gradient-descent step with learning rate 0.9 on E = 1/2 (t - a)^2."""
    m = notes_network()
    m.fit(np.array([[1.0, 0.0, 1.0]]), np.array([[1.0]]), epochs=1, batch_size=1,
          optimizer="sgd", momentum=0.0, learning_rate=0.9, shuffle=False)
    assert round(m.coefs_[1][0, 0], 3) == -0.261   # w46
    assert round(m.coefs_[1][1, 0], 3) == -0.138   # w56
    assert round(m.intercepts_[1][0], 3) == 0.218  # b6 (theta6)
    assert round(m.coefs_[0][0, 0], 3) == 0.192    # w14
    assert round(m.intercepts_[0][0], 3) == -0.408  # theta4


def test_notes_logistic_example():
    x = np.array([[3, 2, 1, 3, 0, 4.19]])
    w = np.array([[2.5, -5, -1.2, 0.5, 2, 0.7]]).T
    z = ops.linear(x, w, np.array([0.1]))
    assert round(float(z[0, 0]), 3) == 0.833
    p = ops.linear(x, w, np.array([0.1]), "sigmoid")
    assert round(float(p[0, 0]), 3) == round(1 / (1 + np.exp(-0.833)), 3)


GATES = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


@pytest.mark.parametrize("name,truth", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])])
def test_logic_gates_without_hidden_layer(name, truth):
    m = fastnn.MLP([2, 1], output="sigmoid", loss="binary_cross_entropy", dtype="float64",
                   random_state=0)
    m.fit(GATES, np.array(truth, float)[:, None], epochs=400, batch_size=4,
          optimizer="sgd", momentum=0.0, learning_rate=1.0)
    assert ((m.predict(GATES)[:, 0] > 0.5) == np.array(truth, bool)).all()


def test_xor_needs_a_hidden_layer():
    y = np.array([0, 1, 1, 0])
    linear = fastnn.MLP([2, 2], dtype="float64", random_state=0)
    linear.fit(GATES, y, epochs=300, batch_size=4, learning_rate=0.05)
    assert linear.score(GATES, y) <= 0.75
    hidden = fastnn.MLP([2, 8, 2], activation="tanh", dtype="float64", random_state=1)
    hidden.fit(GATES, y, epochs=300, batch_size=4, learning_rate=0.05)
    assert hidden.score(GATES, y) == 1.0


def blobs(n=300, seed=0, n_in=10, n_classes=3):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((n_classes, n_in)) * 3
    y = rng.integers(0, n_classes, n)
    return centers[y] + rng.standard_normal((n, n_in)), y


def test_learns_blobs_and_keeps_history():
    X, y = blobs()
    m = fastnn.MLP([10, 32, 3], random_state=0).fit(X, y, epochs=15, validation_split=0.2)
    assert m.score(X, y) > 0.95
    assert len(m.history_["loss"]) == 15 and len(m.history_["val_accuracy"]) == 15
    assert m.history_["loss"][-1] < m.history_["loss"][0]
    assert m.coefs_[0].dtype == np.float32


def test_fit_continues_and_reset_starts_over():
    X, y = blobs()
    m = fastnn.MLP([10, 8, 3], random_state=0)
    w0 = m.coefs_[0].copy()
    m.fit(X, y, epochs=1)
    w1 = m.coefs_[0].copy()
    m.fit(X, y, epochs=1)
    assert not np.array_equal(m.coefs_[0], w1) and m.stop_reason_ == "epochs"
    m.reset()
    np.testing.assert_array_equal(m.coefs_[0], w0)
    assert not hasattr(m, "stop_reason_") and m.history_["loss"] == []  # as never fitted


def test_one_hot_and_labels_train_the_same():
    X, y = blobs(n=64)
    a = fastnn.MLP([10, 8, 3], random_state=0, dtype="float64").fit(X, y, epochs=2)
    b = fastnn.MLP([10, 8, 3], random_state=0, dtype="float64").fit(X, np.eye(3)[y], epochs=2)
    for wa, wb in zip(a.coefs_, b.coefs_):
        np.testing.assert_allclose(wa, wb, rtol=1e-12, atol=1e-15)


def test_early_stopping_restores_best_weights():
    X, y = blobs(n=200)
    seen = []
    m = fastnn.MLP([10, 64, 3], random_state=0, dtype="float64")
    m.fit(X, y, epochs=60, learning_rate=0.05, early_stopping=True, patience=3,
          callbacks=[lambda model, epoch, logs: seen.append(
              [w.copy() for w in model.coefs_]) and False])
    val = m.history_["val_loss"]
    assert len(val) < 60
    best = int(np.argmin(val))
    np.testing.assert_array_equal(m.coefs_[0], seen[best][0])


def test_callback_can_stop_training():
    X, y = blobs(n=64)
    m = fastnn.MLP([10, 4, 3], random_state=0)
    m.fit(X, y, epochs=50, callbacks=[lambda model, epoch, logs: epoch == 2])
    assert len(m.history_["loss"]) == 3


@pytest.mark.parametrize("schedule,expected", [
    ("constant", [0.1, 0.1, 0.1, 0.1]),
    ("step", [0.1, 0.1, 0.01, 0.01]),
    ("invscaling", [0.1, 0.1 / 2 ** 0.5, 0.1 / 3 ** 0.5, 0.05]),
    ("cosine", [0.1, 0.1 * (1 + np.cos(np.pi / 4)) / 2, 0.05, 0.1 * (1 + np.cos(3 * np.pi / 4)) / 2]),
])
def test_learning_rate_schedules(schedule, expected):
    X, y = blobs(n=32)
    opts = {"step_size": 2} if schedule == "step" else None
    m = fastnn.MLP([10, 4, 3], random_state=0)
    m.fit(X, y, epochs=4, learning_rate=0.1, lr_schedule=schedule, schedule_options=opts)
    np.testing.assert_allclose(m.history_["learning_rate"], expected)


def test_plateau_schedule_reduces_rate():
    X, y = blobs(n=32)
    m = fastnn.MLP([10, 4, 3], random_state=0)
    m.fit(X, y, epochs=6, learning_rate=1e-12, lr_schedule="plateau",
          schedule_options={"patience": 1, "tol": 1.0})
    assert m.history_["learning_rate"][-1] < 1e-12


def test_augment_function_sees_every_batch():
    X, y = blobs(n=50)
    calls = []

    def augment(batch):
        calls.append(batch.shape)
        return batch + 0.0

    fastnn.MLP([10, 4, 3], random_state=0).fit(X, y, epochs=1, batch_size=16, augment=augment)
    assert calls == [(16, 10), (16, 10), (16, 10), (2, 10)]


@pytest.mark.parametrize("failure", ["augment", "callback", "diverge"])
def test_failed_fit_keeps_previous_weights(failure):
    X, y = blobs(n=64)
    m = fastnn.MLP([10, 8, 3], random_state=0).fit(X, y, epochs=1)
    before = [w.copy() for w in m.coefs_]
    history = list(m.history_["loss"])

    def bad_augment(batch):
        raise RuntimeError("augment failed")

    def bad_callback(model, epoch, logs):
        raise RuntimeError("callback failed")

    if failure == "diverge":
        with pytest.raises(ValueError, match="epoch 1.*smaller learning_rate"):
            m.fit(X * 1e30, y, epochs=3, learning_rate=1e30, optimizer="sgd", momentum=0.0)
    else:
        kw = {"augment": bad_augment} if failure == "augment" else {"callbacks": [bad_callback]}
        with pytest.raises(RuntimeError, match="failed"):
            m.fit(X, y, epochs=2, **kw)
    for w, b in zip(m.coefs_, before):
        np.testing.assert_array_equal(w, b)
    assert m.history_["loss"] == history


@pytest.mark.parametrize("runner", ["compiled", "twin"])
def test_a_last_update_past_the_float_range_fails_the_fit_and_keeps_the_weights(
        runner, monkeypatch):
    """Each batch's loss is checked before its update: a fit of one batch whose
    update overflowed returned normally with infinite weights (as did a
    zero-eps Adam on a zero gradient, now refused)."""
    X, y = blobs(n=64)
    m = fastnn.MLP([10, 8, 3], random_state=0, dtype="float32").fit(X, y, epochs=1)
    before = [w.copy() for w in m.coefs_]
    if runner == "twin":
        monkeypatch.setattr(fastnn.model, "Session", functools.partial(
            fastnn.model.Session, runner=reference.EpochRunner))
    with pytest.raises(ValueError, match="weights became NaN or infinite in epoch 1"), \
            np.errstate(all="ignore"):
        m.fit(X * 1e18, y, epochs=1, batch_size=len(X), learning_rate=1e37, optimizer="sgd",
              momentum=0.0)
    for w, b in zip(m.coefs_, before):
        np.testing.assert_array_equal(w, b)
    with pytest.raises(ValueError, match="eps must be > 0"):
        m.fit(X, y, epochs=1, eps=0.0)


def test_classic_dropout_scales_at_inference():
    X, y = blobs(n=16)
    inv = fastnn.MLP([10, 8, 3], dropout=0.5, random_state=0, dtype="float64")
    cla = fastnn.MLP([10, 8, 3], dropout=0.5, random_state=0, dtype="float64",
                     dropout_mode="classic")
    h = ops.linear(X, cla.coefs_[0], cla.intercepts_[0], "relu") * 0.5
    expected = ops.softmax(ops.linear(h, cla.coefs_[1], cla.intercepts_[1]))
    np.testing.assert_allclose(cla.predict(X), expected, rtol=1e-13)
    assert not np.allclose(inv.predict(X), cla.predict(X))


def test_regression_and_multilabel_heads():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 5))
    Y = X @ rng.standard_normal((5, 2))
    reg = fastnn.MLP([5, 16, 2], output="identity", loss="mse", random_state=0)
    reg.fit(X, Y, epochs=40, learning_rate=1e-2)
    assert reg.score(X, Y) > 0.9
    labels = (Y > 0).astype(float)
    ml = fastnn.MLP([5, 16, 2], output="sigmoid", loss="binary_cross_entropy", random_state=0)
    ml.fit(X, labels, epochs=40, learning_rate=1e-2)
    assert ml.score(X, labels) > 0.85


def test_pickle_round_trip():
    X, y = blobs(n=32)
    m = fastnn.MLP([10, 4, 3], random_state=0).fit(X, y, epochs=1)
    m2 = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(m.predict(X), m2.predict(X))


@pytest.mark.parametrize("kwargs,match", [
    (dict(layer_sizes=[3]), "layer_sizes"),
    (dict(layer_sizes=[3, 0, 2]), "layer_sizes"),
    (dict(layer_sizes=[3, 2], activation="swish"), "activation"),
    (dict(layer_sizes=[3, 2], output="relu"), "output"),
    (dict(layer_sizes=[3, 2], loss="hinge"), "loss"),
    (dict(layer_sizes=[3, 2], output="sigmoid"), "cross_entropy"),
    (dict(layer_sizes=[3, 4, 2], dropout=1.0), "dropout"),
    (dict(layer_sizes=[3, 4, 2], dropout=[0.1, 0.2]), "dropout"),
    (dict(layer_sizes=[3, 2], dtype="float16"), "dtype"),
])
def test_bad_settings_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fastnn.MLP(**kwargs)


@pytest.mark.parametrize("X,y,kwargs,exc,match", [
    (np.full((4, 3), np.nan), [0, 1, 0, 1], {}, ValueError, "NaN"),
    (np.ones((4, 5)), [0, 1, 0, 1], {}, ValueError, "features"),
    (np.ones((4, 3)), [0, 1, 0], {}, ValueError, "samples"),
    (np.ones((4, 3)), [0, 1, 0, 7], {}, ValueError, "labels"),
    (np.ones((4, 3)), [0, 1, 0, 1], dict(learning_rate=-1), ValueError, "learning_rate"),
    (np.ones((4, 3)), [0, 1, 0, 1], dict(batch_size=0), ValueError, "batch_size"),
    (np.ones((4, 3)), [0, 1, 0, 1], dict(optimizer="rmsprop"), ValueError, "optimizer"),
    (np.ones((4, 3)), [0, 1, 0, 1], dict(lr_schedule="warp"), ValueError, "lr_schedule"),
    (np.array([["a"] * 3] * 4), [0, 1, 0, 1], {}, TypeError, "numeric"),
    (np.ones(3), [0], {}, ValueError, "2-D"),
])
def test_bad_fit_inputs_raise(X, y, kwargs, exc, match):
    m = fastnn.MLP([3, 4, 2], random_state=0)
    with pytest.raises(exc, match=match):
        m.fit(X, np.array(y), epochs=1, **kwargs)


def test_wrong_assigned_weights_raise():
    m = fastnn.MLP([3, 4, 2])
    m.coefs_[0] = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"coefs_\[0\]"):
        m.predict(np.ones((2, 3)))


def test_ctrl_c_stops_fit_promptly():
    code = """
import time, numpy as np, fastnn
X = np.random.default_rng(0).standard_normal((200000, 100)).astype(np.float32)
y = np.zeros(200000, dtype=np.int64)
m = fastnn.MLP([100, 512, 512, 10], random_state=0)
print('ready', flush=True)
t = time.perf_counter()
try:
    m.fit(X, y, epochs=100, batch_size=64)
except KeyboardInterrupt:
    print('interrupted %.3f' % (time.perf_counter() - t), flush=True)
    print('finite', all(np.isfinite(w).all() for w in m.coefs_), flush=True)
"""
    out, waited, _ = interrupt_after_ready(code)
    assert "interrupted" in out, out
    assert "finite True" in out
    assert waited < 5.0, waited  # generous: asserts the signal is honoured, not machine speed


def test_concurrent_fits_of_different_models_match_serial():
    from concurrent.futures import ThreadPoolExecutor
    X, y = blobs(n=500)

    def fit(seed):
        m = fastnn.MLP([10, 64, 3], dropout=0.1, random_state=seed)
        m.fit(X, y, epochs=3)
        return np.concatenate([w.ravel() for w in m.coefs_])

    serial = [fit(s) for s in range(4)]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(fit, range(4)))
    for a, b in zip(serial, parallel):
        assert a.tobytes() == b.tobytes()
