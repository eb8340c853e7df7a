"""What sample_weight costs fastnn.MLPClassifier: the same fit (20000 x 784 ->
(256,) -> 10, Adam, batch 128, 3 epochs) without weights, with weights all
ones and with random weights, interleaved, medians of the rounds.

    python bench/sample_weight_cost.py [--samples 20000] [--rounds 5] [--threads 2]

First it checks that a fit with unit weights follows the unweighted fit (the
loss curves agree to float32 rounding); the first lines printed are the
configuration the figures were measured with.  Wall and process CPU time
are both printed (CPU time moves less when other processes share the cores),
with each variant's median and best; the variants rotate order every round.
"""
import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import fastnn

import _check


def estimator(threads):
    return fastnn.MLPClassifier(hidden_layer_sizes=(256,), solver="adam", batch_size=128,
                                max_iter=3, random_state=0, n_threads=threads)


def fit_seconds(X, y, weights, threads):
    """((wall, cpu) seconds of the fit, the fitted estimator)."""
    est = estimator(threads)
    wall, cpu = time.perf_counter(), time.process_time()
    est.fit(X, y, sample_weight=weights)
    return (time.perf_counter() - wall, time.process_time() - cpu), est


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    _check.use_threads(args.threads)
    _check.print_config()
    print("kernel %s, threads %d" % (fastnn.config()["kernel"], args.threads))
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.samples, 784)).astype(np.float32)
    y = rng.integers(0, 10, args.samples)
    variants = {"no weights": None,
                "weights all 1": np.ones(args.samples, dtype=np.float32),
                "random weights": rng.uniform(0.1, 2.0, args.samples).astype(np.float32)}

    # self-check on a slice: unit weights normalise by the batch's row count
    _, plain = fit_seconds(X[:2000], y[:2000], None, args.threads)
    _, unit = fit_seconds(X[:2000], y[:2000], variants["weights all 1"][:2000], args.threads)
    np.testing.assert_allclose(unit.loss_curve_, plain.loss_curve_, rtol=1e-5)
    print("check: unit-weight loss curve %s == unweighted %s"
          % (np.round(unit.loss_curve_, 6).tolist(), np.round(plain.loss_curve_, 6).tolist()))

    names = list(variants)
    times = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names[r % 3:] + names[:r % 3]:
            times[name].append(fit_seconds(X, y, variants[name], args.threads)[0])
    for i, clock in enumerate(("wall", "cpu")):
        base = np.median([t[i] for t in times["no weights"]])
        best = min(t[i] for t in times["no weights"])
        for name in names:
            ts = [t[i] for t in times[name]]
            print("%-4s %-15s median %.3f s %+6.1f%%   best %.3f s %+6.1f%%"
                  % (clock, name, np.median(ts), 100 * (np.median(ts) / base - 1), min(ts),
                     100 * (min(ts) / best - 1)))


if __name__ == "__main__":
    main()
