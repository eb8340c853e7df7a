"""The weights and the validation data of a scikit-learn drop-in's fit
(fastnn/_sklearn_base.py): class_weight turned into row weights, a user's
X_val/y_val checked, and the validation pass of every epoch (the loss of
validation_loss_curve_ and the score of validation_scores_)."""
import numpy as np
from sklearn.metrics import check_scoring
from sklearn.utils import gen_batches
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import (_check_sample_weight, check_array,
                                      check_consistent_length, validate_data)

from . import _sklearn_backprop as bp
from ._forward import forward
from ._validate import canonical_activation, probability_targets


def class_row_weights(est, y, sample_weight, incremental):
    """sample_weight multiplied by compute_sample_weight(class_weight) of the
    original labels (scikit-learn's meaning), or sample_weight unchanged when
    class_weight is None.  Computed before any validation split, in float64 so
    the fit equals one given the product as sample_weight."""
    class_weight = getattr(est, "class_weight", None)
    if class_weight is None:
        return sample_weight
    lb = est._label_binarizer
    if lb.y_type_ == "multilabel-indicator":
        raise ValueError("class_weight is not supported for multilabel y; pass "
                         "sample_weight instead")
    if incremental and isinstance(class_weight, str):
        raise ValueError("class_weight '%s' is not supported for partial_fit: the classes' "
                         "frequencies are not known from one batch. Use "
                         "sklearn.utils.class_weight.compute_class_weight('balanced', "
                         "classes=classes, y=y) on all the data and pass the result as "
                         "class_weight={label: weight}." % class_weight)
    labels = lb.inverse_transform(y.reshape(len(y), -1) if y.ndim == 1 else y)
    weights = compute_sample_weight(class_weight, labels)
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float64) * weights
    return weights


def check_validation_set(est, X_val, y_val, sample_weight_val, dtype):
    """(X_val, y_val as predict returns it, Y_val as the fit's targets, weights)
    of a user's validation set, or None when none is given."""
    if X_val is None and y_val is None:
        if sample_weight_val is not None:
            raise ValueError("sample_weight_val is given, but X_val and y_val are not")
        return None
    if y_val is None:
        raise ValueError("X_val is provided, but y_val was not provided.")
    if X_val is None:
        raise ValueError("y_val is provided, but X_val was not provided.")
    if est.solver == "lbfgs":
        raise ValueError("X_val and y_val need solver='sgd' or 'adam' (lbfgs has no epochs)")
    X_val = validate_data(est, X_val, accept_sparse=["csr", "csc"], dtype=dtype, reset=False)
    # a sparse X_val stays sparse: the forward path reads it (fastnn/_forward.py)
    X_val = X_val.tocsr() if hasattr(X_val, "tocsr") else np.ascontiguousarray(X_val)
    if hasattr(est, "_label_binarizer"):
        y_val = check_array(y_val, ensure_2d=False, dtype=None)
        if y_val.ndim == 2 and y_val.shape[1] == 1:
            y_val = y_val.ravel()
        lb = est._label_binarizer
        if lb.y_type_ != "multilabel-indicator":
            unknown = np.setdiff1d(np.unique(y_val), est.classes_)
            if len(unknown):
                raise ValueError("y_val has labels not seen in y: %s" % unknown[:10])
        Y_val = lb.transform(y_val)
    else:
        y_val = check_array(y_val, ensure_2d=False, dtype=dtype)
        Y_val = y_val
    Y_val = np.asarray(Y_val).reshape(len(y_val), -1)
    probability_targets(Y_val, getattr(est, "loss", None), "y_val")  # Poisson: >= 0
    if Y_val.shape[1] != est.n_outputs_:
        raise ValueError("y_val has %d outputs, y has %d" % (Y_val.shape[1], est.n_outputs_))
    check_consistent_length(X_val, y_val)
    if sample_weight_val is not None:
        sample_weight_val = _check_sample_weight(sample_weight_val, X_val, dtype=dtype)
    return X_val, y_val, np.ascontiguousarray(Y_val, dtype=dtype), sample_weight_val


