"""Bad input: every malformed X, y, sample_weight or parameter gets an error naming the problem.

Each case checks the message, not only the exception type: the user must learn what is wrong and,
where it is not obvious, what to do.
"""

import re
import warnings
from numbers import Integral, Real

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
ESTIMATORS = [DeepNetClassifier, LogisticRegressionGD]


def _small(Estimator=DeepNetClassifier, **params):
    """A fast estimator: a few epochs, a small network, a fixed seed."""
    defaults = {"max_iter": 5, "random_state": 0}
    if Estimator is not LogisticRegressionGD:
        defaults["hidden_layer_sizes"] = (5,)
    return Estimator(**{**defaults, **params})


@pytest.fixture(scope="module")
def fitted():
    return _small(max_iter=20).fit(X_IRIS, Y_IRIS)


def _with(value, index=(0, 0), X=X_IRIS):
    X = X.copy()
    X[index] = value
    return X


def _regressor(**params):
    return _small(DeepNetRegressor, **params)


# --------------------------------------------------------------------------------------
# X: non-finite, empty, wrong shape, wrong type
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "value, message",
    [(np.nan, "Input X contains NaN"), (np.inf, "Input X contains infinity"),
     (-np.inf, "Input X contains infinity")],
)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_non_finite_X_at_fit(Estimator, value, message, sparse):
    X = _with(value)
    X = sp.csr_matrix(X) if sparse else X
    with pytest.raises(ValueError, match=message):
        _small(Estimator).fit(X, Y_IRIS)


@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"]
)
def test_non_finite_X_at_predict(fitted, value, method):
    args = (_with(value), Y_IRIS) if method == "score" else (_with(value),)
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        getattr(fitted, method)(*args)


def test_non_finite_X_in_partial_fit():
    clf = _small().partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.partial_fit(_with(np.nan), Y_IRIS)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_empty_X(Estimator):
    with pytest.raises(ValueError, match=r"0 sample\(s\) \(shape=\(0, 4\)\)"):
        _small(Estimator).fit(np.empty((0, 4)), np.empty(0))
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(6, 0\)\)"):
        _small(Estimator).fit(np.empty((6, 0)), [0, 1] * 3)


