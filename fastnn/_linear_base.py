"""What fastnn's linear models (fastnn/linear.py) share:
input checks, get_params/set_params, the fit lock, scoring, persistence and
lbfgs's convergence warnings."""

import numpy as np

from ._fitloop import exclusive_fit
from ._parallel import call_threads
from ._validate import (accuracy, as_features, check_loaded_classes, dense, finite_number,
                        storable_seed, whole_number)
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
    X = np.asarray(dense(X))
    if X.ndim != 2:
        raise ValueError("X must be 2-D (samples, features), got shape %s" % (X.shape,))
    return as_features(X, X.shape[1] if n_features is None else n_features, dtype)


def _check_y(y, n_samples, min_classes=2):
    """(classes_, class index per sample) from labels of any sortable type."""
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
    if y.dtype.kind == "O" and any(v is None or (isinstance(v, float) and v != v) for v in y):
        raise ValueError("y contains None or NaN")
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

    def _guarded_fit(self, fit, X, y):
        """fit(X, y), or RuntimeError if another thread is fitting this estimator."""
        with exclusive_fit(self, "fit a copy to train in parallel"), call_threads():
            return fit(X, y)  # one count for the whole fit, whatever solver runs

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
                    classifier_tags=ClassifierTags(), input_tags=InputTags())

    def _check_fitted(self):
        if not hasattr(self, "classes_"):
            raise ValueError("this %s is not fitted yet; call fit first" % type(self).__name__)

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
        meta = {"params": params, "classes": self.classes_.tolist(),
                "n_features_in": int(self.n_features_in_), "n_iter": int(self.n_iter_)}
        return meta, {name: np.array(getattr(self, name)) for name in self._array_names}

    @classmethod
    def _from_fastnn_state(cls, meta, arrays):
        model = cls(**meta["params"])
        dtype = _check_common(model.get_params())
        model.classes_ = check_loaded_classes(meta["classes"])
        model.n_features_in_ = int(meta["n_features_in"])
        model.n_iter_ = int(meta.get("n_iter", 0))
        for name in cls._array_names:
            value = np.array(arrays[name], dtype=dtype)
            if not np.isfinite(value).all():
                raise ValueError("%s contains NaN or infinity" % name)
            setattr(model, name, value)
        model._check_state()
        return model


def _warn_unless_converged(res, max_iter):
    """lbfgs's result: out of iterations, or stopped by its line search (as
    on features scaled far beyond 1, where the first step already fails)."""
    if res.status == 1:
        warn("lbfgs stopped after max_iter=%d iterations; increase max_iter" % max_iter,
             ConvergenceWarning)
    elif not res.success:
        warn("lbfgs stopped without converging after %d iterations (%s); features of very "
             "different or very large scales are a common cause: standardize them"
             % (res.nit, res.message), ConvergenceWarning)
