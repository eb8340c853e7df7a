"""A neutral description of a fitted model's inference, shared by the ONNX and
C writers: optional per-feature preprocessing, a chain of dense layers (each
with its own activation, so per-layer activations need no writer change), an
optional ordinal head, and what a classifier reports.

Every formula here is the one fastnn's own predict/predict_proba computes
(fastnn/model.py, fastnn/sklearn.py, fastnn/linear.py, ScaledModel); the
writers only translate it.
"""
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from .._validate import canonical_activation, not_fitted
from ..model import MLP

HIDDEN_ACTIVATIONS = ("identity", "relu", "leaky_relu", "tanh", "sigmoid", "elu", "gelu",
                      "softplus")
# the last layer's transform: its activations are the model's output
OUTPUT_ACTIVATIONS = ("identity", "softmax", "sigmoid", "exp")


@dataclass
class Dense:
    """out = activation(x @ weight + bias) * scale (scale: classic dropout's
    retain probability at inference, None for no scaling)."""
    weight: np.ndarray          # (n_in, n_out) float32
    bias: np.ndarray            # (n_out,) float32
    activation: str
    scale: Optional[np.float32] = None


@dataclass
class Graph:
    n_inputs: int
    layers: List[Dense]
    # classifier: probabilities (+ label); regressor: the last layer's output
    is_classifier: bool
    classes: Optional[np.ndarray] = None
    # one sigmoid output of a two-class model: probabilities are [1 - p, p]
    binary: bool = False
    # binary: p == 0.5 predicts the second class (ScaledModel: p >= 0.5), not
    # the first (MLPClassifier and LogisticRegression: p > 0.5)
    second_at_half: bool = False
    multilabel: bool = False
    # (x - offset) / scale before the first layer (float64, as ScaledModel)
    offset: Optional[np.ndarray] = None
    scale: Optional[np.ndarray] = None
    # OrdinalRegression: P(y <= k) = sigmoid(thresholds[k] - x @ w); the
    # probabilities are the clipped, renormalised differences
    thresholds: Optional[np.ndarray] = None

    @property
    def n_outputs(self):
        """Width of the output layer's activations (the C function's row)."""
        if self.thresholds is not None:
            return len(self.thresholds) + 1
        return self.layers[-1].weight.shape[1]

    @property
    def widest(self):
        return max([self.n_inputs] + [layer.weight.shape[1] for layer in self.layers]
                   + [self.n_outputs])


def _f32(a, name):
    """The exported (float32) copy of the parameter array `name`: NaN or an
    infinity, or a value beyond float32's range (written as one), would give
    C that does not compile and an ONNX model that computes NaN."""
    a = np.asarray(a)
    bad = ~np.isfinite(a)
    if bad.any():
        raise ValueError("cannot export: %s holds %s; an exported model needs finite "
                         "parameters" % (name, a.flat[np.flatnonzero(bad)[0]]))
    with np.errstate(over="ignore"):
        out = np.ascontiguousarray(a, dtype=np.float32)
    if not np.isfinite(out).all():
        raise ValueError("%s holds %.3g, beyond float32's range: an exported model computes "
                         "in float32" % (name, a.flat[np.flatnonzero(~np.isfinite(out))[0]]))
    return out


def _dense(weight, bias, activation, scale=None, names=("coef_", "intercept_")):
    return Dense(_f32(weight, names[0]), _f32(bias, names[1]).reshape(-1), activation, scale)


INT64_RANGE = (-2 ** 63, 2 ** 63)


def integral_labels(classes):
    """Whether the (checked) classes are written as int64: integers, bools,
    and floats that all hold integers (other float labels: strings in C,
    refused by ONNX, whose labels are int64 or strings)."""
    if classes.dtype.kind in "iub":
        return True
    if classes.dtype.kind != "f" or not np.isfinite(classes).all():
        return False
    return bool(np.all(np.mod(classes, 1) == 0))


def _labels(classes):
    """The classes a classifier exports, or ValueError for labels no
    exported label can equal: integers past int64, bytes, dates, objects
    other than all str or all int (all int: as int64, not their text)."""
    classes = np.asarray(classes)
    values, kind = classes.tolist(), classes.dtype.kind
    if kind == "O" and all(isinstance(c, str) for c in values):
        return classes
    if kind == "O" and all(isinstance(c, (int, np.integer)) and not isinstance(c, bool)
                           for c in values):
        kind, values = "i", [int(c) for c in values]
    if kind in "iub" or (kind == "f" and integral_labels(classes)):
        if all(INT64_RANGE[0] <= c < INT64_RANGE[1] for c in values):
            return classes if classes.dtype.kind != "O" else np.array(values, dtype=np.int64)
        why = "beyond int64's range"
    elif kind in "fU":  # other floats: C writes their text, ONNX refuses them
        return classes
    else:
        why = "of dtype %s" % classes.dtype
    raise ValueError("cannot export the class labels %.200s (%s): exported labels are "
                     "integers in int64's range or strings; map the labels to such values"
                     % (values, why))


