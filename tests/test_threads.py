"""fastnn from several Python threads, next to other OpenMP runtimes, and after fork.

(Concurrent fits of different models and two threads fitting one model are in
test_model.py.)  Thread-count policy, see docs/reliability.md: an int given to
fastnn.set_num_threads wins; otherwise (set_num_threads(None), the state at
import) fastnn follows OpenMP, so OMP_NUM_THREADS and threadpoolctl limit it.
A child created by fork runs fastnn on one thread."""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastnn
from fastnn import ops

from conftest import run_python


@pytest.fixture
def follow_openmp():
    """fastnn following OpenMP's thread setting for the test, then restored."""
    old = fastnn._config._thread_setting()
    fastnn.set_num_threads(None)
    yield
    fastnn.set_num_threads(old)


def _data(seed, n=3000, d=20):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def _work(seed):
    """predict and a few ops on seed-specific data: the results as bytes."""
    X, y = _data(seed)
    m = fastnn.MLP([20, 64, 32, 2], random_state=seed)
    m.fit(X, y, epochs=1, batch_size=128)
    out = [m.predict(X)]
    a = X[:300]
    out.append(ops.matmul(a, a, trans_b=True))
    out.append(ops.linear(a, m.coefs_[0], m.intercepts_[0], "gelu"))
    z = ops.linear(a, m.coefs_[0])
    out.append(ops.softmax(z))
    value, grad = ops.loss("cross_entropy", z, y[:300] % z.shape[1])
    out += [np.array(value), grad]
    out.append(ops.dropout(a, 0.3, seed=seed)[0])
    return b"".join(np.ascontiguousarray(o).tobytes() for o in out)


@pytest.mark.parametrize("threads", [1, 2])
def test_predict_and_ops_from_threads_match_serial(threads):
    old = fastnn._config._thread_setting()
    fastnn.set_num_threads(threads)
    try:
        serial = [_work(s) for s in range(6)]
        with ThreadPoolExecutor(4) as pool:
            parallel = list(pool.map(_work, range(6)))
            again = list(pool.map(_work, [5, 4, 3, 2, 1, 0]))[::-1]
    finally:
        fastnn.set_num_threads(old)
    assert serial == parallel == again


def test_one_model_predicted_from_many_threads():
    X, y = _data(0, n=20000)
    m = fastnn.MLP([20, 128, 2], random_state=0).fit(X, y, epochs=1)
    want = m.predict(X)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(m.predict, [X] * 8))
    assert all(np.array_equal(g, want) for g in got)


def test_openblas_and_fastnn_interleaved_from_threads():
    # NumPy's OpenBLAS and fastnn's OpenMP pools busy at the same time
    rng = np.random.default_rng(0)
    a = rng.standard_normal((400, 400))

    def both(i):
        return (a @ a).sum(), ops.matmul(a, a).sum(), _work(i)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(both, range(4)))
    for i, (blas, ours, work) in enumerate(results):
        assert ours == pytest.approx(blas, rel=1e-9)
        assert work == _work(i)


def test_threadpoolctl_sees_and_limits_fastnn(follow_openmp):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not fastnn.config()["openmp"]:
        pytest.skip("fastnn built without OpenMP")
    apis = {info["internal_api"] for info in threadpoolctl.threadpool_info()}
    assert "openmp" in apis
    x = np.random.default_rng(0).standard_normal((500, 300)).astype(np.float32)
    full = ops.matmul(x, x, trans_b=True)
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        assert fastnn.get_num_threads() == 1
        limited = ops.matmul(x, x, trans_b=True)
    assert np.array_equal(full, limited)
    with threadpoolctl.threadpool_limits(1):
        fastnn.set_num_threads(2)  # an explicit count wins over OpenMP's
        assert fastnn.get_num_threads() == 2
        fastnn.set_num_threads(None)
        assert fastnn.get_num_threads() == 1


