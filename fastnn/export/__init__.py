"""fastnn.export(model, path): a fitted model to ONNX (.onnx) or plain C (.c + .h).

The format comes from the extension.  Every file is written to a temporary
file in its own directory and renamed into place, so a failure never leaves a
partial file behind.  See README.md ("Export") for what each format holds.
"""
import os
import secrets

from ._graph import describe

__all__ = ["export"]
FORMATS = (".onnx", ".c")


def export(model, path, *, prefix="fastnn", zipmap=True, opset=None):
    """Write a fitted model as ONNX (path ends in .onnx) or as C99 (.c: also
    writes the header next to it, same name with .h).

    prefix: the C function is PREFIX_predict and the macros PREFIX_N_INPUTS...
    (upper-cased), so models with different prefixes link into one program.
    zipmap (ONNX classifiers): False outputs the probabilities as a tensor
    instead of skl2onnx's ZipMap of dictionaries.  opset: the ONNX opset
    (default 17, DEFAULT_OPSET of fastnn/export/onnx.py).  Returns the path
    written (.onnx) or the pair (.c, .h)."""
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
    guard = "%s_MODEL_H" % prefix.upper()
    _write_all({header_path: c.header(graph, prefix, guard).encode(),
                path: c.source(graph, prefix, header_name).encode()})
    return path, header_path


def _write_all(contents):
    """Write {path: bytes}: every file goes to a temporary file first, and
    only when all are written are they renamed into place."""
    temps = {}
    try:
        for path, data in contents.items():
            temps[path] = _write_temp(path, data)
        for path, temp in temps.items():
            os.replace(temp, path)
    finally:
        for temp in temps.values():
            if os.path.exists(temp):
                os.unlink(temp)


def _write_temp(path, data):
    """A new hidden file next to path holding data (created as open() would,
    so the final file gets the usual permissions)."""
    directory, name = os.path.split(os.path.abspath(path))
    temp = os.path.join(directory, ".%s.%s.tmp" % (name, secrets.token_hex(6)))
    try:
        f = open(temp, "xb")
    except OSError as exc:
        raise OSError(exc.errno, "cannot write %s: %s" % (path, exc.strerror or exc)) from None
    try:
        with f:
            f.write(data)
    except BaseException:
        os.unlink(temp)
        raise
    return temp
