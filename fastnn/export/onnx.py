"""A Graph as ONNX, through skl2onnx's converter registry.

fastnn's estimators get skl2onnx converters (a shape calculator and a
converter each), so skl2onnx.to_onnx converts a Pipeline that holds them and
its classifier conventions (outputs "label" and "probabilities", ZipMap into
"output_label"/"output_probability" unless zipmap=False) come from skl2onnx
itself.  fastnn.export converts any model the same way, wrapped in an adapter.

Standard ONNX operators only, float32, default opset 17 (the oldest this
writer supports is 13: ReduceSum's axes became an input there).  Activations
are fastnn's formulas (csrc/vocab.h): gelu is the tanh form and softplus
max(z, 0) + log(1 + exp(-|z|)) (ONNX's Softplus, log(1 + exp(z)), overflows),
both from elementary operators.
"""
import numpy as np

from ._graph import describe, integral_labels

DEFAULT_OPSET = 17
MIN_OPSET = 13
SIMPLE_ACTIVATIONS = {"relu": ("Relu", {}), "tanh": ("Tanh", {}), "sigmoid": ("Sigmoid", {}),
                      "leaky_relu": ("LeakyRelu", {"alpha": 0.01}),
                      "elu": ("Elu", {"alpha": 1.0}), "exp": ("Exp", {}),
                      "softmax": ("Softmax", {"axis": 1})}


def require():
    """Import onnx and skl2onnx, or say which extra to install."""
    try:
        import onnx  # noqa: F401
        import skl2onnx  # noqa: F401
    except ImportError as exc:
        raise ImportError('ONNX export needs onnx and skl2onnx: pip install "fastnn[onnx]" '
                          "(%s)" % exc) from exc


class ExportedClassifier:
    """What fastnn.export hands skl2onnx for a classifier: its Graph, and the
    classes_ skl2onnx's ZipMap reads."""

    def __init__(self, graph):
        self.graph = graph
        self.classes_ = graph.classes


class ExportedRegressor:
    def __init__(self, graph):
        self.graph = graph


def graph_of(model):
    return model.graph if isinstance(model, (ExportedClassifier, ExportedRegressor)) \
        else describe(model)


def _label_is_string(classes):
    return classes.dtype.kind not in "iubf"


def _check_classes(classes):
    """The graph's labels (checked there: int64's range, str) as ONNX holds
    them, int64 or strings: float labels must hold integers."""
    if classes.dtype.kind == "f" and not integral_labels(classes):
        raise ValueError("ONNX labels must be integers or strings, got the float classes %s"
                         % (classes,))


class _Emitter:
    """Adds nodes and constants to a skl2onnx container under unique names."""

    def __init__(self, scope, container):
        self.scope, self.container = scope, container

    def const(self, hint, values, dtype=np.float32):
        from onnx import TensorProto
        values = np.asarray(values, dtype=dtype)
        name = self.scope.get_unique_variable_name(hint)
        if values.dtype.kind in "SUO":
            proto, flat = TensorProto.STRING, [str(v).encode("utf-8") for v in values.ravel()]
        else:
            proto = {np.dtype(np.float32): TensorProto.FLOAT,
                     np.dtype(np.float64): TensorProto.DOUBLE,
                     np.dtype(np.int64): TensorProto.INT64}[values.dtype]
            flat = values.ravel().tolist()
        self.container.add_initializer(name, proto, list(values.shape), flat)
        return name

    def node(self, op, inputs, output=None, **attrs):
        output = output or self.scope.get_unique_variable_name(op.lower())
        self.container.add_node(op, list(inputs), output,
                                name=self.scope.get_unique_operator_name(op), **attrs)
        return output


