"""The training toolbox of the course's second part: schedules with a budget, decoupled weight
decay, label smoothing and restoring the best epoch, each checked against its definition."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticRegressionGD,
    check_gradients,
    dump,
    load,
)
from sklearn_deepnet.nn import Objective
from sklearn_deepnet.training.schedules import SCHEDULES

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


class _Params:
    """The parameters a schedule reads, and nothing else."""

    def __init__(self, **params):
        defaults = dict(learning_rate_init=0.1, max_iter=10, warmup_iter=0, power_t=0.5,
                        decay_rate=0.5, decay_steps=10, _epochs_total=0)
        self.__dict__.update(defaults, **params)


def _fit_quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


# -- schedules with a budget -------------------------------------------------------------------


def test_cosine_rates_by_hand():
    schedule = SCHEDULES["cosine"](_Params(max_iter=10, warmup_iter=3))
    warmup = [1 / 4, 2 / 4, 3 / 4]
    decay = [0.5 * (1 + math.cos(math.pi * (e - 3) / 7)) for e in range(3, 10)]
    np.testing.assert_allclose([schedule.fraction(e) for e in range(10)], warmup + decay)
    assert schedule.fraction(3) == 1.0 and 0 < schedule.fraction(9) < 0.06
    assert schedule.fraction(25) == schedule.fraction(9)  # past the budget it stays there


def test_cosine_without_warmup_starts_at_the_full_rate():
    schedule = SCHEDULES["cosine"](_Params(max_iter=4))
    np.testing.assert_allclose(
        [schedule.fraction(e) for e in range(4)],
        [1.0, 0.5 * (1 + math.cos(math.pi / 4)), 0.5, 0.5 * (1 + math.cos(3 * math.pi / 4))],
    )


def test_one_cycle_rates_by_hand():
    schedule = SCHEDULES["one_cycle"](_Params(max_iter=11))  # warm-up: 30 % of 11 -> 3
    assert schedule.warmup_iter == 3
    rising = [1 / 25 + (1 - 1 / 25) * 0.5 * (1 - math.cos(math.pi * e / 3)) for e in range(3)]
    falling = [1 / 25e4 + (1 - 1 / 25e4) * 0.5 * (1 + math.cos(math.pi * p / 7))
               for p in range(8)]
    np.testing.assert_allclose([schedule.fraction(e) for e in range(11)], rising + falling)
    assert schedule.fraction(10) == pytest.approx(1 / 25e4)
    given = SCHEDULES["one_cycle"](_Params(max_iter=11, warmup_iter=5))
    assert given.warmup_iter == 5 and given.fraction(5) == 1.0


def test_partial_fit_steps_through_the_planned_rates():
    """Each partial_fit call is one epoch of the plan: the solver runs at the planned rate."""
    clf = DeepNetClassifier((5,), solver="sgd", learning_rate="cosine", warmup_iter=2,
                            max_iter=6, learning_rate_init=0.2, random_state=0)
    plan = SCHEDULES["cosine"](clf)
    used = []
    for _ in range(8):
        clf.partial_fit(X_IRIS, Y_IRIS, classes=np.unique(Y_IRIS))
        used.append(clf._optimizer.learning_rate)  # the rate set for the next epoch
    expected = [0.2 * plan.fraction(e) for e in range(1, 9)]
    np.testing.assert_allclose(used, expected)


@pytest.mark.parametrize("schedule", ["cosine", "one_cycle"])
def test_a_completed_schedule_is_not_a_convergence_failure(schedule):
    clf = DeepNetClassifier((8,), learning_rate=schedule, max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X_IRIS, Y_IRIS)
    assert clf.n_iter_ == 15
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        DeepNetClassifier((8,), max_iter=15, random_state=0).fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize("schedule", ["cosine", "one_cycle"])
def test_a_plan_is_not_cut_short_by_a_training_loss_plateau(schedule):
    """tol=1.0 makes every epoch a non-improvement: only a plan runs all max_iter epochs."""
    kwargs = dict(hidden_layer_sizes=(8,), max_iter=30, tol=1.0, n_iter_no_change=2,
                  random_state=0)
    assert DeepNetClassifier(learning_rate=schedule, **kwargs).fit(X_IRIS, Y_IRIS).n_iter_ == 30
    assert DeepNetClassifier(**kwargs).fit(X_IRIS, Y_IRIS).n_iter_ == 4
    stopped = DeepNetClassifier(learning_rate=schedule, early_stopping=True, **kwargs)
    assert stopped.fit(X_IRIS, Y_IRIS).n_iter_ == 4  # early stopping still ends it


def test_each_fit_restarts_the_plan():
    clf = DeepNetClassifier((8,), learning_rate="cosine", warm_start=True, max_iter=5,
                            learning_rate_init=0.01, random_state=0)
    clf.fit(X_IRIS, Y_IRIS)
    first = clf._optimizer.learning_rate
    clf.fit(X_IRIS, Y_IRIS)
    assert clf._optimizer.learning_rate == first  # the same plan again, not its continuation


@pytest.mark.parametrize("solver", ["lbfgs", "agd"])
def test_schedules_are_refused_by_solvers_without_a_learning_rate(solver):
    with pytest.raises(ValueError, match="learning_rate='cosine' is a schedule"):
        DeepNetClassifier(solver=solver, learning_rate="cosine").fit(X_IRIS, Y_IRIS)


# -- decoupled weight decay --------------------------------------------------------------------


def _start(est, X, y):
    """The estimator's initial weights as hand-set lists, and the objective at them."""
    objective, X64, Y, sample_weight, _ = est._training_objective(X, y)
    network = objective.network
    return network, objective, X64, Y


