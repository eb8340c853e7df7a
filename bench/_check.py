"""Shared by every bench script: the thread count, the configuration printed
and stored with the numbers, and the checks that a result is right before it
is timed (a fast wrong answer is not a result).

Tolerances are derived from the operation's size and the dtype's epsilon,
never tuned, so a real error (a wrong block, a wrong transpose, a wrong
gradient) is far outside them.
"""
import json
import platform
import subprocess

import numpy as np

import fastnn
from fastnn import ops
from fastnn import reference

EPS32 = float(np.finfo(np.float32).eps)
EPS64 = float(np.finfo(np.float64).eps)
EPS_BF16 = 2.0 ** -7  # 8 significant bits


# ---- threads and configuration ----

def use_threads(n):
    """n threads for fastnn and, through threadpoolctl when installed, for
    NumPy's BLAS; returns the threadpoolctl handle (or None) to keep."""
    fastnn.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(n)


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        return next(l.split(":", 1)[1].strip() for l in out.splitlines()
                    if l.startswith("Model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def blas_threads():
    """NumPy's BLAS thread count as threadpoolctl sees it, or None."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    return max(counts) if counts else None


def run_config():
    """What the numbers depend on: fastnn.config() (kernel, bfloat16 engine,
    threads), the CPU and NumPy, and the threads each library was given."""
    c = fastnn.config()
    return {"fastnn": c["version"], "kernel": c["kernel"], "best_kernel": c["best_kernel"],
            "bfloat16": c["bfloat16"], "threads": fastnn.get_num_threads(),
            "blas_threads": blas_threads(), "cpu": cpu_model(),
            "cpu_features": " ".join(c["cpu_features"]), "numpy": np.__version__,
            "python": c["python"], "compiler": c["compiler"]}


def config_line(config=None):
    """One line for the top of a printed table."""
    c = config or run_config()
    return ("config: fastnn %s, kernel %s (best %s), bfloat16 %s, %d threads (BLAS %s), "
            "%s, NumPy %s" % (c["fastnn"], c["kernel"], c["best_kernel"], c["bfloat16"],
                              c["threads"], c["blas_threads"], c["cpu"], c["numpy"]))


def print_config():
    config = run_config()
    print(config_line(config), flush=True)
    return config


def record(benchmark):
    """Store the configuration with a pytest-benchmark result (extra_info ends
    up in --benchmark-json and --benchmark-save files)."""
    benchmark.extra_info.update(run_config())


def save_config(path, config):
    """Write the configuration next to a saved table or figure."""
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
        f.write("\n")


# ---- checks against NumPy ----

def check_matmul(a, b, trans_a=False, trans_b=False, compute=None):
    """ops.matmul against the float64 product of the same operands (rounded
    to bfloat16 first for compute="bfloat16", as the kernel does).  Each
    entry may differ by k float32 (or float64) roundings of the terms it
    sums: |error| <= 2 k eps (|A| |B|), elementwise."""
    A, B = (a.T if trans_a else a), (b.T if trans_b else b)
    if compute == "bfloat16":
        A, B = reference.round_bfloat16(A), reference.round_bfloat16(B)
    A64, B64 = A.astype(np.float64), B.astype(np.float64)
    got = ops.matmul(a, b, trans_a=trans_a, trans_b=trans_b, compute=compute)
    k = A.shape[1]
    eps = EPS64 if a.dtype == np.float64 else EPS32
    bound = 2 * k * eps * (np.abs(A64) @ np.abs(B64)) + np.finfo(got.dtype).tiny
    err = np.abs(got.astype(np.float64) - A64 @ B64)
    if not np.all(err <= bound):
        i = np.unravel_index(np.argmax(err - bound), err.shape)
        raise AssertionError("matmul %s%s compute=%s: error %.3g > bound %.3g at %s"
                             % (A.shape, B.shape, compute, err[i], bound[i], i))


def ops_tolerance(dtype):
    """A few roundings per element (and libm's < 4 ulp): 8 eps in float32;
    in float64 1e-12, the ops tests' bound."""
    return 8 * EPS32 if np.dtype(dtype) == np.float32 else 1e-12


def assert_matches(got, want, dtype, what):
    """got (fastnn, dtype) against want (the twin in float64), relative to the
    largest |want| so that entries near zero need no special case."""
    want = np.asarray(want, dtype=np.float64)
    tol = ops_tolerance(dtype) * max(float(np.max(np.abs(want), initial=0.0)), 1.0)
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=0, atol=tol,
                               err_msg=what)


def numpy_forward(x, coefs, intercepts):
    """ReLU hidden layers, softmax output, in float64."""
    h = np.asarray(x, dtype=np.float64)
    for i, (w, b) in enumerate(zip(coefs, intercepts)):
        h = h @ np.asarray(w, dtype=np.float64) + b
        if i < len(coefs) - 1:
            h = np.maximum(h, 0.0)
    h = np.exp(h - h.max(axis=1, keepdims=True))
    return h / h.sum(axis=1, keepdims=True)


def numpy_sgd_step(x, y, coefs, intercepts, lr, compute=None):
    """One plain SGD step of mean cross-entropy over the whole of x, float64;
    compute="bfloat16" rounds every GEMM operand to bfloat16 first, as
    MLP(dtype="bfloat16") does."""
    def mm(a, b, trans_a=False, trans_b=False):
        if compute == "bfloat16":
            return reference.matmul(a.astype(np.float32), b.astype(np.float32), trans_a=trans_a,
                                    trans_b=trans_b, compute="bfloat16").astype(np.float64)
        return (a.T if trans_a else a) @ (b.T if trans_b else b)

    x = np.asarray(x, dtype=np.float64)
    ws = [np.asarray(w, dtype=np.float64) for w in coefs]
    bs = [np.asarray(b, dtype=np.float64) for b in intercepts]
    hs, zs = [x], []
    for i, (w, b) in enumerate(zip(ws, bs)):
        zs.append(mm(hs[-1], w) + b)
        if i < len(ws) - 1:
            hs.append(np.maximum(zs[-1], 0.0))
    dz = np.exp(zs[-1] - zs[-1].max(axis=1, keepdims=True))
    dz /= dz.sum(axis=1, keepdims=True)
    dz[np.arange(len(y)), y] -= 1.0
    dz /= len(y)
    new_ws, new_bs = [None] * len(ws), [None] * len(bs)
    for i in range(len(ws) - 1, -1, -1):
        new_ws[i] = ws[i] - lr * mm(hs[i], dz, trans_a=True)
        new_bs[i] = bs[i] - lr * dz.sum(axis=0)
        if i:
            dz = mm(dz, ws[i], trans_b=True) * (zs[i - 1] > 0)
    return new_ws, new_bs


def check_training(dtype="float32", sizes=(20, 16, 4), rows=64, seed=0):
    """A short fastnn.MLP fit checked three ways, each of which can fail:
    one full-batch SGD step equals NumPy's float64 step from the same initial
    weights (with the GEMM operands rounded to bfloat16 for dtype="bfloat16",
    as the kernels do) up to float32 rounding; predict equals a NumPy forward
    pass of the trained weights; and the loss falls."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], rows).astype(np.int64)
    model = fastnn.MLP(list(sizes), random_state=seed, dtype=dtype)
    w0 = [w.copy() for w in model.coefs_]
    b0 = [b.copy() for b in model.intercepts_]
    lr = 0.1
    model.fit(x, y, epochs=1, batch_size=rows, optimizer="sgd", momentum=0.0,
              learning_rate=lr, shuffle=False)
    compute = "bfloat16" if dtype == "bfloat16" else None
    want_w, want_b = numpy_sgd_step(x, y, w0, b0, lr, compute=compute)
    # float32 sums of `rows` terms, then the new weight rounded to float32
    for i, (got, want, start) in enumerate(zip(model.coefs_ + model.intercepts_,
                                               want_w + want_b, w0 + b0)):
        step = want - start
        atol = (4 * rows * EPS32 * float(np.max(np.abs(step)))
                + 2 * EPS32 * float(np.max(np.abs(want))))
        np.testing.assert_allclose(got - start.astype(np.float64), step, rtol=0, atol=atol,
                                   err_msg="%s SGD step, parameter %d" % (dtype, i))
    model.fit(x, y, epochs=20, batch_size=16, learning_rate=1e-2)
    np.testing.assert_allclose(model.predict(x), numpy_forward(x, model.coefs_, model.intercepts_),
                               rtol=0, atol=1e-5, err_msg="%s predict" % dtype)
    loss = model.history_["loss"]
    if not loss[-1] < 0.9 * loss[0]:
        raise AssertionError("%s training loss did not fall: %s -> %s" % (dtype, loss[0], loss[-1]))


def _float64(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float64)
    return value


def check_op(name, *args, **kwargs):
    """fastnn.ops.<name> against fastnn.reference.<name> (the NumPy twin)
    evaluated in float64 on the same inputs, on every output (an op that
    returns None is compared on the arrays it was given, which it wrote)."""
    dtype = next(a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.kind == "f")
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    twin = [_float64(a) for a in args]
    got = getattr(ops, name)(*mine, **kwargs)
    want = getattr(reference, name)(*twin, **kwargs)
    if got is None:  # in place
        got, want = [a for a in mine if isinstance(a, np.ndarray)], \
            [a for a in twin if isinstance(a, np.ndarray)]
    elif not isinstance(got, tuple):
        got, want = [got], [want]
    for i, (g, w) in enumerate(zip(got, want)):
        assert_matches(g, w, dtype, "ops.%s output %d (%s)" % (name, i, np.dtype(dtype).name))
