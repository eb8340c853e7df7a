"""A time budget for a fit (max_time=, in seconds).

The fit loop (fastnn/_fitloop.py) asks the budget before each epoch whether
the epoch is predicted to end inside it, from the durations of the epochs
done so far (the mean of the last few: corrected as the fit goes).  The
first epoch has no prediction, and an epoch longer than a tenth of the budget
would overshoot it by a lot, so those run with a check at every batch
boundary that stops at the first boundary past the budget (the unfinished
epoch is not recorded; the weights keep its completed steps, as after
Ctrl-C).  planned_epochs() is the number of epochs predicted to fit: MLP
plans its learning-rate schedule over it.

A timed fit repeats exactly only at the same speed: how many epochs fit, and
so the schedule, depend on the clock.  Fits without max_time never read it.
"""
import math
import time

from ._validate import finite_number

clock = time.perf_counter  # read once per budget; tests replace it with a fake clock
RECENT = 3                 # epochs in the running estimate of an epoch's duration
LONG_EPOCH = 0.1           # an epoch over this share of the budget gets batch checks


class BudgetExhausted(Exception):
    """Raised at a batch boundary past the budget; the fit loop ends there."""


def check_max_time(max_time):
    """None, or max_time as a positive float (TypeError/ValueError otherwise)."""
    if max_time is None:
        return None
    return finite_number(max_time, "max_time", low=0, low_open=True)


def make_budget(max_time, max_epochs, started=None):
    max_time = check_max_time(max_time)
    return None if max_time is None else TimeBudget(max_time, max_epochs, started=started)


class TimeBudget:
    """The budget of one fit, started when it is made (or at `started`, a
    reading of its clock taken when the fit began)."""

    def __init__(self, max_time, max_epochs, now=None, started=None):
        self.clock = now or clock
        self.max_time, self.max_epochs = float(max_time), int(max_epochs)
        self.start = self.clock() if started is None else started
        self.durations = []
        self.epoch_start = None
        self.exhausted = False

    def elapsed(self):
        return self.clock() - self.start

    def epoch_estimate(self):
        """Seconds per epoch (validation included), None before the first."""
        recent = self.durations[-RECENT:]
        return sum(recent) / len(recent) if recent else None

    def may_start_epoch(self):
        """Whether the next epoch is predicted to end inside the budget; starts
        its clock when it is."""
        estimate, elapsed = self.epoch_estimate(), self.elapsed()
        if elapsed >= self.max_time or (estimate is not None
                                        and elapsed + estimate > self.max_time):
            self.exhausted = True
            return False
        self.epoch_start = elapsed
        return True

    def end_epoch(self):
        """After an epoch and its bookkeeping (validation pass, callbacks)."""
        self.durations.append(self.elapsed() - self.epoch_start)

    def planned_epochs(self):
        """Epochs predicted to fit in the whole budget, at most max_epochs; asked
        as an epoch starts, which counts (the clock moved since may_start_epoch:
        a plan of only the epochs done would give it cosine's final rate, 0)."""
        estimate = self.epoch_estimate()
        if estimate is None:
            return self.max_epochs
        left = max(self.max_time - self.elapsed(), 0.0)
        # compared before math.floor: left / estimate overflows to inf for a
        # max_time near the float limit (a budget that never triggers)
        if estimate <= 0 or left / estimate >= self.max_epochs:
            return self.max_epochs
        more = max(math.floor(left / estimate), 1)
        return max(1, min(self.max_epochs, len(self.durations) + more))

    def batch_checks(self, progress):
        """The per-batch progress function of the next epoch: `progress` (may be
        None), with a check of the budget when the epoch may be long."""
        estimate = self.epoch_estimate()
        if estimate is not None and estimate <= LONG_EPOCH * self.max_time:
            return progress

        def check(rows_done):
            if progress is not None:
                progress(rows_done)
            if rows_done and self.elapsed() > self.max_time:
                self.exhausted = True
                raise BudgetExhausted()
        return check
