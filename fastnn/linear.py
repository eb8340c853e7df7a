"""fastnn.linear: logistic regression (binary, multinomial) and ordinal regression.

A network with no hidden layer, MLP([n_features, n_outputs]), is logistic
regression, so LogisticRegression's iterative solvers ("adam", "sgd") train
exactly that network with the compiled engine.  Its "lbfgs" solver hands
scipy's L-BFGS-B a loss and gradient computed by the same kernels
(ops.linear, ops.loss, ops.matmul, ops.column_sums).  OrdinalRegression fits
the proportional odds model P(y <= k | x) = sigmoid(theta_k - w.x) by L-BFGS.

Both estimators are scikit-learn compatible by duck typing (get_params,
set_params, fit, predict, predict_proba, score), so sklearn.base.clone works,
yet neither imports scikit-learn; scipy is imported only when L-BFGS runs.
"""

import numpy as np

from . import ops
from ._forward import forward
from ._linear_base import (SCIPY_HINT, ConvergenceWarning, _check_common,  # noqa: F401
                           _check_y, _Estimator, _loaded_classes_any_order, import_minimize)
from ._linear_lbfgs import fit_logistic, fit_ordinal
from ._parallel import effective_n_threads
from .model import MLP
from ._validate import finite_number, seed_from, store_params
from ._warn import warn

SOLVERS = ("lbfgs", "adam", "sgd")


def _import_minimize():  # a module attribute: tests hide scipy by replacing it
    return import_minimize()


