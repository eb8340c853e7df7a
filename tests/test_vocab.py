"""The vocabulary of csrc/vocab.h as fastnn._core exports it: every C name
has its NumPy twin and its test error scale, and every table's codes are
distinct and dense (they cross the binding as ints)."""
import numpy as np
import pytest

import fastnn
from fastnn import _core, ops, reference
from fastnn._validate import HE_INIT_ACTIVATIONS, canonical_activation
from _opsutil import ACT_ERROR_SCALES

CODE_TABLES = {
    "ACTIVATIONS": {name: row["code"] for name, row in _core.ACTIVATIONS.items()},
    "LOSSES": _core.LOSSES, "OUTPUTS": _core.OUTPUTS, "OPTIMIZERS": _core.OPTIMIZERS,
    "DROPOUT_MODES": _core.DROPOUT_MODES, "ADAM_EPS_STYLES": _core.ADAM_EPS_STYLES,
    "ISA_NAMES": {name: code for code, name in enumerate(_core.ISA_NAMES)},
}


@pytest.mark.parametrize("table", CODE_TABLES)
def test_codes_are_distinct_and_dense_from_zero(table):
    codes = CODE_TABLES[table]
    assert codes and sorted(codes.values()) == list(range(len(codes))), codes
    assert all(isinstance(name, str) and name for name in codes)


def test_cpu_feature_bits_are_distinct_single_bits():
    bits = list(_core.CPU_FEATURE_BITS.values())
    assert bits and len(set(bits)) == len(bits)
    assert all(b > 0 and b & (b - 1) == 0 for b in bits)
    assert set(_core.cpu_features()) <= set(_core.CPU_FEATURE_BITS)


def test_every_activation_has_its_twin_and_error_scale():
    assert list(reference.ACTIVATIONS) == list(_core.ACTIVATIONS)
    assert list(ACT_ERROR_SCALES) == list(_core.ACTIVATIONS)
    for forward, gradient in reference.ACTIVATIONS.values():
        assert callable(forward) and callable(gradient)


def test_activation_rows_are_well_formed():
    for name, row in _core.ACTIVATIONS.items():
        assert set(row) == {"code", "grad_needs", "init"}, name
        assert row["grad_needs"] in ("a", "z") and row["init"] in ("he", "glorot"), (name, row)
    assert HE_INIT_ACTIVATIONS == {n for n, r in _core.ACTIVATIONS.items() if r["init"] == "he"}


def test_aliases_resolve_to_activations_in_one_place():
    assert _core.ACTIVATION_ALIASES == {"logistic": "sigmoid", "linear": "identity"}
    z = np.linspace(-3, 3, 11)
    for alias, name in _core.ACTIVATION_ALIASES.items():
        assert alias not in _core.ACTIVATIONS and name in _core.ACTIVATIONS
        assert canonical_activation(alias) == name
        assert np.array_equal(ops.activation(z, alias), ops.activation(z, name))
        assert np.array_equal(reference.activation(z, alias), reference.activation(z, name))
    for value in ("relu", "bogus", None, 3):
        assert canonical_activation(value) == value


@pytest.mark.parametrize("name", _core.LOSSES)
def test_every_loss_has_its_twin(name):
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 1.0, -0.5]])
    target = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    got_value, got_grad = ops.loss(name, logits, target)
    want_value, want_grad = reference.loss(name, logits, target)
    assert got_value == pytest.approx(want_value, rel=1e-12)
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-12, atol=1e-15)


def test_every_optimizer_output_and_dropout_mode_is_accepted_by_the_model():
    X = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
    y = np.arange(16) % 2
    for mode in _core.DROPOUT_MODES:
        fastnn.MLP([3, 4, 2], dropout=0.1, dropout_mode=mode, random_state=0).fit(X, y, epochs=1)
    for optimizer in _core.OPTIMIZERS:
        fastnn.MLP([3, 4, 2], random_state=0).fit(X, y, epochs=1, optimizer=optimizer)
    for output in _core.OUTPUTS:
        fastnn.MLP([3, 4, 2], output=output, loss="mse", random_state=0)
