"""fastnn.MLPRegressor (public as fastnn.sklearn.MLPRegressor and
fastnn.MLPRegressor), apart from the classifier to keep each module short."""
from . import _sklearn_floor  # noqa: F401  (first: an old scikit-learn gets a clear error)

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._sklearn_base import _BaseMLP
from ._validate import probability_targets, store_params


class MLPRegressor(RegressorMixin, _BaseMLP):
    """scikit-learn's MLPRegressor trained by fastnn: change the import, keep the rest.

    The same parameters, defaults, attributes and training trajectory as
    sklearn.neural_network.MLPRegressor, plus fastnn's dropout, l1,
    weight_decay and n_threads.

    With scikit-learn >= 1.9, ``set_callbacks`` takes scikit-learn's
    callbacks (``sklearn.callback``): each epoch (lbfgs: each iteration) is
    a task, so ``ScoringMonitor`` scores every epoch and ``ProgressBar``
    shows them, also inside Pipeline and GridSearchCV; a callback's request
    to stop ends the fit after that epoch.

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default "squared_error"
        The loss (poisson: exponential output).
    hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate
        As in MLPClassifier.
    learning_rate_init, power_t, max_iter, max_time, shuffle, random_state, tol
        As in MLPClassifier.
    warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction
        As in MLPClassifier.
    beta_1, beta_2, epsilon, n_iter_no_change, max_fun, verbose
        As in MLPClassifier.
    dropout, l1, weight_decay, n_threads, max_grad_norm
        fastnn's, as in MLPClassifier.
    augment, image_shape, max_shift
        fastnn's, as in MLPClassifier.
    scoring : None, "loss", str or callable, default None
        As in MLPClassifier; None is R^2.

    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
        Weights and biases per layer.
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_
        As in scikit-learn.
    validation_loss_curve_ : list of float
        As in MLPClassifier.
    n_iter_, t_, n_layers_, n_outputs_, out_activation_, n_features_in_
        As in scikit-learn.
    stop_reason_ : str
        fastnn's: why the last fit stopped: "max_iter", "time",
        "no_improvement", "early_stopping", "callback" (a callback asked),
        "interrupted" (Ctrl-C), "partial_fit" (one pass) or, for lbfgs,
        "converged", "max_iter", "max_fun" or "not_converged" (its line
        search stopped).
    """

    _parameter_constraints = {**_BaseMLP._parameter_constraints,
                              "loss": [StrOptions({"squared_error", "poisson"})]}

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, max_time=None, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, l1=0.0, weight_decay=0.0, n_threads=None, scoring=None,
                 max_grad_norm=None, augment=None, image_shape=None, max_shift=2):
        store_params(self, locals())

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        probability_targets(y, self.loss, "y")  # Poisson counts or rates: >= 0
        return X, y

    # scikit-learn's regressor offers partial_fit for every solver (its
    # available_if tests the bound method, which is always true): so does this one.
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over X, y.

        Parameters
        ----------
        X : array-like or sparse matrix
            (n_samples, n_features); float32 trains in float32.
        y : array-like
            Targets, (n_samples,) or (n_samples, n_outputs).
        sample_weight : array-like, optional
            Per-sample weights.

        Returns
        -------
        MLPRegressor
            self.
        """
        self._validate_params()
        return self._fit_atomic(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict with the fitted network.

        Parameters
        ----------
        X : array-like or sparse matrix

        Returns
        -------
        ndarray
            Predicted values.
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True, n_threads=None, check_overflow=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input, n_threads=n_threads,
                                         check_overflow=check_overflow)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def _score(self, X, y, sample_weight=None, n_threads=None):
        return self._score_with_function(X, y, sample_weight, r2_score, n_threads)


MLPRegressor.__module__ = "fastnn.sklearn"  # its public path (pickles, docs, repr)