class LogisticRegression(_Estimator):
    """Logistic regression: sigmoid + binary cross-entropy for two classes,
    softmax + cross-entropy for more, chosen from the classes in y.

    Minimizes mean loss + l1 ||W||_1 + 0.5 l2 ||W||^2 (the intercept is not
    penalized).  For more than two classes the intercepts are reported centred
    (sum zero): softmax cannot tell them apart from any common shift.

    Parameters
    ----------
    l2, l1 : float, default 0.0
        Penalties; scikit-learn's C corresponds to l2 = 1 / (C n_samples).
    solver : {"lbfgs", "adam", "sgd"}, default "lbfgs"
        lbfgs: scipy (l1 via the split W = W+ - W- with bounds); adam, or sgd
        with momentum 0.9: the compiled MLP engine, from zero weights.
    max_iter : int, default 100
        Iterations (lbfgs) or epochs.
    learning_rate, batch_size : float 0.1, int or None (the full batch)
        Of adam and sgd.
    tol : float, default 1e-6
        lbfgs: scipy's gradient tolerance (gtol), on the standardized
        features lbfgs fits (so it means the same on any data); adam, sgd:
        stop when the epoch loss changes less.  A ConvergenceWarning says
        when neither was met.
    dtype : {"float64", "float32"}
    random_state : int or None (the shuffles of adam and sgd)

    Notes
    -----
    ``classes_`` are the sorted labels, as in scikit-learn (also for a pandas
    Categorical, ordered or not).  A DataFrame's column names are kept as
    ``feature_names_in_``; an X with names must then have the same ones.
    """
    _param_names = ("l2", "l1", "solver", "max_iter", "learning_rate", "batch_size", "tol",
                    "dtype", "random_state")
    _array_names = ("coef_", "intercept_")

    def __init__(self, l2=0.0, l1=0.0, solver="lbfgs", max_iter=100, learning_rate=0.1,
                 batch_size=None, tol=1e-6, dtype="float64", random_state=None):
        store_params(self, locals())

    def _check_params(self):
        dtype = _check_common(self.get_params())
        finite_number(self.l1, "l1", low=0)
        finite_number(self.learning_rate, "learning_rate", low=0, low_open=True)
        if self.solver not in SOLVERS:
            raise ValueError("solver must be one of %s, got %r" % (SOLVERS, self.solver))
        b = self.batch_size
        if b is not None and (isinstance(b, bool) or not isinstance(b, (int, np.integer))
                              or b < 1):
            raise ValueError("batch_size must be None or a positive int, got %r" % (b,))
        try:
            seed_from(self.random_state)
        except TypeError as e:
            raise ValueError(str(e)) from None
        return dtype

    def _check_state(self):
        n_out = 1 if len(self.classes_) == 2 else len(self.classes_)
        if self.coef_.shape != (n_out, self.n_features_in_) or self.intercept_.shape != (n_out,):
            raise ValueError("coef_ %s and intercept_ %s do not fit %d classes and %d features"
                             % (self.coef_.shape, self.intercept_.shape, len(self.classes_),
                                self.n_features_in_))

    def _fit(self, X, y):
        dtype = self._check_params()
        X, names = self._fit_features(X, dtype)
        classes, index = _check_y(y, X.shape[0])
        n, d = X.shape
        n_out = 1 if len(classes) == 2 else len(classes)
        binary = n_out == 1
        # binary_cross_entropy wants a (n, 1) 0/1 column; cross_entropy takes labels
        target = index.reshape(-1, 1).astype(dtype) if binary else index
        solver = self.solver
        if solver == "lbfgs" and _import_minimize() is None:
            warn("LogisticRegression(solver='lbfgs') needs scipy (%s); falling back to "
                 "solver='adam'" % SCIPY_HINT, RuntimeWarning)
            solver = "adam"
        if solver == "lbfgs":
            W, b, self.n_iter_ = fit_logistic(_import_minimize(), X, target, n_out, binary,
                                              float(self.l1), float(self.l2), self.max_iter,
                                              self.tol)
        else:
            W, b, self.n_iter_ = self._fit_engine(X, target, n_out, binary, solver)
        self.classes_ = classes
        self.n_features_in_ = d
        self._set_feature_names(names)
        self.coef_ = np.ascontiguousarray(W.T, dtype=dtype)    # (n_out, d) like sklearn
        self.intercept_ = np.asarray(b, dtype=dtype)           # (n_out,)
        return self

    def _fit_engine(self, X, target, n_out, binary, solver):
        net = MLP([X.shape[1], n_out], output="sigmoid" if binary else "softmax",
                  loss="binary_cross_entropy" if binary else "cross_entropy",
                  dtype=str(self.dtype), random_state=self.random_state)
        # zero start, as lbfgs and sklearn do: the problem is convex
        net.coefs_ = [np.zeros((X.shape[1], n_out), dtype=X.dtype)]
        net.intercepts_ = [np.zeros(n_out, dtype=X.dtype)]
        tol = float(self.tol)
        last = [np.inf]

        def converged(model, epoch, logs):
            # the epoch loss (penalty included) has stopped moving; a rise is
            # not convergence (a too-large step oscillates), so use |change|
            done = abs(last[0] - logs["loss"]) < tol
            last[0] = logs["loss"]
            return done

        net.fit(X, target, epochs=int(self.max_iter),
                batch_size=int(self.batch_size or X.shape[0]), optimizer=solver,
                learning_rate=float(self.learning_rate), momentum=0.9 if solver == "sgd" else 0,
                l1=float(self.l1), l2=float(self.l2), callbacks=[converged])
        n_iter = len(net.history_["loss"])
        if n_iter >= self.max_iter:
            warn("%s stopped after max_iter=%d epochs; increase max_iter"
                 % (solver, self.max_iter), ConvergenceWarning)
        W, b = np.array(net.coefs_[0]), np.array(net.intercepts_[0])
        if not binary:
            # softmax is unchanged by a common shift of the intercepts, which the
            # penalty does not pin down; Adam drifts along it, L-BFGS (from zero)
            # keeps sum(b) = 0, so report that representative
            b -= b.mean()
        return W, b, n_iter

    # ---- inference ----
    def decision_function(self, X):
        """Logits: (n,) for two classes (positive means classes_[1]), else (n, K).

        Parameters
        ----------
        X : array-like
        """
        X = self._predict_features(X)
        z = forward(X, [np.ascontiguousarray(self.coef_.T)], [self.intercept_],
                    activation="identity", output="identity", n_threads=effective_n_threads())
        return z.ravel() if z.shape[1] == 1 else z

    def predict_proba(self, X):
        """Class probabilities, (n, n_classes).

        Parameters
        ----------
        X : array-like
        """
        z = self.decision_function(X)
        if z.ndim == 1:
            p = ops.activation(z, "sigmoid")
            return np.stack([1 - p, p], axis=1)
        return ops.softmax(z)

    def predict_log_proba(self, X):
        """Log of predict_proba, without overflow.

        Parameters
        ----------
        X : array-like
        """
        z = self.decision_function(X)
        if z.ndim == 1:     # log sigmoid(+-z), without overflow
            return np.stack([-np.logaddexp(0, z), -np.logaddexp(0, -z)], axis=1)
        return ops.log_softmax(z)

    def predict(self, X):
        """The most probable class per sample.

        Parameters
        ----------
        X : array-like
        """
        z = self.decision_function(X)
        index = (z > 0).astype(np.int64) if z.ndim == 1 else z.argmax(axis=1)
        return self.classes_[index]


