"""Pickled size and dumps+loads time of a fitted 784-1024-512-10 model:
fastnn.MLPClassifier (float32 data) and fastnn.MLP.

    python bench/scaleout/pickle_size.py [--repeat 5]

Checks first that fastnn's training matches NumPy (bench/_check.py) and that
each unpickled model predicts exactly what the original does; the output
carries the configuration.
"""
import argparse
import json
import os
import pickle
import sys
import time
import warnings

import numpy as np

import fastnn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import _check  # noqa: E402  (bench/_check.py)


def measure(obj, repeat):
    again = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    probe = np.random.default_rng(1).random((16, 784), dtype=np.float32)
    assert np.array_equal(again.predict(probe), obj.predict(probe)), type(obj).__name__
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        blob = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(blob)
        times.append(time.perf_counter() - t0)
    return {"pickle_mb": len(blob) / 1e6, "dumps_loads_ms_median": 1e3 * float(np.median(times)),
            "dumps_loads_ms_best": 1e3 * min(times)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    _check.check_training()
    rng = np.random.default_rng(0)
    X = rng.random((1000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = fastnn.MLPClassifier((1024, 512), max_iter=1, random_state=0).fit(X, y)
    mlp = fastnn.MLP([784, 1024, 512, 10], random_state=0).fit(X, y, epochs=1)
    weights_mb = sum(a.nbytes for a in mlp.coefs_ + mlp.intercepts_) / 1e6
    print(json.dumps({"weights_mb": weights_mb,
                      "MLPClassifier": measure(clf, args.repeat),
                      "MLP": measure(mlp, args.repeat), "config": _check.run_config()}, indent=1))


if __name__ == "__main__":
    main()
