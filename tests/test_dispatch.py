"""The dispatch table (csrc/dispatch/kernels.h): on every ISA this CPU runs,
the trace names the micro-kernel that really ran, wide and narrow, float32
and float64, and the hot table, bfloat16 engine and FMA probe likewise;
fastnn.config() reports the same choice, and FASTNN_KERNEL selects it."""
import json
import os

import numpy as np
import pytest

import fastnn
from fastnn import _core, ops
from conftest import run_python, supported_kernels

DTYPES = ["float32", "float64"]
SFX = {"float32": "f32", "float64": "f64"}

# The kernel each ISA must run: names carry the tile (mr x nr).
WIDE = {
    ("generic", "float32"): "gemm_f32_generic_4x8",
    ("generic", "float64"): "gemm_f64_generic_4x4",
    ("avx2", "float32"): "gemm_f32_avx2_6x16",
    ("avx2", "float64"): "gemm_f64_avx2_6x8",
    ("avx512", "float32"): "gemm_f32_avx512_12x32",
    ("avx512", "float64"): "gemm_f64_avx512_12x16",
}
# C at most 16 floats (8 doubles) wide: AVX2 and AVX-512 have a narrow kernel.
NARROW = {
    ("avx2", "float32"): "gemm_f32_avx2n_6x16",
    ("avx2", "float64"): "gemm_f64_avx2n_6x8",
    ("avx512", "float32"): "gemm_f32_avx512n_16x16",
    ("avx512", "float64"): "gemm_f64_avx512n_16x8",
}


