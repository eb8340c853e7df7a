"""Feature names of DataFrame inputs, by scikit-learn's rule for
``feature_names_in_``: recorded at fit when every column name is a str, and
then required, same names in the same order, of every X that has names.

Duck-typed on ``X.columns`` so that it serves pandas and polars DataFrames
without importing either."""

import numpy as np

from ._warn import warn

_SHOWN = 5  # names listed in a message before "..."


def column_names(X):
    """X's column names as an object array, or None when X has no names.

    Parameters
    ----------
    X : array-like
        A DataFrame (pandas, polars: anything with ``.columns``) or an array.

    Returns
    -------
    ndarray of object or None
        None too when no name is a str (pandas' default integer names).

    Raises
    ------
    TypeError
        Some names are str and some are not, as scikit-learn refuses them.
    """
    columns = getattr(X, "columns", None)
    if columns is None or isinstance(columns, (str, bytes)):
        return None
    try:
        names = list(columns)
    except TypeError:  # a columns attribute that is no list of names
        return None
    texts = [isinstance(name, str) for name in names]
    if not names or not any(texts):
        return None
    if not all(texts):
        kinds = sorted({type(name).__name__ for name in names})
        raise TypeError("feature names must all be str, got names of types %s; convert them "
                        "(e.g. X.columns = X.columns.astype(str)) or drop them" % kinds)
    return np.array(names, dtype=object)


def _listed(names):
    shown = ", ".join(repr(name) for name in names[:_SHOWN])
    return shown + (", ..." if len(names) > _SHOWN else "")


def check_column_names(fitted_names, X, model_name="the model"):
    """Raise if X's column names differ from those seen at fit.

    Parameters
    ----------
    fitted_names : ndarray of object or None
        ``feature_names_in_`` of the fitted model (None: fitted without).
    X : array-like
        The input of predict, score...
    model_name : str
        Named by the warnings.

    Raises
    ------
    ValueError
        Both have names and they are not the same names in the same order
        (a reordered DataFrame would otherwise be silently misread).

    Warns
    -----
    UserWarning
        Only one of them has names: nothing to check the columns against.
    """
    names = column_names(X)
    if fitted_names is None and names is None:
        return
    if fitted_names is None:
        warn("X has feature names, but %s was fitted without feature names" % model_name)
        return
    if names is None:
        warn("X does not have valid feature names, but %s was fitted with feature names"
             % model_name)
        return
    fitted = [str(name) for name in fitted_names]
    given = [str(name) for name in names]
    if fitted == given:
        return
    fitted_set, given_set = set(fitted), set(given)
    unseen = [name for name in given if name not in fitted_set]
    missing = [name for name in fitted if name not in given_set]
    if unseen or missing:
        difference = "; ".join(part for part in (
            unseen and "unseen at fit: " + _listed(unseen),
            missing and "seen at fit, now missing: " + _listed(missing)) if part)
    else:
        difference = "the names are in another order (or repeated): fit had %s, X has %s" % (
            _listed(fitted), _listed(given))
    raise ValueError("The feature names should match those that were passed during fit: %s"
                     % difference)


def loaded_column_names(names, n_features):
    """``feature_names_in_`` from a model file's list (None: none stored).

    Raises
    ------
    ValueError
        Not a list of ``n_features`` str.
    """
    if names is None:
        return None
    if not isinstance(names, list) or len(names) != n_features or \
            not all(isinstance(name, str) for name in names):
        raise ValueError("feature_names_in must be a list of %d str, got %.80r"
                         % (n_features, names))
    return np.array(names, dtype=object)
