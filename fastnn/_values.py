"""The values of an X as NumPy sees them: a SciPy sparse matrix made dense,
a DataFrame's columns of mixed numeric dtypes (bools, pandas' nullable
ones, pd.NA) as float64, and numbers stored as objects (Python and NumPy
scalars, Decimal) as float64; text, dates and categories named, not
converted.  as_features (_validate.py) checks what values_of returns."""
import decimal
import math
import numbers

import numpy as np


def is_sparse(X):
    """Whether X is a SciPy sparse matrix or array (without importing SciPy)."""
    return type(X).__module__.startswith("scipy.sparse") and hasattr(X, "toarray")


def dense(X):
    """X, or the dense array a SciPy sparse matrix or array stands for: the
    kernels compute densely, as the drop-in estimators do (without this,
    np.asarray makes a 0-d object array of it)."""
    return X.toarray() if is_sparse(X) else X


def _numeric_dtype(dtype):
    """Whether a DataFrame column's dtype (pandas' or polars') holds numbers or bools."""
    if hasattr(dtype, "kind"):
        return dtype.kind in "fiub"
    is_numeric = getattr(dtype, "is_numeric", None)
    return bool(is_numeric and is_numeric()) or str(dtype) == "Boolean"


def _object_numbers(values):
    """(values as float64, None) for an object array of real numbers (NumPy
    scalars, bools and Decimal among them) and missing values (None, pd.NA;
    NaN), else (None, the first entry that is not: text, a date, an array)."""
    flat = values.ravel()
    out = np.empty(flat.shape, dtype=np.float64)
    for i, v in enumerate(flat):
        if is_missing(v):
            out[i] = np.nan
        elif isinstance(v, (numbers.Real, decimal.Decimal, np.bool_)):
            try:
                out[i] = float(v)
            except OverflowError:  # an int past float64 (a Decimal becomes inf)
                out[i] = math.inf if v > 0 else -math.inf
            except ValueError:  # a signalling NaN Decimal
                out[i] = np.nan
        else:
            return None, v
    return out.reshape(values.shape), None


def is_missing(v):
    """Whether one value of an object array is a missing value: None, NaN,
    pandas' NA or NaT, NumPy's NaT."""
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(v))
    return isinstance(v, (float, np.floating)) and v != v


def _numeric_column(X, column, dtype):
    """Whether a DataFrame column holds numbers: a numeric dtype, or object
    entries that _object_numbers converts (numbers stored as objects)."""
    if _numeric_dtype(dtype):
        return True
    return getattr(dtype, "kind", None) == "O" and \
        _object_numbers(np.asarray(X[column], dtype=object))[0] is not None


def values_of(X, name="X"):
    """X as a NumPy array: a sparse one made dense, and a DataFrame (or
    Series) whose columns differ in dtype (bool next to float, pandas'
    nullable Int64 or boolean, pd.NA, numbers stored as objects) as float64
    with NaN for missing values, where np.asarray would give an object array.
    A DataFrame's columns of text, dates or categories are named (as_features
    names those holding NaN or infinity, in its one finiteness pass)."""
    columns = getattr(X, "columns", None)
    frame = columns is not None and hasattr(X, "to_numpy") and hasattr(X, "dtypes")
    if frame:
        # pandas' dtypes, extension ones included, have a NumPy kind, polars'
        # say is_numeric(): dates and categories would convert to numbers
        # that mean nothing to the model
        other = [str(c) for c, d in zip(columns, X.dtypes) if not _numeric_column(X, c, d)]
        if other:
            raise TypeError("%s must be numeric, but column(s) %s are not: encode them as "
                            "numbers first" % (name, ", ".join(other[:5])))
    values = np.asarray(dense(X))
    if values.dtype == object and frame:
        try:  # vectorized, for mixed dtypes and nullable columns
            values = X.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError, OverflowError):  # no such arguments, an int past float64
            pass
    if values.dtype == object:
        converted, bad = _object_numbers(values)
        if converted is None:
            raise TypeError("%s must be numeric, got dtype object holding %.40s (%s): encode "
                            "it as numbers first" % (name, " ".join(repr(bad).split()),
                                                     type(bad).__name__))
        values = converted
    return values


# Above this share of nonzeros a sparse X's products are made dense: the
# sparse ones still won 1.2x at 0.2 and lost at 0.4 on a 784-256 and a
# 5000-100 layer (docs/performance.md, Zen 3); a margin for wider layers.
SPARSE_MAX_DENSITY = 0.1


def sparse_pays(X):
    """Whether a SciPy sparse X is sparse enough for its products to read
    its nonzeros (SPARSE_MAX_DENSITY) rather than its rows made dense."""
    size = X.shape[0] * X.shape[1]
    return size > 0 and X.nnz <= SPARSE_MAX_DENSITY * size


def csr_parts(X, dtype):
    """(indptr, indices, data, cols): a SciPy sparse X as the compiled
    kernels read it, CSR with 64-bit indices and values of dtype; a matrix
    whose arrays were edited into an invalid one is a ValueError saying why
    (the kernels would refuse it with a vaguer one)."""
    X = X.tocsr()
    try:
        X.check_format(full_check=True)
    except (ValueError, IndexError) as exc:
        raise ValueError("X is not a valid sparse matrix: %s" % exc) from None
    return (np.ascontiguousarray(X.indptr, dtype=np.int64),
            np.ascontiguousarray(X.indices, dtype=np.int64),
            np.ascontiguousarray(X.data, dtype=dtype), int(X.shape[1]))
