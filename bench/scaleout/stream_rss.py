"""Peak resident memory while MLP.fit streams one epoch over a float32 memmap.

    python bench/scaleout/stream_rss.py --rows 1000000 --features 1024   # 4 GB file

Writes the file (in 64 MB pieces, in a child process), then trains in a fresh
child process and prints its ru_maxrss: the peak resident set, file pages
mapped by the memmap included.  The file goes to --dir (default /tmp) and is
deleted afterwards unless --keep.  fastnn's training is first checked
against NumPy in this process (bench/_check.py), and the output carries the
configuration (the child's own thread count is its "threads").
"""
import argparse
import json
import os
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import _check  # noqa: E402  (bench/_check.py)

WRITE = """
import numpy as np, sys
path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
w = rng.standard_normal((d, 10)).astype(np.float32)
rows = max(1, (64 << 20) // (4 * d))
with open(path, "wb") as f, open(path + ".y", "wb") as g:
    for start in range(0, n, rows):
        x = rng.standard_normal((min(rows, n - start), d), dtype=np.float32)
        f.write(x.tobytes())
        g.write((x @ w).argmax(axis=1).astype(np.int64).tobytes())
"""

TRAIN = """
import json, resource, sys, time
import numpy as np
import fastnn
path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
X = np.memmap(path, dtype=np.float32, mode="r", shape=(n, d))
y = np.memmap(path + ".y", dtype=np.int64, mode="r", shape=(n,))
model = fastnn.MLP([d, 64, 10], random_state=0)
t0 = time.perf_counter()
model.fit(X, y, epochs=1, batch_size=256)
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"file_gb": X.nbytes / 1e9, "rows": n, "features": d,
                  "baseline_rss_mb": base / 1024, "peak_rss_mb": peak / 1024,
                  "epoch_seconds": elapsed, "loss": model.history_["loss"][0],
                  "threads": fastnn.get_num_threads()}))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=1024)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    _check.check_training()
    path = os.path.join(args.dir, "fastnn_stream_%dx%d.f32" % (args.rows, args.features))
    n, d = str(args.rows), str(args.features)
    try:
        if not os.path.exists(path) or os.path.getsize(path) != args.rows * args.features * 4:
            subprocess.run([sys.executable, "-c", textwrap.dedent(WRITE), path, n, d], check=True)
        out = subprocess.run([sys.executable, "-c", textwrap.dedent(TRAIN), path, n, d],
                             check=True, capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["config"] = _check.run_config()
        print(json.dumps(result, indent=1))
    finally:
        if not args.keep:
            for p in (path, path + ".y"):
                if os.path.exists(p):
                    os.remove(p)


if __name__ == "__main__":
    main()