def matmul_trace(m, n, k, dtype, **kwargs):
    """The trace after one ops.matmul of an (m, k) by (k, n) product."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    _core.reset_kernel_trace()
    ops.matmul(a, b, **kwargs)
    return _core.last_kernels()


def tile_of(name):
    mr, nr = name.rsplit("_", 1)[1].split("x")
    return int(mr), int(nr)


@pytest.mark.parametrize("dtype", DTYPES)
def test_wide_gemm_runs_the_isa_kernel(kernel, dtype):
    want = WIDE[(kernel, dtype)]
    assert matmul_trace(40, 100, 30, dtype)["gemm_" + SFX[dtype]] == want
    assert _core.kernel_names()["gemm_" + SFX[dtype]] == want
    blocking = _core.gemm_blocking(dtype, kernel)
    assert (blocking["mr"], blocking["nr"]) == tile_of(want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_narrow_gemm_runs_the_narrow_kernel_where_the_isa_has_one(kernel, dtype):
    narrow = NARROW.get((kernel, dtype))
    role = "gemm_" + SFX[dtype]
    assert _core.kernel_names()[role + "_narrow"] == narrow
    if narrow is None:
        with pytest.raises(ValueError, match="narrow"):
            _core.gemm_blocking(dtype, kernel, narrow=True)
        assert matmul_trace(40, 5, 30, dtype)[role] == WIDE[(kernel, dtype)]
        return
    nr = _core.gemm_blocking(dtype, kernel, narrow=True)["nr"]
    assert nr == tile_of(narrow)[1]
    for n in (1, nr):
        assert matmul_trace(40, n, 30, dtype)[role] == narrow
    # one column past the vector: back to the wide kernel
    assert matmul_trace(40, nr + 1, 30, dtype)[role] == WIDE[(kernel, dtype)]


def test_trace_records_only_kernels_that_ran(kernel):
    c = np.ones((3, 4), np.float32)
    a, b = np.ones((3, 2), np.float32), np.ones((2, 4), np.float32)
    _core.reset_kernel_trace()
    _core.gemm(False, False, a, 2, b, 4, c, 3, 4, 2, alpha=0.0, n_threads=1)  # C = 0 * AB: no product
    assert _core.last_kernels()["gemm_f32"] is None
    assert np.all(c == 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_kernels_come_from_the_isa_table(kernel, dtype):
    _core.reset_kernel_trace()
    ops.activation(np.linspace(-1, 1, 64).astype(dtype).reshape(8, 8), "relu")
    want = "hot_%s_%s" % (SFX[dtype], kernel)
    assert _core.last_kernels()["elementwise_" + SFX[dtype]] == want
    assert _core.kernel_names()["elementwise_" + SFX[dtype]] == want


def test_bf16_engine(kernel):
    amx = _core.amx_unusable_reason() is None  # AMX, where usable, for every ISA
    native = kernel == "avx512" and "avx512_bf16" in _core.cpu_features()
    want = ("gemm_bf16_amx_32x32" if amx else
            "gemm_bf16_avx512bf16_12x32" if native else "gemm_bf16_portable_4x8")
    assert matmul_trace(20, 40, 30, "float32", compute="bfloat16")["bf16"] == want
    assert _core.kernel_names()["bf16"] == want
    assert _core.bf16_engine() == ("amx" if amx else "avx512bf16" if native else "portable")
    assert fastnn.config()["bfloat16"] == ("tdpbf16ps" if amx else
                                           "vdpbf16ps" if native else "emulated")


def test_fma_probe(kernel):
    _core.reset_kernel_trace()
    assert _core.fma_peak_gflops(1, 0.001) > 0
    assert _core.last_kernels()["fma_probe"] == "peak_" + kernel


def test_config_lists_the_kernel_per_role(kernel, capsys):
    kernels = fastnn.config()["kernels"]
    assert kernels == _core.kernel_names()
    assert set(kernels) == {"gemm_f32", "gemm_f32_narrow", "gemm_f64", "gemm_f64_narrow",
                            "bf16", "elementwise_f32", "elementwise_f64", "fma_probe"}
    assert kernels["gemm_f32"] == WIDE[(kernel, "float32")]
    assert kernels["fma_probe"] == "peak_" + kernel
    fastnn.show_config()
    out = capsys.readouterr().out
    assert WIDE[(kernel, "float64")] in out and kernels["elementwise_f32"] in out


@pytest.mark.parametrize("name", supported_kernels())
def test_fastnn_kernel_env_selects_the_table(name):
    code = ("import json, numpy as np, fastnn\n"
            "from fastnn import _core, ops\n"
            "ops.matmul(np.ones((20, 30), np.float32), np.ones((30, 50), np.float32))\n"
            "print(json.dumps([fastnn.config()['kernels'], _core.last_kernels()]))\n")
    r = run_python(code, env=dict(os.environ, FASTNN_KERNEL=name))
    assert r.returncode == 0, r.stderr
    selected, ran = json.loads(r.stdout)
    assert selected["gemm_f32"] == ran["gemm_f32"] == WIDE[(name, "float32")]
    assert selected["elementwise_f64"] == "hot_f64_" + name


def test_refused_isa_leaves_the_table_alone():
    missing = [isa for isa in _core.ISA_NAMES if isa not in supported_kernels()]
    if not missing:
        pytest.skip("this CPU runs every ISA")
    before = _core.kernel_names()
    with pytest.raises(ValueError):
        _core.set_isa(missing[-1])
    assert _core.kernel_names() == before


def test_gemm_blocking_rejects_bad_arguments():
    with pytest.raises(ValueError, match="dtype"):
        _core.gemm_blocking("float16", "generic")
    with pytest.raises(ValueError, match="isa"):
        _core.gemm_blocking("float32", "sse9")
    with pytest.raises(ValueError, match="narrow"):
        _core.gemm_blocking("float32", "generic", narrow=True)
    b = _core.gemm_blocking("float64", "generic")
    assert b["mc"] % b["mr"] == 0 and b["nc"] % b["nr"] == 0


def test_the_bfloat16_limit_follows_the_engine():
    """fastnn bench's bfloat16 limit: the FMA limit itself where bfloat16 is
    emulated (float32 multiply-adds), twice it on vdpbf16ps, the AMX probe
    where AMX runs."""
    from fastnn import _bench
    try:
        _core.set_bf16_engine("portable")
        assert _bench.bf16_peak(1, fma_gflops=100.0) == (100.0, "emulated: the float32 FMA limit")
        if _core.bf16_engine_unusable("avx512bf16") is None:
            _core.set_bf16_engine("avx512bf16")
            assert _bench.bf16_peak(1, fma_gflops=100.0) == (200.0, "twice the FMA limit")
        if _core.bf16_engine_unusable("amx") is None:
            _core.set_bf16_engine("amx")
            assert _bench.bf16_peak(1, fma_gflops=100.0)[1] == "AMX tdpbf16ps probe"
    finally:
        _core.set_bf16_engine(None)
