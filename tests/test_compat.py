"""Drop-in compatibility of DeepNetClassifier with scikit-learn's MLPClassifier."""

import numbers

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# --------------------------------------------------------------------------------------
# Constructor parameters
# --------------------------------------------------------------------------------------


def test_get_params_superset_of_mlp_with_same_defaults():
    ours = DeepNetClassifier().get_params()
    theirs = MLPClassifier().get_params()
    for key, value in theirs.items():
        assert key in ours, f"missing MLPClassifier parameter {key!r}"
        assert ours[key] == value, f"default of {key!r}: {ours[key]!r} != {value!r}"
        assert type(ours[key]) is type(value), f"type of default {key!r} differs"
    assert set(ours) - set(theirs) == {
        "init",
        "negative_slope",
        "dropout",
        "batch_normalization",
        "class_weight",
        "scoring",
        "decay_rate",
        "decay_steps",
        "label_smoothing",
        "warmup_iter",
        "weight_decay",
        "restore_best_weights",
    }
    assert ours["init"] == "auto"
    assert ours["negative_slope"] == 0.01


def test_constructor_signature_positional_like_mlp():
    # MLPClassifier accepts hidden_layer_sizes and activation positionally.
    clf = DeepNetClassifier((7, 3), "tanh")
    assert clf.hidden_layer_sizes == (7, 3)
    assert clf.activation == "tanh"
    with pytest.raises(TypeError):
        DeepNetClassifier((7,), "tanh", "adam")  # solver is keyword-only, as in MLPClassifier


# --------------------------------------------------------------------------------------
# A script written for MLPClassifier runs unchanged with DeepNetClassifier
# --------------------------------------------------------------------------------------


