"""Property-based tests (Hypothesis): invariants of the classifiers over random problems.

Strategies draw the data's shape and dtype, the label set (integers, strings, booleans, floats),
sample weights and the estimator's parameters. The ``sklearn_deepnet`` profile bounds the run
(a fixed number of examples per test, derandomized so CI sees the same examples every time, no
example database written to the working tree); set ``SKLEARN_DEEPNET_HYPOTHESIS_PROFILE=thorough``
for a longer search.
"""

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone

from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD
from sklearn_deepnet.nn import SOLVERS as REGISTERED_SOLVERS

settings.register_profile(
    "sklearn_deepnet",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("sklearn_deepnet"),
                          max_examples=500)
settings.load_profile(os.environ.get("SKLEARN_DEEPNET_HYPOTHESIS_PROFILE", "sklearn_deepnet"))

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore:The early-stopping validation split is not stratified:UserWarning",
    "ignore:batch_size=.* is larger than:UserWarning",
)

LABEL_SETS = {
    "int": [3, -1, 10, 7],
    "str": ["spam", "eggs", "ham", "bacon"],
    "bool": [True, False],
    "float": [1.0, -2.0, 4.0],  # integral: a classifier refuses "continuous" labels
}
SOLVERS = list(REGISTERED_SOLVERS)


@st.composite
def problems(draw, max_classes=4):
    """``(X, y, sample_weight)``: every class present, features in [-3, 3], float32 or 64."""
    kind = draw(st.sampled_from(sorted(LABEL_SETS)))
    labels = LABEL_SETS[kind]
    n_classes = draw(st.integers(2, min(len(labels), max_classes)))
    n_samples = draw(st.integers(2 * n_classes, 30))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    X = draw(hnp.arrays(dtype, (n_samples, n_features),
                        elements=st.floats(-3, 3, width=32, allow_subnormal=False)))
    order = draw(st.permutations(range(n_samples)))
    y = np.asarray(labels[:n_classes], dtype=object)[np.asarray(order) % n_classes]
    y = y.astype(type(labels[0]) if kind != "str" else str)
    sample_weight = None
    if draw(st.booleans()):
        # zero (sample absent) or of order 1: the L2 penalty is divided by each mini-batch's
        # total weight (as MLPClassifier does), so tiny weights make it huge by design
        weight = st.one_of(st.just(0.0), st.floats(0.25, 4))
        sample_weight = np.asarray(draw(st.lists(weight, min_size=n_samples,
                                                 max_size=n_samples)))
        sample_weight[0] = max(sample_weight[0], 0.5)  # not all zero
    return X, y, sample_weight


@st.composite
def estimators(draw):
    """A small DeepNetClassifier or LogisticRegressionGD with drawn parameters."""
    common = {
        "solver": draw(st.sampled_from(SOLVERS)),
        "alpha": draw(st.sampled_from([0.0, 1e-4, 1.0])),
        "max_iter": draw(st.integers(1, 15)),
        "random_state": draw(st.integers(0, 2**16)),
        "batch_size": draw(st.sampled_from(["auto", 1, 7])),
        "early_stopping": draw(st.booleans()),
    }
    if common["solver"] == "lbfgs":
        common["early_stopping"] = False  # ignored with a warning; tested elsewhere
    if common["early_stopping"]:
        common["validation_fraction"] = 0.3  # at least 2 validation samples from 4 samples
    if draw(st.booleans()):
        return LogisticRegressionGD(learning_rate_init=0.05, **common)
    return DeepNetClassifier(
        hidden_layer_sizes=draw(st.lists(st.integers(1, 6), max_size=2).map(tuple)),
        activation=draw(st.sampled_from(["relu", "tanh", "logistic", "leaky_relu",
                                         "identity"])),
        learning_rate_init=draw(st.sampled_from([1e-3, 1e-2])),
        **common,
    )


def _fit(clf, X, y, sample_weight):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            return clf.fit(X, y, sample_weight=sample_weight)
        except ValueError as exc:
            # an early-stopping split that drew only zero-weight samples is refused by design
            # (tested in test_bad_input.py): such an example is not a counterexample
            assume("split has zero weight" not in str(exc))
            raise


def _ties(proba):
    """Rows whose largest probability is shared by two classes (argmax is then arbitrary)."""
    top = np.sort(proba, axis=1)
    return top[:, -1] == top[:, -2]