def test_empty_X_at_predict(fitted):
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        fitted.predict_proba(np.empty((0, 4)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_one_sample_is_one_class(Estimator):
    # as MLPClassifier: a single class is fitted, and predicted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = _small(Estimator).fit(X_IRIS[:1], Y_IRIS[:1])
    assert clf.classes_.tolist() == [0]
    assert clf.predict(X_IRIS[::10]).tolist() == [0] * 15


def test_one_sample_trains_with_partial_fit_when_the_classes_are_declared():
    clf = _small().partial_fit(X_IRIS[:1], Y_IRIS[:1], classes=[0, 1, 2])
    proba = clf.predict_proba(X_IRIS)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_one_class(Estimator):
    # MLPClassifier fits one class and predicts it; its predict_proba then has two columns for
    # one class, ours one column of ones (the only class is certain)
    y = np.full(20, "spam")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = _small(Estimator).fit(X_IRIS[:20], y)
    assert clf.classes_.tolist() == ["spam"]
    assert (clf.predict(X_IRIS) == "spam").all()
    np.testing.assert_array_equal(clf.predict_proba(X_IRIS), np.ones((150, 1)))
    np.testing.assert_array_equal(clf.predict_log_proba(X_IRIS), np.zeros((150, 1)))
    assert clf.score(X_IRIS[:20], y) == 1.0


def test_label_lists_in_messages_are_plain_values():
    """Messages show labels as the user wrote them (``0``), not as NumPy reprs (``np.int64(0)``)."""
    messages = []
    clf = _small(warm_start=True).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError) as other_classes:
        clf.fit(X_IRIS[:100], Y_IRIS[:100])
    messages.append(str(other_classes.value))
    clf = _small().partial_fit(X_IRIS[:100], Y_IRIS[:100], classes=[0, 1])
    with pytest.raises(ValueError) as unseen:
        clf.partial_fit(X_IRIS, Y_IRIS)
    messages.append(str(unseen.value))
    for message in messages:
        assert "np.int64" not in message and "np.str_" not in message, message


def test_more_classes_than_validation_samples_splits_randomly():
    # 15 samples, 3 classes, validation_fraction=0.1: 2 validation samples for 3 classes; the
    # split cannot be stratified, so it is random, as MLPClassifier's multiclass split always is
    X, y = X_IRIS[::10], Y_IRIS[::10]
    clf = _small(early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert list(clf.classes_) == [0, 1, 2]
    assert np.isfinite(clf.predict_proba(X)).all()


def test_validation_split_of_one_sample_is_refused():
    idx = [0, 1, 50, 51, 100, 101]
    # MLPClassifier's message, then ours
    with pytest.raises(ValueError, match=r"^The validation set is too small\. Increase "
                                         r"'validation_fraction' or the size of your dataset\. "
                                         r"\(It holds 1 sample\(s\).*X_val and y_val"):
        _small(early_stopping=True).fit(X_IRIS[idx], Y_IRIS[idx])


def test_binary_early_stopping_split_needs_two_samples_of_each_class():
    # as MLPClassifier: a binary split is stratified, and a class with one sample cannot be
    X = X_IRIS[:51]
    y = Y_IRIS[:51]  # fifty 0s, one 1
    with pytest.raises(ValueError, match=r"^The least populated class.*only 1 member.*"
                                         r"X_val and y_val, or set early_stopping=False"):
        _small(early_stopping=True).fit(X, y)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_wrong_number_of_features_at_predict(fitted, method):
    message = "X has 3 features, but DeepNetClassifier is expecting 4 features as input"
    with pytest.raises(ValueError, match=message):
        getattr(fitted, method)(X_IRIS[:, :3])


def test_wrong_number_of_features_in_partial_fit_and_warm_start():
    message = "X has 5 features, but DeepNetClassifier is expecting 4 features as input"
    wider = np.hstack([X_IRIS, X_IRIS[:, :1]])
    clf = _small().partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=message):
        clf.partial_fit(wider, Y_IRIS)
    clf = _small(warm_start=True).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match=message):
        clf.fit(wider, Y_IRIS)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_complex_X(Estimator, fitted):
    with pytest.raises(ValueError, match="Complex data not supported"):
        _small(Estimator).fit(X_IRIS + 1j, Y_IRIS)
    with pytest.raises(ValueError, match="Complex data not supported"):
        fitted.predict(X_IRIS + 1j)


@pytest.mark.parametrize("dtype", [object, str])
def test_string_X(dtype, fitted):
    X = X_IRIS.astype(str).astype(dtype)
    X[3, 2] = "abc"
    with pytest.raises(ValueError, match="could not convert string to float: .*abc"):
        _small().fit(X, Y_IRIS)
    with pytest.raises(ValueError, match="could not convert string to float: .*abc"):
        fitted.predict(X)


def test_object_array_of_numbers_is_accepted():
    a = _small().fit(X_IRIS.astype(object), Y_IRIS)
    b = _small().fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(a.predict_proba(X_IRIS), b.predict_proba(X_IRIS))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_one_dimensional_X(Estimator, fitted):
    with pytest.raises(ValueError, match="(?s)Expected 2D array, got 1D array.*Reshape your data"):
        _small(Estimator).fit(X_IRIS[:, 0], Y_IRIS)
    with pytest.raises(ValueError, match=r"(?s)Expected 2D array, got 1D.*reshape\(1, -1\)"):
        fitted.predict(X_IRIS[0])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_three_dimensional_X(Estimator, fitted):
    with pytest.raises(ValueError, match="Found array with dim 3"):
        _small(Estimator).fit(X_IRIS.reshape(150, 2, 2), Y_IRIS)
    with pytest.raises(ValueError, match="Found array with dim 3"):
        fitted.predict_proba(X_IRIS.reshape(150, 2, 2))


