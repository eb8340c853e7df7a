"""Pickling and fastnn.save/load support for the scikit-learn estimators
(fastnn/sklearn.py): the compiled Session is not picklable, so its buffers
(weights and optimizer state) travel instead and a Session is rebuilt."""
import math

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._sklearn_epochs import OPTIMIZER_SETTINGS, optimizer_setting
from ._label_files import label_dtype, labels_for_file, labels_from_file
from ._validate import check_loaded_classes, dropout_rates, storable_seed

FITTED_SCALARS = ("n_features_in_", "n_iter_", "n_layers_", "n_outputs_", "out_activation_",
                  "t_", "loss_", "best_loss_", "best_validation_score_")
FITTED_LISTS = ("loss_curve_", "validation_scores_", "validation_loss_curve_")


class FastnnStateMixin:
    # A pickle carries the weights once, as plain arrays, plus the optimizer's
    # moments and step (partial_fit continues from them, also on another Dask
    # worker); the parameter buffer is rebuilt from coefs_, and the best
    # weights kept for early stopping are dropped when they cannot be read
    # again (no early stopping) or equal coefs_ (after an early-stopped fit).
    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ is the live __dict__
        state.pop("_fit_lock", None)  # a threading.Lock: not picklable, made on the next fit
        session = state.pop("_session", None)
        if session is not None:
            state["_session_buffers"] = (session.opt_m, session.opt_v, session.step,
                                         session.solver)
            state["coefs_"] = [np.array(w) for w in self.coefs_]
            state["intercepts_"] = [np.array(b) for b in self.intercepts_]
        if state.get("_best_coefs") is not None and "coefs_" in state \
                and _best_weights_apart(self) is None:
            del state["_best_coefs"], state["_best_intercepts"]
            state["_best_from_coefs"] = True
        return state

    def __setstate__(self, state):
        buffers = state.pop("_session_buffers", None)
        best_from_coefs = state.pop("_best_from_coefs", False)
        super().__setstate__(state)
        self._session = None
        if best_from_coefs:
            _best_weights_from_coefs(self)
        if buffers is not None:
            _attach_session(self, *buffers)

    def _fastnn_state(self):
        """(meta, arrays) for fastnn.save: JSON-able settings and fitted scalars,
        and the weight arrays (and numeric classes_)."""
        check_is_fitted(self)
        params = self.get_params()
        params["random_state"] = storable_seed(params["random_state"])
        if callable(params.get("scoring")):  # training-only, as random_state objects
            params["scoring"] = None
        if isinstance(params.get("class_weight"), dict):
            params["class_weight"] = _class_weight_pairs(params["class_weight"])
        for k in ("hidden_layer_sizes", "dropout", "image_shape"):
            if np.ndim(params[k]):
                params[k] = tuple(v.item() if isinstance(v, np.generic) else v for v in params[k])
        meta = {"params": params, "n_coefs": len(self.coefs_)}
        for name in FITTED_SCALARS + FITTED_LISTS:
            value = getattr(self, name, None)
            if isinstance(value, np.generic):
                value = value.item()
            meta[name] = [float(v) for v in value] if isinstance(value, list) else value
        if hasattr(self, "feature_names_in_"):
            meta["feature_names_in_"] = [str(f) for f in self.feature_names_in_]
        arrays = {}
        for l, (w, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            arrays["coefs_%d" % l], arrays["intercepts_%d" % l] = np.array(w), np.array(b)
        if hasattr(self, "classes_"):
            meta["classes_"], dtype = labels_for_file(self.classes_)
            if dtype:
                meta["classes_dtype"] = dtype
            meta["y_type_"] = self._label_binarizer.y_type_
        _save_training_state(self, meta, arrays)
        return meta, arrays

    @classmethod
    def _from_fastnn_state(cls, meta, arrays):
        params = dict(meta["params"])
        for k in ("hidden_layer_sizes", "image_shape"):
            if isinstance(params.get(k), list):  # a tuple before JSON
                params[k] = tuple(params[k])
        if isinstance(params.get("class_weight"), list):
            params["class_weight"] = _class_weight_dict(params["class_weight"])
        est = cls(**params)
        for name in FITTED_SCALARS + FITTED_LISTS:
            if meta.get(name) is not None or name in meta:
                setattr(est, name, meta[name])
        if "feature_names_in_" in meta:
            est.feature_names_in_ = np.array(meta["feature_names_in_"], dtype=object)
        est.coefs_ = [np.asarray(arrays["coefs_%d" % l]) for l in range(meta["n_coefs"])]
        est.intercepts_ = [np.asarray(arrays["intercepts_%d" % l])
                           for l in range(meta["n_coefs"])]
        for kind, group in (("coefs_", est.coefs_), ("intercepts_", est.intercepts_)):
            for l, a in enumerate(group):
                if not np.isfinite(a).all():  # refused as fastnn.MLP's files: predict would fail
                    raise ValueError("%s%d contains NaN or infinity" % (kind, l))
        if "y_type_" not in meta and is_classifier(est):
            raise ValueError("a classifier's file must hold y_type_ and its classes")
        if "y_type_" in meta:
            if "classes_" in arrays:  # files written before the labels went to the settings
                classes = arrays["classes_"]
                if "classes_dtype" in meta:
                    classes = classes.astype(label_dtype(meta["classes_dtype"]))
            else:
                classes = labels_from_file(meta["classes_"], meta.get("classes_dtype"))
            _check_classes(meta["y_type_"], classes, est.coefs_)
            lb = LabelBinarizer()
            lb.fit(classes if meta["y_type_"] != "multilabel-indicator"
                   else np.eye(len(classes), dtype=int))
            lb.classes_, lb.y_type_ = classes, meta["y_type_"]
            est._label_binarizer, est.classes_ = lb, classes
        _check_fitted(est)
        est._session = None
        _load_training_state(est, meta, arrays)
        return est


# What partial_fit and a warm-started fit continue from besides the weights,
# in a model file as in a pickle: the optimizer's moments and step (per layer,
# as the weights), the learning rate scikit-learn's schedules have reached and
# their patience count, why the last fit stopped, and the best weights early
# stopping would restore when they differ from coefs_.
TRAINING_SCALARS = (("_learning_rate", float), ("_no_improvement_count", int),
                    ("stop_reason_", str))
# the compiled epoch counts steps in int64 and refuses one that overflowed
# (at partial_fit): 2**62, beyond any run, leaves it room to count on
MAX_STEP = 2 ** 62


def _save_training_state(est, meta, arrays):
    session = getattr(est, "_session", None)
    # the solver the weights were fitted with, which partial_fit continues
    # (or refuses to, after an edit of est.solver, as live and as a pickle),
    # and its optimizer's moments as the settings it started with keep them
    solver = getattr(session, "solver", None)
    if solver is not None:
        meta["optimizer_solver"] = solver
    if solver in ("sgd", "adam") and (session.opt_m is None) == (
            solver == "sgd" and optimizer_setting(est, "momentum") == 0):
        meta["optimizer_step"] = int(session.step)
        if getattr(est, "_optimizer_settings", None) is not None:  # NumPy scalars: io.save
            meta["optimizer_settings"] = dict(est._optimizer_settings)
        for name, buf in (("m", session.opt_m), ("v", session.opt_v)):
            if buf is not None:
                for kind, views in zip(("coefs", "intercepts"), session.views(buf)):
                    for l, a in enumerate(views):
                        arrays["optimizer_%s_%s_%d" % (name, kind, l)] = np.array(a)
    for name, kind in TRAINING_SCALARS:
        if getattr(est, name, None) is not None:
            meta[name] = kind(getattr(est, name))
    best = _best_weights_apart(est)
    if best is not None:
        for l, (w, b) in enumerate(zip(*best)):
            arrays["best_coefs_%d" % l], arrays["best_intercepts_%d" % l] = (np.array(w),
                                                                            np.array(b))


def _load_training_state(est, meta, arrays):
    """The inverse of _save_training_state, every value checked against the
    weights (files from before it hold none of it: partial_fit then starts a
    new optimizer, as after fit)."""
    for name, kind in TRAINING_SCALARS:
        if name in meta:
            value = meta[name]
            # the compiled epoch refuses a negative rate, and a negative count
            # would put off the stopping rule: only a damaged file holds them
            number = kind is not str
            if not isinstance(value, kind) or isinstance(value, bool) or (
                    number and not 0 <= value < math.inf):
                raise ValueError("%s must be a %s, got %.50r" % (
                    name, "finite %s >= 0" % kind.__name__ if number else "str", value))
            setattr(est, name, value)
    shapes = [w.shape for w in est.coefs_] + [b.shape for b in est.intercepts_]
    dtype = est.coefs_[0].dtype
    n = len(est.coefs_)

    def layers(prefix, sign=""):  # sign: " non-negative" (Adam's v: NaN steps otherwise)
        names = ["%s_coefs_%d" % (prefix, l) for l in range(n)] + [
            "%s_intercepts_%d" % (prefix, l) for l in range(n)]
        if not any(k in arrays for k in names):
            return None
        found = [np.asarray(arrays[k]) if k in arrays else None for k in names]
        for k, a, shape in zip(names, found, shapes):
            if a is None or a.shape != shape or a.dtype != dtype or not np.isfinite(a).all() \
                    or (sign and (a < 0).any()):
                raise ValueError("%s must be a finite%s %s array of shape %s like the weights"
                                 % (k, sign, dtype, shape))
        return found
    best = layers("best")
    if best is None:  # not saved: equal to the weights, as a pickle's
        _best_weights_from_coefs(est)
    else:
        est._best_coefs, est._best_intercepts = best[:n], best[n:]
    moments = sorted(k for k in arrays if k.startswith("optimizer_"))
    solver = meta.get("optimizer_solver", est.solver)  # files before it: est's
    if solver not in ("lbfgs", "sgd", "adam"):
        raise ValueError("optimizer_solver must be 'lbfgs', 'sgd' or 'adam', got %.50r"
                         % (solver,))
    if "optimizer_step" not in meta:
        if moments:  # else dropped unsaid: partial_fit would start anew
            raise ValueError("%s without optimizer_step" % moments[0])
        if "optimizer_solver" in meta and solver == "lbfgs":  # partial_fit refuses it, as live
            _attach_session(est, None, None, 0, solver=solver)
        return
    step = meta["optimizer_step"]
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= MAX_STEP:
        raise ValueError("optimizer_step must be an int >= 0 and <= 2**62, got %.50r" % (step,))
    if solver not in ("sgd", "adam"):
        raise ValueError("optimizer_step: the %s solver keeps no optimizer state" % solver)
    if "optimizer_settings" in meta:
        est._optimizer_settings = _checked_optimizer_settings(est, meta["optimizer_settings"])
    _attach_session(est, layers("optimizer_m"), layers("optimizer_v", " non-negative"), step,
                    solver=solver, strict=True)


def _best_weights_apart(est):
    """(coefs, intercepts) early stopping would restore, when they can be
    read again (early stopping on) and differ from the weights; else None:
    a pickle or a file then stores them as copies of the weights."""
    best = getattr(est, "_best_coefs", None), getattr(est, "_best_intercepts", None)
    if not est.early_stopping or best[0] is None or all(
            np.array_equal(a, b) for a, b in zip(best[0] + best[1],
                                                 est.coefs_ + est.intercepts_)):
        return None
    return best


def _best_weights_from_coefs(est):
    est._best_coefs = [np.array(w) for w in est.coefs_]
    est._best_intercepts = [np.array(b) for b in est.intercepts_]


def _checked_optimizer_settings(est, settings):
    """The optimizer's settings from a file: the names of OPTIMIZER_SETTINGS,
    each a value the estimator's own parameter accepts."""
    if not isinstance(settings, dict) or set(settings) != set(OPTIMIZER_SETTINGS):
        raise ValueError("optimizer_settings must hold %s" % ", ".join(OPTIMIZER_SETTINGS))
    probe = clone(est).set_params(**settings)
    try:
        probe._validate_params()
    except ValueError as exc:
        raise ValueError("optimizer_settings: %s" % exc) from None
    return dict(settings)


def _attach_session(est, m, v, step, solver=None, strict=False):
    """A compiled session holding est's weights and its optimizer's state (m,
    v: flat buffers, per-layer lists (coefs, then intercepts) or None), so
    that partial_fit continues that optimizer (`solver`'s: the fit's, kept by
    a pickle or a file, which partial_fit refuses to continue if est.solver
    was edited since; older pickles and files: est's).  strict (a model
    file): m and v must be the moments that solver and the kept momentum
    keep; a pickle keeps what both have."""
    if not hasattr(est, "_random_state"):  # a loaded estimator's, for a dropout seed
        est._random_state = check_random_state(est.random_state)
    units = [w.shape[0] for w in est.coefs_] + [est.coefs_[-1].shape[1]]
    rates = dropout_rates(est.dropout, len(units) - 2)
    session = est._new_session(units, rates, est.coefs_[0].dtype, _max_batch(est),
                               solver=solver, seed=getattr(est, "_session_seed", None))
    session.step = step
    session.load(est.coefs_, est.intercepts_)
    for name, dst, src in (("m", session.opt_m, m), ("v", session.opt_v, v)):
        if strict and (dst is None) != (src is None):
            raise ValueError("optimizer_%s_*: the %s optimizer (momentum %r) %s moment %s" % (
                name, session.solver, optimizer_setting(est, "momentum"),
                "keeps no" if dst is None else "needs its", name))
        if dst is None or src is None:
            continue
        if isinstance(src, list):
            for view, layer in zip(sum(session.views(dst), []), src):
                view[...] = layer
        else:
            dst[...] = src
    est._session = session
    est.coefs_, est.intercepts_ = session.views()


def _check_fitted(est):
    """The fitted values predict relies on must agree with the weights (a
    corrupt file could drop or change them; predict would then fail late)."""
    coefs = est.coefs_
    if not coefs or any(np.ndim(w) != 2 for w in coefs):
        raise ValueError("a fitted estimator needs 2-D coefs_")
    want = {"n_layers_": len(coefs) + 1, "n_outputs_": coefs[-1].shape[1],
            "n_features_in_": coefs[0].shape[0]}
    for name, value in want.items():
        got = getattr(est, name, None)
        if isinstance(got, bool) or not isinstance(got, int) or got != value:
            raise ValueError("%s must be %d (from the weights), got %.50r" % (name, value, got))
    if getattr(est, "out_activation_", None) not in ("identity", "exp", "logistic", "softmax"):
        raise ValueError("out_activation_ must be identity, exp, logistic or softmax, got %.50r"
                         % (getattr(est, "out_activation_", None),))


def _check_classes(y_type, classes, coefs):
    """y_type_ and classes_ from a model file must agree with the output layer
    (a mismatch would surface as an IndexError in predict)."""
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError("y_type_ must be binary, multiclass or multilabel-indicator, got %.50r"
                         % (y_type,))
    check_loaded_classes(classes, "classes_", 1 if y_type == "multilabel-indicator" else 2)
    n_out = len(classes) if y_type != "binary" or len(classes) != 2 else 1
    if not coefs or np.ndim(coefs[-1]) != 2 or np.shape(coefs[-1])[1] != n_out:
        raise ValueError("%d classes (%s) need %d outputs, but the last layer has shape %s"
                         % (len(classes), y_type, n_out,
                            np.shape(coefs[-1]) if coefs else None))


def _class_weight_pairs(class_weight):
    """{label: weight} as [[label, weight], ...]: JSON's object keys are
    strings, its arrays keep int, float, bool and str labels as they are."""
    pairs = []
    for label, weight in class_weight.items():
        label = label.item() if isinstance(label, np.generic) else label
        if not isinstance(label, (int, float, str)):
            raise TypeError("class_weight labels must be numbers or strings to save, got %r"
                            % (label,))
        pairs.append([label, float(weight)])
    return pairs


def _class_weight_dict(pairs):
    if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], (int, float, str))
               and isinstance(p[1], (int, float)) and not isinstance(p[1], bool)
               for p in pairs):
        raise ValueError("class_weight must be a list of [label, weight] pairs")
    return {label: weight for label, weight in pairs}


def _max_batch(est):
    return 200 if est.batch_size == "auto" else int(est.batch_size)
