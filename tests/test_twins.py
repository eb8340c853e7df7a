"""Every public kernel in fastnn.ops has its NumPy twin in fastnn.reference,
under the same name and with the same signature (parameter names, order,
kinds and defaults), so a test, a user or the fuzzer can swap one for the
other."""
import inspect

import pytest

from fastnn import ops, reference


def public_functions(module):
    return sorted(name for name, value in vars(module).items()
                  if not name.startswith("_") and inspect.isfunction(value)
                  and value.__module__ == module.__name__)


OPS = public_functions(ops)


def test_ops_has_public_kernels():
    assert {"matmul", "linear", "loss", "dropout", "adam_step"} <= set(OPS)


@pytest.mark.parametrize("name", OPS)
def test_every_op_has_a_twin_with_the_same_signature(name):
    twin = getattr(reference, name, None)
    assert callable(twin), "fastnn.reference has no twin of ops.%s" % name
    assert inspect.signature(twin) == inspect.signature(getattr(ops, name)), name