def validation_loss(est, X, Y, sw, batch_size, n_threads):
    """The loss of X, Y as loss_curve_ defines a training epoch's: the mean of
    the batch losses (data loss + 0.5 * alpha * ||W||^2 / batch weight + l1
    * sum |W|) over batches of batch_size rows, weighted by their rows, all
    with the current weights."""
    coefs, intercepts = list(est.coefs_), list(est.intercepts_)
    out, z = forward(X, coefs, intercepts, activation=canonical_activation(est.activation),
                     output=est.out_activation_, n_threads=n_threads, with_logits=True,
                     check_overflow=False)  # a diverged epoch: the trainer reports it
    per_row = bp.per_row_loss(z, out, Y, est.out_activation_, n_threads,  # as loss_curve_
                              bp.probability_clip(est.out_activation_, z.dtype))
    sq = sum(float(np.dot(w.ravel(), w.ravel())) for w in coefs)
    l1 = est.l1 * sum(float(np.abs(w).sum()) for w in coefs) if est.l1 else 0.0
    total = 0.0
    for batch in gen_batches(X.shape[0], batch_size):
        rows = batch.stop - batch.start
        if sw is None:
            weight, mean = rows, float(per_row[batch].mean())
        else:
            weight = float(sw[batch].sum())
            mean = float(np.dot(sw[batch], per_row[batch]) / weight)
        total += (mean + 0.5 * est.alpha * sq / weight + l1) * rows
    return total / X.shape[0]


def validation_score(est, X, y, sw, loss, n_threads):
    """The validation score of one epoch: scikit-learn's accuracy / R^2
    (scoring=None), the negated loss (scoring="loss"), or a scorer's value."""
    scoring = getattr(est, "scoring", None)
    if scoring is None:
        return est._score(X, y, sw, n_threads=n_threads)
    if isinstance(scoring, str) and scoring == "loss":
        return -loss
    scorer = check_scoring(est, scoring=scoring)
    X = _with_fitted_names(est, X)
    if sw is None:
        return float(scorer(est, X, y))
    return float(scorer(est, X, y, sample_weight=sw))


def _with_fitted_names(est, X):
    """The validation rows (an ndarray by now) as a DataFrame with the fit's
    column names when the fit had them: else every epoch's scorer predicts on
    unnamed rows and scikit-learn warns that X lacks valid feature names
    (its own early stopping predicts unchecked and does not).  A frame, not
    a filter around the call, as warnings filters are process-wide."""
    names = getattr(est, "feature_names_in_", None)
    if names is None:
        return X
    try:
        import pandas as pd
    except ImportError:  # names from another dataframe library: the warning stays
        return X
    if hasattr(X, "tocsr"):  # a large sparse X's rows stay sparse (_sklearn_epochs)
        return pd.DataFrame.sparse.from_spmatrix(X, columns=names)
    return pd.DataFrame(X, columns=names, copy=False)


def start_stopping_state(est, validates, early_stopping):
    """Before the epochs: the curves a validation set fills and the best
    value the stopping rule compares with (the validation score under early
    stopping, else the training loss), where a warm start switched early
    stopping or validation data on since the fit that made them
    (scikit-learn then fails adding tol to None), or continued an lbfgs fit
    with a stochastic solver (scikit-learn then fails on loss_curve_)."""
    if getattr(est, "loss_curve_", None) is None:
        est.loss_curve_ = []
    if not hasattr(est, "_no_improvement_count"):
        est._no_improvement_count = 0
    if validates:
        for name in ("validation_scores_", "validation_loss_curve_"):
            if getattr(est, name, None) is None:
                setattr(est, name, [])
    if early_stopping and getattr(est, "best_validation_score_", None) is None:
        est.best_validation_score_ = -np.inf
    if not early_stopping and getattr(est, "best_loss_", None) is None:
        est.best_loss_ = np.inf