# --------------------------------------------------------------------------------------
# y
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "value, message", [(np.nan, "Input y contains NaN"), (np.inf, "Input y contains infinity")]
)
def test_non_finite_y(Estimator, value, message):
    y = Y_IRIS.astype(float)
    y[7] = value
    with pytest.raises(ValueError, match=message):
        _small(Estimator).fit(X_IRIS, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_continuous_y_given_to_a_classifier(Estimator):
    with pytest.raises(ValueError, match="Unknown label type: continuous.*expects discrete "
                                         "classes"):
        _small(Estimator).fit(X_IRIS, X_IRIS[:, 0])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_multioutput_multiclass_y(Estimator):
    Y = np.column_stack([Y_IRIS, Y_IRIS[::-1]])
    with pytest.raises(ValueError, match="got 'multiclass-multioutput'.*MultiOutputClassifier"):
        _small(Estimator).fit(X_IRIS, Y)


def test_y_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[150, 149\]"):
        _small().fit(X_IRIS, Y_IRIS[:-1])


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_regressor_non_finite_X(value):
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        _regressor().fit(_with(value, (0, 1))[:, 1:], X_IRIS[:, 0])
    reg = _regressor().fit(X_IRIS[:, 1:], X_IRIS[:, 0])
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        reg.predict(_with(value, (0, 1))[:, 1:])


@pytest.mark.parametrize(
    "value, message", [(np.nan, "Input y contains NaN"), (np.inf, "Input y contains infinity")]
)
def test_regressor_non_finite_y(value, message):
    y = X_IRIS[:, 0].copy()
    y[3] = value
    with pytest.raises(ValueError, match=message):
        _regressor().fit(X_IRIS[:, 1:], y)


def test_regressor_string_y():
    with pytest.raises(ValueError, match="could not convert string to float"):
        _regressor().fit(X_IRIS, np.array(["a", "b", "c"] * 50))


def test_regressor_wrong_number_of_features_at_predict():
    reg = _regressor().fit(X_IRIS[:, 1:], X_IRIS[:, 0])
    with pytest.raises(ValueError, match="X has 2 features, but DeepNetRegressor is expecting 3"):
        reg.predict(X_IRIS[:, 2:])


# --------------------------------------------------------------------------------------
# sample_weight (and the validation set's weights)
# --------------------------------------------------------------------------------------


def _weights(value):
    weights = np.ones(150)
    weights[4] = value
    return weights


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "sample_weight, message",
    [
        (_weights(np.nan), "sample_weight contains NaN or infinity; give finite weights"),
        (_weights(np.inf), "sample_weight contains NaN or infinity; give finite weights"),
        (_weights(-1.0), "sample_weight contains negative values; weights must be >= 0"),
        (np.zeros(150), "sample_weight is zero for every sample; at least one must be > 0"),
        (np.ones(7), r"sample_weight has shape \(7,\); expected \(150,\)"),
        (np.ones((150, 2)), r"sample_weight has shape \(150, 2\); expected \(150,\)"),
        (np.full(150, "a"), "sample_weight must hold real numbers"),
        (np.ones(150) + 1j, "sample_weight must hold real numbers"),
    ],
    ids=["nan", "inf", "negative", "all-zero", "short", "2-D", "strings", "complex"],
)
def test_bad_sample_weight(Estimator, sample_weight, message):
    with pytest.raises(ValueError, match=message):
        _small(Estimator).fit(X_IRIS, Y_IRIS, sample_weight=sample_weight)


