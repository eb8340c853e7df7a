"""fastnn: fast multi-layer perceptron training on the CPU."""
import importlib.util as _importlib_util

# A source checkout has no compiled core until it is built; say so plainly
# instead of the circular-import message Python would give.
if _importlib_util.find_spec(__name__ + "._core") is None:
    raise ImportError("fastnn is not built: run `pip install .` or `pip install -e .` "
                      "in the source tree (see README.md)")
from ._config import (__version__, config, get_num_threads, set_num_threads, show_config,
                      _apply_kernel_env, _apply_bf16_env, _register_fork_handler)
from . import ops, reference
from .model import MLP
from .linear import LogisticRegression, OrdinalRegression
from . import datasets, io
from .io import load, save
from .export import export
from . import _docs_model

_docs_model.attach()  # MLP's numpydoc texts (model.py is at the module size limit)

_apply_kernel_env()
_apply_bf16_env()
_register_fork_handler()

__all__ = ["__version__", "config", "get_num_threads", "set_num_threads", "show_config",
           "ops", "reference", "MLP", "LogisticRegression", "OrdinalRegression",
           "MLPClassifier", "MLPRegressor", "datasets", "io", "load", "save", "export"]


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
