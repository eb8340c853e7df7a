"""Fitted models of every kind fastnn.export writes, and what each should
output, shared by tests/test_export_onnx.py and tests/test_export_c.py."""
import warnings

import numpy as np

import fastnn

ACTIVATIONS = ("identity", "relu", "leaky_relu", "tanh", "sigmoid", "elu", "gelu", "softplus")
RTOL, ATOL = 1e-5, 1e-6


def data(n=64, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, d)) * 2).astype(np.float32)
    score = X[:, 0] + X[:, 1] - 0.5 * X[:, 2]
    y = np.digitize(score, [-1.0, 1.0])  # 3 ordered classes
    return X, y


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fits
        return fit()


def scaled_model(X, y):
    """The model `fastnn train --save` writes: preprocessing, an MLP, labels."""
    from fastnn.cli import ScaledModel
    classes = np.unique(y) * 10 + 3  # labels need not be 0..k-1
    offset, scale = X.mean(axis=0).astype(np.float64) + 0.25, X.std(axis=0).astype(np.float64)
    mlp = fastnn.MLP([X.shape[1], 6, len(classes)], activation="gelu", random_state=3)
    wrapped = ScaledModel(mlp, offset, scale, classes)
    mlp.fit(wrapped.transform(X), np.searchsorted(np.unique(y), y), epochs=3)
    return wrapped


def mlp(activation, output="softmax", **kw):
    X, y = data()
    net = fastnn.MLP([5, 7, 6, 3], activation=activation, output=output,
                     loss="mse" if output != "softmax" else "cross_entropy", random_state=1, **kw)
    # a few epochs so the weights (and intercepts) leave their initial values
    target = np.eye(3)[y] if output != "softmax" else y
    return net.fit(X, target, epochs=3, learning_rate=0.01)


def model_factories():
    """{id: function returning a fitted model}: every activation and output."""
    from fastnn.sklearn import MLPClassifier, MLPRegressor
    X, y = data()
    small = dict(max_iter=30, random_state=0, learning_rate_init=0.01)
    f = {"mlp-%s" % a: (lambda a=a: mlp(a)) for a in ACTIVATIONS}
    f.update({
        "mlp-sigmoid-out": lambda: mlp("relu", "sigmoid"),
        "mlp-identity-out": lambda: mlp("tanh", "identity"),
        "mlp-classic-dropout": lambda: mlp("relu", dropout=0.3, dropout_mode="classic"),
        "mlp-float64": lambda: mlp("elu", dtype="float64"),
        "clf-multiclass": lambda: _quiet(lambda: MLPClassifier((8,), **small).fit(X, y)),
        "clf-binary": lambda: _quiet(lambda: MLPClassifier((8,), activation="logistic",
                                                           **small).fit(X, y > 0)),
        "clf-multilabel": lambda: _quiet(lambda: MLPClassifier((8,), activation="tanh", **small)
                                         .fit(X, np.eye(3, dtype=int)[y] | (X[:, :3] > 1))),
        "clf-strings": lambda: _quiet(lambda: MLPClassifier((8, 4), activation="identity",
                                                            **small)
                                      .fit(X, np.array(["lo", "mid", "hi"])[y])),
        "reg-squared": lambda: _quiet(lambda: MLPRegressor(hidden_layer_sizes=(8,), **small)
                                      .fit(X, X[:, 0] * 2 + 1)),
        "reg-poisson": lambda: _quiet(lambda: MLPRegressor("poisson", hidden_layer_sizes=(8,),
                                                           **small).fit(X, y.astype(float))),
        "reg-multi": lambda: _quiet(lambda: MLPRegressor(hidden_layer_sizes=(6,), **small)
                                    .fit(X, X[:, :2])),
        "logreg-binary": lambda: fastnn.LogisticRegression().fit(X, y > 0),
        "logreg-multinomial": lambda: fastnn.LogisticRegression(l2=0.1).fit(X, y * 2 - 1),
        "logreg-strings": lambda: fastnn.LogisticRegression().fit(
            X, np.array(["a", "b", "c"])[y]),
        "ordinal": lambda: fastnn.OrdinalRegression().fit(X, y),
        "cli-scaled": lambda: scaled_model(X, y),
    })
    return f


def is_classifier(model):
    return hasattr(model, "predict_proba")


def probabilities(model, X):
    """predict_proba for classifiers (the CLI model: its MLP's outputs)."""
    return np.asarray(model.predict_proba(X), dtype=np.float64)


def regression(model, X):
    out = np.asarray(model.predict(X), dtype=np.float64)
    return out.reshape(X.shape[0], -1)


def output_layer(model, X):
    """What the C function writes: the output layer's activations (a binary
    classifier's single sigmoid: the probability of the second class)."""
    if not is_classifier(model):
        return regression(model, X)
    p = probabilities(model, X)
    return p[:, 1:] if p.shape[1] == 2 and _single_output(model) else p


def _single_output(model):
    coefs = getattr(model, "coefs_", None)
    if coefs is not None:
        return coefs[-1].shape[1] == 1
    coef = getattr(model, "coef_", None)
    return coef is not None and np.ndim(coef) == 2 and coef.shape[0] == 1


def fresh_rows(n=40, seed=7):
    """Rows unlike the training data, wide enough to reach saturated activations."""
    X, _ = data(n, seed=seed)
    X[:4] *= 6
    return X
