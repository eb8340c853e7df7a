"""The base of the scikit-learn drop-in estimators (fastnn/sklearn.py):
parameters, fitting (stochastic solvers through the fit loop of
fastnn/_fitloop.py, L-BFGS through scipy) and the forward pass."""
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, shuffle
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

from . import _budget
from ._augment import augment_settings
from ._fit_extras import FitExtras
from ._fitloop import Rollback, exclusive_fit, rollback_on_failure, run_epochs
from ._forward import forward
from ._parallel import call_threads, effective_n_threads
from ._session import Session
from ._sklearn_backprop import SESSION_OUTPUT, probability_clip
from ._sklearn_callbacks import CallbackSupport, callback_scope, fit_tasks
from ._sklearn_epochs import (NAN_MESSAGE, OPTIMIZER_SETTINGS, NoImprovement, epoch_runner,
                              continued_seed, fit_features, optimizer_setting, session_seed)
from ._sklearn_lbfgs import fit_lbfgs
from ._sklearn_state import FastnnStateMixin
from ._sklearn_validation import (check_validation_set, class_row_weights,
                                  start_stopping_state, validation_loss, validation_score)
from ._validate import canonical_activation, dropout_rates



class _BaseMLP(CallbackSupport, FastnnStateMixin, BaseEstimator):
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
        "max_time": [None, Interval(Real, 0, None, closed="neither")],
        "augment": [None, str, list, tuple],
        "image_shape": [None, "array-like"],
        "max_shift": [Interval(Integral, 0, None, closed="left")],
        "scoring": [None, str, callable],
        "max_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
    }

    # ---- fitting ----
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        """Fit the model to X and y (same semantics as scikit-learn's MLP).

        Parameters
        ----------
        X : array-like or sparse matrix
            (n_samples, n_features); float32 trains in float32.
        y : array-like
            Targets (labels, or label indicators for multi-label).
        sample_weight : array-like, optional
            Per-sample weights.
        X_val, y_val : array-like, optional
            A validation set (together or not at all), scored
            (``validation_scores_``) and measured (``validation_loss_curve_``)
            every epoch; with ``early_stopping=True`` it replaces the
            ``validation_fraction`` split for stopping and for the best
            weights.  In a Pipeline, ``Pipeline(..., transform_input=["X_val"])``
            transforms it as X (with ``set_fit_request(X_val=True, y_val=True)``).
        sample_weight_val : array-like, optional
            Per-sample weights of the validation set.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Bad parameters or data, or weights that became non-finite (the
            estimator is then left as it was).
        """
        self._validate_params()
        return self._fit_atomic(X, y, sample_weight, incremental=False,
                                validation=(X_val, y_val, sample_weight_val))

    def _check_solver(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 "%s is not stochastic." % self.solver)
        return True

    def _fit_atomic(self, X, y, sample_weight, incremental, validation=(None, None, None)):
        """_fit, leaving the estimator as it was if anything fails; a second
        thread fitting the same estimator meanwhile gets a RuntimeError."""
        # a budget covers the whole fit, reading the input included, as MLP.fit's
        started = _budget.clock() if self.max_time is not None and not incremental else None
        with exclusive_fit(self, "fit a clone (sklearn.base.clone) to train in parallel"):
            session = self.__dict__.get("_session")
            with rollback_on_failure(Rollback(self, session=session)), \
                    call_threads(self.n_threads) as n_threads, \
                    callback_scope(self):  # callbacks torn down before any rollback
                return self._fit(X, y, sample_weight, incremental, n_threads, validation,
                                 started)

    def _fit(self, X, y, sample_weight, incremental, n_threads, validation, started=None):
        hidden = self.hidden_layer_sizes
        hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
        if np.any(np.array(hidden) <= 0):
            raise ValueError("hidden_layer_sizes must be > 0, got %s." % hidden)
        rates = dropout_rates(self.dropout, len(hidden))
        if self.solver == "lbfgs" and (any(rates) or self.weight_decay or self.max_grad_norm
                                       or self.max_time or self.augment
                                       or getattr(self, "label_smoothing", 0)):
            raise ValueError("dropout, weight_decay, max_grad_norm, max_time, augment and "
                             "label_smoothing need solver='sgd' or 'adam'")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        # a continued fit keeps the weights' dtype; a large sparse X stays sparse
        X = fit_features(X, None if first_pass else self.coefs_[0].dtype, self.solver != "lbfgs")
        if is_classifier(self):  # before any validation split, as scikit-learn's classifiers
            sample_weight = class_row_weights(self, y, sample_weight, incremental)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
            if float(sample_weight.sum(dtype=np.float64)) == 0:
                raise ValueError("sample_weight sums to zero: there is nothing to normalise "
                                 "the loss by")
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        self.n_outputs_ = y.shape[1]
        layer_units = [X.shape[1]] + hidden + [self.n_outputs_]
        if not first_pass:
            fitted = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
            if fitted != layer_units:
                raise ValueError(
                    "%s continues the fitted network of layer sizes %s, but the estimator now "
                    "asks for %s (hidden_layer_sizes or the targets' width changed): fit with "
                    "warm_start=False to train a new network"
                    % ("partial_fit" if incremental else "warm_start=True", fitted, layer_units))
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)
        user_val = check_validation_set(self, *validation, X.dtype)
        stochastic = self.solver in ("sgd", "adam")
        # one task per epoch; lbfgs: per iteration, plus the one begun after the last
        tasks = fit_tasks(self, (1 if incremental else self.max_iter) if stochastic
                          else self.max_iter + 1, X, y, sample_weight)
        if stochastic:
            self._fit_stochastic(X, y, sample_weight, layer_units, rates, incremental,
                                 n_threads, user_val, tasks, started)
        else:  # image_shape and max_shift checked though unused
            augment_settings(None, self.image_shape, self.max_shift, X.shape[1])
            fit_lbfgs(self, X, y, sample_weight, layer_units, n_threads, tasks)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.")
        if tasks is not None:
            tasks.finish()
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
            self.validation_loss_curve_ = [] if self.early_stopping else None
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _new_session(self, layer_units, rates, dtype, max_batch, n_threads=None, options=None,
                     solver=None, seed=None):  # solver: a pickle's, when edited since its fit
        output, loss = SESSION_OUTPUT[self.out_activation_]
        seed = session_seed(self, rates, options) if seed is None else seed
        self._session_seed = seed  # a pickle's session takes it again, not a fresh draw
        solver = solver or self.solver
        momentum, nesterov, beta_1, beta_2, epsilon = (optimizer_setting(self, k) for k in (
            "momentum", "nesterovs_momentum", "beta_1", "beta_2", "epsilon"))
        session = Session(
            layer_units, activation=canonical_activation(self.activation), output=output,
            loss=loss, dropout=rates, dropout_mode="inverted", dtype=dtype,
            optimizer=("adamw" if self.weight_decay else "adam") if solver == "adam" else "sgd",
            momentum=momentum, nesterov=nesterov, beta1=beta_1, beta2=beta_2, eps=epsilon,
            adam_eps_style="sklearn", l1=self.l1, l2=self.alpha, weight_decay=self.weight_decay,
            data_loss_scale=1.0 / layer_units[-1] if loss == "mse" else 1.0, seed=seed,
            max_batch=max_batch, n_threads=n_threads, l2_per_batch=True,
            max_grad_norm=getattr(self, "max_grad_norm", None),  # None in older pickles
            # loss_curve_ as log_loss reports it, p clipped to [eps, 1 - eps]
            probability_clip=probability_clip(self.out_activation_, dtype),
            **(options or {}))
        # the solver partial_fit may continue, the settings _fit_stochastic baked in
        session.solver, session.baked = solver, None
        return session

    def _fit_stochastic(self, X, y, sample_weight, layer_units, rates, incremental, n_threads,
                        user_val=None, tasks=None, started=None):
        extras = FitExtras(  # partial_fit ignores the budget
            loss=SESSION_OUTPUT[self.out_activation_][1], n_features=X.shape[1],
            max_time=self.max_time, timed=not incremental, max_epochs=self.max_iter,
            started=started,
            label_smoothing=getattr(self, "label_smoothing", 0.0), augment=self.augment,
            image_shape=self.image_shape, max_shift=self.max_shift)
        # the compiled epoch gathers weights with augmented rows, but neither
        # augmentation nor smoothing has a weighted twin or a measured use yet
        if sample_weight is not None and (extras.augment[0] or extras.label_smoothing):
            raise ValueError("augment and label_smoothing are not supported with "
                             "sample_weight or class_weight")
        session = getattr(self, "_session", None)
        if not incremental or session is None:
            # a new optimizer on every fit, kept across partial_fit calls with the
            # settings it started with (as scikit-learn's optimizer object)
            session = None
            self._optimizer_settings = {k: getattr(self, k) for k in OPTIMIZER_SETTINGS}
            self._learning_rate = float(self.learning_rate_init)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        sw_train = sample_weight
        if user_val is not None:  # all of X trains; the user's rows validate
            X_train, y_train = X, y
            X_val, y_val, Y_val, sw_val = user_val
        elif early_stopping:
            stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
            arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
            split = train_test_split(*arrays, random_state=self._random_state,
                                     test_size=self.validation_fraction, stratify=stratify)
            X_train, X_val, y_train, y_val = split[:4]
            sw_train, sw_val = (split[4], split[5]) if sample_weight is not None else (None, None)
            if X_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase "
                                 "'validation_fraction' or the size of your dataset.")
            Y_val = np.ascontiguousarray(y_val, dtype=X.dtype)
            if is_classifier(self):
                y_val = self._label_binarizer.inverse_transform(y_val)
        else:
            X_train, y_train = X, y
            X_val = y_val = Y_val = sw_val = None
        start_stopping_state(self, X_val is not None, early_stopping)
        n_samples = X_train.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than "
                              "sample size. It is going to be clipped")
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        options = extras.session_options(-(-n_samples // batch_size))
        # what a session bakes in that scikit-learn reads at every call (its
        # partial_fit follows an edited activation or alpha): an edit builds
        # a new session that keeps the weights and the optimizer's state
        baked = (canonical_activation(self.activation), tuple(rates), float(self.alpha),
                 float(self.l1), float(self.weight_decay), getattr(self, "max_grad_norm", None),
                 repr(sorted(options.items())))
        if session is not None and session.solver != self.solver:
            raise ValueError(
                ("the estimator was fitted with solver 'lbfgs', which partial_fit cannot "
                 "continue" if session.solver == "lbfgs" else "partial_fit continues the %r "
                 "optimizer of the first call" % session.solver) + "; fit anew to change solver")
        if session is None or session.config["max_batch"] < batch_size \
                or session.dtype != X.dtype or session.baked != baked:
            fresh = self._new_session(layer_units, rates, X.dtype, batch_size, n_threads,
                                      options, seed=continued_seed(session))
            fresh.baked = baked
            if session is not None:  # grow the batch buffers, keep the optimizer state
                fresh.take_state(session)
            session = fresh
        session.load(self.coefs_, self.intercepts_)
        self._session = session
        self.coefs_, self.intercepts_ = session.views()

        run = epoch_runner(self, session, X_train, y_train, sw_train, batch_size, n_threads)
        order = [np.arange(n_samples, dtype=int)]

        def run_epoch(epoch, progress):
            if tasks is not None:
                tasks.begin_epoch()
            if self.shuffle:
                order[0] = shuffle(order[0], random_state=self._random_state)
            # the rate of the optimizer this fit (or the first partial_fit)
            # started, as scikit-learn's optimizer object keeps it
            return run(order[0], self._learning_rate, progress)

        def record(epoch, loss, seconds):
            self.n_iter_ += 1
            self.loss_ = loss
            self.t_ += n_samples
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
            logs = {"epoch": epoch, "loss": loss}
            if X_val is not None:
                logs["val_loss"] = validation_loss(self, X_val, Y_val, sw_val, batch_size,
                                                   n_threads)
                self.validation_loss_curve_.append(logs["val_loss"])
                logs["val_score"] = validation_score(self, X_val, y_val, sw_val,
                                                     logs["val_loss"], n_threads)
                self.validation_scores_.append(logs["val_score"])
                if self.verbose:
                    print("Validation score: %f" % self.validation_scores_[-1])
            return logs

        self.n_iter_ = 0
        run = run_epochs(self, epochs=self.max_iter, run_epoch=run_epoch, record=record,
                         stopping=NoImprovement(self, session, early_stopping, incremental),
                         callbacks=() if tasks is None else (tasks.end_epoch,),
                         nan_message=lambda epoch: NAN_MESSAGE, on_interrupt="warn",
                         budget=extras.budget)
        stopped = run[1]
        if incremental:  # one pass, whatever the rule saw, unless cut short
            self.stop_reason_ = (run.reason if run.reason in ("interrupted", "callback")
                                 else "partial_fit")
        else:
            self.stop_reason_ = {"completed": "max_iter",
                                 "rule": "early_stopping" if early_stopping
                                 else "no_improvement"}.get(run.reason, run.reason)
        extras.warn_if_cut_short(run.reason, run[0])
        if not (stopped or incremental) and self.n_iter_ == self.max_iter:
            warnings.warn("Stochastic Optimizer: Maximum iterations (%d) reached and the "
                          "optimization hasn't converged yet." % self.max_iter,
                          ConvergenceWarning)

    # ---- inference ----
    def _forward_pass_fast(self, X, check_input=True, n_threads=None, check_overflow=True):
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        dtype = np.result_type(X.dtype, self.coefs_[0].dtype, np.float32)
        # sparse X stays CSR: forward reads its nonzeros, or dense chunks of rows
        X = X.tocsr().astype(dtype) if sp.issparse(X) else np.ascontiguousarray(X, dtype=dtype)
        coefs = [np.ascontiguousarray(w, dtype=dtype) for w in self.coefs_]
        intercepts = [np.ascontiguousarray(b, dtype=dtype) for b in self.intercepts_]
        if n_threads is None:  # a predict: resolved once for it
            n_threads = effective_n_threads(self.n_threads)
        return forward(X, coefs, intercepts, activation=canonical_activation(self.activation),
                       output=self.out_activation_, n_threads=n_threads,
                       check_overflow=check_overflow)

    def _score_with_function(self, X, y, sample_weight, score_function, n_threads=None):
        # scikit-learn's: a score of non-finite predictions (a diverged
        # validation epoch) is NaN, not an error
        y_pred = self._predict(X, check_input=False, n_threads=n_threads, check_overflow=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return score_function(y, y_pred, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
