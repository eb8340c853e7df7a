"""The fit options checked once for fastnn.MLP.fit and the scikit-learn
drop-ins: a time budget (max_time), label smoothing, a linear
warm-up (MLP only) and image augmentation inside the compiled epoch
(augment="shift" | "flip" | "erase" | a list, image_shape, max_shift)."""
import math
import time

from ._augment import augment_settings, config_entries
from ._budget import check_max_time, make_budget
from ._validate import as_features, finite_number
from ._warn import warn

SMOOTHED_LOSSES = ("cross_entropy", "binary_cross_entropy")
STOP_REASONS = {"completed": "epochs", "rule": "early_stopping"}  # MLP.fit's stop_reason_


class FitExtras:
    """The checked options of one fit.  budget: a TimeBudget (started now, or
    at `started` on its clock) or None; hook: a user's augmentation function (MLP.fit only) or None."""

    def __init__(self, *, loss, n_features, max_time=None, max_epochs=0, label_smoothing=0.0,
                 warmup_epochs=0.0, augment=None, image_shape=None, max_shift=2,
                 allow_callable=False, timed=True, started=None):
        self.label_smoothing = finite_number(label_smoothing, "label_smoothing", low=0, high=1)
        if self.label_smoothing and loss not in SMOOTHED_LOSSES:
            raise ValueError("label_smoothing needs a cross-entropy loss, got loss=%r" % (loss,))
        self.warmup_epochs = finite_number(warmup_epochs, "warmup_epochs", low=0)
        self.hook = None
        if callable(augment):
            if not allow_callable:
                raise TypeError("augment must be 'shift', 'flip', 'erase' or a list of them, "
                                "got %r" % (augment,))
            self.hook, augment = _checked_hook(augment), None
        self.augment = augment_settings(augment, image_shape, max_shift, n_features)
        if timed:
            self.budget = make_budget(max_time, max_epochs, started)
        else:  # partial_fit: max_time checked all the same, then ignored
            check_max_time(max_time)
            self.budget = None
        self.started = time.perf_counter()

    def elapsed(self):
        """Seconds since the fit began (history_["elapsed"]): on the budget's clock
        when timed, so the history shows the time the budget decided on."""
        if self.budget is not None:
            return self.budget.elapsed()
        return time.perf_counter() - self.started

    def session_options(self, batches):
        """Session keywords: smoothing, warm-up steps (whole batches; `batches`
        per epoch, None when unknown before the first epoch), augmentation."""
        if batches is None and self.warmup_epochs:
            raise ValueError("warmup_epochs needs the number of batches in an epoch, which "
                             "this source does not give before it runs (a function or "
                             "iterator of batches, or a list whose X have no shape): pass a "
                             "list of (X, y) arrays, or warm up through an lr_schedule "
                             "function of the epoch")
        flags = self.augment[0]
        return dict(label_smoothing=self.label_smoothing,
                    # a warm-up past any fit (capped for C) ramps the rate throughout;
                    # capped before the ceil, which refuses the inf of a product past floats
                    warmup_steps=math.ceil(min(self.warmup_epochs * batches, 2.0 ** 62))
                    if self.warmup_epochs else 0,
                    augment=config_entries(*self.augment) if flags else None)

    def plan(self, schedule):
        """Before an epoch: spread the schedule over the epochs predicted to fit."""
        if self.budget is not None:
            schedule.plan(self.budget.planned_epochs())

    def warn_if_cut_short(self, reason, epochs_done):
        """A budget that ends before the first epoch does leaves a model that
        saw part of the data once: say so rather than return it silently."""
        if reason == "time" and epochs_done == 0:
            warn("max_time=%g s ran out before the first epoch ended: the model holds "
                 "whatever steps of it completed (possibly none) and no epoch was recorded; "
                 "give a larger max_time" % self.budget.max_time)


def _checked_hook(augment):
    """The user's augmentation function, its result checked and cast to the
    batch's dtype here by as_features, as predict's input (the compiled
    side's plain assignment would drop imaginary parts, read dates as numbers
    and turn values past the dtype's range into inf, then blamed on the
    learning rate)."""
    def hook(batch):
        result = augment(batch)
        if result is None:
            raise TypeError("augment must return the augmented batch, got None (a function "
                            "that changes the batch in place must return it too)")
        return as_features(result, batch.shape[1], batch.dtype, name="augment's result")
    return hook
