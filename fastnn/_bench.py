"""Training-speed comparison behind `fastnn bench` and bench/bench_train.py.

Each trainer runs one epoch of the same MLP (ReLU hidden layers, or the
activation asked for where the peer has it; softmax, cross-entropy, Adam,
inverted dropout where the peer has it) on the same random float32 data.
Rounds are interleaved so a noisy neighbour slows every trainer alike; the
table reports medians, the ratio to the fastest peer, and the fraction of
the machine's FMA limit (measured by a compiled probe).
"""
import importlib.util
import time
import warnings

import numpy as np

import fastnn
from . import _core
from ._numpy_trainer import ACTIVATIONS as NUMPY_ACTIVATIONS, NumpyMLP


def gemm_flops_per_sample(sizes):
    """FLOPs (2 per multiply-add) of the forward, weight-gradient and input-
    gradient products; the first layer needs no input gradient."""
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 2 * (3 * weights - sizes[0] * sizes[1])


def _timed(fn):
    start = time.perf_counter()
    loss = fn()
    return time.perf_counter() - start, loss


def bench_fastnn(sizes, X, y, batch_size, dropout, activation="relu", dtype="float32"):
    model = fastnn.MLP(sizes, dropout=dropout, random_state=0, dtype=dtype, activation=activation)
    model.fit(X[:2 * batch_size], y[:2 * batch_size], epochs=1, batch_size=batch_size)
    model = fastnn.MLP(sizes, dropout=dropout, random_state=0, dtype=dtype, activation=activation)
    return _timed(lambda: model.fit(X, y, epochs=1, batch_size=batch_size).history_["loss"][-1])


def bench_fastnn_bf16(sizes, X, y, batch_size, dropout, activation="relu"):
    """fastnn with dtype="bfloat16" (float32 weights, bfloat16 GEMM operands)."""
    return bench_fastnn(sizes, X, y, batch_size, dropout, activation, dtype="bfloat16")


def bench_numpy(sizes, X, y, batch_size, dropout, activation="relu"):
    NumpyMLP(sizes, dropout=dropout, activation=activation).train_epoch(
        X[:2 * batch_size], y[:2 * batch_size], batch_size)
    model = NumpyMLP(sizes, dropout=dropout, activation=activation)
    return _timed(lambda: model.train_epoch(X, y, batch_size))


def torch_activation(name):
    """PyTorch's module for fastnn's activation `name` (GELU in its tanh form)."""
    import torch
    nn = torch.nn
    return {"identity": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
            "elu": nn.ELU, "softplus": nn.Softplus, "leaky_relu": lambda: nn.LeakyReLU(0.01),
            "gelu": lambda: nn.GELU(approximate="tanh")}[name]()


def torch_mlp(sizes, dropout, activation="relu"):
    """PyTorch's twin of fastnn.MLP(sizes, dropout=..., activation=...):
    dropout after each hidden layer, Adam 1e-3; on fastnn's thread count."""
    import torch
    torch.set_num_threads(fastnn.get_num_threads())
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch_activation(activation))
            if dropout:
                layers.append(torch.nn.Dropout(dropout))
    net = torch.nn.Sequential(*layers)
    return net, torch.optim.Adam(net.parameters(), lr=1e-3)


