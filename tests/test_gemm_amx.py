"""The AMX bfloat16 engine (csrc/gemm/ukr_amx.h on tiles): its driver,
packing, edges and epilogues run on every CPU through the portable tile
emulation (engine "amx-emulated", csrc/gemm/amx_emu.h), held to the same
float32 summation bound as the other bfloat16 engines
(tests/test_gemm_bf16.py) against reference.matmul(compute="bfloat16"); the
real tiles only where AMX is usable.  Also: the tile emulation itself
(tdpbf16ps pair sums, subnormals, NaN and infinity), FASTNN_BF16, the
config keys and the once-per-process warning."""
import numpy as np
import pytest

import fastnn
from fastnn import _core, ops, reference
from fastnn._session import Session

from conftest import run_python
from test_gemm_bf16 import SHAPES, assert_bf16_close, operands
from test_train_bf16 import run as run_epochs

# The driver's 32 x 32 tile and its edges: m, n around 16 and 32, k around the
# 32-value tile step and the 512-value k panel.
AMX_SHAPES = SHAPES + [(16, 16, 32), (32, 32, 32), (31, 33, 31), (17, 15, 64), (33, 64, 95),
                       (64, 65, 544), (95, 17, 1000)]
AMX_REASON = _core.amx_unusable_reason()
ENGINES = ["amx-emulated"] + ([] if AMX_REASON else ["amx"])


@pytest.fixture(params=ENGINES)
def engine(request):
    _core.set_bf16_engine(request.param)
    yield request.param
    _core.set_bf16_engine(None)


@pytest.fixture
def emulated():
    _core.set_bf16_engine("amx-emulated")
    yield
    _core.set_bf16_engine(None)


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("m,n,k", AMX_SHAPES)
def test_matches_rounded_reference(engine, n_threads, ta, tb, m, n, k):
    rng = np.random.default_rng(m * 7919 + n * 31 + k)
    a, b = operands(rng, m, n, k, ta, tb)
    _core.reset_kernel_trace()
    got = ops.matmul(a, b, trans_a=ta, trans_b=tb, compute="bfloat16")
    assert _core.last_kernels()["bf16"].startswith(
        "gemm_bf16_amx_emulated_32x32" if engine == "amx-emulated" else "gemm_bf16_amx_32x32")
    assert got.dtype == np.float32 and got.shape == (m, n)
    assert_bf16_close(got, a, b, ta, tb)


def test_real_amx_runs_where_usable():
    if AMX_REASON:
        pytest.skip("AMX not usable here: %s" % AMX_REASON)
    assert fastnn.config()["bf16_engine"] == "amx" and fastnn.config()["bfloat16_faster"]


def test_amx_probe_measures_where_usable():
    got = _core.amx_peak_gflops(1, 0.001)
    if AMX_REASON:
        assert got is None
    else:  # 1024 multiply-adds per cycle per core at any clock above 0.1 GHz
        assert got > 200


def matmul_on(engine, a, b, **kw):
    _core.set_bf16_engine(engine)
    try:
        return ops.matmul(a, b, compute="bfloat16", **kw)
    finally:
        _core.set_bf16_engine(None)


@pytest.mark.parametrize("ta,tb", [(False, False), (True, True)])
@pytest.mark.parametrize("m,n,k", [(64, 64, 64), (100, 70, 600), (33, 65, 1000)])
def test_hardware_equals_emulation_bit_for_bit(ta, tb, m, n, k):
    """The emulation follows the SDM's tdpbf16ps; Sapphire Rapids gave the
    same bits on every operand tried, infinities, NaN and subnormals included."""
    if AMX_REASON:
        pytest.skip("AMX not usable here: %s" % AMX_REASON)
    rng = np.random.default_rng(m + n + k)
    a, b = operands(rng, m, n, k, ta, tb)
    special = np.array([0, -0.0, 1e-39, -1e-39, 1e-38, 3e38, -3e38, np.inf, -np.inf, np.nan,
                        1e-20, 7e37], np.float32)
    a.flat[::97] = rng.choice(special, a.flat[::97].size)
    b.flat[::89] = rng.choice(special, b.flat[::89].size)
    with np.errstate(all="ignore"):
        hw = matmul_on("amx", a, b, trans_a=ta, trans_b=tb)
        emu = matmul_on("amx-emulated", a, b, trans_a=ta, trans_b=tb)
    assert np.array_equal(hw, emu, equal_nan=True)
    assert np.isnan(hw).any() and np.isfinite(hw).any()  # the specials reached the sums


