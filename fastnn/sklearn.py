"""scikit-learn drop-in estimators: fastnn.MLPClassifier and fastnn.MLPRegressor.

They take the parameters of sklearn.neural_network's MLPs, set the same
attributes and follow the same training trajectory: the same initial weights
from random_state, the same shuffles (sklearn.utils.shuffle per epoch, passed
to the compiled epoch as its row order), batches, update formulas (Adam in
scikit-learn's eps style, alpha as l2 / rows-in-batch), learning-rate rules
and stopping rules.  Batches run in compiled code (fastnn._session.Session);
L-BFGS, sample weights and the Poisson loss evaluate the batch loss through
fastnn.ops instead (fastnn/_sklearn_backprop.py).  Extra fastnn parameters:
dropout, l1, weight_decay and n_threads.
"""
import threading
import warnings
from numbers import Integral, Real

from . import _sklearn_floor  # noqa: F401  (first: an old scikit-learn gets a clear error)

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d, gen_batches, shuffle
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (_check_partial_fit_first_call, type_of_target,
                                      unique_labels)
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _sklearn_backprop as bp
from . import ops
from ._validate import canonical_activation, store_params
from ._parallel import call_threads
from ._session import Session
from ._sklearn_state import FastnnStateMixin
from .model import dropout_rates, seed_from

SESSION_OUTPUT = {"softmax": ("softmax", "cross_entropy"),
                  "logistic": ("sigmoid", "binary_cross_entropy"),
                  "identity": ("identity", "mse"), "exp": ("identity", "mse")}
FITTED_LISTS = ("loss_curve_", "validation_scores_")


