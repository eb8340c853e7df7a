"""fastnn's OpenMP runtime next to another one in the same process.

A wheel repaired by auditwheel carries its own libgomp (renamed, in
fastnn.libs/); a source build links the system's.  Either way, scikit-learn's
wheels bring a second libgomp and PyTorch a third, and NumPy its OpenBLAS.
With two runtimes loaded, threadpoolctl must still find and limit fastnn's,
and a child forked after both ran parallel regions must still run fastnn (on
one thread, docs/threads.md).  Each case runs in a fresh interpreter so that
which runtimes are loaded, and in which order, is known."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

import fastnn

COEXIST = r"""
import json, os, sys
import multiprocessing as mp
import numpy as np
import threadpoolctl


def openmp_libraries():
    return {os.path.realpath(info["filepath"]) for info in threadpoolctl.threadpool_info()
            if info["internal_api"] == "openmp"}


before = openmp_libraries()
import fastnn
from fastnn import _core, ops
ours = openmp_libraries() - before
other = sys.argv[1]
if other == "sklearn":
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads as other_threads
else:
    import torch
    other_threads = torch.get_num_threads
theirs = openmp_libraries() - before - ours
fastnn.set_num_threads(None)           # follow OpenMP, so threadpoolctl applies
x = np.random.default_rng(0).standard_normal((400, 300)).astype(np.float32)
X = np.random.default_rng(1).standard_normal((4000, 64)).astype(np.float32)
y = (X[:, 0] > 0).astype(np.int64)


def teams():
    # the widest OpenMP team fastnn's kernels ran, for a GEMM and for a fit
    _core.widest_team_take()
    product = ops.matmul(x, x, trans_b=True)
    gemm = _core.widest_team_take()
    model = fastnn.MLP([64, 256, 2], random_state=0).fit(X, y, epochs=1, batch_size=200)
    return gemm, _core.widest_team_take(), product.tobytes(), model.predict(X).tobytes()


def child(q):
    q.put((fastnn.get_num_threads(),) + teams())


full = teams()
with threadpoolctl.threadpool_limits(1):
    limited = teams() + (fastnn.get_num_threads(), other_threads())
if other == "torch":
    import torch
    float((torch.ones(300, 300) @ torch.ones(300, 300)).sum())   # torch's pool runs too
ctx = mp.get_context("fork")
q = ctx.Queue()
p = ctx.Process(target=child, args=(q,))
p.start()
try:
    forked = q.get(timeout=60)
except Exception:
    p.kill()
    sys.exit("the forked child hung")
p.join(30)
print(json.dumps({
    "ours": sorted(ours), "theirs": sorted(theirs),
    "package": os.path.dirname(os.path.realpath(fastnn.__file__)),
    "full_teams": full[:2], "limited_teams": limited[:2],
    "limited_counts": limited[4:], "same_results_limited": full[2:4] == limited[2:4],
    "child_threads": forked[0], "child_teams": forked[1:3],
    "same_results_child": full[2:4] == forked[3:5],
}))
"""


def _run(other):
    pytest.importorskip("threadpoolctl")
    if not fastnn.config()["openmp"]:
        pytest.skip("fastnn built without OpenMP")
    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs 2 CPUs to tell a limited team from a full one")
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastnn.__file__)))
    env = dict(os.environ, OMP_NUM_THREADS="2", PYTHONPATH=package_parent)
    # run_python's code-only form, plus an argument: which other runtime to load
    r = subprocess.run([sys.executable, "-c", COEXIST, other], env=env, cwd=package_parent,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def _check(found, other_follows_openmp):
    assert len(found["ours"]) == 1, found  # fastnn loaded exactly one OpenMP runtime
    ours = found["ours"][0]
    libs = found["package"] + ".libs"
    if os.path.isdir(libs):  # a repaired wheel: the bundled copy, not the system's
        assert ours.startswith(libs + os.sep), (ours, libs)
    assert found["theirs"] and ours not in found["theirs"], found  # two runtimes coexist
    assert found["full_teams"] == [2, 2], found
    assert found["limited_teams"] == [1, 1], found     # threadpoolctl limited fastnn
    assert found["limited_counts"][0] == 1, found
    if other_follows_openmp:                           # and the other runtime too
        assert found["limited_counts"][1] == 1, found
    assert found["same_results_limited"]
    assert found["child_threads"] == 1 and found["child_teams"] == [1, 1], found  # fork handler
    assert found["same_results_child"]


def test_fastnn_and_scikit_learn_openmp_runtimes_coexist():
    pytest.importorskip("sklearn")
    found = _run("sklearn")
    if not found["theirs"]:
        pytest.skip("scikit-learn shares fastnn's OpenMP runtime (built from source here): "
                    "no second runtime to test against")
    _check(found, other_follows_openmp=True)


def test_fastnn_and_pytorch_openmp_runtimes_coexist():
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed (the scikit-learn case covers a second libgomp)")
    found = _run("torch")
    if not found["theirs"]:
        # a source build's libgomp.so.1 satisfies torch's by soname; a repaired
        # wheel's renamed copy does not, so there torch loads its own
        pytest.skip("PyTorch shares fastnn's OpenMP runtime (one libgomp.so.1)")
    _check(found, other_follows_openmp=False)  # torch keeps its own intra-op count
