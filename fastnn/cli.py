"""The ``fastnn`` command: info, demo, train, evaluate, bench, export.

It calls the public API only (fastnn.MLP, fastnn.save/load, fastnn.datasets).
Expected failures (bad data, missing files, missing extras) print one line on
stderr and exit 1 (FASTNN_DEBUG=1 shows the traceback instead); argparse
usage errors exit 2.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np

import fastnn
from . import _recipes, datasets, io
from ._cli_args import (CLIError, augment_list, check_output_paths, drop_rate, image_options,
                        image_shape, int_at_least, int_list, learning_rate, name_list, peer_list,
                        positive_float, positive_int, seed, smoothing)
# old homes of these names: files saved with class ScaledModel, callers of cli.load_data
from .datasets import BUILTIN_DATA, load_data  # noqa: F401
from .projection import PrincipalProjection
from .scaled import ScaledModel, fit_preprocessing  # noqa: F401



def default_recipe(dataset):
    """Defaults for ``fastnn train --data <dataset>``; command-line flags override them.

    ``dataset`` is a built-in name or "file".  Returns the MLP hidden sizes and
    constructor kwargs, the preprocessing (inputs are divided by ``pixel_max``
    when set; ``standardize`` then centres and scales each feature with
    training-set statistics) and the keyword arguments for ``MLP.fit``;
    ``bfloat16_where_faster``: the recipe was validated in bfloat16 compute
    and uses it where it is clearly faster (_recipes.recipe_dtype).
    Without --time every recipe is an epoch count: reproducible, bit for bit,
    for the seed.  ``timed``: what --time changes in an image recipe besides
    the width, which fastnn/_recipes.py plans for the budget and the machine:
    a cosine schedule planned over the epochs the budget allows.
    """
    # chosen on a validation split (docs/performance.md): shifts, flips and
    # random erasing cost accuracy or gained nothing, so no recipe augments;
    # label smoothing 0.1 gained 0.0014-0.0029; dropout 0.1 with decoupled weight
    # decay 0.05 gained 0.0027 over dropout 0.3 (bfloat16, seeds 0-2); bfloat16
    # compute costs about 0.0010 against float32 and halves the time where faster;
    # its top 256 principal components (--components 256) train in 0.6-0.7x the
    # time, but scored 0.0022 lower on the validation split
    recipes = {
        "fashion-mnist": dict(hidden=(1024, 512), model=dict(dropout=0.1),
                              bfloat16_where_faster=True,
                              preprocess=dict(pixel_max=255, standardize=True),
                              fit=dict(epochs=20, batch_size=128, learning_rate=1e-3,
                                       lr_schedule="cosine", label_smoothing=0.1,
                                       weight_decay=0.05),
                              timed=dict(fit=dict(lr_schedule="cosine"))),
        "mnist": dict(hidden=(512, 256), model=dict(dropout=0.2),
                      preprocess=dict(pixel_max=255, standardize=False),
                      fit=dict(epochs=10, batch_size=128, learning_rate=1e-3),
                      timed=dict(fit=dict(lr_schedule="cosine"))),
        "digits": dict(hidden=(128,), model=dict(dropout=0.0),
                       preprocess=dict(pixel_max=16, standardize=False),
                       fit=dict(epochs=30, batch_size=32, learning_rate=1e-3)),
        "file": dict(hidden=(128,), model=dict(dropout=0.0),
                     preprocess=dict(pixel_max=None, standardize=True),
                     fit=dict(epochs=20, batch_size=32, learning_rate=1e-3)),
    }
    recipe = recipes[dataset]
    return {k: dict(v) if isinstance(v, dict) else v for k, v in recipe.items()}


# ---------------------------------------------------------------- commands

def _activations_for(names, n_hidden):
    """--activation's names as MLP's activation: one name for every hidden
    layer, or one per hidden layer."""
    if len(names) == 1:
        return names[0]
    if len(names) != n_hidden:
        raise CLIError("--activation: %d names for %d hidden layers (give one name for all, "
                       "or one per hidden layer)" % (len(names), n_hidden))
    return names


def set_threads(n):
    try:
        fastnn.set_num_threads(n)
    except ValueError as exc:
        raise CLIError("--threads: %s" % exc) from None


def cmd_info(args):
    fastnn.show_config()
    import importlib.util
    extras = [(name, module) for name, module in (("io", "safetensors"), ("progress", "tqdm"),
              ("plot", "matplotlib"), ("sklearn", "sklearn"), ("onnx", "skl2onnx"))]
    print("extras: " + ", ".join("%s (%s) %s" % (name, module, "yes" if
                                 importlib.util.find_spec(module) else "no")
                                 for name, module in extras))
    return 0


def cmd_demo(args):
    X, y, Xt, yt = datasets.load_digits()
    X, Xt = X.astype(np.float32) / 16, Xt.astype(np.float32) / 16
    model = fastnn.MLP([64, 128, 10], random_state=0)
    print("training a 64-128-10 MLP on %d bundled 8x8 digits for %d epochs"
          % (len(X), args.epochs))
    start = time.perf_counter()
    model.fit(X, y, epochs=args.epochs, batch_size=32, verbose=1)
    seconds = time.perf_counter() - start
    print("%.0f samples/s (%.2f s)" % (len(X) * args.epochs / seconds, seconds))
    print("test accuracy: %.4f" % model.score(Xt, yt))
    return 0


def cmd_train(args):
    started = time.perf_counter()  # --time covers loading, training and evaluating
    check_output_paths(args)  # before training: a mistake found after it costs the run
    if args.hidden and args.activation:  # before loading, where --hidden tells the count
        _activations_for(args.activation, len(args.hidden))
    if args.save:
        io._safetensors()
    if args.threads:
        set_threads(args.threads)
    kind, X, y, Xt, yt = load_data(args.data, seed=args.seed)
    classes = np.unique(y)
    if len(classes) < 2:
        raise CLIError("%s: the training set has %d class(es); need at least 2"
                       % (args.data, len(classes)))
    if args.plot:  # the curves' rows, held out before any statistics are taken
        X, y, X_val, y_val = _recipes.validation_rows(X, y, args.seed)
    recipe = default_recipe(kind)
    dtype, note = _recipes.recipe_dtype(args.dtype, recipe.pop("bfloat16_where_faster", False))
    if note:
        print(note)
    budget = args.time  # no default budget: an untimed run repeats exactly
    timed = recipe.pop("timed", None)
    if budget is not None and timed is not None:
        recipe["fit"].update(timed["fit"])
        if args.hidden is None:
            recipe["hidden"], recipe["model"]["dropout"], note = _recipes.plan(
                _recipes.fit_budget(budget, started, plot=bool(args.plot)), len(X),
                args.components or X.shape[1], len(classes), fastnn.get_num_threads(), dtype)
            print(note)
    hidden = args.hidden or recipe["hidden"]
    model_kwargs = dict(recipe["model"])
    if args.dropout is not None:
        model_kwargs["dropout"] = args.dropout
    if dtype is not None:
        model_kwargs["dtype"] = dtype
    if args.activation is not None:
        model_kwargs["activation"] = _activations_for(args.activation, len(hidden))
    fit_kwargs = dict(recipe["fit"])
    image_options(args, fit_kwargs)
    if args.label_smoothing is not None:
        fit_kwargs["label_smoothing"] = args.label_smoothing
    if budget is not None:
        fit_kwargs["epochs"] = args.epochs or _recipes.MAX_TIMED_EPOCHS
    for key, value in (("epochs", args.epochs), ("batch_size", args.batch_size),
                       ("learning_rate", args.lr)):
        if value is not None:
            fit_kwargs[key] = value
    prep = dict(recipe["preprocess"])
    if args.standardize is not None:
        prep["standardize"] = args.standardize
    offset, scale = fit_preprocessing(X, **prep)
    components = _recipes.components(args.components, fit_kwargs, X.shape[1])
    mlp = fastnn.MLP([components or X.shape[1], *hidden, len(classes)], random_state=args.seed,
                     **model_kwargs)
    wrapped = ScaledModel(mlp, offset, scale, classes)
    print("training %s MLP on %s: %d samples, %d features, %d classes"
          % ("-".join(map(str, [X.shape[1], *hidden, len(classes)])), args.data, len(X),
             X.shape[1], len(classes)))
    Xs, ys = wrapped.transform(X), np.searchsorted(classes, y)
    if components:
        projection = PrincipalProjection(Xs, components)
        Xs = projection.transform(Xs, Xs.dtype)
        print("on their top %d principal components (%.1f%% of the variance)"
              % (components, 100 * projection.explained))
    if args.plot:
        X_val = wrapped.transform(X_val)
        fit_kwargs["validation_data"] = (projection.transform(X_val, X_val.dtype) if components
                                         else X_val, np.searchsorted(classes, y_val))
    if budget is not None:
        fit_kwargs["max_time"] = _recipes.fit_budget(budget, started, plot=bool(args.plot))
        print("time budget %g s for the command, %.1f s for training (up to %d epochs)"
              % (budget, fit_kwargs["max_time"], fit_kwargs["epochs"]))
    start = time.perf_counter()
    mlp.fit(Xs, ys, verbose=1, **fit_kwargs)
    seconds = time.perf_counter() - start
    done = len(mlp.history_["loss"])
    if components:  # the model saved and scored takes the features, not the components
        wrapped.model = projection.fold(mlp)
    print("trained %d epoch%s in %.1f s (%.0f samples/s; stopped: %s)"
          % (done, "" if done == 1 else "s", seconds, len(Xs) * done / max(seconds, 1e-9), mlp.stop_reason_))
    if args.save:
        fastnn.save(wrapped, args.save)
        print("saved %s" % args.save)
    if args.plot:
        _recipes.plot_history(mlp.history_, args.plot, fit_kwargs.get("label_smoothing", 0.0))
        print("wrote %s" % args.plot)
    accuracy = "n/a (no test samples)" if len(Xt) == 0 else "%.4f" % wrapped.score(Xt, yt)
    print("total %.1f s (loading, training and evaluating)" % (time.perf_counter() - started))
    print("test accuracy: %s" % accuracy)
    return 0


def confusion_matrix(y_true, y_pred, labels):
    index = {label: i for i, label in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(m, ([index[v] for v in y_true], [index[v] for v in y_pred]), 1)
    return m


def cmd_evaluate(args):
    model = fastnn.load(args.model)
    if not isinstance(model, (ScaledModel, fastnn.MLP)):
        raise CLIError("%s holds a model of class %s; evaluate takes a model saved by "
                       "fastnn train or a "
                       "fastnn.MLP (score the others in Python: model.score(X, y))"
                       % (args.model, type(model).__name__))
    if not isinstance(model, ScaledModel):  # e.g. a bare MLP saved from Python
        n_features, n_out = model.coefs_[0].shape[0], model.coefs_[-1].shape[1]
        if not (model.output == "softmax" or (model.output == "sigmoid" and n_out == 1)):
            raise CLIError("%s is an MLP with %d %s output(s): evaluate scores classifiers "
                           "(a softmax output, or one sigmoid output); score the others in "
                           "Python: model.score(X, Y)" % (args.model, n_out, model.output))
        model = ScaledModel(model, np.zeros(n_features), np.ones(n_features),
                            np.arange(max(n_out, 2)))  # one sigmoid output: classes 0, 1
    _, X, _, Xt, yt = load_data(args.data, split=False)
    if len(Xt) == 0:
        raise CLIError("%s: no test samples" % args.data)
    if len(X) == 0:
        print("(evaluating on all %d samples: %s has no test split; a model trained on it "
              "trained on 5/6 of them)" % (len(Xt), args.data))
    pred = model.predict(Xt)
    labels = np.union1d(model.classes, yt)
    m = confusion_matrix(yt, pred, labels)
    width = max(5, len(str(m.max())) + 1, max(len(str(v)) for v in labels) + 1)
    print("confusion matrix (rows: true label, columns: predicted)")
    print(" " * width + "".join("%*s" % (width, v) for v in labels))
    for label, row in zip(labels, m):
        print("%*s" % (width, label) + "".join("%*d" % (width, v) for v in row))
    print("accuracy: %.4f (%d samples)" % (np.mean(pred == yt), len(yt)))
    return 0


# ---------------------------------------------------------------- bench

def cmd_bench(args):
    from . import _bench
    if args.threads:
        set_threads(args.threads)
    sizes = [64, 128, 10] if args.quick else [784, 1024, 512, 10]
    n = args.samples or (512 if args.quick else 8192)
    repeats = args.repeats or (1 if args.quick else 3)
    names = args.peers  # None: every installed trainer
    fastnn.show_config()
    peak = _bench.fma_peak()
    bf16, source = _bench.bf16_peak(fma_gflops=peak)
    print("FMA limit: %.0f GFLOP/s float32 on %d threads (compiled probe); bfloat16 limit: "
          "%.0f GFLOP/s (%s)" % (peak, fastnn.get_num_threads(), bf16, source))
    print("one epoch of a %s MLP (float32, %s, dropout %.2f, Adam) on %d random samples, "
          "median of %d interleaved runs; scikit-learn has no dropout"
          % ("-".join(map(str, sizes)), args.activation, args.dropout, n, repeats))
    try:  # NumPy's BLAS (numpy, sklearn) on the same thread count as fastnn and torch
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(fastnn.get_num_threads())
    except ImportError:
        limits = None
        print("(threadpoolctl not installed: NumPy's BLAS uses its own thread count)")
    try:
        results = _bench.compare(sizes, n, args.batch_sizes, repeats, args.dropout, names,
                                 activation=args.activation)
    except RuntimeError as exc:
        raise CLIError(str(exc)) from None
    finally:
        if limits is not None:
            limits.restore_original_limits()
    print("samples/s:")
    print(_bench.format_table(results, sizes, peak, bf16))
    return 0


# ---------------------------------------------------------------- main

def build_parser():
    parser = argparse.ArgumentParser(
        prog="fastnn", description="Fast MLP training on the CPU: info, demo, train, evaluate, "
                                   "bench, export.  FASTNN_DEBUG=1 shows tracebacks.")
    parser.add_argument("--version", action="version", version="fastnn " + fastnn.__version__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("info", help="version, threads, OpenMP, CPU features, kernel")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("demo", help="train a small MLP on the bundled digits")
    p.add_argument("--epochs", type=positive_int, default=10)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("train", help="train an MLP classifier",
                       description="Train an MLP classifier; unset options come from "
                                   "default_recipe(dataset).")
    p.add_argument("--data", required=True,
                   help="fashion-mnist, mnist, digits, FILE.csv (last column is the label), "
                        "FILE.npz (X_train, y_train[, X_test, y_test] or X, y) or a "
                        "directory of the four Fashion-MNIST or MNIST IDX files")
    p.add_argument("--hidden", type=int_list, help="hidden layer sizes, e.g. 1024,512")
    p.add_argument("--activation", type=name_list,
                   help="hidden activation: one name for all layers, or one per hidden layer, "
                        "e.g. relu,tanh (default relu)")
    p.add_argument("--dropout", type=drop_rate)
    p.add_argument("--epochs", type=positive_int)
    p.add_argument("--batch-size", type=positive_int)
    p.add_argument("--lr", type=learning_rate, help="learning rate")
    p.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=None,
                   help="standardize each feature with training-set statistics")
    p.add_argument("--seed", type=seed, default=0)
    p.add_argument("--dtype", choices=("float32", "float64", "bfloat16"),
                   help="compute type (bfloat16: float32 weights, bfloat16 GEMMs); default: "
                        "the recipe's, float32 except fashion-mnist's, which is bfloat16 "
                        "where that is clearly faster (the first line says so)")
    p.add_argument("--save", metavar="MODEL.safetensors")
    p.add_argument("--plot", metavar="CURVES.png",
                   help="training loss, validation loss and accuracy against epochs and "
                        "seconds, on a validation split of the training data (needs matplotlib)")
    p.add_argument("--time", type=positive_float, metavar="SECONDS",
                   help="a time budget for the whole command (load, train, evaluate); the "
                        "image recipes then pick the network width for it and plan the "
                        "learning-rate schedule over the epochs it allows.  Without it, "
                        "training runs the recipe's epoch count, reproducible for the seed")
    p.add_argument("--image-shape", type=image_shape, metavar="HxW",
                   help="the rows are images of this shape (HxW or HxWxC): augment them")
    p.add_argument("--augment", type=augment_list, metavar="shift,flip",
                   help="augmentations of image rows (shift, flip, erase, a list of them, "
                        "or none)")
    p.add_argument("--label-smoothing", type=smoothing)
    p.add_argument("--components", type=int_at_least(0, "a count of 0 or more"), metavar="K",
                   help="train on the features' top K principal components, folded into the "
                        "first layer of the model saved (fewer products per epoch); default 0: "
                        "the features themselves")
    p.add_argument("--threads", type=positive_int)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="accuracy and confusion matrix of a saved model")
    p.add_argument("model", metavar="MODEL.safetensors")
    p.add_argument("--data", required=True,
                   help="as for train; its test split, or all rows of a file without one")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("bench", help="time one training epoch against NumPy, PyTorch, JAX, sklearn")
    p.add_argument("--quick", action="store_true", help="a tiny network and data set")
    p.add_argument("--samples", type=positive_int)
    p.add_argument("--batch-sizes", type=int_list, default=(32, 256))
    p.add_argument("--repeats", type=positive_int, help="runs per trainer (median reported)")
    p.add_argument("--threads", type=positive_int)
    p.add_argument("--dropout", type=drop_rate, default=0.25, help="drop rate (default 0.25)")
    p.add_argument("--peers", type=peer_list, help="trainers, e.g. fastnn,numpy,torch,jax,sklearn")
    p.add_argument("--activation", choices=tuple(fastnn._core.ACTIVATIONS), default="relu",
                   help="hidden activation (default relu); peers without it sit out")
    p.set_defaults(func=cmd_bench)

    from ._cli_export import add_parser as add_export_parser
    add_export_parser(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2), --help and --version (0)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        with warnings.catch_warnings():  # one line each, named by the command, no source line
            warnings.showwarning = lambda message, *_, **__: print(
                "fastnn %s: warning: %s" % (args.command, " ".join(str(message).split())),
                file=sys.stderr)
            return args.func(args)
    except KeyboardInterrupt:
        print("fastnn: interrupted", file=sys.stderr)
        return 130
    except (CLIError, ValueError, TypeError, ImportError, OSError, MemoryError) as exc:
        if os.environ.get("FASTNN_DEBUG"):  # developers: the full traceback
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        if isinstance(exc, MemoryError):
            message = "not enough memory (%s)%s" % (message, ": try smaller --hidden sizes"
                                                    if getattr(args, "hidden", None) else "")
        print("fastnn %s: error: %s" % (args.command, message), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
