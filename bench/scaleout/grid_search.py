"""A 12-candidate GridSearchCV over fastnn.MLPClassifier: serial against a
dask.distributed LocalCluster (2 worker processes x 1 thread) through joblib's
Dask backend.  Asserts the two give identical cv_results_ scores.

    python bench/scaleout/grid_search.py [--rows 8000] [--repeat 2]

Serial runs with fastnn's default threads (all cores), and again with 1
thread for reference; on the cluster each fit gets its worker's share (1
thread; docs/threads.md).  fastnn's training is first checked against
NumPy (bench/_check.py), and the output carries the configuration.
"""
import argparse
import json
import os
import sys
import time
import warnings

import joblib
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import fastnn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import _check  # noqa: E402  (bench/_check.py)

GRID = {"hidden_layer_sizes": [(64,), (128,), (256,)], "alpha": [1e-4, 1e-2],
        "learning_rate_init": [1e-3, 3e-3]}


def data(rows, features=256, classes=10):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features)).astype(np.float32)
    w = rng.standard_normal((features, classes)).astype(np.float32)
    y = np.argmax(X @ w / np.sqrt(features) + 0.5 * rng.standard_normal((rows, classes)), axis=1)
    return X, y


def search(X, y):
    est = fastnn.MLPClassifier(max_iter=10, batch_size=128, random_state=0)
    return GridSearchCV(est, GRID, cv=3).fit(X, y)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=8000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    from distributed import Client, LocalCluster
    warnings.simplefilter("ignore", ConvergenceWarning)
    _check.check_training()
    X, y = data(args.rows)
    serial_t, serial1_t, dask_t = [], [], []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        client.run(lambda: fastnn.get_num_threads())  # workers up and fastnn imported
        for _ in range(args.repeat):  # interleaved: the machine is shared
            t0 = time.perf_counter()
            serial = search(X, y)
            serial_t.append(time.perf_counter() - t0)
            fastnn.set_num_threads(1)
            t0 = time.perf_counter()
            search(X, y)
            serial1_t.append(time.perf_counter() - t0)
            fastnn.set_num_threads(None)  # back to the automatic count
            t0 = time.perf_counter()
            with joblib.parallel_backend("dask"):
                dist = search(X, y)
            dask_t.append(time.perf_counter() - t0)
            assert np.array_equal(serial.cv_results_["mean_test_score"],
                                  dist.cv_results_["mean_test_score"])
        worker_threads = sorted(client.run(fastnn.get_num_threads).values())
    print(json.dumps({
        "candidates": len(serial.cv_results_["params"]), "folds": 3, "rows": args.rows,
        "serial_threads": fastnn.get_num_threads(), "worker_threads": worker_threads,
        "serial_s": serial_t, "serial_1_thread_s": serial1_t, "dask_s": dask_t,
        "speedup_median": float(np.median(serial_t) / np.median(dask_t)),
        "speedup_best": min(serial_t) / min(dask_t),
        "speedup_vs_1_thread_median": float(np.median(serial1_t) / np.median(dask_t)),
        "best_params": serial.best_params_, "best_score": serial.best_score_,
        "identical_scores": True, "config": _check.run_config()}, indent=1))


if __name__ == "__main__":
    main()
