"""The untimed Fashion-MNIST recipe's candidates for bench/recipe_search.py
(`default`): each a (name, hidden widths, dropout, pixel scaling, fit
options) row, with the hooks some of them use (pixel transforms, input
dropout, mixup).  Pixel scaling: True standardizes each pixel (the CLI's),
False divides by 255, a function of X returns its own (offset, scale)."""
import numpy as np

IMAGES = dict(image_shape=(28, 28), max_shift=1)
SMOOTH = dict(label_smoothing=0.1)
FAST = dict(SMOOTH, learning_rate=2e-3, warmup_epochs=1)
RECIPE = dict(SMOOTH, epochs=20, weight_decay=0.05)  # with (1024, 512), dropout 0.1


def sqrt_pixels(X):
    """Pixel intensities through a square root, kept on the 0-255 scale."""
    return (np.sqrt(X / 255.0) * 255).astype(np.float32)


def log_pixels(X):
    """Pixel intensities through log1p, kept on the 0-255 scale."""
    return (np.log1p(X.astype(np.float64)) / np.log1p(255.0) * 255).astype(np.float32)

def global_standardization(X):
    """One mean and one standard deviation for every pixel."""
    X = X.astype(np.float64)
    return np.full(X.shape[1], X.mean()), np.full(X.shape[1], X.std())


def floored_standardization(fraction):
    """Per-pixel standardization with each pixel's deviation floored at
    `fraction` of the global one: a nearly constant border pixel is not
    blown up to hundreds of units on its rare non-zero value."""
    def offset_scale(X):
        X = X.astype(np.float64)
        return X.mean(axis=0), np.maximum(X.std(axis=0), fraction * X.std())
    return offset_scale


class InputDropout:
    """A batch hook (MLP.fit's callable augment): each input value kept with
    probability 1 - rate and scaled by 1 / (1 - rate), else 0 (the pixel's
    mean, on standardized pixels), from its own generator, seeded 0 (the same
    draws for every seed's run: default_candidates copies it per run)."""

    def __init__(self, rate, seed=0):
        self.rate, self.rng = rate, np.random.default_rng(seed)

    def __call__(self, X):
        keep = self.rng.random(X.shape, dtype=np.float32) >= self.rate
        return np.where(keep, X / np.float32(1 - self.rate), np.float32(0))


class Mixup:
    """mixup (Zhang et al. 2018) as streamed epochs: each epoch one chunk of
    every row mixed with a random partner, x = l x_i + (1 - l) x_j and the
    same for the (label-smoothed) one-hot targets, l ~ Beta(alpha, alpha)
    per row, from its own generator seeded 0; fit shuffles the chunk into
    batches."""

    def __init__(self, alpha, seed=0):
        self.alpha, self.rng = alpha, np.random.default_rng(seed)

    def epochs(self, X, y, smoothing):
        T = np.full((len(y), 10), smoothing / 10, np.float32)
        T[np.arange(len(y)), y] += 1 - smoothing

        def one_epoch():
            partner = self.rng.permutation(len(y))
            lam = self.rng.beta(self.alpha, self.alpha, len(y)).astype(np.float32)[:, None]
            yield lam * X + (1 - lam) * X[partner], lam * T + (1 - lam) * T[partner]
        return one_epoch


class MaxNorm:
    """max-norm regularization (Srivastava et al. 2014) as a batch hook: before
    each step every hidden unit's incoming weights are scaled down to a norm
    of at most c.  run() binds it to the model it trains (its live weights)."""

    def __init__(self, c):
        self.c, self.mlp = c, None

    def bind(self, mlp):
        self.mlp = mlp

    def __call__(self, X):
        for W in self.mlp.coefs_[:-1]:
            norms = np.sqrt(np.einsum("ij,ij->j", W, W))
            over = norms > self.c
            if over.any():
                W[:, over] *= (self.c / norms[over]).astype(W.dtype)
        return X


