"""GEMM mc and nc from the per-core caches (sysfs), kc fixed per ISA and
dtype.  mc and nc only cut C into blocks: test_contention.py checks that
blocks of other heights (the dynamic split picks them per team) give the
same bits."""
import pytest

from fastnn import _core

ISAS = ["generic", "avx2", "avx512"]


def _caches(root, entries):
    for i, (level, kind, size, shared) in enumerate(entries):
        d = root / ("index%d" % i)
        d.mkdir()
        for name, value in (("level", level), ("type", kind), ("size", size),
                            ("shared_cpu_list", shared)):
            if value is not None:
                (d / name).write_text(value + "\n")
    return str(root)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("isa", ISAS)
def test_blocking_is_tile_multiples_within_bounds(isa, dtype):
    try:
        b = _core.gemm_blocking(dtype, isa)
    except ValueError:
        pytest.skip("build lacks %s" % isa)
    assert b["mc"] % b["mr"] == 0 and b["nc"] % b["nr"] == 0
    assert 4 * b["mr"] <= b["mc"] <= 1024
    assert 256 <= b["nc"] <= 8192 + b["nr"]
    assert b["kc"] == 256  # fixed: the order of every k sum
    assert _core.gemm_blocking_source() in ("sysfs", "default")


def test_blocking_from_a_machine_with_a_shared_l2_and_l3(tmp_path):
    root = _caches(tmp_path, [("1", "Data", "48K", "0"), ("1", "Instruction", "32K", "0"),
                              ("2", "Unified", "1024K", "0-1"), ("3", "Unified", "32M", "0-7,16-23")])
    # L2 512K per core: A block 256 x 256 floats in half of it; L3 2M per core
    assert _core.cache_blocking_from(root, "float32", 6, 16, 256) == {"mc": 252, "nc": 1024}
    assert _core.cache_blocking_from(root, "float64", 6, 8, 256) == {"mc": 126, "nc": 512}


def test_blocking_bounds_on_odd_caches(tmp_path):
    (tmp_path / "tiny").mkdir()
    tiny = _caches(tmp_path / "tiny", [("2", "Unified", "16K", "0")])
    b = _core.cache_blocking_from(tiny, "float32", 12, 32, 256)
    assert b == {"mc": 48, "nc": 256}  # no L3: the L2 sizes nc; both clamped
    (tmp_path / "huge").mkdir()
    huge = _caches(tmp_path / "huge", [("2", "Unified", "64M", "0"), ("3", "Unified", "2G", "0")])
    b = _core.cache_blocking_from(huge, "float32", 12, 32, 256)
    assert b == {"mc": 1020, "nc": 8192}


@pytest.mark.parametrize("entries", [
    [],                                                   # no cache directories
    [("2", "Unified", "lots", "0")],                      # garbage size
    [("2", "Unified", "512K", "0-x")],                    # garbage CPU list
    [("3", "Unified", "8M", "0-1")],                      # no L2
    [("2", "Unified", None, "0")],                        # size missing
])
def test_unusable_sysfs_gives_none(tmp_path, entries):
    assert _core.cache_blocking_from(_caches(tmp_path, entries), "float32", 6, 16, 256) is None


def test_missing_directory_gives_none(tmp_path):
    assert _core.cache_blocking_from(str(tmp_path / "absent"), "float64", 6, 8, 256) is None
