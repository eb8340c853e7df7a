"""What dropout 0.25 costs fastnn at batch 256 (784-1024-512-10, Adam, 2
threads): interleaved epochs with and without it, for each compute dtype.

    python bench/dropout_cost.py [float32 bfloat16]
"""
import sys
import time

import numpy as np

import fastnn

fastnn.set_num_threads(2)
rng = np.random.default_rng(0)
X = rng.standard_normal((8192, 784)).astype(np.float32)
y = rng.integers(0, 10, 8192)
for dtype in sys.argv[1:] or ["float32", "bfloat16"]:
    times = {0.0: [], 0.25: []}
    for r in range(5):
        for d in (0.0, 0.25):
            m = fastnn.MLP([784, 1024, 512, 10], dropout=d, random_state=0, dtype=dtype)
            m.fit(X[:512], y[:512], epochs=1, batch_size=256)
            t = time.perf_counter()
            m.fit(X, y, epochs=1, batch_size=256)
            times[d].append(time.perf_counter() - t)
    a, b = np.median(times[0.0]), np.median(times[0.25])
    print("%s, batch 256: no dropout %.0f samples/s, dropout 0.25 %.0f samples/s, cost %.1f%%"
          % (dtype, 8192 / a, 8192 / b, 100 * (b / a - 1)))
