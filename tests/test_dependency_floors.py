"""The declared dependency floors and what a user with an older scikit-learn
is told.  (The floors themselves were checked by installing them and running
the suite; see docs/reliability.md.)"""
import os
import re
import sys

import pytest

import fastnn

PYPROJECT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "pyproject.toml")


@pytest.fixture
def fresh_estimators_module(monkeypatch):
    """fastnn.sklearn imported anew on next use, and put back afterwards."""
    pytest.importorskip("sklearn")
    for name in ("fastnn.sklearn", "fastnn._sklearn_floor"):
        monkeypatch.delitem(sys.modules, name, raising=False)
        # `from . import sklearn` returns the package attribute if it is set
        monkeypatch.delattr(fastnn, name.split(".")[1], raising=False)


@pytest.mark.parametrize("old", ["1.5.2", "1.3.0", "0.24.2"])
def test_an_old_scikit_learn_is_named_with_the_version_needed(fresh_estimators_module,
                                                              monkeypatch, old):
    import sklearn
    monkeypatch.setattr(sklearn, "__version__", old)
    with pytest.raises(ImportError, match=r"scikit-learn >= 1\.6.*has scikit-learn %s"
                       % re.escape(old)):
        fastnn.MLPClassifier
    with pytest.raises(ImportError, match=r"scikit-learn >= 1\.6"):
        fastnn.MLPRegressor


@pytest.mark.parametrize("new", ["1.6.0", "1.6.dev0", "1.10.1", "2.0rc1"])
def test_scikit_learn_1_6_and_later_are_accepted(fresh_estimators_module, monkeypatch, new):
    import sklearn
    monkeypatch.setattr(sklearn, "__version__", new)
    assert fastnn.MLPClassifier.__name__ == "MLPClassifier"


def test_a_missing_scikit_learn_is_named(fresh_estimators_module, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn -> ModuleNotFoundError
    with pytest.raises(ImportError, match=r'needs scikit-learn: pip install "fastnn\[sklearn\]"'):
        fastnn.MLPClassifier


@pytest.mark.skipif(not os.path.exists(PYPROJECT), reason="no pyproject.toml beside tests/")
def test_pyproject_declares_the_floor_the_code_checks():
    pytest.importorskip("sklearn")
    from fastnn._sklearn_floor import SKLEARN_MIN
    text = open(PYPROJECT).read()
    floors = set(re.findall(r'"scikit-learn>=([0-9.]+)"', text))
    assert floors == {"%d.%d" % SKLEARN_MIN}, floors
