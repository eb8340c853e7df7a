"""Shared driver for tools/fuzz_ops.py and tools/fuzz_load.py.

A test case is a byte string.  `Bytes` turns it into choices (ints, picks,
floats) deterministically, so one input reproduces one case under either
driver:

* atheris (coverage-guided libFuzzer for Python) when it is installed:
  ``python tools/fuzz_ops.py -max_total_time=600 tools/fuzz_corpus/ops``
  (any libFuzzer flag works; a crash input is written as ./crash-<sha1>);
* otherwise, or with ``--random N``, a seeded pure-Python loop that feeds
  N random byte strings (``--seed S``; ``--seconds T`` bounds the time).

``--replay FILE...`` runs saved inputs once each (what the regression tests
do with tools/fuzz_corpus/).  A "bug" is any exception outside the target's
allowed set, a wrong answer (AssertionError) or a crash of the process.
"""
import os
import random
import struct
import sys
import time


class Bytes:
    """Deterministic choices drawn from a byte string (zeros once exhausted)."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def take(self, n):
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk.ljust(n, b"\0")

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def int_in(self, lo, hi):
        return lo + self.u32() % (hi - lo + 1)

    def pick(self, options):
        return options[self.u32() % len(options)]

    def flag(self, p_true=0.5):
        return self.u32() % 1000 < p_true * 1000

    def rest(self):
        chunk = self.data[self.pos:]
        self.pos = len(self.data)
        return chunk


def main(one_input, name, argv=None, generate=None):
    """Run one_input under atheris, the random loop or --replay; `generate(rng)`
    makes one random input (default: 0 to 256 random bytes)."""
    argv = list(sys.argv if argv is None else argv)
    if "--replay" in argv:
        files = argv[argv.index("--replay") + 1:]
        for path in files:
            with open(path, "rb") as f:
                one_input(f.read())
        print("%s: replayed %d inputs, no bug" % (name, len(files)))
        return
    if "--random" in argv or not _have_atheris():
        n = int(_opt(argv, "--random", 10 ** 12))
        seed = int(_opt(argv, "--seed", 0))
        seconds = float(_opt(argv, "--seconds", 1e12))
        rng = random.Random(seed)
        t0, done = time.monotonic(), 0
        while done < n and time.monotonic() - t0 < seconds:
            data = generate(rng) if generate else \
                bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 256)))
            try:
                one_input(data)
            except BaseException:
                path = "crash-random-%d-%d" % (seed, done)
                with open(path, "wb") as f:
                    f.write(data)
                print("%s: bug on input %d, saved to %s" % (name, done, path))
                raise
            done += 1
        print("%s: %d random inputs in %.0f s (seed %d), no bug"
              % (name, done, time.monotonic() - t0, seed))
        return
    import atheris
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def _have_atheris():
    try:
        import atheris  # noqa: F401
        return True
    except ImportError:
        return False


def _opt(argv, flag, default):
    return argv[argv.index(flag) + 1] if flag in argv else default


def instrument():
    """Coverage-instrument fastnn's Python code when running under atheris."""
    as_script = os.path.basename(sys.argv[0] if sys.argv else "").startswith("fuzz_")
    if as_script and _have_atheris() and "--replay" not in sys.argv \
            and "--random" not in sys.argv:
        import atheris
        return atheris.instrument_imports(include=["fastnn"])
    import contextlib
    return contextlib.nullcontext()


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
