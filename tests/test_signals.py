"""Ctrl-C (SIGINT) stops predict on a large input and load of a large model
file promptly.  (Ctrl-C during fit is test_model.py's.)

predict runs in chunks of PREDICT_CHUNK rows, one short GIL-free kernel call
per layer, so Python sees the signal between two calls; load is a handful of
short calls (read each tensor, build the model).  The bound on the wait is
generous (a loaded CI machine is slow): these tests assert that the signal
is honoured, not how fast the machine is."""
import os

import pytest

from conftest import interrupt_after_ready

PROMPT_SECONDS = 5.0  # "promptly": far less than the minutes an unstoppable run would take


def test_ctrl_c_stops_predict_on_a_large_input():
    code = """
import time, numpy as np, fastnn
X = np.random.default_rng(0).standard_normal((400000, 100)).astype(np.float32)
m = fastnn.MLP([100, 512, 512, 10], random_state=0)
m.predict(X[:10])
print('ready', flush=True)
t = time.perf_counter()
try:
    for _ in range(200):       # ~seconds per pass: still running at the signal
        m.predict(X)
    print('finished', flush=True)
except KeyboardInterrupt:
    print('interrupted %.3f' % (time.perf_counter() - t), flush=True)
"""
    out, waited, err = interrupt_after_ready(code)
    assert "interrupted" in out, (out, err[-2000:])
    assert waited < PROMPT_SECONDS, waited


def test_ctrl_c_stops_load_of_a_large_model(tmp_path):
    pytest.importorskip("safetensors")
    path = tmp_path / "big.safetensors"
    code = """
import time, numpy as np, fastnn
path = %r
fastnn.save(fastnn.MLP([2000, 2000, 2000, 10], random_state=0), path)   # 32 MB
fastnn.load(path)
print('ready', flush=True)
t = time.perf_counter()
try:
    while True:
        fastnn.load(path)
except KeyboardInterrupt:
    print('interrupted', flush=True)
""" % str(path)
    out, waited, err = interrupt_after_ready(code, delay=0.5)
    assert "interrupted" in out, (out, err[-2000:])
    assert waited < PROMPT_SECONDS, waited
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
