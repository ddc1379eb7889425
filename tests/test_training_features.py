"""Training features beyond MLPClassifier: dropout, class weights, a user validation set with
scoring, step/exponential decay, early stopping with partial_fit, the public gradient check."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_deepnet import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticRegressionGD,
    check_gradients,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


def _imbalanced(random_state=0):
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3, n_clusters_per_class=1,
        weights=[0.7, 0.2, 0.1], random_state=random_state,
    )
    return StandardScaler().fit_transform(X), y


def _quiet_fit(est, *args, **kwargs):
    with pytest.warns(ConvergenceWarning) if est.max_iter < 50 else _no_warning():
        return est.fit(*args, **kwargs)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- dropout -------------------------------------------------------------------------------------


def test_dropout_changes_training_but_not_prediction_determinism():
    params = dict(hidden_layer_sizes=(32, 16), max_iter=5, random_state=0)
    plain = _quiet_fit(DeepNetClassifier(**params), X_IRIS, Y_IRIS)
    dropped = _quiet_fit(DeepNetClassifier(dropout=0.5, **params), X_IRIS, Y_IRIS)
    assert not np.allclose(plain.coefs_[0], dropped.coefs_[0])  # training differs
    # predictions of a fitted model are deterministic: no mask at predict time
    np.testing.assert_array_equal(dropped.predict_proba(X_IRIS), dropped.predict_proba(X_IRIS))
    # and equal to a plain forward pass through the learned weights (nothing dropped, no scaling)
    A = X_IRIS
    for W, b in zip(dropped.coefs_[:-1], dropped.intercepts_[:-1], strict=True):
        A = np.maximum(A @ W + b, 0)
    logits = A @ dropped.coefs_[-1] + dropped.intercepts_[-1]
    np.testing.assert_allclose(dropped.decision_function(X_IRIS), logits, rtol=1e-10)
    # the same random_state gives the same dropout masks, hence the same model
    again = _quiet_fit(DeepNetClassifier(dropout=0.5, **params), X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(dropped.coefs_[0], again.coefs_[0])


def test_dropout_per_layer_rates_and_validation():
    clf = DeepNetClassifier((8, 4), dropout=[0.0, 0.3], max_iter=3, random_state=0)
    _quiet_fit(clf, X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="one rate per hidden layer"):
        DeepNetClassifier((8, 4), dropout=[0.1]).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match=r"in \[0, 1\)"):
        DeepNetClassifier((8, 4), dropout=[0.1, 1.0]).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="dropout makes the objective random"):
        DeepNetClassifier((8,), dropout=0.2, solver="lbfgs").fit(X_IRIS, Y_IRIS)


def test_dropout_rate_zero_is_exactly_no_dropout():
    params = dict(hidden_layer_sizes=(8,), max_iter=4, random_state=0)
    a = _quiet_fit(DeepNetClassifier(**params), X_IRIS, Y_IRIS)
    b = _quiet_fit(DeepNetClassifier(dropout=0.0, **params), X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


# -- class_weight --------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 3.0, 2: 7.0}])
def test_class_weight_equals_the_equivalent_sample_weight(Estimator, class_weight):
    X, y = _imbalanced()
    params = dict(solver="lbfgs", max_iter=30, random_state=0)
    if Estimator is DeepNetClassifier:
        params["hidden_layer_sizes"] = (6,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = Estimator(class_weight=class_weight, **params).fit(X, y)
        manual = Estimator(**params).fit(X, y, sample_weight=compute_sample_weight(class_weight, y))
    np.testing.assert_allclose(weighted.coefs_[0], manual.coefs_[0])
    np.testing.assert_allclose(weighted.loss_curve_, manual.loss_curve_)


def test_class_weight_multiplies_sample_weight():
    X, y = _imbalanced()
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    params = dict(solver="lbfgs", max_iter=20, random_state=0)
    a = LogisticRegressionGD(class_weight="balanced", **params)
    b = LogisticRegressionGD(**params)
    with pytest.warns(ConvergenceWarning):
        a.fit(X, y, sample_weight=sw)
    with pytest.warns(ConvergenceWarning):
        b.fit(X, y, sample_weight=sw * compute_sample_weight("balanced", y))
    np.testing.assert_allclose(a.coef_, b.coef_)


def test_balanced_class_weight_raises_recall_of_the_rare_class():
    X, y = _imbalanced(random_state=3)
    plain = LogisticRegressionGD(alpha=10.0).fit(X, y)
    balanced = LogisticRegressionGD(alpha=10.0, class_weight="balanced").fit(X, y)
    rare = y == 2
    assert (balanced.predict(X[rare]) == 2).mean() > (plain.predict(X[rare]) == 2).mean()


def test_class_weight_errors():
    X, y = _imbalanced()
    with pytest.raises(ValueError, match=r"keys \[7\] that are not classes"):
        LogisticRegressionGD(class_weight={7: 2.0}).fit(X, y)
    clf = DeepNetClassifier((4,), class_weight="balanced")
    with pytest.raises(ValueError, match="partial_fit never sees"):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    # a dict works batch by batch, even when a batch lacks a class
    clf = DeepNetClassifier((4,), class_weight={0: 1.0, 2: 5.0}, random_state=0)
    clf.partial_fit(X[y != 2], y[y != 2], classes=[0, 1, 2])
    clf.partial_fit(X, y)


def test_class_weight_for_multilabel_targets():
    X, Y = make_multilabel_classification(n_samples=80, n_classes=3, random_state=0)
    weights = [{0: 1.0, 1: 4.0}] * 3
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=15, random_state=0)
    a = DeepNetClassifier(class_weight=weights, **params)
    b = DeepNetClassifier(**params)
    with pytest.warns(ConvergenceWarning):
        a.fit(X, Y)
    with pytest.warns(ConvergenceWarning):
        b.fit(X, Y, sample_weight=compute_sample_weight(weights, Y))
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0])


# -- a validation set of the user's own ----------------------------------------------------------


def _split(X, y, n_val=50, seed=0):
    order = np.random.RandomState(seed).permutation(len(y))
    return X[order[n_val:]], y[order[n_val:]], X[order[:n_val]], y[order[:n_val]]


def test_given_validation_set_is_the_one_scored():
    X, y = _imbalanced()
    X_tr, y_tr, X_val, y_val = _split(X, y)
    epochs = []

    def scorer(estimator, X, y_true):
        """Accuracy, recording by hand what each epoch's model does on the given set."""
        assert X is X_val or np.array_equal(X, X_val)
        epochs.append((accuracy_score(y_val, estimator.predict(X_val)),
                       log_loss(y_val, estimator.predict_proba(X_val))))
        return accuracy_score(y_true, estimator.predict(X))

    clf = DeepNetClassifier((10,), max_iter=6, random_state=0, scoring=scorer)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_tr, y_tr, X_val=X_val, y_val=y_val)
    assert clf.t_ == 6 * len(y_tr)  # nothing of X_tr was held out
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == 6
    np.testing.assert_allclose(clf.validation_scores_, [acc for acc, _ in epochs])
    np.testing.assert_allclose(clf.validation_loss_curve_, [loss for _, loss in epochs])
    assert clf.best_validation_score_ is None  # monitoring only, no early stopping


