"""Training speed against the peers, drawn from the stored measurements:
the "Training: one epoch of 784-1024-512-10" table of docs/performance.md
(read here, never re-measured)."""
from pathlib import Path

import matplotlib.pyplot as plt

try:
    HERE = Path(__file__).resolve().parent
except NameError:  # run by Sphinx's plot directive, from this directory
    HERE = Path.cwd()
TITLE = "### Training: one epoch of 784-1024-512-10"
PEERS = ("fastnn", "fastnn bf16", "NumPy", "PyTorch", "JAX jit", "scikit-learn")


def training_table(markdown):
    """{column: [values]} of the batch and peer columns of the first table under TITLE."""
    lines = markdown[markdown.index(TITLE):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, body = rows[0], rows[2:]  # rows[1] is the |---:| line
    return {name: [float(row[i]) for row in body] for i, name in enumerate(header)
            if name == "batch" or name in PEERS}


table = training_table((HERE.parent / "performance.md").read_text())
fig, ax = plt.subplots()
for name in PEERS:
    ax.plot(table["batch"], [v / 1000 for v in table[name]], marker="o", label=name,
            linewidth=2.5 if name.startswith("fastnn") else 1.2)
ax.set_xscale("log", base=2)
ax.set_xticks(table["batch"], [str(int(b)) for b in table["batch"]])
ax.set_xlabel("batch size")
ax.set_ylabel("thousand samples / s")
ax.set_title("One epoch of 784-1024-512-10, AMD EPYC Zen 4, 2 threads")
ax.legend()
