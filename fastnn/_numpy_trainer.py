"""A plain NumPy MLP trainer: the baseline `fastnn bench` compares against.

ReLU (or tanh, sigmoid) hidden layers, softmax output, mean cross-entropy,
Adam; everything in one dtype (float32 by default) so that its speed is
NumPy's BLAS plus NumPy's elementwise loops, with no fastnn code involved.
"""
import numpy as np

# hidden activations: (g applied in place, g'(z) from a = g(z))
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0, out=z), lambda a: a > 0),
    "tanh": (lambda z: np.tanh(z, out=z), lambda a: 1 - a * a),
    "sigmoid": (lambda z: np.divide(1, 1 + np.exp(-z, out=z), out=z), lambda a: a * (1 - a)),
}


class NumpyMLP:
    def __init__(self, layer_sizes, learning_rate=1e-3, dtype=np.float32, seed=0,
                 beta1=0.9, beta2=0.999, eps=1e-8, dropout=0.0, activation="relu"):
        rng = np.random.default_rng(seed)
        self.g, self.g_prime = ACTIVATIONS[activation]
        self.dropout = dropout  # inverted dropout after each hidden layer
        self.rng = np.random.default_rng(seed + 1)
        self.dtype = np.dtype(dtype)
        self.lr, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.params = []  # [W0, b0, W1, b1, ...]; W: (fan_in, fan_out), b: (fan_out,)
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            bound = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, as scikit-learn
            self.params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(self.dtype))
            self.params.append(np.zeros(fan_out, self.dtype))
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, X, train=False, slopes=None):
        """Activations of every layer, input first; the last is softmax.
        `slopes` (a list) receives each hidden layer's g'(z), times the
        dropout mask and scale when training."""
        acts = [X]
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            z = acts[-1] @ self.params[2 * i] + self.params[2 * i + 1]
            if i < n_layers - 1:
                self.g(z)
                slope = self.g_prime(z) if slopes is not None else None
                if train and self.dropout > 0:
                    keep = (self.rng.random(z.shape, dtype=np.float32) >= self.dropout) \
                        * self.dtype.type(1 / (1 - self.dropout))
                    z *= keep
                    slope = slope * keep if slope is not None else None
                if slopes is not None:
                    slopes.append(slope)
            else:
                z -= z.max(axis=1, keepdims=True)
                np.exp(z, out=z)
                z /= z.sum(axis=1, keepdims=True)
            acts.append(z)
        return acts

    def loss_and_grads(self, X, y):
        """Mean cross-entropy of int labels y and its gradient for every parameter."""
        slopes = []
        acts = self.forward(X, train=True, slopes=slopes)
        n = X.shape[0]
        probs = acts[-1]
        loss = -np.mean(np.log(np.maximum(probs[np.arange(n), y], np.finfo(self.dtype).tiny)))
        d = probs.copy()  # dL/dz of softmax + cross-entropy: (p - onehot) / n
        d[np.arange(n), y] -= 1
        d /= n
        grads = [None] * len(self.params)
        for i in range(len(self.params) // 2 - 1, -1, -1):
            grads[2 * i] = acts[i].T @ d
            grads[2 * i + 1] = d.sum(axis=0)
            if i > 0:
                d = d @ self.params[2 * i].T
                d *= slopes[i - 1]  # g'(z), the dropout mask and its scale
        return float(loss), grads

    def step(self, grads):
        """One Adam update, bias-corrected as in Kingma & Ba."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = self.lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= (lr_t * m / (np.sqrt(v) + self.eps)).astype(self.dtype, copy=False)

    def train_epoch(self, X, y, batch_size=32, rng=None):
        """One pass over (X, y) in shuffled minibatches; returns the mean batch loss."""
        rng = rng if rng is not None else np.random.default_rng(0)
        order = rng.permutation(X.shape[0])
        losses = []
        for start in range(0, X.shape[0], batch_size):
            idx = order[start:start + batch_size]
            loss, grads = self.loss_and_grads(X[idx], y[idx])
            self.step(grads)
            losses.append(loss)
        return float(np.mean(losses))

    def predict(self, X):
        return self.forward(X)[-1]