@pytest.mark.parametrize("m,n,k", [(300, 70, 600), (40, 500, 129), (97, 97, 97)])
def test_bit_identical_across_threads(engine, m, n, k):
    rng = np.random.default_rng(k)
    a, b = operands(rng, m, n, k, False, False)
    one = ops.matmul(a, b, compute="bfloat16", n_threads=1)
    two = ops.matmul(a, b, compute="bfloat16", n_threads=2)
    assert np.array_equal(one.view(np.uint32), two.view(np.uint32))


def test_beta_and_out(emulated):
    rng = np.random.default_rng(3)
    a, b = operands(rng, 45, 50, 70, False, False)
    out = np.full((45, 50), np.nan, np.float32)  # write-only: NaN must not leak
    ops.matmul(a, b, out=out, compute="bfloat16")
    assert_bf16_close(out, a, b, False, False)


def test_dense_layer_bias_and_activation_epilogue(emulated):
    """A training step's forward GEMMs run through the epilogue (bias,
    activation, dropout); one compiled epoch on the emulated AMX engine
    against the bfloat16 twin, as test_train_bf16 does for the others."""
    for optimizer in ("sgd", "adam"):
        p_c, l_c = run_epochs("bfloat16", None, optimizer, epochs=2)
        p_r, l_r = run_epochs("bfloat16", reference.EpochRunner, optimizer, epochs=2)
        p_f, _ = run_epochs(None, reference.EpochRunner, optimizer, epochs=2)
        scale = np.abs(p_r).max()
        gap = np.abs(p_c - p_r).max() / scale
        assert gap < 1e-4, gap
        assert np.abs(p_f - p_r).max() / scale > 100 * gap
        np.testing.assert_allclose(l_c, l_r, rtol=1e-4)


def test_mlp_trajectory_matches_the_portable_engine():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 20)).astype(np.float32)
    y = rng.integers(0, 3, 256)
    weights = {}
    for name in ("portable", "amx-emulated"):
        _core.set_bf16_engine(name)
        try:
            m = fastnn.MLP([20, 48, 40, 3], dtype="bfloat16", random_state=2, dropout=0.1)
            m.fit(X, y, epochs=3, batch_size=64)
            weights[name] = np.concatenate([w.ravel() for w in m.coefs_ + m.intercepts_])
        finally:
            _core.set_bf16_engine(None)
    scale = np.abs(weights["portable"]).max()
    assert np.abs(weights["portable"] - weights["amx-emulated"]).max() / scale < 1e-4


# ---- the tile emulation: one tdpbf16ps ----

def bf16_bits(x):
    return (np.asarray(x, np.float32).view(np.uint32) >> 16).astype(np.uint16)


def one_pair(c0, a_lo, a_hi, b_lo, b_hi):
    """C[0][0] after one tdpbf16ps whose only nonzero pair is pair 0."""
    c = np.zeros((16, 16), np.float32)
    c[0, 0] = c0
    a = np.zeros((16, 32), np.uint16)
    b = np.zeros((16, 32), np.uint16)
    a[0, 0], a[0, 1] = bf16_bits(a_lo), bf16_bits(a_hi)
    b[0, 0], b[0, 1] = bf16_bits(b_lo), bf16_bits(b_hi)
    return _core._amx_emu_dpbf16ps(c, a, b)[0, 0]


