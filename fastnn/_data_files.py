"""The data files of the command line (``fastnn train/evaluate --data``):
CSV (features then a label column, an optional header line) and NPZ
(X_train, y_train[, X_test, y_test] or X, y), read into checked arrays for
fastnn.datasets.load_data."""
import math
import warnings
import zipfile

import numpy as np

from ._warn import warn

# a first column of these names is the label column of many published CSVs
# (Kaggle's MNIST: label,pixel0,...): fastnn reads the last column as the label
LABEL_NAMES = ("label", "labels", "target", "class", "y")
# how spreadsheets, R and pandas write a missing value in a CSV ("nan" is read as NaN)
MISSING = ("na", "n/a", "null", "none", "?", "-", "--")


class DataFileError(ValueError):
    """A data file that cannot be used: what is wrong, in one line."""


# read_csv and read_npz give 2-d numeric X and 1-d y of one length per pair:
# what is left to check is values

def labels(y, where):
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise DataFileError("%s: labels must be integers" % where)
    elif y.dtype.kind not in "iub":
        raise DataFileError("%s: labels must be integers, got dtype %s" % (where, y.dtype))
    # int64 holds them (1e20 or a uint64 past 2**63 would wrap)
    if y.size and y.dtype.kind in "fu" and not (-2.0 ** 63 <= float(y.min())
                                                and float(y.max()) < 2.0 ** 63):
        raise DataFileError("%s: labels must fit int64, got range [%s, %s]"
                            % (where, y.min(), y.max()))
    return y.astype(np.int64)


def features(X, where):
    X = X.reshape(X.shape[0], int(np.prod(X.shape[1:])))
    if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
        raise DataFileError("%s: features hold NaN or infinity" % where)
    return X


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _unquoted(cell):
    """A cell as loadtxt reads it (quotechar '"'): '"4"' is the number 4."""
    cell = cell.strip()
    return cell[1:-1].strip() if len(cell) > 1 and cell[0] == cell[-1] == '"' else cell


def _is_default_header(cells):
    """pandas' names for unnamed columns, "0,1,...,n-1": what
    DataFrame(array).to_csv(index=False) writes above the data."""
    return len(cells) > 1 and cells == [str(i) for i in range(len(cells))]


def _header_lines(path):
    """(lines to skip, whether the header is pandas' default names, whether
    the first column is pandas' row index, the header's names or None).  Skipped: through the first line
    with content (not blank, not a # comment) if it is a header.  A header
    names columns: one of its cells is text, or its cells are 0, 1, ..., n-1
    in order; an empty first cell before names is the unnamed index that
    DataFrame.to_csv writes by default.  Any other row of numbers and empty
    cells is data, its empty cells missing values that loadtxt reports as it
    does in any other row."""
    with open(path, encoding="utf-8-sig") as f:  # Excel's byte-order mark is no text cell
        for i, line in enumerate(f):
            cells = [_unquoted(c) for c in line.split("#")[0].split(",")]
            if any(cells):
                index = len(cells) > 2 and cells[0] == "" and all(cells[1:])
                names = cells[1:] if index else cells
                if _is_default_header(names):
                    return i + 1, True, index, None
                named = any(c and not _is_number(c) for c in names)
                return (i + 1 if named else 0), False, index and named, names if named else None
    return 0, False, False, None


def _first_bad_line(path, skip, names):
    """Where and why loadtxt refused the file, in the file's own terms (its
    line and column numbers, from 1, and the column's name), or None."""
    width = None
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, 1):
            text = line.split("#")[0].strip()
            if ";" in text and "," not in text:
                return "line %d: cells separated by ';', not ','" % number
            if number <= skip or not text:
                continue
            cells = [_unquoted(c) for c in text.split(",")]
            if width is not None and len(cells) != width:
                return "line %d has %d cells, the lines above %d" % (number, len(cells), width)
            width = len(cells)
            for column, cell in enumerate(cells):
                if not _is_number(cell):
                    name = " (%r)" % names[column] if names and column < len(names) else ""
                    missing = "a missing value; fastnn does not fill them in, so drop or " \
                              "impute such rows first"
                    what = ("is empty: " + missing if not cell
                            else "holds %r: %s" % (cell, missing) if cell.lower() in MISSING
                            else "holds %r, not a number" % cell)
                    return "line %d, column %d%s %s" % (number, column + 1, name, what)
    return None


