"""fastnn.MLP: a multi-layer perceptron trained by whole compiled epochs.

The model owns the architecture, the weights (coefs_, intercepts_) and the
settings; a Session (fastnn/_session.py) owns the buffers of one fit and runs
its epochs in C.  Python sees the model once per epoch, or between batches
only for Ctrl-C, progress and a user's augmentation function.
"""

import numpy as np

from . import _config, ops
from ._fitloop import (NeverStop, Patience, Rollback, check_callbacks, exclusive_fit, report,
                       rollback_on_failure, run_epochs)
from ._feature_names import check_column_names, column_names
from ._fit_extras import STOP_REASONS, FitExtras
from ._forward import PREDICT_CHUNK, forward  # noqa: F401 (PREDICT_CHUNK: its old home)
from ._mlp_init import initial_weights, weights_digest
from ._mlp_settings import MLPSettingsMixin
from ._mlp_targets import MLPTargetsMixin
from ._model_state import MLPStateMixin
from ._parallel import call_threads, effective_n_threads
from ._schedules import make_schedule
from ._session import Session
from ._stream import InMemory, open_stream
from ._validate import (OPTIMIZERS, as_features, check_max_grad_norm, finite_number,
                        row_weights, split_rows, store_params, whole_number)
from ._values import is_sparse, sparse_pays
from ._warn import warn

OPTIMIZER_NAMES = tuple(OPTIMIZERS)


