"""fastnn: fast multi-layer perceptron training on the CPU."""
from ._config import (__version__, config, get_num_threads, set_num_threads, show_config,
                      _apply_kernel_env, _register_fork_handler)
from . import ops, reference
from .model import MLP
from .linear import LogisticRegression, OrdinalRegression
from . import datasets, io
from .io import load, save

_apply_kernel_env()
_register_fork_handler()

__all__ = ["__version__", "config", "get_num_threads", "set_num_threads", "show_config",
           "ops", "reference", "MLP", "LogisticRegression", "OrdinalRegression",
           "MLPClassifier", "MLPRegressor", "datasets", "io", "load", "save"]


def __getattr__(name):
    # The scikit-learn estimators import scikit-learn, an optional extra: only on use.
    if name in ("MLPClassifier", "MLPRegressor"):
        try:
            from . import sklearn as _sk
        except ImportError as exc:
            raise ImportError('fastnn.%s needs scikit-learn: pip install "fastnn[sklearn]"'
                              % name) from exc
        return getattr(_sk, name)
    raise AttributeError("module 'fastnn' has no attribute %r" % name)
