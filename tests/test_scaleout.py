"""Scale-out (docs/scale-out.md): thread shares on Dask/Ray workers, searches
under joblib's Dask and Ray backends, dask-ml's Incremental and
ParallelPostFit, streaming memmaps and batch iterables, small pickles."""
import json
import os
import pickle
import textwrap
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import _core, _parallel, _stream

from conftest import run_python

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import (GridSearchCV, RandomizedSearchCV,  # noqa: E402
                                     cross_val_score)


def small_digits(n=400):
    X, y = fastnn.datasets.load_digits()[:2]
    return X[:n].astype(np.float32) / 16, y[:n]


def quiet_classifier(**kw):
    settings = dict(hidden_layer_sizes=(16,), max_iter=5, random_state=0, batch_size=50)
    settings.update(kw)
    return fastnn.MLPClassifier(**settings)


@pytest.fixture
def auto_threads():
    """No set_num_threads in force (other tests set one), restored after."""
    old = _parallel.explicit()
    _parallel.set_explicit(None)
    yield
    _parallel.set_explicit(old)


def threads_during_fit():
    """The thread count fastnn's kernels ran with inside an MLP fit: the
    widest GEMM team of its epoch (the layer is wide enough for 4 threads)."""
    seen = []
    model = fastnn.MLP([64, 256, 2], random_state=0)
    _core.widest_team_take()
    model.fit(np.zeros((128, 64), np.float32), np.zeros(128, np.int64), epochs=1,
              batch_size=128, callbacks=[lambda m, e, logs: seen.append(_core.widest_team_take())])
    return seen[0]


# ---- the thread rule ----
def test_threadpoolctl_limit_and_explicit_count():
    code = textwrap.dedent("""
        import json, sys, numpy as np, fastnn
        from fastnn import _core
        # the engines are optional extras: the core never imports them
        assert not {"dask", "distributed", "ray", "sklearn"} & set(sys.modules), sys.modules
        from threadpoolctl import threadpool_limits
        from test_scaleout import threads_during_fit
        out = {"free": threads_during_fit()}
        with threadpool_limits(1):
            out["limited"] = threads_during_fit()
            out["limited_public"] = fastnn.get_num_threads()
            fastnn.MLPClassifier((4,), max_iter=1, n_threads=2).fit(
                np.random.rand(20, 3), np.arange(20) % 2)
            out["after_n_threads"] = fastnn.get_num_threads()
            fastnn.set_num_threads(2)
            out["explicit"] = threads_during_fit()
        print(json.dumps(out))
    """)
    env = dict(os.environ, OMP_NUM_THREADS="2")
    res = run_python("import sys; sys.path.insert(0, %r)\n" % os.path.dirname(__file__) + code,
                     env=env)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["free"] == min(2, _parallel.affinity_cpus())
    assert out["limited"] == 1 and out["limited_public"] == 1
    assert out["after_n_threads"] == 1  # n_threads applies to its fit only
    assert out["explicit"] == 2        # set_num_threads wins over the limit


def test_count_returns_to_openmp_after_fit(auto_threads):
    free = fastnn.get_num_threads()
    threads_during_fit()
    assert not _parallel.is_explicit()
    assert fastnn.get_num_threads() == free
    with _parallel.call_threads(1):          # an estimator's n_threads=1 ...
        with _parallel.call_threads(1):      # ... predicting inside its own fit
            pass
        with _parallel.call_threads():       # an automatic fit nested in it
            assert fastnn.get_num_threads() == 1
        assert fastnn.get_num_threads() == 1
    assert fastnn.get_num_threads() == free


# ---- Dask ----
@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", memory_limit="1GiB")
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.scaleout
def test_dask_worker_fit_uses_one_thread_per_slot(dask_client):
    # a task on each worker (client.run is not a task: no worker context)
    workers = list(dask_client.scheduler_info()["workers"])
    assert len(workers) == 2
    futures = [dask_client.submit(lambda: (fastnn.get_num_threads(), threads_during_fit()),
                                  workers=[w], pure=False) for w in workers]
    results = dask_client.gather(futures)
    assert results == [(1, 1), (1, 1)], results


