"""The NumPy baseline trainer used by `fastnn bench`: gradients and learning."""
import numpy as np
import pytest

from fastnn._numpy_trainer import ACTIVATIONS, NumpyMLP


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradients_match_finite_differences(activation, dropout):
    rng = np.random.default_rng(0)
    model = NumpyMLP([4, 6, 5, 3], dtype=np.float64, seed=1, activation=activation,
                     dropout=dropout)
    for p in model.params[1::2]:
        p[:] = rng.standard_normal(p.shape) * 0.1  # nonzero biases exercise every term
    X = rng.standard_normal((7, 4))
    y = rng.integers(0, 3, 7)

    def loss_and_grads():  # the same dropout masks at every evaluation
        model.rng = np.random.default_rng(5)
        return model.loss_and_grads(X, y)

    _, grads = loss_and_grads()
    h = 1e-6
    for p, g in zip(model.params, grads):
        num = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up, _ = loss_and_grads()
            p[i] = old - h
            down, _ = loss_and_grads()
            p[i] = old
            num[i] = (up - down) / (2 * h)
        # central differences are O(h^2) accurate; ReLU kinks are unlikely at random points
        assert np.allclose(g, num, rtol=1e-5, atol=1e-7)


def test_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 5)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    model = NumpyMLP([5, 16, 2], learning_rate=1e-2, seed=0)
    first = model.train_epoch(X, y, batch_size=32)
    for _ in range(20):
        last = model.train_epoch(X, y, batch_size=32)
    assert last < first / 2
    assert model.params[0].dtype == np.float32 and model.predict(X).dtype == np.float32
    assert np.mean(model.predict(X).argmax(1) == y) > 0.95