def test_omp_num_threads_is_the_default():
    r = run_python("import fastnn; print(fastnn.get_num_threads())",
                   env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"


FORK_CHILD = """
import multiprocessing as mp, sys, numpy as np, fastnn
from fastnn import ops

def work(q):
    a = np.random.default_rng(0).standard_normal((300, 300)).astype(np.float32)
    X = np.random.default_rng(1).standard_normal((2000, 20)).astype(np.float32)
    m = fastnn.MLP([20, 64, 3], random_state=0).fit(X, (X[:, 0] > 0).astype(int), epochs=2)
    q.put((ops.matmul(a, a).tobytes(), m.predict(X).tobytes(), fastnn.get_num_threads()))

if __name__ == "__main__":
    fastnn.set_num_threads(2)
    q = mp.Queue()
    work(q)                              # the parent runs OpenMP regions first
    want = q.get()
    ctx = mp.get_context("fork")
    for _ in range(2):
        q = ctx.Queue()
        p = ctx.Process(target=work, args=(q,))
        p.start()
        try:
            got = q.get(timeout=30)  # before join: the result is larger than a pipe buffer
        except Exception:
            p.kill()
            sys.exit("child hung")
        p.join(30)
        assert got[:2] == want[:2] and got[2] == 1, got[2]
    work(q)                              # and the parent still runs on 2 threads
    assert q.get()[2] == 2
    print("ok")
"""


def test_fork_after_openmp_does_not_hang_the_child(tmp_path):
    script = tmp_path / "fork_child.py"
    script.write_text(FORK_CHILD)
    r = run_python("import runpy; runpy.run_path(%r, run_name='__main__')" % str(script),
                   timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_torch_and_fastnn_in_one_process():
    pytest.importorskip("torch")
    code = """
import numpy as np, torch, fastnn
torch.set_num_threads(2)
X = np.random.default_rng(0).standard_normal((4000, 30)).astype(np.float32)
y = (X[:, 0] > 0).astype(np.int64)
t = torch.from_numpy(X)
ref = None
for i in range(3):
    s = float((t @ t.T).sum())                   # torch's OpenMP pool
    m = fastnn.MLP([30, 64, 2], random_state=0).fit(X, y, epochs=2)  # fastnn's
    p = m.predict(X).tobytes()
    ref = ref or p
    assert p == ref
    lin = torch.nn.Linear(30, 2)
    torch.optim.SGD(lin.parameters(), lr=0.1).step()
import os
assert fastnn.get_num_threads() <= (os.cpu_count() or 1)   # no oversubscription by default
print("ok", fastnn.get_num_threads(), torch.get_num_threads())
"""
    r = run_python(code, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("ok")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_two_threads_fitting_one_sklearn_estimator_get_a_clear_error():
    sk = pytest.importorskip("fastnn.sklearn")
    import pickle
    import threading
    import time
    X, y = _data(0, n=4000)
    started = threading.Event()

    est = sk.MLPClassifier(hidden_layer_sizes=(32,), max_iter=3, random_state=0)
    real_fit = est._fit

    def slow_fit(*args, **kwargs):
        started.set()
        time.sleep(0.5)
        return real_fit(*args, **kwargs)

    est._fit = slow_fit
    t = threading.Thread(target=lambda: est.fit(X, y))
    t.start()
    assert started.wait(30)
    with pytest.raises(RuntimeError, match="already being fitted"):
        est.fit(X, y)
    with pytest.raises(RuntimeError, match="already being fitted"):
        est.partial_fit(X, y, classes=[0, 1])
    t.join()
    del est._fit
    assert est.n_iter_ == 3
    clone = pickle.loads(pickle.dumps(est))  # the lock is not pickled
    assert np.array_equal(clone.predict(X), est.predict(X))
    est.fit(X, y)  # and the lock was released


@pytest.mark.parametrize("make", [lambda: fastnn.LogisticRegression(),
                                  lambda: fastnn.OrdinalRegression()])
def test_two_threads_fitting_one_linear_estimator_get_a_clear_error(make):
    import pickle
    import threading
    import time
    if isinstance(make(), fastnn.OrdinalRegression):
        pytest.importorskip("scipy")
    X, y = _data(0, n=500)
    est = make()
    started = threading.Event()
    real_fit = est._fit

    def slow_fit(*args):
        started.set()
        time.sleep(0.5)
        return real_fit(*args)

    est._fit = slow_fit
    t = threading.Thread(target=lambda: est.fit(X, y))
    t.start()
    assert started.wait(30)
    with pytest.raises(RuntimeError, match="already being fitted"):
        est.fit(X, y)
    t.join()
    del est._fit
    copy = pickle.loads(pickle.dumps(est))
    assert np.array_equal(copy.predict(X), est.predict(X))
    est.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_concurrent_fits_with_different_counts_each_use_their_own():
    # The count is a value passed to every kernel, not a process-wide setting:
    # two fits running at once in two threads of one process keep theirs.
    sk = pytest.importorskip("fastnn.sklearn")
    import threading
    from fastnn import _core
    if not fastnn.config()["openmp"]:
        pytest.skip("fastnn built without OpenMP")
    X, y = _data(0, n=4000, d=64)

    def fit(n, barrier):
        # 200 x 256 x 64 GEMMs: wide enough that a 2-thread call keeps both
        est = sk.MLPClassifier(hidden_layer_sizes=(256,), max_iter=3, batch_size=200,
                               random_state=0, n_threads=n)
        _core.widest_team_take()
        barrier.wait()
        est.fit(X, y)
        return _core.widest_team_take(), est.coefs_[0].tobytes()

    serial = {n: fit(n, threading.Barrier(1)) for n in (1, 2)}
    for _ in range(2):
        barrier = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            together = dict(zip((1, 2), pool.map(lambda n: fit(n, barrier), (1, 2))))
        assert together == serial
    assert serial[1][0] == 1 and serial[2][0] == 2  # the team each fit really ran
    assert serial[1][1] == serial[2][1]             # same bits for any count


def test_ops_take_n_threads():
    from fastnn import _core
    x = np.random.default_rng(0).standard_normal((400, 300)).astype(np.float32)
    _core.widest_team_take()
    one = ops.matmul(x, x, trans_b=True, n_threads=1)
    assert _core.widest_team_take() == 1
    two = ops.matmul(x, x, trans_b=True, n_threads=2)
    if fastnn.config()["openmp"]:
        assert _core.widest_team_take() == 2
    assert np.array_equal(one, two)
    for bad, exc in ((0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError),
                     (10 ** 30, ValueError)):
        with pytest.raises(exc, match="n_threads"):
            ops.matmul(x, x, n_threads=bad)
        with pytest.raises(exc, match="n_threads"):
            ops.softmax(x, n_threads=bad)
