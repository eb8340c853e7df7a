"""What class_weight and max_grad_norm cost, 2 threads, float32:

- MLPClassifier fits (784-256-10, Adam, batch 200) without class_weight, with
  class_weight="balanced", and with the equivalent sample_weight, interleaved;
- fastnn.MLP epochs at batch 256 (784-1024-512-10, Adam) without and with
  max_grad_norm (the clipped step computes every gradient first).

    python bench/class_weight_cost.py [--samples 8192] [--rounds 5]

Training is first checked against NumPy (bench/_check.py); the first line
printed is the configuration (fastnn.config() and threads) of the figures.
"""
import argparse
import time
import warnings

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight

import fastnn

import _check


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=8192)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    _check.use_threads(args.threads)
    _check.print_config()
    _check.check_training("float32")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.samples, 784)).astype(np.float32)
    y = rng.choice(10, args.samples, p=np.r_[0.3, np.full(9, 0.7 / 9)])
    sw = compute_sample_weight("balanced", y)
    kw = dict(hidden_layer_sizes=(256,), max_iter=3, random_state=0, n_iter_no_change=100)
    fits = {"none": lambda: fastnn.MLPClassifier(**kw).fit(X, y),
            "class_weight": lambda: fastnn.MLPClassifier(class_weight="balanced", **kw).fit(X, y),
            "sample_weight": lambda: fastnn.MLPClassifier(**kw).fit(X, y, sample_weight=sw)}
    times = {k: [] for k in fits}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fits["class_weight"]()
        b = fits["sample_weight"]()
        assert all(np.array_equal(p, q) for p, q in zip(a.coefs_, b.coefs_)), \
            "class_weight must train as the equivalent sample_weight"
        for _ in range(args.rounds):
            for k, fit in fits.items():
                times[k].append(_timed(fit))
    base = np.median(times["none"])
    for k in fits:
        t = np.median(times[k])
        print("MLPClassifier 3 epochs, %s: %.3f s (%+.1f%% vs none)" % (k, t, 100 * (t / base - 1)))
    clip_times = {None: [], 1.0: []}
    for _ in range(args.rounds):
        for clip in clip_times:
            m = fastnn.MLP([784, 1024, 512, 10], random_state=0)
            m.fit(X[:512], y[:512], epochs=1, batch_size=256, max_grad_norm=clip)
            clip_times[clip].append(_timed(lambda: m.fit(X, y, epochs=1, batch_size=256,
                                                         max_grad_norm=clip)))
    a, b = np.median(clip_times[None]), np.median(clip_times[1.0])
    print("MLP batch 256: no clipping %.0f samples/s, max_grad_norm=1 %.0f samples/s, cost %.1f%%"
          % (args.samples / a, args.samples / b, 100 * (b / a - 1)))


if __name__ == "__main__":
    main()
