"""The command line's argument checks: argparse value types for its flags
(each turns a flag's text into its value or raises
argparse.ArgumentTypeError, which argparse prints as a usage error naming
the flag, exit status 2), CLIError (a user error, printed as one line, exit
status 1) and the check of train's output paths."""
import argparse
import os
import tempfile

from . import _recipes
from ._augment import AUGMENT_NAMES
from ._validate import ACTIVATION_ALIASES, ACTIVATIONS


class CLIError(Exception):
    """A user error, printed as one line."""


def check_output_paths(args):
    """--save and --plot name files in existing directories, not the data;
    --plot an image format matplotlib (installed) writes."""
    data = os.path.realpath(args.data) if os.path.exists(args.data) else None
    for flag, path in (("--save", args.save), ("--plot", args.plot)):
        if path is None:
            continue
        if not path or os.path.isdir(path):
            raise CLIError("%s: %r is not a file name" % (flag, path))
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise CLIError("%s: cannot write %s: no such directory" % (flag, path))
        if os.path.realpath(path) == data:  # a symlink to the data too
            raise CLIError("%s %s would overwrite the training data" % (flag, path))
        _check_writable(flag, path)
    if args.save and args.plot and os.path.realpath(args.save) == os.path.realpath(args.plot):
        raise CLIError("--save and --plot name the same file %s: the figure would overwrite "
                       "the model" % args.save)
    if args.plot:
        import importlib.util
        if importlib.util.find_spec("matplotlib") is None:
            raise CLIError('--plot needs matplotlib: pip install "fastnn[plot]"')
        from matplotlib.figure import Figure
        if _recipes.plot_format(args.plot) not in Figure().canvas.get_supported_filetypes():
            raise CLIError("--plot: cannot tell an image format from %r (give .png, .pdf, "
                           ".svg, ...)" % args.plot)


def _check_writable(flag, path):
    """CLIError unless a file can be written where `path` is (a device, a
    FIFO, a read-only or virtual directory such as /proc): found now, not
    after the training it would cost."""
    from .io import _target_file
    try:
        target = _target_file(path)
        with tempfile.NamedTemporaryFile(dir=os.path.dirname(os.path.abspath(target)),
                                         prefix=".fastnn-check-"):
            pass
    except ValueError as exc:  # not a regular file: the message names it
        raise CLIError("%s: %s" % (flag, exc))
    except OSError as exc:  # _target_file's (a symlink loop) names the path already
        named = (exc.strerror or "").startswith("cannot write")
        raise CLIError("%s: %s" % (flag, exc.strerror if named
                                   else "cannot write %s: %s" % (path, exc.strerror or exc)))


def int_list(text):
    try:
        sizes = tuple(int(v) for v in text.split(","))  # an empty item is a typo: refused
    except ValueError:
        raise argparse.ArgumentTypeError("expected comma-separated sizes like 1024,512, got %r"
                                         % text) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive, got %r" % text)
    return sizes


def name_list(text):
    """Hidden activations: names (or aliases) the vocabulary knows."""
    names = [v.strip() for v in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError("expected comma-separated activation names like "
                                         "relu,tanh, got %r" % text)
    unknown = [n for n in names if n not in ACTIVATIONS and n not in ACTIVATION_ALIASES]
    if unknown:
        raise argparse.ArgumentTypeError("unknown activation %r: use %s" % (
            unknown[0], ", ".join(sorted(set(ACTIVATIONS) | set(ACTIVATION_ALIASES)))))
    return names


def int_at_least(low, what):
    """The type of a flag that takes an int of `low` or more (`what` names
    it in the error)."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError("expected %s, got %r" % (what, text))
        return value
    return parse


positive_int = int_at_least(1, "a positive integer")


def float_in(low, high, what, low_open=False, high_open=False):
    """The type of a flag that takes a number in [low, high] (an open end
    excluded; `what` names the range in the error)."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (low < value if low_open else low <= value) or \
                not (value < high if high_open else value <= high):
            raise argparse.ArgumentTypeError("expected %s, got %r" % (what, text))
        return value
    return parse


learning_rate = float_in(0, float("inf"), "a positive learning rate", True, True)
drop_rate = float_in(0, 1, "a drop rate in [0, 1)", high_open=True)
smoothing = float_in(0, 1, "a label smoothing in [0, 1]")


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("expected a positive number of seconds, got %r" % text)
    return value


def image_shape(text):
    try:
        return _recipes.parse_image_shape(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def augment_list(text):
    names = [v.strip() for v in text.split(",") if v.strip()]
    if names == ["none"]:
        return []
    if not names or not set(names) <= set(AUGMENT_NAMES):
        raise argparse.ArgumentTypeError("expected a comma-separated list of %s "
                                         "(e.g. shift,flip), or none, got %r"
                                         % (", ".join(AUGMENT_NAMES), text))
    return names


def peer_list(text):
    """`bench --peers`: trainer names of _bench.TRAINERS (imported here, not
    at start-up: bench is the only command that needs it)."""
    from ._bench import TRAINERS
    valid = [name for name, *_ in TRAINERS]
    names = [v.strip().lower() for v in text.split(",") if v.strip()]
    unknown = [v for v in names if v not in valid]
    if not names or unknown:
        expected = "expected a comma-separated subset of " + ",".join(valid)
        raise argparse.ArgumentTypeError(
            "unknown trainer %s: %s" % (", ".join(map(repr, unknown)), expected) if unknown
            else "%s, got %r" % (expected, text))
    return list(dict.fromkeys(names))  # each once, in the order given


def seed(text):
    """A random seed: an int in [0, 2**64) (NumPy's generators take no
    negative seed, fastnn's draws take 64 bits)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2 ** 64:
        raise argparse.ArgumentTypeError("expected an integer from 0 to 2**64 - 1, got %r"
                                         % text)
    return value


def image_options(args, fit_kwargs):
    """A recipe's fit options (updated in place) with --image-shape (shifts
    of up to 2 pixels, fewer on images under 3 pixels a side, unless the
    recipe augments otherwise) and --augment; CLIError for shifts that
    cannot apply.  Unaugmented, --components trains on projections, not
    images (_recipes.components refuses augmenting them)."""
    if args.image_shape is not None:
        fit_kwargs.update(image_shape=args.image_shape,
                          augment=fit_kwargs.get("augment", ["shift"]),
                          max_shift=min(2, min(args.image_shape[:2]) - 1))
    if args.augment is not None:
        if args.augment and "image_shape" not in fit_kwargs:
            raise CLIError("--augment needs --image-shape HxW (or HxWxC): the rows are "
                           "images of which size?")
        fit_kwargs["augment"] = args.augment or None
    if args.components and not fit_kwargs.get("augment"):  # no image left to check
        fit_kwargs.pop("image_shape", None)
        fit_kwargs.pop("max_shift", None)
    if "shift" in (fit_kwargs.get("augment") or ()) and fit_kwargs["max_shift"] == 0:
        raise CLIError("--image-shape %s: an image one pixel high or wide cannot be shifted; "
                       "give --augment flip (or none)" % "x".join(map(str, args.image_shape)))
