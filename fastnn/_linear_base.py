"""What fastnn's linear models (fastnn/linear.py) share:
input checks, get_params/set_params, the fit lock, scoring, persistence and
their ConvergenceWarning (lbfgs's checks: fastnn/_linear_lbfgs.py)."""

import numpy as np

from ._feature_names import check_column_names, column_names, loaded_column_names
from ._fitloop import exclusive_fit
from ._label_files import labels_for_file, labels_from_file
from ._parallel import call_threads
from ._validate import (accuracy, as_features, check_loaded_classes, finite_number,
                        not_fitted, storable_seed, whole_number)
from ._values import is_missing, is_sparse, sparse_pays
from ._warn import warn

SCIPY_HINT = 'pip install "fastnn[sklearn]"'


class ConvergenceWarning(UserWarning):
    """The solver stopped at max_iter before meeting tol."""


def import_minimize():
    try:
        from scipy.optimize import minimize
    except ImportError:
        return None
    return minimize


def _check_X(X, dtype, n_features=None):
    shape = np.shape(X) if not hasattr(X, "shape") else X.shape  # a DataFrame kept whole
    if len(shape) != 2:
        raise ValueError("X must be 2-D (samples, features), got shape %s" % (tuple(shape),))
    # scikit-learn refuses both, at fit and at predict: a fit on no features
    # would report a model that ignores X as a success
    for axis, what in enumerate(("samples", "features")):
        if shape[axis] == 0:
            raise ValueError("X has 0 %s (shape %s); at least 1 is needed" % (what, shape))
    # a sparse X whose products read its nonzeros stays sparse (fits and predictions)
    return as_features(X, shape[1] if n_features is None else n_features, dtype,
                       sparse=is_sparse(X) and sparse_pays(X))


def _category_order(y):
    """(categories, codes, ordered) of a pandas Categorical (or a Series of
    one) or a polars Enum Series (its categories are an order), else None;
    duck-typed so that pandas and polars stay optional."""
    dtype = getattr(y, "dtype", None)
    if type(dtype).__name__ == "Enum" and hasattr(y, "to_physical"):
        codes = np.asarray(y.to_physical().to_numpy(), dtype=np.float64)  # nulls: NaN
        codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)  # -1, as pandas'
        return np.asarray(dtype.categories), codes, True
    cat = getattr(y, "cat", y)  # a Series' accessor, or the Categorical itself
    try:
        ordered, categories, codes = cat.ordered, cat.categories, cat.codes
    except AttributeError:  # not categorical (a non-category Series refuses .cat too)
        return None
    if not isinstance(ordered, (bool, np.bool_)):
        return None
    return np.asarray(categories), np.asarray(codes).ravel(), bool(ordered)


def _in_category_order(categorical):
    """(classes, index) for an ordered Categorical: the categories present in
    y, in category order; else None, with a warning for an unordered one whose
    categories are listed in an order other than the sorted one."""
    categories, codes, ordered = categorical
    if ordered:
        present = np.unique(codes)  # codes number the categories in order
        if len(present) and present[0] < 0:  # code -1: a missing value
            raise ValueError("y contains missing values")
        return categories[present], np.searchsorted(present, codes)
    try:
        listed_unsorted = not np.array_equal(np.sort(categories), categories)
    except TypeError:  # categories of mixed types: no sorted order to compare with
        listed_unsorted = True
    if listed_unsorted:
        warn("y is an unordered Categorical: classes_ are the sorted labels, not its "
             "categories' order; make it ordered (ordered=True) to use that order")
    return None


def _check_y(y, n_samples, min_classes=2, category_order=False):
    """(classes_, class index per sample) from labels of any sortable type:
    sorted, or with category_order, in the order of an ordered Categorical."""
    categorical = _category_order(y) if category_order else None
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError("y must be 1-D (samples,), got shape %s" % (y.shape,))
    if y.shape[0] != n_samples:
        raise ValueError("X has %d samples but y has %d" % (n_samples, y.shape[0]))
    if n_samples == 0:
        raise ValueError("X has no samples")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("y contains NaN or infinity")
    if (y.dtype.kind in "mM" and np.isnat(y).any()) or (y.dtype.kind == "O" and any(
            is_missing(v) for v in y)):
        raise ValueError("y contains missing labels (None, NaN, NA or NaT)")
    if categorical is None and y.dtype.kind == "f" and not (y == np.floor(y)).all():
        raise ValueError(
            "y holds numbers that are not whole, such as %r: a continuous target, not class "
            "labels (scikit-learn's classifiers refuse it too); to predict a number use "
            "MLPRegressor or fastnn.MLP(output='identity'); ordered levels such as 1.5, 2.5 "
            "can be an ordered pandas Categorical" % (float(y[y != np.floor(y)][0]),))
    by_category = _in_category_order(categorical) if categorical is not None else None
    if by_category is not None:
        classes, index = by_category
    else:
        try:
            classes, index = np.unique(y, return_inverse=True)
        except TypeError as e:
            raise ValueError("labels in y must be sortable: %s" % e) from None
    if len(classes) < min_classes:
        raise ValueError("y must hold at least %d classes, got %d (%r)"
                         % (min_classes, len(classes), list(classes)))
    return classes, index.ravel().astype(np.int64)


