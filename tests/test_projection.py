"""fastnn.projection against NumPy's SVD, the folded model against the
reduced one, and the CLI's --components."""
import warnings

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


@pytest.mark.filterwarnings("error")  # no RuntimeWarning of inf - inf first
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_rows_are_refused_by_name(bad):
    X = correlated_rows()
    X[7, 3] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        PrincipalProjection(X, 3)  # was numpy's LinAlgError
    X[9, 3] = -np.inf  # +inf and -inf in one column: a NaN mean
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        PrincipalProjection(X, 3)
    p = PrincipalProjection(correlated_rows(), 3)
    X = correlated_rows(n=5000)  # past the first block of rows
    X[4500, 0] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        p.transform(X)  # was rows of NaN


def test_values_too_large_and_non_numeric_x_are_refused():
    with pytest.raises(ValueError, match="covariance overflows float64"):
        PrincipalProjection(correlated_rows() * 1e200, 3)
    with pytest.raises(TypeError, match="X must be numeric, got dtype complex128"):
        PrincipalProjection(correlated_rows().astype(complex), 3)
    p = PrincipalProjection(correlated_rows(), 3)
    with pytest.raises(TypeError, match="X must be numeric, got dtype object holding 'a'"):
        p.transform(np.where(correlated_rows() > 0, correlated_rows(), "a").astype(object))
    # numbers stored as objects are numbers
    np.testing.assert_array_equal(p.transform(correlated_rows().astype(object)),
                                  p.transform(correlated_rows()))


def check_axes(p, X):
    """p's axes against NumPy's SVD where the principal values are distinct
    and nonzero (elsewhere only orthonormal)."""
    k = p.components
    np.testing.assert_allclose(p.axes.T @ p.axes, np.eye(k), atol=1e-12)
    centred = np.asarray(X, dtype=np.float64) - np.asarray(X, dtype=np.float64).mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    distinct = [j for j in range(min(k, len(s))) if s[j] > 1e-6 * s[0] and all(
        abs(s[j] - s[i]) > 1e-6 * s[0] for i in range(len(s)) if i != j)]
    for j in distinct:
        assert abs(p.axes[:, j] @ vt[j]) == pytest.approx(1, abs=1e-9)
    np.testing.assert_allclose(p.transform(X, np.float64), centred @ p.axes, atol=1e-9)


def test_constant_duplicate_and_few_rows():
    X = correlated_rows(n=50, d=8)
    X[:, 2] = 7.0  # constant
    X[:, 5] = X[:, 1]  # duplicate
    p = PrincipalProjection(X, 3)
    check_axes(p, X)
    assert np.all(np.abs(p.axes[2]) < 1e-12)  # no variance along the constant feature
    p = PrincipalProjection(X, 8)  # every feature, two without variance of their own
    check_axes(p, X)
    assert p.explained == pytest.approx(1.0, rel=1e-12)
    few = X[:4]  # 4 rows of 8 features: rank 3
    p = PrincipalProjection(few, 8)
    check_axes(p, few)
    assert PrincipalProjection(few, 3).explained == pytest.approx(1.0, rel=1e-12)
    assert PrincipalProjection(np.ones((10, 4), np.float32), 2).explained == 0.0


def test_integer_float64_fortran_and_strided_x_give_the_same_bits():
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (3000, 20)).astype(np.uint8)
    pixels[:, 4] = pixels[:, 3] // 2  # correlated
    reference = PrincipalProjection(pixels.astype(np.float64), 5)
    check_axes(reference, pixels)
    wide = np.zeros((3000, 40), np.int64)
    wide[:, ::2] = pixels
    for X in (pixels, pixels.astype(np.int64), np.asfortranarray(pixels),
              wide[:, ::2], pixels.tolist()):
        p = PrincipalProjection(X, 5)
        assert p.axes.tobytes() == reference.axes.tobytes()
        assert p.transform(X).tobytes() == reference.transform(pixels).tobytes()
        assert p.transform(X).dtype == np.float32
        assert p.transform(X, np.float64).dtype == np.float64


