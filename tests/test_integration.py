"""The estimators inside the scikit-learn ecosystem: pipelines, search, persistence, input types."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import (
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD
from sklearn_deepnet.nn import SOLVERS as REGISTERED_SOLVERS

SOLVERS = list(REGISTERED_SOLVERS)
STOCHASTIC = ["sgd", "adam"]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def binary(iris):
    X, y = iris
    return X, (y == 2).astype(int)


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(n_samples=120, n_features=8, n_classes=4, random_state=0)
    return StandardScaler().fit_transform(X), Y


def _net(**kw):
    params = dict(hidden_layer_sizes=(10,), max_iter=40, random_state=0)
    params.update(kw)
    return DeepNetClassifier(**params)


# --------------------------------------------------------------------------------------
# Pipeline + GridSearchCV
# --------------------------------------------------------------------------------------


def test_pipeline_grid_search():
    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(0)
    idx = rng.permutation(len(y))[:300]
    X, y = X[idx], y[idx]
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("net", DeepNetClassifier(max_iter=30, random_state=0)),
        ]
    )
    grid = {
        "net__hidden_layer_sizes": [(16,), (16, 8)],
        "net__activation": ["relu", "tanh"],
        "net__learning_rate_init": [1e-3, 1e-2],
    }
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2, error_score="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # loky / convergence chatter
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    seen = {
        (p["net__hidden_layer_sizes"], p["net__activation"], p["net__learning_rate_init"])
        for p in search.cv_results_["params"]
    }
    assert len(seen) == 8
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    assert len(set(np.round(scores, 12))) > 1, "all combinations scored identically"
    best = search.best_estimator_
    assert isinstance(best, Pipeline)
    assert (
        best.named_steps["net"].get_params()["hidden_layer_sizes"]
        == (search.best_params_["net__hidden_layer_sizes"])
    )
    assert best.score(X, y) > 0.8
    assert search.best_score_ > 0.5
    assert best.predict_proba(X).shape == (len(y), 10)


# --------------------------------------------------------------------------------------
# clone
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "est",
    [
        DeepNetClassifier(
            hidden_layer_sizes=(7, 3),
            activation="leaky_relu",
            init="he",
            negative_slope=0.2,
            solver="sgd",
            alpha=0.3,
            random_state=4,
        ),
        LogisticRegressionGD(alpha=0.5, solver="lbfgs", tol=1e-6),
    ],
    ids=["deepnet", "logistic"],
)
def test_clone_gives_unfitted_estimator_with_equal_params(est, iris):
    X, y = iris
    est = clone(est).set_params(max_iter=3)
    est.fit(X, y)
    check_is_fitted(est)
    copy = clone(est)
    assert copy is not est
    assert copy.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    with pytest.raises(NotFittedError):
        copy.predict(X)


# --------------------------------------------------------------------------------------
# Persistence
# --------------------------------------------------------------------------------------


def _fitted_for_persistence(kind, iris, binary, multilabel):
    if kind == "deepnet-binary":
        X, y = binary
        return _net(hidden_layer_sizes=(6, 4)).fit(X, y), X
    if kind == "deepnet-multiclass":
        X, y = iris
        return _net(hidden_layer_sizes=(6, 4)).fit(X, y), X
    if kind == "deepnet-multilabel":
        X, Y = multilabel
        return _net(hidden_layer_sizes=(6,)).fit(X, Y), X
    if kind == "logistic-binary":
        X, y = binary
        return LogisticRegressionGD().fit(X, y), X
    X, y = iris
    return LogisticRegressionGD().fit(X, y), X


PERSIST_KINDS = [
    "deepnet-binary",
    "deepnet-multiclass",
    "deepnet-multilabel",
    "logistic-binary",
    "logistic-multiclass",
]


@pytest.mark.parametrize("kind", PERSIST_KINDS)
def test_joblib_round_trip(kind, iris, binary, multilabel, tmp_path):
    est, X = _fitted_for_persistence(kind, iris, binary, multilabel)
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    loaded = joblib.load(path)
    assert type(loaded) is type(est)
    assert np.array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert np.array_equal(loaded.predict(X), est.predict(X))
    assert loaded.get_params() == est.get_params()


@pytest.mark.parametrize("kind", PERSIST_KINDS)
def test_pickle_round_trip(kind, iris, binary, multilabel):
    est, X = _fitted_for_persistence(kind, iris, binary, multilabel)
    loaded = pickle.loads(pickle.dumps(est))
    assert np.array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert np.array_equal(loaded.predict(X), est.predict(X))


def test_pickled_model_keeps_training_with_partial_fit(iris):
    X, y = iris
    est = _net(solver="adam").fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for a, b in zip(est.coefs_, loaded.coefs_, strict=True):
        assert np.array_equal(a, b)


# --------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_string_labels(Estimator, iris):
    X, y = iris
    names = np.array(["cat", "dog", "fish"])
    y_str = names[y]
    params = {"hidden_layer_sizes": (10,), "max_iter": 200, "learning_rate_init": 0.01}
    est = Estimator(random_state=0, **(params if Estimator is DeepNetClassifier else {}))
    est.fit(X, y_str)
    assert list(est.classes_) == ["cat", "dog", "fish"]
    pred = est.predict(X)
    assert pred.dtype.kind in "UO"
    assert set(pred) <= set(names)
    assert np.mean(pred == y_str) > 0.8
    assert est.score(X, y_str) > 0.8


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_binary_string_labels(Estimator, binary):
    X, y = binary
    y_str = np.array(["no", "yes"])[y]
    est = Estimator(random_state=0).fit(X, y_str)
    pred = est.predict(X)
    assert set(pred) <= {"no", "yes"}
    assert np.mean(pred == y_str) > 0.8
    assert est.predict_proba(X).shape == (len(y), 2)


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_bool_labels(Estimator, binary):
    X, y = binary
    y_bool = y.astype(bool)
    est = Estimator(random_state=0).fit(X, y_bool)
    assert est.classes_.dtype == bool
    pred = est.predict(X)
    assert pred.dtype == bool
    assert np.mean(pred == y_bool) > 0.8


def test_labels_are_not_assumed_to_be_range(iris):
    X, y = iris
    y_odd = np.array([-5, 10, 42])[y]
    est = _net(max_iter=200, learning_rate_init=0.01).fit(X, y_odd)
    assert list(est.classes_) == [-5, 10, 42]
    assert set(est.predict(X)) <= {-5, 10, 42}
    assert est.score(X, y_odd) > 0.8


# --------------------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------------------


def _make_est(Estimator):
    if Estimator is LogisticRegressionGD:
        return LogisticRegressionGD()
    return Estimator(hidden_layer_sizes=(5,), max_iter=10, random_state=0)


@pytest.mark.parametrize("Estimator", [MLPClassifier, DeepNetClassifier, LogisticRegressionGD])
def test_dataframe_feature_names(Estimator, iris):
    # MLPClassifier is included to pin down scikit-learn's own behaviour
    pd = pytest.importorskip("pandas")
    X, y = iris
    cols = ["sepal_l", "sepal_w", "petal_l", "petal_w"]
    df = pd.DataFrame(X, columns=cols)
    est = _make_est(Estimator).fit(df, y)
    assert list(est.feature_names_in_) == cols
    assert est.n_features_in_ == 4
    # same names: no warning, same predictions as the array
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        p_df = est.predict_proba(df)
    # ndarray after fitting on a DataFrame: UserWarning, same predictions
    with pytest.warns(UserWarning, match="feature names"):
        p_arr = est.predict_proba(X)
    np.testing.assert_allclose(p_df, p_arr)
    # renamed columns: scikit-learn raises
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df.rename(columns={"sepal_l": "other"}))


@pytest.mark.parametrize("Estimator", [MLPClassifier, DeepNetClassifier])
def test_dataframe_after_array_fit_warns(Estimator, iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    est = _make_est(Estimator).fit(X, y)
    assert not hasattr(est, "feature_names_in_")
    with pytest.warns(UserWarning, match="feature names"):
        est.predict(pd.DataFrame(X, columns=list("abcd")))


# --------------------------------------------------------------------------------------
# Sparse input
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sparse_problem():
    X, y = make_classification(
        n_samples=120, n_features=20, n_informative=6, n_classes=3, random_state=0
    )
    rng = np.random.RandomState(0)
    X[rng.rand(*X.shape) < 0.7] = 0.0
    return X, y


@pytest.mark.parametrize("solver", ["adam", "lbfgs", "agd"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(solver, fmt, sparse_problem):
    X, y = sparse_problem
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    dense = _net(solver=solver, max_iter=20).fit(X, y)
    sparse = _net(solver=solver, max_iter=20).fit(Xs, y)
    for a, b in zip(dense.coefs_, sparse.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dense.predict_proba(X), sparse.predict_proba(Xs), atol=1e-7)
    # a dense-fitted model predicts sparse input identically
    np.testing.assert_allclose(dense.predict_proba(Xs), dense.predict_proba(X), atol=1e-10)
    assert np.array_equal(dense.predict(Xs), dense.predict(X))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_logistic(fmt, sparse_problem):
    X, y = sparse_problem
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    dense = LogisticRegressionGD(tol=1e-8).fit(X, y)
    sparse = LogisticRegressionGD(tol=1e-8).fit(Xs, y)
    np.testing.assert_allclose(dense.predict_proba(X), sparse.predict_proba(Xs), atol=1e-6)


# --------------------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_random_state_reproducible(solver, iris):
    X, y = iris
    a = _net(solver=solver, max_iter=15, random_state=3).fit(X, y)
    b = _net(solver=solver, max_iter=15, random_state=3).fit(X, y)
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        assert np.array_equal(wa, wb)
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))

    c = _net(solver=solver, max_iter=15, random_state=4).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("solver", STOCHASTIC)
def test_random_state_drives_shuffling(solver, iris):
    # a RandomState instance is accepted and consumed like sklearn does
    X, y = iris
    a = _net(solver=solver, max_iter=5, batch_size=16, random_state=np.random.RandomState(1))
    b = _net(solver=solver, max_iter=5, batch_size=16, random_state=np.random.RandomState(1))
    a.fit(X, y)
    b.fit(X, y)
    assert np.array_equal(a.coefs_[0], b.coefs_[0])
    # shuffle=False vs shuffle=True differ with the same seed
    c = _net(solver=solver, max_iter=5, batch_size=16, random_state=1, shuffle=False).fit(X, y)
    d = _net(solver=solver, max_iter=5, batch_size=16, random_state=1, shuffle=True).fit(X, y)
    assert not np.array_equal(c.coefs_[0], d.coefs_[0])


# --------------------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["adam", "lbfgs", "gd"])
def test_dtype_preserved(dtype, solver, iris):
    X, y = iris
    Xd = X.astype(dtype)
    est = _net(solver=solver, max_iter=10).fit(Xd, y)
    for w in est.coefs_ + est.intercepts_:
        assert w.dtype == dtype
    proba = est.predict_proba(Xd)
    assert proba.dtype == dtype
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(np.isfinite(est.predict_log_proba(Xd)))


def test_float32_training_close_to_float64(iris):
    X, y = iris
    p64 = _net(solver="adam", max_iter=10).fit(X, y).predict_proba(X)
    p32 = _net(solver="adam", max_iter=10).fit(X.astype(np.float32), y).predict_proba(X)
    np.testing.assert_allclose(p32, p64, atol=1e-2)


# --------------------------------------------------------------------------------------
# Multilabel
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_multilabel_indicator(solver, multilabel):
    X, Y = multilabel
    est = _net(solver=solver, max_iter=100, hidden_layer_sizes=(16,)).fit(X, Y)
    pred = est.predict(X)
    assert pred.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    proba = est.predict_proba(X)
    assert proba.shape == Y.shape
    assert np.all((proba >= 0) & (proba <= 1))
    assert not np.allclose(proba.sum(axis=1), 1.0)  # independent sigmoids, not a softmax
    assert np.array_equal(pred, (proba > 0.5).astype(pred.dtype))
    assert est.out_activation_ == "logistic"
    assert est.n_outputs_ == Y.shape[1]
    # it learned something: per-label accuracy beats predicting the majority per label
    majority = np.maximum(Y.mean(axis=0), 1 - Y.mean(axis=0))
    assert np.mean(pred == Y) > majority.mean()


# --------------------------------------------------------------------------------------
# sample_weight
# --------------------------------------------------------------------------------------


def test_integer_sample_weight_equals_repetition(iris):
    X, y = iris
    rng = np.random.RandomState(0)
    w = rng.randint(0, 4, size=len(y))
    X_rep = np.repeat(X, w, axis=0)
    y_rep = np.repeat(y, w)
    params = dict(
        solver="lbfgs",
        hidden_layer_sizes=(5,),
        activation="tanh",
        alpha=1e-2,
        max_iter=40,
        tol=0.0,
        random_state=0,
    )
    weighted = DeepNetClassifier(**params).fit(X, y, sample_weight=w)
    repeated = DeepNetClassifier(**params).fit(X_rep, y_rep)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-5, atol=1e-8
    )
    unweighted = DeepNetClassifier(**params).fit(X, y)
    assert not np.allclose(unweighted.predict_proba(X), weighted.predict_proba(X), rtol=1e-3)


@pytest.mark.parametrize("solver", ["gd", "agd"])
def test_integer_sample_weight_equals_repetition_full_batch(solver, iris):
    X, y = iris
    rng = np.random.RandomState(1)
    w = rng.randint(0, 3, size=len(y))
    params = dict(
        solver=solver, hidden_layer_sizes=(5,), max_iter=20, random_state=0, learning_rate_init=0.1
    )
    weighted = DeepNetClassifier(**params).fit(X, y, sample_weight=w)
    repeated = DeepNetClassifier(**params).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-5, atol=1e-8
    )


def test_unit_sample_weight_equals_none(iris):
    X, y = iris
    a = _net(solver="adam", max_iter=10).fit(X, y)
    b = _net(solver="adam", max_iter=10).fit(X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-10)


# --------------------------------------------------------------------------------------
# partial_fit
# --------------------------------------------------------------------------------------


def _log_loss(est, X, y):
    logp = est.predict_log_proba(X)
    idx = np.searchsorted(est.classes_, y)
    return -np.mean(logp[np.arange(len(y)), idx])


def test_partial_fit_reduces_training_loss(iris):
    X, y = iris
    est = DeepNetClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        est.partial_fit(X, y)
    est.partial_fit(X, y, classes=np.unique(y))
    first = _log_loss(est, X, y)
    for _ in range(15):
        est.partial_fit(X, y)
    last = _log_loss(est, X, y)
    assert last < first
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert len(est.loss_curve_) == 16


def test_partial_fit_with_class_absent_from_first_batch(iris):
    X, y = iris
    est = DeepNetClassifier(hidden_layer_sizes=(5,), random_state=0)
    first = y != 2
    est.partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert list(est.classes_) == [0, 1, 2]
    assert est.predict_proba(X).shape == (len(y), 3)
    est.partial_fit(X[~first], y[~first])
    with pytest.raises(ValueError):
        est.partial_fit(X[:3], np.array([0, 1, 7]))


def test_partial_fit_matches_one_epoch_of_fit(iris):
    # MLPClassifier: partial_fit == one epoch of fit for the same seed (no shuffling)
    X, y = iris
    params = dict(hidden_layer_sizes=(6,), shuffle=False, random_state=0, batch_size=50)
    a = DeepNetClassifier(max_iter=1, **params).fit(X, y)
    b = DeepNetClassifier(**params).partial_fit(X, y, classes=np.unique(y))
    for wa, wb in zip(a.coefs_, b.coefs_, strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-12)


# --------------------------------------------------------------------------------------
# early stopping
# --------------------------------------------------------------------------------------


def test_early_stopping_imbalanced_multiclass():
    X, y = make_classification(
        n_samples=300,
        n_features=10,
        n_informative=5,
        n_classes=3,
        weights=[0.75, 0.2, 0.05],
        random_state=0,
    )
    X = StandardScaler().fit_transform(X)
    est = DeepNetClassifier(
        hidden_layer_sizes=(20,),
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=5,
        learning_rate_init=0.05,
        max_iter=500,
        scoring="accuracy",
        random_state=0,
    ).fit(X, y)
    assert est.n_iter_ < 500
    assert len(est.validation_scores_) == est.n_iter_
    assert len(est.loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == pytest.approx(max(est.validation_scores_))
    assert est.best_loss_ is None
    assert list(est.classes_) == [0, 1, 2]
    # the stratified validation set has 30 samples: scores are multiples of 1/30
    n_val = 30
    scaled = np.asarray(est.validation_scores_) * n_val
    np.testing.assert_allclose(scaled, np.round(scaled), atol=1e-9)
    # the best weights were restored: training-set accuracy is reasonable
    assert est.score(X, y) > 0.8


@pytest.mark.parametrize("seed", range(5))
def test_early_stopping_works_when_a_class_is_tiny(seed):
    # 3 samples of class 2 out of 60: a non-stratified 10% split would often miss it;
    # the fit must still succeed and keep all three classes.
    rng = np.random.RandomState(seed)
    X = rng.randn(60, 4)
    y = np.r_[np.zeros(30, int), np.ones(27, int), np.full(3, 2)]
    est = DeepNetClassifier(
        hidden_layer_sizes=(4,), early_stopping=True, max_iter=20, random_state=seed
    ).fit(X, y)
    assert list(est.classes_) == [0, 1, 2]
    assert est.predict_proba(X).shape == (60, 3)