def read_csv(path):
    skip, names = 0, None
    try:
        skip, default_header, index, names = _header_lines(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": checked below
            data = np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2, dtype=np.float64,
                              encoding="utf-8-sig", quotechar='"')
    except ValueError as exc:  # also UnicodeDecodeError
        where = None
        if not isinstance(exc, UnicodeDecodeError):
            where = _first_bad_line(path, skip, names)
        raise DataFileError("%s: not a numeric CSV (%s)" % (path, where or exc)) from None
    if data.shape[0] == 0 or data.shape[1] < 2:
        raise DataFileError("%s: need at least one row of features followed by a label column"
                            % path)
    if index:  # pandas' row numbers would be a feature
        data = data[:, 1:]
        warn("%s: dropped the first column, whose header cell is empty: the row index "
             "DataFrame.to_csv writes (to_csv(index=False) leaves it out; name the column to "
             "keep it as a feature)" % path)
    if names and names[0].lower() in LABEL_NAMES and names[-1].lower() not in LABEL_NAMES:
        warn("%s: the first column is named %r, but the label is the last column (%r here); "
             "move %r last if it holds the labels" % (path, names[0], names[-1], names[0]))
    if default_header:  # it could be a row of data: say what was done with it
        warn("%s: skipped line %d, \"0,...,%d\", as a header (pandas' names for unnamed "
             "columns); if it is data, add a header line above it"
             % (path, skip, data.shape[1] - 1))
    if data.shape[1] < 2:
        raise DataFileError("%s: need at least one row of features followed by a label column"
                            % path)
    return {"X": data[:, :-1], "y": data[:, -1]}


def _check_shapes(path, arrays, pairs):
    """`arrays`, once each (X, y) pair of `pairs` in it is samples x features
    (more dimensions, e.g. images, are flattened per sample later) and one
    label per sample; a message names the array as the file does."""
    widths = {}
    for x_name, y_name in pairs:
        if x_name not in arrays:
            continue
        X, y = arrays[x_name], arrays[y_name]
        if X.ndim < 2:
            raise DataFileError("%s: %s must be a 2-d array, samples x features; got shape %s%s"
                                % (path, x_name, X.shape, " (a single value)" if X.ndim == 0 else
                                   " (one feature? save %s.reshape(-1, 1))" % x_name))
        if X.dtype.kind not in "iuf":
            raise DataFileError("%s: %s must hold numbers, got dtype %s" % (path, x_name, X.dtype))
        widths[x_name] = math.prod(X.shape[1:])
        if widths[x_name] == 0 or (len(X) == 0 and x_name != "X_test"):
            raise DataFileError("%s: %s holds no %s (shape %s)" % (
                path, x_name, "features" if widths[x_name] == 0 else "samples", X.shape))
        if y.ndim != 1:
            raise DataFileError("%s: %s must be a 1-d array, one class label per sample; got "
                                "shape %s" % (path, y_name, y.shape))
        if len(X) != len(y):
            raise DataFileError("%s: %s has %d samples but %s has %d"
                                % (path, x_name, len(X), y_name, len(y)))
    if len(set(widths.values())) > 1:
        raise DataFileError("%s: X_train has %d features but X_test has %d"
                            % (path, widths["X_train"], widths["X_test"]))
    return arrays


def read_npz(path):
    if not zipfile.is_zipfile(path):  # np.load would read it as .npy or a pickle
        raise DataFileError("%s: not an .npz file (a zip archive of .npy arrays, as "
                            "numpy.savez writes)" % path)
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataFileError("%s: not a readable .npz file (%s)" % (path, exc)) from None
    keys = set(arrays)
    if {"X_train", "y_train"} <= keys:
        if ("X_test" in keys) != ("y_test" in keys):  # a lone y_test would go unused
            raise DataFileError("%s: %s without %s" % ((path,) + (
                ("X_test", "y_test") if "X_test" in keys else ("y_test", "X_test"))))
        return _check_shapes(path, arrays, [("X_train", "y_train"), ("X_test", "y_test")])
    if {"X", "y"} <= keys:
        return _check_shapes(path, {"X": arrays["X"], "y": arrays["y"]}, [("X", "y")])
    raise DataFileError("%s: expected arrays X_train, y_train[, X_test, y_test] or X, y; found %s"
                   % (path, ", ".join(sorted(keys)) or "none"))
