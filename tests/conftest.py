"""Shared test fixtures: every SIMD path this CPU runs, and thread counts."""
import pytest

import fastnn
from fastnn import _core


def supported_kernels():
    order = ("generic", "avx2", "avx512")
    best = order.index(_core.best_isa())
    return list(order[: best + 1])


@pytest.fixture(params=supported_kernels())
def kernel(request):
    """Run the test once per SIMD path this CPU supports (FASTNN_KERNEL in-process)."""
    old = _core.get_isa()
    _core.set_isa(request.param)
    yield request.param
    _core.set_isa(old)


@pytest.fixture(params=[1, 2])
def n_threads(request):
    old = fastnn._config._thread_setting()
    fastnn.set_num_threads(request.param)
    yield request.param
    fastnn.set_num_threads(old)


@pytest.fixture
def rows_made_dense(monkeypatch):
    """The row count of every CSR matrix made dense while the test runs."""
    sp = pytest.importorskip("scipy.sparse")
    counts = []
    real = sp.csr_matrix.toarray

    def toarray(self, *args, **kwargs):
        counts.append(self.shape[0])
        return real(self, *args, **kwargs)
    monkeypatch.setattr(sp.csr_matrix, "toarray", toarray)
    return counts


def run_python(code, env=None, timeout=60, **kwargs):
    """Run `code` in a fresh interpreter that imports the same fastnn as this
    test process: its cwd is the directory holding the fastnn package, so an
    in-place build and an installed wheel both work."""
    import os
    import subprocess
    import sys
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastnn.__file__)))
    full_env = dict(os.environ if env is None else env)
    full_env["PYTHONPATH"] = package_parent
    return subprocess.run([sys.executable, "-c", code], env=full_env, cwd=package_parent,
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def interrupt_after_ready(code, delay=1.0):
    """Run `code` in a fresh interpreter (as run_python); once it prints
    'ready', wait `delay`, send SIGINT and return (stdout, seconds from the
    signal to its exit, stderr).  The child first installs Python's own
    SIGINT handler, as an interactive interpreter has: a runner that starts
    the suite as a background job hands it SIGINT ignored, and an ignored
    SIGINT survives exec, so the child would never see the signal."""
    import os
    import signal
    import subprocess
    import sys
    import time
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastnn.__file__)))
    env = dict(os.environ, PYTHONPATH=package_parent)
    code = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n" + code
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=package_parent)
    try:
        line = p.stdout.readline().strip()
        assert line == "ready", (line, p.stderr.read()[-2000:])
        time.sleep(delay)
        sent = time.perf_counter()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        return out, time.perf_counter() - sent, err
    finally:
        if p.poll() is None:
            p.kill()  # never leave a long run going if the test fails


def pytest_configure(config):
    # bfloat16 compute warns once per process where it is slower than float32
    # (fastnn._config.warn_if_bfloat16_slow); tests of that warning check it
    # in a subprocess, the rest must not depend on which test asked first.
    config.addinivalue_line("filterwarnings", "ignore::fastnn._config.BFloat16SlowWarning")