def principal_components(k, whiten=False):
    """A `project` hook: the standardized pixels projected on the training
    images' top `k` principal axes by fastnn.projection (what `fastnn train
    --components` does); `whiten` scales each component to variance 1."""
    def project(X, Xv):
        from fastnn.projection import PrincipalProjection
        projection = PrincipalProjection(X, k)
        Z, Zv = projection.transform(X), projection.transform(Xv)
        if whiten:
            std = Z.astype(np.float64).std(axis=0)
            Z, Zv = (np.ascontiguousarray((A / std).astype(np.float32)) for A in (Z, Zv))
        return Z, Zv
    return project


# (name, hidden, dropout, pixel scaling, fit options) on 1024-512 unless named
DEFAULT_CANDIDATES = [
    ("20 epochs", (1024, 512), 0.3, True, dict(epochs=20)),
    ("20 epochs, smoothing 0.1", (1024, 512), 0.3, True, dict(SMOOTH, epochs=20)),
    ("20 epochs, flip, smoothing 0.1", (1024, 512), 0.3, True,
     dict(SMOOTH, epochs=20, augment=["flip"], **IMAGES)),
    ("20 epochs, pixels, shift 1 + flip, smoothing 0.1", (1024, 512), 0.3, False,
     dict(SMOOTH, epochs=20, augment=["shift", "flip"], **IMAGES)),
    ("20 epochs, smoothing 0.2", (1024, 512), 0.3, True, dict(SMOOTH, epochs=20,
                                                               label_smoothing=0.2)),
    ("20 epochs, smoothing 0.1, dropout 0.4", (1024, 512), 0.4, True, dict(SMOOTH, epochs=20)),
    ("20 epochs, smoothing 0.1, dropout 0.5", (1024, 512), 0.5, True, dict(SMOOTH, epochs=20)),
    ("20 epochs, smoothing 0.1, dropout 0.2/0.4", (1024, 512), [0.2, 0.4], True,
     dict(SMOOTH, epochs=20)),
    ("20 epochs, smoothing 0.1, input noise 0.2", (1024, 512), 0.3, True,
     dict(SMOOTH, epochs=20, input_noise=0.2)),
    ("20 epochs, smoothing 0.1, weight decay 0.1", (1024, 512), 0.3, True,
     dict(SMOOTH, epochs=20, weight_decay=0.1)),
    ("20 epochs, smoothing 0.1, dropout 0.2", (1024, 512), 0.2, True, dict(SMOOTH, epochs=20)),
    ("20 epochs, smoothing 0.1, dropout 0.1", (1024, 512), 0.1, True, dict(SMOOTH, epochs=20)),
    ("20 epochs, smoothing 0.1, dropout 0.1, erase", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, augment=["erase"], **IMAGES)),
    ("20 epochs, smoothing 0.1, dropout 0.15, erase", (1024, 512), 0.15, True,
     dict(SMOOTH, epochs=20, augment=["erase"], **IMAGES)),
    ("20 epochs, smoothing 0.1, dropout 0.1, shift 1", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, augment=["shift"], **IMAGES)),
    ("20 epochs, smoothing 0.1, dropout 0.1, batch 64", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, batch_size=64)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05 (the recipe)", (1024, 512), 0.1,
     True, dict(SMOOTH, epochs=20, weight_decay=0.05)),
    ("24 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=24, weight_decay=0.05)),
    ("16 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=16, weight_decay=0.05)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05, lr 1.5e-3", (1024, 512), 0.1,
     True, dict(SMOOTH, epochs=20, weight_decay=0.05, learning_rate=1.5e-3)),
    ("20 epochs, smoothing 0.1, dropout 0.15, weight decay 0.05", (1024, 512), 0.15, True,
     dict(SMOOTH, epochs=20, weight_decay=0.05)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05, erase", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, weight_decay=0.05, augment=["erase"], **IMAGES)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05, gelu", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, weight_decay=0.05, activation="gelu")),
    ("1024-512-256, 20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05", (1024, 512, 256),
     0.1, True, dict(SMOOTH, epochs=20, weight_decay=0.05)),
    ("1536-256, 20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05", (1536, 256), 0.1,
     True, dict(SMOOTH, epochs=20, weight_decay=0.05)),
    ("1024-256, 20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05", (1024, 256), 0.1,
     True, dict(SMOOTH, epochs=20, weight_decay=0.05)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05, pixels / 255", (1024, 512), 0.1,
     False, dict(SMOOTH, epochs=20, weight_decay=0.05)),
    ("20 epochs, smoothing 0.1, dropout 0.05, weight decay 0.05", (1024, 512), 0.05, True,
     dict(SMOOTH, epochs=20, weight_decay=0.05)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05, lr 7e-4", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, weight_decay=0.05, learning_rate=7e-4)),
    ("20 epochs, smoothing 0.05, dropout 0.1, weight decay 0.05", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, weight_decay=0.05, label_smoothing=0.05)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.05, warm-up 1", (1024, 512), 0.1,
     True, dict(SMOOTH, epochs=20, weight_decay=0.05, warmup_epochs=1)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.1", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, weight_decay=0.1)),
    ("20 epochs, smoothing 0.1, dropout 0.1, weight decay 0.2", (1024, 512), 0.1, True,
     dict(SMOOTH, epochs=20, weight_decay=0.2)),
    ("20 epochs, smoothing 0.1, dropout 0, weight decay 0.1", (1024, 512), 0.0, True,
     dict(SMOOTH, epochs=20, weight_decay=0.1)),
    # around the recipe, one change each
    ("recipe + Adam beta2 0.99", (1024, 512), 0.1, True, dict(RECIPE, betas=(0.9, 0.99))),
    ("recipe + Adam beta2 0.98", (1024, 512), 0.1, True, dict(RECIPE, betas=(0.9, 0.98))),
    ("recipe + linear decay to 0", (1024, 512), 0.1, True,
     dict(RECIPE, lr_schedule=lambda epoch: 1e-3 * (1 - epoch / RECIPE["epochs"]))),
    ("recipe + input noise 0.1", (1024, 512), 0.1, True, dict(RECIPE, input_noise=0.1)),
    ("recipe + smoothing 0.15", (1024, 512), 0.1, True, dict(RECIPE, label_smoothing=0.15)),
    ("recipe + square-root pixels", (1024, 512), 0.1, True, dict(RECIPE, pixels=sqrt_pixels)),
    ("recipe + log pixels", (1024, 512), 0.1, True, dict(RECIPE, pixels=log_pixels)),
    ("recipe + leaky_relu", (1024, 512), 0.1, True, dict(RECIPE, activation="leaky_relu")),
    ("recipe + elu", (1024, 512), 0.1, True, dict(RECIPE, activation="elu")),
    ("recipe + dropout 0.2 then 0", (1024, 512), [0.2, 0.0], True, RECIPE),
    ("recipe + dropout 0 then 0.2", (1024, 512), [0.0, 0.2], True, RECIPE),
    ("recipe + 1024-1024", (1024, 1024), 0.1, True, RECIPE),
    ("recipe + input dropout 0.1", (1024, 512), 0.1, True,
     dict(RECIPE, augment=InputDropout(0.1))),
    ("recipe + input dropout 0.2", (1024, 512), 0.1, True,
     dict(RECIPE, augment=InputDropout(0.2))),
    ("recipe + global standardization", (1024, 512), 0.1, global_standardization, RECIPE),
    ("recipe + std floor 0.1", (1024, 512), 0.1, floored_standardization(0.1), RECIPE),
    ("recipe + std floor 0.25", (1024, 512), 0.1, floored_standardization(0.25), RECIPE),
    ("recipe + std floor 0.5", (1024, 512), 0.1, floored_standardization(0.5), RECIPE),
    ("recipe + PCA 128", (1024, 512), 0.1, True, dict(RECIPE, project=principal_components(128))),
    ("recipe + PCA 256", (1024, 512), 0.1, True, dict(RECIPE, project=principal_components(256))),
    ("recipe + PCA 384", (1024, 512), 0.1, True, dict(RECIPE, project=principal_components(384))),
    ("recipe + whitened PCA 256", (1024, 512), 0.1, True,
     dict(RECIPE, project=principal_components(256, whiten=True))),
    ("recipe + mixup 0.1", (1024, 512), 0.1, True, dict(RECIPE, mixup=Mixup(0.1))),
    ("recipe + mixup 0.2", (1024, 512), 0.1, True, dict(RECIPE, mixup=Mixup(0.2))),
    ("recipe + mixup 0.4", (1024, 512), 0.1, True, dict(RECIPE, mixup=Mixup(0.4))),
    # the trained recipe's column norms are 1.46-1.85 (first layer) and 1.19-2.15
    ("recipe + max-norm 1.25", (1024, 512), 0.1, True, dict(RECIPE, augment=MaxNorm(1.25))),
    ("recipe + max-norm 1.5 instead of weight decay", (1024, 512), 0.1, True,
     dict(RECIPE, weight_decay=0.0, augment=MaxNorm(1.5))),
    # SGD with Nesterov momentum in Adam's place (decoupled weight decay
    # 5e-3 x the step: about PyTorch's L2 5e-4 under momentum 0.9)
    ("recipe + SGD Nesterov 0.02", (1024, 512), 0.1, True,
     dict(RECIPE, optimizer="sgd", nesterov=True, learning_rate=0.02, weight_decay=5e-3)),
    ("recipe + SGD Nesterov 0.05", (1024, 512), 0.1, True,
     dict(RECIPE, optimizer="sgd", nesterov=True, learning_rate=0.05, weight_decay=5e-3)),
    ("recipe + SGD Nesterov 0.1", (1024, 512), 0.1, True,
     dict(RECIPE, optimizer="sgd", nesterov=True, learning_rate=0.1, weight_decay=5e-3)),
    ("30 epochs, smoothing 0.1", (1024, 512), 0.3, True, dict(SMOOTH, epochs=30)),
    ("20 epochs, smoothing 0.1, lr 2e-3", (1024, 512), 0.3, True,
     dict(SMOOTH, epochs=20, learning_rate=2e-3)),
    ("20 epochs, smoothing 0.1, lr 2e-3, warm-up 1", (1024, 512), 0.3, True,
     dict(FAST, epochs=20)),
    ("20 epochs, smoothing 0.1, lr 3e-3, warm-up 1", (1024, 512), 0.3, True,
     dict(FAST, epochs=20, learning_rate=3e-3)),
    ("20 epochs, smoothing 0.1, batch 256, lr 3e-3, warm-up 1", (1024, 512), 0.3, True,
     dict(FAST, epochs=20, batch_size=256, learning_rate=3e-3)),
    ("26 epochs, smoothing 0.1, batch 256, lr 3e-3, warm-up 1", (1024, 512), 0.3, True,
     dict(FAST, epochs=26, batch_size=256, learning_rate=3e-3)),
    ("16 epochs, smoothing 0.1, lr 2e-3, warm-up 1", (1024, 512), 0.3, True,
     dict(FAST, epochs=16)),
    # for a minute on a CPU with AMX, where the recipe takes half of it
    ("40 epochs, smoothing 0.1", (1024, 512), 0.3, True, dict(SMOOTH, epochs=40)),
    ("40 epochs, flip, smoothing 0.1", (1024, 512), 0.3, True,
     dict(SMOOTH, epochs=40, augment=["flip"], **IMAGES)),
    ("1536-768, 24 epochs, smoothing 0.1, dropout 0.4", (1536, 768), 0.4, True,
     dict(SMOOTH, epochs=24)),
    ("2048-1024, 20 epochs, smoothing 0.1, dropout 0.5", (2048, 1024), 0.5, True,
     dict(SMOOTH, epochs=20)),
    ("2048-1024, 20 epochs, smoothing 0.1, dropout 0.4", (2048, 1024), 0.4, True,
     dict(SMOOTH, epochs=20)),
]