def _kind(value):
    """A type/shape description of an attribute, comparable across implementations."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.kind)
    if isinstance(value, (list, tuple)):
        # a list subclass (DeepNetClassifier's writable parameter list) is still a list
        kind = "list" if isinstance(value, list) else type(value).__name__
        return (kind, len(value), tuple(_kind(v) for v in value))
    return type(value).__name__


def _mlp_user_script(cls):
    """Code a user wrote against MLPClassifier; returns what it observed."""
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    out = {}

    clf = cls(hidden_layer_sizes=(8, 6), max_iter=20, random_state=0)
    clf.fit(X, y)
    out["classes_"] = clf.classes_
    out["predict"] = clf.predict(X)
    proba = clf.predict_proba(X)
    out["predict_proba"] = proba
    out["proba_rows_sum_to_one"] = bool(np.allclose(proba.sum(axis=1), 1.0))
    out["log_proba_matches"] = bool(np.allclose(clf.predict_log_proba(X), np.log(proba), atol=1e-6))
    out["predict_is_argmax"] = bool(
        np.array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    )
    out["score"] = clf.score(X, y)
    out["loss_"] = clf.loss_
    out["loss_curve_"] = clf.loss_curve_
    out["coefs_"] = clf.coefs_
    out["intercepts_"] = clf.intercepts_
    out["n_layers_"] = clf.n_layers_
    out["n_outputs_"] = clf.n_outputs_
    out["out_activation_"] = clf.out_activation_
    out["n_iter_"] = clf.n_iter_
    out["n_iter_value"] = ("value", clf.n_iter_)
    out["t_"] = ("value", clf.t_)
    out["best_loss_"] = clf.best_loss_
    out["validation_scores_"] = clf.validation_scores_
    out["best_validation_score_"] = clf.best_validation_score_
    out["n_features_in_"] = ("value", clf.n_features_in_)
    out["loss_is_last_of_curve"] = bool(np.isclose(clf.loss_, clf.loss_curve_[-1]))
    out["best_loss_is_min_of_curve"] = bool(np.isclose(clf.best_loss_, min(clf.loss_curve_)))

    # warm_start refit continues from the current weights
    first_loss = clf.loss_curve_[0]
    clf.set_params(warm_start=True, max_iter=10)
    clf.fit(X, y)
    out["warm_len_loss_curve_"] = ("value", len(clf.loss_curve_))
    out["warm_t_"] = ("value", clf.t_)
    out["warm_continues"] = bool(clf.loss_curve_[-10] < first_loss)

    # partial_fit with classes on the first call
    pf = cls(hidden_layer_sizes=(8,), random_state=0)
    pf.partial_fit(X[::2], y[::2], classes=np.unique(y))
    pf.partial_fit(X[1::2], y[1::2])
    out["pf_classes_"] = pf.classes_
    out["pf_t_"] = ("value", pf.t_)
    out["pf_len_loss_curve_"] = ("value", len(pf.loss_curve_))
    out["pf_predict"] = pf.predict(X)
    out["pf_coefs_"] = pf.coefs_

    # binary problem: one logistic output unit
    yb = (y == 2).astype(int)
    bc = cls(hidden_layer_sizes=(5,), max_iter=10, random_state=0).fit(X, yb)
    out["bin_n_outputs_"] = ("value", bc.n_outputs_)
    out["bin_out_activation_"] = bc.out_activation_
    out["bin_coefs_"] = bc.coefs_
    out["bin_predict_proba"] = bc.predict_proba(X)

    # early stopping
    es = cls(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        learning_rate_init=0.05,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    out["es_best_loss_"] = es.best_loss_
    out["es_validation_scores_len_ok"] = len(es.validation_scores_) == es.n_iter_
    out["es_validation_scores_type"] = type(es.validation_scores_).__name__
    out["es_scores_are_real"] = all(isinstance(v, numbers.Real) for v in es.validation_scores_)
    out["es_best_validation_score_"] = es.best_validation_score_
    out["es_best_is_max"] = bool(np.isclose(es.best_validation_score_, max(es.validation_scores_)))
    out["es_stopped_early"] = es.n_iter_ < 200
    n_train = X.shape[0] - int(np.ceil(0.2 * X.shape[0]))
    out["es_t_is_epochs_times_train_size"] = es.t_ == es.n_iter_ * n_train
    return out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_script_runs_unchanged():
    ref = _mlp_user_script(MLPClassifier)
    ours = _mlp_user_script(DeepNetClassifier)
    assert set(ours) == set(ref)
    mismatches = {}
    for key in ref:
        a, b = _kind(ref[key]), _kind(ours[key])
        if isinstance(ref[key], bool) or (isinstance(ref[key], tuple) and ref[key][0] == "value"):
            a, b = ref[key], ours[key]
        if key in ("classes_", "pf_classes_"):
            a, b = ref[key].tolist(), ours[key].tolist()
        if a != b:
            mismatches[key] = (a, b)
    assert not mismatches, f"MLPClassifier vs DeepNetClassifier: {mismatches}"
    # sanity: the reference itself is what we think it is
    assert [c.shape for c in ours["coefs_"]] == [(4, 8), (8, 6), (6, 3)]
    assert [b.shape for b in ours["intercepts_"]] == [(8,), (6,), (3,)]
    assert ours["n_layers_"] == 4
    assert ours["out_activation_"] == "softmax"
    assert ours["bin_out_activation_"] == "logistic"
    assert ours["es_best_loss_"] is None
    assert ours["validation_scores_"] is None and ours["best_validation_score_"] is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_n_iter_counts_the_last_call_like_mlp(iris):
    # MLPClassifier: n_iter_ is the number of epochs run by the last fit/partial_fit call
    # (it never exceeds max_iter), while loss_curve_ and t_ accumulate.
    X, y = iris
    for cls in (MLPClassifier, DeepNetClassifier):
        clf = cls(hidden_layer_sizes=(5,), max_iter=20, random_state=0, warm_start=True)
        clf.fit(X, y)
        clf.set_params(max_iter=10)
        clf.fit(X, y)
        assert clf.n_iter_ == 10, cls.__name__
        assert len(clf.loss_curve_) == 30, cls.__name__
        pf = cls(hidden_layer_sizes=(5,), random_state=0)
        pf.partial_fit(X, y, classes=np.unique(y))
        pf.partial_fit(X, y)
        assert pf.n_iter_ == 1, cls.__name__
        assert len(pf.loss_curve_) == 2, cls.__name__


# --------------------------------------------------------------------------------------
# predict_log_proba stays finite where exp underflows
# --------------------------------------------------------------------------------------


def _extreme_problem(kind):
    if kind == "multilabel":
        X, Y = make_multilabel_classification(
            n_samples=80, n_features=6, n_classes=3, random_state=0
        )
        X = StandardScaler().fit_transform(X)
        return X, Y
    n_classes = 2 if kind == "binary" else 3
    X, y = make_classification(
        n_samples=90,
        n_features=6,
        n_informative=4,
        n_classes=n_classes,
        random_state=0,
    )
    return X, y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_predict_log_proba_finite_for_extreme_inputs(kind):
    X, y = _extreme_problem(kind)
    clf = DeepNetClassifier(hidden_layer_sizes=(10,), max_iter=30, random_state=0).fit(X, y)
    # for ordinary inputs it is log(predict_proba)
    assert np.allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)), atol=1e-8)

    X_big = X * 1e6
    log_proba = clf.predict_log_proba(X_big)
    n_out = y.shape[1] if kind == "multilabel" else len(np.unique(y))
    assert log_proba.shape == (X.shape[0], n_out)
    assert np.all(np.isfinite(log_proba)), "predict_log_proba returned -inf/nan"
    assert np.all(log_proba <= 0)
    # exp would underflow here: the log-probabilities are far below log(tiny)
    assert log_proba.min() < np.log(np.finfo(np.float64).tiny)

    # and they are the exact log-probabilities implied by the logits
    logits = clf.decision_function(X_big)
    if kind == "binary":
        assert logits.shape == (X.shape[0],)
        expected = np.column_stack([-np.logaddexp(0, logits), -np.logaddexp(0, -logits)])
    elif kind == "multiclass":
        lse = np.logaddexp.reduce(logits, axis=1, keepdims=True)
        expected = logits - lse
    else:
        expected = -np.logaddexp(0, -logits)
    np.testing.assert_allclose(log_proba, expected, rtol=1e-6, atol=1e-8)
    # the probabilities are the exponent of it
    with np.errstate(under="ignore"):
        np.testing.assert_allclose(clf.predict_proba(X_big), np.exp(log_proba), atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_logistic_predict_log_proba_finite_for_extreme_inputs():
    X, y = _extreme_problem("multiclass")
    clf = LogisticRegressionGD(alpha=1e-3).fit(X, y)
    log_proba = clf.predict_log_proba(X * 1e6)
    assert np.all(np.isfinite(log_proba))
    assert log_proba.min() < np.log(np.finfo(np.float64).tiny)


# --------------------------------------------------------------------------------------
# Parameter combinations that must be refused, never silently ignored
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["lbfgs", "agd"])
@pytest.mark.parametrize("learning_rate", ["adaptive", "invscaling"])
@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_learning_rate_schedule_refused_by_full_batch_solvers(
    Estimator, solver, learning_rate, iris
):
    X, y = iris
    params = dict(solver=solver, learning_rate=learning_rate, max_iter=5)
    if Estimator is DeepNetClassifier:
        params["hidden_layer_sizes"] = (3,)
    with pytest.raises(ValueError, match="learning_rate"):
        Estimator(**params).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=5
@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_early_stopping_with_lbfgs_warns_instead_of_being_silently_ignored(Estimator, iris):
    # MLPClassifier code with solver="lbfgs", early_stopping=True must still run
    X, y = iris
    with pytest.warns(UserWarning, match="early_stopping=True is ignored by solver='lbfgs'"):
        est = Estimator(solver="lbfgs", early_stopping=True, max_iter=5).fit(X, y)
    assert est.validation_scores_ is None
    with pytest.warns(UserWarning, match="^X_val/y_val is ignored by solver='lbfgs'"):
        Estimator(solver="lbfgs", max_iter=5).fit(X, y, X_val=X, y_val=y)
    with pytest.warns(UserWarning, match="early_stopping=True and X_val/y_val are ignored"):
        Estimator(solver="lbfgs", early_stopping=True, max_iter=5).fit(X, y, X_val=X, y_val=y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
@pytest.mark.parametrize("solver", ["gd", "agd"])
def test_early_stopping_never_silently_ignored(Estimator, solver, iris):
    # a full-batch solver either refuses early_stopping or really holds out and scores
    X, y = iris
    est = Estimator(solver=solver, early_stopping=True, max_iter=5)
    try:
        est.fit(X, y)
    except ValueError as exc:
        assert "early_stopping" in str(exc)
        return
    assert isinstance(est.validation_scores_, list)
    assert len(est.validation_scores_) == est.n_iter_ > 0
    assert est.best_validation_score_ == max(est.validation_scores_)


def test_early_stopping_with_zero_validation_fraction_is_a_clear_error(iris):
    X, y = iris
    clf = DeepNetClassifier(hidden_layer_sizes=(3,), early_stopping=True, validation_fraction=0.0)
    with pytest.raises(ValueError, match="validation_fraction"):
        clf.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "sgd", "gd"])
def test_learning_rate_schedule_is_honoured(solver, iris):
    # MLPClassifier silently ignores learning_rate for adam; we must not.
    X, y = iris
    common = dict(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
    const = DeepNetClassifier(learning_rate="constant", **common).fit(X, y)
    inv = DeepNetClassifier(learning_rate="invscaling", **common).fit(X, y)
    assert not np.allclose(const.coefs_[0], inv.coefs_[0])


def test_convergence_warning_class_used(iris):
    # cutting max_iter must produce sklearn's ConvergenceWarning (users filter on it)
    X, y = iris
    with pytest.warns(ConvergenceWarning):
        DeepNetClassifier(hidden_layer_sizes=(5,), max_iter=2, random_state=0).fit(X, y)