def torch_epoch(net, opt, X, y, batch_size, autocast=False):
    """One shuffled epoch; the summed batch losses.  autocast: the forward
    under torch.autocast("cpu", dtype=torch.bfloat16), PyTorch's bfloat16
    training (float32 weights, bfloat16 products)."""
    import contextlib
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    order = torch.randperm(len(Xt))
    total = 0.0
    for i in range(0, len(Xt), batch_size):
        idx = order[i:i + batch_size]
        opt.zero_grad()
        with (torch.autocast("cpu", dtype=torch.bfloat16) if autocast
              else contextlib.nullcontext()):
            loss = torch.nn.functional.cross_entropy(net(Xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        total += loss.item()
    return total


def bench_torch(sizes, X, y, batch_size, dropout, activation="relu", autocast=False):
    import torch
    torch.manual_seed(0)
    torch_epoch(*torch_mlp(sizes, dropout, activation), X[:2 * batch_size], y[:2 * batch_size],
                batch_size, autocast)
    net, opt = torch_mlp(sizes, dropout, activation)
    return _timed(lambda: torch_epoch(net, opt, X, y, batch_size, autocast))


def bench_torch_bf16(sizes, X, y, batch_size, dropout, activation="relu"):
    """PyTorch under bfloat16 autocast: the peer of fastnn_bf16."""
    return bench_torch(sizes, X, y, batch_size, dropout, activation, autocast=True)


def bench_jax(sizes, X, y, batch_size, dropout, activation="relu"):
    """The whole step (forward, backward, Adam) under jax.jit."""
    import jax
    import jax.numpy as jnp

    def init(key):
        params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            key, sub = jax.random.split(key)
            bound = (6.0 / (a + b)) ** 0.5
            params.append((jax.random.uniform(sub, (a, b), jnp.float32, -bound, bound),
                           jnp.zeros(b, jnp.float32)))
        return params

    def loss_fn(params, xb, yb, key):
        h = xb
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = getattr(jax.nn, activation)(h)
                if dropout:
                    key, sub = jax.random.split(key)
                    keep = jax.random.bernoulli(sub, 1 - dropout, h.shape)
                    h = jnp.where(keep, h / (1 - dropout), 0)
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], axis=1))

    @jax.jit
    def step(params, m, v, t, xb, yb, key):
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb, key)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m_, g: 0.9 * m_ + 0.1 * g, m, grads)
        v = jax.tree_util.tree_map(lambda v_, g: 0.999 * v_ + 0.001 * g * g, v, grads)
        lr = 1e-3 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        params = jax.tree_util.tree_map(lambda p, m_, v_: p - lr * m_ / (jnp.sqrt(v_) + 1e-8),
                                        params, m, v)
        return params, m, v, t, loss

    def epoch(Xe, ye):
        params = init(jax.random.PRNGKey(0))
        m = jax.tree_util.tree_map(jnp.zeros_like, params)
        v = jax.tree_util.tree_map(jnp.zeros_like, params)
        t, key = jnp.float32(0), jax.random.PRNGKey(1)
        order = np.random.default_rng(0).permutation(len(Xe))
        loss = None
        for i in range(0, len(Xe) - batch_size + 1, batch_size):  # full batches: one shape
            idx = order[i:i + batch_size]
            key, sub = jax.random.split(key)
            params, m, v, t, loss = step(params, m, v, t, Xe[idx], ye[idx], sub)
        return float(loss)

    epoch(X[:2 * batch_size], y[:2 * batch_size])
    return _timed(lambda: epoch(X, y))


def bench_sklearn(sizes, X, y, batch_size, dropout, activation="relu"):
    """scikit-learn has no dropout: it trains the same net without it."""
    from sklearn.neural_network import MLPClassifier
    model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), batch_size=batch_size,
                          learning_rate_init=1e-3, random_state=0,
                          activation=SKLEARN_ACTIVATIONS[activation])
    return _timed(lambda: model.partial_fit(X, y, classes=np.arange(sizes[-1])).loss_)


JAX_ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "softplus", "gelu", "leaky_relu")  # jax.nn
SKLEARN_ACTIVATIONS = {"identity": "identity", "relu": "relu", "tanh": "tanh",
                       "sigmoid": "logistic"}
# (name, bench function, the module it needs, the activations it trains: None for all)
TRAINERS = [("fastnn", bench_fastnn, None, None),
            ("fastnn_bf16", bench_fastnn_bf16, None, None),
            ("numpy", bench_numpy, None, tuple(NUMPY_ACTIVATIONS)),
            ("torch", bench_torch, "torch", None), ("torch_bf16", bench_torch_bf16, "torch", None),
            ("jax", bench_jax, "jax", JAX_ACTIVATIONS),
            ("sklearn", bench_sklearn, "sklearn", tuple(SKLEARN_ACTIVATIONS))]


def available_trainers(names=None, activation="relu"):
    out = []
    for name, fn, module, activations in TRAINERS:
        if names and name not in names:
            continue
        if activations is not None and activation not in activations:
            continue
        if name in ("fastnn_bf16", "torch_bf16") and not names and not _core.bf16_native():
            continue  # emulated bfloat16 is for portability, not speed
        if _installed(module):
            out.append((name, fn))
    return out


def _installed(module):
    return module is None or importlib.util.find_spec(module) is not None


