"""Whole fits of small tabular MLPs, the drop-ins' everyday use: seconds per
fit of fastnn.MLPClassifier against scikit-learn's MLPClassifier and
PyTorch on the same recipe (scikit-learn's defaults: ReLU, Adam 1e-3,
batch min(200, rows), shuffled, a fixed number of epochs), on
make_classification data of several shapes, interleaved rounds, medians:

    python bench/tabular_table.py [--repeats 3] [--dtype float64|float32] [--threads 2]
                                  [--sparse]

--sparse: text-like SciPy CSR tables instead (a few nonzero counts per row
among thousands of columns, the class from a random linear rule), which
fastnn and scikit-learn read at the cost of their nonzeros; PyTorch gets
each batch as a torch sparse CSR tensor (torch.sparse.mm in the first layer).

Before timing, each shape's fastnn and scikit-learn fits (their first 4
epochs) are checked to be the same fit: the drop-in follows scikit-learn's
trajectory, so their loss curves must agree: in float64 to 1e-9 relative,
in float32 to 1e-3 (each of the check's up to 1,000 steps may round the
weights' update differently by about 10 float32 epsilons, 1.2e-6,
compounding to about 1e-3; a wrong gradient moves the loss by 1e-1).
PyTorch trains its
own initial weights (its Linear init), so only its time is compared.  The
first line printed is the configuration (threads, kernel, CPU).
"""
import argparse
import time
import warnings

import numpy as np

import fastnn

import _check

# (rows, features, hidden sizes, epochs): scikit-learn's default (100,) on
# small to mid-sized tables, then a wider net on a larger one
SHAPES = ((1000, 20, (100,), 200), (5000, 20, (100,), 100), (20000, 50, (100,), 30),
          (50000, 100, (256, 128), 10), (100000, 30, (100,), 10))
# (rows, features, share of nonzeros, hidden sizes, epochs)
SPARSE_SHAPES = ((10000, 20000, 0.005, (100,), 5), (50000, 5000, 0.01, (100,), 5),
                 (20000, 100000, 0.001, (100,), 3), (20000, 2000, 0.05, (100,), 5))
CLASSES = 3


def data(rows, features, dtype):
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=rows, n_features=features, n_informative=10,
                               n_redundant=0, n_classes=CLASSES, random_state=0)
    return X.astype(dtype), y


def sparse_data(rows, features, density, dtype):
    """Counts 1-4 at random positions; the class: argmax of a random linear map."""
    import scipy.sparse as sp
    X = sp.random(rows, features, density=density, format="csr", random_state=0, dtype=dtype)
    X.data = np.ceil(X.data * 4).astype(dtype)
    rule = np.random.default_rng(1).standard_normal((features, CLASSES))
    return X, np.asarray(np.argmax(X @ rule, axis=1)).ravel()


def estimator(cls, hidden, epochs, rows):
    # tol=0 and n_iter_no_change=epochs: every fit runs all its epochs
    return cls(hidden_layer_sizes=hidden, max_iter=epochs, tol=0.0, n_iter_no_change=epochs,
               batch_size=min(200, rows), random_state=0)


