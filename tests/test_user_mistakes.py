"""Mistakes a user makes and states a fit can leave behind: each mistake is
refused by name before any C runs (never a wrong number), and a failed or
interrupted fit leaves the model able to repeat what a fresh one does."""
import math
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import _budget, _fitloop, ops
from fastnn._schedules import make_schedule
from fastnn._stream import BatchStream

from test_budget import FakeClock
from test_cli import assert_one_line_error, run, write_csv


def data(n=64, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, rng.integers(0, k, n)


def weights(model):
    return [w.copy() for w in model.coefs_ + model.intercepts_]


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(weights(a), weights(b)))


# ---- ops.matmul: byte order and flags ----

@pytest.mark.parametrize("order", [">", "<"])
@pytest.mark.parametrize("dtype", ["f4", "f8"])
def test_matmul_refuses_swapped_byte_order_by_name(order, dtype):
    a = np.arange(6, dtype=order + dtype).reshape(2, 3)
    b = np.ones((3, 2), order + dtype)
    if np.dtype(order + dtype).isnative:  # the same values natively: the right answer
        np.testing.assert_array_equal(ops.matmul(a, b), [[3, 3], [12, 12]])
        with pytest.raises(TypeError, match="out"):
            ops.matmul(a, b, out=np.empty((2, 2), (">" if order == "<" else "<") + dtype))
    else:
        with pytest.raises(TypeError, match=r"a has non-native byte order"):
            ops.matmul(a, b)


@pytest.mark.parametrize("flag", ["trans_a", "trans_b"])
@pytest.mark.parametrize("value", ["no", 1, None, [True]])
def test_matmul_transpose_flags_are_booleans(flag, value):
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    with pytest.raises(TypeError, match=flag):
        ops.matmul(a, a, **{flag: value})
    flags = dict(trans_a=np.bool_(flag == "trans_a"), trans_b=np.bool_(flag == "trans_b"))
    expected = a.T @ a if flag == "trans_a" else a @ a.T
    np.testing.assert_array_equal(ops.matmul(a, a, **flags), expected)


# ---- targets a cross-entropy cannot have ----

def test_cross_entropy_targets_are_non_negative_and_binary_ones_at_most_1():
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"cross_entropy targets must be in \[0, inf\), got -1"):
        ops.loss("cross_entropy", z, np.array([[1.0, 0, 0], [0, 0, -1]]))
    ops.loss("cross_entropy", z, np.array([[2.0, 0, 0], [0, 0, 0.5]]))  # weights: allowed
    with pytest.raises(ValueError, match=r"binary_cross_entropy targets must be in \[0, 1\]"):
        ops.loss("binary_cross_entropy", z, np.full((2, 3), 5.0))
    X, _ = data()
    with pytest.raises(ValueError, match="cross_entropy targets"):
        fastnn.MLP([6, 3]).fit(X, -np.eye(3)[np.arange(64) % 3], epochs=1)
    with pytest.raises(ValueError, match="binary_cross_entropy targets"):
        fastnn.MLP([6, 1], output="sigmoid", loss="binary_cross_entropy").fit(
            X, np.full(64, 5.0), epochs=1)


# ---- validation data ----

def test_validation_data_must_be_a_pair_with_samples():
    X, y = data()
    m = fastnn.MLP([6, 8, 3], random_state=0)
    with pytest.raises(ValueError, match="validation_data has no samples"):
        m.fit(X, y, epochs=1, validation_data=(X[:0], y[:0]), early_stopping=True)
    with pytest.raises(TypeError, match="validation_data must be a pair"):
        m.fit(X, y, epochs=1, validation_data=X)
    assert m.history_["loss"] == []  # nothing ran


# ---- schedule options ----

