"""Tests of LossCurveDisplay (sklearn_deepnet._display), rendered with matplotlib's Agg backend."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD
from sklearn_deepnet._display import LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib", reason="LossCurveDisplay draws with matplotlib")
matplotlib.use("Agg", force=True)
plt = pytest.importorskip("matplotlib.pyplot", reason="LossCurveDisplay draws with matplotlib")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def data():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, random_state=0)
    return StandardScaler().fit_transform(X), y


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def test_loss_curve_only(data):
    X, y = data
    clf = _fit(DeepNetClassifier(hidden_layer_sizes=(8,), max_iter=15, random_state=0), X, y)
    display = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_array_equal(display.loss_line_.get_xdata(), np.arange(1, 16))
    np.testing.assert_allclose(display.loss_line_.get_ydata(), clf.loss_curve_)
    assert display.validation_score_line_ is None
    assert display.validation_ax_ is None
    assert display.validation_loss_line_ is None
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_ylabel() == "loss"
    assert display.ax_.get_title() == "DeepNetClassifier"
    assert display.figure_ is display.ax_.figure
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == ["training loss"]


def test_validation_curves(data):
    """A scorer's validation scores go on a second axis, the validation loss beside the loss."""
    X, y = data
    clf = DeepNetClassifier(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        scoring="accuracy",
        max_iter=20,
        random_state=0,
    )
    display = LossCurveDisplay.from_estimator(_fit(clf, X, y))
    np.testing.assert_allclose(display.loss_line_.get_ydata(), clf.loss_curve_)
    np.testing.assert_allclose(
        display.validation_loss_line_.get_ydata(), clf.validation_loss_curve_
    )
    np.testing.assert_allclose(display.validation_score_line_.get_ydata(), clf.validation_scores_)
    np.testing.assert_array_equal(
        display.validation_score_line_.get_xdata(), np.arange(1, len(clf.validation_scores_) + 1)
    )
    assert display.validation_ax_ is not display.ax_
    assert display.validation_ax_.get_ylabel() == "accuracy"
    labels = [t.get_text() for t in display.validation_ax_.get_legend().get_texts()]
    assert labels == ["training loss", "validation loss", "validation accuracy"]


def test_validation_loss_only_when_scoring_is_the_loss(data):
    """With scoring='loss' the scores are the negated validation loss: drawn once, as a loss."""
    X, y = data
    clf = DeepNetClassifier(
        hidden_layer_sizes=(8,), early_stopping=True, scoring="loss", max_iter=20, random_state=0
    )
    display = LossCurveDisplay.from_estimator(_fit(clf, X, y))
    np.testing.assert_allclose(
        display.validation_loss_line_.get_ydata(), clf.validation_loss_curve_
    )
    assert display.validation_score_line_ is None


def test_mlpclassifier_validation_accuracy(data):
    X, y = data
    mlp = MLPClassifier(hidden_layer_sizes=(5,), early_stopping=True, max_iter=10, random_state=0)
    display = LossCurveDisplay.from_estimator(_fit(mlp, X, y))
    np.testing.assert_allclose(display.validation_score_line_.get_ydata(), mlp.validation_scores_)
    assert display.validation_ax_.get_ylabel() == "accuracy"
    assert display.validation_loss_line_ is None


def test_plot_on_given_axes_and_from_recorded_curves():
    fig, (left, right) = plt.subplots(1, 2)
    display = LossCurveDisplay(
        loss_curve=[1.0, 0.5, 0.25],
        validation_loss_curve=[1.1, 0.7, 0.6],
        validation_scores=[0.5, 0.7, 0.8],
        estimator_name="net",
        score_name="f1",
    ).plot(ax=right, name="my net", loss_kwargs={"color": "k"})
    assert display.ax_ is right
    assert display.figure_ is fig
    assert display.ax_.get_title() == "my net"
    assert display.loss_line_.get_color() == "k"
    np.testing.assert_allclose(display.validation_loss_line_.get_ydata(), [1.1, 0.7, 0.6])
    np.testing.assert_allclose(display.validation_score_line_.get_ydata(), [0.5, 0.7, 0.8])
    assert display.validation_ax_.get_ylabel() == "f1"
    labels = [t.get_text() for t in display.validation_ax_.get_legend().get_texts()]
    assert labels == ["training loss", "validation loss", "validation f1"]
    assert not left.lines


def test_pipeline_logistic_and_mlpclassifier(data):
    """Any estimator with loss_curve_ works, and a Pipeline's final step is plotted."""
    X, y = data
    pipe = _fit(make_pipeline(StandardScaler(), LogisticRegressionGD(max_iter=30)), X, y)
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_allclose(display.loss_line_.get_ydata(), pipe[-1].loss_curve_)
    assert display.ax_.get_title() == "LogisticRegressionGD"
    mlp = _fit(MLPClassifier(hidden_layer_sizes=(5,), max_iter=10, random_state=0), X, y)
    display = LossCurveDisplay.from_estimator(mlp, name="sklearn")
    np.testing.assert_allclose(display.loss_line_.get_ydata(), mlp.loss_curve_)
    assert display.ax_.get_title() == "sklearn"


def test_regressors_validation_r2(data):
    X, y = data
    target = X @ np.arange(X.shape[1])
    reg = DeepNetRegressor(
        hidden_layer_sizes=(8,), early_stopping=True, scoring="r2", max_iter=15, random_state=0
    )
    display = LossCurveDisplay.from_estimator(_fit(reg, X, target))
    np.testing.assert_allclose(display.validation_score_line_.get_ydata(), reg.validation_scores_)
    assert display.validation_ax_.get_ylabel() == "r2"
    mlp = MLPRegressor(hidden_layer_sizes=(5,), early_stopping=True, max_iter=10, random_state=0)
    display = LossCurveDisplay.from_estimator(_fit(mlp, X, target))
    assert display.validation_ax_.get_ylabel() == "r2"


def test_errors(data):
    X, y = data
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(DeepNetClassifier())
    with pytest.raises(ValueError, match="records no loss_curve_"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match="loss_curve is empty"):
        LossCurveDisplay(loss_curve=[]).plot()
    with pytest.raises(ValueError, match="1-D sequence"):
        LossCurveDisplay(loss_curve=[[1.0, 2.0]]).plot()


def test_missing_matplotlib_is_explained(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"sklearn_deepnet\[plot\]"):
        LossCurveDisplay(loss_curve=[1.0]).plot()
