"""Behaviours adopted from MLPClassifier/MLPRegressor, each checked side by side with theirs.

scikit-learn's own MLP test module runs against our estimators too (``tests/sklearn_mlp_suite.py``);
these tests pin the behaviours it found different, in our own terms.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit()


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, MLPClassifier])
def test_warm_start_with_other_classes_raises_mlps_error(Estimator):
    clf = _quiet(lambda: Estimator((5,), warm_start=True, max_iter=5, random_state=0)
                 .fit(X_IRIS, Y_IRIS))
    message = ("warm_start can only be used where `y` has the same classes as in the previous "
               "call to fit. Previously got [0 1 2], `y` has [0 1]")
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.fit(X_IRIS[:100], Y_IRIS[:100])  # a subset of the classes is refused too


def test_hand_set_weights_are_the_start_of_partial_fit():
    """Weights assigned before any fit: one SGD step from them is the course's update."""
    X, y = np.array([[0.6, 0.8, 0.7]]), np.array([1])
    W1, b1 = np.array([[0.1, 0.2], [0.3, 0.1], [0.5, 0.0]]), np.array([0.1, 0.1])
    W2, b2 = np.array([[0.1], [0.2]]), np.array([1.0])
    clf = DeepNetClassifier(2, activation="logistic", solver="sgd", momentum=0.0, alpha=0.1,
                            learning_rate_init=0.1, random_state=1)
    clf.coefs_ = [None, None]
    clf.coefs_[0], clf.coefs_[1] = W1, W2  # item by item, as MLPClassifier allows
    clf.intercepts_ = [b1, b2]
    clf.partial_fit(X, y, classes=[0, 1])
    # forward and backward by hand: sigmoid layers, cross-entropy, L2 on the weights
    A1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    dZ2 = 1 / (1 + np.exp(-(A1 @ W2 + b2))) - 1
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
    np.testing.assert_allclose(clf.coefs_[1], W2 - 0.1 * (A1.T @ dZ2 + 0.1 * W2))
    np.testing.assert_allclose(clf.coefs_[0], W1 - 0.1 * (X.T @ dZ1 + 0.1 * W1))
    np.testing.assert_allclose(clf.intercepts_[0], b1 - 0.1 * dZ1[0])
    np.testing.assert_allclose(clf.intercepts_[1], b2 - 0.1 * dZ2[0])


def test_hand_set_weights_start_a_warm_fit_and_are_dropped_by_a_cold_one():
    start = _quiet(lambda: DeepNetClassifier((6,), max_iter=5, random_state=0)
                   .fit(X_IRIS, Y_IRIS))
    coefs = [c.copy() for c in start.coefs_]
    intercepts = [b.copy() for b in start.intercepts_]
    warm = DeepNetClassifier((6,), solver="sgd", learning_rate_init=1e-300, max_iter=1,
                             warm_start=True, random_state=1)
    warm.coefs_, warm.intercepts_ = coefs, intercepts
    _quiet(lambda: warm.fit(X_IRIS, Y_IRIS))
    np.testing.assert_array_equal(warm.coefs_[0], coefs[0])  # the step was ~1e-300
    cold = DeepNetClassifier((6,), max_iter=1, random_state=1)
    cold.coefs_, cold.intercepts_ = coefs, intercepts
    _quiet(lambda: cold.fit(X_IRIS, Y_IRIS))
    assert not np.allclose(cold.coefs_[0], coefs[0])  # a new initialization, as MLPClassifier


def test_hand_set_weights_of_the_wrong_shape_are_a_clear_error():
    clf = DeepNetClassifier((6,), warm_start=True)
    clf.coefs_ = [np.zeros((4, 5)), np.zeros((5, 3))]
    clf.intercepts_ = [np.zeros(5), np.zeros(3)]
    with pytest.raises(ValueError, match=r"coefs_ was assigned arrays of shapes \[\(4, 5\), "
                                         r"\(5, 3\)\].*layers of shapes \[\(4, 6\), \(6, 3\)\]"):
        clf.fit(X_IRIS, Y_IRIS)
    half = DeepNetClassifier((6,), warm_start=True)
    half.coefs_ = [np.zeros((4, 6)), np.zeros((6, 3))]
    with pytest.raises(ValueError, match="Only one of coefs_ and intercepts_ was assigned"):
        half.fit(X_IRIS, Y_IRIS)


