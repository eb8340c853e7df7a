"""Training speed on a shared machine: one epoch of 784-1024-512-10 (ReLU,
dropout 0.25, Adam, float32) at 1 and 2 threads, quiet and with one busy
process spinning on the last CPU this process may use, in interleaved rounds:

    python bench/contention.py [--samples 8192] [--repeats 5] [--batch-size 256]

The script starts and stops the competing process itself.  It prints the
configuration, then per condition the median samples/s and the spread (min-max
over rounds), and the contended 2-thread / 1-thread ratio (the target: at
least 0.95, i.e. a second thread on a shared core must not make a fit slower
than one thread alone).  Before timing, a short fit is checked against NumPy
(_check.py), and every timed epoch must end on the same loss bit for bit
(results never depend on the thread count or on who computed what).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

import fastnn
from fastnn import _core

import _check

SIZES = [784, 1024, 512, 10]
SPIN = "while True: pass"


def start_competitor(cpu):
    """A busy Python loop pinned to `cpu`; returns the process."""
    proc = subprocess.Popen([sys.executable, "-c", SPIN],
                            preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
    time.sleep(0.3)  # let it start spinning
    return proc


def stop_competitor(proc):
    proc.kill()
    proc.wait()


def epoch(X, y, batch_size, threads):
    """Seconds for one epoch at `threads`, and its final loss."""
    fastnn.set_num_threads(threads)
    model = fastnn.MLP(SIZES, dropout=0.25, random_state=0)
    model.fit(X[:2 * batch_size], y[:2 * batch_size], epochs=1, batch_size=batch_size)  # warm
    model = fastnn.MLP(SIZES, dropout=0.25, random_state=0)
    start = time.perf_counter()
    model.fit(X, y, epochs=1, batch_size=batch_size)
    return time.perf_counter() - start, model.history_["loss"][-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=8192)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=256)
    args = ap.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        sys.exit("contention.py needs at least 2 CPUs (has %d)" % len(cpus))
    _check.check_training("float32")
    _check.use_threads(2)
    _check.print_config()
    print("gemm blocking: %s" % fastnn.config()["gemm_blocking"])
    print("threads timed: 1 and 2; competitor: one busy process pinned to CPU %d; "
          "OMP_WAIT_POLICY=%s GOMP_SPINCOUNT=%s"
          % (cpus[-1], os.environ.get("OMP_WAIT_POLICY", "unset"),
             os.environ.get("GOMP_SPINCOUNT", "unset")), flush=True)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.samples, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], args.samples).astype(np.int64)
    off = "quiet, adaptation off"  # the cost of watching for contention when there is none
    cases = [("quiet", 1), ("quiet", 2), (off, 2), ("contended", 1), ("contended", 2)]
    times = {c: [] for c in cases}
    losses = set()
    for _ in range(args.repeats):
        for condition in ("quiet", "contended"):
            proc = start_competitor(cpus[-1]) if condition == "contended" else None
            try:
                for threads in (1, 2):
                    seconds, loss = epoch(X, y, args.batch_size, threads)
                    times[(condition, threads)].append(seconds)
                    losses.add(loss)
                if proc is None:
                    _core.team_adaptation(False)
                    try:
                        seconds, loss = epoch(X, y, args.batch_size, 2)
                    finally:
                        _core.team_adaptation(True)
                    times[(off, 2)].append(seconds)
                    losses.add(loss)
            finally:
                if proc is not None:
                    stop_competitor(proc)
    if len(losses) != 1 or not np.isfinite(next(iter(losses))):
        raise AssertionError("epochs ended on different losses: %s" % sorted(losses))
    rate = {c: args.samples / float(np.median(t)) for c, t in times.items()}
    print("\n%d samples, batch %d, %d rounds, medians (spread min-max samples/s)"
          % (args.samples, args.batch_size, args.repeats))
    print("| condition | threads | samples/s | spread |")
    print("|---|---:|---:|---:|")
    for c in cases:
        lo, hi = args.samples / max(times[c]), args.samples / min(times[c])
        print("| %s | %d | %.0f | %.0f-%.0f |" % (c[0], c[1], rate[c], lo, hi))
    print("\ncontended 2t / 1t: %.2fx (target >= 0.95); quiet 2t / 1t: %.2fx; "
          "quiet 2t adaptation on / off: %.3f (target within 3%%)"
          % (rate[("contended", 2)] / rate[("contended", 1)],
             rate[("quiet", 2)] / rate[("quiet", 1)], rate[("quiet", 2)] / rate[(off, 2)]))


if __name__ == "__main__":
    main()
