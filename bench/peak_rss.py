"""Peak RSS of one training epoch (784-1024-512-10, dropout 0.25, Adam, batch
128, 20000 float32 samples) for fastnn (float32 and bfloat16 compute) and
PyTorch, each in a fresh process:

    python bench/peak_rss.py

fastnn's training is first checked against NumPy in this process (bench/
_check.py); the first line printed is the configuration.  Each child runs
with fastnn's default thread count.
"""
import argparse
import importlib.util
import subprocess
import sys

import _check

COMMON = """
import resource, numpy as np
rng = np.random.default_rng(0)
X = rng.standard_normal((20000, 784)).astype(np.float32)
y = rng.integers(0, 10, 20000)
"""

FASTNN = COMMON + """
import fastnn
fastnn.MLP([784, 1024, 512, 10], dropout=0.25, random_state=0).fit(X, y, epochs=1, batch_size=128)
"""
FASTNN_BF16 = FASTNN.replace("random_state=0)", "random_state=0, dtype='bfloat16')")

TORCH = COMMON + """
import torch
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Dropout(0.25),
                          torch.nn.Linear(1024, 512), torch.nn.ReLU(), torch.nn.Dropout(0.25),
                          torch.nn.Linear(512, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
for i in range(0, len(Xt), 128):
    opt.zero_grad()
    torch.nn.functional.cross_entropy(net(Xt[i:i + 128]), yt[i:i + 128]).backward()
    opt.step()
"""

REPORT = """
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def peak_mb(code):
    out = subprocess.run([sys.executable, "-c", code + REPORT], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.split()[-1])


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    _check.print_config()
    for dtype in ("float32", "bfloat16"):
        _check.check_training(dtype)
    for name, code in (("fastnn", FASTNN), ("fastnn bfloat16", FASTNN_BF16), ("torch", TORCH)):
        if name == "torch" and importlib.util.find_spec("torch") is None:
            print("torch           not installed")
            continue
        print("%-15s peak RSS %4d MB" % (name, peak_mb(code)))