def test_weight_decay_with_gradient_descent_by_hand():
    """One gd step: weights * (1 - lr * wd) - lr * grad; biases without the decay."""
    lr, wd = 0.3, 0.2
    est = DeepNetClassifier((4,), solver="gd", learning_rate_init=lr, weight_decay=wd,
                            max_iter=1, random_state=0, warm_start=True)
    network, objective, X, Y = _start(est, X_IRIS, Y_IRIS)
    start = network.params.copy()
    _, grad = objective.loss_and_gradient(X, Y)
    est.coefs_, est.intercepts_ = network.coefs, network.intercepts  # start fit from them
    _fit_quietly(est, X_IRIS, Y_IRIS)
    expected = start - lr * grad
    expected[: network.n_coef] -= lr * wd * start[: network.n_coef]
    np.testing.assert_allclose(est._network.params, expected, rtol=1e-12, atol=1e-14)


def test_adam_with_weight_decay_is_adamw():
    """Three full-batch Adam steps against AdamW written out (Loshchilov & Hutter, alg. 2, with
    Kingma & Ba's step size ``lr_t``, as scikit-learn's Adam)."""
    lr, wd, b1, b2, eps = 0.05, 0.5, 0.9, 0.999, 1e-8
    est = DeepNetClassifier((4,), solver="adam", learning_rate_init=lr, weight_decay=wd,
                            batch_size=len(X_IRIS), shuffle=False, max_iter=3, random_state=0,
                            warm_start=True)
    network, objective, X, Y = _start(est, X_IRIS, Y_IRIS)
    theta = start = network.params.copy()
    decayed = np.zeros_like(theta, dtype=bool)
    decayed[: network.n_coef] = True
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t in range(1, 4):
        network.params[...] = theta
        _, g = objective.loss_and_gradient(X, Y)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        lr_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        theta = theta - lr_t * m / (np.sqrt(v) + eps) - lr * wd * theta * decayed
    network.params[...] = start  # the warm-started fit starts from the same weights
    _fit_quietly(est, X_IRIS, Y_IRIS)
    np.testing.assert_allclose(est._network.params, theta, rtol=1e-9, atol=1e-12)


def test_weight_decay_shrinks_the_weights():
    kwargs = dict(hidden_layer_sizes=(16,), max_iter=40, learning_rate_init=0.01, random_state=0)
    plain = _fit_quietly(DeepNetClassifier(**kwargs), X_IRIS, Y_IRIS)
    decayed = _fit_quietly(DeepNetClassifier(weight_decay=2.0, **kwargs), X_IRIS, Y_IRIS)
    norm = lambda est: sum(float((W**2).sum()) for W in est.coefs_)  # noqa: E731
    assert norm(decayed) < 0.5 * norm(plain)
    assert decayed.score(X_IRIS, Y_IRIS) > 0.8
    assert decayed.loss_curve_[-1] == pytest.approx(decayed.loss_)  # not in the objective


@pytest.mark.parametrize("solver", ["lbfgs", "agd"])
def test_weight_decay_needs_a_solver_that_steps(solver):
    with pytest.raises(ValueError, match=r"weight_decay=0.1 is applied by the solvers \["):
        DeepNetClassifier(solver=solver, weight_decay=0.1).fit(X_IRIS, Y_IRIS)
    DeepNetClassifier((3,), solver=solver, weight_decay=0.0, max_iter=5)  # zero is fine


