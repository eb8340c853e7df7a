"""Training with bfloat16 compute (MLP(dtype="bfloat16")): the compiled epoch
against reference.EpochRunner with the same config, whose GEMMs round their
operands to bfloat16 the same way (reference.matmul(compute="bfloat16")).

Both round the same float32 operands, so they differ only where float32
summation order moves a value across a bfloat16 rounding boundary: with
k-term sums (k <= 64 here) that happens to about k * eps32 / 2^-8 ~ 0.2% of
the elements, each time by one bfloat16 ulp (2^-8 relative).  Over a few
epochs that stays under 1e-4 of the weights' scale, while training in float32
instead moves the weights by ~1e-2 of it: the tests check both, so a trainer
that ignored the setting would fail.
"""
import numpy as np
import pytest

import fastnn
from fastnn import reference
from fastnn._session import Session

SIZES = [40, 64, 32, 5]


def run(compute, runner, optimizer, epochs=3, dropout=(0.2, 0.1), noise=0.0):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((384, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], 384)
    s = Session(SIZES, activation="relu", output="softmax", loss="cross_entropy",
                dropout=list(dropout), dropout_mode="inverted", dtype=np.float32,
                optimizer=optimizer, l2=1e-3, input_noise=noise, seed=11, max_batch=64,
                compute=compute, runner=runner)
    s.params[:] = np.random.default_rng(1).standard_normal(s.params.size).astype(np.float32) * 0.2
    lr = 1e-3 if optimizer == "adam" else 0.05
    losses = [s.epoch(X, None, y, batch_size=64, learning_rate=lr, shuffle=True, epoch=e)
              for e in range(epochs)]
    return s.params.copy(), np.array(losses)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_compiled_matches_the_bf16_reference(optimizer, noise):
    p_c, l_c = run("bfloat16", None, optimizer, noise=noise)
    p_r, l_r = run("bfloat16", reference.EpochRunner, optimizer, noise=noise)
    p_f, _ = run(None, reference.EpochRunner, optimizer, noise=noise)
    scale = np.abs(p_r).max()
    gap = np.abs(p_c - p_r).max() / scale
    f32_gap = np.abs(p_f - p_r).max() / scale
    assert gap < 1e-4, gap
    assert f32_gap > 100 * gap, (f32_gap, gap)
    np.testing.assert_allclose(l_c, l_r, rtol=1e-4)


def blobs(n=600, n_in=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, n_in)) * 4
    y = rng.integers(0, k, n)
    return (centers[y] + rng.standard_normal((n, n_in))).astype(np.float32), y


def test_mlp_bfloat16_learns_and_keeps_float32_weights():
    X, y = blobs()
    m = fastnn.MLP([8, 32, 3], dtype="bfloat16", random_state=0, dropout=0.1)
    m.fit(X, y, epochs=20, batch_size=32)
    assert all(w.dtype == np.float32 for w in m.coefs_ + m.intercepts_)
    assert (m.predict(X).argmax(axis=1) == y).mean() > 0.95
    assert m.get_params()["dtype"] == "bfloat16"


def test_mlp_bfloat16_same_seed_same_bits_for_any_thread_count():
    X, y = blobs(n=1000, n_in=30)
    old = fastnn._config._thread_setting()
    results = []
    try:
        for t in (1, 2, 1):
            fastnn.set_num_threads(t)
            m = fastnn.MLP([30, 256, 128, 3], dtype="bfloat16", random_state=4, dropout=0.2)
            m.fit(X, y, epochs=2, batch_size=100)
            results.append(np.concatenate([w.ravel() for w in m.coefs_]))
    finally:
        fastnn.set_num_threads(old)
    assert np.array_equal(results[0], results[1]) and np.array_equal(results[0], results[2])


def test_mlp_bfloat16_differs_from_float32_only_by_rounding():
    X, y = blobs(n=256, n_in=20)
    out = {}
    for dtype in ("float32", "bfloat16"):
        m = fastnn.MLP([20, 48, 3], dtype=dtype, random_state=2)
        m.fit(X, y, epochs=2, batch_size=64)
        out[dtype] = np.concatenate([w.ravel() for w in m.coefs_])
    assert not np.array_equal(out["float32"], out["bfloat16"])
    assert np.abs(out["float32"] - out["bfloat16"]).max() < 0.05  # same training, coarser sums


def test_bfloat16_save_load_round_trip(tmp_path):
    pytest.importorskip("safetensors")
    X, y = blobs()
    m = fastnn.MLP([8, 16, 3], dtype="bfloat16", random_state=0)
    m.fit(X, y, epochs=2)
    path = tmp_path / "m.safetensors"
    fastnn.save(m, path)
    m2 = fastnn.load(path)
    assert m2.get_params()["dtype"] == "bfloat16"
    assert np.array_equal(m.predict(X), m2.predict(X))


def test_bad_dtype_is_named():
    with pytest.raises(ValueError, match="bfloat16"):
        fastnn.MLP([2, 2], dtype="float16")