def _mlp_layers(coefs, intercepts, hidden, output, rates=None, dtype=np.float32):
    """Dense layers of an MLP: `hidden` per hidden layer (a name, or one name
    per layer), `output` on the last; rates: classic dropout's drop rates."""
    n = len(coefs)
    acts = [hidden] * (n - 1) if isinstance(hidden, str) else list(hidden)
    acts = [canonical_activation(a) for a in acts]
    for a in acts:
        if a not in HIDDEN_ACTIVATIONS:
            raise ValueError("no exporter for the activation %r" % (a,))
    layers = []
    for l in range(n):
        act = acts[l] if l < n - 1 else output
        scale = None
        if rates is not None and l < n - 1 and rates[l] > 0:
            # as MLP._forward: h *= dtype(1 - rate), in the model's dtype
            scale = np.float32(np.dtype(dtype).type(1 - rates[l]))
        layers.append(_dense(coefs[l], intercepts[l], act, scale,
                             ("coefs_[%d]" % l, "intercepts_[%d]" % l)))
    return layers


def _from_mlp(model):
    coefs, intercepts = model._checked_weights()
    rates = model._rates if model.dropout_mode == "classic" else None
    return Graph(n_inputs=model.layer_sizes[0], is_classifier=False,
                 layers=_mlp_layers(coefs, intercepts, model._act, model.output, rates,
                                    model._dtype))


def _from_sklearn_mlp(est, classifier):
    if not hasattr(est, "coefs_"):
        raise not_fitted(est, "call fit before exporting")
    out = {"logistic": "sigmoid"}.get(est.out_activation_, est.out_activation_)
    layers = _mlp_layers([np.asarray(w) for w in est.coefs_],
                         [np.asarray(b) for b in est.intercepts_], est.activation, out)
    graph = Graph(n_inputs=layers[0].weight.shape[0], layers=layers, is_classifier=classifier)
    if classifier:
        y_type = est._label_binarizer.y_type_
        graph.multilabel = y_type == "multilabel-indicator"
        # multilabel: column j is label j's indicator, no label is written
        graph.classes = (np.asarray(est.classes_) if graph.multilabel
                         else _labels(est.classes_))
        graph.binary = not graph.multilabel and layers[-1].weight.shape[1] == 1
    return graph


def _from_logistic(est):
    if not hasattr(est, "classes_"):
        raise not_fitted(est, "call fit before exporting")
    binary = est.coef_.shape[0] == 1
    layer = _dense(np.asarray(est.coef_).T, est.intercept_, "sigmoid" if binary else "softmax")
    return Graph(n_inputs=layer.weight.shape[0], layers=[layer], is_classifier=True,
                 classes=_labels(est.classes_), binary=binary)


def _from_ordinal(est):
    if not hasattr(est, "classes_"):
        raise not_fitted(est, "call fit before exporting")
    w = np.asarray(est.coef_).reshape(-1, 1)
    layer = _dense(w, np.zeros(1), "identity")
    return Graph(n_inputs=w.shape[0], layers=[layer], is_classifier=True,
                 classes=_labels(est.classes_),
                 thresholds=_f32(est.thresholds_, "thresholds_"))


def _from_scaled(wrapped):
    """The CLI's saved model: preprocessing, an MLP, and its labels: argmax
    over the outputs, or with one output the second of two classes where it
    is at least 0.5 (ScaledModel.predict)."""
    if not isinstance(wrapped.model, MLP):
        raise ValueError("no exporter for a %s wrapping a %s (only fastnn.MLP)"
                         % (type(wrapped).__name__, type(wrapped.model).__name__))
    graph = _from_mlp(wrapped.model)
    graph.is_classifier = True
    graph.classes = _labels(wrapped.classes)
    graph.binary = graph.second_at_half = graph.n_outputs == 1
    if len(graph.classes) != (2 if graph.binary else graph.n_outputs):
        raise ValueError("the %s has %d classes for %d outputs (one output needs two classes)"
                         % (type(wrapped).__name__, len(graph.classes), graph.n_outputs))
    for name in ("offset", "scale"):
        a = np.asarray(getattr(wrapped, name), dtype=np.float64).reshape(-1)
        if a.shape != (graph.n_inputs,) or not np.isfinite(a).all() or (
                name == "scale" and (a == 0).any()):
            raise ValueError("cannot export: the preprocessing %s must hold %d finite%s values, "
                             "got %.200s" % (name, graph.n_inputs,
                                             " nonzero" if name == "scale" else "", a.tolist()))
        setattr(graph, name, a)
    return graph


def _scaled_model_class():
    # ScaledModel is moving from fastnn/cli.py to fastnn/scaled.py: either works
    try:
        from ..scaled import ScaledModel
    except ImportError:
        from ..cli import ScaledModel
    return ScaledModel


def describe(model):
    """The Graph of a fitted model, or NotFittedError / ValueError."""
    from ..linear import LogisticRegression, OrdinalRegression
    if isinstance(model, MLP):
        return _from_mlp(model)
    if isinstance(model, LogisticRegression):
        return _from_logistic(model)
    if isinstance(model, OrdinalRegression):
        return _from_ordinal(model)
    if isinstance(model, _scaled_model_class()):
        return _from_scaled(model)
    try:
        from ..sklearn import MLPClassifier, MLPRegressor
    except ImportError:  # no scikit-learn: no such estimators either
        MLPClassifier = MLPRegressor = ()
    if isinstance(model, MLPClassifier):
        return _from_sklearn_mlp(model, classifier=True)
    if isinstance(model, MLPRegressor):
        return _from_sklearn_mlp(model, classifier=False)
    raise ValueError("no exporter for %s: fastnn exports MLP, MLPClassifier, MLPRegressor, "
                     "LogisticRegression, OrdinalRegression and the CLI's saved model"
                     % type(model).__name__)