def _activation(e, z, name):
    if name == "identity":
        return z
    if name in SIMPLE_ACTIVATIONS:
        op, attrs = SIMPLE_ACTIVATIONS[name]
        return e.node(op, [z], **attrs)
    if name == "gelu":  # half * z * (1 + tanh(c0 * (z + c1 * z * z * z))), C's order
        c0, c1 = e.const("gelu_c0", 0.7978845608028654), e.const("gelu_c1", 0.044715)
        cube = e.node("Mul", [e.node("Mul", [e.node("Mul", [c1, z]), z]), z])
        t = e.node("Tanh", [e.node("Mul", [c0, e.node("Add", [z, cube])])])
        half_z = e.node("Mul", [e.const("half", 0.5), z])
        return e.node("Mul", [half_z, e.node("Add", [e.const("one", 1.0), t])])
    if name == "softplus":  # max(z, 0) + log(1 + exp(-|z|))
        tail = e.node("Exp", [e.node("Neg", [e.node("Abs", [z])])])
        log1p = e.node("Log", [e.node("Add", [e.const("one", 1.0), tail])])
        return e.node("Add", [e.node("Relu", [z]), log1p])
    raise ValueError("no ONNX form for the activation %r" % (name,))


def _ordinal_head(e, eta, thresholds):
    """Class probabilities of OrdinalRegression from its linear predictor."""
    cum = e.node("Sigmoid", [e.node("Sub", [e.const("thresholds", thresholds), eta])])
    lower = e.node("Pad", [cum, e.const("pad_left", [0, 1, 0, 0], np.int64),
                           e.const("zero", 0.0)])
    upper = e.node("Pad", [cum, e.const("pad_right", [0, 0, 0, 1], np.int64),
                           e.const("one", 1.0)])
    p = e.node("Relu", [e.node("Sub", [upper, lower])])  # rounding can give tiny negatives
    total = e.node("ReduceSum", [p, e.const("axis1", [1], np.int64)], keepdims=1)
    return e.node("Div", [p, total])


def _forward(e, graph, x):
    from onnx import TensorProto
    if graph.offset is not None:
        # (x - offset) / scale in double, then float, as ScaledModel and the C:
        # float32 constants would move an offset of 101325.08 by 1e-3
        h = e.node("Cast", [x], to=TensorProto.DOUBLE)
        h = e.node("Sub", [h, e.const("offset", graph.offset, np.float64)])
        h = e.node("Div", [h, e.const("scale", graph.scale, np.float64)])
        h = e.node("Cast", [h], to=TensorProto.FLOAT)
    else:
        h = e.node("Cast", [x], to=TensorProto.FLOAT)
    for l, layer in enumerate(graph.layers):
        h = e.node("MatMul", [h, e.const("coef%d" % l, layer.weight)])
        h = e.node("Add", [h, e.const("bias%d" % l, layer.bias)])
        h = _activation(e, h, layer.activation)
        if layer.scale is not None:  # classic dropout's inference scaling
            h = e.node("Mul", [h, e.const("retain%d" % l, layer.scale)])
    if graph.thresholds is not None:
        h = _ordinal_head(e, h, graph.thresholds)
    return h


def convert(scope, operator, container):
    """skl2onnx converter of every fastnn model."""
    from onnx import TensorProto
    graph = graph_of(operator.raw_operator)
    e = _Emitter(scope, container)
    out = _forward(e, graph, operator.inputs[0].full_name)
    if not graph.is_classifier:
        e.node("Identity", [out], operator.outputs[0].full_name)
        return
    proba = operator.outputs[1].full_name
    if graph.binary:  # one sigmoid output: [1 - p, p]
        negative = e.node("Sub", [e.const("one", 1.0), out])
        e.node("Concat", [negative, out], proba, axis=1)
    else:
        e.node("Identity", [out], proba)
    label = operator.outputs[0].full_name
    if graph.multilabel:  # every column with p > 0.5, as LabelBinarizer
        e.node("Cast", [e.node("Greater", [proba, e.const("half", 0.5)])], label,
               to=TensorProto.INT64)
        return
    # [1 - p, p] ties only at p = 0.5 exactly: the first column wins (p > 0.5,
    # MLPClassifier) unless ScaledModel's p >= 0.5 asks for the last
    last = {"select_last_index": 1} if graph.second_at_half else {}
    index = e.node("ArgMax", [proba], axis=1, keepdims=0, **last)
    classes = graph.classes
    classes = classes.astype(object) if _label_is_string(classes) else classes.astype(np.int64)
    e.node("Gather", [e.const("classes", classes, classes.dtype), index], label, axis=0)


