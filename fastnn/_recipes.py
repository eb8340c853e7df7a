"""What ``fastnn train`` adds to cli.default_recipe for the machine, a time
budget and images: bfloat16 compute where the recipe allows it and it is
faster, the network width planned for the budget and the machine, the budget
of the fit inside the command's, the augmentation options, and the --plot
figure.

Under --time an image recipe trains the width expected to score best in the
time left after loading: each candidate's epochs are predicted from the
machine's FMA limit (a 0.05 s probe) and the share of it an epoch reaches,
and its expected accuracy is read off the candidate's validation curve (a
small budget trains a smaller net for more epochs; a faster machine, a wider
one).  The cosine schedule is then planned over the epochs the budget allows.
Without --time the recipes are untimed epoch counts.  Other data get
augmentation only from --image-shape HxW: nothing is guessed from the number
of columns.
"""
import math
import os
import time

from . import _core
from ._bench import gemm_flops_per_sample
from ._config import bfloat16_speed
from ._validate import split_rows

# The image recipes' candidates for a budget: hidden sizes, dropout, and the
# validation accuracy after n epochs with the untimed recipe's regularization
# (cosine schedule over n epochs, batch 128, Adam 1e-3 with decoupled weight
# decay 0.05, label smoothing 0.1, standardized pixels, bfloat16 compute), from
# `python bench/recipe_search.py widths --dropouts 0.1,0.1,0.1 --smoothing 0.1
# --weight-decay 0.05 --dtype bfloat16 --epochs 1,2,4,8,16,32` on Fashion-MNIST:
# trained on 50000 training images, scored on 10000 others (never the test set).
CANDIDATES = (
    ((256, 128), 0.1, {1: 0.8607, 2: 0.8757, 4: 0.8874, 8: 0.8972, 16: 0.9035, 32: 0.9063}),
    ((512, 256), 0.1, {1: 0.8629, 2: 0.8821, 4: 0.8951, 8: 0.9017, 16: 0.9064, 32: 0.9097}),
    ((1024, 512), 0.1, {1: 0.8652, 2: 0.8834, 4: 0.8990, 8: 0.9055, 16: 0.9111, 32: 0.9108}),
)
# Share of the FMA limit an epoch of the candidates reached at batch 128 (52-61%
# for 1024-512 on the AVX2 Zen 3 of docs/performance.md, about 70% on Zen 4):
# below it, so a prediction errs towards the narrower net.
EPOCH_EFFICIENCY = 0.5
# An epoch's gain from bfloat16 GEMMs where they are faster (1.4-1.9x on Zen 4's
# vdpbf16ps, README): the lower end, for the planner.
BFLOAT16_EPOCH_SPEEDUP = 1.4
PROBE_SECONDS = 0.05
# seconds of the command's budget kept back for evaluating (and saving) the model
EVAL_RESERVE = (0.3, 0.03)  # fixed, share of the budget
PLOT_RESERVE = 1.0  # seconds more with --plot (importing matplotlib and drawing: 0.8 s)
MAX_TIMED_EPOCHS = 100  # the bound on epochs when a budget decides (--epochs overrides)


def plot_format(path):
    """The image format of --plot's file: its extension's, else PNG."""
    return os.path.splitext(path)[1].lstrip(".").lower() or "png"


def expected_accuracy(curve, epochs):
    """A candidate's validation accuracy after `epochs` (a float) epochs:
    linear in log2(epochs) between measured points, the last one's beyond
    them, and nothing for less than the first (a net that cannot finish its
    first epochs is not a choice)."""
    points = sorted(curve.items())
    if epochs < points[0][0]:
        return 0.0
    for (e0, a0), (e1, a1) in zip(points, points[1:]):
        if epochs < e1:
            w = math.log2(epochs / e0) / math.log2(e1 / e0)
            return a0 + w * (a1 - a0)
    return points[-1][1]


def epoch_seconds(sizes, rows, gflops):
    """Predicted seconds of one epoch of an MLP of layer `sizes` over `rows`."""
    if not (gflops > 0 and math.isfinite(gflops)):
        gflops = 1.0  # a failed probe plans for a slow CPU
    return rows * gemm_flops_per_sample(sizes) / (gflops * 1e9 * EPOCH_EFFICIENCY)


def plan_width(seconds, rows, n_features, n_classes, gflops):
    """(hidden sizes, dropout, predicted epochs) of the candidate expected to
    score best when trained for `seconds` on a machine of `gflops` FMA limit."""
    best = None
    for hidden, dropout, curve in CANDIDATES:
        epochs = seconds / epoch_seconds([n_features, *hidden, n_classes], rows, gflops)
        score = expected_accuracy(curve, epochs)
        if best is None or score > best[0]:
            best = (score, hidden, dropout, epochs)
    return best[1:]


def plan(seconds, rows, n_features, n_classes, threads, dtype):
    """plan_width on this machine (the FMA probe, and bfloat16's epoch_gain
    when asked for): (hidden sizes, dropout, the line the CLI prints)."""
    gflops, gain = measured_gflops(threads), epoch_gain(dtype)
    hidden, dropout, epochs = plan_width(seconds, rows, n_features, n_classes, gflops * gain)
    return hidden, dropout, ("planned for the budget: %s hidden, about %.0f epochs (FMA limit "
                             "%.0f GFLOP/s%s)" % ("-".join(map(str, hidden)), epochs, gflops,
                             ", bfloat16 epochs counted %.1fx faster" % gain if gain != 1 else ""))