@given(problem=problems(), clf=estimators())
def test_probabilities_and_predictions_are_consistent(problem, clf):
    X, y, sample_weight = problem
    clf = _fit(clf, X, y, sample_weight)
    np.testing.assert_array_equal(clf.classes_, np.unique(y))
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), len(clf.classes_))
    assert proba.dtype == X.dtype
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=10 * np.finfo(X.dtype).eps)
    predicted = clf.predict(X)
    assert predicted.dtype == clf.classes_.dtype
    clear = ~_ties(proba)
    np.testing.assert_array_equal(predicted[clear], clf.classes_[proba.argmax(axis=1)][clear])
    log_proba = clf.predict_log_proba(X)
    assert np.isfinite(log_proba).all() and (log_proba <= 0).all()
    with np.errstate(under="ignore"):
        np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-4 if X.dtype == np.float32
                                   else 1e-10, atol=1e-30)


@given(problem=problems(), clf=estimators())
def test_clone_and_refit_reproduce_the_model(problem, clf):
    X, y, sample_weight = problem
    first = _fit(clf, X, y, sample_weight)
    second = _fit(clone(first), X, y, sample_weight)
    np.testing.assert_array_equal(second._network.params, first._network.params)
    np.testing.assert_array_equal(second.predict_proba(X), first.predict_proba(X))
    assert second.loss_curve_ == first.loss_curve_


@given(problem=problems(), clf=estimators(), data=st.data())
def test_order_preserving_relabeling_gives_the_same_model(problem, clf, data):
    """Only the labels' order matters: renaming them without reordering changes nothing."""
    X, y, sample_weight = problem
    classes = np.unique(y)
    new_names = data.draw(st.lists(st.integers(-1000, 1000), min_size=len(classes),
                                   max_size=len(classes), unique=True).map(sorted))
    renamed = np.asarray(new_names)[np.searchsorted(classes, y)]
    original = _fit(clone(clf), X, y, sample_weight)
    relabeled = _fit(clone(clf), X, renamed, sample_weight)
    np.testing.assert_array_equal(relabeled.predict_proba(X), original.predict_proba(X))
    np.testing.assert_array_equal(
        relabeled.predict(X), np.asarray(new_names)[np.searchsorted(classes, original.predict(X))]
    )


@given(problem=problems(), data=st.data())
def test_reordering_the_class_labels_permutes_the_probabilities(problem, data):
    """A network with a symmetric start (zero weights) does not care how classes are ordered.

    ``LogisticRegressionGD`` starts from zero weights, so renaming the classes in another order
    only permutes the columns of ``predict_proba`` (up to rounding, the softmax summing its
    terms in another order). Compared in float64: in float32 that rounding can flip a line
    search's decision and visibly change the path.
    """
    X, y, sample_weight = problem
    X = X.astype(np.float64)
    classes = np.unique(y)
    permutation = np.asarray(data.draw(st.permutations(range(len(classes)))))
    solver = data.draw(st.sampled_from(["gd", "agd", "lbfgs"]))
    clf = LogisticRegressionGD(solver=solver, alpha=0.5, max_iter=30, learning_rate_init=0.1)
    original = _fit(clone(clf), X, y, sample_weight)
    # class i is renamed to the permutation[i]-th label: the sorted order changes
    renamed = classes[permutation][np.searchsorted(classes, y)]
    relabeled = _fit(clone(clf), X, renamed, sample_weight)
    expected = np.empty_like(original.predict_proba(X))
    expected[:, permutation] = original.predict_proba(X)
    np.testing.assert_allclose(relabeled.predict_proba(X), expected, atol=1e-6)


@given(problem=problems(), clf=estimators(), scale=st.sampled_from([0.25, 2.0, 8.0]))
def test_scaling_all_sample_weights_changes_nothing_without_penalty(problem, clf, scale):
    """The loss is a weighted mean: scaling every weight by a power of two is exact."""
    X, y, sample_weight = problem
    clf.set_params(alpha=0.0)
    weights = np.ones(len(y)) if sample_weight is None else sample_weight
    a = _fit(clone(clf), X, y, weights)
    b = _fit(clone(clf), X, y, weights * scale)
    np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), rtol=1e-5, atol=1e-6)


@given(problem=problems(), clf=estimators())
def test_unit_sample_weight_equals_no_sample_weight(problem, clf):
    """Weights of one change only the summation order: float64 keeps that below 1e-8.

    (In float32 the rounding differences can steer L-BFGS or Adam onto visibly different paths
    within a few iterations, so the comparison is made in float64.)
    """
    X, y, _ = problem
    X = X.astype(np.float64)
    a = _fit(clone(clf), X, y, None)
    b = _fit(clone(clf), X, y, np.ones(len(y)))
    np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), atol=1e-8)