def fit(cls, X, y, hidden, epochs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the ConvergenceWarning at max_iter
        return estimator(cls, hidden, epochs, X.shape[0]).fit(X, y)


def fit_fastnn(X, y, hidden, epochs):
    return fit(fastnn.MLPClassifier, X, y, hidden, epochs)


def fit_sklearn(X, y, hidden, epochs):
    from sklearn.neural_network import MLPClassifier
    return fit(MLPClassifier, X, y, hidden, epochs)


def fit_torch(X, y, hidden, epochs):
    import torch
    torch.set_num_threads(fastnn.get_num_threads())
    torch.manual_seed(0)
    dtype = torch.float64 if X.dtype == np.float64 else torch.float32
    sizes = [X.shape[1], *hidden, CLASSES]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1]).to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    yt = torch.from_numpy(y.astype(np.int64))
    batch = min(200, X.shape[0])
    first, rest = net[0], net[1:]
    for _ in range(epochs):
        order = torch.randperm(X.shape[0])
        for i in range(0, X.shape[0], batch):
            idx = order[i:i + batch]
            if isinstance(X, np.ndarray):
                out = net(torch.from_numpy(X[idx.numpy()]))
            else:  # CSR rows as a torch sparse tensor: the product reads the nonzeros
                rows = X[idx.numpy()]
                warnings.filterwarnings("ignore", message="Sparse (CSR tensor|invariant)")
                xb = torch.sparse_csr_tensor(torch.from_numpy(rows.indptr.astype(np.int64)),
                                             torch.from_numpy(rows.indices.astype(np.int64)),
                                             torch.from_numpy(rows.data), size=rows.shape)
                out = rest(torch.sparse.mm(xb, first.weight.t()) + first.bias)
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(out, yt[idx])
            loss.backward()
            opt.step()
    return loss.item()


def check_same_fit(X, y, hidden, epochs, dtype):
    """The drop-in and scikit-learn give the same loss curve (a fast wrong
    fit is not a result); on at most 4 epochs, to keep the check short."""
    ours = fit_fastnn(X, y, hidden, min(epochs, 4)).loss_curve_
    theirs = fit_sklearn(X, y, hidden, min(epochs, 4)).loss_curve_
    rtol = 1e-9 if dtype == np.float64 else 1e-3
    np.testing.assert_allclose(ours, theirs, rtol=rtol,
                               err_msg="loss curves differ on %s" % (X.shape,))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sparse", action="store_true", help="text-like CSR tables instead")
    ap.add_argument("--pause", type=float, default=0.25,
                    help="seconds before each fit (OpenBLAS's workers spin about 0.1 s)")
    args = ap.parse_args()
    _check.use_threads(args.threads)
    _check.print_config()
    dtype = np.dtype(args.dtype).type
    trainers = [("fastnn", fit_fastnn), ("sklearn", fit_sklearn)]
    try:
        import torch  # noqa: F401
        trainers.append(("torch", fit_torch))
    except ImportError:
        warnings.warn("left out torch: it is not installed")
    names = [name for name, _ in trainers]
    print("dtype %s%s; seconds per fit (median of %d interleaved rounds)"
          % (args.dtype, ", sparse CSR X" if args.sparse else "", args.repeats))
    print("| rows x features%s | hidden | epochs | " % (" (nonzeros)" if args.sparse else "")
          + " | ".join(names) + " | "
          + " | ".join("%s / fastnn" % n for n in names[1:]) + " | fastnn samples/s |")
    print("|---|---|---:|" + "---:|" * (2 * len(names)))
    shapes = SPARSE_SHAPES if args.sparse else [(r, f, None, h, e) for r, f, h, e in SHAPES]
    for rows, features, density, hidden, epochs in shapes:
        X, y = (sparse_data(rows, features, density, dtype) if density
                else data(rows, features, dtype))
        check_same_fit(X, y, hidden, epochs, dtype)
        times = {name: [] for name in names}
        for _ in range(args.repeats):
            for name, fit in trainers:
                time.sleep(args.pause)
                start = time.perf_counter()
                fit(X, y, hidden, epochs)
                times[name].append(time.perf_counter() - start)
        median = {name: float(np.median(t)) for name, t in times.items()}
        shape = "%d x %d" % (rows, features) + (" (%g)" % density if density else "")
        print("| %s | %s | %d | " % (shape, "-".join(map(str, hidden)), epochs)
              + " | ".join("%.3f" % median[n] for n in names) + " | "
              + " | ".join("%.1fx" % (median[n] / median["fastnn"]) for n in names[1:])
              + " | %.0f |" % (rows * epochs / median["fastnn"]), flush=True)


if __name__ == "__main__":
    main()