def test_tdpbf16ps_is_a_tile_matrix_product():
    rng = np.random.default_rng(0)
    a = reference.round_bfloat16(rng.standard_normal((16, 32)).astype(np.float32))
    b = reference.round_bfloat16(rng.standard_normal((32, 16)).astype(np.float32))
    c = rng.standard_normal((16, 16)).astype(np.float32)
    # B in pair rows: row k holds (b[2k, n], b[2k+1, n]) for n = 0..15
    b_pairs = np.stack([b[0::2], b[1::2]], axis=-1).reshape(16, 32)
    got = _core._amx_emu_dpbf16ps(c, bf16_bits(a), bf16_bits(b_pairs))
    exact = c.astype(np.float64) + a.astype(np.float64) @ b.astype(np.float64)
    tol = 34 * np.finfo(np.float32).eps * (np.abs(c) + np.abs(a) @ np.abs(b))
    assert (np.abs(got - exact) <= tol).all()


def test_tdpbf16ps_sums_even_and_odd_products_apart():
    """The SDM's order: low products summed, high products summed, the two
    added, then the accumulator: 1 + (2^24 - 2^24) = 1, where a running sum
    from the accumulator would lose the 1 (1 + 2^24 rounds to 2^24)."""
    assert one_pair(1.0, 2.0 ** 12, 2.0 ** 12, 2.0 ** 12, -(2.0 ** 12)) == 1.0


def test_tdpbf16ps_products_are_exact_and_rounded_once():
    x = 1 + 2.0 ** -7  # exact in bfloat16; x*x = 1 + 2^-6 + 2^-14 needs 15 bits
    assert one_pair(0.0, x, 0.0, x, 0.0) == np.float32(x * x)


def test_tdpbf16ps_reads_subnormal_inputs_as_zero():
    tiny = np.float32(2.0 ** -130)  # a float32 and a bfloat16 subnormal
    assert one_pair(0.0, tiny, 0.0, 2.0 ** 100, 0.0) == 0.0  # bfloat16 input
    assert one_pair(tiny, 0.0, 0.0, 0.0, 0.0) == 0.0  # float32 accumulator


def test_tdpbf16ps_flushes_subnormal_results():
    got = one_pair(0.0, 2.0 ** -70, 0.0, 2.0 ** -70, 0.0)  # 2^-140: subnormal
    assert got == 0.0
    # flushed to -0, then added to the +0 sums of the high products and of C
    assert one_pair(0.0, -(2.0 ** -70), 0.0, 2.0 ** -70, 0.0) == 0.0
    assert one_pair(0.0, 2.0 ** -60, 0.0, 2.0 ** -60, 0.0) == np.float32(2.0 ** -120)


def test_tdpbf16ps_nan_and_infinity():
    assert np.isnan(one_pair(0.0, np.nan, 0.0, 1.0, 0.0))
    assert np.isnan(one_pair(0.0, np.inf, 0.0, 0.0, 0.0))  # inf * 0
    assert np.isnan(one_pair(0.0, np.inf, 1.0, 1.0, -np.inf))  # inf - inf
    assert one_pair(1.0, np.inf, 0.0, 1.0, 0.0) == np.inf
    assert one_pair(0.0, 2.0 ** 100, 0.0, 2.0 ** 100, 0.0) == np.inf  # overflow


def test_tdpbf16ps_checks_tile_shapes():
    with pytest.raises(ValueError, match="tiles"):
        _core._amx_emu_dpbf16ps(np.zeros((16, 16)), np.zeros((16, 16)), np.zeros((16, 32)))


# ---- engines, FASTNN_BF16, config, the warning ----

def test_set_bf16_engine_names_the_reason():
    with pytest.raises(ValueError, match="one of"):
        _core.set_bf16_engine("tpu")
    for name in ("amx", "avx512bf16"):
        why = _core.bf16_engine_unusable(name)
        if why is not None:
            with pytest.raises(ValueError, match="cannot run here"):
                _core.set_bf16_engine(name)
    assert _core.bf16_engine_unusable("portable") is None
    assert _core.bf16_engine_unusable("amx-emulated") is None


