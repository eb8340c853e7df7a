"""fastnn.projection against NumPy's SVD, the folded model against the
reduced one, and the CLI's --components."""
import numpy as np
import pytest

import fastnn
from fastnn import cli
from fastnn.projection import PrincipalProjection


def correlated_rows(n=400, d=12, seed=0, dtype=np.float64):
    """Rows with distinct variances along random axes (well-separated
    principal values, so the axes are defined up to sign) and a mean."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    scales = np.geomspace(4.0, 0.05, d)
    return (rng.standard_normal((n, d)) * scales @ basis.T + rng.standard_normal(d)).astype(dtype)


def test_axes_are_the_top_right_singular_vectors():
    X = correlated_rows()
    p = PrincipalProjection(X, 5)
    _, s, vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    reference = vt[:5].T
    reference = reference * np.sign(reference[np.argmax(np.abs(reference), axis=0), range(5)])
    np.testing.assert_allclose(p.axes, reference, atol=1e-10)
    np.testing.assert_allclose(p.axes.T @ p.axes, np.eye(5), atol=1e-12)
    assert p.explained == pytest.approx(np.sum(s[:5] ** 2) / np.sum(s ** 2), rel=1e-12)
    np.testing.assert_allclose(p.transform(X, np.float64), (X - X.mean(axis=0)) @ reference,
                               atol=1e-10)
    assert PrincipalProjection(X, 12).explained == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("dtype, atol", [("float64", 1e-12), ("float32", 2e-5)])
def test_the_folded_model_predicts_what_the_reduced_one_does(dtype, atol):
    X = correlated_rows(dtype=dtype)
    y = (X[:, 0] > np.median(X[:, 0])).astype(int) + (X[:, 1] > 0)
    p = PrincipalProjection(X, 6)
    reduced = fastnn.MLP([6, 16, 3], random_state=0, dtype=dtype, dropout=0.1)
    reduced.fit(p.transform(X, X.dtype), y, epochs=3, batch_size=32)
    full = p.fold(reduced)
    assert full.layer_sizes == [12, 16, 3] and full.coefs_[0].dtype == X.dtype
    assert full.get_params() == dict(reduced.get_params(), layer_sizes=[12, 16, 3])
    assert full.history_ == reduced.history_ and full.stop_reason_ == reduced.stop_reason_
    # float32: the first layer's sums of 12 (against 6) products of unit-size
    # terms, each rounded, differ by a few ulps of their magnitude (~10)
    np.testing.assert_allclose(full.predict(X), reduced.predict(p.transform(X, X.dtype)),
                               atol=atol)
    for a, b in zip(full.coefs_[1:] + full.intercepts_[1:],
                    reduced.coefs_[1:] + reduced.intercepts_[1:]):
        np.testing.assert_array_equal(a, b)


def test_same_bits_for_any_thread_count():
    X = correlated_rows(n=3000, d=40, dtype=np.float32)
    seen = []
    for threads in (1, 2):
        fastnn.set_num_threads(threads)
        try:
            p = PrincipalProjection(X, 10)
            seen.append((p.axes.tobytes(), p.transform(X).tobytes()))
        finally:
            fastnn.set_num_threads(None)
    assert seen[0] == seen[1]


def test_bad_arguments_are_named():
    X = correlated_rows()
    for k in (0, 13):
        with pytest.raises(ValueError, match="between 1 and the 12 features"):
            PrincipalProjection(X, k)
    for k in (2.0, True, "3"):
        with pytest.raises(TypeError, match="components must be an integer"):
            PrincipalProjection(X, k)
    with pytest.raises(ValueError, match="at least 2 rows"):
        PrincipalProjection(X[:1], 1)
    p = PrincipalProjection(X, 3)
    with pytest.raises(ValueError, match="12 columns"):
        p.transform(X[:, :5])
    with pytest.raises(ValueError, match="takes 4 inputs, the projection gives 3"):
        p.fold(fastnn.MLP([4, 3, 2]))
    with pytest.raises(TypeError, match="fastnn.MLP"):
        p.fold(object())


def test_cli_trains_on_components_and_saves_a_model_of_the_features(tmp_path, capsys):
    pytest.importorskip("safetensors")
    path = str(tmp_path / "m.safetensors")
    assert cli.main(["train", "--data", "digits", "--components", "20", "--epochs", "2",
                     "--save", path]) == 0
    out = capsys.readouterr().out
    assert "training 64-128-10 MLP" in out and "top 20 principal components" in out
    model = fastnn.load(path)
    assert model.model.layer_sizes == [64, 128, 10]
    # its first layer's rows lie in the span of 20 axes: rank 20
    assert np.linalg.matrix_rank(model.model.coefs_[0].astype(np.float64), tol=1e-4) == 20
    accuracy = float(out.rsplit("test accuracy: ", 1)[1])
    assert accuracy > 0.8


@pytest.mark.parametrize("argv, message", [
    (["--components", "65"], "--components 65: the data have 64 features"),
    (["--components", "8", "--image-shape", "8x8"], "augmentation moves pixels"),
    (["--components", "-1"], None),
])
def test_cli_refuses_components_it_cannot_use(argv, message, capsys):
    code = cli.main(["train", "--data", "digits", "--epochs", "1", *argv])
    err = capsys.readouterr().err
    assert code != 0
    if message:
        assert message in err


def test_components_only_when_asked():
    from fastnn import _recipes
    assert "components" not in cli.default_recipe("fashion-mnist")
    assert _recipes.components(None, {}, 784) is None
    assert _recipes.components(0, {}, 784) is None
    assert _recipes.components(32, {}, 784) == 32


def test_the_budget_planner_counts_the_components(monkeypatch, capsys):
    from fastnn import _recipes
    seen = {}

    def fake_fit(self, X, y, **kwargs):
        seen.update(kwargs, sizes=list(self.layer_sizes), width=X.shape[1])
        raise SystemExit(0)
    rng = np.random.default_rng(0)
    fake = (rng.integers(0, 256, (40, 784)).astype(np.uint8), np.arange(40) % 10,
            np.zeros((10, 784), np.uint8), np.arange(10) % 10)
    monkeypatch.setattr(cli, "load_data", lambda data, seed=0: ("fashion-mnist", *fake))
    monkeypatch.setattr(cli.fastnn.MLP, "fit", fake_fit)
    monkeypatch.setattr(_recipes, "bfloat16_speed", lambda: (False, ""))
    monkeypatch.setattr(_recipes, "measured_gflops", lambda threads: 0.003)
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", "fashion-mnist", "--time", "1000", "--components", "16"])
    assert seen["width"] == 16 and seen["sizes"][0] == 16
    # the epochs of 16 inputs, not 784, decide the width
    hidden = _recipes.plan_width(seen["max_time"], 40, 16, 10, 0.003)[0]
    assert seen["sizes"] == [16, *hidden, 10]
    assert hidden != _recipes.plan_width(seen["max_time"], 40, 784, 10, 0.003)[0]
