"""Training behaviour: solvers, schedules, stopping, divergence, initialization."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD
from sklearn_deepnet.nn import OUTPUTS, Objective

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


@pytest.mark.parametrize(
    "solver, params",
    [
        ("adam", {"learning_rate_init": 0.01}),
        ("sgd", {"learning_rate_init": 0.1}),
        ("gd", {"learning_rate_init": 0.5}),
        ("agd", {}),
        ("lbfgs", {}),
    ],
)
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "leaky_relu", "identity"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_every_solver_learns_iris(solver, params, activation):
    clf = DeepNetClassifier(
        (10,), activation=activation, solver=solver, max_iter=300, random_state=0, **params
    )
    clf.fit(X_IRIS, Y_IRIS)
    assert clf.score(X_IRIS, Y_IRIS) > 0.93
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_max_iter_reached_warns():
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        DeepNetClassifier((5,), max_iter=3, random_state=0).fit(X_IRIS, Y_IRIS)


def test_diverging_learning_rate_warns_and_restores_finite_weights():
    # as MLPClassifier, a diverging fit returns a model (a grid search scores it); ours stops
    # at once, restores finite weights and says which step was too large
    clf = DeepNetClassifier((20,), solver="sgd", learning_rate_init=1e8, momentum=0.0,
                            random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged.*learning_rate_init=100000000.0"):
        clf.fit(X_IRIS * 100, Y_IRIS)
    assert all(np.isfinite(c).all() for c in clf.coefs_)
    proba = clf.predict_proba(X_IRIS)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_invscaling_follows_its_formula_for_every_step_solver():
    for solver in ("gd", "sgd", "adam"):
        clf = DeepNetClassifier((5,), solver=solver, learning_rate="invscaling", power_t=0.5,
                                learning_rate_init=0.1, max_iter=4, random_state=0)
        with pytest.warns(ConvergenceWarning):
            clf.fit(X_IRIS, Y_IRIS)
        assert clf.t_ == 4 * len(X_IRIS)
        # as MLPClassifier: set after each epoch from the samples seen so far
        assert clf._optimizer.learning_rate == pytest.approx(0.1 / (clf.t_ + 1) ** 0.5)


def test_a_warm_started_fit_restarts_the_schedule_as_mlpclassifier():
    X, y = [[3, 2], [1, 6], [5, 6], [-2, -4]], [1, 1, 1, 0]
    ours, theirs = (
        Estimator(hidden_layer_sizes=4, solver="sgd", learning_rate="invscaling", power_t=0.25,
                  max_iter=1, warm_start=True, random_state=0)
        for Estimator in (DeepNetClassifier, MLPClassifier)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for clf in (ours, theirs):
            clf.fit(X, y)
            clf.fit(X, y)  # a new optimizer: one epoch at learning_rate_init, then t_ = 8
    assert ours._optimizer.learning_rate == theirs._optimizer.learning_rate == 0.001 / 9**0.25


def test_adaptive_divides_the_learning_rate_by_five():
    # tol so large that no epoch counts as an improvement: after n_iter_no_change + 1 epochs
    # the rate drops by 5, again and again.
    clf = DeepNetClassifier((5,), solver="adam", learning_rate="adaptive", tol=1e3,
                            n_iter_no_change=2, learning_rate_init=0.01, max_iter=9,
                            random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_IRIS, Y_IRIS)
    assert clf._optimizer.learning_rate == pytest.approx(0.01 / 25)


def test_adam_honours_the_schedule():
    fits = [
        DeepNetClassifier((5,), learning_rate=schedule, max_iter=5, random_state=0)
        for schedule in ("constant", "invscaling")
    ]
    with pytest.warns(ConvergenceWarning):
        for clf in fits:
            clf.fit(X_IRIS, Y_IRIS)
    assert not np.allclose(fits[0].coefs_[0], fits[1].coefs_[0])


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 10))
    y = (X[:, 0] + rng.normal(scale=1.5, size=300) > 0).astype(int)  # noisy: overfits
    clf = DeepNetClassifier((100,), early_stopping=True, learning_rate_init=0.02,
                            n_iter_no_change=5, max_iter=200, random_state=0).fit(X, y)
    scores = clf.validation_scores_
    assert len(scores) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(scores)
    assert clf.best_loss_ is None
    np.testing.assert_array_equal(clf._network.params, clf._best_params)


def _initial_network(X=X_IRIS, **params):
    """The network a fit starts from: one epoch with a vanishing step leaves it unchanged."""
    clf = DeepNetClassifier(solver="gd", learning_rate_init=1e-300, max_iter=1, random_state=0,
                            **params)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, Y_IRIS)
    return clf


def test_gd_is_the_course_update():
    """One epoch of 'gd' is exactly params -= lr * grad of the full-batch objective."""
    clf = DeepNetClassifier((4,), solver="gd", learning_rate_init=0.3, max_iter=1,
                            random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_IRIS, Y_IRIS)
    start = _initial_network(hidden_layer_sizes=(4,))
    Y = clf._label_binarizer.transform(Y_IRIS).astype(float)
    _, grad = Objective(start._network, clf.alpha).loss_and_gradient(X_IRIS, Y)
    np.testing.assert_allclose(clf._network.params, start._network.params - 0.3 * grad)


@pytest.mark.parametrize("init", ["he", "glorot", "normal"])
def test_init_options(init):
    clf = DeepNetClassifier((50,), init=init, max_iter=1, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_IRIS, Y_IRIS)
    assert np.unique(clf.coefs_[0]).size == clf.coefs_[0].size


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_auto_init_starts_where_mlpclassifier_starts(activation, dtype):
    """init='auto' draws MLPClassifier's weights and biases: the very same numbers."""
    X = X_IRIS.astype(dtype)
    ours = _initial_network(X, hidden_layer_sizes=(7, 5), activation=activation)
    theirs = MLPClassifier((7, 5), activation=activation, solver="sgd", momentum=0.0,
                           learning_rate_init=1e-300, max_iter=1, random_state=0)
    with pytest.warns(ConvergenceWarning):
        theirs.fit(X, Y_IRIS)
    for mine, sklearns in zip(ours.coefs_ + ours.intercepts_,
                              theirs.coefs_ + theirs.intercepts_, strict=True):
        assert mine.dtype == sklearns.dtype == dtype
        np.testing.assert_array_equal(mine, sklearns)


