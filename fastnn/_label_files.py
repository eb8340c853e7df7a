"""Class labels as a model file's settings (JSON) hold them, and back: the
same values in the same dtype, so a loaded model predicts what the fitted one
did, down to its labels' type (int32, float32, dates, strings in an object
array).  Nothing in a file can make NumPy build other objects."""
import numpy as np


def label_dtype(name):
    """The numeric, date or duration dtype a file names for its labels, or
    object for strings; ValueError for anything else."""
    if name == "object":
        return np.dtype(object)
    try:
        dtype = np.dtype(str(name))
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "iufbMm":
        raise ValueError("classes_dtype must name a numeric, date or duration dtype, got %.50r"
                         % (name,))
    return dtype


def labels_for_file(classes):
    """(JSON list, dtype name or None) for `classes`: numbers as themselves,
    dates and durations as their int64 counts, strings as strings; the name
    is None where the list alone rebuilds the labels (str arrays)."""
    classes = np.asarray(classes)
    kind = classes.dtype.kind
    if kind in "Mm":
        return classes.view(np.int64).tolist(), classes.dtype.name
    if kind in "iufb":
        return classes.tolist(), classes.dtype.name
    if kind == "O" and all(isinstance(c, str) for c in classes):
        return list(classes), "object"
    if kind == "O" and all(isinstance(c, (bool, int, float, np.number, np.bool_))
                           for c in classes):  # numbers held as objects stay numbers
        return [c.item() if isinstance(c, np.generic) else c for c in classes], "object"
    return [str(c) for c in classes], None


def labels_from_file(values, dtype_name):
    """The labels `labels_for_file` wrote; ValueError for values the dtype
    cannot hold exactly (an edited file: 300 as uint8 would wrap to 44)."""
    if not isinstance(values, list):
        raise ValueError("classes must be a list, got %.50r" % (values,))
    if dtype_name is None:
        return np.array(values)
    dtype = label_dtype(dtype_name)
    if dtype.kind == "O":
        if not (all(isinstance(v, str) for v in values)
                or all(isinstance(v, (bool, int, float)) for v in values)):
            raise ValueError("classes of dtype object must be strings or numbers, got %.80r"
                             % (values,))
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    if not all(isinstance(v, (int, float)) for v in values):
        raise ValueError("classes of dtype %s must be numbers, got %.80r" % (dtype, values))
    try:
        read = np.array(values, dtype=np.int64 if dtype.kind in "Mm" else None)
    except (OverflowError, ValueError):
        read = None
    if read is None or read.dtype.kind not in "iufb":  # past uint64: Python ints as objects
        raise ValueError("classes %.80r do not fit their dtype %s" % (values, dtype))
    if dtype.kind in "Mm":
        return read.view(dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        out = read.astype(dtype)
    if not np.array_equal(out.astype(read.dtype), read):
        raise ValueError("classes %.80r do not fit their dtype %s" % (values, dtype))
    return out