def test_bad_sample_weight_in_partial_fit():
    clf = _small().partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="sample_weight contains negative values"):
        clf.partial_fit(X_IRIS, Y_IRIS, sample_weight=_weights(-2.0))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_mini_batch_of_zero_weights_is_skipped(solver):
    """Zero weight means absent: a mini-batch of such samples takes no step (and no 0 / 0)."""
    weights = np.ones(150)
    weights[:10] = 0
    params = {"solver": solver, "batch_size": 10, "shuffle": False, "max_iter": 3}
    weighted = _small(**params).fit(X_IRIS, Y_IRIS, sample_weight=weights)
    dropped = _small(**params).fit(X_IRIS[10:], Y_IRIS[10:])
    np.testing.assert_allclose(weighted.predict_proba(X_IRIS), dropped.predict_proba(X_IRIS),
                               rtol=1e-12)


def test_zero_weights_with_batches_of_one_sample():
    weights = np.r_[0.0, 1.0, np.zeros(148)]
    clf = _small(LogisticRegressionGD, solver="adam", batch_size=1, alpha=0.0)
    clf.fit(X_IRIS, Y_IRIS, sample_weight=weights)
    assert np.isfinite(clf.predict_proba(X_IRIS)).all()


def test_early_stopping_split_without_weight_is_a_clear_error():
    weights = np.zeros(150)
    weights[0] = 1.0  # whichever side of the split sample 0 lands on, the other weighs nothing
    with pytest.raises(ValueError, match="Every sample of the early-stopping (validation|"
                                         "training) split has zero weight"):
        _small(early_stopping=True).fit(X_IRIS, Y_IRIS, sample_weight=weights)


def test_scalar_sample_weight_means_equal_weights():
    a = _small().fit(X_IRIS, Y_IRIS, sample_weight=3.0)
    b = _small().fit(X_IRIS, Y_IRIS, sample_weight=np.full(150, 3.0))
    np.testing.assert_array_equal(a.predict_proba(X_IRIS), b.predict_proba(X_IRIS))


@pytest.mark.parametrize(
    "class_weight, message",
    [
        ({0: -1.0}, "class_weight"),
        ({0: np.nan}, "class_weight"),
        ({0: np.inf}, "class_weight"),
        ({0: 0.0, 1: 0.0, 2: 0.0}, "class_weight"),
        ({5: 2.0}, r"class_weight has keys \[5\] that are not classes of y"),
        ([1, 2], "class_weight must be None, 'balanced' or a dict"),
    ],
    ids=["negative", "nan", "inf", "all-zero", "unknown-class", "list"],
)
def test_bad_class_weight(class_weight, message):
    """Class weights multiply the sample weights: the same rules apply to them, by name."""
    with pytest.raises(ValueError, match=message):
        _small(class_weight=class_weight).fit(X_IRIS, Y_IRIS)


def test_class_weight_zeroing_every_weighted_sample():
    weights = np.where(Y_IRIS == 0, 1.0, 0.0)  # only class 0 has weight, and it gets 0
    with pytest.raises(ValueError, match="(?s)(sample|class)_weight.*zero"):
        _small(class_weight={0: 0.0}).fit(X_IRIS, Y_IRIS, sample_weight=weights)


# --------------------------------------------------------------------------------------
# The user validation set
# --------------------------------------------------------------------------------------


def _fit_with_validation(**fit_params):
    """Fit on 100 iris samples; the other 50 (all classes) form the validation set."""
    train = np.arange(150) % 3 != 0
    fit_params.setdefault("X_val", X_IRIS[~train])
    fit_params.setdefault("y_val", Y_IRIS[~train])
    return _small(early_stopping=True).fit(X_IRIS[train], Y_IRIS[train], **fit_params)


@pytest.mark.parametrize(
    "value, message", [(np.nan, "(?s)X_val.*contains NaN"),
                       (np.inf, "(?s)X_val.*contains infinity")]
)
def test_non_finite_X_val(value, message):
    with pytest.raises(ValueError, match=message):
        _fit_with_validation(X_val=_with(value, X=X_IRIS[::3]))


