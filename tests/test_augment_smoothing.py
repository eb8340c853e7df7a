"""Issue 16's kernels: image augmentation while the batch is gathered, label
smoothing in the loss and the linear warm-up, each against its NumPy twin,
finite differences and the compiled epoch's twin (reference.EpochRunner)."""
import numpy as np
import pytest

import fastnn
from fastnn import ops, reference
from fastnn._augment import AUGMENT_BITS, config_entries
from test_train import assert_same_trajectory, make_data

AUGMENTS = ["shift", "flip", "erase", ["shift", "flip"], ["shift", "flip", "erase"]]


@pytest.mark.parametrize("augment", AUGMENTS, ids=str)
@pytest.mark.parametrize("shape,max_shift", [((28, 28), 2), ((6, 5, 3), 1), ((4, 7), 3),
                                             ((5, 5), 0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_augmentation_matches_its_twin_exactly(augment, shape, max_shift, dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, int(np.prod(shape)))).astype(dtype)
    kw = dict(augment=augment, max_shift=max_shift, seed=12345, counter=77)
    got = ops.augment_images(x, shape, **kw)
    assert np.array_equal(got, reference.augment_images(x, shape, **kw))
    if max_shift and augment == "shift":  # some pixels moved, some border zeroed
        assert not np.array_equal(got, x) and (got == 0).sum() > (x == 0).sum()


def test_augmentation_is_a_shift_or_flip_of_each_image():
    x = np.arange(2 * 16, dtype=np.float64).reshape(2, 16) + 1
    flipped = ops.augment_images(np.repeat(x, 50, 0), (4, 4), augment="flip", seed=1)
    rows = {tuple(r) for r in flipped[:50]}
    assert rows == {tuple(x[0]), tuple(x[0].reshape(4, 4)[:, ::-1].ravel())}
    shifted = ops.augment_images(np.repeat(x[:1], 200, 0), (4, 4), augment="shift",
                                 max_shift=1, seed=2)
    img = x[0].reshape(4, 4)
    expected = set()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            out = np.zeros_like(img)
            out[max(dy, 0):4 + min(dy, 0), max(dx, 0):4 + min(dx, 0)] = \
                img[max(-dy, 0):4 + min(-dy, 0), max(-dx, 0):4 + min(-dx, 0)]
            expected.add(tuple(out.ravel()))
    assert {tuple(r) for r in shifted} == expected  # all 9 shifts drawn, nothing else


def test_erasing_zeroes_one_rectangle_in_half_the_images():
    h, w = 10, 12
    x = np.arange(1, h * w + 1, dtype=np.float64)
    out = ops.augment_images(np.tile(x, (4000, 1)), (h, w), augment="erase", seed=9)
    erased, tall, wide, corners = 0, 0, 0, set()
    for row in out:
        zero = (row == 0).reshape(h, w)
        if not zero.any():
            assert np.array_equal(row, x)
            continue
        erased += 1
        rows, cols = np.nonzero(zero.any(1))[0], np.nonzero(zero.any(0))[0]
        # one rectangle (its bounding box all zero), every other pixel kept
        assert zero[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].all()
        assert zero.sum() == len(rows) * len(cols)
        assert np.array_equal(row[~zero.ravel()], x[~zero.ravel()])
        # area in [ceil(0.02 h w), 0.4 h w] before the cut to the image (sides rounded down)
        assert 1 <= zero.sum() <= 0.4 * h * w
        tall += len(rows) > len(cols)
        wide += len(rows) < len(cols)
        corners.add((rows[0] == 0, cols[0] == 0, rows[-1] == h - 1, cols[-1] == w - 1))
    assert abs(erased - 2000) < 4 * np.sqrt(1000)  # probability 1/2, 4 sigma
    assert tall > 300 and wide > 300
    assert {(True, True, False, False), (False, False, True, True)} <= corners


@pytest.mark.parametrize("bad,err", [
    (dict(image_shape=(5, 5)), "features"), (dict(image_shape=None), "image_shape"),
    (dict(max_shift=4), "max_shift"), (dict(max_shift=-1), "max_shift"),
    (dict(augment="rotate"), "augment"), (dict(image_shape=(4, 0)), "image_shape")])
def test_augmentation_rejects_bad_settings(bad, err):
    kw = dict(image_shape=(4, 4), augment="shift", max_shift=1, seed=0)
    kw.update(bad)
    shape = kw.pop("image_shape")
    with pytest.raises(ValueError, match=err):
        ops.augment_images(np.zeros((2, 16)), shape, **kw)


@pytest.mark.parametrize("name,kind", [("cross_entropy", "labels"), ("cross_entropy", "probs"),
                                       ("binary_cross_entropy", "binary")])
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
def test_label_smoothing_matches_twin_and_finite_differences(name, kind, eps):
    X, Y, labels = make_data(kind, n=6, n_out=4, seed=2)
    z = np.random.default_rng(5).standard_normal((6, 4))
    target = labels if labels is not None else Y
    value, grad = ops.loss(name, z, target, label_smoothing=eps)
    twin_value, twin_grad = reference.loss(name, z, target, label_smoothing=eps)
    assert value == pytest.approx(twin_value, rel=1e-12)
    np.testing.assert_allclose(grad, twin_grad, rtol=1e-10, atol=1e-14)
    h, num = 1e-6, np.zeros_like(z)
    for i in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[i] = h
        num[i] = (ops.loss(name, z + e, target, label_smoothing=eps)[0]
                  - ops.loss(name, z - e, target, label_smoothing=eps)[0]) / (2 * h)
    np.testing.assert_allclose(grad, num, atol=1e-8)


def test_label_smoothing_follows_pytorchs_definition():
    z = np.array([[2.0, -1.0, 0.5]])
    logp = z - np.log(np.exp(z).sum())
    t = 0.8 * np.eye(3)[[0]] + 0.2 / 3
    assert ops.loss("cross_entropy", z, np.array([0]), label_smoothing=0.2)[0] == \
        pytest.approx(-(t * logp).sum(), rel=1e-12)
    tb = np.array([[1.0, 0.0, 1.0]]) * 0.9 + 0.05
    p = 1 / (1 + np.exp(-z))
    assert ops.loss("binary_cross_entropy", z, np.array([[1.0, 0.0, 1.0]]),
                    label_smoothing=0.1)[0] == pytest.approx(
        -(tb * np.log(p) + (1 - tb) * np.log(1 - p)).sum(), rel=1e-12)
    with pytest.raises(ValueError, match="label_smoothing"):
        ops.loss("mse", z, z, label_smoothing=0.1)
    with pytest.raises(ValueError, match="label_smoothing"):
        ops.loss("cross_entropy", z, np.array([0]), label_smoothing=1.5)


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_compiled_epoch_with_smoothing_warmup_and_augmentation_follows_twin(opt, kernel):
    X, Y, labels = make_data("labels", n_in=12)
    kw = dict(optimizer=opt, seed=5, label_smoothing=0.1, warmup_steps=11, dropout=[0.2, 0.0],
              augment=config_entries(sum(AUGMENT_BITS.values()), (4, 3, 1), 1))
    assert_same_trajectory(kw, (X, Y, labels))
    X, Y, _ = make_data("binary", n_in=12)
    assert_same_trajectory(dict(kw, output="sigmoid", loss="binary_cross_entropy"),
                           (X, Y, None))


def images(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 36)).astype(np.float32)
    return X, (X[:, :18].sum(1) > X[:, 18:].sum(1)).astype(np.int64)


@pytest.mark.parametrize("kw,err", [
    (dict(augment="shift"), "image_shape"), (dict(augment="flip", image_shape=(5, 5)), "36"),
    (dict(augment="shift", image_shape=(6, 6), max_shift=6), "max_shift"),
    (dict(augment=3), "augment"), (dict(label_smoothing=-0.1), "label_smoothing"),
    (dict(warmup_epochs=-1), "warmup_epochs")])
def test_fit_options_are_checked_before_training(kw, err):
    X, y = images()
    with pytest.raises((TypeError, ValueError), match=err):
        fastnn.MLP([36, 2]).fit(X, y, **kw)
    with pytest.raises(ValueError, match="label_smoothing"):
        fastnn.MLP([36, 1], output="identity", loss="mse").fit(X, y[:, None] * 1.0,
                                                               label_smoothing=0.1)


def test_augmented_fit_is_the_same_for_any_thread_count():
    X, y = images()
    fits, old = [], fastnn._config._thread_setting()
    try:
        for threads in (1, 2):
            fastnn.set_num_threads(threads)
            m = fastnn.MLP([36, 32, 2], random_state=4).fit(
                X, y, epochs=2, augment=["shift", "flip", "erase"], image_shape=(6, 6),
                max_shift=1, label_smoothing=0.1, warmup_epochs=1, batch_size=16)
            fits.append(np.concatenate([w.ravel() for w in m.coefs_]))
    finally:
        fastnn.set_num_threads(old)
    assert np.array_equal(fits[0], fits[1])
    plain = fastnn.MLP([36, 32, 2], random_state=4).fit(X, y, epochs=2, batch_size=16)
    assert not np.array_equal(fits[0], plain.coefs_[0].ravel())


def test_drop_ins_take_the_options():
    X, y = images(200)
    clf = fastnn.MLPClassifier((16,), max_iter=3, augment="shift", image_shape=(6, 6),
                               max_shift=1, label_smoothing=0.1, random_state=0)
    with pytest.warns(Warning):
        clf.fit(X, y)
    assert clf.score(X, y) > 0.5
    reg = fastnn.MLPRegressor(hidden_layer_sizes=(8,), max_iter=2, augment="flip", image_shape=(6, 6, 1),
                              random_state=0)
    with pytest.warns(Warning):
        reg.fit(X, y * 1.0)
    with pytest.raises(ValueError, match="image_shape"):
        fastnn.MLPClassifier(augment="flip").fit(X, y)
