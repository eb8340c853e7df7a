"""scikit-learn's callbacks (sklearn.callback: scikit-learn >= 1.9, Python >=
3.11) for the drop-in estimators of fastnn/sklearn.py.

A fit is one root task with one subtask per epoch (stochastic solvers) or
per L-BFGS iteration, so ScoringMonitor scores each epoch and ProgressBar
shows them; inside Pipeline or GridSearchCV the fit's task tree hangs under
the meta-estimator's, as scikit-learn's own estimators do.  The estimator a
callback receives (``fitted_estimator``) is a shallow copy holding copies
of the weights of that moment: made only when a callback asks for it, with
no training state (Session) rebuilt.  With an older scikit-learn,
set_callbacks raises ImportError and nothing else changes.
"""
import contextlib
import sys
import threading

import numpy as np
import sklearn
from sklearn.base import is_classifier

try:
    from sklearn.callback import CallbackSupportMixin as _Mixin
    from sklearn.callback._callback_support import callback_management_context
except ImportError:  # scikit-learn < 1.9
    _Mixin, callback_management_context = object, None

NEEDED = "scikit-learn >= 1.9 on Python >= 3.11"


def callbacks_available():
    """Whether sklearn.callback can be used (tests patch this)."""
    return callback_management_context is not None and sys.version_info >= (3, 11)


class CallbackSupport(_Mixin):
    """set_callbacks for the estimators, or a clear error where scikit-learn
    has no callbacks."""

    def set_callbacks(self, *callbacks):
        """Set scikit-learn callbacks (``sklearn.callback``) for the next fits.

        Each epoch of a stochastic solver, and each iteration of lbfgs, is a
        task: ``ScoringMonitor`` scores it, ``ProgressBar`` shows it, and a
        callback whose ``on_fit_task_end`` returns True stops the fit after
        it (without a ConvergenceWarning).  Needs scikit-learn >= 1.9.

        Parameters
        ----------
        *callbacks : callback instances
            Objects following ``sklearn.callback.FitCallback``; none clears them.

        Returns
        -------
        self
            The estimator.

        Raises
        ------
        ImportError
            scikit-learn is older than 1.9 (no ``sklearn.callback``).
        TypeError
            A callback does not follow the FitCallback protocol.
        """
        if not callbacks_available():
            raise ImportError("set_callbacks needs %s (sklearn.callback); this is "
                              "scikit-learn %s on Python %d.%d"
                              % (NEEDED, sklearn.__version__, *sys.version_info[:2]))
        return super().set_callbacks(*callbacks)


def _in_use(est):
    attrs = est.__dict__
    return callbacks_available() and ("_skl_callbacks" in attrs
                                      or "_parent_callback_ctx" in attrs)


def callback_scope(est):
    """Around a fit: callbacks set up by it are torn down on the way out,
    also on failure; entered inside the rollback so teardown runs first."""
    if not _in_use(est):
        return contextlib.nullcontext()
    return callback_management_context(est)


def _labels(est, y):
    """y as the user gave it (the fit holds classes binarized, targets 2-D)."""
    if is_classifier(est):
        return est._label_binarizer.inverse_transform(y)
    return y.ravel() if y.shape[1] == 1 else y


def view_attrs(est, coefs, intercepts):
    """What a copy of est needs to be the estimator as if its fit had stopped
    here: the weights given (copies, not the live training buffers), no
    Session, its own fit lock, and the curves so far."""
    attrs = {"coefs_": list(coefs), "intercepts_": list(intercepts), "_session": None,
             "_fit_lock": threading.Lock()}
    for name in ("loss_curve_", "validation_scores_", "validation_loss_curve_"):
        value = est.__dict__.get(name)
        if isinstance(value, list):
            attrs[name] = list(value)
    return attrs


class FitTasks:
    """The root task of one fit and its subtasks (epochs or iterations).
    X and y are the fit's validated arrays; labels are worked out lazily and
    once, and fitted_estimator only when a callback's hook asks for it."""

    def __init__(self, est, max_subtasks, X, y, sample_weight):
        self.est, self.X, self._y, self._labels = est, X, y, None
        self.metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        self.root = est._init_callback_context(max_subtasks=max_subtasks)
        self.root.call_on_fit_task_begin(estimator=est, X=X, y=self.labels,
                                         metadata=self.metadata)
        self.current = None

    def labels(self):
        if self._labels is None:
            self._labels = _labels(self.est, self._y)
        return self._labels

    def _hook(self, ctx, hook, weights):
        rebuild = None if weights is None else (lambda: view_attrs(self.est, *weights()))
        return hook(ctx)(estimator=self.est, X=self.X, y=self.labels, metadata=self.metadata,
                         reconstruction_attributes=rebuild)

    def begin(self, weights, name="epoch"):
        """A subtask starts; weights() -> (coefs, intercepts) at its start."""
        self.current = self.root.subcontext(task_name=name)
        self._hook(self.current, lambda c: c.call_on_fit_task_begin, weights)

    def end(self, weights):
        """The subtask ends; True when a callback asks to stop."""
        ctx, self.current = self.current, None
        return self._hook(ctx, lambda c: c.call_on_fit_task_end, weights)

    def begin_epoch(self):
        self.begin(self.weights)

    def weights(self):
        return _copied(self.est.coefs_, self.est.intercepts_)

    def end_epoch(self, owner, epoch, logs):
        """A run_epochs callback (fastnn/_fitloop.py): the epoch's task ends."""
        return self.end(self.weights)

    def close(self):
        """Ends a subtask left open (the one after L-BFGS's last iteration)."""
        if self.current is not None:
            self.current.call_on_fit_task_end(estimator=self.est)
            self.current = None

    def finish(self):
        """The fit's root task ends, with the fitted estimator."""
        self.close()
        self._hook(self.root, lambda c: c.call_on_fit_task_end, self.weights)


def _copied(coefs, intercepts):
    return [np.array(w) for w in coefs], [np.array(b) for b in intercepts]


def fit_tasks(est, max_subtasks, X, y, sample_weight):
    """The FitTasks of this fit, or None without callbacks (no cost then)."""
    if not _in_use(est):
        return None
    return FitTasks(est, max_subtasks, X, y, sample_weight)


class LbfgsBridge:
    """scipy's per-iteration callback as tasks: an iteration's task begins
    with the weights it starts from and ends with those scipy reached; a
    stop request raises StopIteration, which scipy honours.  As scikit-learn's
    LogisticRegression, the task begun after the last iteration is closed
    empty."""

    def __init__(self, tasks, unpack, x0):
        self.tasks, self.unpack, self.stopped = tasks, unpack, False
        tasks.begin(lambda: unpack(x0), name="lbfgs-iter")

    def __call__(self, xk):
        if self.tasks.end(lambda: self.unpack(xk)):
            self.stopped = True
            raise StopIteration
        self.tasks.begin(lambda: self.unpack(xk), name="lbfgs-iter")
