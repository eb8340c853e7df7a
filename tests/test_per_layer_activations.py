"""One activation per hidden layer (fastnn.MLP(activation=[...])): the compiled
epoch against its twin and PyTorch, initialisation per layer, predict,
save/load (and files of format version 1), the CLI and the errors."""
import json

import numpy as np
import pytest

import fastnn
from fastnn import _core, cli, reference
from fastnn import io as fio
from fastnn._session import Session
from fastnn._validate import HE_INIT_ACTIVATIONS

from _torchutil import assert_session_weights, step_problem, torch_sgd_step
from test_train import make_data

MIXES = [["relu", "tanh", "gelu"], ["gelu", "sigmoid", "leaky_relu"],
         ["softplus", "elu", "identity"]]
SIZES = [6, 9, 7, 5, 3]


def _session(runner, acts, dropout, seed=11):
    s = Session(SIZES, activation=acts, output="softmax", loss="cross_entropy",
                dropout=dropout, dropout_mode="inverted", dtype="float64", max_batch=8,
                runner=runner, optimizer="adam", l2=1e-2, seed=seed)
    init = fastnn.MLP(SIZES, activation=acts, dtype="float64", random_state=7)
    s.load(init.coefs_, init.intercepts_)
    return s


def _trajectory(runner, acts, dropout, epochs=3):
    X, _, labels = make_data("labels", n_in=SIZES[0])
    s = _session(runner, acts, dropout)
    losses = [s.epoch(X, None, labels, batch_size=8, learning_rate=0.05, shuffle=True, epoch=e)
              for e in range(epochs)]
    return s.params.copy(), np.array(losses)


@pytest.mark.parametrize("dropout", [[0.0, 0.0, 0.0], [0.3, 0.0, 0.2]], ids=["plain", "dropout"])
@pytest.mark.parametrize("acts", MIXES, ids=lambda a: "-".join(a))
def test_compiled_epoch_follows_the_twin(acts, dropout, kernel):
    p_c, l_c = _trajectory(None, acts, dropout)
    p_r, l_r = _trajectory(reference.EpochRunner, acts, dropout)
    assert np.abs(p_c - p_r).max() <= 1e-10 * np.abs(p_r).max()
    np.testing.assert_allclose(l_c, l_r, rtol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, listed", [("tanh", ["tanh"] * 3),
                                          ("sigmoid", ("logistic", "sigmoid", "logistic"))])
def test_a_list_of_one_name_is_bit_identical_to_the_name(dtype, name, listed):
    X, _, y = make_data("labels", n=80, n_in=SIZES[0])
    X = X.astype(dtype)
    a, b = (fastnn.MLP(SIZES, activation=act, dtype=dtype, dropout=0.2, random_state=3)
            .fit(X, y, epochs=2, batch_size=16) for act in (name, listed))
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_one_sgd_step_against_pytorch():
    torch = pytest.importorskip("torch")
    acts = ["relu", "tanh", "gelu"]
    X, y, coefs, intercepts = step_problem(SIZES)
    s = Session(SIZES, activation=acts, output="softmax", loss="cross_entropy",
                dropout=[0, 0, 0], dropout_mode="inverted", dtype=np.float64, optimizer="sgd",
                momentum=0.0, seed=3, max_batch=32)
    s.load(coefs, intercepts)
    loss = s.epoch(X, None, y, batch_size=32, learning_rate=0.1, shuffle=False, epoch=0,
                   order=np.arange(32))
    torch_act = {"relu": torch.relu, "tanh": torch.tanh,  # fastnn's gelu: the tanh form
                 "gelu": lambda v: torch.nn.functional.gelu(v, approximate="tanh")}
    want, t_loss = torch_sgd_step(coefs, intercepts, X, y, [torch_act[a] for a in acts], 0.1)
    assert abs(loss - t_loss) <= 1e-12
    assert_session_weights(s, want)


def test_each_layer_is_initialised_for_its_own_activation():
    acts = ["relu", "tanh", "gelu", "sigmoid"]
    sizes = [300, 400, 500, 300, 200, 10]
    m = fastnn.MLP(sizes, activation=acts, dtype="float64", random_state=0)
    for l, act in enumerate(acts + ["softmax"]):
        fan_in, fan_out = sizes[l], sizes[l + 1]
        he = act in HE_INIT_ACTIVATIONS
        want = np.sqrt(2.0 / fan_in) if he else np.sqrt(2.0 / (fan_in + fan_out))
        # uniform(-b, b) has std b / sqrt(3); over >= 2000 draws it is within 3%
        assert abs(m.coefs_[l].std() / want - 1) < 0.03, (l, act)
    assert "relu" in HE_INIT_ACTIVATIONS and "tanh" not in HE_INIT_ACTIVATIONS
    # the draws are in layer order: the first layer's weights do not depend on the later ones
    single = fastnn.MLP(sizes, activation="relu", dtype="float64", random_state=0)
    np.testing.assert_array_equal(m.coefs_[0], single.coefs_[0])


