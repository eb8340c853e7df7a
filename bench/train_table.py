"""One training epoch of 784-1024-512-10 (ReLU, dropout 0.25, Adam, float32)
for fastnn and every installed peer, interleaved, at batch 32..512; prints the
markdown table of docs/performance.md and draws docs/performance.png:

    python bench/train_table.py [--samples 8192] [--repeats 3] [--plot docs/performance.png]
    python bench/train_table.py --activation tanh     # the peers that have it

Before timing, a short fastnn fit is checked against NumPy (float32 and
bfloat16: bench/_check.py).  The first line printed is the configuration
(fastnn.config(): kernel, bfloat16 engine; thread counts; CPU); the plot
carries it as a caption.
"""
import argparse

import fastnn
from fastnn import _bench

import _check


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=8192)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-sizes", default="32,128,256,512")
    ap.add_argument("--dropout", type=float, default=0.25)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--activation", default="relu", choices=tuple(fastnn._core.ACTIVATIONS))
    ap.add_argument("--plot")
    args = ap.parse_args()
    _check.use_threads(args.threads)
    for dtype in ("float32", "bfloat16"):
        _check.check_training(dtype)
    config = _check.print_config()
    sizes = [784, 1024, 512, 10]
    batches = [int(b) for b in args.batch_sizes.split(",")]
    peak = _bench.fma_peak(args.threads)
    bf16, source = _bench.bf16_peak(args.threads, peak)
    results = _bench.compare(sizes, args.samples, batches, args.repeats, args.dropout,
                             activation=args.activation)
    print("hidden activation: %s" % args.activation)
    flops = _bench.gemm_flops_per_sample(sizes)
    print("FMA limit %.0f GFLOP/s (%.0f samples/s at %.2f MFLOP/sample); bfloat16 limit %.0f "
          "GFLOP/s (%s, %.0f samples/s)"
          % (peak, peak * 1e9 / flops, flops / 1e6, bf16, source, bf16 * 1e9 / flops))
    print(_bench.format_table(results, sizes, peak, bf16))
    if args.plot:
        plot(results, sizes, peak, bf16, args.dropout, args.plot, config)


def plot(results, sizes, peak, bf16_peak, dropout, path, config):
    """samples/s against batch size per trainer, with the float32 FMA limit
    (and the bfloat16 one when fastnn_bf16 ran); the configuration as a
    caption."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    batches = list(results)
    names = list(next(iter(results.values())))
    limit = peak * 1e9 / _bench.gemm_flops_per_sample(sizes)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name in names:
        ax.plot(batches, [results[b][name] for b in batches], marker="o", label=name)
    ax.axhline(limit, color="gray", linestyle="--", label="FMA limit (float32)")
    if "fastnn_bf16" in names:
        ax.axhline(bf16_peak * 1e9 / _bench.gemm_flops_per_sample(sizes), color="gray",
                   linestyle=":", label="BF16 limit")
    ax.set_xscale("log", base=2)
    ax.set_xticks(batches, [str(b) for b in batches])
    ax.set_xlabel("batch size")
    ax.set_ylabel("samples/s (one epoch)")
    ax.set_title("784-1024-512-10, dropout %.2f, Adam, %d threads" % (dropout, config["threads"]))
    ax.legend(fontsize=8)
    fig.text(0.01, 0.01, "kernel %s, bfloat16 %s, %s, fastnn %s"
             % (config["kernel"], config["bfloat16"], config["cpu"], config["fastnn"]), fontsize=6)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