def test_scoring_loss_records_the_negated_validation_loss():
    X, y = _imbalanced()
    X_tr, y_tr, X_val, y_val = _split(X, y)
    clf = DeepNetClassifier((10,), max_iter=4, random_state=0, scoring="loss")
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_tr, y_tr, X_val=X_val, y_val=y_val)
    np.testing.assert_allclose(clf.validation_scores_, -np.array(clf.validation_loss_curve_))
    np.testing.assert_allclose(
        clf.validation_loss_curve_[-1], log_loss(y_val, clf.predict_proba(X_val)), rtol=1e-10
    )


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, DeepNetRegressor])
def test_default_scoring_is_mlps_rule(Estimator):
    """scoring=None: accuracy for classifiers, R^2 for regressors, as MLPClassifier/Regressor."""
    X, y = _imbalanced()
    if Estimator is DeepNetRegressor:
        y = X[:, 0] + X[:, 1]  # a real-valued target
    X_tr, y_tr, X_val, y_val = _split(X, y)
    est = Estimator(hidden_layer_sizes=(10,), max_iter=4, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X_tr, y_tr, X_val=X_val, y_val=y_val)
    assert est.validation_scores_[-1] == pytest.approx(est.score(X_val, y_val), rel=1e-12)
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == 4


def test_weighted_validation_set():
    X, y = _imbalanced()
    X_tr, y_tr, X_val, y_val = _split(X, y)
    w_val = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y_val))
    clf = DeepNetClassifier((10,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_tr, y_tr, X_val=X_val, y_val=y_val, sample_weight_val=w_val)
    expected = log_loss(y_val, clf.predict_proba(X_val), sample_weight=w_val)
    np.testing.assert_allclose(clf.validation_loss_curve_[-1], expected, rtol=1e-10)


def test_early_stopping_on_a_given_set_restores_the_best_epoch():
    X, y = make_classification(n_samples=200, n_features=20, n_informative=3, random_state=0)
    X_tr, y_tr, X_val, y_val = _split(X, y, n_val=60)
    clf = DeepNetClassifier(
        (128, 128), learning_rate_init=0.01, early_stopping=True, n_iter_no_change=5,
        max_iter=300, random_state=0, scoring="loss",
    ).fit(X_tr, y_tr, X_val=X_val, y_val=y_val)
    best = int(np.argmax(clf.validation_scores_))
    assert clf.n_iter_ == best + 1 + 6  # stopped after n_iter_no_change + 1 epochs without gain
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # the restored weights are the best epoch's: their validation loss is the best one
    assert -log_loss(y_val, clf.predict_proba(X_val)) == pytest.approx(
        clf.best_validation_score_, rel=1e-9
    )
    assert clf.t_ == clf.n_iter_ * len(y_tr)  # trained on all of X_tr


def test_validation_set_errors():
    X, y = _imbalanced()
    clf = DeepNetClassifier((4,), max_iter=2)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        clf.fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="`y_val` has classes not in `self.classes_`.*"
                                         "only hold classes seen in training"):
        clf.fit(X, y, X_val=X[:5], y_val=np.array([0, 1, 2, 3, 3]))
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.fit(X, y, X_val=X[:5, :3], y_val=y[:5])
    with pytest.raises(ValueError, match="sample_weight_val has shape"):
        clf.fit(X, y, X_val=X[:5], y_val=y[:5], sample_weight_val=np.ones(4))
    with pytest.raises(ValueError, match="X_val has 5 samples but y_val has 4"):
        clf.fit(X, y, X_val=X[:5], y_val=y[:4])


