"""fastnn.MLP's hidden activations and initial weights: the per-layer
activation list a model trains, predicts and exports with, and the He or
Glorot initialisation each layer's activation asks for."""
import hashlib
import math

import numpy as np

from ._validate import ACTIVATIONS, HE_INIT_ACTIVATIONS, canonical_activation


def hidden_activations(activation, n_hidden):
    """One canonical activation name per hidden layer, from one name for all
    or a list (or tuple) of one name per hidden layer; ValueError otherwise."""
    if isinstance(activation, str):
        names = [activation] * max(n_hidden, 1)  # checked even with no hidden layer
    elif isinstance(activation, (list, tuple)):
        if len(activation) != n_hidden:
            raise ValueError("activation: a list needs one name per hidden layer (%d), got %d"
                             % (n_hidden, len(activation)))
        names = list(activation)
    else:
        raise ValueError("activation must be a name or a list of one name per hidden layer, "
                         "got %.100r" % (activation,))
    acts = [canonical_activation(name) for name in names]
    for name, act in zip(names, acts):
        if not isinstance(act, str) or act not in ACTIVATIONS:
            raise ValueError("activation must be one of %s, got %.100r"
                             % (", ".join(ACTIVATIONS), name))
    return acts[:n_hidden]


INIT_BLOCK_ELEMENTS = 1 << 20  # float64 draws at a time: 8 MiB


def uniform_weights(rng, bound, shape, dtype):
    """rng.uniform(-bound, bound, shape).astype(dtype), the same numbers, a
    block of rows at a time: the generator fills in C order, so the blocks
    draw what one call would, and the float64 draws of a large layer never
    exist whole beside its weights (50000 x 4096: 1.6 GB)."""
    out = np.empty(shape, dtype)
    rows = max(1, INIT_BLOCK_ELEMENTS // max(1, shape[1]))
    for start in range(0, shape[0], rows):
        stop = min(shape[0], start + rows)
        out[start:stop] = rng.uniform(-bound, bound, (stop - start, shape[1]))
    return out


def initial_weights(rng, sizes, hidden_acts, output, dtype):
    """(coefs, intercepts) drawn layer by layer from rng: He uniform for a
    layer whose activation is of the ReLU family, Glorot uniform otherwise;
    zero biases.  The draws are in layer order, so a single activation name
    gives the same weights as before per-layer activations existed."""
    coefs, intercepts = [], []
    sizes = [int(s) for s in sizes]  # NumPy uints: uint8 rows * width would wrap
    n_layers = len(sizes) - 1
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        act = hidden_acts[l] if l < n_layers - 1 else output
        if act in HE_INIT_ACTIVATIONS:
            bound = math.sqrt(6.0 / fan_in)                # He uniform
        else:
            bound = math.sqrt(6.0 / (fan_in + fan_out))    # Glorot uniform
        coefs.append(uniform_weights(rng, bound, (fan_in, fan_out), dtype))
        intercepts.append(np.zeros(fan_out, dtype=dtype))
    return coefs, intercepts


def weights_digest(coefs, intercepts):
    """A digest of the weights' bytes: set_params tells reset()'s draws from
    weights trained, loaded or set by hand since (in place too), and a pickle
    or copy keeps it."""
    # SHA-1 runs on the CPU's SHA instructions where they exist: 3.8 ms for a
    # 784-1024-512-10 model against BLAKE2b's 6.8, on every construction; a
    # fingerprint, not a security measure
    digest = hashlib.sha1(usedforsecurity=False)
    for w in list(coefs) + list(intercepts):
        digest.update(np.ascontiguousarray(w).reshape(-1).view(np.uint8))  # any dtype, 0 size
    return digest.hexdigest()
