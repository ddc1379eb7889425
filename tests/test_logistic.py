"""LogisticRegressionGD reaches the optimum of scikit-learn's LogisticRegression(C=1/alpha)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import LogisticRegressionGD

ALPHAS = [1.0, 0.1]


def _scaled(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def datasets():
    return {"breast_cancer": _scaled(load_breast_cancer), "digits": _scaled(load_digits)}


_REFERENCE_CACHE = {}


def _reference(datasets, name, alpha, sample_weight=None):
    key = (name, alpha, sample_weight is not None)
    if key not in _REFERENCE_CACHE:
        X, y = datasets[name]
        ref = LogisticRegression(C=1.0 / alpha, tol=1e-10, max_iter=10000)
        ref.fit(X, y, sample_weight=sample_weight)
        _REFERENCE_CACHE[key] = ref
    return _REFERENCE_CACHE[key]


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
@pytest.mark.parametrize("solver", ["agd", "lbfgs"])
def test_matches_sklearn_logistic_regression(solver, name, alpha, datasets):
    X, y = datasets[name]
    ref = _reference(datasets, name, alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = LogisticRegressionGD(solver=solver, alpha=alpha, tol=1e-8, max_iter=5000).fit(X, y)
    proba = est.predict_proba(X)
    assert np.max(np.abs(proba - ref.predict_proba(X))) < 1e-4
    # the parameters themselves are close to the (unique, strongly convex) optimum
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=5e-3 * max(1, np.abs(ref.coef_).max()))

    n_classes = len(np.unique(y))
    n_features = X.shape[1]
    if n_classes == 2:
        assert est.coef_.shape == (1, n_features)
        assert est.intercept_.shape == (1,)
    else:
        assert est.coef_.shape == (n_classes, n_features)
        assert est.intercept_.shape == (n_classes,)

    # decision_function: the linear logits, consistent with predict and predict_proba
    dec = est.decision_function(X)
    np.testing.assert_allclose(
        dec, X @ est.coef_.T.squeeze() + est.intercept_.squeeze(), rtol=1e-10, atol=1e-10
    )
    pred = est.predict(X)
    if n_classes == 2:
        assert dec.shape == (X.shape[0],)
        assert np.array_equal(pred, est.classes_[(dec > 0).astype(int)])
    else:
        assert dec.shape == (X.shape[0], n_classes)
        assert np.array_equal(pred, est.classes_[dec.argmax(axis=1)])
    assert np.array_equal(pred, est.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba), atol=1e-10)
    assert est.score(X, y) == pytest.approx(ref.score(X, y), abs=2 / len(y))
    assert est.n_iter_ > 0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plain_gradient_descent_reaches_optimum(datasets):
    # the course's algorithm: w := w - lr * dw, full batch, fixed step
    X, y = datasets["breast_cancer"]
    ref = _reference(datasets, "breast_cancer", 1.0)
    est = LogisticRegressionGD(
        solver="gd", alpha=1.0, learning_rate_init=1.0, tol=1e-10, max_iter=2000
    ).fit(X, y)
    assert np.max(np.abs(est.predict_proba(X) - ref.predict_proba(X))) < 1e-2
    # it is slower than the accelerated solver: after 50 steps it is still far away
    early = LogisticRegressionGD(
        solver="gd", alpha=1.0, learning_rate_init=1.0, tol=1e-10, max_iter=50
    ).fit(X, y)
    assert np.max(np.abs(early.predict_proba(X) - ref.predict_proba(X))) > 1e-2


@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
@pytest.mark.parametrize("solver", ["agd", "lbfgs"])
def test_sample_weight_matches_sklearn(solver, name, datasets):
    X, y = datasets[name]
    rng = np.random.RandomState(0)
    w = rng.uniform(0.2, 3.0, size=len(y))
    alpha = 1.0
    ref = _reference(datasets, name, alpha, sample_weight=w)
    est = LogisticRegressionGD(solver=solver, alpha=alpha, tol=1e-8, max_iter=5000)
    est.fit(X, y, sample_weight=w)
    assert np.max(np.abs(est.predict_proba(X) - ref.predict_proba(X))) < 1e-4
    # and the weights matter
    unweighted = _reference(datasets, name, alpha)
    assert np.max(np.abs(unweighted.predict_proba(X) - ref.predict_proba(X))) > 1e-3


def test_zero_sample_weight_equals_dropping_samples(datasets):
    X, y = datasets["breast_cancer"]
    w = np.ones(len(y))
    w[::3] = 0
    a = LogisticRegressionGD(tol=1e-8, max_iter=5000).fit(X, y, sample_weight=w)
    b = LogisticRegressionGD(tol=1e-8, max_iter=5000).fit(X[w > 0], y[w > 0])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("solver", ["agd", "lbfgs"])
def test_warm_start(solver, datasets):
    X, y = datasets["breast_cancer"]
    est = LogisticRegressionGD(solver=solver, alpha=1.0, tol=1e-6, max_iter=5000, random_state=0)
    est.fit(X, y)
    coef = est.coef_.copy()
    assert est.n_iter_ > 5

    # cold start with 3 iterations cannot converge ...
    cold = LogisticRegressionGD(solver=solver, alpha=1.0, tol=1e-6, max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        cold.fit(X, y)
    # ... a warm start from the optimum converges within them and stays at the optimum
    ref = _reference(datasets, "breast_cancer", 1.0)
    dist_before = np.abs(coef - ref.coef_).max()
    est.set_params(warm_start=True, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert np.abs(est.coef_ - ref.coef_).max() <= dist_before + 1e-6
    assert np.max(np.abs(est.predict_proba(X) - ref.predict_proba(X))) < 1e-4


def test_warm_start_n_iter_is_for_the_last_fit(datasets):
    # scikit-learn's LogisticRegression reports the iterations of the last fit only
    X, y = datasets["breast_cancer"]
    est = LogisticRegressionGD(alpha=1.0, tol=1e-8, max_iter=5000, random_state=0).fit(X, y)
    first = est.n_iter_
    est.set_params(warm_start=True).fit(X, y)
    assert est.n_iter_ <= max(3, first // 5)


def test_warm_start_continues_from_previous_coef(datasets):
    # a warm-started second run of a few gd steps is better than a cold one
    X, y = datasets["breast_cancer"]
    ref = _reference(datasets, "breast_cancer", 1.0)
    params = dict(solver="gd", alpha=1.0, learning_rate_init=1.0, tol=1e-10, max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cold = LogisticRegressionGD(**params).fit(X, y)
        warm = LogisticRegressionGD(warm_start=True, **params).fit(X, y).fit(X, y)
    err_cold = np.abs(cold.predict_proba(X) - ref.predict_proba(X)).max()
    err_warm = np.abs(warm.predict_proba(X) - ref.predict_proba(X)).max()
    assert err_warm < err_cold


def test_default_converges_without_warning(datasets):
    X, y = datasets["breast_cancer"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = LogisticRegressionGD().fit(X, y)
    assert est.n_iter_ < est.max_iter
    assert est.score(X, y) > 0.95
    # default alpha=1.0 corresponds to LogisticRegression(C=1.0): close at default tol
    ref = _reference(datasets, "breast_cancer", 1.0)
    assert np.max(np.abs(est.predict_proba(X) - ref.predict_proba(X))) < 1e-2


def test_default_params():
    params = LogisticRegressionGD().get_params()
    assert params["solver"] == "agd"
    assert params["alpha"] == 1.0
    assert params["max_iter"] == 1000
    assert "hidden_layer_sizes" not in params


def test_string_labels_binary_decision_function_sign(datasets):
    X, y = datasets["breast_cancer"]
    labels = np.array(["malignant", "benign"])[y]
    est = LogisticRegressionGD().fit(X, labels)
    assert list(est.classes_) == ["benign", "malignant"]
    dec = est.decision_function(X)
    # positive logits mean classes_[1]
    assert np.array_equal(est.predict(X), np.where(dec > 0, "malignant", "benign"))
    assert est.predict_proba(X)[:, 1] == pytest.approx(1 / (1 + np.exp(-dec)))
