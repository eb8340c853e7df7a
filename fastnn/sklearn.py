"""scikit-learn drop-in estimators: fastnn.MLPClassifier and fastnn.MLPRegressor.

They take the parameters of sklearn.neural_network's MLPs, set the same
attributes and follow the same training trajectory: the same initial weights
from random_state, the same shuffles (sklearn.utils.shuffle per epoch, passed
to the compiled epoch as its row order), batches, update formulas (Adam in
scikit-learn's eps style, alpha as l2 / rows-in-batch), learning-rate rules
and stopping rules.  Batches run in compiled code (fastnn._session.Session),
sample weights and the Poisson loss included; L-BFGS evaluates the full-batch
loss through fastnn.ops instead (fastnn/_sklearn_backprop.py).  Extra fastnn
parameters: dropout, l1, weight_decay, n_threads; max_time (seconds: a time
budget, max_iter becomes an upper bound, stop_reason_ says why the fit
stopped), augment/image_shape/max_shift (image augmentation in the compiled
epoch) and, for the classifier, label_smoothing.
"""
from . import _sklearn_floor  # noqa: F401  (first: an old scikit-learn gets a clear error)

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (_check_partial_fit_first_call, type_of_target,
                                      unique_labels)
from sklearn.utils.validation import check_is_fitted, validate_data