def test_weight_decay_for_the_regressor_and_logistic_regression():
    X, y = make_classification(200, 5, random_state=0)
    reg = DeepNetRegressor(hidden_layer_sizes=(8,), weight_decay=0.1, max_iter=20, random_state=0)
    _fit_quietly(reg, X, y.astype(float))
    assert reg._optimizer.weight_decay == 0.1
    logit = _fit_quietly(LogisticRegressionGD(solver="adam", weight_decay=0.1, max_iter=20),
                         X, y)
    assert logit._optimizer.weight_decay == 0.1


def test_model_file_keeps_weight_decay(tmp_path):
    clf = _fit_quietly(DeepNetClassifier((6,), weight_decay=0.05, max_iter=10, random_state=0),
                       X_IRIS, Y_IRIS)
    dump(clf, tmp_path / "model.skdn")
    loaded = load(tmp_path / "model.skdn")
    assert loaded.weight_decay == 0.05 and loaded._optimizer.weight_decay == 0.05
    np.testing.assert_array_equal(loaded.predict_proba(X_IRIS), clf.predict_proba(X_IRIS))
    plain = _fit_quietly(DeepNetClassifier((6,), max_iter=10, random_state=0), X_IRIS, Y_IRIS)
    assert "weight_decay" not in vars(plain._optimizer)  # files of earlier versions stay valid


# -- label smoothing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "y, expected",
    [
        ([0, 1, 2, 1], [[0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3], [0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3]]),
        ([0, 1, 1, 0], [[0.05], [0.95]]),
    ],
    ids=["softmax", "sigmoid"],
)
def test_smoothed_targets_by_hand(y, expected):
    X = np.arange(8.0).reshape(4, 2)
    clf = DeepNetClassifier((3,), label_smoothing=0.1)
    _, _, Y, _, _ = clf._training_objective(X, np.array(y))
    np.testing.assert_allclose(Y[:2], expected)
    assert np.allclose(Y.sum(axis=1), 1.0) or Y.shape[1] == 1


def test_label_smoothing_multilabel_smooths_each_label():
    X = np.arange(12.0).reshape(4, 3)
    Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    _, _, Y_train, _, _ = DeepNetClassifier((3,), label_smoothing=0.2)._training_objective(X, Y)
    np.testing.assert_allclose(Y_train, Y * 0.8 + 0.1)


@pytest.mark.parametrize(
    "y",
    [Y_IRIS[::6], (Y_IRIS[::6] > 0).astype(int), np.c_[Y_IRIS[::6] > 0, Y_IRIS[::6] > 1]],
    ids=["softmax", "sigmoid", "multilabel"],
)
def test_label_smoothing_gradients_match_finite_differences(y):
    clf = DeepNetClassifier((4,), activation="tanh", alpha=0.01, label_smoothing=0.15,
                            random_state=0)
    assert check_gradients(clf, X_IRIS[::6], y) < 2e-7


def test_label_smoothing_tempers_confidence_and_scores_on_true_labels():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kwargs = dict(hidden_layer_sizes=(32,), max_iter=40, random_state=0)
    sharp = _fit_quietly(DeepNetClassifier(**kwargs), X[:1200], y[:1200])
    smooth = _fit_quietly(
        DeepNetClassifier(label_smoothing=0.2, **kwargs), X[:1200], y[:1200],
        X_val=X[1200:], y_val=y[1200:],
    )
    assert smooth.predict_proba(X).max(axis=1).mean() < sharp.predict_proba(X).max(axis=1).mean()
    assert smooth.score(X[1200:], y[1200:]) > 0.9
    # the training loss is against smoothed targets: bounded below by their entropy
    entropy = -(0.8 + 0.02) * math.log(0.82) - 9 * 0.02 * math.log(0.02)
    assert min(smooth.loss_curve_) > entropy
    # the validation loss is the log loss on the true labels
    val_loss = log_loss(y[1200:], smooth.predict_proba(X[1200:]), labels=smooth.classes_)
    assert smooth.validation_loss_curve_[-1] == pytest.approx(val_loss, rel=1e-6)


def test_label_smoothing_is_a_classifier_parameter_only():
    assert "label_smoothing" not in DeepNetRegressor().get_params()
    assert "label_smoothing" not in LogisticRegressionGD().get_params()


# -- restoring the best epoch ------------------------------------------------------------------


def test_restore_best_training_loss_with_a_step_measured_before():
    """gd measures an epoch's loss before its step: the kept weights are those it measured."""
    clf = DeepNetClassifier((6,), solver="gd", learning_rate_init=3.0, max_iter=40,
                            restore_best_weights=True, random_state=0)
    _fit_quietly(clf, X_IRIS, Y_IRIS)
    curve = clf.loss_curve_
    assert np.argmin(curve) < len(curve) - 1  # the large step makes the loss oscillate
    objective = Objective(clf._network, clf.alpha)
    Y = clf._label_binarizer.transform(Y_IRIS).astype(float)
    assert objective.loss(X_IRIS, Y) == pytest.approx(min(curve), rel=1e-12)


