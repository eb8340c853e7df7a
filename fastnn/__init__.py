"""fastnn: fast multi-layer perceptron training on the CPU."""
from ._config import (__version__, config, get_num_threads, set_num_threads, show_config,
                      _apply_kernel_env)
from . import ops, reference
from .model import MLP
from .sklearn import MLPClassifier, MLPRegressor

_apply_kernel_env()

__all__ = ["__version__", "config", "get_num_threads", "set_num_threads", "show_config",
           "ops", "reference", "MLP",
           "MLPClassifier", "MLPRegressor"]