def test_predict_applies_each_layers_activation():
    acts = ["gelu", "tanh", "elu"]
    X, _, y = make_data("labels", n=40, n_in=SIZES[0])
    m = fastnn.MLP(SIZES, activation=acts, dtype="float64", random_state=1)
    m.fit(X, y, epochs=1)
    h = X
    for l in range(len(acts)):
        h = reference.activation(h @ m.coefs_[l] + m.intercepts_[l], acts[l])
    want = reference.softmax(h @ m.coefs_[-1] + m.intercepts_[-1])
    np.testing.assert_allclose(m.predict(X), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation, match", [
    (["relu", "tanh"], "one name per hidden layer \\(3\\), got 2"),
    (["relu", "tanh", "swish"], "activation must be one of"),
    (["relu", "tanh", 3], "activation must be one of"),
    ("swish", "activation must be one of"),
    ({"relu": 1}, "activation must be a name or a list"),
    (None, "activation must be a name or a list"),
])
def test_bad_activation_lists_raise(activation, match):
    with pytest.raises(ValueError, match=match):
        fastnn.MLP(SIZES, activation=activation)


def test_the_binding_checks_the_codes():
    s = Session(SIZES, activation="relu", output="softmax", loss="cross_entropy",
                dropout=[0.0] * 3, dropout_mode="inverted", dtype="float64", max_batch=4)
    bad = dict(s.config, hidden_acts=[0, 1])
    with pytest.raises(ValueError, match="hidden_acts"):
        _core.EpochRunner(bad)
    bad = dict(s.config, hidden_acts=[0, len(_core.ACTIVATIONS), 1])
    with pytest.raises(ValueError, match="trainer"):
        _core.EpochRunner(bad)


def _saved(tmp_path, activation):
    pytest.importorskip("safetensors")
    X, _, y = make_data("labels", n=40, n_in=SIZES[0])
    m = fastnn.MLP(SIZES, activation=activation, random_state=2).fit(X.astype(np.float32), y,
                                                                     epochs=1)
    path = tmp_path / "m.safetensors"
    fastnn.save(m, path)
    return m, path, X.astype(np.float32)


def test_save_load_round_trip_keeps_the_list(tmp_path):
    m, path, X = _saved(tmp_path, ["relu", "tanh", "gelu"])
    loaded = fastnn.load(path)
    assert loaded.activation == ["relu", "tanh", "gelu"]
    np.testing.assert_array_equal(loaded.predict(X), m.predict(X))
    from safetensors import safe_open
    with safe_open(str(path), framework="numpy") as f:
        assert f.metadata()["format_version"] == "2" == str(fio.FORMAT_VERSION)


def test_a_format_version_1_file_still_loads(tmp_path):
    """Version 1 wrote the same header with one activation name: rewrite the
    version field of a single-activation file to get one byte for byte."""
    from safetensors import safe_open
    from safetensors.numpy import save_file
    m, path, X = _saved(tmp_path, "tanh")
    with safe_open(str(path), framework="numpy") as f:
        meta = dict(f.metadata())
        arrays = {k: f.get_tensor(k) for k in f.keys()}
    assert json.loads(meta["meta"])["params"]["activation"] == "tanh"
    meta["format_version"] = "1"
    save_file(arrays, str(path), metadata=meta)
    loaded = fastnn.load(path)
    assert loaded.activation == "tanh"
    np.testing.assert_array_equal(loaded.predict(X), m.predict(X))


def _write_data(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((120, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    path = str(tmp_path / "d.npz")
    np.savez(path, X_train=X[:100], y_train=y[:100], X_test=X[100:], y_test=y[100:])
    return path


def test_cli_activation_per_layer(capsys, tmp_path):
    pytest.importorskip("safetensors")
    data, model_path = _write_data(tmp_path), tmp_path / "m.safetensors"
    code = cli.main(["train", "--data", data, "--hidden", "8,6", "--activation", "relu,tanh",
                     "--epochs", "2", "--save", str(model_path), "--threads", "1"])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert fastnn.load(model_path).model.activation == ["relu", "tanh"]
    code = cli.main(["train", "--data", data, "--hidden", "8,6", "--activation", "gelu",
                     "--epochs", "1", "--save", str(model_path), "--threads", "1"])
    assert code == 0, capsys.readouterr()[1]
    assert fastnn.load(model_path).model.activation == "gelu"


def test_cli_activation_count_is_checked_before_the_data_loads(capsys, tmp_path):
    code = cli.main(["train", "--data", str(tmp_path / "missing.csv"), "--hidden", "8,6",
                     "--activation", "relu,tanh,gelu"])
    _, err = capsys.readouterr()
    assert code == 1 and "--activation: 3 names for 2 hidden layers" in err


@pytest.mark.parametrize("names, fragment", [
    ("relu,tanh,gelu", "--activation: 3 names for 2 hidden layers"),
    ("relu,swish", "unknown activation 'swish'"),
    ("relu,", "expected comma-separated activation names"),
])
def test_cli_activation_errors(capsys, tmp_path, names, fragment):
    code = cli.main(["train", "--data", _write_data(tmp_path), "--hidden", "8,6",
                     "--activation", names, "--epochs", "1"])
    _, err = capsys.readouterr()
    assert code != 0 and fragment in err and "Traceback" not in err


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weights_drawn_in_blocks_are_one_draw(monkeypatch, dtype):
    """uniform_weights draws a block of rows at a time: the same numbers as
    one rng.uniform call of the whole shape (cast after), blocks that end
    mid-matrix included."""
    from fastnn import _mlp_init
    monkeypatch.setattr(_mlp_init, "INIT_BLOCK_ELEMENTS", 70)  # 7 rows of 10 per block
    for shape in [(23, 10), (1, 10), (5, 100), (7, 10)]:
        got = _mlp_init.uniform_weights(np.random.default_rng(1), 0.3, shape, dtype)
        want = np.random.default_rng(1).uniform(-0.3, 0.3, shape).astype(dtype)
        assert got.dtype == dtype and np.array_equal(got, want)

