"""What dropout 0.25 costs fastnn at batch 256 (784-1024-512-10, Adam, 2
threads): interleaved epochs with and without it, for each compute dtype.

    python bench/dropout_cost.py [float32 bfloat16] [--samples 8192] [--rounds 5]

Each dtype's training is first checked against NumPy (bench/_check.py); the
first line printed is the configuration the figures were measured with.
"""
import argparse
import time

import numpy as np

import fastnn

import _check


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dtypes", nargs="*", default=["float32", "bfloat16"])
    ap.add_argument("--samples", type=int, default=8192)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    _check.use_threads(args.threads)
    _check.print_config()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.samples, 784)).astype(np.float32)
    y = rng.integers(0, 10, args.samples)
    for dtype in args.dtypes:
        _check.check_training(dtype)
        times = {0.0: [], 0.25: []}
        for _ in range(args.rounds):
            for d in (0.0, 0.25):
                m = fastnn.MLP([784, 1024, 512, 10], dropout=d, random_state=0, dtype=dtype)
                m.fit(X[:512], y[:512], epochs=1, batch_size=256)
                t = time.perf_counter()
                m.fit(X, y, epochs=1, batch_size=256)
                times[d].append(time.perf_counter() - t)
        a, b = np.median(times[0.0]), np.median(times[0.25])
        print("%s, batch 256: no dropout %.0f samples/s, dropout 0.25 %.0f samples/s, cost %.1f%%"
              % (dtype, args.samples / a, args.samples / b, 100 * (b / a - 1)))


if __name__ == "__main__":
    main()
