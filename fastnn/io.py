"""Save and load fastnn models as .safetensors files.

A model file holds the model's arrays as tensors and, in the safetensors
header metadata (a str -> str dict):

    format          "fastnn"
    format_version  "1"
    class           the registered class name, e.g. "MLP"
    meta            json.dumps of the model's meta dict

A class is saveable when it has ``_fastnn_state() -> (meta, arrays)`` and a
classmethod ``_from_fastnn_state(meta, arrays)``, and is registered under a
name (``@fastnn.io.register``, or an entry of ``_BUILTIN`` below).  Loading
never unpickles and never imports a name taken from the file: an unknown
class is a ValueError.  The class's ``_from_fastnn_state`` checks that the
array shapes agree with meta; ``load`` checks everything else.
"""
import json
import os
import secrets

import numpy as np

FORMAT = "fastnn"
FORMAT_VERSION = 1
DEFAULT_DTYPES = ("float32", "float64", "int64")
# What a class's _from_fastnn_state raises on meta of the wrong type or range
# (found by tools/fuzz_load.py); load reports each as a corrupt file.
_CORRUPT = (KeyError, TypeError, IndexError, AttributeError, OverflowError, RecursionError,
            ZeroDivisionError)

_REGISTRY = {}
# Classes defined in fastnn itself, resolved on first use so that importing
# fastnn.io does not import them: name -> (fastnn module, attribute).
_BUILTIN = {
    "MLP": ("fastnn", "MLP"),
    "ScaledModel": ("fastnn.cli", "ScaledModel"),
    "LogisticRegression": ("fastnn.linear", "LogisticRegression"),
    "OrdinalRegression": ("fastnn.linear", "OrdinalRegression"),
    "MLPClassifier": ("fastnn.sklearn", "MLPClassifier"),
    "MLPRegressor": ("fastnn.sklearn", "MLPRegressor"),
}


def register(cls=None, *, name=None):
    """Make a class loadable by ``fastnn.load``; usable as a decorator."""
    def add(cls):
        for attr in ("_fastnn_state", "_from_fastnn_state"):
            if not callable(getattr(cls, attr, None)):
                raise TypeError("%s has no %s method" % (cls.__name__, attr))
        _REGISTRY[name or cls.__name__] = cls
        return cls
    return add if cls is None else add(cls)


def resolve(name):
    """The registered class called ``name``, or ValueError."""
    cls = _REGISTRY.get(name)
    if cls is None and name in _BUILTIN:
        import importlib
        module, attr = _BUILTIN[name]
        cls = getattr(importlib.import_module(module), attr, None)
    if cls is None:
        raise ValueError("unknown model class %r (known: %s)"
                         % (name, ", ".join(sorted(set(_REGISTRY) | set(_BUILTIN)))))
    return cls


def class_name(cls):
    """The name ``cls`` is registered under, or ValueError."""
    for name in list(_REGISTRY) + [n for n in _BUILTIN if n not in _REGISTRY]:
        try:
            if resolve(name) is cls:
                return name
        except (ValueError, ImportError):
            continue
    raise ValueError("cannot save a %s: its class is not registered with fastnn.io.register"
                     % cls.__name__)


def _safetensors():
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError('saving and loading models needs safetensors: '
                          'pip install "fastnn[io]"') from None
    return safetensors


def save(model, path):
    """Write ``model`` to ``path`` (.safetensors), atomically.

    The file is written under a temporary name in the same directory and then
    renamed, so ``path`` is either the old file or the complete new one.
    """
    st = _safetensors()
    name = class_name(type(model))
    meta, arrays = model._fastnn_state()
    if not isinstance(meta, dict):
        raise TypeError("%s._fastnn_state() must return a dict meta, got %s"
                        % (name, type(meta).__name__))
    tensors = {}
    for key, value in arrays.items():
        a = np.ascontiguousarray(value)
        if a.dtype.name not in getattr(type(model), "_fastnn_dtypes", DEFAULT_DTYPES):
            raise TypeError("array %r has dtype %s, which a model file cannot hold"
                            % (key, a.dtype))
        tensors[str(key)] = a
    metadata = {"format": FORMAT, "format_version": str(FORMAT_VERSION), "class": name,
                "meta": json.dumps(meta)}
    path = os.fspath(path)
    directory, base = os.path.split(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError("cannot save to %s: no such directory %s" % (path, directory))
    tmp = os.path.join(directory, ".%s.%d.%s.tmp" % (base, os.getpid(), secrets.token_hex(4)))
    try:
        st.numpy.save_file(tensors, tmp, metadata=metadata)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read(path, st):
    """(metadata, tensors) of a safetensors file, or ValueError."""
    try:
        with st.safe_open(path, framework="numpy") as f:
            metadata = f.metadata() or {}
            tensors = {key: np.array(f.get_tensor(key)) for key in f.keys()}
    except (OSError, ValueError, TypeError, st.SafetensorError) as exc:
        raise ValueError("not a fastnn model file: %s (%s)" % (path, exc)) from None
    return metadata, tensors


def load(path):
    """Read a model written by ``fastnn.save``.

    Raises FileNotFoundError if ``path`` does not exist, and ValueError if it is
    not a complete fastnn model file, was written by a newer fastnn, names an
    unknown class, or holds arrays that disagree with its metadata.
    """
    st = _safetensors()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError("no such model file: %s" % path)
    metadata, tensors = _read(path, st)
    if metadata.get("format") != FORMAT:
        raise ValueError("not a fastnn model file: %s (safetensors without fastnn metadata)"
                         % path)
    try:
        version = int(metadata.get("format_version", ""))
    except ValueError:
        raise ValueError("not a fastnn model file: %s (format_version %r)"
                         % (path, metadata.get("format_version"))) from None
    if version > FORMAT_VERSION:
        raise ValueError("%s was written by a newer fastnn (format version %d; this fastnn "
                         "reads up to %d): upgrade fastnn" % (path, version, FORMAT_VERSION))
    if version < 1:
        raise ValueError("not a fastnn model file: %s (format_version %d)" % (path, version))
    cls = resolve(metadata.get("class", ""))
    try:
        meta = json.loads(metadata.get("meta", ""))
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the stack
        raise ValueError("corrupt fastnn model file: %s (meta is not JSON)" % path) from None
    if not isinstance(meta, dict):
        raise ValueError("corrupt fastnn model file: %s (meta is not a JSON object)" % path)
    allowed = getattr(cls, "_fastnn_dtypes", DEFAULT_DTYPES)
    for key, a in tensors.items():
        if a.dtype.name not in allowed:
            raise ValueError("corrupt fastnn model file: %s (tensor %r has dtype %s; "
                             "expected one of %s)" % (path, key, a.dtype, ", ".join(allowed)))
    try:
        model = cls._from_fastnn_state(meta, tensors)
        # Belt and braces: the rebuilt model must hold arrays of the file's shapes
        # (and be saveable again: this also checks the types of the fitted values).
        _, rebuilt = model._fastnn_state()
    except _CORRUPT as exc:
        raise ValueError("corrupt fastnn model file: %s (%s: %s)"
                         % (path, type(exc).__name__, exc)) from None
    except ValueError as exc:
        raise ValueError("corrupt fastnn model file: %s (%s)" % (path, exc)) from None
    for key, a in rebuilt.items():
        if key in tensors and np.shape(a) != tensors[key].shape:
            raise ValueError("corrupt fastnn model file: %s (tensor %r has shape %s but the "
                             "model built from meta has %s)"
                             % (path, key, tensors[key].shape, np.shape(a)))
    return model
