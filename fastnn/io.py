"""Save and load fastnn models as .safetensors files.

A model file holds the model's arrays as tensors and, in the safetensors
header metadata (a str -> str dict):

- ``format``: "fastnn";
- ``format_version``: "2" (version 1 files still load; version 2 added lists
  of one hidden activation per layer to MLP's meta, which an older fastnn
  must refuse rather than misread);
- ``class``: the registered class name, e.g. "MLP";
- ``meta``: json.dumps of the model's meta dict.

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
import stat

import numpy as np

FORMAT = "fastnn"
FORMAT_VERSION = 2
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
    "ScaledModel": ("fastnn.scaled", "ScaledModel"),
    "LogisticRegression": ("fastnn.linear", "LogisticRegression"),
    "OrdinalRegression": ("fastnn.linear", "OrdinalRegression"),
    "MLPClassifier": ("fastnn.sklearn", "MLPClassifier"),
    "MLPRegressor": ("fastnn.sklearn", "MLPRegressor"),
}


def register(cls=None, *, name=None):
    """Make a class loadable by ``fastnn.load``; usable as a decorator.

    Parameters
    ----------
    cls : type, optional
        The class: it needs ``_fastnn_state()`` and a classmethod
        ``_from_fastnn_state(meta, arrays)``.
    name : str, optional
        The name files record (default: the class's name).

    Returns
    -------
    type or callable
        ``cls``, or a decorator when ``cls`` is omitted.

    Raises
    ------
    TypeError
        ``cls`` lacks one of the two methods.
    """
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


def _json_value(obj):
    """A NumPy scalar in the meta (a hyperparameter from a NumPy grid) as the
    Python number it holds; anything else JSON lacks is named."""
    if isinstance(obj, np.generic) and not isinstance(obj, (np.bytes_, np.void)):
        return obj.item()
    raise TypeError("a model file cannot hold %.100r (%s) in its settings"
                    % (obj, type(obj).__name__))


def save(model, path):
    """Write ``model`` to ``path`` (.safetensors), atomically.

    The file is written under a temporary name in the same directory and then
    renamed, so ``path`` is either the old file or the complete new one (a
    symlink is written through: the file it points to is replaced).  It
    holds the weights and the architecture, never a pickle
    (``pip install "fastnn[io]"``); saving one model twice gives the same
    bytes.

    Parameters
    ----------
    model : object
        A model of a registered class: MLP, MLPClassifier, MLPRegressor,
        LogisticRegression, OrdinalRegression, ScaledModel, or one added with
        ``fastnn.io.register``.
    path : str or path-like

    Raises
    ------
    ValueError
        The model's class is not registered, or ``path`` is a directory, a
        FIFO, a device or a socket.
    TypeError
        The model holds an array of a dtype a model file cannot hold.
    FileNotFoundError
        The directory of ``path`` does not exist.

    Examples
    --------
    >>> fastnn.save(model, "model.safetensors")  # doctest: +SKIP
    >>> model = fastnn.load("model.safetensors")  # doctest: +SKIP
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
                "meta": json.dumps(meta, default=_json_value)}
    path = os.fsdecode(path)  # str, bytes or a path-like
    target = _target_file(path)
    directory, base = os.path.split(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise FileNotFoundError("cannot save to %s: no such directory %s" % (path, directory))
    header, data = _sorted_metadata(st.numpy.save(tensors, metadata=metadata))
    tmp = os.path.join(directory, ".%s.%d.%s.tmp" % (base, os.getpid(), secrets.token_hex(4)))
    try:
        # the mode open() would give, or that of the file it replaces
        with open(tmp, "xb") as f:
            f.write(header)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(os.stat(target if os.path.isfile(target) else tmp).st_mode))
        os.replace(tmp, target)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(exc, OSError) and exc.errno is not None:  # name path, not tmp
            raise OSError(exc.errno, "cannot save to %s: %s" % (path, exc.strerror)) from None
        raise


