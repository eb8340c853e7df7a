"""fastnn.export(model, path): a fitted model to ONNX (.onnx) or plain C (.c + .h).

The format comes from the extension.  Every file is written to a temporary
file in its own directory and renamed into place only when all are written;
if a rename fails, the files already renamed are put back as they were, so a
failure never leaves a partial or a new file behind.  A symlink is written
through (the file it points to is replaced).  See README.md ("Export") for
what each format holds.
"""
import os
import secrets
import shutil

from ..io import _target_file
from ._graph import describe

__all__ = ["export"]
FORMATS = (".onnx", ".c")


def export(model, path, *, prefix="fastnn", zipmap=True, opset=None):
    """Write a fitted model as ONNX or as C99.

    Parameters
    ----------
    model : object
        A fitted MLP, MLPClassifier, MLPRegressor, LogisticRegression,
        OrdinalRegression, or the CLI's saved model.
    path : str, bytes or path-like
        Ends in .onnx, or in .c: the header is written next to it, same name
        with .h.
    prefix : str
        C only: the function is PREFIX_predict and the macros
        PREFIX_N_INPUTS... (upper-cased), so models with different prefixes
        link into one program.
    zipmap : bool or "columns"
        ONNX classifiers: False outputs the probabilities as a tensor instead
        of skl2onnx's ZipMap of dictionaries.
    opset : int, optional
        The ONNX opset (default 17, DEFAULT_OPSET of fastnn/export/onnx.py).

    Returns
    -------
    str or tuple of str
        The path written (.onnx) or the pair (.c, .h).

    Raises
    ------
    ValueError
        An unknown extension, a prefix that is not a C identifier, a model
        no exporter handles (or with non-finite parameters, or labels no
        exported label can hold), or a target that is not a regular file.
    OSError
        A file cannot be written; nothing is left behind.
    """
    path = os.fsdecode(path)  # str, bytes or a path-like
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise ValueError("cannot tell the export format of %r: the file name must end in "
                         ".onnx or .c" % (path,))
    if ext == ".c":
        from . import c
        c.check_prefix(prefix)
    else:
        from . import onnx
        onnx.require()
    graph = describe(model)
    if ext == ".onnx":
        _write_all({path: onnx.to_onnx_bytes(graph, zipmap=zipmap, opset=opset)})
        return path
    header_path = os.path.splitext(path)[0] + ".h"
    header_name = os.path.basename(header_path)
    if any(ch in header_name for ch in '"\n\r'):  # #include "..." has no escapes
        raise ValueError("the header of %r cannot be #included: its name %r holds a quote "
                         "or a line break" % (path, header_name))
    guard = "%s_MODEL_H" % prefix.upper()
    _write_all({header_path: c.header(graph, prefix, guard).encode(),
                path: c.source(graph, prefix, header_name).encode()})
    return path, header_path


def _write_all(contents):
    """Write {path: bytes}: every file to a temporary file first, then each
    renamed into place, keeping (as a hard link) the file it replaces until
    all are in place; errors name the given paths."""
    targets = {path: _target_file(path) for path in contents}  # ValueError: not a file
    if len({os.path.realpath(t) for t in targets.values()}) < len(targets):
        raise ValueError("cannot write %s: they are the same file" % " and ".join(targets))
    temps, kept, placed = {}, {}, []
    try:
        for path, data in contents.items():
            temps[path] = _write_temp(path, targets[path], data)
        for path, target in targets.items():
            kept[path] = _keep(target)
        for path, temp in temps.items():
            try:
                os.replace(temp, targets[path])
            except OSError as exc:
                raise OSError(exc.errno, "cannot write %s: %s" % (path, exc.strerror)) from None
            placed.append(path)
    except BaseException:
        for path in reversed(placed):  # put back what each replaced, or remove it
            try:
                if kept[path]:
                    os.replace(kept[path], targets[path])
                else:
                    os.unlink(targets[path])
            except OSError:
                pass  # best effort: the error being raised is the one to report
        raise
    finally:
        for name in list(temps.values()) + [k for k in kept.values() if k]:
            if os.path.lexists(name):
                os.unlink(name)


def _hidden(target, suffix):
    directory, name = os.path.split(os.path.abspath(target))
    return os.path.join(directory, ".%s.%s.%s" % (name, secrets.token_hex(6), suffix))


def _keep(target):
    """A hidden second name of the file at target, to put back if a later
    rename fails (None: no file there): a hard link, or a copy on a file
    system without them.  OSError if neither can be made: nothing is
    replaced then, rather than a replaced file lost on a failure."""
    if not os.path.isfile(target):
        return None
    keep = _hidden(target, "old")
    try:
        os.link(target, keep)
    except OSError:
        try:
            shutil.copy2(target, keep)
        except OSError as exc:
            if os.path.lexists(keep):
                os.unlink(keep)
            raise OSError(exc.errno, "cannot keep a copy of %s to put back on a failure: %s"
                          % (target, exc.strerror or exc)) from None
    return keep


def _write_temp(path, target, data):
    """A new hidden file next to target holding data (created as open()
    would, so the final file gets the usual permissions); errors name path."""
    temp = _hidden(target, "tmp")
    try:
        try:
            f = open(temp, "xb")
        except OSError:
            temp = None
            raise
        with f:  # closing flushes: a full disk may only show there
            f.write(data)
    except BaseException as exc:
        if temp is not None:
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, "cannot write %s: %s" % (path, exc.strerror or exc)) from None
        raise
    return temp