@pytest.mark.parametrize(
    "value, message",
    [
        (np.nan, "sample_weight_val contains NaN or infinity"),
        (np.inf, "sample_weight_val contains NaN or infinity"),
        (-1.0, "sample_weight_val contains negative values"),
    ],
)
def test_bad_sample_weight_val(value, message):
    weights = np.ones(50)
    weights[0] = value
    with pytest.raises(ValueError, match=message):
        _fit_with_validation(sample_weight_val=weights)


def test_X_val_with_the_wrong_number_of_features():
    with pytest.raises(ValueError, match="(?s)X_val.*3 features.*expecting 4"):
        _fit_with_validation(X_val=X_IRIS[::3, :3])


def test_X_val_without_y_val():
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        _small().fit(X_IRIS, Y_IRIS, X_val=X_IRIS[:10])


def test_y_val_with_a_class_unseen_in_y():
    y_val = Y_IRIS[::3].copy()
    y_val[0] = 9
    with pytest.raises(ValueError, match=r"y_val.*\b9\b"):
        _fit_with_validation(y_val=y_val)


def test_y_val_of_the_wrong_length():
    with pytest.raises(ValueError, match="X_val has 50 samples but y_val has 49"):
        _fit_with_validation(y_val=Y_IRIS[::3][:-1])


def test_validation_set_smaller_than_the_number_of_classes_is_accepted():
    # the user's own validation set is not split, so no stratification is needed
    clf = _fit_with_validation(X_val=X_IRIS[:2], y_val=Y_IRIS[:2])
    assert len(clf.validation_scores_) == clf.n_iter_


# --------------------------------------------------------------------------------------
# hidden_layer_sizes and every other parameter
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [0, -1, 2.5, "abc", None])
def test_invalid_scalar_hidden_layer_sizes(sizes):
    with pytest.raises(ValueError, match="The 'hidden_layer_sizes' parameter of "
                                         "DeepNetClassifier must be an array-like or an int"):
        _small(hidden_layer_sizes=sizes).fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize("sizes", [(5, 0), (-3,), (np.float64(3.0),), ((5,),), ("5",)])
def test_invalid_hidden_layer_sizes_entries(sizes):
    message = re.escape(f"hidden_layer_sizes must be > 0, got {sizes!r}. It holds the number "
                        "of units of each hidden layer: positive integers.")
    with pytest.raises(ValueError, match=message):
        _small(hidden_layer_sizes=sizes).fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize(
    "sizes, n_hidden",
    [((), 0), ([], 0), (np.array([4, 3]), 2), (3, 1), ((np.int32(4),), 1), (range(2, 4), 2)],
    ids=["()", "[]", "ndarray", "int", "np.int32", "range"],
)
def test_valid_hidden_layer_sizes_spellings(sizes, n_hidden):
    clf = _small(hidden_layer_sizes=sizes).fit(X_IRIS, Y_IRIS)
    assert clf.n_layers_ == n_hidden + 2


@pytest.mark.parametrize("sizes", [(10**7, 10**7), (2**62,)], ids=["1e14-params", "2**62-units"])
def test_huge_hidden_layer_sizes_name_the_parameter(sizes):
    """A network too large to allocate says so in terms of hidden_layer_sizes, not NumPy's."""
    with pytest.raises(MemoryError, match=r"hidden_layer_sizes=.*parameters"):
        _small(hidden_layer_sizes=sizes).fit(X_IRIS, Y_IRIS)


