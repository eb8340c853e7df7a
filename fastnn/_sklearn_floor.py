"""Importing this raises a clear ImportError when scikit-learn is too old for
fastnn's estimators (validate_data and __sklearn_tags__ appeared in 1.6),
instead of "cannot import name 'validate_data'" from deep in an import."""
import re

import sklearn

SKLEARN_MIN = (1, 6)


def _major_minor(version):
    found = re.match(r"(\d+)\.(\d+)", version)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


if _major_minor(sklearn.__version__) < SKLEARN_MIN:
    raise ImportError('fastnn.MLPClassifier and fastnn.MLPRegressor need scikit-learn >= %d.%d; '
                      'this environment has scikit-learn %s: pip install "scikit-learn>=%d.%d"'
                      % (SKLEARN_MIN + (sklearn.__version__,) + SKLEARN_MIN))