class OrdinalRegression(_Estimator):
    """Proportional odds (cumulative logit) model for ordered classes:
    P(y <= k | x) = sigmoid(theta_k - w.x), k = 0..K-2, theta increasing.

    Fit by L-BFGS (scipy) on the mean negative log-likelihood
    + 0.5 l2 ||w||^2, with theta_0 free and theta_k - theta_{k-1} = exp(d_k)
    so the thresholds stay ordered.  ``classes_``, lowest first, are the
    categories in y of an ordered pandas Categorical or a polars Enum in their order, else the
    sorted labels (strings alphabetically: "high" < "low" < "medium"; an
    unordered Categorical is sorted too, with a warning if its categories
    are listed in another order).

    Parameters
    ----------
    l2, max_iter, tol : float 0.0, int 200, float 1e-8
        tol: scipy's gradient tolerance, on standardized features.
    dtype : {"float64", "float32"}

    Notes
    -----
    A DataFrame's column names are kept and checked as by LogisticRegression.
    """
    _param_names = ("l2", "max_iter", "tol", "dtype")
    _array_names = ("coef_", "thresholds_")
    _loaded_classes = staticmethod(_loaded_classes_any_order)

    def __init__(self, l2=0.0, max_iter=200, tol=1e-8, dtype="float64"):
        store_params(self, locals())

    def _check_state(self):
        K, d = len(self.classes_), self.n_features_in_
        if self.coef_.shape != (d,) or self.thresholds_.shape != (K - 1,):
            raise ValueError("coef_ %s and thresholds_ %s do not fit %d classes and %d features"
                             % (self.coef_.shape, self.thresholds_.shape, K, d))
        if K < 2 or np.any(np.diff(self.thresholds_) <= 0):
            raise ValueError("thresholds_ must be strictly increasing")

    def _fit(self, X, y):
        dtype = _check_common(self.get_params())
        minimize = _import_minimize()
        if minimize is None:
            raise ImportError("OrdinalRegression needs scipy: %s" % SCIPY_HINT)
        X, names = self._fit_features(X, dtype)
        classes, index = _check_y(y, X.shape[0], category_order=True)
        d = X.shape[1]
        w, theta, self.n_iter_, self.loss_ = fit_ordinal(
            minimize, X, index, len(classes), float(self.l2), self.max_iter, self.tol)
        self.classes_ = classes
        self.n_features_in_ = d
        self._set_feature_names(names)
        self.coef_ = w.astype(dtype)
        self.thresholds_ = theta.astype(dtype)
        return self

    def linear_predictor(self, X):
        """The linear predictor w.x, (n,): larger means higher classes.

        Parameters
        ----------
        X : array-like
        """
        X = self._predict_features(X)
        return forward(X, [self.coef_.reshape(-1, 1)], [np.zeros(1, self.coef_.dtype)],
                       activation="identity", output="identity",
                       n_threads=effective_n_threads()).ravel()

    def decision_function(self, X):
        """Scores as scikit-learn's classifiers give them (calibration and
        ranking metrics read them): for two classes, the logit of
        classes_[1], (n,) (positive means classes_[1]); for more, the log
        class probabilities, (n, n_classes) (the largest is predict's).

        Parameters
        ----------
        X : array-like

        Notes
        -----
        The latent score w.x is ``linear_predictor``.
        """
        self._check_fitted()
        if len(self.classes_) == 2:
            return self.linear_predictor(X) - self.thresholds_[0]
        return self.predict_log_proba(X)

    def predict_log_proba(self, X):
        """Log class probabilities, (n, n_classes), finite where predict_proba
        rounds a probability to 0 (a difference of two sigmoids near 1).

        Parameters
        ----------
        X : array-like
        """
        eta = self.linear_predictor(X).astype(np.float64)[:, None]
        theta = self.thresholds_
        ext = np.concatenate([[-np.inf], theta.astype(np.float64), [np.inf]])
        a, b = ext[1:] - eta, ext[:-1] - eta   # each class's upper and lower cut
        # two thresholds equal in their dtype (float32 at 6e4 steps by 0.004):
        # their class's gap is under one step, not 0 (log 0)
        steps = np.spacing(np.maximum(np.abs(theta[:-1]), np.abs(theta[1:]))).astype(np.float64)
        gap = np.concatenate([[np.inf], np.maximum(np.diff(ext)[1:-1], steps), [np.inf]])
        # log(F(a) - F(b)) = log F(a) + log(1 - F(b)) + log(1 - e^(b - a)), as the fit
        logp = -np.logaddexp(0, -a) - np.logaddexp(0, b) + np.log(-np.expm1(-gap))
        return logp.astype(self.coef_.dtype)

    def predict_cumulative_proba(self, X):
        """P(y <= classes_[k] | x) for k = 0..K-2, (n, K-1).

        Parameters
        ----------
        X : array-like
        """
        eta = self.linear_predictor(X)
        z = np.ascontiguousarray(self.thresholds_[None, :] - eta[:, None])
        return ops.activation(z, "sigmoid")

    def predict_proba(self, X):
        """Class probabilities, (n, n_classes).

        Parameters
        ----------
        X : array-like
        """
        cum = self.predict_cumulative_proba(X)
        n = cum.shape[0]
        edges = np.hstack([np.zeros((n, 1), cum.dtype), cum, np.ones((n, 1), cum.dtype)])
        p = np.clip(np.diff(edges, axis=1), 0, None)    # rounding can give tiny negatives
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most probable class per sample.

        Parameters
        ----------
        X : array-like
        """
        index = self.predict_proba(X).argmax(axis=1)
        return self.classes_[index]
