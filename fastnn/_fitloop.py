"""The one fit loop of fastnn.MLP, the scikit-learn estimators and the
epoch-trained linear models.

Its pieces:
- exclusive_fit: one fit at a time per estimator (a second thread gets a
  clear RuntimeError instead of two fits writing the same buffers);
- Rollback: the estimator as it was before a fit, put back if the fit fails;
- run_epochs: the epoch loop (history through `record`, progress bars,
  callbacks, a non-finite loss turned into a ValueError, Ctrl-C);
- a stopping rule, chosen per estimator: Patience (MLP: val_loss with the
  best weights restored) or NoImprovement (scikit-learn's
  _no_improvement_count rule, fastnn/_sklearn_stopping.py).

A stopping rule is any object with ``update(epoch, logs) -> bool`` (True:
stop after this epoch) and ``finish()`` (called once when the loop ends
without an error, also after Ctrl-C where the estimator swallows it).  A
time budget, scikit-learn style callbacks or a user's validation set plug in
as another rule, callback or `record` step; the loop itself does not change.
"""
import contextlib
import math
import sys
import threading
import time

from ._budget import BudgetExhausted
from ._warn import warn


@contextlib.contextmanager
def exclusive_fit(owner, hint):
    """Hold owner's fit lock for the block; RuntimeError if another thread
    holds it.  hint says how to train in parallel instead."""
    lock = owner.__dict__.get("_fit_lock")
    if lock is None:
        lock = owner.__dict__.setdefault("_fit_lock", threading.Lock())
    if not lock.acquire(blocking=False):
        raise RuntimeError("this %s is already being fitted (by another thread, or by the fit "
                           "this call comes from); %s" % (type(owner).__name__, hint))
    try:
        yield
    finally:
        lock.release()


class Rollback:
    """A snapshot of `names` (every attribute when None) of owner, and of a
    training session's buffers, for `restore` after a failed fit.  Lists and
    dicts of lists are copied (the fit appends to them in place); arrays are
    not (a fit writes into a new session's buffers, never into them)."""

    def __init__(self, owner, names=None, session=None):
        self.owner = owner
        attrs = owner.__dict__
        self.names = None if names is None else tuple(names)
        keys = attrs if names is None else [n for n in names if n in attrs]
        self.saved = {k: _copy_containers(attrs[k]) for k in keys}
        self.session = session
        self.session_state = session.state() if session is not None else None

    def restore(self):
        attrs = self.owner.__dict__
        if self.names is None:
            attrs.clear()
        attrs.update(self.saved)
        if self.session is not None:
            self.session.restore(self.session_state)


def _copy_containers(value):
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        return {k: list(v) for k, v in value.items()}
    return value


@contextlib.contextmanager
def rollback_on_failure(saved, keep_on_interrupt=False):
    """Run the block; on an exception restore the Rollback `saved`.
    keep_on_interrupt: a KeyboardInterrupt leaves the estimator at its last step."""
    try:
        yield saved
    except KeyboardInterrupt:
        if not keep_on_interrupt:
            saved.restore()
        raise
    except BaseException:
        saved.restore()
        raise


class EpochsRun(tuple):
    """(epochs run, whether the loop stopped early), and .reason: "completed"
    (every epoch ran), "rule" (the stopping rule), "callback", "time" (the
    budget) or "interrupted" (Ctrl-C, with on_interrupt="warn")."""

    def __new__(cls, done, stopped, reason):
        run = super().__new__(cls, (done, stopped))
        run.reason = reason
        return run