def measured_gflops(threads):
    """The machine's float32 FMA limit on `threads` threads (a short probe)."""
    return _core.fma_peak_gflops(threads, PROBE_SECONDS)


def epoch_gain(dtype):
    """How much faster than float32 the planner counts an epoch of `dtype`:
    BFLOAT16_EPOCH_SPEEDUP for bfloat16 where it is faster, else 1."""
    return BFLOAT16_EPOCH_SPEEDUP if dtype == "bfloat16" and bfloat16_speed()[0] else 1.0


def recipe_dtype(asked, bfloat16_where_faster):
    """(dtype, the line the CLI prints or None) of a recipe: the user's
    --dtype if given; else bfloat16 for a recipe that allows it
    (`bfloat16_where_faster`, judged on its validation split) on a CPU where
    config()["bfloat16_faster"] holds (_config.bfloat16_speed); else None
    (float32)."""
    if asked is not None or not bfloat16_where_faster:
        return asked, None
    faster, reason = bfloat16_speed()
    if not faster:
        return None, None
    return "bfloat16", "computing in bfloat16: %s (--dtype float32 to keep float32)" % reason


def components(asked, fit, n_features):
    """How many principal components of the features the model trains on
    (--components, `asked`), or None for the features themselves (0 or not
    given).  ValueError for more than the features, or with augmentation
    (shifts and flips move pixels, not components)."""
    if not asked:
        return None
    if fit.get("augment"):
        raise ValueError("--components %d: augmentation moves pixels, so it trains on the "
                         "features themselves (--components 0, or no augmentation)" % asked)
    if asked > n_features:
        raise ValueError("--components %d: the data have %d features" % (asked, n_features))
    return asked


def parse_image_shape(text):
    """'28x28' or '32x32x3' -> a tuple; ValueError naming the flag otherwise."""
    try:
        shape = tuple(int(v) for v in text.lower().split("x"))
    except ValueError:
        shape = ()
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError("--image-shape expects HxW or HxWxC, e.g. 28x28, got %r" % text)
    return shape


def validation_rows(X, y, seed, share=0.1):
    """(X, y, X_val, y_val): --plot's validation rows, a seeded `share` of
    the training set held out before the standardization and the principal
    axes are taken from the rest, so the curves score rows the model was
    neither trained nor scaled on."""
    train, val = split_rows(len(X), share, seed)
    if len(train) == 0:
        raise ValueError("--plot: %d training samples leave none to train on after holding "
                         "out the validation rows" % len(X))
    return X[train], y[train], X[val], y[val]


def fit_budget(command_seconds, started, clock=time.perf_counter, plot=False):
    """The fit's max_time inside the command's budget: what is left after
    loading, less the reserve for evaluation (and for the --plot figure).
    ValueError when nothing is left."""
    fixed, share = EVAL_RESERVE
    fixed += PLOT_RESERVE if plot else 0.0
    loaded = clock() - started
    left = command_seconds - loaded - fixed - share * command_seconds
    if left <= 0:
        # the smallest budget that leaves a tenth of a second to train
        least = (loaded + fixed + 0.1) / (1 - share)
        raise ValueError("--time %g s leaves no time to train: loading took %.1f s and "
                         "%.1f s are kept for evaluating%s; give --time %.1f or more"
                         % (command_seconds, loaded, fixed + share * command_seconds,
                            " and the --plot figure" if plot else "", least))
    return left


def plot_history(history, path, label_smoothing=0.0):
    """Training loss, validation loss and accuracy against epochs and seconds.
    With label smoothing the training loss is against the smoothed targets
    and the validation loss against the true labels: the legend says so
    (the smoothed loss cannot fall below the targets' entropy)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epochs = list(range(1, len(history["loss"]) + 1))
    seconds = list(history.get("elapsed") or epochs)[:len(epochs)]
    fig, axes = plt.subplots(2, 2, figsize=(9, 6))
    for row, (xs, label) in enumerate(((epochs, "epoch"), (seconds, "seconds"))):
        loss_ax, acc_ax = axes[row]
        smoothed = " (smoothed targets, %g)" % label_smoothing if label_smoothing else ""
        loss_ax.plot(xs, history["loss"], label="training loss" + smoothed)
        if history.get("val_loss"):
            loss_ax.plot(xs, history["val_loss"],
                         label="validation loss" + (" (true labels)" if smoothed else ""))
            acc_ax.plot(xs, history["val_accuracy"], label="validation accuracy",
                        color="C2")
        loss_ax.set_xlabel(label)
        loss_ax.set_ylabel("loss")
        loss_ax.legend()
        acc_ax.set_xlabel(label)
        acc_ax.set_ylabel("accuracy")
        if history.get("val_accuracy"):
            acc_ax.legend()
    fig.tight_layout()
    fig.savefig(path, format=plot_format(path))  # a name without an extension as given too
    plt.close(fig)
