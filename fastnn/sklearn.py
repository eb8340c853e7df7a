"""scikit-learn drop-in estimators: fastnn.MLPClassifier and fastnn.MLPRegressor.

They take the parameters of sklearn.neural_network's MLPs, set the same
attributes and follow the same training trajectory: the same initial weights
from random_state, the same shuffles (sklearn.utils.shuffle per epoch, passed
to the compiled epoch as its row order), batches, update formulas (Adam in
scikit-learn's eps style, alpha as l2 / rows-in-batch), learning-rate rules
and stopping rules.  Batches run in compiled code (fastnn._session.Session);
L-BFGS, sample weights and the Poisson loss evaluate the batch loss through
fastnn.ops instead (fastnn/_sklearn_backprop.py).  Extra fastnn parameters:
dropout, l1, weight_decay, n_threads; max_time (seconds: a time budget,
max_iter becomes an upper bound, stop_reason_ says why the fit stopped),
augment/image_shape/max_shift (image augmentation in the compiled epoch) and,
for the classifier, label_smoothing.
"""
from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (_check_partial_fit_first_call, type_of_target,
                                      unique_labels)
from sklearn.utils.validation import check_is_fitted, validate_data

from ._fitloop import Rollback, rollback_on_failure
from ._sklearn_base import _BaseMLP  # noqa: F401 (also importable from here, as before)
from ._validate import store_params


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """scikit-learn's MLPClassifier trained by fastnn; see sklearn.neural_network.

    Extra parameters: dropout (rate after each hidden layer, float or one per
    layer, in [0, 1)), l1, weight_decay (decoupled; AdamW for adam) and
    n_threads (fastnn threads during fit; None: fastnn.set_num_threads's
    count, else this process's or worker's share of the cores)."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, max_time=None, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, l1=0.0, weight_decay=0.0, n_threads=None, label_smoothing=0.0,
                 augment=None, image_shape=None, max_shift=2):
        store_params(self, locals())

    _parameter_constraints = {**_BaseMLP._parameter_constraints,
                              "label_smoothing": [Interval(Real, 0, 1, closed="both")]}
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
        """One epoch over X, y; `classes` is required on the first call."""
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
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True, n_threads=None):
        y_pred = self._forward_pass_fast(X, check_input=check_input, n_threads=n_threads)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def _score(self, X, y, sample_weight=None, n_threads=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score, n_threads)

    def predict_proba(self, X):
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X):
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """scikit-learn's MLPRegressor trained by fastnn; see sklearn.neural_network.
    Extra parameters as MLPClassifier."""

    _parameter_constraints = {**_BaseMLP._parameter_constraints,
                              "loss": [StrOptions({"squared_error", "poisson"})]}

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, max_time=None, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, l1=0.0, weight_decay=0.0, n_threads=None, augment=None,
                 image_shape=None, max_shift=2):
        store_params(self, locals())

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    # scikit-learn's regressor offers partial_fit for every solver (its
    # available_if tests the bound method, which is always true): so does this one.
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over X, y."""
        self._validate_params()
        return self._fit_atomic(X, y, sample_weight, incremental=True)

    def predict(self, X):
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True, n_threads=None):
        y_pred = self._forward_pass_fast(X, check_input=check_input, n_threads=n_threads)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def _score(self, X, y, sample_weight=None, n_threads=None):
        return self._score_with_function(X, y, sample_weight, r2_score, n_threads)


def _check_two_classes(binarizer):
    """A classifier needs two classes (scikit-learn's MLP would fit a constant)."""
    if binarizer.y_type_ != "multilabel-indicator" and len(binarizer.classes_) < 2:
        raise ValueError("MLPClassifier needs samples of at least 2 classes in the data, "
                         "but the data contains only one class: %r" % binarizer.classes_[0])