def test_restore_best_training_loss_mini_batch():
    clf = DeepNetClassifier((6,), learning_rate_init=0.3, max_iter=30,
                            restore_best_weights=True, random_state=0)
    _fit_quietly(clf, X_IRIS, Y_IRIS)
    assert clf.best_loss_ == min(clf.loss_curve_)
    np.testing.assert_array_equal(clf._network.params, clf._best_params)


def test_restore_best_validation_epoch_without_early_stopping():
    X, y = make_classification(400, 10, flip_y=0.2, random_state=0)
    X_val, y_val = X[300:], y[300:]
    kwargs = dict(hidden_layer_sizes=(64,), learning_rate_init=0.01, max_iter=60,
                  random_state=0)
    last = _fit_quietly(DeepNetClassifier(**kwargs), X[:300], y[:300], X_val=X_val, y_val=y_val)
    best = _fit_quietly(DeepNetClassifier(restore_best_weights=True, **kwargs), X[:300],
                        y[:300], X_val=X_val, y_val=y_val)
    assert best.validation_scores_ == last.validation_scores_  # the same training
    assert best.n_iter_ == 60  # it trained the whole budget
    assert best.best_validation_score_ == max(best.validation_scores_)
    assert best.score(X_val, y_val) == max(best.validation_scores_)
    assert last.best_validation_score_ is None


def test_restore_best_keeps_the_running_statistics_the_best_epoch_was_scored_with():
    """With batch normalization the best epoch is its weights *and* its running statistics."""
    X, y = make_classification(400, 10, flip_y=0.2, random_state=0)
    X_val, y_val = X[300:], y[300:]
    clf = DeepNetClassifier((32, 32), batch_normalization=True, scoring="loss",
                            restore_best_weights=True, learning_rate_init=0.01, max_iter=40,
                            random_state=0)
    _fit_quietly(clf, X[:300], y[:300], X_val=X_val, y_val=y_val)
    best_epoch = int(np.argmax(clf.validation_scores_))
    assert best_epoch < len(clf.validation_scores_) - 1  # the last epoch is not the best
    val_loss = log_loss(y_val, clf.predict_proba(X_val), labels=clf.classes_)
    assert -val_loss == pytest.approx(clf.best_validation_score_, rel=1e-9)


def test_restore_best_adds_nothing_to_early_stopping():
    kwargs = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=50, random_state=0)
    plain = _fit_quietly(DeepNetClassifier(**kwargs), X_IRIS, Y_IRIS)
    both = _fit_quietly(DeepNetClassifier(restore_best_weights=True, **kwargs), X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(plain._network.params, both._network.params)
    assert plain.best_validation_score_ == both.best_validation_score_


def test_a_warm_started_fit_keeps_an_earlier_better_epoch():
    """As MLPClassifier: best_validation_score_ carries over, and so do its weights."""
    X, y = make_classification(300, 10, flip_y=0.3, random_state=0)
    clf = DeepNetClassifier((32,), early_stopping=True, warm_start=True, random_state=0,
                            learning_rate_init=0.01, max_iter=40)
    _fit_quietly(clf, X, y)
    best = clf.best_validation_score_
    kept = clf._network.params.copy()
    clf.set_params(learning_rate_init=1.0, max_iter=3)  # steps too large to improve on it
    _fit_quietly(clf, X, y)
    assert max(clf.validation_scores_[-3:]) < best == clf.best_validation_score_
    np.testing.assert_array_equal(clf._network.params, kept)


def test_partial_fit_does_not_restore():
    clf = DeepNetClassifier((6,), learning_rate_init=0.3, restore_best_weights=True,
                            random_state=0)
    for _ in range(5):
        clf.partial_fit(X_IRIS, Y_IRIS, classes=np.unique(Y_IRIS))
        after_call = clf._network.params.copy()
    np.testing.assert_array_equal(clf._network.params, after_call)
    assert "_best_params" not in vars(clf)


# -- together ------------------------------------------------------------------------------------


def test_the_toolbox_in_a_grid_search():
    X, y = make_classification(300, 8, random_state=0)
    grid = GridSearchCV(
        DeepNetClassifier((16,), max_iter=30, learning_rate_init=0.05, random_state=0),
        {"label_smoothing": [0.0, 0.1], "weight_decay": [0.0, 0.01],
         "learning_rate": ["cosine", "one_cycle"], "restore_best_weights": [True]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the plans complete: no warning
        grid.fit(X, y)
    assert grid.best_score_ > 0.8
    assert set(grid.cv_results_["param_label_smoothing"]) == {0.0, 0.1}
