"""Time fastnn.ops.matmul against NumPy (OpenBLAS) and print a markdown table.

    python bench/gemm_table.py [--threads 2] [--repeat 7] [--quick] [--dtype bfloat16]

--dtype bfloat16 times ops.matmul(..., compute="bfloat16") on float32 arrays
against NumPy's float32 matmul (NumPy has no bfloat16 GEMM) and, when PyTorch
is installed, against PyTorch's bfloat16 product from the same float32 arrays
(`a.bfloat16() @ b.bfloat16()`, the conversions counted, as fastnn's are):
one row per peer.

Each case runs both libraries interleaved, `repeat` rounds, and reports the
median GFLOP/s (2*m*n*k / time) and the ratio fastnn / numpy, then the same
for the best round (less sensitive to other processes on a shared machine).  Between
libraries the script sleeps briefly: OpenBLAS worker threads keep spinning
for a while after a call and, on a 2-core machine, would otherwise steal the
core from the next library's threads (and vice versa), which measures the
scheduler rather than the GEMM.

Before a case is timed, fastnn's product is checked once against NumPy's
float64 product (bench/_check.py).  The first line printed is the
configuration (fastnn.config(): kernel, bfloat16 engine; thread counts; CPU):
keep it with the table.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fastnn import ops  # noqa: E402

import _check  # noqa: E402


def cases(quick=False):
    squares = (256, 512, 1024) if quick else (256, 512, 1024, 2048)
    for s in squares:
        yield "square %d" % s, s, s, s, False, False
    # held-out odd shapes with m < 128 (no tuning looked at them): m, n, k
    for m, n, k in ((96, 300, 700), (50, 1000, 333), (100, 257, 129), (120, 768, 3072),
                    (64, 4096, 1000), (7, 2048, 2048)):
        yield "odd %dx%dx%d" % (m, n, k), m, n, k, False, False
    layers = [(784, 1024), (1024, 512), (512, 10)]
    for batch in (32, 128, 256, 512):
        for fan_in, fan_out in layers:
            tag = "%d->%d b%d" % (fan_in, fan_out, batch)
            yield "fwd  " + tag, batch, fan_out, fan_in, False, False      # X @ W
            yield "dW   " + tag, fan_in, fan_out, batch, True, False       # X^T dY
            yield "dX   " + tag, batch, fan_in, fan_out, False, True       # dY W^T


def operands(m, n, k, ta, tb, dtype, rng):
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
    return a, b


def time_once(fn, min_time=0.02):
    reps, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        t = time.perf_counter() - t0
        if t >= min_time:
            return t / reps
        reps *= 2


def torch_bf16_product(a, b, ta, tb, threads):
    """PyTorch's bfloat16 GEMM from float32 tensors, or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    ta_, tb_ = torch.from_numpy(a), torch.from_numpy(b)
    A = ta_.T if ta else ta_
    B = tb_.T if tb else tb_
    return lambda: A.bfloat16() @ B.bfloat16()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--dtype", choices=["float32", "float64", "bfloat16", "both", "all"],
                   default="both")
    p.add_argument("--filter", default="")
    p.add_argument("--pause", type=float, default=0.15,
                   help="seconds to sleep between libraries (let spinning threads park)")
    args = p.parse_args()
    limits = _check.use_threads(args.threads)
    _check.print_config()
    rng = np.random.default_rng(0)
    dtypes = {"both": ["float32", "float64"], "all": ["float32", "bfloat16", "float64"]}.get(
        args.dtype, [args.dtype])
    print("| dtype | case | m | n | k | fastnn GFLOP/s | peer | peer GFLOP/s | ratio "
          "| fastnn best | peer best | ratio best |")
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for dt in dtypes:
        for name, m, n, k, ta, tb in cases(args.quick):
            if args.filter and args.filter not in name:
                continue
            storage = "float32" if dt == "bfloat16" else dt
            compute = "bfloat16" if dt == "bfloat16" else None
            a, b = operands(m, n, k, ta, tb, np.dtype(storage), rng)
            out = np.empty((m, n), storage)
            A = a.T if ta else a
            B = b.T if tb else b
            f_fast = lambda: ops.matmul(a, b, trans_a=ta, trans_b=tb, out=out,  # noqa: E731
                                        compute=compute)
            peers = [("numpy " + storage, lambda: np.matmul(A, B, out=out))]
            if dt == "bfloat16":
                f_torch = torch_bf16_product(a, b, ta, tb, args.threads)
                if f_torch is not None:
                    peers.insert(0, ("torch bf16", f_torch))
            _check.check_matmul(a, b, trans_a=ta, trans_b=tb, compute=compute)
            f_fast()
            times = {"fastnn": []}
            for peer, fn in peers:
                fn()
                times[peer] = []
            for _ in range(args.repeat):
                for label, fn in [("fastnn", f_fast)] + peers:
                    time.sleep(args.pause)
                    fn()
                    times[label].append(time_once(fn))
            flops = 2.0 * m * n * k
            gf, bf = flops / np.median(times["fastnn"]) / 1e9, flops / min(times["fastnn"]) / 1e9
            for peer, _ in peers:
                gp, bp = flops / np.median(times[peer]) / 1e9, flops / min(times[peer]) / 1e9
                print("| %s | %s | %d | %d | %d | %.1f | %s | %.1f | %.2f | %.1f | %.1f | %.2f |"
                      % (dt, name, m, n, k, gf, peer, gp, gf / gp, bf, bp, bf / bp), flush=True)
    if limits is not None:
        limits.restore_original_limits()


if __name__ == "__main__":
    main()