def run_epochs(owner, *, epochs, run_epoch, record, stopping, callbacks=(), n_rows=None,
               progress=0, nan_message, on_interrupt="raise", budget=None):
    """Train up to `epochs` epochs; returns an EpochsRun (done, stopped) with
    the reason.

    run_epoch(epoch, progress) -> mean training loss: the epoch runner chosen
    per fit (progress: None or a function of the rows done).
    record(epoch, loss, seconds) -> logs: updates the estimator's history and
    runs the validation pass; the dict goes to the stopping rule and to each
    callback(owner, epoch, logs) (a true result stops training).
    progress: a tqdm bar per epoch when true and tqdm is installed.
    nan_message(epoch) -> text of the ValueError raised when the loss
    becomes non-finite (run_epoch raises FloatingPointError).
    on_interrupt: "raise" re-raises Ctrl-C (the estimator keeps its last
    completed step); "warn" warns "Training interrupted by user." and ends
    the loop as scikit-learn does.
    budget: a fastnn._budget.TimeBudget: no epoch starts that it predicts
    would end past it, and a long epoch stops at the first batch boundary
    past it (that epoch is not recorded)."""
    done, stopped, reason = 0, False, "completed"
    try:
        for epoch in range(epochs):
            if budget is not None and not budget.may_start_epoch():
                stopped, reason = True, "time"
                break
            bar = _progress(progress, epoch, epochs, n_rows)
            update = bar.update if bar else None
            t0 = time.perf_counter()
            try:
                loss = run_epoch(epoch, update if budget is None else budget.batch_checks(update))
            except FloatingPointError:
                raise ValueError(nan_message(epoch)) from None
            except BudgetExhausted:
                stopped, reason = True, "time"
                break
            finally:
                if bar:
                    bar.close()
            logs = record(epoch, loss, time.perf_counter() - t0)
            done = epoch + 1
            stop = False
            for cb in callbacks:
                if cb(owner, epoch, logs):
                    stop, reason = True, "callback"
            if stopping.update(epoch, logs) or stop:
                stopped, reason = True, "callback" if stop else "rule"
                break
            if budget is not None:
                budget.end_epoch()
    except KeyboardInterrupt:
        if on_interrupt == "raise":
            raise
        warn("Training interrupted by user.")
        reason = "interrupted"
    stopping.finish()
    return EpochsRun(done, stopped, reason)


def check_callbacks(callbacks):
    if callable(callbacks):
        raise TypeError("callbacks must be a list of callables, got the callable %r itself: "
                        "pass callbacks=[it]" % (callbacks,))
    try:
        callbacks = list(callbacks)
    except TypeError:
        raise TypeError("callbacks must be a list of callables, got %r" % (callbacks,)) from None
    for cb in callbacks:
        if not callable(cb):
            raise TypeError("callbacks must be callables, got %r" % (cb,))
    return callbacks


class NeverStop:
    """The rule of a fit that runs every epoch (callbacks may still stop it)."""

    def update(self, epoch, logs):
        return False

    def finish(self):
        pass


class Patience:
    """MLP's early stopping: stop once `monitor` in the logs has not improved
    for `patience` epochs; finish() puts the best parameters back."""

    def __init__(self, params, patience, monitor):
        self.params, self.patience, self.monitor = params, patience, monitor
        self.best, self.best_params, self.waited = math.inf, None, 0

    def update(self, epoch, logs):
        value = logs[self.monitor]
        if value < self.best:
            self.best, self.best_params, self.waited = value, self.params.copy(), 0
            return False
        self.waited += 1
        return self.waited >= self.patience

    def finish(self):
        if self.best_params is not None:
            self.params[...] = self.best_params


def _progress(verbose, epoch, epochs, n_samples):
    """A per-epoch progress bar (tqdm when installed, else None: a line per
    epoch); none when stderr is a file or pipe, outside a notebook (a log
    keeps the epoch lines, not the bar's redraws)."""
    if not verbose:
        return None
    if "ipykernel" not in sys.modules and not getattr(sys.stderr, "isatty", lambda: False)():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar = tqdm(total=n_samples, desc="epoch %d/%d" % (epoch + 1, epochs), unit="samples",
               leave=False)
    return _Bar(bar)


class _Bar:
    """tqdm fed with the rows done so far (the compiled epoch reports totals)."""

    def __init__(self, bar):
        self.bar, self.last = bar, 0

    def update(self, rows_done):
        if rows_done > self.last:
            self.bar.update(rows_done - self.last)
            self.last = rows_done

    def close(self):
        self.bar.close()


def report(epoch, epochs, logs):
    """MLP's line per epoch (verbose)."""
    parts = ["epoch %d/%d" % (epoch + 1, epochs), "loss %.4f" % logs["loss"]]
    if "val_loss" in logs:
        parts += ["val_loss %.4f" % logs["val_loss"], "val_accuracy %.4f" % logs["val_accuracy"]]
    parts.append("%.0f samples/s" % logs["samples_per_second"])
    print("  ".join(parts), flush=True)