class MLP(MLPSettingsMixin, MLPStateMixin, MLPTargetsMixin):
    """A multi-layer perceptron: z = W x + b, a = g(z), layer by layer.

    layer_sizes: [n_inputs, hidden..., n_outputs].  activation: the hidden
    layers' g (identity, relu, leaky_relu, tanh, sigmoid/logistic, elu, gelu,
    softplus), one name for all or a list of one per hidden layer.  output:
    softmax, sigmoid or identity.  loss: cross_entropy (needs softmax),
    binary_cross_entropy (needs sigmoid) or mse (1/2 (t - a)^2);
    every loss is summed over outputs and averaged over samples.  dropout: the
    drop rate after each hidden layer (a float or one per layer);
    dropout_mode "inverted" scales kept units by 1/(1 - rate) while training,
    "classic" scales by the retain probability at inference instead.
    dtype: float32, float64, or bfloat16: float32 weights and activations with
    every training GEMM's operands rounded to bfloat16 and summed in float32
    (vdpbf16ps on CPUs with AVX512-BF16, about twice the arithmetic rate);
    predictions use the float32 weights.
    """

    def __init__(self, layer_sizes, activation="relu", output="softmax", loss="cross_entropy",
                 dropout=0.0, dtype="float32", random_state=None, dropout_mode="inverted"):
        store_params(self, locals())
        self._check_settings()
        self.reset()

    def reset(self):
        """Fresh weights from random_state (per hidden layer, Glorot for
        sigmoid/tanh, He for the ReLU family) and an empty history.  Refused
        (RuntimeError) while another thread fits the model."""
        with exclusive_fit(self, "call reset() after that fit returns"):
            self._redraw()
        return self

    def _redraw(self):
        """reset() inside the fit lock."""
        self._check_settings()  # an edited layer_sizes or activation starts here
        self.coefs_, self.intercepts_ = initial_weights(
            np.random.default_rng(self._seed), self.layer_sizes, self._act, self.output,
            self._dtype)
        self.history_ = {"loss": [], "val_loss": [], "val_accuracy": [],
                         "learning_rate": [], "elapsed": [], "stop_reason": []}
        self.__dict__.pop("stop_reason_", None)  # set by a fit, as history_ is
        self._fits = 0
        self._epochs_seen = 0
        self.feature_names_in_ = None  # a DataFrame's column names, from the first fit
        self._drawn = weights_digest(self.coefs_, self.intercepts_)  # what set_params redraws

    def _checked_weights(self):
        """coefs_ and intercepts_ as arrays of the model's dtype and shapes,
        after the settings are checked again: a public attribute edited since
        construction (m.activation = "tanh") is what predict, fit and save
        then use, never a stale copy beside it."""
        if self._settings() != self.__dict__.get("_checked"):
            self._check_settings()
        sizes = self.layer_sizes
        n = len(sizes) - 1
        if len(self.coefs_) != n or len(self.intercepts_) != n:
            raise ValueError("coefs_ and intercepts_ must hold %d arrays each, got %d and %d"
                             % (n, len(self.coefs_), len(self.intercepts_)))
        coefs, intercepts = [], []
        for l in range(n):
            if np.iscomplexobj(self.coefs_[l]) or np.iscomplexobj(self.intercepts_[l]):
                raise TypeError("coefs_[%d] or intercepts_[%d] is complex: weights are real"
                                % (l, l))
            w = np.asarray(self.coefs_[l], dtype=self._dtype)
            b = np.asarray(self.intercepts_[l], dtype=self._dtype)
            if w.shape != (sizes[l], sizes[l + 1]):
                raise ValueError("coefs_[%d] must have shape %s, got %s"
                                 % (l, (sizes[l], sizes[l + 1]), w.shape))
            if b.shape != (sizes[l + 1],):
                raise ValueError("intercepts_[%d] must have shape %s, got %s"
                                 % (l, (sizes[l + 1],), b.shape))
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise ValueError("coefs_[%d] or intercepts_[%d] contains NaN or infinity"
                                 % (l, l))
            coefs.append(w)
            intercepts.append(b)
        return coefs, intercepts

    # ---- inference ----
    def _forward(self, X, coefs, intercepts, n_threads, with_logits=False, check_overflow=True):
        scale = [1 - r for r in self._rates] if self.dropout_mode == "classic" else None
        return forward(X, coefs, intercepts, activation=self._act, output=self.output,
                       n_threads=n_threads, hidden_scale=scale, with_logits=with_logits,
                       check_overflow=check_overflow)

    def predict(self, X):
        """The output activations: class probabilities for softmax/sigmoid outputs."""
        coefs, intercepts = self._checked_weights()
        check_column_names(getattr(self, "feature_names_in_", None), X, "MLP")
        X = as_features(X, self.layer_sizes[0], self._dtype, sparse=True)
        return self._forward(X, coefs, intercepts, effective_n_threads())

    def score(self, X, Y):
        """Accuracy for softmax (argmax) and sigmoid (every output right, at 0.5)
        outputs; the coefficient of determination R^2 for identity outputs (the
        mean over outputs, as scikit-learn's r2_score)."""
        P = self.predict(X)
        Y, labels = self._targets(Y, P.shape[0])
        if P.shape[0] < 2 and self.output == "identity":  # and its warning, as scikit-learn
            warn("R^2 is not defined for fewer than two samples: the score is NaN")
        return self._score(P, Y, labels)

    # ---- training ----
    def _validation(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data must be a pair (X, Y), got %s"
                            % type(validation_data).__name__)
        Xv, Yv = validation_data
        Xv = as_features(Xv, self.layer_sizes[0], self._dtype, "validation X", sparse=True)
        if Xv.shape[0] == 0:
            raise ValueError("validation_data has no samples")
        return (Xv,) + self._targets(Yv, Xv.shape[0])

    def evaluate(self, X, Y, labels=None):
        """(mean loss, score) on data already converted by _targets (no penalty)."""
        check_column_names(getattr(self, "feature_names_in_", None), X, "MLP")
        return self._evaluate(X, Y, labels, effective_n_threads())

    def _evaluate(self, X, Y, labels, n_threads, check_overflow=True):
        """evaluate from one forward pass: the loss from the logits (as training
        computes it) or the outputs (mse), the score from the outputs."""
        coefs, intercepts = self._checked_weights()
        X = as_features(X, self.layer_sizes[0], self._dtype, sparse=True)
        P, Z = self._forward(X, coefs, intercepts, n_threads, with_logits=True,
                             check_overflow=check_overflow)
        if self.output == "identity" or self.loss == "mse":
            loss = ops.loss("mse", P, Y if labels is None else np.eye(P.shape[1])[labels])[0]
        else:
            loss = ops.loss(self.loss, Z, labels if labels is not None else Y)[0]
        if labels is None:
            Y, labels = self._targets(Y, P.shape[0])
        else:
            Y, labels = self._targets(labels, P.shape[0])
        return loss, self._score(P, Y, labels)

    def fit(self, X, Y=None, *, epochs=10, batch_size=32, optimizer="adam", learning_rate=1e-3,
            momentum=0.9, nesterov=False, betas=(0.9, 0.999), eps=1e-8, l1=0.0, l2=0.0,
            weight_decay=0.0, lr_schedule="constant", shuffle=True, validation_data=None,
            validation_split=0.0, early_stopping=False, patience=10, augment=None,
            callbacks=(), verbose=0, input_noise=0.0, schedule_options=None,
            max_grad_norm=None, max_time=None, label_smoothing=0.0, warmup_epochs=0,
            image_shape=None, max_shift=2, sample_weight=None):
        """Train; returns self.  See the README for every option.

        X, Y: arrays; or a NumPy memmap or array-like that slices, larger
        than fastnn._stream.STREAM_MIN_BYTES, read in chunks; or, with Y
        omitted, an iterable of (X, y) batches (one pass = one epoch) or a
        function returning a fresh one per epoch (docs/scale-out.md).

        max_time: seconds; no epoch starts that is predicted to end later,
        `epochs` becomes an upper bound and the schedule is planned over the
        epochs predicted to fit (fastnn/_budget.py; a timed fit repeats
        exactly only at the same speed).  augment: a function of a batch, or
        "shift", "flip", "erase" or a list of them, applied in the compiled epoch to
        rows that are images of image_shape (H, W) or (H, W, C), shifts of up
        to max_shift pixels.  label_smoothing: PyTorch's.  warmup_epochs: the
        learning rate rises linearly from 0, per batch, over these epochs.

        Continues from the current weights (call reset() to start over), with a
        fresh optimizer: Adam's moments, the step count, the schedule and the
        warm-up start again each fit.
        Ctrl-C stops within a batch and leaves the model at its last completed
        step; a non-finite loss, or an exception from augment or a callback,
        restores the weights the model had before this fit."""
        options = {k: v for k, v in locals().items() if k not in ("self", "X", "Y")}
        if self._compute:  # at training, not construction: loading a model does not warn
            _config.warn_if_bfloat16_slow()
        with exclusive_fit(self, "fit a copy (copy.deepcopy) to train in parallel"), \
                call_threads() as n_threads:  # resolved once; also nested ops' default
            return self._fit(n_threads, X, Y, **options)

    def _fit(self, n_threads, X, Y, *, epochs, batch_size, optimizer, learning_rate, momentum,
             nesterov, betas, eps, l1, l2, weight_decay, lr_schedule, shuffle, validation_data,
             validation_split, early_stopping, patience, augment, callbacks, verbose,
             input_noise, schedule_options, max_grad_norm, max_time, label_smoothing,
             warmup_epochs, image_shape, max_shift, sample_weight):
        whole_number(epochs, "epochs")
        if (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                or batch_size < 1):
            raise ValueError("batch_size must be a positive int, got %r" % (batch_size,))
        batch_size = int(batch_size)  # a NumPy uint would make -rows // batch_size overflow
        if optimizer not in OPTIMIZER_NAMES:
            raise ValueError("optimizer must be one of %s, got %r" % (OPTIMIZER_NAMES, optimizer))
        learning_rate = finite_number(learning_rate, "learning_rate", low=0, low_open=True)
        momentum = finite_number(momentum, "momentum", low=0, high=1)
        if isinstance(betas, (str, bytes)) or np.ndim(betas) != 1 or len(betas) != 2:
            raise ValueError("betas must be a pair (beta1, beta2), got %r" % (betas,))
        beta1, beta2 = (finite_number(b, "betas", low=0) for b in betas)
        if beta1 >= 1 or beta2 >= 1:
            raise ValueError("betas must be in [0, 1), got %r" % (betas,))
        eps = finite_number(eps, "eps", low=0, low_open=True)
        l1, l2, weight_decay, input_noise = (
            finite_number(v, name, low=0) for v, name in
            ((l1, "l1"), (l2, "l2"), (weight_decay, "weight_decay"), (input_noise, "input_noise")))
        if optimizer == "adam" and weight_decay:
            optimizer = "adamw"
        validation_split = finite_number(validation_split, "validation_split", low=0)
        if validation_split >= 1:
            raise ValueError("validation_split must be in [0, 1), got %r" % validation_split)
        extras = FitExtras(loss=self.loss, n_features=self.layer_sizes[0], max_time=max_time,
                           max_epochs=epochs, label_smoothing=label_smoothing,
                           warmup_epochs=warmup_epochs, augment=augment,
                           image_shape=image_shape, max_shift=max_shift, allow_callable=True)
        callbacks = check_callbacks(callbacks)
        max_grad_norm = check_max_grad_norm(max_grad_norm)
        patience = whole_number(patience, "patience")
        schedule = make_schedule(lr_schedule, learning_rate, epochs, schedule_options)

        coefs, intercepts = self._checked_weights()
        names = self._fit_columns(X if Y is not None else None, validation_data)
        if sample_weight is not None and (extras.augment[0] or extras.hook
                                          or extras.label_smoothing):
            raise ValueError("augment and label_smoothing are not supported with sample_weight")
        # a sparse X read by the compiled epoch as CSR rows stays whole in memory;
        # what rewrites the gathered rows reads a large one a dense chunk at a time
        sparse_rows = is_sparse(X) and sparse_pays(X) and not (
            extras.augment[0] or extras.hook or input_noise > 0 or self._compute)
        stream = open_stream(self, X, Y, epochs, sparse_rows)  # None: arrays in memory
        if stream is not None:
            if sample_weight is not None:
                raise ValueError("sample_weight needs X and Y as arrays in memory: a stream "
                                 "of batches, or a large memmap, array-like (h5py, zarr) or "
                                 "sparse X, trains a chunk at a time, without weights")
            val = stream.validation(validation_data, validation_split, early_stopping)
        else:  # a sparse X whose products read its nonzeros stays sparse
            X = as_features(X, self.layer_sizes[0], self._dtype, sparse=sparse_rows)
            Y, labels = self._targets(Y, X.shape[0])
            if X.shape[0] == 0:
                raise ValueError("X has no samples")
            rows = None  # the rows that train: those of weight > 0, less a validation split
            if sample_weight is not None:
                sample_weight = row_weights(sample_weight, X.shape[0], self._dtype)
                rows = np.flatnonzero(sample_weight)
            if validation_data is not None:
                val = self._validation(validation_data)
            elif validation_split > 0 or early_stopping:
                tr, va = split_rows(X.shape[0], validation_split or 0.1, self._seed + 1)
                if len(tr) == 0:
                    raise ValueError("validation_split leaves no training samples")
                val = (X[va],) + ((Y[va], None) if labels is None else (None, labels[va]))
                rows = tr if rows is None else np.intersect1d(tr, rows)
                if len(rows) == 0:
                    raise ValueError("validation_split leaves no training sample of weight > 0")
            else:
                val = None
            if rows is not None and len(rows) < X.shape[0]:
                X = X[rows]
                Y, labels = (Y[rows], None) if labels is None else (None, labels[rows])
                sample_weight = None if sample_weight is None else sample_weight[rows]
            stream = InMemory(X, Y, labels, sample_weight)

        fit_number = self._fits + 1  # seeds this fit's draws; counted once it runs
        session = Session(
            self.layer_sizes, activation=self._act, output=self.output, loss=self.loss,
            dropout=self._rates, dropout_mode=self.dropout_mode, dtype=self._dtype,
            optimizer=optimizer, momentum=momentum, nesterov=nesterov, beta1=beta1, beta2=beta2,
            eps=eps, l1=l1, l2=l2, weight_decay=weight_decay, input_noise=input_noise,
            seed=ops.rng_bits(self._seed, fit_number),
            max_batch=min(batch_size, stream.n_rows or batch_size), compute=self._compute,
            n_threads=n_threads, max_grad_norm=max_grad_norm,
            **extras.session_options(stream.batches(batch_size)))
        session.load(coefs, intercepts)
        # Ctrl-C leaves the model at its last completed step; any other failure
        # puts back the weights, history and fit count it had before this fit
        # (so a failed fit does not change the draws of the next one)
        before = Rollback(self, ("coefs_", "intercepts_", "history_", "_epochs_seen", "_fits",
                                 "feature_names_in_", "_drawn"))
        self._fits, self.feature_names_in_, self._drawn = fit_number, names, None
        self.coefs_, self.intercepts_ = session.views()
        monitor = "loss" if val is None else "val_loss"
        stopping = Patience(session.params, patience, monitor) if early_stopping else NeverStop()
        lr = [learning_rate]  # this epoch's rate, from the schedule

        def run_epoch(epoch, progress):
            extras.plan(schedule)
            lr[0] = schedule.learning_rate(epoch)
            return stream.epoch(session, batch_size=batch_size, learning_rate=lr[0],
                                shuffle=shuffle, epoch=self._epochs_seen, augment=extras.hook,
                                progress=progress)

        def record(epoch, loss, seconds):
            self._epochs_seen += 1
            logs = {"epoch": epoch, "loss": loss, "learning_rate": lr[0],
                    "samples_per_second": stream.n_rows / max(seconds, 1e-9)}
            self.history_["loss"].append(loss)
            self.history_["learning_rate"].append(lr[0])
            if val is not None:
                val_loss, val_score = self._evaluate(*val, n_threads, check_overflow=False)
                self.history_["val_loss"].append(val_loss)
                self.history_["val_accuracy"].append(val_score)
                logs.update(val_loss=val_loss, val_accuracy=val_score)
            # the epoch's validation pass included, on the clock a budget decides by
            self.history_.setdefault("elapsed", []).append(extras.elapsed())
            if verbose:
                report(epoch, epochs, logs)
            schedule.observe(logs[monitor])
            return logs

        def nan_message(epoch):
            return ("the training loss or the weights became NaN or infinite in epoch %d "
                    "(learning_rate %g); "
                    "try a smaller learning_rate. The model keeps the weights it had before "
                    "this fit." % (epoch + 1, lr[0]))

        try:
            with rollback_on_failure(before, keep_on_interrupt=True):
                run = run_epochs(self, epochs=epochs, run_epoch=run_epoch, record=record,
                                 stopping=stopping, callbacks=callbacks, n_rows=stream.n_rows,
                                 progress=verbose, nan_message=nan_message,
                                 budget=extras.budget)
        except KeyboardInterrupt:
            self._record_stop("interrupted")
            raise
        self._record_stop(STOP_REASONS.get(run.reason, run.reason))
        extras.warn_if_cut_short(run.reason, run[0])
        return self

    def _fit_columns(self, X, validation_data):
        """The column names this fit trains on: the model's, which X and the
        validation X must have in the same order (fit continues from the
        weights); X's for a first fit; else none (a model fitted on arrays
        learns no names from a later frame, and warns, as scikit-learn).  X is
        None for a stream of batches, whose batches _stream checks."""
        names = getattr(self, "feature_names_in_", None)
        if names is None and self._fits == 0:
            names = column_names(X)
        elif X is not None:
            check_column_names(names, X, "MLP")
        if names is not None and isinstance(validation_data, (tuple, list)) and validation_data:
            check_column_names(names, validation_data[0], "MLP")
        return names

    def _record_stop(self, reason):
        self.stop_reason_ = reason
        self.history_.setdefault("stop_reason", []).append(reason)

    def __sklearn_tags__(self):
        # scikit-learn's model selection (clone, cross_val_score, GridSearchCV)
        # asks for tags; only it calls this, so importing it here keeps it optional
        from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags
        classifier, labels = self.output != "identity", self.output == "sigmoid"
        return Tags(estimator_type="classifier" if classifier else "regressor",
                    target_tags=TargetTags(required=True, multi_output=self.output != "softmax"),
                    # sigmoid: one independent label per output (multilabel)
                    classifier_tags=ClassifierTags(multi_class=not labels, multi_label=labels)
                    if classifier else None,
                    regressor_tags=None if classifier else RegressorTags(),
                    input_tags=InputTags(sparse=True))

    def __repr__(self):
        return "MLP(%s)" % ", ".join("%s=%r" % kv for kv in self.get_params().items())