@pytest.mark.scaleout
def test_dask_share_without_omp_limit(auto_threads):
    # in-process workers see no OMP_NUM_THREADS from a nanny: the rule alone decides
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                            dashboard_address=":0") as client:
        assert client.submit(threads_during_fit, pure=False).result() == 1
    n = min(2, _parallel.affinity_cpus())
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                            resources={"CPU": 2}, dashboard_address=":0") as client:
        assert client.submit(threads_during_fit, pure=False).result() == n


@pytest.mark.scaleout
def test_dask_cpu_resource_overrides_nanny_omp_limit():
    # the nanny sets OMP_NUM_THREADS=1 in worker processes (unless the
    # environment has one already: env= pins it); a worker declaring CPU=2 for
    # its one slot gives each fit 2 threads
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                      resources={"CPU": 2}, env={"OMP_NUM_THREADS": "1"},
                                      dashboard_address=":0",
                                      memory_limit="1GiB") as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            omp, fit = client.submit(lambda: (os.environ.get("OMP_NUM_THREADS"),
                                              threads_during_fit()), pure=False).result()
    assert omp == "1"
    assert fit == min(2, _parallel.affinity_cpus())


@pytest.mark.scaleout
def test_grid_search_under_dask_backend_matches_serial(dask_client):
    joblib = pytest.importorskip("joblib")
    X, y = small_digits(300)
    grid = {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-4, 1e-2]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = GridSearchCV(quiet_classifier(), grid, cv=2).fit(X, y)
        with joblib.parallel_backend("dask"):
            dist = GridSearchCV(quiet_classifier(), grid, cv=2).fit(X, y)
            cv_dist = cross_val_score(quiet_classifier(), X, y, cv=3)
            rand_dist = RandomizedSearchCV(quiet_classifier(), grid, n_iter=2, cv=2,
                                           random_state=0).fit(X, y)
        cv_serial = cross_val_score(quiet_classifier(), X, y, cv=3)
        rand_serial = RandomizedSearchCV(quiet_classifier(), grid, n_iter=2, cv=2,
                                         random_state=0).fit(X, y)
    for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
        np.testing.assert_array_equal(dist.cv_results_[key], serial.cv_results_[key])
    assert dist.best_params_ == serial.best_params_
    np.testing.assert_array_equal(cv_dist, cv_serial)
    np.testing.assert_array_equal(rand_dist.cv_results_["mean_test_score"],
                                  rand_serial.cv_results_["mean_test_score"])


@pytest.mark.scaleout
def test_incremental_and_parallel_post_fit(dask_client):
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    wrappers = pytest.importorskip("dask_ml.wrappers", reason="dask-ml is not installed")
    X, y = small_digits(600)
    dX, dy = da.from_array(X, chunks=(100, X.shape[1])), da.from_array(y, chunks=100)
    classes = np.unique(y)
    inc = wrappers.Incremental(quiet_classifier(), shuffle_blocks=False)
    inc.fit(dX, dy, classes=classes)
    # the same blocks through partial_fit by hand, in one process
    ref = quiet_classifier()
    for start in range(0, 600, 100):
        ref.partial_fit(X[start:start + 100], y[start:start + 100], classes=classes)
    for a, b in zip(inc.estimator_.coefs_ + inc.estimator_.intercepts_,
                    ref.coefs_ + ref.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert inc.estimator_.t_ == 600
    inc.partial_fit(dX, dy)  # a second epoch continues from estimator_ (and its Adam state)
    for start in range(0, 600, 100):
        ref.partial_fit(X[start:start + 100], y[start:start + 100])
    np.testing.assert_array_equal(inc.estimator_.coefs_[0], ref.coefs_[0])
    post = wrappers.ParallelPostFit(ref)
    pred = post.predict(dX)
    assert isinstance(pred, da.Array)
    np.testing.assert_array_equal(pred.compute(), ref.predict(X))
    np.testing.assert_allclose(post.predict_proba(dX).compute(), ref.predict_proba(X))


# ---- Ray ----
@pytest.mark.scaleout
def test_grid_search_under_ray_backend_matches_serial():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'fastnn[ray]')")
    joblib = pytest.importorskip("joblib")
    from ray.util.joblib import register_ray
    register_ray()
    X, y = small_digits(200)
    grid = {"alpha": [1e-4, 1e-2]}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        def probe():  # nested, so that Ray ships it by value, not by module name
            seen = []
            _core.widest_team_take()
            fastnn.MLP([64, 256, 2], random_state=0).fit(
                np.zeros((128, 64), np.float32), np.zeros(128, np.int64), epochs=1,
                batch_size=128,
                callbacks=[lambda m, e, logs: seen.append(_core.widest_team_take())])
            return seen[0]

        threads = ray.get(ray.remote(num_cpus=1)(probe).remote())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            with joblib.parallel_backend("ray"):
                dist = GridSearchCV(quiet_classifier(), grid, cv=2).fit(X, y)
    finally:
        ray.shutdown()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = GridSearchCV(quiet_classifier(), grid, cv=2).fit(X, y)
    assert threads == 1
    np.testing.assert_array_equal(dist.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])