def test_without_threadpoolctl(monkeypatch):
    import sys
    from fastnn import projection
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # its import now fails
    with projection._one_blas_thread():
        pass
    X = correlated_rows()
    check_axes(PrincipalProjection(X, 5), X)


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_the_folded_first_layer_within_its_rounding_bound(dtype):
    """A one-layer identity model: its outputs are the first layer's sums,
    and both ways of computing them are within rounding bounds of the exact
    (x - mean) A W + b (gamma_n = n u / (1 - n u) for sums of n terms, u the
    unit roundoff of the model's dtype; float64's for the projection)."""
    nd = np.float64 if dtype == "float64" else np.float32
    X = correlated_rows(dtype=nd)
    p = PrincipalProjection(X, 6)
    Z = p.transform(X, nd)
    reduced = fastnn.MLP([6, 4], output="identity", loss="mse", dtype=dtype, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bfloat16 emulated here
        reduced.fit(Z, X[:, :4] ** 2, epochs=3)
    full = p.fold(reduced)
    (d, k), u, u64 = p.axes.shape, float(np.finfo(nd).eps) / 2, 2.0 ** -53

    def gamma(n, u):
        return n * u / (1 - n * u)
    x, A, mean = X.astype(np.float64), p.axes, p.mean
    W, b = (a.astype(np.float64) for a in (reduced.coefs_[0], reduced.intercepts_[0]))
    Wf, bf = (a.astype(np.float64) for a in (full.coefs_[0], full.intercepts_[0]))
    bound = (u * np.abs((x - mean) @ A) @ np.abs(W)  # Z rounded to the dtype
             + gamma(k + 1, u) * (np.abs(Z) @ np.abs(W) + np.abs(b))  # the reduced sums
             + u * np.abs(x) @ np.abs(A @ W)  # A W rounded
             + u * np.abs(b - mean @ A @ W)  # the shifted bias rounded
             + gamma(d + 1, u) * (np.abs(x) @ np.abs(Wf) + np.abs(bf))  # the folded sums
             + gamma(d + k + 3, u64) * ((np.abs(x) + np.abs(mean)) @ np.abs(A) @ np.abs(W)
                                        + np.abs(b)))  # the float64 products
    diff = np.abs(full.predict(X).astype(np.float64) - reduced.predict(Z))
    assert np.all(diff <= bound)
    assert bound.max() < (1e-4 if u > u64 else 1e-12) * np.abs(reduced.predict(Z)).max()


@pytest.mark.parametrize("settings", [
    dict(dtype="float64"), dict(dtype="bfloat16"),
    dict(layer_sizes=[4, 8, 6, 2], activation=["tanh", "gelu"], dropout=[0.1, 0.2],
         dropout_mode="classic"),
    dict(layer_sizes=[4, 8, 1], output="sigmoid", loss="binary_cross_entropy"),
], ids=["float64", "bfloat16", "per-layer", "sigmoid"])
def test_fold_any_model_and_save_it(settings, tmp_path):
    pytest.importorskip("safetensors")
    dtype = np.float64 if settings.get("dtype") == "float64" else np.float32
    X = correlated_rows(dtype=dtype)
    y = (X[:, 0] > np.median(X[:, 0])).astype(int)
    p = PrincipalProjection(X, 4)
    sizes = settings.pop("layer_sizes", [4, 8, 2])
    reduced = fastnn.MLP(sizes, random_state=0, **settings)
    Z = p.transform(X, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reduced.fit(Z, y[:, None] if sizes[-1] == 1 else y, epochs=2)
    weights = [a.copy() for a in reduced.coefs_ + reduced.intercepts_]
    params, history = reduced.get_params(), repr(reduced.history_)
    full = p.fold(reduced)
    # the source model as it was
    for a, b in zip(weights, reduced.coefs_ + reduced.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert reduced.get_params() == params and repr(reduced.history_) == history
    assert full.get_params() == dict(params, layer_sizes=[12, *sizes[1:]])
    assert full.coefs_[0].dtype == dtype
    path = str(tmp_path / "folded.safetensors")
    fastnn.save(full, path)
    loaded = fastnn.load(path)
    assert loaded.get_params() == full.get_params()
    for a, b in zip(loaded.coefs_ + loaded.intercepts_, full.coefs_ + full.intercepts_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(X), full.predict(X))
    # the first layer as folded (its sums' bound: the test above), the others
    # the reduced model's
    # (float64 sums of k terms in any order: within k u64 of the sum of
    # magnitudes; then one rounding to the dtype)
    w = reduced.coefs_[0].astype(np.float64)
    k, u64, u = p.components, np.finfo(np.float64).eps / 2, np.finfo(dtype).eps / 2
    for got, want, magnitude in (
            (full.coefs_[0], p.axes @ w, np.abs(p.axes) @ np.abs(w)),
            (full.intercepts_[0], reduced.intercepts_[0] - p.mean @ p.axes @ w,
             np.abs(reduced.intercepts_[0]) + np.abs(p.mean) @ np.abs(p.axes) @ np.abs(w))):
        bound = 2 * (k + 1) * u64 * magnitude + 2 * u * np.abs(want)
        assert np.all(np.abs(got.astype(np.float64) - want) <= bound)
    for a, b in zip(full.coefs_[1:] + full.intercepts_[1:],
                    reduced.coefs_[1:] + reduced.intercepts_[1:]):
        np.testing.assert_array_equal(a, b)


def test_fold_draws_nothing_from_a_shared_generator():
    X = correlated_rows()
    p = PrincipalProjection(X, 4)
    rng = np.random.default_rng(1)
    reduced = fastnn.MLP([4, 8, 2], random_state=rng, dropout=0.2)
    reduced.fit(p.transform(X), (X[:, 0] > 0).astype(int), epochs=1)
    state = repr(rng.bit_generator.state)
    full = p.fold(reduced)
    assert repr(rng.bit_generator.state) == state  # was advanced by a seed drawn for `full`
    assert full.random_state is rng and full.get_params()["dropout"] == 0.2


@pytest.mark.parametrize("argv", [
    ["--components", "20", "--dtype", "float64"],
    ["--components", "64", "--no-standardize"],
    ["--components", "64", "--standardize", "--plot", "PLOT"],
], ids=["float64", "every-feature", "plot"])
def test_cli_components_then_evaluate(argv, tmp_path, capsys):
    pytest.importorskip("safetensors")
    path = str(tmp_path / "m.safetensors")
    argv = [str(tmp_path / "p.png") if a == "PLOT" else a for a in argv]
    assert cli.main(["train", "--data", "digits", "--epochs", "2", "--save", path, *argv]) == 0
    out = capsys.readouterr().out
    trained = float(out.rsplit("test accuracy: ", 1)[1])
    model = fastnn.load(path)
    assert model.model.layer_sizes[0] == 64
    assert model.model.coefs_[0].dtype == (np.float64 if "float64" in argv else np.float32)
    if "--plot" in argv:
        assert (tmp_path / "p.png").stat().st_size > 0
    assert cli.main(["evaluate", "--data", "digits", path]) == 0
    out = capsys.readouterr().out
    assert float(out.rsplit("accuracy: ", 1)[1].split()[0]) == trained > 0.8


def test_the_axes_do_not_depend_on_blas_threads():
    # LAPACK's eigh sums in another order on 2 OpenBLAS threads than on 1:
    # the projection runs it on one (through threadpoolctl)
    pytest.importorskip("threadpoolctl")
    import os
    from conftest import run_python
    code = ("import hashlib, numpy as np; from fastnn.projection import PrincipalProjection;"
            "X = np.random.default_rng(0).standard_normal((3000, 300)) "
            "* np.linspace(0.1, 3, 300);"
            "p = PrincipalProjection(X, 40);"
            "print(hashlib.sha256(p.axes.tobytes() + p.transform(X).tobytes()).hexdigest())")
    digests = set()
    for threads in ("1", "2"):
        out = run_python(code, env=dict(os.environ, OPENBLAS_NUM_THREADS=threads,
                                        OMP_NUM_THREADS=threads))
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_a_finite_x_whose_mean_overflows_is_named():
    X = np.full((4, 3), 1e308)
    X[:, 0] = [1.0, 2.0, 3.0, 5.0]
    with pytest.raises(ValueError, match="mean overflows float64"):
        PrincipalProjection(X, 2)
