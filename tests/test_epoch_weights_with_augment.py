"""The compiled epoch with sample weights and gradient clipping and with
augmentation, label smoothing and warm-up all at once, against its
twin (reference.EpochRunner): the gather fills weight and image rows together,
the loss row takes both a weight and smoothing, and the warm-up rate reaches
the clipped update."""
import numpy as np
import pytest

import fastnn
from fastnn._augment import config_entries
from test_train_weights import N_IN, OPTIMIZERS, assert_same_trajectory, make_data, make_weights

ISSUE16 = dict(label_smoothing=0.1, warmup_steps=5, augment=config_entries(3, (2, 3, 1), 1))


@pytest.mark.parametrize("opt,extra", OPTIMIZERS, ids=lambda v: str(v))
@pytest.mark.parametrize("clip", [None, 0.05])
def test_weights_clipping_smoothing_warmup_and_augmentation_follow_twin(opt, extra, clip):
    assert N_IN == 2 * 3
    assert_same_trajectory(make_data("labels"), make_weights("mixed"), optimizer=opt,
                           dropout=0.3, l1=1e-3, l2=0.2, max_grad_norm=clip, **ISSUE16, **extra)


def test_binary_head_with_weights_and_smoothing_follows_twin():
    assert_same_trajectory(make_data("binary"), make_weights(), output="sigmoid",
                           loss="binary_cross_entropy", optimizer="adam", **ISSUE16)


@pytest.mark.parametrize("kw", [dict(augment="flip", image_shape=(6, 6)),
                                dict(label_smoothing=0.1)])
@pytest.mark.parametrize("weights", ["sample_weight", "class_weight"])
def test_drop_ins_refuse_augment_and_smoothing_with_weights(kw, weights):
    X = np.random.default_rng(0).random((40, 36))
    y = np.arange(40) % 2
    if weights == "class_weight":
        clf, fit_kw = fastnn.MLPClassifier((4,), max_iter=1, class_weight="balanced", **kw), {}
    else:
        clf, fit_kw = fastnn.MLPClassifier((4,), max_iter=1, **kw), dict(sample_weight=np.ones(40))
    with pytest.raises(ValueError, match="not supported with sample_weight or class_weight"):
        clf.fit(X, y, **fit_kw)
    assert not hasattr(clf, "coefs_")