def _sorted_metadata(data):
    """(header, tensor data) of safetensors' bytes, with the __metadata__
    keys sorted: its serializer writes them in a hash map's random order, so
    two saves of one model would differ.  The JSON is the same, so the same
    length (padded with spaces, as the format allows); the library's own
    header if anything does not fit."""
    view = memoryview(data)
    n = 8 + int.from_bytes(data[:8], "little")
    try:
        header = json.loads(bytes(view[8:n]))
        header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, KeyError, AttributeError, TypeError):
        return bytes(view[:n]), view[n:]
    if len(text) > n - 8:
        return bytes(view[:n]), view[n:]
    return bytes(view[:8]) + text + b" " * (n - 8 - len(text)), view[n:]


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _target_file(path):
    """The file a write to ``path`` replaces: the file a symlink points to
    (written through, as open() would), a regular file or none yet.
    ValueError for a directory, FIFO, device or socket, which renaming a
    new file onto would replace or fail on rather than write."""
    target = os.path.realpath(path) if os.path.islink(path) else path
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the caller names a missing directory
        return target
    except OSError as exc:  # a symlink loop
        raise OSError(exc.errno, "cannot write %s: %s" % (path, exc.strerror)) from None
    for test, kind in _KINDS:
        if test(mode):
            raise ValueError("cannot write %s: it is %s, not a regular file" % (path, kind))
    return target


# safetensors dtype codes -> (numpy name, bytes per element)
_ST_DTYPES = {"F64": ("float64", 8), "F32": ("float32", 4), "F16": ("float16", 2),
              "BF16": ("bfloat16", 2), "I64": ("int64", 8), "I32": ("int32", 4),
              "I16": ("int16", 2), "I8": ("int8", 1), "U64": ("uint64", 8),
              "U32": ("uint32", 4), "U16": ("uint16", 2), "U8": ("uint8", 1),
              "BOOL": ("bool", 1)}
_MAX_HEADER = 100 * 2 ** 20  # safetensors' own limit


def _header(path):
    """The safetensors header of ``path`` (a dict), read and checked without
    reading any tensor: every entry has a known dtype, a shape of ints >= 0 and
    data offsets whose length is exactly the shape's byte size, and the
    tensors tile the data section of the file.  ValueError otherwise."""
    def bad(why):
        return ValueError("not a fastnn model file: %s (%s)" % (path, why))
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise bad("shorter than a safetensors header")
        n = int.from_bytes(raw, "little")
        if n > min(size - 8, _MAX_HEADER):
            raise bad("header length %d does not fit the file (%d bytes)" % (n, size))
        text = f.read(n)
    try:
        header = json.loads(text)
    except (ValueError, RecursionError):
        raise bad("header is not JSON") from None
    if not isinstance(header, dict):
        raise bad("header is not a JSON object")
    spans = []
    for key, entry in header.items():
        if key == "__metadata__":
            if not (entry is None or isinstance(entry, dict)
                    and all(isinstance(v, str) for v in entry.values())):
                raise bad("__metadata__ must map str to str")
            continue
        if not (isinstance(entry, dict) and isinstance(entry.get("dtype"), str)
                and entry["dtype"] in _ST_DTYPES):
            raise bad("tensor %.60r has no known dtype" % key)
        shape, offsets = entry.get("shape"), entry.get("data_offsets")
        if not (isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)):
            raise bad("tensor %.60r has shape %.60r" % (key, shape))
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(type(o) is int for o in offsets) and 0 <= offsets[0] <= offsets[1]):
            raise bad("tensor %.60r has data_offsets %.60r" % (key, offsets))
        nbytes = _ST_DTYPES[entry["dtype"]][1]
        for d in shape:
            nbytes *= d
        if offsets[1] - offsets[0] != nbytes:
            raise bad("tensor %.60r: %s %s needs %d bytes, data_offsets give %d"
                      % (key, entry["dtype"], shape, nbytes, offsets[1] - offsets[0]))
        spans.append(offsets)
    end = 0
    for lo, hi in sorted(spans):
        if lo != end:
            raise bad("tensor data is not contiguous at byte %d" % lo)
        end = hi
    if 8 + n + end != size:
        raise bad("the tensors need %d bytes of data but the file holds %d"
                  % (end, size - 8 - n))
    return header


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

    Loading never unpickles and never imports a name taken from the file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    object
        The model, of the class the file names.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        It is not a complete fastnn model file, was written by a newer fastnn,
        names an unknown class, or holds arrays that disagree with its metadata.
    """
    st = _safetensors()
    path = os.fsdecode(path)  # str, bytes or a path-like
    if not os.path.isfile(path):
        raise FileNotFoundError("no such model file: %s" % path)
    header = _header(path)
    metadata = header.get("__metadata__") or {}
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
    for key, entry in header.items():
        dtype = _ST_DTYPES[entry["dtype"]][0] if key != "__metadata__" else None
        if dtype is not None and dtype not in allowed:
            raise ValueError("corrupt fastnn model file: %s (tensor %r has dtype %s; "
                             "expected one of %s)" % (path, key, dtype, ", ".join(allowed)))
    _, tensors = _read(path, st)  # only now, with every size checked
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
