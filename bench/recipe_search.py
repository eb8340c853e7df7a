r"""How the CLI's Fashion-MNIST recipes were chosen: candidates trained on
50,000 of the 60,000 training images and scored on the other 10,000 (a
fixed split of the training set; the test set is never read here).

    python bench/recipe_search.py default            # the untimed recipe's candidates
    python bench/recipe_search.py default --seeds 0,1,2 --only "the recipe" --dtype bfloat16
    python bench/recipe_search.py widths             # width x epochs
    python bench/recipe_search.py widths --dropouts 0.1,0.1,0.1 --smoothing 0.1 \
        --weight-decay 0.05 --dtype bfloat16 --epochs 1,2,4,8,16,32   # the planner's curves
    python bench/recipe_search.py widths --epochs 2,4,8 --widths 256-128,512-256
    python bench/recipe_search.py ensemble --widths 512-256 --dropouts 0.2 --epochs 16 --seeds 0,1,2
    python bench/recipe_search.py ensemble --widths 1024-512 --dropouts 0.3 --epochs 20 --seeds 0,1,2 --dtype bfloat16
    python bench/recipe_search.py torch --norms none,batch,layer --seeds 0,1,2   # PyTorch, normalized

Each line: the candidate, validation accuracy, epochs, training seconds and
seconds per epoch (the last feeds fastnn/_recipes.py's width choice, as a
share of the machine's FMA limit); `ensemble` adds a line per ensemble.
Before timing, a short fit is checked against NumPy (bench/_check.py); the
first line is the configuration.
"""
import argparse
import copy
import time

import numpy as np

import _check
from recipe_candidates import DEFAULT_CANDIDATES, IMAGES, RECIPE

VALIDATION_ROWS = 10000
SPLIT_SEED = 123


def split():
    from fastnn import datasets
    X, y, _, _ = datasets.load_fashion_mnist()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(X))
    val, train = order[:VALIDATION_ROWS], order[VALIDATION_ROWS:]
    return X[train], y[train], X[val], y[val]


def prepare(X, Xv, standardize):
    """The CLI's preprocessing (fastnn.scaled), fitted on X; or, when
    `standardize` is a function of X, the (offset, scale) it returns."""
    from fastnn.scaled import fit_preprocessing, preprocess
    if callable(standardize):
        offset, scale = standardize(X)
    else:
        offset, scale = fit_preprocessing(X, pixel_max=255, standardize=standardize)
    return [preprocess(A, offset, scale, np.float32) for A in (X, Xv)]


def run(name, data, hidden, dropout, standardize, seed=0, dtype="float32", mlp=None,
        activation="relu", pixels=None, project=None, **fit):
    """Train one candidate (`mlp`, or a new MLP of `activation`) and print its
    line; (accuracy, s/epoch, the validation probabilities).  `pixels`: a
    function of the raw images applied before the preprocessing; `project`:
    a function of the preprocessed (X, Xv) returning new features for both."""
    import fastnn
    X, y, Xv, yv = data
    if pixels is not None:
        X, Xv = pixels(X), pixels(Xv)
    X, Xv = prepare(X, Xv, standardize)
    if project is not None:
        X, Xv = project(X, Xv)
    if mlp is None:
        mlp = fastnn.MLP([X.shape[1], *hidden, 10], dropout=dropout, random_state=seed, dtype=dtype,
                         activation=activation)
    fit = dict(dict(batch_size=128, learning_rate=1e-3, lr_schedule="cosine"), **fit)
    if hasattr(fit.get("augment"), "bind"):  # a hook that acts on the model's weights
        fit["augment"].bind(mlp)
    mixup = fit.pop("mixup", None)
    t0 = time.perf_counter()
    if mixup is None:
        mlp.fit(X, y, **fit)
    else:
        mlp.fit(mixup.epochs(X, y, fit.pop("label_smoothing", 0.0)), **fit)
    seconds = time.perf_counter() - t0
    epochs = len(mlp.history_["loss"])
    probabilities = mlp.predict(Xv)
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == yv))
    print("%-58s val %.4f  %3d epochs  %6.1f s  %5.2f s/epoch"
          % (name, accuracy, epochs, seconds, seconds / max(epochs, 1)), flush=True)
    return accuracy, seconds / max(epochs, 1), probabilities


