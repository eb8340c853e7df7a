"""What fastnn.MLP reads as targets and how it scores its outputs: labels
for cross-entropy, probability or value columns otherwise (_targets), and
accuracy or R^2 (_score).  A mixin of MLP, kept out of model.py."""
import numpy as np

from ._validate import as_features, probability_targets
from ._values import values_of


class MLPTargetsMixin:
    def _targets(self, Y, n_rows):
        """(Y 2-D in the model dtype, None) or (None, int64 labels)."""
        n_out = self.layer_sizes[-1]
        Y = values_of(Y, "Y")
        if Y.ndim == 2 and Y.shape[1] == 1 < n_out and self.loss == "cross_entropy":
            Y = Y[:, 0]  # a column of labels (a one-column DataFrame)
        if Y.shape[:1] != (n_rows,):
            raise ValueError("X has %d samples but Y has %s" % (n_rows, Y.shape[:1] or "none"))
        if Y.ndim == 1 and self.loss == "cross_entropy":
            if Y.dtype.kind == "f" and np.isnan(Y).any():
                raise ValueError("Y has missing labels (NaN) in %d row(s)" % np.isnan(Y).sum())
            whole = Y.dtype.kind in "iub" or (Y.dtype.kind == "f" and np.all(np.mod(Y, 1) == 0))
            if not whole:
                raise ValueError("1-D targets for cross_entropy must be integer class labels")
            if Y.size and (Y.min() < 0 or Y.max() >= n_out):  # before a cast could wrap 1e20
                raise ValueError("class labels must be in [0, %d), got range [%s, %s]"
                                 % (n_out, Y.min(), Y.max()))
            return None, np.ascontiguousarray(Y, dtype=np.int64)
        if Y.ndim == 1 and n_out == 1:
            Y = Y.reshape(-1, 1)
        if Y.ndim != 2 or Y.shape[1] != n_out:
            raise ValueError("Y must have shape (%d, %d), got %s" % (n_rows, n_out, Y.shape))
        # numeric, in the dtype's range, finite: checked as X is
        return probability_targets(as_features(Y, n_out, self._dtype, "Y"), self.loss), None

    def _score(self, P, Y, labels):
        if self.output == "softmax":
            truth = labels if labels is not None else Y.argmax(axis=1)
            return float((P.argmax(axis=1) == truth).mean())
        if self.output == "sigmoid":
            return float(((P >= 0.5) == (Y >= 0.5)).all(axis=1).mean())
        # R^2 per output, then their mean (scikit-learn's r2_score): a pooled
        # ratio would let a large output hide a badly fitted small one
        if Y.shape[0] < 2:  # no variance to explain: scikit-learn's NaN
            return float("nan")
        resid = ((Y - P) ** 2).sum(axis=0)
        total = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        r2 = np.where(total > 0, 1 - resid / np.where(total > 0, total, 1), resid == 0)
        return float(r2.mean())
