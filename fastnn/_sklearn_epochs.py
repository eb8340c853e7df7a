"""The pieces of the fit loop (fastnn/_fitloop.py) particular to the
scikit-learn estimators: the epoch runner of a fit, and scikit-learn's
stopping rule (_no_improvement_count, tol, n_iter_no_change, and adaptive
SGD's rate division)."""
import numpy as np

from ._forward import dense_chunk_rows
from ._validate import as_features, seed_from
from ._values import csr_parts, is_sparse, sparse_pays

# the fit loop's ValueError when the weights become non-finite (scikit-learn's words)
NAN_MESSAGE = ("Solver produced non-finite parameter weights. The input data may contain "
               "large values and need to be preprocessed (or try a smaller "
               "learning_rate_init).")

# What scikit-learn's optimizer object takes when a fit (or a first
# partial_fit) creates it and keeps until the next fit, whatever set_params
# does in between: the estimator keeps them in _optimizer_settings.
OPTIMIZER_SETTINGS = ("learning_rate_init", "learning_rate", "power_t", "momentum",
                      "nesterovs_momentum", "beta_1", "beta_2", "epsilon")


def optimizer_setting(est, name):
    """The optimizer's `name` (OPTIMIZER_SETTINGS): the value its fit started
    with, or the estimator's (no optimizer yet, or a pickle from before)."""
    return getattr(est, "_optimizer_settings", {}).get(name, getattr(est, name))


def session_seed(est, rates, options):
    """The compiled session's seed: drawn only for its only users, dropout
    and augmentation (a draw from a RandomState instance scikit-learn does
    not take would move every shuffle after it); an int random_state itself."""
    if not (any(rates) or (options or {}).get("augment")):
        return 0
    state = est.random_state
    return seed_from(state if isinstance(state, (int, np.integer)) else est._random_state)


def continued_seed(session):
    """The seed a rebuilt session continues with: the one its predecessor drew
    (a pickle's session takes it again), else None (draw one if needed)."""
    if session is None or not (any(session.config["dropout"]) or session.config.get("augment")):
        return None
    return session.config["seed"]


def fit_features(X, dtype, stochastic):
    """X as a fit reads it: C-contiguous, of `dtype` (None: its own), a
    sparse X made dense, except where a fit trains on it sparse (a CSR
    matrix of dtype): one sparse enough that its products read its nonzeros
    (any solver), or, for a stochastic solver, one of more rows than a dense
    chunk holds (epoch_runner makes it dense a piece of the epoch at a time)."""
    if is_sparse(X):
        dtype = X.dtype if dtype is None else dtype
        if sparse_pays(X) or (stochastic and X.shape[0] > dense_chunk_rows(X.shape[1], dtype)):
            return as_features(X, X.shape[1], dtype, sparse=True)
        X = X.toarray()
    return np.ascontiguousarray(X) if dtype is None else as_features(X, X.shape[1], dtype)


def epoch_runner(est, session, X, y, sample_weight, batch_size, n_threads):
    """run(order, learning_rate, progress=None) -> mean loss of one epoch over X
    in `order` (progress: called between batches with the rows done), compiled
    (Session.epoch), sample weights and the Poisson loss included.  The session
    was built for this fit's thread count."""
    if est.out_activation_ == "softmax":
        Y, labels = None, np.ascontiguousarray(np.argmax(y, axis=1), np.int64)
    else:
        Y, labels = np.ascontiguousarray(y, dtype=X.dtype), None
    if is_sparse(X) and not (sparse_pays(X) and session.reads_sparse):
        return _pieces_runner(est, session, X, Y, labels, sample_weight, batch_size)
    # a sparse X's nonzeros, read by the first layer's products in the epoch
    X = csr_parts(X, X.dtype) if is_sparse(X) else np.ascontiguousarray(X)
    return lambda order, lr, progress=None: session.epoch(
        X, Y, labels, batch_size=batch_size, learning_rate=lr, shuffle=False, epoch=est.t_,
        order=order, sample_weight=sample_weight, progress=progress)


def _pieces_runner(est, session, X, Y, labels, sample_weight, batch_size):
    """epoch_runner's run for a CSR X: the epoch's order in pieces of whole
    batches, each made dense (a dense chunk's rows, or one batch) into one buffer and
    trained in its order, so every batch holds the rows it would hold dense
    (the same steps, bit for bit); the epoch's loss is the pieces' mean
    weighted by their rows, as the batches' is."""
    rows = max(batch_size, dense_chunk_rows(X.shape[1], X.dtype) // batch_size * batch_size)
    buffer = np.empty((min(rows, X.shape[0]), X.shape[1]), dtype=X.dtype)

    def run(order, lr, progress=None):
        total = 0.0
        for start in range(0, len(order), rows):
            piece = order[start:start + rows]
            dense = buffer[:len(piece)]
            dense.fill(0)  # toarray adds into its out
            X[piece].toarray(out=dense)
            loss = session.epoch(
                dense, None if Y is None else Y[piece], None if labels is None else labels[piece],
                batch_size=batch_size, learning_rate=lr, shuffle=False, epoch=est.t_,
                sample_weight=None if sample_weight is None else sample_weight[piece], part=True,
                progress=None if progress is None else (
                    lambda done, start=start: progress(start + done)))
            total += loss * len(piece)
        return total / len(order)
    return run


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
        if est.solver == "sgd" and optimizer_setting(est, "learning_rate") == "invscaling":
            est._learning_rate = (float(optimizer_setting(est, "learning_rate_init"))
                                  / (est.t_ + 1) ** optimizer_setting(est, "power_t"))
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
        if est.solver == "adam" or optimizer_setting(est, "learning_rate") != "adaptive":
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
        # the best validated weights; none validated yet (a budget that ended
        # the first epoch): the steps taken, not the weights before them
        if self.early_stopping and self.est.best_validation_score_ > -np.inf:
            self.session.load(self.est._best_coefs, self.est._best_intercepts)
