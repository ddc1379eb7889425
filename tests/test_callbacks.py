"""Tests of scikit-learn's experimental callback API on our estimators (_sklearn_internals).

Run where :mod:`sklearn.callback` exists (scikit-learn >= 1.9); the fallback for older versions
is tested by loading ``_sklearn_internals.py`` with that module hidden.
"""

import importlib.util
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_deepnet._sklearn_internals as callbacks_module
from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD
from sklearn_deepnet.nn import SOLVERS as REGISTERED_SOLVERS

sklearn_callback = pytest.importorskip(
    "sklearn.callback", reason="scikit-learn < 1.9 has no sklearn.callback module"
)

SOLVERS = list(REGISTERED_SOLVERS)


class Recorder:
    """A callback that records every hook call with what it received."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.calls = []

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name, None))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        self.calls.append(("begin", context.task_name, None))

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, metadata=None, fitted_estimator=None
    ):
        proba = None
        if context.task_name == "epoch" and fitted_estimator is not None:
            predict = getattr(fitted_estimator, "predict_proba", None) or fitted_estimator.predict
            proba = predict(X)
        self.calls.append(("end", context.task_name, (X, y, metadata, proba)))
        n_done = sum(1 for name, task, _ in self.calls if (name, task) == ("end", "epoch"))
        return context.task_name == "epoch" and n_done == self.stop_after

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name, None))

    def names(self):
        return [(name, task) for name, task, _ in self.calls]

    def epoch_ends(self):
        return [info for name, task, info in self.calls if (name, task) == ("end", "epoch")]


class PropagatedRecorder(Recorder):
    """The same, auto-propagated from a meta-estimator to the estimators it fits."""

    max_propagation_depth = None


@pytest.fixture
def data():
    X, y = make_classification(n_samples=80, n_features=5, n_informative=3, random_state=0)
    return StandardScaler().fit_transform(X), y


def _quiet_fit(estimator, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **params)


@pytest.mark.parametrize("solver", SOLVERS)
def test_one_task_per_epoch(data, solver):
    """setup, root begin, begin/end per epoch, root end, teardown - in that order."""
    X, y = data
    recorder = Recorder()
    clf = DeepNetClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=6, random_state=0)
    assert clf.set_callbacks(recorder) is clf
    _quiet_fit(clf, X, y)
    names = recorder.names()
    assert names[:2] == [("setup", "fit"), ("begin", "fit")]
    assert names[-2:] == [("end", "fit"), ("teardown", "fit")]
    epochs = names[2:-2]
    assert epochs.count(("end", "epoch")) == clf.n_iter_ == len(clf.loss_curve_)
    if solver != "lbfgs":  # lbfgs reports an iteration once it is over: begin and end in a row
        assert epochs == [("begin", "epoch"), ("end", "epoch")] * clf.n_iter_
    assert not hasattr(clf, "_callback_fit_ctx")  # torn down


def test_hooks_receive_data_and_an_epoch_snapshot(data):
    """on_fit_task_end gets X, y, sample_weight and a copy of the model of that epoch."""
    X, y = data
    weights = np.linspace(0.5, 1.5, len(y))
    recorder = Recorder()
    clf = DeepNetClassifier(hidden_layer_sizes=(4,), solver="adam", max_iter=5, random_state=0)
    _quiet_fit(clf.set_callbacks(recorder), X, y, sample_weight=weights)
    ends = recorder.epoch_ends()
    assert len(ends) == 5
    for X_seen, y_seen, metadata, _ in ends:
        assert X_seen is X and y_seen is y
        np.testing.assert_allclose(metadata["sample_weight"], weights)
    probas = [proba for *_, proba in ends]
    assert not np.allclose(probas[0], probas[-1])  # each snapshot keeps its epoch's weights
    np.testing.assert_allclose(probas[-1], clf.predict_proba(X))


@pytest.mark.parametrize("solver", SOLVERS)
def test_callback_stops_training(data, solver):
    """A callback returning True after epoch 3 ends the fit there, without ConvergenceWarning."""
    X, y = data
    clf = DeepNetClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=50, random_state=0)
    clf.set_callbacks(Recorder(stop_after=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == 3
    assert len(clf.loss_curve_) == 3
    assert clf.predict(X).shape == y.shape  # fitted, usable


def test_partial_fit_is_one_epoch_task(data):
    X, y = data
    recorder = Recorder()
    clf = DeepNetClassifier(hidden_layer_sizes=(4,), random_state=0).set_callbacks(recorder)
    clf.partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    assert recorder.names().count(("begin", "partial_fit")) == 2
    assert recorder.names().count(("end", "epoch")) == 2


def test_logistic_regression_gd_supports_callbacks(data):
    X, y = data
    recorder = Recorder()
    _quiet_fit(LogisticRegressionGD(max_iter=4).set_callbacks(recorder), X, y)
    assert recorder.names().count(("end", "epoch")) >= 1


def test_regressor_supports_callbacks(data):
    X, y = data
    recorder = Recorder(stop_after=2)
    reg = DeepNetRegressor(hidden_layer_sizes=(4,), max_iter=10, random_state=0)
    reg.set_callbacks(recorder).fit(X, X @ np.arange(X.shape[1]))
    assert reg.n_iter_ == 2
    assert recorder.names().count(("end", "epoch")) == 2


def test_no_callbacks_leaves_no_trace(data):
    X, y = data
    clf = _quiet_fit(DeepNetClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0), X, y)
    assert "_skl_callbacks" not in vars(clf)
    assert not hasattr(clf, "_callback_fit_ctx")


def test_set_callbacks_rejects_non_callbacks():
    with pytest.raises(TypeError, match="FitCallback protocol"):
        DeepNetClassifier().set_callbacks(object())


def test_scoring_monitor_logs_one_score_per_epoch(data):
    X, y = data
    monitor = sklearn_callback.ScoringMonitor(scoring="accuracy")
    clf = DeepNetClassifier(hidden_layer_sizes=(8,), solver="adam", max_iter=7, random_state=0)
    _quiet_fit(clf.set_callbacks(monitor), X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(rows) == clf.n_iter_ == 7
    assert [row["task_id"] for row in rows] == list(range(7))
    assert rows[-1]["accuracy"] == pytest.approx(clf.score(X, y))


def test_grid_search_nests_epochs_under_each_candidate(data):
    """An auto-propagated callback on GridSearchCV sees each fit's epochs below its task."""
    X, y = data
    recorder = PropagatedRecorder()
    search = GridSearchCV(
        make_pipeline(
            StandardScaler(),
            DeepNetClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0),
        ),
        {"deepnetclassifier__learning_rate_init": [1e-3, 1e-2]},
        cv=2,
    )
    search.set_callbacks(recorder)
    _quiet_fit(search, X, y)
    # 2 candidates x 2 folds + the refit, 3 epochs each
    assert recorder.names().count(("end", "epoch")) == 5 * 3
    assert recorder.names().count(("setup", "fit")) == 1  # set up once, on the outer estimator


