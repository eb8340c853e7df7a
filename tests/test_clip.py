"""max_grad_norm: the compiled clipped step (csrc/train/clip.inc) against its
NumPy twin and PyTorch's clip_grad_norm_, and through MLP and the drop-ins."""
import numpy as np
import pytest
from sklearn.datasets import make_classification

import fastnn
from fastnn import reference
from fastnn._session import Session

from _torchutil import assert_session_weights, step_problem, torch_sgd_step

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SIZES = [7, 9, 5, 3]


def _session(runner, optimizer, l1, l2, wd, clip, n_threads=None, dtype=np.float64):
    s = Session(SIZES, activation="tanh", output="softmax", loss="cross_entropy",
                dropout=[0, 0], dropout_mode="inverted", dtype=dtype, optimizer=optimizer,
                momentum=0.9, l1=l1, l2=l2, weight_decay=wd, seed=3, max_batch=32,
                runner=runner, max_grad_norm=clip, n_threads=n_threads)
    rs = np.random.RandomState(1)
    s.load([rs.randn(a, b) * 0.5 for a, b in zip(SIZES[:-1], SIZES[1:])],
           [np.zeros(b) for b in SIZES[1:]])
    return s


def _train(s, epochs=3):
    rng = np.random.RandomState(0)
    X, y = rng.randn(300, SIZES[0]).astype(s.dtype), rng.randint(0, 3, 300).astype(np.int64)
    losses = [s.epoch(X, None, y, batch_size=32, learning_rate=0.1, shuffle=True, epoch=e)
              for e in range(epochs)]
    return s.params.copy(), losses


@pytest.mark.parametrize("optimizer,l1,l2,wd", [("sgd", 0, 0, 0), ("adam", 0.01, 0.1, 0),
                                                ("adamw", 0.001, 0.01, 0.01)])
@pytest.mark.parametrize("clip", [0.05, 0.5, 100.0])
def test_clipped_epoch_matches_the_twin(optimizer, l1, l2, wd, clip):
    ours, ours_loss = _train(_session(None, optimizer, l1, l2, wd, clip))
    twin, twin_loss = _train(_session(reference.EpochRunner, optimizer, l1, l2, wd, clip))
    np.testing.assert_allclose(ours, twin, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours_loss, twin_loss, rtol=1e-12)


def test_clipping_changes_the_fit_and_is_deterministic_over_threads():
    free, _ = _train(_session(None, "sgd", 0, 0, 0, None))
    clipped, _ = _train(_session(None, "sgd", 0, 0, 0, 0.05))
    assert np.abs(free - clipped).max() > 1e-3
    one, _ = _train(_session(None, "adam", 0, 0.1, 0, 0.05, n_threads=1))
    two, _ = _train(_session(None, "adam", 0, 0.1, 0, 0.05, n_threads=2))
    np.testing.assert_array_equal(one, two)


def test_a_step_against_pytorch_clip_grad_norm():
    torch = pytest.importorskip("torch")
    X, y, coefs, intercepts = step_problem(SIZES)
    l2 = 0.05
    s = Session(SIZES, activation="tanh", output="softmax", loss="cross_entropy",
                dropout=[0, 0], dropout_mode="inverted", dtype=np.float64, optimizer="sgd",
                momentum=0.0, l2=l2, seed=3, max_batch=32, max_grad_norm=0.3)
    s.load(coefs, intercepts)
    s.epoch(X, None, y, batch_size=32, learning_rate=0.1, shuffle=False, epoch=0,
            order=np.arange(32))
    want, _ = torch_sgd_step(coefs, intercepts, X, y, [torch.tanh] * 2, 0.1, l2=l2,
                             max_grad_norm=0.3)
    assert_session_weights(s, want)


def test_mlp_fit_and_dropins_take_max_grad_norm():
    X, y = make_classification(300, 8, n_informative=5, n_classes=3, random_state=0)
    kw = dict(hidden_layer_sizes=(12,), max_iter=4, random_state=0, learning_rate_init=0.05)
    plain = fastnn.MLPClassifier(**kw).fit(X, y)
    clipped = fastnn.MLPClassifier(max_grad_norm=0.1, **kw).fit(X, y)
    assert np.abs(plain.coefs_[0] - clipped.coefs_[0]).max() > 1e-3
    # the batch loop of sample weights clips as the compiled epoch does
    weighted = fastnn.MLPClassifier(max_grad_norm=0.1, **kw).fit(X, y, sample_weight=np.ones(300))
    np.testing.assert_allclose(weighted.coefs_[0], clipped.coefs_[0], rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="max_grad_norm"):
        fastnn.MLPClassifier(solver="lbfgs", max_grad_norm=1.0).fit(X, y)
    with pytest.raises(ValueError):
        fastnn.MLPClassifier(max_grad_norm=-1.0).fit(X, y)
    m = fastnn.MLP([8, 12, 3], dtype="float64", random_state=0)
    m.fit(X, y, epochs=2, max_grad_norm=0.5)
    with pytest.raises(ValueError, match="max_grad_norm"):
        m.fit(X, y, epochs=1, max_grad_norm=0.0)