def _check_common(params):
    """Validate settings shared by both estimators; returns the numpy dtype."""
    if str(params["dtype"]) not in ("float32", "float64"):
        raise ValueError("dtype must be 'float32' or 'float64', got %r" % (params["dtype"],))
    finite_number(params["l2"], "l2", low=0)
    finite_number(params["tol"], "tol", low=0)
    whole_number(params["max_iter"], "max_iter", low=1)
    return np.dtype(str(params["dtype"]))


class _Estimator:
    """get_params/set_params/persistence shared by the estimators (sklearn protocol)."""
    _param_names = ()
    _array_names = ()
    _estimator_type = "classifier"

    def get_params(self, deep=True):
        return {name: getattr(self, name) for name in self._param_names}

    def set_params(self, **params):
        for name, value in params.items():
            if name not in self._param_names:
                raise ValueError("invalid parameter %r for %s; valid ones are %s"
                                 % (name, type(self).__name__, ", ".join(self._param_names)))
            setattr(self, name, value)
        return self

    def fit(self, X, y):
        """Fit to X and y; returns self.

        Parameters
        ----------
        X : array-like or DataFrame
            (n, d) features, d >= 1; a DataFrame's str column names become
            ``feature_names_in_``.
        y : array-like
            (n,) labels of any sortable type (at least two classes); the class
            docstring says how ``classes_`` are ordered.
        """
        # RuntimeError if another thread is fitting this estimator
        with exclusive_fit(self, "fit a copy to train in parallel"), call_threads():
            return self._fit(X, y)  # one count for the whole fit, whatever solver runs

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_fit_lock", None)  # a threading.Lock: not picklable, made on the next fit
        return state

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__,
                           ", ".join("%s=%r" % kv for kv in self.get_params().items()))

    def __sklearn_tags__(self):
        # scikit-learn >= 1.6 asks estimators for tags (is_classifier, check_cv);
        # only called by scikit-learn, so importing it here keeps it optional
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags
        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(), input_tags=InputTags(sparse=True))

    def _check_fitted(self):
        if not hasattr(self, "classes_"):
            raise not_fitted(self)

    def _fit_features(self, X, dtype):
        """(X checked, its column names or None) at fit."""
        return _check_X(X, dtype), column_names(X)

    def _set_feature_names(self, names):
        """feature_names_in_ as scikit-learn keeps it: absent after a fit on
        an X without names, even if an earlier fit had some."""
        if names is None:
            self.__dict__.pop("feature_names_in_", None)
        else:
            self.feature_names_in_ = names

    def _predict_features(self, X):
        """X checked against the fit: its names (a reordered DataFrame would
        be misread), then its shape and values."""
        self._check_fitted()
        check_column_names(getattr(self, "feature_names_in_", None), X, type(self).__name__)
        return _check_X(X, self.coef_.dtype, self.n_features_in_)

    def score(self, X, y):
        """Mean accuracy of predict(X) against y.

        Parameters
        ----------
        X : array-like
        y : array-like

        Returns
        -------
        float
        """
        return accuracy(self.predict(X), y)

    # ---- persistence (fastnn.save/load call these) ----
    def _fastnn_state(self):
        self._check_fitted()
        params = self.get_params()
        if "random_state" in params:  # OrdinalRegression has none
            params["random_state"] = storable_seed(params["random_state"])
        meta = {"params": params, "n_features_in": int(self.n_features_in_),
                "n_iter": int(self.n_iter_)}
        meta["classes"], dtype = labels_for_file(self.classes_)
        if dtype:
            meta["classes_dtype"] = dtype
        if hasattr(self, "feature_names_in_"):
            meta["feature_names_in"] = [str(name) for name in self.feature_names_in_]
        return meta, {name: np.array(getattr(self, name)) for name in self._array_names}

    @classmethod
    def _loaded_classes(cls, classes):
        return check_loaded_classes(classes)

    @classmethod
    def _from_fastnn_state(cls, meta, arrays):
        model = cls(**meta["params"])
        dtype = _check_common(model.get_params())
        model.classes_ = cls._loaded_classes(labels_from_file(meta["classes"],
                                                              meta.get("classes_dtype")))
        model.n_features_in_ = int(meta["n_features_in"])
        model._set_feature_names(loaded_column_names(meta.get("feature_names_in"),
                                                     model.n_features_in_))
        model.n_iter_ = int(meta.get("n_iter", 0))
        for name in cls._array_names:
            value = np.array(arrays[name], dtype=dtype)
            if not np.isfinite(value).all():
                raise ValueError("%s contains NaN or infinity" % name)
            setattr(model, name, value)
        model._check_state()
        return model


def _loaded_classes_any_order(classes):
    """Class labels from a model file whose order is the model's own (an
    ordered Categorical's, not necessarily sorted): distinct, at least two."""
    classes = np.asarray(classes)
    if classes.ndim != 1 or len(classes) < 2 or len(np.unique(classes)) != len(classes):
        raise ValueError("classes must be a list of at least 2 distinct labels, got %.80r"
                         % (classes.tolist(),))
    return classes