def test_log_proba_ranks_like_proba_when_probabilities_saturate():
    # scikit-learn's test_predict_proba_multilabel: several labels with probability 1.0
    X, Y = make_multilabel_classification(n_samples=50, random_state=0, return_indicator=True)
    clf = DeepNetClassifier(30, solver="lbfgs", random_state=0).fit(X, Y)
    proba, log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert (proba == 1.0).sum(axis=1).max() > 1, "the case needs saturated probabilities"
    np.testing.assert_array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    np.testing.assert_array_equal(log_proba[proba > 0], np.log(proba[proba > 0]))


def test_log_proba_stays_finite_where_the_probability_underflows():
    clf = _quiet(lambda: DeepNetClassifier((5,), max_iter=50, random_state=0)
                 .fit(X_IRIS, Y_IRIS))
    X_far = X_IRIS * 1e4  # logits of order 1e4: probabilities underflow to exactly 0
    proba, log_proba = clf.predict_proba(X_far), clf.predict_log_proba(X_far)
    assert (proba == 0).any()
    assert np.isfinite(log_proba).all()
    assert (log_proba[proba == 0] < np.log(np.finfo(np.float64).tiny)).all()


def test_grid_search_scores_a_diverging_learning_rate():
    """As with MLPClassifier, a diverging candidate is a scored model, not a failed fit."""
    search = GridSearchCV(
        DeepNetClassifier((10,), solver="sgd", max_iter=30, random_state=0),
        {"learning_rate_init": [0.01, 1e4]},
        cv=3,
        error_score="raise",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X_IRIS, Y_IRIS)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_ == {"learning_rate_init": 0.01}
    assert any("Training diverged" in str(w.message) and "learning_rate_init=10000.0"
               in str(w.message) for w in caught)


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, MLPClassifier])
def test_early_stopping_watches_accuracy_by_default(Estimator):
    clf = _quiet(lambda: Estimator(early_stopping=True, random_state=0).fit(X_IRIS, Y_IRIS))
    n_val = 15  # validation_fraction=0.1 of 150
    scores = np.array(clf.validation_scores_)
    np.testing.assert_allclose(scores * n_val, np.round(scores * n_val))  # accuracies
    assert clf.n_iter_ < 100  # stops on the accuracy plateau instead of running 200 epochs


def test_too_small_validation_set_is_mlps_error():
    # MLPRegressor's words since scikit-learn 1.7 (older ones fail inside the split)
    X, y = np.random.RandomState(0).normal(size=(2, 5)), np.array([0.5, 1.5])
    with pytest.raises(ValueError, match="^The validation set is too small"):
        DeepNetRegressor(early_stopping=True, random_state=0).fit(X, y)


def test_no_improvement_count_is_kept_when_training_stops():
    # as MLPClassifier: _no_improvement_count reads n_iter_no_change + 1 after stopping
    clf = _quiet(lambda: DeepNetClassifier((5,), solver="sgd", tol=0.01, n_iter_no_change=3,
                                           max_iter=3000, random_state=0).fit(X_IRIS, Y_IRIS))
    assert clf.n_iter_ < 3000
    assert clf._no_improvement_count == 4


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, MLPClassifier])
def test_validation_fraction_zero_is_valid_without_early_stopping(Estimator):
    clf = _quiet(lambda: Estimator((5,), validation_fraction=0.0, max_iter=5, random_state=0)
                 .fit(X_IRIS, Y_IRIS))
    assert clf.validation_scores_ is None
    with pytest.raises(ValueError, match="test_size=0.0 should be"):
        clf.set_params(early_stopping=True).fit(X_IRIS, Y_IRIS)
