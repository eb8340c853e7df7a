"""Learning-rate schedules, applied once per epoch.

constant     lr
step         lr * gamma ** (epoch // step_size)          (step_size 10, gamma 0.1)
cosine       min_lr + (lr - min_lr) (1 + cos(pi epoch / epochs)) / 2      (min_lr 0)
invscaling   lr / (epoch + 1) ** power_t                  (power_t 0.5)
plateau      lr * factor each time the monitored loss (validation loss when
             there is validation data, else training loss) has not improved by
             more than tol for `patience` epochs          (factor 0.2, patience 5,
                                                           tol 1e-4, min_lr 0)
A callable f(epoch) -> lr is used as it is.

With a time budget, plan(n) replans cosine over the n epochs predicted to fit
and scales step's step_size by n / epochs (the same drops at the same share
of the run); the other schedules do not depend on the number of epochs.
A replan never raises the rate: when epochs speed up and n grows, an epoch
keeps the previous epoch's rate until the replanned decay falls below it.
"""
import math

from ._validate import finite_number, whole_number

# epochs counted by the schedules at most: past it the float arithmetic of
# cosine would overflow, and no reachable epoch could lower the rate anyway
MAX_EPOCHS = 2 ** 1000

DEFAULTS = {
    "constant": {},
    "step": {"step_size": 10, "gamma": 0.1},
    "cosine": {"min_lr": 0.0},
    "invscaling": {"power_t": 0.5},
    "plateau": {"factor": 0.2, "patience": 5, "tol": 1e-4, "min_lr": 0.0},
}


class Schedule:
    def __init__(self, name, lr, epochs, options):
        self.name, self.base, self.epochs = name, lr, min(max(epochs, 1), MAX_EPOCHS)
        self.opt = dict(DEFAULTS[name], **options)
        self.current = lr
        self.best = math.inf
        self.waited = 0
        self.asked_epochs, self.asked_step = self.epochs, self.opt.get("step_size")
        self.replanned, self.last = False, math.inf  # the rate of the last replanned epoch

    def plan(self, epochs):
        """Spread the schedule over `epochs` epochs instead of the number asked for."""
        self.epochs = min(max(int(epochs), 1), MAX_EPOCHS)
        self.replanned = True
        if self.asked_step is not None:
            try:
                step = round(self.asked_step * self.epochs / self.asked_epochs)
            except OverflowError:  # a step_size past the floats: still no drop in any fit
                step = self.asked_step
            self.opt["step_size"] = max(1, step)

    def learning_rate(self, epoch):
        """The rate of `epoch` (>= 0 and finite: make_schedule checked the
        options); called once per epoch, in order."""
        o = self.opt
        if self.name == "invscaling":
            try:
                return self.base / (epoch + 1) ** o["power_t"]
            except OverflowError:  # a huge power_t: the rate underflows to 0
                return 0.0
        if self.name not in ("step", "cosine"):
            return self.current
        if self.name == "step":
            lr = self.base * o["gamma"] ** (epoch // o["step_size"])
        else:
            lr = o["min_lr"] + (self.base - o["min_lr"]) * (
                1 + math.cos(math.pi * epoch / self.epochs)) / 2
        if self.replanned:
            lr = self.last = min(lr, self.last)
        return lr

    def observe(self, loss):
        """End of an epoch: the plateau schedule watches the monitored loss."""
        if self.name != "plateau":
            return
        if loss < self.best - self.opt["tol"]:
            self.best, self.waited = loss, 0
            return
        self.waited += 1
        if self.waited >= self.opt["patience"]:
            self.current = max(self.current * self.opt["factor"], self.opt["min_lr"])
            self.waited = 0


class CallableSchedule:
    def __init__(self, fn):
        self.fn = fn

    def learning_rate(self, epoch):
        lr = float(self.fn(epoch))
        if not (lr > 0 and math.isfinite(lr)):
            raise ValueError("lr_schedule(%d) returned %r; it must be a positive number"
                             % (epoch, lr))
        return lr

    def observe(self, loss):
        pass

    def plan(self, epochs):
        pass


def make_schedule(schedule, lr, epochs, options=None):
    if callable(schedule):
        return CallableSchedule(schedule)
    if schedule not in DEFAULTS:
        raise ValueError("lr_schedule must be one of %s or a function of the epoch, got %r"
                         % (", ".join(DEFAULTS), schedule))
    options = dict(options or {})
    unknown = set(options) - set(DEFAULTS[schedule])
    if unknown:
        raise ValueError("schedule_options for %r accept %s, got %s"
                         % (schedule, sorted(DEFAULTS[schedule]) or "nothing", sorted(unknown)))
    return Schedule(schedule, lr, epochs, {k: _check_option(k, v) for k, v in options.items()})


def _check_option(name, value):
    """Each option within the range where its schedule decays (or holds) the rate."""
    label = "schedule_options[%r]" % name
    if name in ("step_size", "patience"):
        return whole_number(value, label, low=1 if name == "step_size" else 0)
    if name == "gamma":
        return finite_number(value, label, low=0, high=1, low_open=True)
    if name == "factor":
        value = finite_number(value, label, low=0, low_open=True)
        if value >= 1:
            raise ValueError("%s must be < 1, got %r" % (label, value))
        return value
    return finite_number(value, label, low=0)  # min_lr, power_t, tol