def test_zero_weight_validation_split_is_a_clear_error():
    X, y = _imbalanced()
    weights = np.zeros(len(y))
    weights[:3] = 1.0  # the 30 held-out samples almost surely all weigh 0
    clf = DeepNetClassifier((4,), early_stopping=True, random_state=0)
    with pytest.raises(ValueError, match="validation split has zero weight"):
        clf.fit(X, y, sample_weight=weights)


def test_partial_fit_with_early_stopping_on_a_validation_set():
    X, y = make_classification(n_samples=200, n_features=20, n_informative=3, random_state=0)
    X_tr, y_tr, X_val, y_val = _split(X, y, n_val=60)
    clf = DeepNetClassifier((128, 128), learning_rate_init=0.01, early_stopping=True,
                            n_iter_no_change=3, random_state=0, scoring="loss")
    calls = 0
    while calls < 100:
        calls += 1
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf.partial_fit(X_tr, y_tr, classes=[0, 1], X_val=X_val, y_val=y_val)
        if any("weights of the best call" in str(w.message) for w in caught):
            break
    best = int(np.argmax(clf.validation_scores_))
    assert calls == best + 1 + 4  # the call after n_iter_no_change + 1 calls without gain
    assert -log_loss(y_val, clf.predict_proba(X_val)) == pytest.approx(
        clf.best_validation_score_, rel=1e-9
    )


