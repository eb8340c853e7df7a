"""scikit-learn's callbacks (sklearn.callback, scikit-learn >= 1.9) in
fastnn.MLPClassifier / MLPRegressor: a task per epoch or lbfgs iteration,
ScoringMonitor, ProgressBar, stop requests, nesting in Pipeline and
GridSearchCV, teardown before rollback, and the error on older scikit-learn."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastnn import MLPClassifier, MLPRegressor
from fastnn import _sklearn_callbacks

callback = pytest.importorskip("sklearn.callback")


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


class Recorder:
    """Records every hook; optionally asks to stop at the end of task `stop_at`."""

    def __init__(self, stop_at=None, fail_teardown=False):
        self.events, self.stop_at, self.fail_teardown = [], stop_at, fail_teardown
        self.weights = []

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def teardown(self, estimator, context):
        self.events.append(("teardown", estimator.__dict__.get("n_iter_")))

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name, context.task_id))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.events.append(("end", context.task_name, context.task_id))
        if fitted_estimator is not None and context.parent is not None:
            self.weights.append(fitted_estimator.coefs_[0].copy())
        return context.parent is not None and context.task_id == self.stop_at

    def tasks(self, name):
        return [e[2] for e in self.events if e[0] == "end" and e[1] == name]


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_scoring_monitor_one_score_per_epoch(cls):
    X, y = _data()
    if cls is MLPRegressor:
        y = X[:, 0] - 2 * X[:, 3]
    name = "accuracy" if cls is MLPClassifier else "r2"  # what est.score computes
    monitor = callback.ScoringMonitor(scoring=name)
    est = cls(hidden_layer_sizes=(8,), max_iter=6, random_state=0, learning_rate_init=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_callbacks(monitor).fit(X, y)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert [r["task_id"] for r in rows] == list(range(6))
    assert est.n_iter_ == 6
    # the scores are est.score after each epoch: replay with max_iter = epoch + 1
    for epoch in (0, 3, 5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ref = cls(hidden_layer_sizes=(8,), max_iter=epoch + 1, random_state=0,
                      learning_rate_init=0.01).fit(X, y)
        assert rows[epoch][name] == ref.score(X, y)
    root = [r for r in monitor.get_logs().data if r["task_name"] == "fit"]
    assert root[0][name] == est.score(X, y)


def test_callbacks_leave_training_bit_identical():
    X, y = _data()
    plain = MLPClassifier((8,), max_iter=5, random_state=0, batch_size=32)
    watched = MLPClassifier((8,), max_iter=5, random_state=0, batch_size=32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, y)
        watched.set_callbacks(callback.ScoringMonitor(scoring="accuracy"), Recorder()).fit(X, y)
    for a, b in zip(plain.coefs_ + plain.intercepts_, watched.coefs_ + watched.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert plain.loss_curve_ == watched.loss_curve_


def test_fitted_estimator_is_a_snapshot_without_session():
    X, y = _data()
    rec = Recorder()
    est = MLPClassifier((8,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_callbacks(rec).fit(X, y)
    assert len(rec.weights) == 3
    assert not np.array_equal(rec.weights[0], rec.weights[2])  # not the live buffer
    np.testing.assert_array_equal(rec.weights[2], est.coefs_[0])
    assert not {"_callback_fit_ctx", "_skl_callbacks_to_teardown"} & set(est.__dict__)


def test_progress_bar_runs():
    pytest.importorskip("rich")
    X, y = _data()
    est = MLPClassifier((8,), max_iter=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_callbacks(callback.ProgressBar()).fit(X, y)
        est.set_callbacks(callback.ProgressBar()).partial_fit(X, y)
        MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=4).set_callbacks(
            callback.ProgressBar()).fit(X, X[:, 0])
    assert est.n_iter_ == 1


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_stop_request_stops_without_convergence_warning(solver):
    X, y = _data()
    rec = Recorder(stop_at=2)
    est = MLPClassifier((8,), solver=solver, max_iter=50, random_state=0,
                        n_iter_no_change=100)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.set_callbacks(rec).fit(X, y)
    assert est.n_iter_ == 3
    name = "lbfgs-iter" if solver == "lbfgs" else "epoch"
    assert rec.tasks(name) == [0, 1, 2]
    if solver != "lbfgs":
        assert len(est.loss_curve_) == 3


def test_lbfgs_reports_each_iteration():
    X, y = _data()
    rec = Recorder()
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est = MLPClassifier((8,), solver="lbfgs", max_iter=7, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_callbacks(rec, monitor).fit(X, y)
    assert est.n_iter_ == 7
    # one task per iteration, plus the empty one begun after the last (as LogisticRegression)
    assert rec.tasks("lbfgs-iter") == list(range(8))
    scored = [r for r in monitor.get_logs().data if r["task_name"] == "lbfgs-iter"]
    assert len(scored) == 7
    assert scored[-1]["accuracy"] == est.score(X, y)


def test_pipeline_and_grid_search_nest():
    X, y = _data()
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est = MLPClassifier((8,), max_iter=3, random_state=0).set_callbacks(monitor)
    pipe = make_pipeline(StandardScaler(), est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert len(rows) == 3 and all(len(r["task_id_path"]) == 3 for r in rows)  # pipe/step/epoch

    bar_free = Recorder()
    search = GridSearchCV(MLPClassifier((8,), max_iter=2, random_state=0),
                          {"alpha": [1e-4, 1e-2]}, cv=2)
    search.set_callbacks(callback.ProgressBar() if _has_rich() else bar_free)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert search.best_estimator_.n_iter_ == 2
    assert "_skl_callbacks" not in search.best_estimator_.__dict__  # propagated, then removed


def test_grid_search_scores_every_candidate_epoch():
    X, y = _data()
    monitor = callback.ScoringMonitor(scoring="accuracy")
    search = GridSearchCV(MLPClassifier((8,), max_iter=2, random_state=0).set_callbacks(monitor),
                          {"alpha": [1e-4, 1e-2]}, cv=2, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    logs = monitor.get_logs(select="all")
    epochs = [r for log in logs for r in log.data if r["task_name"] == "epoch"]
    assert len(epochs) == (2 * 2 + 1) * 2  # 2 candidates x 2 folds + refit, 2 epochs each


class Failing(Recorder):
    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        super().on_fit_task_end(estimator, context)
        if context.task_id == 1 and context.parent is not None:
            raise RuntimeError("boom")


def test_teardown_runs_before_rollback():
    X, y = _data()
    rec = Failing()
    est = MLPClassifier((8,), max_iter=5, random_state=0).set_callbacks(rec)
    with pytest.raises(RuntimeError, match="boom"):
        est.fit(X, y)
    assert rec.events[0] == ("setup", "fit")
    assert rec.events[-1] == ("teardown", 2)  # saw epoch 2's estimator, before the rollback
    assert "n_iter_" not in est.__dict__  # then the rollback: as before the fit
    assert "_callback_fit_ctx" not in est.__dict__ and est._skl_callbacks == [rec]


def test_old_scikit_learn_error(monkeypatch):
    monkeypatch.setattr(_sklearn_callbacks, "callbacks_available", lambda: False)
    est = MLPClassifier((4,), max_iter=2)
    with pytest.raises(ImportError, match="scikit-learn >= 1.9"):
        est.set_callbacks(Recorder())
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert est.fit(X, y).n_iter_ == 2  # everything else works


def test_set_callbacks_rejects_non_callbacks():
    with pytest.raises(TypeError, match="FitCallback"):
        MLPRegressor().set_callbacks(object())


def _has_rich():
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True
