"""One SGD step of a float64 MLP in PyTorch, the oracle that Session steps
are checked against (per-layer activations, clipping)."""
import numpy as np


def step_problem(sizes, seed=2, rows=32):
    """X, integer labels, weights and biases of a random float64 MLP."""
    rs = np.random.RandomState(seed)
    X, y = rs.randn(rows, sizes[0]), rs.randint(0, sizes[-1], rows).astype(np.int64)
    coefs = [rs.randn(a, b) * 0.5 for a, b in zip(sizes[:-1], sizes[1:])]
    intercepts = [rs.randn(b) * 0.1 for b in sizes[1:]]
    return X, y, coefs, intercepts


def torch_sgd_step(coefs, intercepts, X, y, activations, lr, l2=0.0, max_grad_norm=None):
    """The weights and biases after one full-batch SGD step (softmax
    cross-entropy, + l2/2 |W|^2, gradients clipped to max_grad_norm), and the
    loss before it."""
    import torch
    ws = [torch.tensor(w, requires_grad=True) for w in coefs]
    bs = [torch.tensor(b, requires_grad=True) for b in intercepts]
    h = torch.tensor(X)
    for layer, (w, b) in enumerate(zip(ws, bs)):
        h = h @ w + b
        if layer < len(ws) - 1:
            h = activations[layer](h)
    loss = torch.nn.functional.cross_entropy(h, torch.tensor(y))
    loss = loss + 0.5 * l2 * sum((w ** 2).sum() for w in ws)
    loss.backward()
    if max_grad_norm is not None:
        torch.nn.utils.clip_grad_norm_(ws + bs, max_grad_norm)
    with torch.no_grad():
        for p in ws + bs:
            p -= lr * p.grad
    return [p.detach().numpy() for p in ws + bs], loss.item()


def assert_session_weights(session, expected, atol=1e-12):
    got_w, got_b = session.views()
    for ours, theirs in zip(got_w + got_b, expected):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)