def test_partial_fit_after_an_early_stopping_fit_needs_a_validation_set():
    X, y = _imbalanced()
    clf = DeepNetClassifier((8,), early_stopping=True, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    # MLPClassifier's error (it supports no early stopping in partial_fit), then our way out
    with pytest.raises(ValueError, match="^partial_fit does not support early_stopping=True "
                                         "without a validation set.*Pass X_val and y_val"):
        clf.partial_fit(X, y)
    n_scores, t = len(clf.validation_scores_), clf.t_
    before = clf.coefs_[0].copy()
    clf.set_params(early_stopping=False).partial_fit(X, y)  # one plain epoch
    assert clf.t_ == t + len(y)
    assert not np.allclose(before, clf.coefs_[0])
    assert len(clf.validation_scores_) == n_scores


def test_toggling_early_stopping_between_warm_starts():
    X, y = _imbalanced()
    clf = DeepNetClassifier((8,), warm_start=True, max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    clf.set_params(early_stopping=True)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert len(clf.validation_scores_) == 5
    clf.set_params(early_stopping=False)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert len(clf.loss_curve_) == 15


def test_multilabel_partial_fit_learns():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = DeepNetClassifier((16,), learning_rate_init=0.01, random_state=0)
    first = None
    for epoch in range(30):
        for rows in np.array_split(np.arange(len(X)), 4):
            clf.partial_fit(X[rows], Y[rows], classes=[0, 1, 2])
        if epoch == 0:
            first = clf.score(X, Y)
    assert clf.predict(X).shape == Y.shape
    assert clf.score(X, Y) > first


# -- learning-rate decay -------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
@pytest.mark.parametrize(
    "schedule, formula",
    [
        ("step", lambda epoch: 0.1 * 0.5 ** (epoch // 3)),
        ("exponential", lambda epoch: 0.1 * 0.5 ** (epoch / 3)),
        ("invscaling", None),
        ("constant", lambda epoch: 0.1),
    ],
)
def test_schedules_follow_their_formulas_step_by_step(solver, schedule, formula):
    clf = DeepNetClassifier((4,), solver=solver, learning_rate=schedule, learning_rate_init=0.1,
                            decay_rate=0.5, decay_steps=3, random_state=0)
    for epoch in range(1, 9):
        clf.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
        # after an epoch, the step of the next one: as MLPClassifier's invscaling
        expected = (
            0.1 / (epoch * len(X_IRIS) + 1) ** clf.power_t if formula is None else formula(epoch)
        )
        assert clf._optimizer.learning_rate == pytest.approx(expected, rel=1e-12)


def test_step_decay_in_fit_matches_partial_fit():
    params = dict(hidden_layer_sizes=(4,), solver="sgd", learning_rate="step", decay_steps=2,
                  shuffle=False, random_state=0)
    fitted = DeepNetClassifier(max_iter=5, **params)
    with pytest.warns(ConvergenceWarning):
        fitted.fit(X_IRIS, Y_IRIS)
    stepped = DeepNetClassifier(**params)
    for _ in range(5):
        stepped.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    np.testing.assert_allclose(fitted.loss_curve_, stepped.loss_curve_)
    np.testing.assert_array_equal(fitted.coefs_[0], stepped.coefs_[0])


# -- the public gradient check -------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("fitted", [False, True])
def test_check_gradients_on_every_activation(activation, fitted):
    clf = DeepNetClassifier((5, 3), activation=activation, alpha=0.3, random_state=0)
    if activation in ("relu", "leaky_relu"):
        # zero biases (at initialization, and of units that never fire) put samples whose
        # first-layer units are all off exactly on the second layer's kink, where finite
        # differences disagree, as the docstring says; deep ReLU networks with random biases
        # are checked in test_gradients.py
        clf.set_params(hidden_layer_sizes=(5,))
    if fitted:
        clf.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])
    assert check_gradients(clf, X_IRIS[::10], Y_IRIS[::10]) < 2e-7


def test_check_gradients_covers_dropout_class_weight_and_regression():
    X, y = _imbalanced()
    X, y = X[:12], y[:12]
    clf = DeepNetClassifier((6, 4), activation="tanh", dropout=[0.5, 0.3], alpha=0.1,
                            class_weight="balanced", random_state=0)
    assert check_gradients(clf, X, y, sample_weight=np.linspace(0.5, 2, 12)) < 2e-7
    reg = DeepNetRegressor(hidden_layer_sizes=(5,), activation="logistic", alpha=0.2,
                           dropout=0.3, random_state=0)
    assert check_gradients(reg, X, np.c_[y, -y] + 0.5) < 2e-7
    poisson = DeepNetRegressor(loss="poisson", hidden_layer_sizes=(4,), activation="tanh",
                               random_state=0)
    assert check_gradients(poisson, X, y) < 2e-7


def test_check_gradients_on_a_fitted_model_leaves_it_untouched():
    clf = LogisticRegressionGD(alpha=0.5, max_iter=20)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_IRIS, Y_IRIS)
    before = clf.coef_.copy()
    assert check_gradients(clf, X_IRIS[::5], Y_IRIS[::5]) < 2e-7
    np.testing.assert_array_equal(clf.coef_, before)


def test_check_gradients_validates_the_parameters():
    with pytest.raises(ValueError, match="'loss' parameter of DeepNetRegressor"):
        check_gradients(DeepNetRegressor((8,)), X_IRIS, Y_IRIS.astype(float))


def test_check_gradients_catches_a_broken_backward_pass(monkeypatch):
    from sklearn_deepnet.nn.activations import Tanh

    monkeypatch.setattr(Tanh, "backward", lambda self, dA, A, Z: dA * (1 - A))  # wrong: 1 - a
    clf = DeepNetClassifier((5,), activation="tanh", random_state=0)
    assert check_gradients(clf, X_IRIS[::10], Y_IRIS[::10]) > 1e-3


def test_verbose_lines_of_parallel_fits_say_which_fit_they_belong_to(capsys):
    """Under GridSearchCV(n_jobs=2) each line starts with its worker and fit; each fit's first
    line names the estimator and the parameters it was given."""
    import joblib
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(
        DeepNetClassifier((4,), max_iter=3, verbose=True, random_state=0),
        {"learning_rate_init": [0.01, 0.02]}, cv=2, n_jobs=2,
    )
    with warnings.catch_warnings(), joblib.parallel_backend("threading"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_IRIS, Y_IRIS)
    lines = capsys.readouterr().out.splitlines()
    iterations = [line for line in lines if "Iteration" in line]
    in_workers = [line for line in iterations if line.startswith("[worker ")]
    assert len({line.split("]")[0] for line in in_workers}) == 4  # the 4 CV fits, told apart
    assert len(iterations) - len(in_workers) == 3  # the refit, in the main thread: plain lines
    headers = [line for line in lines if "fitting DeepNetClassifier(" in line]
    assert len(headers) == 4 and any("learning_rate_init=0.02" in line for line in headers)


def test_verbose_lines_in_the_main_thread_are_mlpclassifiers(capsys):
    clf = DeepNetClassifier((4,), max_iter=2, verbose=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_IRIS, Y_IRIS)
    assert capsys.readouterr().out.startswith("Iteration 1, loss = ")
