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


def test_unbuilt_source_tree_names_the_fix(tmp_path):
    """A copy of the package without the compiled _core, as a fresh clone has."""
    import shutil
    source = os.path.dirname(os.path.abspath(fastnn.__file__))
    shutil.copytree(source, tmp_path / "fastnn",
                    ignore=shutil.ignore_patterns("_core*.so", "_core*.pyd", "__pycache__"))
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-c", "import fastnn"], cwd=tmp_path, capture_output=True,
                       text=True, env=dict(os.environ, PYTHONPATH=str(tmp_path)), timeout=60)
    assert r.returncode != 0
    assert "fastnn is not built: run `pip install .` or `pip install -e .`" in r.stderr, r.stderr