def default_candidates(data, seeds, names, dtype):
    for seed in seeds:
        for name, hidden, dropout, standardize, fit in DEFAULT_CANDIDATES:
            if names and not any(n in name for n in names):
                continue
            run("%s (seed %d, %s)" % (name, seed, dtype), data, hidden, dropout, standardize,
                seed=seed, dtype=dtype, **copy.deepcopy(fit))  # a hook's generator anew


def width_candidates(data, widths, epochs_list, augment, smoothing, weight_decay, dtype):
    """Standardized pixels (as the untimed recipe) unless shifts are asked
    for (their zero fill is black only on unstandardized pixels)."""
    for hidden, dropout in widths:
        for epochs in epochs_list:
            extra = dict(augment=augment, **IMAGES) if augment else {}
            run("%s dropout %.1f, %d epochs, %s, smoothing %g, wd %g (%s)"
                % ("-".join(map(str, hidden)), dropout, epochs,
                   "+".join(augment) or "no augmentation", smoothing, weight_decay, dtype),
                data, hidden, dropout, "shift" not in augment, dtype=dtype, epochs=epochs,
                label_smoothing=smoothing, weight_decay=weight_decay, **extra)


def flipped_validation(data):
    """The validation images mirrored left to right, then preprocessed as
    prepare() does (mirroring standardized pixels would misplace each
    pixel's mean)."""
    X, _, Xv, _ = data
    Xf = np.ascontiguousarray(Xv.reshape(-1, 28, 28)[:, :, ::-1].reshape(len(Xv), -1))
    return prepare(X, Xf, True)[1]


def ensemble_candidates(data, widths, epochs, seeds, dtype, weight_decay):
    """One net per seed, then the ensemble of the first 2, 3, ... of them:
    their logits averaged (the mean log-probability: the same argmax).  Per
    net also two cheaper averages: its predictions on the image and on its
    mirror image (test-time flips), and its weights averaged over the last 5
    epochs (stochastic weight averaging)."""
    import fastnn
    yv = data[3]
    validation, mirrored = prepare(data[0], data[2], True)[1], flipped_validation(data)

    def accuracy(log_p):
        return float(np.mean(np.argmax(log_p, axis=1) == yv))

    for hidden, dropout in widths:
        logs = []
        for seed in seeds:
            snapshots = []

            def keep_last(model, epoch, logs_):
                if epoch >= epochs - 5:
                    snapshots.append([w.copy() for w in model.coefs_ + model.intercepts_])

            mlp = fastnn.MLP([784, *hidden, 10], dropout=dropout, random_state=seed, dtype=dtype)
            _, _, p = run("%s dropout %.2g, %d epochs, smoothing 0.1, wd %g (seed %d, %s)"
                          % ("-".join(map(str, hidden)), dropout, epochs, weight_decay, seed,
                             dtype),
                          data, hidden, dropout, True, mlp=mlp, epochs=epochs,
                          label_smoothing=0.1, weight_decay=weight_decay, callbacks=[keep_last])
            log_p = np.log(np.maximum(p.astype(np.float64), 1e-300))
            flip_p = np.log(np.maximum(mlp.predict(mirrored).astype(np.float64), 1e-300))
            print("%-58s val %.4f" % ("  with test-time flips", accuracy(log_p + flip_p)))
            for i, live in enumerate(mlp.coefs_ + mlp.intercepts_):
                live[...] = np.mean([snapshot[i] for snapshot in snapshots], axis=0)
            print("%-58s val %.4f" % ("  weights averaged over the last %d epochs"
                                      % len(snapshots), accuracy(mlp.predict(validation))))
            logs.append(log_p)
            if len(logs) > 1:
                print("%-58s val %.4f" % ("  ensemble of the first %d" % len(logs),
                                          accuracy(np.mean(logs, axis=0))), flush=True)


NORMS = ("none", "batch", "layer")  # torch_candidates': none, BatchNorm1d, LayerNorm