# ---- data larger than memory ----
class Sliceable:
    """An array-like with shape, dtype and row slicing only (as h5py datasets)."""

    def __init__(self, a):
        self.a, self.shape, self.dtype = a, a.shape, a.dtype

    def __getitem__(self, key):
        return self.a[key]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(_stream, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(_stream, "CHUNK_BYTES", 64 * 1024)
    monkeypatch.setattr(_stream, "PIECE_BYTES", 16 * 1024)


def blobs(n=3000, d=16):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, d)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)


def test_memmap_streams_in_chunks(tmp_path, small_chunks):
    X, y = blobs()
    path = str(tmp_path / "x.f32")
    X.tofile(path)
    mm = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    settings = dict(epochs=3, batch_size=32, learning_rate=1e-2)
    fits = [fastnn.MLP([16, 16, 3], random_state=0).fit(data, y, **settings)
            for data in (mm, mm, Sliceable(X))]
    for other in fits[1:]:  # reproducible, and the same for any sliceable source
        for a, b in zip(fits[0].coefs_, other.coefs_):
            np.testing.assert_array_equal(a, b)
    assert fits[0].history_["loss"][-1] < fits[0].history_["loss"][0]
    whole = fastnn.MLP([16, 16, 3], random_state=0).fit(X, y, **settings)
    assert not np.array_equal(whole.coefs_[0], fits[0].coefs_[0])  # X itself: in memory
    assert fits[0].score(X, y) > max(0.9, whole.score(X, y) - 0.03)  # trains as well