class _BaseMLP(FastnnStateMixin, BaseEstimator):
    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        # fastnn's own (dropout: one rate or one per hidden layer, each in [0, 1))
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "l1": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
    }

    # ---- fitting ----
    def fit(self, X, y, sample_weight=None):
        """Fit the model to X and y (same semantics as scikit-learn's MLP)."""
        self._validate_params()
        return self._fit_atomic(X, y, sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 "%s is not stochastic." % self.solver)
        return True

    def _fit_atomic(self, X, y, sample_weight, incremental):
        """_fit, leaving the estimator as it was if anything fails; a second
        thread fitting the same estimator meanwhile gets a RuntimeError."""
        lock = self.__dict__.setdefault("_fit_lock", threading.Lock())
        if not lock.acquire(blocking=False):
            raise RuntimeError("this %s is already being fitted in another thread; fit a "
                               "clone (sklearn.base.clone) to train in parallel"
                               % type(self).__name__)
        try:
            return self._fit_atomic_locked(X, y, sample_weight, incremental)
        finally:
            lock.release()

    def _fit_atomic_locked(self, X, y, sample_weight, incremental):
        before = dict(self.__dict__)
        for name in FITTED_LISTS:  # appended to in place
            if isinstance(before.get(name), list):
                before[name] = list(before[name])
        session = before.get("_session")
        state = session.state() if session is not None else None
        try:
            with call_threads(self.n_threads):  # n_threads, else this worker's share
                return self._fit(X, y, sample_weight, incremental)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            if session is not None:
                session.restore(state)
            raise

    def _fit(self, X, y, sample_weight, incremental):
        hidden = self.hidden_layer_sizes
        hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
        if np.any(np.array(hidden) <= 0):
            raise ValueError("hidden_layer_sizes must be > 0, got %s." % hidden)
        rates = dropout_rates(self.dropout, len(hidden))
        if self.solver == "lbfgs" and (any(rates) or self.weight_decay):
            raise ValueError("dropout and weight_decay need solver='sgd' or 'adam'")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if sp.issparse(X):
            X = X.toarray()
        X = np.ascontiguousarray(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        self.n_outputs_ = y.shape[1]
        layer_units = [X.shape[1]] + hidden + [self.n_outputs_]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)
        if any(rates) and sample_weight is not None:
            raise ValueError("dropout is not supported with sample_weight")
        if self.solver in ("sgd", "adam"):
            self._fit_stochastic(X, y, sample_weight, layer_units, rates, incremental)
        else:
            self._fit_lbfgs(X, y, sample_weight, layer_units)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.")
        return self

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        if not is_classifier(self):
            self.out_activation_ = "exp" if self.loss == "poisson" else "identity"
        elif self._label_binarizer.y_type_ == "multiclass":
            self.out_activation_ = "softmax"
        else:
            self.out_activation_ = "logistic"
        self.coefs_, self.intercepts_ = [], []
        factor = 2.0 if self.activation == "logistic" else 6.0
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            # scikit-learn's _init_coef: the same draws from the same stream
            bound = np.sqrt(factor / (fan_in + fan_out))
            coef = self._random_state.uniform(-bound, bound, (fan_in, fan_out))
            intercept = self._random_state.uniform(-bound, bound, fan_out)
            self.coefs_.append(coef.astype(dtype, copy=False))
            self.intercepts_.append(intercept.astype(dtype, copy=False))
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [i.copy() for i in self.intercepts_]
        self._session = None
        if self.solver in ("sgd", "adam"):
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _new_session(self, layer_units, rates, dtype, max_batch):
        output, loss = SESSION_OUTPUT[self.out_activation_]
        if any(rates) and not isinstance(self.random_state, (int, np.integer)):
            seed = seed_from(self._random_state)
        else:
            seed = seed_from(self.random_state)
        adam = self.solver == "adam"
        return Session(
            layer_units, activation=canonical_activation(self.activation), output=output,
            loss=loss, dropout=rates, dropout_mode="inverted",
            dtype=dtype, optimizer=("adamw" if self.weight_decay else "adam") if adam else "sgd",
            momentum=self.momentum, nesterov=self.nesterovs_momentum, beta1=self.beta_1,
            beta2=self.beta_2, eps=self.epsilon, adam_eps_style="sklearn", l1=self.l1,
            l2=self.alpha, weight_decay=self.weight_decay, l2_per_batch=True,
            data_loss_scale=1.0 / layer_units[-1] if loss == "mse" else 1.0, seed=seed,
            max_batch=max_batch)

    def _fit_stochastic(self, X, y, sample_weight, layer_units, rates, incremental):
        session = getattr(self, "_session", None)
        if not incremental or session is None:
            # a new optimizer on every fit, kept across partial_fit calls (as scikit-learn)
            session = None
            self._learning_rate = float(self.learning_rate_init)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        sw_train = sample_weight
        if early_stopping:
            stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
            arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
            split = train_test_split(*arrays, random_state=self._random_state,
                                     test_size=self.validation_fraction, stratify=stratify)
            X_train, X_val, y_train, y_val = split[:4]
            sw_train, sw_val = (split[4], split[5]) if sample_weight is not None else (None, None)
            if X_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase "
                                 "'validation_fraction' or the size of your dataset.")
            if is_classifier(self):
                y_val = self._label_binarizer.inverse_transform(y_val)
        else:
            X_train, y_train = X, y
            X_val = y_val = sw_val = None
        n_samples = X_train.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than "
                              "sample size. It is going to be clipped")
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        if session is None or session.config["max_batch"] < batch_size \
                or session.dtype != X.dtype:
            fresh = self._new_session(layer_units, rates, X.dtype, batch_size)
            if session is not None:  # grow the batch buffers, keep the optimizer state
                params, m, v, step = session.state()
                fresh.restore((params.astype(fresh.dtype), None if m is None else
                               m.astype(fresh.dtype), None if v is None else
                               v.astype(fresh.dtype), step))
            session = fresh
        session.load(self.coefs_, self.intercepts_)
        self._session = session
        self.coefs_, self.intercepts_ = session.views()

        use_ops = sample_weight is not None or self.out_activation_ == "exp"
        X_train = np.ascontiguousarray(X_train)
        if use_ops:
            Y_train, labels = np.ascontiguousarray(y_train, dtype=X.dtype), None
        elif self.out_activation_ == "softmax":
            Y_train, labels = None, np.ascontiguousarray(np.argmax(y_train, axis=1), np.int64)
        else:
            Y_train, labels = np.ascontiguousarray(y_train, dtype=X.dtype), None
        sample_idx = np.arange(n_samples, dtype=int)
        try:
            self.n_iter_ = 0
            for it in range(self.max_iter):
                if self.shuffle:
                    sample_idx = shuffle(sample_idx, random_state=self._random_state)
                lr = self._learning_rate if self.solver == "sgd" else self.learning_rate_init
                try:
                    if use_ops:
                        loss = self._ops_epoch(session, X_train, Y_train, sw_train, sample_idx,
                                               batch_size, lr)
                    else:
                        loss = session.epoch(X_train, Y_train, labels, batch_size=batch_size,
                                             learning_rate=lr, shuffle=False, epoch=self.t_,
                                             order=sample_idx)
                except FloatingPointError:
                    raise ValueError("Solver produced non-finite parameter weights. The input "
                                     "data may contain large values and need to be "
                                     "preprocessed (or try a smaller learning_rate_init).") \
                        from None
                self.n_iter_ += 1
                self.loss_ = loss
                self.t_ += n_samples
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
                self._update_no_improvement_count(early_stopping, X_val, y_val, sw_val)
                if self.solver == "sgd" and self.learning_rate == "invscaling":
                    self._learning_rate = (float(self.learning_rate_init)
                                           / (self.t_ + 1) ** self.power_t)
                if self._no_improvement_count > self.n_iter_no_change:
                    what = "Validation score" if early_stopping else "Training loss"
                    msg = ("%s did not improve more than tol=%f for %d consecutive epochs."
                           % (what, self.tol, self.n_iter_no_change))
                    if self._trigger_stopping(msg):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn("Stochastic Optimizer: Maximum iterations (%d) reached and "
                                  "the optimization hasn't converged yet." % self.max_iter,
                                  ConvergenceWarning)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        if early_stopping:
            session.load(self._best_coefs, self._best_intercepts)

    def _trigger_stopping(self, msg):
        """scikit-learn's optimizer.trigger_stopping: adaptive SGD divides the rate by 5."""
        if self.solver == "adam" or self.learning_rate != "adaptive":
            if self.verbose:
                print(msg + " Stopping.")
            return True
        if self._learning_rate <= 1e-6:
            if self.verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self._learning_rate /= 5.0
        if self.verbose:
            print(msg + " Setting learning rate to %f" % self._learning_rate)
        return False

    def _ops_epoch(self, session, X, Y, sw, order, batch_size, lr):
        """One epoch batch by batch through fastnn.ops (sample weights, Poisson),
        updating the session's parameter and optimizer buffers in place."""
        coefs, intercepts = session.views()
        m_views = None if session.opt_m is None else _views_like(session, session.opt_m)
        v_views = None if session.opt_v is None else _views_like(session, session.opt_v)
        total = 0.0
        for batch in gen_batches(X.shape[0], batch_size):
            idx = order[batch]
            sw_b = None if sw is None else sw[idx]
            value, gw, gb = bp.loss_grad(X[idx], Y[idx], sw_b, coefs, intercepts,
                                         self.activation, self.out_activation_, self.alpha,
                                         self.l1, penalize_grad=False)
            if not np.isfinite(value):
                raise FloatingPointError(session.step)
            l2 = self.alpha / (len(idx) if sw_b is None else float(sw_b.sum()))
            session.step += 1
            for l, (p, g) in enumerate(zip(coefs + intercepts, gw + gb)):
                is_w = l < len(coefs)
                reg = dict(l1=self.l1 if is_w else 0.0, l2=l2 if is_w else 0.0,
                           weight_decay=self.weight_decay if is_w else 0.0)
                if self.solver == "adam":
                    ops.adam_step(p, g, m_views[l], v_views[l], t=session.step, lr=lr,
                                  beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon,
                                  eps_style="sklearn", **reg)
                else:
                    ops.sgd_step(p, g, None if m_views is None else m_views[l], lr=lr,
                                 momentum=self.momentum, nesterov=self.nesterovs_momentum,
                                 **reg)
            total += value * (batch.stop - batch.start)
        return total / X.shape[0]

    def _update_no_improvement_count(self, early_stopping, X, y, sample_weight):
        if early_stopping:
            self.validation_scores_.append(self._score(X, y, sample_weight=sample_weight))
            if self.verbose:
                print("Validation score: %f" % self.validation_scores_[-1])
            last = self.validation_scores_[-1]
            if last < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if last > self.best_validation_score_:
                self.best_validation_score_ = last
                self._best_coefs = [c.copy() for c in self.coefs_]
                self._best_intercepts = [i.copy() for i in self.intercepts_]
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _fit_lbfgs(self, X, y, sample_weight, layer_units):
        shapes = [(a, b) for a, b in zip(layer_units[:-1], layer_units[1:])]
        sizes = [a * b for a, b in shapes] + [b for _, b in shapes]
        bounds = np.cumsum([0] + sizes)
        n_w = len(shapes)
        Y = np.ascontiguousarray(y, dtype=X.dtype)

        def unpack(packed):
            parts = [np.ascontiguousarray(packed[bounds[i]:bounds[i + 1]], dtype=X.dtype)
                     for i in range(len(sizes))]
            return ([p.reshape(s) for p, s in zip(parts[:n_w], shapes)], parts[n_w:])

        def loss_grad(packed):
            coefs, intercepts = unpack(packed)
            value, gw, gb = bp.loss_grad(X, Y, sample_weight, coefs, intercepts,
                                         self.activation, self.out_activation_, self.alpha,
                                         self.l1)
            return value, np.concatenate([g.ravel() for g in gw + gb]).astype(np.float64)

        packed = np.hstack([p.ravel() for p in list(self.coefs_) + list(self.intercepts_)])
        iprint = 1 if self.verbose is True or self.verbose >= 1 else -1
        options = {"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol}
        try:
            from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
            options.update(_get_additional_lbfgs_options_dict("iprint", iprint))
        except ImportError:
            pass
        res = scipy.optimize.minimize(loss_grad, packed.astype(np.float64), method="L-BFGS-B",
                                      jac=True, options=options)
        self.n_iter_ = _check_optimize_result("lbfgs", res, self.max_iter)
        self.loss_ = float(res.fun)
        coefs, intercepts = unpack(res.x)
        session = self._new_session(layer_units, [0.0] * (len(layer_units) - 2), X.dtype, 1)
        session.load(coefs, intercepts)
        self._session = session
        self.coefs_, self.intercepts_ = session.views()

    # ---- inference ----
    def _forward_pass_fast(self, X, check_input=True):
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        if sp.issparse(X):
            X = X.toarray()
        dtype = np.result_type(X.dtype, self.coefs_[0].dtype, np.float32)
        X = np.ascontiguousarray(X, dtype=dtype)
        coefs = [np.ascontiguousarray(w, dtype=dtype) for w in self.coefs_]
        intercepts = [np.ascontiguousarray(b, dtype=dtype) for b in self.intercepts_]
        with call_threads(self.n_threads):
            return bp.predict(X, coefs, intercepts, self.activation, self.out_activation_)

    def _score_with_function(self, X, y, sample_weight, score_function):
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return score_function(y, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _views_like(session, buf):
    """Per-tensor views (coefs then intercepts) of a flat buffer laid out as params."""
    views = []
    for is_bias in (False, True):
        for l, (fan_in, fan_out) in enumerate(zip(session.sizes[:-1], session.sizes[1:])):
            off = session.b_off[l] if is_bias else session.w_off[l]
            size = fan_out if is_bias else fan_in * fan_out
            v = buf[off:off + size]
            views.append(v if is_bias else v.reshape(fan_in, fan_out))
    return views


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """scikit-learn's MLPClassifier trained by fastnn; see sklearn.neural_network.

    Extra parameters: dropout (rate after each hidden layer, float or one per
    layer, in [0, 1)), l1, weight_decay (decoupled; AdamW for adam) and
    n_threads (fastnn threads during fit; None: fastnn.set_num_threads's
    count, else this process's or worker's share of the cores)."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, l1=0.0, weight_decay=0.0, n_threads=None):
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
        """One epoch over X, y; `classes` is required on the first call."""
        self._validate_params()
        before = dict(self.__dict__)
        try:
            if _check_partial_fit_first_call(self, classes):
                self._label_binarizer = LabelBinarizer()
                if type_of_target(y).startswith("multilabel"):
                    self._label_binarizer.fit(y)
                else:
                    self._label_binarizer.fit(classes)
                _check_two_classes(self._label_binarizer)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        try:
            return self._fit_atomic(X, y, sample_weight, incremental=True)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def predict(self, X):
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score)

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
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, l1=0.0, weight_decay=0.0, n_threads=None):
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

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, r2_score)


def _check_two_classes(binarizer):
    """A classifier needs two classes (scikit-learn's MLP would fit a constant)."""
    if binarizer.y_type_ != "multilabel-indicator" and len(binarizer.classes_) < 2:
        raise ValueError("MLPClassifier needs samples of at least 2 classes in the data, "
                         "but the data contains only one class: %r" % binarizer.classes_[0])
