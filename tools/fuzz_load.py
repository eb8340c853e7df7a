"""Fuzz fastnn.load with mutated model files (see tools/_fuzzlib.py for drivers).

    nice -n 19 python tools/fuzz_load.py -max_total_time=600 -rss_limit_mb=4096 \\
        /tmp/fuzz_load_corpus tools/fuzz_corpus/load       # atheris, 10 minutes
    python tools/fuzz_load.py --random 2000 --seed 1       # no atheris needed

The seed corpus (tools/fuzz_corpus/load) holds real fastnn.save outputs of an
MLP, an MLPClassifier and a LogisticRegression (a few hundred bytes each).
An input is either a whole file (libFuzzer mutates the seeds byte by byte)
or, when it starts with b"FZ", a recipe: pick a seed, then apply structured
mutations to its safetensors header (dtypes, shapes, offsets, the header
length), its fastnn metadata (format_version, class, the meta JSON: layer
sizes, classes, counts, deep nesting) and its bytes (truncation, garbage).

fastnn.load must return a model or raise ValueError / FileNotFoundError
within a few seconds, without a crash, another exception or a huge
allocation; a returned model must predict on a small input (or raise
ValueError/TypeError).
"""
import json
import os
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _fuzzlib import Bytes, instrument, main  # noqa: E402

import numpy as np  # noqa: E402

with instrument():
    import fastnn  # noqa: E402
    import fastnn.sklearn  # noqa: E402,F401
    import fastnn.linear  # noqa: E402,F401

SEED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_corpus", "load")
SEEDS = [open(os.path.join(SEED_DIR, f), "rb").read() for f in sorted(os.listdir(SEED_DIR))
         if f.endswith(".safetensors")]
ALLOWED = (ValueError, FileNotFoundError)
SLOW_SECONDS = 5.0
ODD_VALUES = (None, -1, 0, 1, 2, 3, 10 ** 5, 10 ** 9, 2 ** 31, 2 ** 63, 10 ** 30, -(2 ** 63),
              1.5, float("nan"), 1e308, "x", "", "relu", [], {}, [1, 2], [0], [10 ** 5] * 2,
              [30000, 30000, 2], [4, 0, 2], [-1], ["a"], [[1]], True, {"a": 1})
DTYPES = ("F32", "F64", "I64", "F16", "BF16", "U8", "I8", "BOOL", "I32", "U64", "XX", "", 3)
DIR = tempfile.mkdtemp(prefix="fastnn-fuzz-load-")
PATH = os.path.join(DIR, "model.safetensors")


def split(blob):
    n = struct.unpack("<Q", blob[:8])[0]
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def join(header, body, pad=True):
    h = json.dumps(header).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + body


def mutate_value(b, value, depth=0):
    """A random change somewhere inside a JSON value."""
    if isinstance(value, dict) and value and depth < 4 and b.flag(0.7):
        key = b.pick(sorted(value))
        value = dict(value)
        if b.flag(0.1):
            del value[key]
        else:
            value[key] = mutate_value(b, value[key], depth + 1)
        return value
    if isinstance(value, list) and value and depth < 4 and b.flag(0.6):
        value = list(value)
        i = b.int_in(0, len(value) - 1)
        choice = b.int_in(0, 3)
        if choice == 0:
            value[i] = mutate_value(b, value[i], depth + 1)
        elif choice == 1:
            del value[i]
        elif choice == 2:
            value.append(value[i])
        else:
            value = value * b.int_in(2, 40)
        return value
    if b.flag(0.05):
        nested = []
        for _ in range(b.pick((10, 100, 500))):
            nested = [nested]
        return nested
    return b.pick(ODD_VALUES)


def recipe(b):
    blob = b.pick(SEEDS)
    header, body = split(blob)
    meta_md = header.get("__metadata__", {})
    for _ in range(b.int_in(1, 4)):
        what = b.pick(("tensor", "tensor", "version", "class", "meta", "meta", "meta",
                       "truncate", "garbage", "hlen", "drop_tensor", "md_raw"))
        names = [k for k in header if k != "__metadata__"]
        if what == "tensor" and names:
            t = dict(header[b.pick(names)])
            field = b.pick(("dtype", "shape", "data_offsets"))
            if field == "dtype":
                t["dtype"] = b.pick(DTYPES)
            elif field == "shape":
                t["shape"] = b.pick(([], [0], [1], [2 ** 40], [-1], [3, 4], [4, 3, 1],
                                     [2 ** 31, 2 ** 31], [12], t["shape"][::-1], "x"))
            else:
                lo, hi = (list(t["data_offsets"]) + [0, 0])[:2]
                t["data_offsets"] = b.pick(([lo, hi + 4], [lo + 4, hi], [hi, lo], [0, 0],
                                            [lo, 2 ** 62], [-8, hi], [lo]))
            header[b.pick(names)] = t
        elif what == "drop_tensor" and names:
            del header[b.pick(names)]
        elif what == "version":
            meta_md["format_version"] = b.pick(("2", "0", "-1", "1.5", " 1", "1\x00",
                                                "99999999999999999999999", "", "1e3"))
        elif what == "class":
            meta_md["class"] = b.pick(("MLP", "MLPClassifier", "MLPRegressor",
                                       "LogisticRegression", "OrdinalRegression", "ScaledModel",
                                       "os.system", "__import__", "", "builtins.eval"))
        elif what == "meta":
            try:
                meta = json.loads(meta_md.get("meta", "{}"))
            except (ValueError, RecursionError):
                meta = {}
            meta_md["meta"] = json.dumps(mutate_value(b, meta))
        elif what == "md_raw":
            key = b.pick(("meta", "format", "class"))
            meta_md[key] = b.pick(("{", "[]", "null", "1", "{\"params\": 1}", "\x00", "fastnn",
                                   '{"params": ' + "[" * 100000 + "]" * 100000 + "}"))
        header["__metadata__"] = meta_md
    data = join(header, body, pad=b.flag(0.9))
    if b.flag(0.1):
        data = data[:b.int_in(0, len(data))]
    if b.flag(0.05):
        data += b.rest()
    if b.flag(0.05):
        data = struct.pack("<Q", b.pick((0, 1, 2 ** 63, len(data), 2 ** 40))) + data[8:]
    return data


def one_input(data):
    if data[:2] == b"FZ":
        data = recipe(Bytes(data[2:]))
    with open(PATH, "wb") as f:
        f.write(data)
    t0 = time.monotonic()
    try:
        model = fastnn.load(PATH)
    except ALLOWED:
        model = None
    elapsed = time.monotonic() - t0
    assert elapsed < SLOW_SECONDS, "load took %.1f s" % elapsed
    if model is None:
        return
    n_features = _n_features(model)
    if n_features is not None and n_features < 10 ** 4:
        try:
            model.predict(np.zeros((2, n_features), dtype=np.float32))
        except (ValueError, TypeError):
            pass


def _n_features(model):
    for attr in ("n_features_in_", "coef_"):
        v = getattr(model, attr, None)
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, np.ndarray) and v.ndim:
            return v.shape[0]
    coefs = getattr(model, "coefs_", None)
    if coefs:
        return np.shape(coefs[0])[0]
    return None


def generate(rng):
    """A random input for the seeded loop: mostly recipes, some byte-flipped seeds."""
    if rng.random() < 0.75:
        return b"FZ" + bytes(rng.getrandbits(8) for _ in range(rng.randint(8, 96)))
    data = bytearray(rng.choice(SEEDS))
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.getrandbits(8)
    return bytes(data)


if __name__ == "__main__":
    main(one_input, "fuzz_load", generate=generate)