# One invalid value per kind of constraint of every parameter; the test below fails when a
# parameter is added without an entry here.
INVALID_PARAMS = {
    "hidden_layer_sizes": [0, "x"],
    "activation": ["softplus", 1],
    "solver": ["newton", None],
    "alpha": [-1e-3, "0.1", np.nan],
    "batch_size": [0, -5, "all", 2.5],
    "learning_rate": ["cyclic", 0.1],
    "learning_rate_init": [0, -0.1, np.inf, np.nan],
    "power_t": [-0.5],
    "max_iter": [0, 10.5, -1],
    "shuffle": ["yes", 1],
    "random_state": ["seed", -1, 1.5],
    "tol": [-1e-4, np.nan],
    "verbose": ["loud"],
    "warm_start": ["no", 0],
    "momentum": [-0.1, 1.5],
    "nesterovs_momentum": ["yes"],
    "early_stopping": ["yes"],
    "validation_fraction": [-0.1, 1, 1.5],
    "beta_1": [1, -0.1],
    "beta_2": [1.0, -0.1],
    "epsilon": [0, -1e-8],
    "n_iter_no_change": [0, -1, 2.5],
    "max_fun": [0, 1.5],
    "init": ["xavier", None],
    "negative_slope": [-0.1, 1.0],
    "dropout": [-0.1, 1.0, "x"],
    "batch_normalization": ["yes", 1, None],
    "class_weight": ["heavy", 3],
    "decay_rate": [0, 1.5],
    "decay_steps": [0, 2.5],
    "scoring": [3],
    "loss": ["hinge", None],
    "warmup_iter": [-1, 2.5],
    "weight_decay": [-0.1, "0.1"],
    "restore_best_weights": ["yes", 1],
    "label_smoothing": [-0.1, 1.0],
}
ALL_ESTIMATORS = [*ESTIMATORS, DeepNetRegressor]


@pytest.mark.parametrize("Estimator", ALL_ESTIMATORS)
def test_every_parameter_has_invalid_values_listed(Estimator):
    assert set(Estimator().get_params()) <= set(INVALID_PARAMS)


@pytest.mark.parametrize(
    "Estimator, name, value",
    [
        (Estimator, name, value)
        for Estimator in ALL_ESTIMATORS
        for name, values in INVALID_PARAMS.items()
        if name in Estimator().get_params()
        for value in values
    ],
)
def test_invalid_parameter_values_are_refused_by_name(Estimator, name, value):
    est = Estimator(**{name: value})
    y = X_IRIS[:, 0] if Estimator is DeepNetRegressor else Y_IRIS
    partial = {} if Estimator is DeepNetRegressor else {"classes": [0, 1, 2]}
    message = f"The '{name}' parameter of {Estimator.__name__} must be"
    with pytest.raises(ValueError, match=re.escape(message)):
        est.fit(X_IRIS, y)
    with pytest.raises(ValueError, match=re.escape(message)):
        est.partial_fit(X_IRIS, y, **partial)


def test_parameter_type_constraints_accept_numpy_scalars():
    # the validation must not reject NumPy's numbers for Python ones
    clf = _small(alpha=np.float32(1e-3), max_iter=np.int64(3), batch_size=np.int32(50),
                 learning_rate_init=np.float64(0.01)).fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 3
    assert isinstance(clf.n_iter_, Integral) and isinstance(clf.loss_, Real)


def test_unknown_parameter_name():
    with pytest.raises(ValueError, match="Invalid parameter 'hidden_layers' for estimator"):
        DeepNetClassifier().set_params(hidden_layers=(3,))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_batch_size_larger_than_the_data_warns_and_uses_full_batches(solver):
    # MLPClassifier's words, then ours
    with pytest.warns(UserWarning, match="^Got `batch_size` less than 1 or larger than sample "
                                         r"size\. It is going to be clipped \(batch_size=1000 is "
                                         "larger than the 150 training samples; using full "
                                         "batches"):
        big = _small(solver=solver, batch_size=1000).fit(X_IRIS, Y_IRIS)
    full = _small(solver=solver, batch_size=150).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(big.predict_proba(X_IRIS), full.predict_proba(X_IRIS))