def test_stream_rejects_bad_input(tmp_path, small_chunks):
    X, y = blobs(100)
    model = fastnn.MLP([16, 4, 3], random_state=0)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(Sliceable(X), y, validation_split=0.2)
    with pytest.raises(ValueError, match="samples"):
        model.fit(Sliceable(X), y[:50])
    bad = X.copy()
    bad[70, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(Sliceable(bad), y)
    with pytest.raises(ValueError, match="Y is required"):
        model.fit(X)
    with pytest.raises(ValueError, match="read once"):
        model.fit(iter([(X, y)]), epochs=2)
    with pytest.raises(ValueError, match="no samples"):
        model.fit(lambda: iter([]), epochs=1)


@pytest.mark.parametrize("source", ["sliceable", "sparse"])
def test_a_streamed_value_past_float32_is_named_as_such(small_chunks, source):
    X, y = blobs(300)
    X = X.astype(np.float64)
    X[250, 3] = 1e39
    if source == "sparse":
        sparse = pytest.importorskip("scipy.sparse")
        given = sparse.csr_matrix(X)
    else:
        given = Sliceable(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from the cast either
        with pytest.raises(ValueError, match=r"X has values beyond the range of float32 "
                                             r"\(largest magnitude 1e\+39\) in rows \[\d+, \d+\)"):
            fastnn.MLP([16, 4, 3], random_state=0).fit(given, y, epochs=1)
    X[250, 3] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinity in rows"):
        fastnn.MLP([16, 4, 3], random_state=0).fit(Sliceable(X), y, epochs=1)


def test_a_streamed_array_scores_its_validation_data_each_epoch(small_chunks):
    X, y = blobs(100)
    model = fastnn.MLP([16, 4, 3], random_state=0)
    model.fit(Sliceable(X), y, epochs=2, validation_data=(X[:20], y[:20]), early_stopping=True)
    assert len(model.history_["val_loss"]) == 2


def test_batch_iterable_is_one_epoch_per_pass():
    X, y = blobs(600)
    one = fastnn.MLP([16, 8, 3], random_state=0).fit(
        [(X, y)], epochs=2, batch_size=32, shuffle=False)
    whole = fastnn.MLP([16, 8, 3], random_state=0).fit(X, y, epochs=2, batch_size=32,
                                                        shuffle=False)
    for a, b in zip(one.coefs_ + one.intercepts_, whole.coefs_ + whole.intercepts_):
        np.testing.assert_array_equal(a, b)
    blocks = [(X[i:i + 100], y[i:i + 100]) for i in range(0, 600, 100)]
    listed = fastnn.MLP([16, 8, 3], random_state=0).fit(blocks, epochs=3, batch_size=32,
                                                         validation_data=(X[:100], y[:100]))
    made = fastnn.MLP([16, 8, 3], random_state=0).fit(lambda: iter(blocks), epochs=3,
                                                       batch_size=32)
    np.testing.assert_array_equal(listed.coefs_[0], made.coefs_[0])
    assert len(listed.history_["val_loss"]) == 3


def test_memmap_epoch_keeps_rss_bounded(tmp_path):
    # 200 MB file, one epoch, in a fresh process: resident memory grows by about
    # one 64 MB chunk, not by the file
    n, d = 50_000, 1024
    code = textwrap.dedent("""
        import json, resource, sys
        import numpy as np
        path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        with open(path, "wb") as f:
            rng = np.random.default_rng(0)
            for _ in range(0, n, 5000):
                f.write(rng.standard_normal((5000, d), dtype=np.float32).tobytes())
        y = (np.arange(n) % 10).astype(np.int64)
        import fastnn
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        X = np.memmap(path, dtype=np.float32, mode="r", shape=(n, d))
        fastnn.MLP([d, 16, 10], random_state=0).fit(X, y, epochs=1, batch_size=256)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps([base / 1024, peak / 1024]))
    """)
    path = str(tmp_path / "big.f32")
    code = "import sys; sys.argv[1:] = %r\n" % [path, str(n), str(d)] + code
    res = run_python(code, timeout=120)  # imports this fastnn, built in place or installed
    assert res.returncode == 0, res.stderr
    base, peak = json.loads(res.stdout.strip().splitlines()[-1])
    assert peak - base < 150, (base, peak)


# ---- pickles ----
def test_pickles_hold_weights_not_compiled_state():
    X, y = small_digits(200)
    est = quiet_classifier(hidden_layer_sizes=(32,))
    est.partial_fit(X[:100], y[:100], classes=np.unique(y))
    weights = sum(a.nbytes for a in est.coefs_ + est.intercepts_)
    blob = pickle.dumps(est)
    # weights once, plus Adam's two moments for partial_fit to continue
    assert len(blob) < 3 * weights + 20_000
    copy = pickle.loads(blob)
    est.partial_fit(X[100:], y[100:])
    copy.partial_fit(X[100:], y[100:])
    for a, b in zip(est.coefs_ + est.intercepts_, copy.coefs_ + copy.intercepts_):
        np.testing.assert_array_equal(a, b)
    model = fastnn.MLP([64, 32, 10], random_state=0).fit(X, y, epochs=1)
    weights = sum(a.nbytes for a in model.coefs_ + model.intercepts_)
    assert len(pickle.dumps(model)) < weights + 5_000


def test_a_large_sparse_matrix_streams_a_dense_chunk_at_a_time(small_chunks):
    sp = pytest.importorskip("scipy.sparse")
    X, y = blobs()
    X[np.abs(X) < 1] = 0
    settings = dict(epochs=2, batch_size=32, learning_rate=1e-2)
    sliced = fastnn.MLP([16, 16, 3], random_state=0).fit(Sliceable(X), y, **settings)
    sparse = fastnn.MLP([16, 16, 3], random_state=0).fit(sp.csr_matrix(X), y, **settings)
    for a, b in zip(sliced.coefs_, sparse.coefs_):
        np.testing.assert_array_equal(a, b)