def shapes(operator):
    """skl2onnx shape calculator of every fastnn model."""
    from skl2onnx.common.data_types import (FloatTensorType, Int64TensorType,
                                            StringTensorType)
    graph = graph_of(operator.raw_operator)
    n = operator.inputs[0].get_first_dimension()
    if not graph.is_classifier:
        operator.outputs[0].type = FloatTensorType([n, graph.n_outputs])
        return
    _check_classes(graph.classes)
    k = 2 if graph.binary else graph.n_outputs
    if graph.multilabel:
        operator.outputs[0].type = Int64TensorType([n, k])
    elif _label_is_string(graph.classes):
        operator.outputs[0].type = StringTensorType([n])
    else:
        operator.outputs[0].type = Int64TensorType([n])
    operator.outputs[1].type = FloatTensorType([n, k])


def parse_classifier(scope, model, inputs, custom_parsers=None):
    """Outputs label and probabilities, then ZipMap unless zipmap=False, as
    skl2onnx does for its own classifiers (multilabel models skip ZipMap)."""
    from skl2onnx._parse import _apply_zipmap, _get_sklearn_operator_name
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType
    options = scope.get_options(model, dict(zipmap=True))
    operator = scope.declare_local_operator(_get_sklearn_operator_name(type(model)), model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(scope.declare_local_variable("probabilities", FloatTensorType()))
    if options["zipmap"] is False or graph_of(model).multilabel:
        return list(operator.outputs)
    return _apply_zipmap(options["zipmap"], scope, model, inputs[0].type,
                         list(operator.outputs))


_registered = []


def register():
    """Register the converters with skl2onnx (idempotent)."""
    if _registered:
        return
    require()
    from skl2onnx import update_registered_converter
    from ..linear import LogisticRegression, OrdinalRegression
    classifiers = [ExportedClassifier, LogisticRegression, OrdinalRegression]
    regressors = [ExportedRegressor]
    try:
        from ..sklearn import MLPClassifier, MLPRegressor
        classifiers.append(MLPClassifier)
        regressors.append(MLPRegressor)
    except ImportError:  # no scikit-learn: no such estimators either
        pass
    for cls in classifiers:
        update_registered_converter(cls, "Fastnn" + cls.__name__, shapes, convert,
                                    parser=parse_classifier,
                                    options={"zipmap": [True, False, "columns"],
                                             "nocl": [False]})
    for cls in regressors:
        update_registered_converter(cls, "Fastnn" + cls.__name__, shapes, convert)
    _registered.append(True)


def to_onnx_bytes(graph, zipmap=True, opset=None):
    """The serialized ONNX model of a Graph."""
    register()
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType
    import skl2onnx
    opset = DEFAULT_OPSET if opset is None else opset
    top = int(getattr(skl2onnx, "__max_supported_opset__", DEFAULT_OPSET))  # the converters'
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or \
            not MIN_OPSET <= opset <= top:
        raise ValueError("opset must be an int from %d to %d (the newest the installed skl2onnx "
                         "writes), got %r" % (MIN_OPSET, top, opset))
    if zipmap not in (True, False, "columns"):
        raise ValueError("zipmap must be True, False or 'columns', got %r" % (zipmap,))
    if graph.is_classifier:
        _check_classes(graph.classes)
        model, options = ExportedClassifier(graph), {"zipmap": zipmap}
    else:
        model, options = ExportedRegressor(graph), None
    proto = to_onnx(model, initial_types=[("X", FloatTensorType([None, graph.n_inputs]))],
                    target_opset={"": int(opset), "ai.onnx.ml": 3},
                    options={id(model): options} if options else None)
    return proto.SerializeToString()
