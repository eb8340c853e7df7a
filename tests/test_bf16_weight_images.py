"""bfloat16 weight images (csrc/train/epoch.c): with compute_bf16 the trainer
keeps every weight matrix packed as the forward and dz W^T read it, rewritten
by the update epilogue block by block, instead of packing it in every GEMM.
The images must hold exactly what the GEMMs would pack: training with them
gives the same bits as without (FASTNN_BF16_WEIGHT_IMAGES=0), on every
bfloat16 engine this CPU runs, for any thread count, including k panels that
end mid-way, widths that are not a multiple of the tile, and weights changed
by the caller between fits."""
import numpy as np
import pytest

import fastnn
from fastnn import _core

ENGINES = [e for e in ("portable", "amx-emulated", "avx512bf16", "amx")
           if _core.bf16_engine_unusable(e) is None]


@pytest.fixture(params=ENGINES)
def engine(request):
    _core.set_bf16_engine(request.param)
    yield request.param
    _core.set_bf16_engine(None)


def fit(monkeypatch, images, sizes, threads, **fit_kw):
    """Weights after 2 epochs, the caller halving W_1, and 1 more epoch; and
    the initial weights."""
    monkeypatch.setenv("FASTNN_BF16_WEIGHT_IMAGES", "1" if images else "0")
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], 300)
    fastnn.set_num_threads(threads)
    try:
        m = fastnn.MLP(sizes, dropout=0.2, random_state=0, dtype="bfloat16")
        initial = [w.copy() for w in m.coefs_]
        m.fit(X, y, epochs=2, batch_size=64, **fit_kw)
        # weights set by the caller between fits: the next fit's images follow them
        m.coefs_[1][:] *= np.float32(0.5)
        m.fit(X, y, epochs=1, batch_size=64, **fit_kw)
    finally:
        fastnn.set_num_threads(None)
    return [w.copy() for w in m.coefs_ + m.intercepts_], initial


def assert_same_bits(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert np.array_equal(x, y)


# 600 inputs: two k panels of the 512-value bfloat16 kc, the second partial;
# 45 and 7 columns: partial micro-panels; odd fan-ins and fan-outs; 4200
# outputs: two nc blocks (4096; on one thread through the update's C scratch)
@pytest.mark.parametrize("sizes", [[600, 45, 7], [33, 70, 31, 3], [40, 4200, 3]])
@pytest.mark.parametrize("threads", [1, 2])
def test_images_give_the_same_bits(engine, monkeypatch, sizes, threads):
    with_images, initial = fit(monkeypatch, True, sizes, threads)
    without, _ = fit(monkeypatch, False, sizes, threads)
    assert_same_bits(with_images, without)
    # the comparison cannot pass on weights that never moved
    assert not np.array_equal(with_images[0], initial[0])


def test_images_with_sgd_momentum(monkeypatch):
    kw = dict(optimizer="sgd", momentum=0.9, learning_rate=0.01)
    assert_same_bits(fit(monkeypatch, True, [50, 40, 4], 2, **kw)[0],
                     fit(monkeypatch, False, [50, 40, 4], 2, **kw)[0])


def test_clipping_trains_without_images(monkeypatch):
    """Clipping updates after the whole backward pass, outside the epilogue
    that writes the images: the trainer keeps none, and the bits agree."""
    kw = dict(max_grad_norm=0.5)
    assert_same_bits(fit(monkeypatch, True, [50, 40, 4], 2, **kw)[0],
                     fit(monkeypatch, False, [50, 40, 4], 2, **kw)[0])
