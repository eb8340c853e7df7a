"""The pieces of the fit loop (fastnn/_fitloop.py) particular to the
scikit-learn estimators: the epoch runner of a fit, and scikit-learn's
stopping rule (_no_improvement_count, tol, n_iter_no_change, and adaptive
SGD's rate division)."""
import numpy as np
from sklearn.utils import gen_batches

from . import _sklearn_backprop as bp
from . import ops


def epoch_runner(est, session, X, y, sample_weight, batch_size, n_threads):
    """run(order, learning_rate, progress=None) -> mean loss of one epoch over X
    in `order` (progress: called between batches with the rows done).

    The compiled Session.epoch, or, for sample weights and the Poisson loss,
    which it does not cover, a batch loop through fastnn.ops (ops_epoch)."""
    X = np.ascontiguousarray(X)
    if sample_weight is not None or est.out_activation_ == "exp":
        Y = np.ascontiguousarray(y, dtype=X.dtype)
        return lambda order, lr, progress=None: ops_epoch(est, session, X, Y, sample_weight,
                                                          order, batch_size, lr, n_threads)
    if est.out_activation_ == "softmax":
        Y, labels = None, np.ascontiguousarray(np.argmax(y, axis=1), np.int64)
    else:
        Y, labels = np.ascontiguousarray(y, dtype=X.dtype), None
    # the count was resolved for this fit and the session built with it
    return lambda order, lr, progress=None: session.epoch(
        X, Y, labels, batch_size=batch_size, learning_rate=lr, shuffle=False, epoch=est.t_,
        order=order, progress=progress)


def ops_epoch(est, session, X, Y, sw, order, batch_size, lr, n_threads):
    """One epoch batch by batch through fastnn.ops (sample weights, Poisson),
    updating the session's parameter and optimizer buffers in place."""
    coefs, intercepts = session.views()
    m_views = None if session.opt_m is None else sum(session.views(session.opt_m), [])
    v_views = None if session.opt_v is None else sum(session.views(session.opt_v), [])
    total = 0.0
    for batch in gen_batches(X.shape[0], batch_size):
        idx = order[batch]
        sw_b = None if sw is None else sw[idx]
        value, gw, gb = bp.loss_grad(X[idx], Y[idx], sw_b, coefs, intercepts, est.activation,
                                     est.out_activation_, est.alpha, est.l1,
                                     penalize_grad=False, n_threads=n_threads)
        if not np.isfinite(value):
            raise FloatingPointError(session.step)
        l2 = est.alpha / (len(idx) if sw_b is None else float(sw_b.sum()))
        session.step += 1
        for l, (p, g) in enumerate(zip(coefs + intercepts, gw + gb)):
            is_w = l < len(coefs)
            reg = dict(l1=est.l1 if is_w else 0.0, l2=l2 if is_w else 0.0,
                       weight_decay=est.weight_decay if is_w else 0.0, n_threads=n_threads)
            if est.solver == "adam":
                ops.adam_step(p, g, m_views[l], v_views[l], t=session.step, lr=lr,
                              beta1=est.beta_1, beta2=est.beta_2, eps=est.epsilon,
                              eps_style="sklearn", **reg)
            else:
                ops.sgd_step(p, g, None if m_views is None else m_views[l], lr=lr,
                             momentum=est.momentum, nesterov=est.nesterovs_momentum, **reg)
        total += value * (batch.stop - batch.start)
    return total / X.shape[0]


class NoImprovement:
    """scikit-learn's rule: count the epochs whose training loss (or, with
    early_stopping, validation score in logs["val_score"]) did not improve by
    more than tol; past n_iter_no_change, stop (adaptive SGD first divides
    its rate by 5 until it falls below 1e-6).  With early_stopping, the best
    weights are kept and finish() loads them into the session."""

    def __init__(self, est, session, early_stopping, incremental):
        self.est, self.session = est, session
        self.early_stopping, self.incremental = early_stopping, incremental

    def update(self, epoch, logs):
        est = self.est
        if self.early_stopping:
            last = logs["val_score"]
            if last < est.best_validation_score_ + est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if last > est.best_validation_score_:
                est.best_validation_score_ = last
                est._best_coefs = [c.copy() for c in est.coefs_]
                est._best_intercepts = [i.copy() for i in est.intercepts_]
        else:
            if logs["loss"] > est.best_loss_ - est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if logs["loss"] < est.best_loss_:
                est.best_loss_ = logs["loss"]
        if est.solver == "sgd" and est.learning_rate == "invscaling":
            est._learning_rate = float(est.learning_rate_init) / (est.t_ + 1) ** est.power_t
        if est._no_improvement_count > est.n_iter_no_change:
            what = "Validation score" if self.early_stopping else "Training loss"
            msg = ("%s did not improve more than tol=%f for %d consecutive epochs."
                   % (what, est.tol, est.n_iter_no_change))
            if self._trigger_stopping(msg):
                return True
            est._no_improvement_count = 0
        return self.incremental  # partial_fit: one epoch

    def _trigger_stopping(self, msg):
        """scikit-learn's optimizer.trigger_stopping: adaptive SGD divides the rate by 5."""
        est = self.est
        if est.solver == "adam" or est.learning_rate != "adaptive":
            if est.verbose:
                print(msg + " Stopping.")
            return True
        if est._learning_rate <= 1e-6:
            if est.verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        est._learning_rate /= 5.0
        if est.verbose:
            print(msg + " Setting learning rate to %f" % est._learning_rate)
        return False

    def finish(self):
        if self.early_stopping:
            self.session.load(self.est._best_coefs, self.est._best_intercepts)