from ._fitloop import Rollback, rollback_on_failure
from ._sklearn_base import _BaseMLP  # noqa: F401 (also importable from here, as before)
from ._sklearn_regressor import MLPRegressor  # noqa: F401 (its public home is here)
from ._validate import store_params


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """scikit-learn's MLPClassifier trained by fastnn: change the import, keep the rest.

    The same parameters, defaults, attributes and training trajectory as
    sklearn.neural_network.MLPClassifier (same random_state: the same weights
    and ``loss_curve_`` to 1e-10 in float64), plus fastnn's dropout, l1,
    weight_decay and n_threads.  float32 input trains in float32.

    With scikit-learn >= 1.9, ``set_callbacks`` takes scikit-learn's
    callbacks (``sklearn.callback``): each epoch (lbfgs: each iteration) is
    a task, so ``ScoringMonitor`` scores every epoch and ``ProgressBar``
    shows them, also inside Pipeline and GridSearchCV; a callback's request
    to stop ends the fit after that epoch.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default (100,)
        Units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default "relu"
        The hidden layers' activation.
    solver : {"lbfgs", "sgd", "adam"}, default "adam"
        lbfgs (scipy's L-BFGS-B on fastnn's loss and gradient), sgd or adam.
    alpha : float, default 1e-4
        L2 penalty; in a batch it is alpha / rows-in-batch, as scikit-learn.
    batch_size : int or "auto", default "auto"
        Samples per step; auto is min(200, n_samples).
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        sgd's learning-rate rule.
    learning_rate_init : float, default 1e-3
        Initial step size (sgd, adam).
    power_t : float, default 0.5
        Exponent of invscaling.
    max_iter : int, default 200
        Epochs (stochastic solvers) or iterations (lbfgs).
    max_time : float or None, default None
        fastnn's: a time budget in seconds for fit (sgd, adam): no epoch
        starts past it and long epochs are checked at batch boundaries;
        max_iter becomes an upper bound and ``stop_reason_`` says why the
        fit stopped.  partial_fit ignores it.
    shuffle : bool, default True
        Reshuffle each epoch (sklearn.utils.shuffle: the same order as scikit-learn).
    random_state : int, RandomState or None
        Initial weights, shuffles, validation split, dropout masks.
    tol : float, default 1e-4
        Improvement below which an epoch counts as none.
    verbose : bool, default False
        Print the loss each epoch.
    warm_start : bool, default False
        Continue from the previous fit's weights.
    momentum : float, default 0.9
        sgd's momentum, in [0, 1].
    nesterovs_momentum : bool, default True
        Nesterov's momentum (sgd).
    early_stopping : bool, default False
        Hold out validation_fraction and stop when its score stops improving.
    validation_fraction : float, default 0.1
        Held out by early_stopping.
    beta_1, beta_2 : float, default 0.9, 0.999
        Adam's moment decay rates, in [0, 1).
    epsilon : float, default 1e-8
        Adam's denominator term (scikit-learn's eps style).
    n_iter_no_change : int, default 10
        Epochs without tol improvement before stopping.
    max_fun : int, default 15000
        lbfgs's most loss evaluations.
    dropout : float or array-like, default 0.0
        fastnn's: drop rate after each hidden layer (one, or one per layer),
        in [0, 1); sgd and adam only.
    l1 : float, default 0.0
        fastnn's: L1 penalty on the weights.
    weight_decay : float, default 0.0
        fastnn's: decoupled weight decay (AdamW for adam); sgd and adam only.
    n_threads : int or None
        fastnn's: threads during fit; None: fastnn.set_num_threads's count,
        else this process's or worker's share of the cores.
    class_weight : None, "balanced" or dict {label: weight}, default None
        scikit-learn's meaning: multiplies sample_weight, computed on the
        labels before the validation split.
    scoring : None, "loss", str or callable, default None
        The validation score of early stopping and ``validation_scores_``:
        None (accuracy), "loss" (the negated validation loss), a scorer name
        or a callable ``scorer(estimator, X, y)``.
    max_grad_norm : float or None, default None
        fastnn's: the cap of each step's global gradient norm (PyTorch's
        ``clip_grad_norm_``), L1/L2 terms included; sgd and adam only.
    label_smoothing : float, default 0.0
        fastnn's: label smoothing eps in [0, 1] of the cross-entropy (targets
        (1 - eps) t + eps / n_classes); sgd and adam, not with sample_weight.
    augment : None, "shift", "flip", "erase" or a list of them, default None
        fastnn's: image augmentation while the compiled epoch gathers each
        batch (random shifts of at most max_shift pixels, horizontal flips,
        random erasing of a rectangle in half the images),
        drawn from the seed; needs image_shape; sgd and adam, not with
        sample_weight.
    image_shape : tuple, list, array or None, default None
        fastnn's: (H, W) or (H, W, C), the image each row of X holds
        (row-major, channels last); needed by augment.
    max_shift : int, default 2
        fastnn's: the largest shift of augment="shift", in pixels.

    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
        Weights and biases per layer.
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_
        As in scikit-learn.
    validation_loss_curve_ : list of float
        The validation loss per epoch (penalty included, as ``loss_curve_``;
        with label_smoothing, the loss against the true labels, unsmoothed).
    n_iter_, t_, n_layers_, n_outputs_, out_activation_, n_features_in_
        As in scikit-learn.
    stop_reason_ : str
        fastnn's: why the last fit stopped: "max_iter", "time",
        "no_improvement", "early_stopping", "callback" (a callback asked),
        "interrupted" (Ctrl-C), "partial_fit" (one pass) or, for lbfgs,
        "converged", "max_iter", "max_fun" or "not_converged" (its line
        search stopped).
    classes_ : ndarray
        The class labels.

    Examples
    --------
    >>> from fastnn import MLPClassifier
    >>> X, y, X_test, y_test = fastnn.datasets.load_digits()
    >>> clf = MLPClassifier((64,), dropout=0.2, max_iter=50, random_state=0).fit(X / 16, y)
    >>> clf.score(X_test / 16, y_test)  # doctest: +SKIP
    0.97...
    """

    _parameter_constraints = {**_BaseMLP._parameter_constraints,
                              "class_weight": [dict, StrOptions({"balanced"}), None],
                              "label_smoothing": [Interval(Real, 0, 1, closed="both")]}

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, max_time=None, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, l1=0.0, weight_decay=0.0, n_threads=None, class_weight=None,
                 scoring=None, max_grad_norm=None, label_smoothing=0.0, augment=None,
                 image_shape=None, max_shift=2):
        store_params(self, locals())

    loss = "log_loss"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
            _check_two_classes(self._label_binarizer)
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in "
                        "the previous call to fit. Previously got %s, `y` has %s"
                        % (self.classes_, classes))
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError("`y` has classes not in `self.classes_`. `self.classes_` "
                                 "has %s. 'y' has %s." % (self.classes_, classes))
        y = self._label_binarizer.transform(y).astype(bool)
        return X, y

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over X, y (sgd and adam only).

        Parameters
        ----------
        X : array-like or sparse matrix
            (n_samples, n_features); float32 trains in float32.
        y : array-like
            Targets (labels, or label indicators for multi-label).
        sample_weight : array-like, optional
            Per-sample weights.
        classes : array-like, optional
            All the classes; required on the first call.

        Returns
        -------
        MLPClassifier
            self.
        """
        self._validate_params()
        with rollback_on_failure(Rollback(self)):
            if _check_partial_fit_first_call(self, classes):
                self._label_binarizer = LabelBinarizer()
                if type_of_target(y).startswith("multilabel"):
                    self._label_binarizer.fit(y)
                else:
                    self._label_binarizer.fit(classes)
                _check_two_classes(self._label_binarizer)
            return self._fit_atomic(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict with the fitted network.

        Parameters
        ----------
        X : array-like or sparse matrix

        Returns
        -------
        ndarray
            Class labels.
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True, n_threads=None, check_overflow=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input, n_threads=n_threads,
                                         check_overflow=check_overflow)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def _score(self, X, y, sample_weight=None, n_threads=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score, n_threads)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like or sparse matrix

        Returns
        -------
        ndarray
            (n_samples, n_classes).
        """
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X):
        """Log of predict_proba.

        Parameters
        ----------
        X : array-like or sparse matrix

        Returns
        -------
        ndarray
        """
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def _check_two_classes(binarizer):
    """A classifier needs two classes (scikit-learn's MLP would fit a constant)."""
    if binarizer.y_type_ != "multilabel-indicator" and len(binarizer.classes_) < 2:
        raise ValueError("MLPClassifier needs samples of at least 2 classes in the data, "
                         "but the data contains only one class: %r" % binarizer.classes_[0])
