"""The build and the dispatch: the package imports, reports its config, and
honours FASTNN_KERNEL."""
import os

import pytest

import fastnn
from conftest import run_python


def test_show_config_names_kernel_and_openmp(capsys):
    fastnn.show_config()
    out = capsys.readouterr().out
    assert "kernel:" in out and "openmp:" in out and fastnn.__version__ in out


def test_threads_roundtrip():
    old = fastnn._config._thread_setting()
    try:
        fastnn.set_num_threads(1)
        assert fastnn.get_num_threads() == 1
    finally:
        fastnn.set_num_threads(old)


def test_bad_thread_count_is_value_error():
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ValueError):
            fastnn.set_num_threads(bad)


def _kernel_in_subprocess(name):
    return run_python("import fastnn; print(fastnn.config()['kernel'])",
                      env=dict(os.environ, FASTNN_KERNEL=name))


def test_fastnn_kernel_env_forces_generic():
    r = _kernel_in_subprocess("generic")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "generic"


def test_fastnn_kernel_env_rejects_unknown():
    r = _kernel_in_subprocess("sse9")
    assert r.returncode != 0 and "FASTNN_KERNEL" in r.stderr