def torch_candidates(data, norms, seeds):
    """The recipe in PyTorch (same split and preprocessing; Adam with
    decoupled weight decay on the weight matrices only, as fastnn's; label
    smoothing; the cosine schedule stepped per epoch; batches of 128 in a
    fresh random order each epoch; float32), with BatchNorm1d or LayerNorm
    after each hidden layer's product, or neither: does normalization, which
    fastnn lacks, pay?  --only and --dtype do not apply."""
    import math
    import torch
    from fastnn._bench import torch_mlp
    nn = torch.nn
    X, y, Xv, yv = data
    X, Xv = (torch.from_numpy(A) for A in prepare(X, Xv, True))
    y = torch.from_numpy(y.astype(np.int64))
    norm_layer = {"batch": nn.BatchNorm1d, "layer": nn.LayerNorm}
    epochs = RECIPE["epochs"]
    for norm in norms:
        for seed in seeds:
            torch.manual_seed(seed)
            plain, _ = torch_mlp([784, 1024, 512, 10], 0.1)  # on fastnn's thread count
            layers = []
            for layer in plain:
                layers.append(layer)
                if isinstance(layer, nn.Linear) and layer is not plain[-1] and norm in norm_layer:
                    layers.append(norm_layer[norm](layer.out_features))
            net = nn.Sequential(*layers)
            matrices = [p for p in net.parameters() if p.ndim == 2]
            others = [p for p in net.parameters() if p.ndim != 2]  # biases, norms' affine
            opt = torch.optim.AdamW([dict(params=matrices, weight_decay=RECIPE["weight_decay"]),
                                     dict(params=others, weight_decay=0.0)], lr=1e-3)
            schedule = torch.optim.lr_scheduler.LambdaLR(
                opt, lambda e: (1 + math.cos(math.pi * e / epochs)) / 2)
            loss = nn.CrossEntropyLoss(label_smoothing=RECIPE["label_smoothing"])
            order = torch.Generator().manual_seed(seed)
            t0 = time.perf_counter()
            for _ in range(epochs):
                net.train()
                perm = torch.randperm(len(X), generator=order)
                for i in range(0, len(X), 128):
                    rows = perm[i:i + 128]
                    opt.zero_grad()
                    loss(net(X[rows]), y[rows]).backward()
                    opt.step()
                schedule.step()
            net.eval()
            with torch.no_grad():
                accuracy = float(np.mean(net(Xv).argmax(1).numpy() == yv))
            seconds = time.perf_counter() - t0
            print("%-58s val %.4f  %3d epochs  %6.1f s  %5.2f s/epoch"
                  % ("PyTorch, the recipe, %s (seed %d)"
                     % ({"none": "no normalization"}.get(norm, norm + " norm"), seed),
                     accuracy, epochs, seconds, seconds / epochs), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("which", choices=["default", "widths", "ensemble", "torch"])
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--only", action="append", default=[],
                    help="default: run the candidates whose names contain this text "
                         "(commas included, as names have them); repeat for more")
    ap.add_argument("--dtype", default="float32", help="float32 or bfloat16")
    ap.add_argument("--widths", default="256-128,512-256,1024-512")
    ap.add_argument("--dropouts", default="0.1,0.2,0.3")
    ap.add_argument("--epochs", default="1,2,4,8,16",
                    help="widths: the epoch counts; ensemble: one count, each net's")
    ap.add_argument("--augment", default="none", help="comma list, or none")
    ap.add_argument("--smoothing", type=float, default=0.0)
    ap.add_argument("--weight-decay", type=float, default=0.0,
                    help="widths, ensemble: decoupled weight decay (AdamW)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--norms", default=",".join(NORMS),
                    help="torch: the recipe with these normalizations (none, batch, layer)")
    args = ap.parse_args()
    if args.which == "ensemble" and not args.epochs.isdigit():
        ap.error("ensemble trains each net for one --epochs count, e.g. --epochs 16")
    unknown = [n for n in args.only if not any(n in c[0] for c in DEFAULT_CANDIDATES)]
    if unknown:
        ap.error("--only %r names no candidate" % unknown[0])
    if set(args.norms.split(",")) - set(NORMS):
        ap.error("--norms takes %s, got %r" % (", ".join(NORMS), args.norms))
    _check.use_threads(args.threads)
    _check.check_training("float32")
    _check.print_config()
    seeds = [int(s) for s in args.seeds.split(",")]
    data = split()
    if args.which == "torch":
        torch_candidates(data, args.norms.split(","), seeds)
        return
    if args.which == "default":
        default_candidates(data, seeds, [n for n in args.only if n], args.dtype)
        return
    widths = [(tuple(int(v) for v in w.split("-")), float(d))
              for w, d in zip(args.widths.split(","), args.dropouts.split(","))]
    if args.which == "ensemble":
        ensemble_candidates(data, widths, int(args.epochs), seeds, args.dtype,
                            args.weight_decay)
    else:
        augment = [] if args.augment == "none" else args.augment.split(",")
        width_candidates(data, widths, [int(e) for e in args.epochs.split(",")], augment,
                         args.smoothing, args.weight_decay, args.dtype)


if __name__ == "__main__":
    main()