def _left_out(names, trainers, activation):
    """(name, why, installed) of each trainer in `names` but not in `trainers`."""
    ran = {name for name, _ in trainers}
    out = []
    for name, _, module, activations in TRAINERS:
        if name in (names or ()) and name not in ran:
            installed = _installed(module)
            out.append((name, "it has no %s activation" % activation if installed
                        else "%s is not installed" % module, installed))
    return out


def compare(sizes, n_samples, batch_sizes, repeats=3, dropout=0.25, names=None, seed=0,
            pause=0.25, activation="relu"):
    """{batch_size: {trainer: samples/s (median)}} over interleaved rounds.

    Sleeps `pause` seconds before each trainer: OpenBLAS's workers spin for
    about 0.1 s after a call, and whoever runs next would share their cores."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], n_samples).astype(np.int64)
    trainers = available_trainers(names, activation)
    left_out = _left_out(names, trainers, activation)
    reasons = ["%s: %s" % (name, why) for name, why, _ in left_out]
    if not trainers and not all(installed for *_, installed in left_out):
        raise RuntimeError("bench: nothing to run (%s)" % "; ".join(reasons))
    if not trainers:
        raise RuntimeError("bench: no trainer of %s trains activation %r"
                           % (",".join(names) if names else "those installed", activation))
    for reason in reasons:  # named, so the user expects it in the table
        warnings.warn("left out %s" % reason)
    results = {}
    for batch_size in batch_sizes:
        times = {name: [] for name, _ in trainers}
        for _ in range(repeats):
            for name, fn in trainers:
                time.sleep(pause)
                seconds, loss = fn(sizes, X, y, batch_size, dropout, activation)
                if not np.isfinite(loss):
                    raise RuntimeError("bench: %s produced a non-finite loss" % name)
                times[name].append(seconds)
        results[batch_size] = {name: n_samples / float(np.median(t)) for name, t in times.items()}
    return results


def format_table(results, sizes, peak_gflops, bf16_peak_gflops):
    """Markdown table: samples/s, each fastnn variant's ratio to the fastest
    peer (no such column without a peer) and its % of the arithmetic limit
    (the FMA limit for float32, bf16_peak_gflops from bf16_peak for bfloat16)."""
    flops = gemm_flops_per_sample(sizes)
    limit = peak_gflops * 1e9 / flops
    bf16_limit = bf16_peak_gflops * 1e9 / flops
    names = list(next(iter(results.values())))
    ours = [(k, bf16_limit if k.endswith("bf16") else limit) for k in names
            if k.startswith("fastnn")]
    # the ratio to the fastest peer needs a peer (none with --peers fastnn): else no column
    peers = [k for k in names if not k.startswith("fastnn")]
    head = "".join((" %s / fastest peer |" % k if peers else "")
                   + " %s %% of %s limit |" % (k, "BF16" if k.endswith("bf16") else "FMA")
                   for k, _ in ours)
    lines = ["| batch | " + " | ".join(names) + " |" + head,
             "|---:|" + "---:|" * (len(names) + (2 if peers else 1) * len(ours))]
    for batch_size, rates in results.items():
        best = max(rates[k] for k in peers) if peers else None
        cells = "".join((" %.2fx |" % (rates[k] / best) if peers else "")
                        + " %.0f%% |" % (100 * rates[k] / lim) for k, lim in ours)
        lines.append("| %d | " % batch_size + " | ".join("%.0f" % rates[k] for k in names)
                     + " |" + cells)
    return "\n".join(lines)


def fma_peak(threads=None):
    return _core.fma_peak_gflops(threads or fastnn.get_num_threads())


def bf16_peak(threads=None, fma_gflops=None):
    """(GFLOP/s, source) of bfloat16 products: the AMX probe where the AMX
    engine runs, twice the FMA limit where vdpbf16ps does (two multiply-adds
    per float32 lane at best), the FMA limit itself where bfloat16 is
    emulated (float32 multiply-adds on rounded operands)."""
    threads = threads or fastnn.get_num_threads()
    if not _core.bf16_native():
        return fma_gflops or fma_peak(threads), "emulated: the float32 FMA limit"
    if _core.bf16_engine() == "amx":
        amx = _core.amx_peak_gflops(threads)
        if amx is not None:
            return amx, "AMX tdpbf16ps probe"
    return 2 * (fma_gflops or fma_peak(threads)), "twice the FMA limit"
