"""fastnn.MLPClassifier / MLPRegressor as scikit-learn estimators: the
estimator checks, model selection, errors, atomic failures, pickling."""
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, LeaveOneOut, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastnn import MLPClassifier, MLPRegressor


def _checked():
    # max_iter as scikit-learn's own test instances (instance_generator.py)
    return [MLPClassifier(max_iter=100, hidden_layer_sizes=(10,)),
            MLPRegressor(max_iter=100)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(_checked())
def test_estimator_checks(estimator, check):
    check(estimator)