# --------------------------------------------------------------------------------------
# partial_fit and its classes
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_first_call_needs_the_classes(Estimator):
    with pytest.raises(ValueError, match="classes must be passed on the first call to "
                                         "partial_fit.*classes=np.unique"):
        _small(Estimator).partial_fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize("classes", [[], [[0, 1], [1, 2]]], ids=["none", "2-D"])
def test_partial_fit_classes_must_list_labels(classes):
    with pytest.raises(ValueError, match="classes must list at least 1 label"):
        _small().partial_fit(X_IRIS, Y_IRIS, classes=classes)


def test_partial_fit_on_a_single_declared_class():
    clf = _small().partial_fit(X_IRIS[:50], Y_IRIS[:50], classes=[0])
    assert clf.predict(X_IRIS).tolist() == [0] * 150


def test_partial_fit_with_a_class_not_declared_on_the_first_call():
    clf = _small().partial_fit(X_IRIS[:100], Y_IRIS[:100], classes=[0, 1])
    # MLPClassifier's message, then ours
    with pytest.raises(ValueError, match=r"^`y` has classes not in `self.classes_`\. "
                                         r"`self.classes_` has \[0 1\]\. 'y' has \[0 1 2\]\..*"
                                         r"Declare every class with partial_fit\(\.\.\., "
                                         r"classes=\.\.\.\)"):
        clf.partial_fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match=r"classes=\[0, 1, 2\] differs from the classes of the "
                                         "first call"):
        clf.partial_fit(X_IRIS[:100], Y_IRIS[:100], classes=[0, 1, 2])


def test_partial_fit_with_lbfgs_names_the_other_solvers():
    # scikit-learn's available_if raises its own AttributeError; ours is its cause, shown in the
    # traceback
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
        _small(solver="lbfgs").partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    assert "partial_fit is not available for solver='lbfgs'; use one of" in str(
        info.value.__cause__
    )


# --------------------------------------------------------------------------------------
# Unscaled features: train well or say to scale them
# --------------------------------------------------------------------------------------


def _badly_scaled(kind):
    X = X_IRIS.copy()
    if kind in ("large", "mixed"):
        X[:, 0] *= 1e6
    if kind in ("small", "mixed"):
        X[:, 1:] *= 1e-6
    return X


@pytest.mark.parametrize("kind", ["large", "small", "mixed"])
@pytest.mark.parametrize(
    "Estimator, solver",
    [(DeepNetClassifier, s) for s in ["adam", "sgd", "gd", "agd", "lbfgs"]]
    + [(LogisticRegressionGD, s) for s in ["agd", "lbfgs"]],
)
def test_unscaled_features_are_reported(Estimator, solver, kind):
    """Features of 1e6 or 1e-6 magnitude either train as well as standardized ones or get a
    message saying to scale them.

    Gradient training on them can silently return a poor model (the constant majority model
    for 1e-6 features): the estimator must not stay quiet about it.
    """
    X = _badly_scaled(kind)
    clf = _small(Estimator, solver=solver, max_iter=100)
    reference = clone(clf).fit(X_IRIS, Y_IRIS).score(X_IRIS, Y_IRIS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            clf.fit(X, Y_IRIS)
        except ValueError as exc:
            assert "StandardScaler" in str(exc)
            return
    messages = [str(w.message) for w in caught]
    score = clf.score(X, Y_IRIS)
    assert score >= reference - 0.05 or any("StandardScaler" in m for m in messages), (
        f"accuracy {score:.2f} on unscaled features ({reference:.2f} on standardized ones) and "
        f"no message to scale them; warnings: {messages}"
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_ordinary_feature_scales_give_no_scaling_message(Estimator):
    """Standardized features and pixel-like counts (0 to 255) train without a scaling message."""
    pixels = np.round((X_IRIS - X_IRIS.min()) / np.ptp(X_IRIS) * 255)
    for X in (X_IRIS, pixels):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _small(Estimator, solver="lbfgs").fit(X, Y_IRIS)
        assert not [w for w in caught if "StandardScaler" in str(w.message)]