def test_progress_bar_under_grid_search(data, capsys):
    pytest.importorskip("rich", reason="ProgressBar draws with rich")
    X, y = data
    search = GridSearchCV(
        DeepNetClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0),
        {"learning_rate_init": [1e-3, 1e-2]},
        cv=2,
    )
    search.set_callbacks(sklearn_callback.ProgressBar(max_propagation_depth=None))
    _quiet_fit(search, X, y)
    out = capsys.readouterr().out
    assert "GridSearchCV - fit" in out
    assert "DeepNetClassifier - fit" in out


def _load_without_sklearn_callback(monkeypatch):
    """Import a private copy of _sklearn_internals.py as if scikit-learn had no sklearn.callback."""
    monkeypatch.setitem(sys.modules, "sklearn.callback", None)  # import now raises ImportError
    spec = importlib.util.spec_from_file_location(
        "_callbacks_without_api", callbacks_module.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fallback_without_callback_api(monkeypatch, data):
    fallback = _load_without_sklearn_callback(monkeypatch)
    assert not fallback.CALLBACKS_AVAILABLE

    class Estimator(fallback.CallbackSupportMixin):
        pass

    estimator = Estimator()
    assert not hasattr(estimator, "set_callbacks")
    with pytest.raises(AttributeError, match="set_callbacks") as excinfo:
        estimator.set_callbacks()
    assert "needs scikit-learn >= 1.9" in str(excinfo.value.__cause__)
    X, y = data
    callbacks = fallback.begin_fit(estimator, X, y, max_epochs=3)
    callbacks.epoch_begin()
    assert callbacks.epoch_end() is False
    callbacks.end()