def test_config_keys(emulated):
    c = fastnn.config()
    assert c["bf16_engine"] == "amx-emulated" and c["bfloat16"] == "emulated"
    assert c["bfloat16_faster"] is False and "emulated AMX" in c["bfloat16_reason"]
    _core.set_bf16_engine("portable")
    c = fastnn.config()
    assert c["bf16_engine"] == "portable" and c["bfloat16_faster"] is False
    assert "slower than float32" in c["bfloat16_reason"]


def test_fastnn_bf16_env():
    code = "import fastnn; c = fastnn.config(); print(c['bf16_engine'], c['kernels']['bf16'])"
    r = run_python(code, env={**__import__("os").environ, "FASTNN_BF16": "amx-emulated"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["amx-emulated", "gemm_bf16_amx_emulated_32x32"]
    r = run_python(code, env={**__import__("os").environ, "FASTNN_BF16": "float8"})
    assert r.returncode != 0 and "FASTNN_BF16='float8' is not one of" in r.stderr
    for name in ("amx", "avx512bf16"):
        why = _core.bf16_engine_unusable(name)
        r = run_python(code, env={**__import__("os").environ, "FASTNN_BF16": name})
        if why is None:
            assert r.returncode == 0 and r.stdout.split()[0] == name
        else:
            assert r.returncode != 0 and "cannot run it (%s)" % why in r.stderr


def test_warns_once_where_bfloat16_is_slower():
    code = """if 1:
        import warnings, numpy as np, fastnn
        from fastnn import ops
        faster, reason = fastnn._config.bfloat16_speed()
        a = np.ones((4, 4), np.float32)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ops.matmul(a, a, compute="bfloat16")
            ops.matmul(a, a, compute="bfloat16")
            fastnn.MLP([4, 8, 2], dtype="bfloat16").fit(
                np.ones((8, 4), np.float32), np.zeros(8, int), epochs=1)
        got = [str(x.message) for x in w if x.category is fastnn._config.BFloat16SlowWarning]
        print(faster, len(got), got[0] == reason if got else "no-warning")
    """
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    faster, count, same = r.stdout.split()
    assert (faster, count) == (("True", "0") if faster == "True" else ("False", "1"))
    assert faster == "True" or same == "True"


def test_float32_does_not_warn():
    code = """if 1:
        import warnings, numpy as np, fastnn
        from fastnn import ops
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ops.matmul(np.ones((4, 4), np.float32), np.ones((4, 4), np.float32))
            fastnn.MLP([4, 8, 2]).fit(np.ones((8, 4), np.float32), np.zeros(8, int), epochs=1)
        print("ok")
    """
    r = run_python(code)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_only_training_warns_where_bfloat16_is_slower(tmp_path):
    """A bfloat16 model built or loaded on a CPU where bfloat16 is slower
    (forced here with the portable engine) does not warn; training it does."""
    path = tmp_path / "m.npz"
    code = """if 1:
        import warnings, numpy as np, fastnn
        X, y = np.ones((8, 4), np.float32), np.zeros(8, int)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = fastnn.MLP([4, 8, 2], dtype="bfloat16", random_state=0)
            fastnn.save(m, %r)
            fastnn.load(%r).predict(X)
            quiet = len([x for x in w if x.category is fastnn._config.BFloat16SlowWarning])
            m.fit(X, y, epochs=1)
        loud = [x for x in w if x.category is fastnn._config.BFloat16SlowWarning]
        # attributed to the user's line (this -c program), not to fastnn
        print(fastnn.config()["bfloat16_faster"], quiet, len(loud), loud[0].filename)
    """ % (str(path), str(path))
    r = run_python(code, env={**__import__("os").environ, "FASTNN_BF16": "portable"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "0", "1", "<string>"]