def test_warm_start_continues_from_the_previous_weights():
    clf = DeepNetClassifier((10,), solver="lbfgs", warm_start=True, random_state=0)
    clf.fit(X_IRIS, Y_IRIS)
    first = clf.loss_
    first_iterations = clf.n_iter_
    clf.fit(X_IRIS, Y_IRIS)  # starts at the optimum: almost nothing left to do
    assert clf.loss_ <= first
    assert clf.n_iter_ < first_iterations / 4


def test_verbose_prints_one_line_per_epoch(capsys):
    clf = DeepNetClassifier((5,), verbose=True, max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_IRIS, Y_IRIS)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Iteration 1, loss = ")


def test_logistic_regression_gd_is_a_network_without_hidden_layers():
    lr = LogisticRegressionGD().fit(X_IRIS, Y_IRIS)
    assert lr.n_layers_ == 2 and len(lr.coefs_) == 1
    assert lr.coef_.shape == (3, 4) and lr.intercept_.shape == (3,)
    assert "hidden_layer_sizes" not in lr.get_params()
    np.testing.assert_allclose(lr.decision_function(X_IRIS), X_IRIS @ lr.coef_.T + lr.intercept_)


def test_invalid_hidden_layer_sizes_are_rejected_clearly():
    for sizes in [(0,), (5, -1), (2.5,), (True,)]:
        with pytest.raises(ValueError, match="hidden_layer_sizes"):
            DeepNetClassifier(sizes).fit(X_IRIS, Y_IRIS)


def test_assigning_one_layer_writes_into_the_model():
    clf = DeepNetClassifier((5,), solver="lbfgs", random_state=0).fit(X_IRIS, Y_IRIS)
    zeros = np.zeros_like(clf.coefs_[1])
    clf.coefs_[1] = zeros  # the output no longer depends on X ...
    clf.intercepts_[1] = np.array([5.0, 0.0, 0.0])  # ... and favours class 0
    first = clf.coefs_[0].size
    assert not clf._network.params[first : first + zeros.size].any()  # the flat buffer changed
    np.testing.assert_array_equal(clf.predict(X_IRIS), np.zeros(len(X_IRIS)))
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X_IRIS), clf.predict_proba(X_IRIS))
    with pytest.raises(ValueError, match="shape"):
        clf.coefs_[0] = np.zeros((2, 2))


def test_changing_the_activation_after_fit_is_used():
    clf = DeepNetClassifier((8,), activation="relu", solver="lbfgs", random_state=0)
    before = clf.fit(X_IRIS, Y_IRIS).predict_proba(X_IRIS)
    after = clf.set_params(activation="tanh").predict_proba(X_IRIS)
    W1, W2 = clf.coefs_
    b1, b2 = clf.intercepts_
    expected = OUTPUTS["softmax"]().proba(np.tanh(X_IRIS @ W1 + b1) @ W2 + b2)
    np.testing.assert_allclose(after, expected)
    assert not np.allclose(before, after)


def test_multilabel_partial_fit():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    Y = (X[:, :3] > 0).astype(int)
    clf = DeepNetClassifier((10,), learning_rate_init=0.05, random_state=0)
    for _ in range(30):
        clf.partial_fit(X, Y, classes=[0, 1, 2])
    assert clf.predict(X).shape == Y.shape
    assert (clf.predict(X) == Y).mean() > 0.9


def test_early_stopping_with_a_multiclass_singleton_splits_randomly():
    # MLPClassifier splits multiclass targets at random; ours stratifies when it can, and
    # otherwise splits at random too, silently
    y = Y_IRIS.copy()
    y[0] = 7
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        DeepNetClassifier((5,), early_stopping=True, max_iter=5, random_state=0).fit(X_IRIS, y)


def test_early_stopping_is_ignored_with_a_warning_by_lbfgs():
    clf = DeepNetClassifier((5,), solver="lbfgs", early_stopping=True, random_state=0)
    with pytest.warns(UserWarning, match="ignored by solver='lbfgs'"):
        clf.fit(X_IRIS, Y_IRIS)
    assert clf.validation_scores_ is None and clf.score(X_IRIS, Y_IRIS) > 0.9