@pytest.mark.parametrize("schedule, options, message", [
    ("step", {"gamma": 0.0}, "gamma"), ("step", {"gamma": -1.0}, "gamma"),
    ("step", {"gamma": float("nan")}, "gamma"), ("step", {"gamma": 1.5}, "gamma"),
    ("step", {"gamma": "x"}, "gamma"), ("step", {"step_size": 0}, "step_size"),
    ("step", {"step_size": -1}, "step_size"), ("step", {"step_size": True}, "step_size"),
    ("cosine", {"min_lr": -1.0}, "min_lr"), ("invscaling", {"power_t": -0.5}, "power_t"),
    ("plateau", {"factor": 1.0}, "factor"), ("plateau", {"factor": -1.0}, "factor"),
    ("plateau", {"patience": 0.5}, "patience"), ("plateau", {"tol": float("inf")}, "tol")])
def test_schedule_options_are_checked_by_name(schedule, options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make_schedule(schedule, 1e-3, 10, options)
    X, y = data()
    m = fastnn.MLP([6, 3], random_state=0)
    with pytest.raises((ValueError, TypeError), match=message):
        m.fit(X, y, epochs=2, lr_schedule=schedule, schedule_options=options)
    assert m.history_["loss"] == []


def test_a_huge_invscaling_power_gives_a_zero_rate_not_an_overflow():
    s = make_schedule("invscaling", 1e-3, 10, {"power_t": 1e6})
    assert s.learning_rate(0) == 1e-3 and s.learning_rate(3) == 0.0


def test_a_replanned_schedule_never_raises_the_rate():
    for name, options in (("cosine", {}), ("step", {"step_size": 30, "gamma": 0.1})):
        s = make_schedule(name, 1.0, 100, options)
        rates = []
        for epoch, planned in enumerate([3, 4, 6, 40, 100, 100, 8, 100]):
            s.plan(planned)  # epochs first slow, then fast, as a budget replans
            rates.append(s.learning_rate(epoch))
        assert all(b <= a for a, b in zip(rates, rates[1:])), (name, rates)
        assert rates[-1] < 1.0


def test_an_unplanned_schedule_keeps_its_exact_rates():
    s = make_schedule("cosine", 1.0, 10, {})
    assert [s.learning_rate(e) for e in range(10)] == \
        [(1 + math.cos(math.pi * e / 10)) / 2 for e in range(10)]


# ---- image shape checked whether or not it augments ----

def test_image_shape_and_max_shift_are_checked_without_augment():
    X, y = data(d=16)
    m = fastnn.MLP([16, 3])
    for kwargs, message in (({"image_shape": (4, 5)}, "holds 20 values but X has 16"),
                            ({"image_shape": (2 ** 62 + 4, 4)}, "image_shape"),
                            ({"max_shift": -3}, "max_shift"), ({"max_shift": "x"}, "max_shift")):
        with pytest.raises((ValueError, TypeError), match=message):
            m.fit(X, y, epochs=1, **kwargs)
    with pytest.raises(ValueError, match="holds 18446744073709551632 values"):
        ops.augment_images(np.zeros((2, 16)), (2 ** 62 + 4, 4), augment="flip", seed=0)


# ---- warm-up over batches from an iterable ----

def test_warm_up_counts_the_batches_of_a_list_as_of_arrays():
    X, y = data(n=64)
    batches = [(X[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    assert BatchStream(fastnn.MLP([6, 3]), batches, 1).batches(16) == 4
    assert BatchStream(fastnn.MLP([6, 3]), batches, 1).batches(10) == 8
    fit = dict(epochs=3, batch_size=16, shuffle=False, warmup_epochs=1.5, learning_rate=0.05)
    arrays = fastnn.MLP([6, 8, 3], random_state=0, dtype="float64").fit(X, y, **fit)
    listed = fastnn.MLP([6, 8, 3], random_state=0, dtype="float64").fit(batches, **fit)
    assert same_weights(arrays, listed)
    no_ramp = fastnn.MLP([6, 8, 3], random_state=0, dtype="float64").fit(
        batches, **dict(fit, warmup_epochs=0))
    assert not same_weights(arrays, no_ramp)  # the ramp did something


def test_warm_up_over_batches_of_unknown_count_is_refused():
    X, y = data()
    with pytest.raises(ValueError, match="warmup_epochs needs the number of batches"):
        fastnn.MLP([6, 3]).fit(lambda: iter([(X, y)]), epochs=2, warmup_epochs=1)
    # a malformed item in a list is named by the epoch, not tripped over while counting
    with pytest.raises(ValueError, match="X of batch 0"):
        fastnn.MLP([6, 3]).fit([(np.float64(1.0), y[:1])], epochs=1)


# ---- a failed or interrupted fit ----

def test_a_failed_fit_does_not_change_the_next_fits_draws():
    X, y = data()
    a = fastnn.MLP([6, 16, 3], dropout=0.2, random_state=0)
    b = fastnn.MLP([6, 16, 3], dropout=0.2, random_state=0)
    with pytest.raises(ZeroDivisionError):
        a.fit(X, y, epochs=1, augment=lambda batch: 1 / 0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        a.fit(X, y, epochs=2, learning_rate=1e30)
    a.fit(X, y, epochs=3)
    b.fit(X, y, epochs=3)
    assert same_weights(a, b)


def test_ctrl_c_records_interrupted():
    X, y = data()
    m = fastnn.MLP([6, 3], random_state=0).fit(X, y, epochs=1)
    calls = []

    def interrupt(batch):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return batch
    with pytest.raises(KeyboardInterrupt):
        m.fit(X, y, epochs=5, batch_size=8, augment=interrupt)
    assert m.stop_reason_ == "interrupted"
    assert m.history_["stop_reason"] == ["epochs", "interrupted"]


def test_reset_is_refused_while_a_fit_holds_the_model():
    m = fastnn.MLP([6, 3], random_state=0)
    with _fitloop.exclusive_fit(m, "wait"):
        with pytest.raises(RuntimeError, match="reset"):
            m.reset()
    m.reset()


def test_a_budget_that_ends_inside_the_first_epoch_warns(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(_budget, "clock", clock)
    X, y = data(n=256)

    def slow(batch):
        clock.now += 1.0
        return batch
    m = fastnn.MLP([6, 3], random_state=0)
    with pytest.warns(UserWarning, match="ran out before the first epoch ended") as caught:
        m.fit(X, y, epochs=3, batch_size=8, max_time=5.0, augment=slow)
    assert caught[0].filename == __file__  # the user's line, not fastnn's
    assert m.stop_reason_ == "time" and m.history_["loss"] == []
    est = fastnn.MLPClassifier((8,), batch_size=8, max_iter=3, max_time=5.0,
                               augment=None, random_state=0)
    monkeypatch.setattr(_budget, "clock", FakeClock())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message="max_time")
        est.fit(X, y)  # ample on a clock that stands still: no warning
    assert est.stop_reason_ == "max_iter"

    class Advancing(FakeClock):  # a second passes at every reading
        def __call__(self):
            self.now += 1.0
            return self.now
    monkeypatch.setattr(_budget, "clock", Advancing())
    est = fastnn.MLPClassifier((8,), batch_size=8, max_iter=3, max_time=5.0, random_state=0)
    with pytest.warns(UserWarning, match="ran out before the first epoch ended"):
        est.fit(X, y)
    assert est.stop_reason_ == "time" and est.n_iter_ == 0


# ---- the drop-ins' stop_reason_ ----

def test_drop_in_stop_reasons_for_partial_fit_and_lbfgs():
    X, y = data()
    est = fastnn.MLPClassifier((8,), random_state=0)
    est.partial_fit(X, y, classes=[0, 1, 2])
    assert est.stop_reason_ == "partial_fit"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = fastnn.MLPClassifier((8,), solver="lbfgs", max_iter=3, random_state=0).fit(X, y)
    assert est.stop_reason_ == "max_iter"
    est = fastnn.MLPClassifier((8,), solver="lbfgs", max_iter=5000, random_state=0).fit(X, y)
    assert est.stop_reason_ == "converged"



@pytest.mark.parametrize("incremental", [False, True])
def test_continuing_a_fit_with_other_layer_sizes_is_refused_by_name(incremental):
    X, y = data()
    est = fastnn.MLPRegressor(hidden_layer_sizes=(8,), max_iter=2, warm_start=True,
                               random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y.astype(float))
    before = weights(est)
    est.set_params(hidden_layer_sizes=(5, 4))
    go = (lambda: est.partial_fit(X, y.astype(float))) if incremental else \
        (lambda: est.fit(X, y.astype(float)))
    with pytest.raises(ValueError,
                       match=r"layer sizes \[6, 8, 1\].*\[6, 5, 4, 1\].*warm_start=False"):
        go()
    assert all(np.array_equal(a, b) for a, b in zip(before, weights(est)))
    # targets of another width: the output layer no longer fits either
    est.set_params(hidden_layer_sizes=(8,))
    with pytest.raises(ValueError, match=r"\[6, 8, 1\].*\[6, 8, 2\]"):
        est.fit(X, np.stack([y, y], axis=1).astype(float))
    # a fresh fit trains the new network
    est.set_params(warm_start=False, hidden_layer_sizes=(5, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y.astype(float))
    assert [c.shape for c in est.coefs_] == [(6, 5), (5, 4), (4, 1)]



@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_an_overflow_in_predict_is_named_not_returned_as_nan(dtype):
    X, y = data()
    X = X.astype(dtype)
    m = fastnn.MLP([6, 8, 3], random_state=0, dtype=dtype).fit(X, y, epochs=1)
    big = X.copy()
    big[5] = np.finfo(dtype).max / 2  # finite, and with positive weights so is no sum of it
    m.coefs_[0][:] = 1
    with pytest.raises(ValueError, match=r"not finite for 1 row\(s\) \(first: row 5, whose "
                                         r"largest \|input\| as the network receives it is .*%s "
                                         r"overflowed" % dtype):
        m.predict(big)
    # the same through a drop-in, and ordinary rows still predict
    est = fastnn.MLPClassifier((8,), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    est.coefs_[0][:] = 1
    with pytest.raises(ValueError, match="overflowed"):
        est.predict_proba(big)
    assert np.isfinite(m.predict(X)).all() and np.isfinite(est.predict_proba(X)).all()


def test_exp_outputs_that_overflow_are_named_too():
    X, y = data()
    est = fastnn.MLPRegressor(hidden_layer_sizes=(4,), loss="poisson", max_iter=1,
                              random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X.astype(np.float32), np.abs(y).astype(np.float32))
    est.intercepts_[-1][:] = 200  # finite logits whose exp is beyond float32
    with pytest.raises(ValueError, match="overflowed"), np.errstate(over="ignore"):
        est.predict(X.astype(np.float32))


def test_a_diverging_fit_with_a_validation_set_names_the_learning_rate():
    """A validation pass of a diverged epoch is not a predict: the trainer
    reports the divergence, with or without early stopping (scikit-learn
    scores such an epoch as NaN)."""
    X, y = data(n=150)
    for early_stopping in (False, True):
        est = fastnn.MLPRegressor(hidden_layer_sizes=100, activation="identity", solver="sgd",
                                  learning_rate_init=1, max_iter=20,
                                  early_stopping=early_stopping, random_state=0)
        with pytest.raises(ValueError, match="non-finite parameter weights"), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            est.fit(X * 100, y.astype(float))
    m = fastnn.MLP([6, 32, 3], activation="identity", random_state=0)
    with pytest.raises(ValueError, match="smaller learning_rate"), np.errstate(all="ignore"):
        m.fit(X * 1e3, y, epochs=20, learning_rate=10.0, optimizer="sgd",
              validation_split=0.2)


# ---- the command line ----

def test_cli_checks_the_plot_path_and_augment_flags_before_training(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    write_csv(csv)
    code, _, err = run(capsys, "train", "--data", str(csv), "--plot",
                       str(tmp_path / "missing" / "p.png"))
    assert_one_line_error(code, err, "--plot", "no such directory")
    code, out, err = run(capsys, "train", "--data", str(csv), "--augment", "shift")
    assert_one_line_error(code, err, "--augment needs --image-shape")
    assert "training" not in out


def test_cli_shifts_small_images_by_less(capsys, tmp_path):
    rng = np.random.default_rng(0)
    npz = tmp_path / "tiny.npz"
    np.savez(npz, X=rng.random((60, 16)), y=rng.integers(0, 2, 60))
    code, out, err = run(capsys, "train", "--data", str(npz), "--image-shape", "2x2x4",
                         "--epochs", "2", "--threads", "1")
    assert code == 0, err  # max_shift 2 would not fit a 2 x 2 image: it is 1 here


# ---- settings edited after construction ----

def test_an_edited_setting_is_what_predict_fit_and_save_use(tmp_path):
    X, y = data()
    m = fastnn.MLP([6, 16, 3], random_state=0).fit(X, y, epochs=3)
    m.activation = "tanh"
    twin = fastnn.MLP([6, 16, 3], activation="tanh")
    twin.coefs_, twin.intercepts_ = weights(m)[:2], weights(m)[2:]
    np.testing.assert_array_equal(m.predict(X), twin.predict(X))
    fastnn.save(m, tmp_path / "m.safetensors")
    np.testing.assert_array_equal(fastnn.load(tmp_path / "m.safetensors").predict(X),
                                  m.predict(X))
    m.output = "bogus"
    with pytest.raises(ValueError, match="output must be one of"):
        m.predict(X)
    m.output, m.dropout = "softmax", 0.5
    m.fit(X, y, epochs=1)
    assert m._rates == [0.5]


# ---- class labels in an edited model file ----

@pytest.mark.parametrize("classes", [[0], [0, 0], [1, 0], [[0], [1]], []])
def test_a_model_file_with_edited_class_labels_is_refused(classes):
    X, y = data(k=2)
    model = fastnn.LogisticRegression().fit(X, y)
    meta, arrays = model._fastnn_state()
    # nested lists are refused by the dtype the file names, the rest by their order
    with pytest.raises(ValueError, match="distinct labels in sorted order|must be numbers"):
        type(model)._from_fastnn_state(dict(meta, classes=classes), arrays)
    est = fastnn.MLPClassifier((4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    meta, arrays = est._fastnn_state()
    arrays = dict(arrays, classes_=np.array(classes))
    with pytest.raises(ValueError, match="classes_ must be a list of at least"):
        type(est)._from_fastnn_state(meta, arrays)


def test_cli_flag_typos_and_unusable_models_are_one_line_errors(capsys, tmp_path):
    csv = tmp_path / "d.csv"
    write_csv(csv)
    code, _, err = run(capsys, "train", "--data", str(csv), "--hidden", "8,,8")
    assert code == 2 and "--hidden" in err
    for bad in ("-1", str(2 ** 64)):  # 2**64 trained the model of seed 0
        code, _, err = run(capsys, "train", "--data", str(csv), "--seed", bad)
        assert code == 2 and "--seed" in err and "from 0 to 2**64 - 1" in err
    with pytest.raises(ValueError, match=r"random_state must be in \[0, 2\*\*64\)"):
        fastnn.MLP([3, 2], random_state=2 ** 64)
    code, _, err = run(capsys, "train", "--data", str(csv), "--hidden", "10000000,10000000")
    assert_one_line_error(code, err, "not enough memory", "--hidden")
    X, y = data(k=2)
    fastnn.save(fastnn.LogisticRegression().fit(X, y), tmp_path / "lr.safetensors")
    code, _, err = run(capsys, "evaluate", str(tmp_path / "lr.safetensors"), "--data", str(csv))
    assert_one_line_error(code, err, "LogisticRegression", "model.score")


def test_fit_arguments_of_the_wrong_kind_are_named():
    X, y = data()
    m = fastnn.MLP([6, 3], random_state=0)
    for kwargs, error, message in (
            (dict(betas=0.9), ValueError, "betas"),
            (dict(patience=None, early_stopping=True), ValueError, "patience"),
            (dict(patience=0.5, early_stopping=True), ValueError, "patience"),
            (dict(patience=-3, early_stopping=True), ValueError, "patience"),
            (dict(callbacks=lambda *a: None), TypeError, r"callbacks=\[it\]"),
            (dict(callbacks=3), TypeError, "callbacks")):
        with pytest.raises(error, match=message):
            m.fit(X, y, epochs=1, **kwargs)
    with pytest.raises(ValueError, match="dropout_mode"):
        fastnn.MLP([6, 3], dropout_mode=[])
    p, g = np.zeros(3), np.ones(3)
    with pytest.raises(ValueError, match=r"t must be an int >= 1 and <= 9223372036854775807"):
        ops.adam_step(p, g, np.zeros(3), np.zeros(3), t=2 ** 63)
    old = fastnn._config._thread_setting()
    try:
        fastnn.set_num_threads(np.int64(1))
        assert fastnn.get_num_threads() == 1
    finally:
        fastnn.set_num_threads(old)


@pytest.mark.parametrize("cls", ["LogisticRegression", "OrdinalRegression"])
def test_linear_models_warn_when_lbfgs_cannot_start(cls):
    from fastnn.linear import ConvergenceWarning  # fastnn's own: no scikit-learn needed
    X, _ = data()
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():  # lbfgs fits standardized features: 1e40 is no stall
        warnings.simplefilter("error", ConvergenceWarning)
        huge = getattr(fastnn, cls)().fit(X * 1e40, y)
    np.testing.assert_array_equal(huge.predict(X * 1e40), getattr(fastnn, cls)().fit(X, y)
                                  .predict(X))
    with pytest.warns(ConvergenceWarning, match="max_iter=1 ") as caught:
        getattr(fastnn, cls)(max_iter=1).fit(X, y)
    assert caught[0].filename == __file__
    if cls == "LogisticRegression":  # the epoch solvers' warning too
        with pytest.warns(ConvergenceWarning, match="adam stopped after max_iter=1") as caught:
            fastnn.LogisticRegression(solver="adam", max_iter=1, tol=0).fit(X, y)
        assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        getattr(fastnn, cls)().fit(X, y)  # a well-scaled fit converges quietly


def test_values_beyond_float32_and_odd_sources_are_named(tmp_path):
    X, y = data()
    m = fastnn.MLP([6, 3], random_state=0)
    with pytest.raises(ValueError, match="beyond the range of float32"):
        m.fit(X * 1e39, y, epochs=1)
    with pytest.raises(ValueError, match="NaN or infinity"):
        m.fit(np.where(X > 1, np.inf, X), y, epochs=1)
    with pytest.raises(TypeError, match="must return an iterable"):
        m.fit(lambda: None, epochs=1)
    m = fastnn.MLP([6, 3], random_state=np.int64(3)).fit(X, y, epochs=1)
    fastnn.save(m, tmp_path / "m.safetensors")
    assert fastnn.load(tmp_path / "m.safetensors").random_state == 3


# ---- the seed of a model whose random_state is None or a Generator ----

@pytest.mark.parametrize("make_state", [lambda: None, lambda: np.random.default_rng(0)])
def test_checks_draw_no_seed(make_state):
    X, y = data()
    a = fastnn.MLP([6, 8, 3], dropout=0.2, random_state=make_state())
    initial = weights(a)
    for _ in range(3):
        a.predict(X)
    a.reset()
    assert all(np.array_equal(w, v) for w, v in zip(weights(a), initial))
    if a.random_state is not None:  # the same generator state as a model never asked
        b = fastnn.MLP([6, 8, 3], dropout=0.2, random_state=make_state())
        a.fit(X, y, epochs=2, validation_split=0.2)
        b.fit(X, y, epochs=2, validation_split=0.2)
        assert same_weights(a, b)
        assert a.random_state.integers(1 << 30) == b.random_state.integers(1 << 30)


def test_reset_after_an_edited_architecture_starts_the_new_one():
    X, y = data()
    m = fastnn.MLP([6, 8, 3], random_state=0)
    m.layer_sizes, m.activation = [6, 8, 8, 3], "tanh"
    m.reset()
    fresh = fastnn.MLP([6, 8, 8, 3], activation="tanh", random_state=0)
    assert same_weights(m, fresh)
    m.fit(X, y, epochs=1)


def test_lbfgs_stop_reason_names_max_fun():
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = fastnn.MLPClassifier((8,), solver="lbfgs", max_iter=200, max_fun=5,
                                   random_state=0).fit(X, y)
    assert est.stop_reason_ == "max_fun"


def test_betas_may_be_an_array():
    X, y = data()
    fastnn.MLP([6, 3], random_state=0).fit(X, y, epochs=1, betas=np.array([0.9, 0.99]))
    with pytest.raises(ValueError, match="betas"):
        fastnn.MLP([6, 3]).fit(X, y, epochs=1, betas="ab")


def test_poisson_targets_and_options_are_checked_by_name():
    X, y = data()
    neg = X[:, 0]  # has negative values
    with pytest.raises(ValueError, match=r"poisson y must be in \[0, inf\)"):
        fastnn.MLPRegressor(loss="poisson", max_iter=2).fit(X, neg)
    with pytest.raises(ValueError, match=r"poisson y_val must be in \[0, inf\)"):
        fastnn.MLPRegressor(loss="poisson", max_iter=2).fit(X, np.abs(neg), X_val=X, y_val=neg)
    z = np.zeros((2, 1), np.float32)
    with pytest.raises(ValueError, match=r"poisson targets must be in \[0, inf\)"):
        ops.loss("poisson", z, -np.ones((2, 1), np.float32))
    with pytest.raises(ValueError, match="label_smoothing needs cross_entropy"):
        ops.loss("poisson", z, np.ones((2, 1), np.float32), label_smoothing=0.1)


def test_huge_warm_up_and_shift_are_named_or_capped():
    X, y = data()
    m = fastnn.MLP([6, 3], random_state=0)
    m.fit(X, y, epochs=1, warmup_epochs=1e19)  # longer than any fit: the rate ramps throughout
    assert np.isfinite(m.history_["loss"][0])
    with pytest.raises(ValueError, match=r"max_shift must be an int >= 0 and <= 2147483648"):
        m.fit(X, y, epochs=1, augment="flip", image_shape=(2, 3), max_shift=2 ** 70)


def test_complex_weights_and_string_flags_are_refused():
    m = fastnn.MLP([6, 3], random_state=0)
    m.coefs_[0] = m.coefs_[0] + 1j
    with pytest.raises(TypeError, match=r"coefs_\[0\] or intercepts_\[0\] is complex"):
        m.predict(np.zeros((2, 6)))
    p, g = np.zeros(4, np.float32), np.ones(4, np.float32)
    with pytest.raises(TypeError, match="nesterov must be True or False, got 'no'"):
        ops.sgd_step(p, g, np.zeros(4, np.float32), lr=0.1, momentum=0.9, nesterov="no")
    assert np.array_equal(p, np.zeros(4, np.float32))  # refused before any step


def test_float_labels_out_of_range_are_reported_as_given():
    m = fastnn.MLP([2, 3], random_state=0)
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\), got range "
                                         r"\[0.0, 1e\+20\]"):  # not wrapped to -2**63
        m.fit(np.zeros((3, 2)), np.array([0.0, 1.0, 1e20]), epochs=1)
    m.fit(np.zeros((3, 2)), np.array([0.0, 1.0, 2.0]), epochs=1)  # whole floats are labels
