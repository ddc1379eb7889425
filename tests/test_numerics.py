"""Numerical trouble: divergence, saturated and dead units, extreme logits, float32 end to end.

Documented tolerances checked here:

- training that diverges (a non-finite loss, or one above 1e4 times the lowest epoch loss)
  stops with a ``ConvergenceWarning`` naming ``learning_rate_init`` and restores the weights of
  the last finite epoch (as ``MLPClassifier``, a diverging fit returns a model); if even the
  starting weights give a non-finite loss, ``MLPClassifier``'s "non-finite parameter weights"
  error is raised; training whose loss merely ends higher than it started warns with the same
  advice;
- float32 training follows float64 training to within 1e-4 in predicted probability over 20
  epochs, for every solver, except Adam started from all-zero weights (``LogisticRegressionGD``),
  which amplifies the rounding of near-zero gradients: 1e-2 there.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, DeepNetRegressor, LogisticRegressionGD
from sklearn_deepnet.nn import SOLVERS as REGISTERED_SOLVERS
from sklearn_deepnet.nn import Objective

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
SOLVERS = list(REGISTERED_SOLVERS)
STEP_SOLVERS = [name for name, cls in REGISTERED_SOLVERS.items() if cls.uses_learning_rate]


def _net(Estimator=DeepNetClassifier, **params):
    defaults = {"max_iter": 20, "random_state": 0}
    if Estimator is not LogisticRegressionGD:
        defaults["hidden_layer_sizes"] = (10,)
    return Estimator(**{**defaults, **params})


def _encoded(clf, y, dtype):
    return clf._label_binarizer.transform(y).astype(dtype)


def _assert_probabilities(clf, X):
    """predict_proba is finite, in [0, 1], rows sum to 1; predict_log_proba is finite."""
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=10 * np.finfo(proba.dtype).eps)
    assert np.isfinite(clf.predict_log_proba(X)).all()


# --------------------------------------------------------------------------------------
# Divergence
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "Estimator, solver",
    [(DeepNetClassifier, s) for s in STEP_SOLVERS] + [(LogisticRegressionGD, s)
                                                      for s in STEP_SOLVERS],
)
def test_divergence_warns_names_the_learning_rate_and_restores_the_last_finite_epoch(
    Estimator, solver
):
    clf = _net(Estimator, solver=solver, learning_rate_init=1e6, max_iter=50)
    with pytest.warns(ConvergenceWarning, match=r"Training diverged at epoch \d+: .* with "
                                                r"learning_rate_init=1000000.0\. Training "
                                                r"stopped and the weights of the last finite "
                                                r"epoch .* were restored\. Use a smaller "
                                                r"learning_rate_init"):
        clf.fit(X_IRIS, Y_IRIS)
    # the diverged epoch is recorded (the curve shows the blow-up), and is the last one
    assert clf.n_iter_ < 50 and len(clf.loss_curve_) == clf.n_iter_
    assert np.isfinite(clf.loss_curve_[:-1]).all()
    # the weights are exactly those after the last accepted epoch: a fit stopped there (after
    # no epoch at all: the initialization, which a vanishing step leaves unchanged). gd's epoch
    # loss is that of the weights before its step, so its last accepted weights are one
    # epoch earlier: those whose loss is the last finite one recorded
    accepted = clf.n_iter_ - 2 if solver == "gd" else clf.n_iter_ - 1
    stopped = clone(clf).set_params(max_iter=max(accepted, 1))
    if accepted <= 0:
        stopped.set_params(learning_rate_init=1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        stopped.fit(X_IRIS, Y_IRIS)
    if accepted <= 0:  # the vanishing step moved the weights by ~1e-300 at most
        np.testing.assert_allclose(clf._network.params, stopped._network.params, atol=1e-250)
    else:
        np.testing.assert_array_equal(clf._network.params, stopped._network.params)
    # gd: the restored weights' loss is the last finite one recorded, not the diverged one
    if solver == "gd":
        Y = clf._label_binarizer.transform(Y_IRIS).astype(float)
        restored_loss = Objective(clf._network, clf.alpha).loss(X_IRIS, Y)
        assert restored_loss == pytest.approx(clf.loss_curve_[-2], rel=1e-9)
    _assert_probabilities(clf, X_IRIS)


def _diverges(fit):
    """Whether ``fit()`` warned that training diverged."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return any("Training diverged" in str(w.message) for w in caught)


@pytest.mark.parametrize("solver", STEP_SOLVERS)
def test_divergence_in_partial_fit_restores_the_weights_before_the_call(solver):
    # with this step the first epoch is finite and a later one diverges
    clf = _net(solver=solver, learning_rate_init=1e6)
    for _ in range(5):
        before = clf.__dict__.get("_network") and clf._network.params.copy()
        if _diverges(lambda: clf.partial_fit(X_IRIS, Y_IRIS, classes=[0, 1, 2])):
            break
    else:
        pytest.fail("partial_fit never diverged")
    assert before is not None, "the first call diverged: the test needs a finite first epoch"
    np.testing.assert_array_equal(clf._network.params, before)
    _assert_probabilities(clf, X_IRIS)


@pytest.mark.parametrize("solver", STEP_SOLVERS)
def test_divergence_under_warm_start_keeps_a_usable_model(solver):
    clf = _net(solver=solver, learning_rate_init=1e-2, warm_start=True).fit(X_IRIS, Y_IRIS)
    clf.set_params(learning_rate_init=1e7)
    with pytest.warns(ConvergenceWarning, match="learning_rate_init=10000000.0"):
        clf.fit(X_IRIS, Y_IRIS)
    assert np.isfinite(clf._network.params).all()
    _assert_probabilities(clf, X_IRIS)


def test_divergence_with_early_stopping_restores_the_best_epoch_and_scores_nan():
    # as MLPClassifier (scikit-learn's test_mlp_diverging_loss): the diverged epoch's
    # validation score is nan, and the best epoch's weights are kept
    clf = _net(early_stopping=True, solver="sgd", learning_rate_init=1.0, momentum=0.0,
               max_iter=200)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        clf.fit(X_IRIS * 10, Y_IRIS)
    assert np.isnan(clf.validation_scores_[-1]) and np.isnan(clf.validation_loss_curve_[-1])
    assert clf.best_validation_score_ == np.nanmax(clf.validation_scores_)
    np.testing.assert_array_equal(clf._network.params, clf._best_params)


@pytest.mark.filterwarnings("ignore:The features of X have magnitudes:UserWarning")
def test_a_non_finite_loss_at_the_start_raises_mlpclassifiers_error():
    # no step size helps when the starting weights already overflow: the data are the problem
    X = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=(10, 2))
    with pytest.raises(ValueError, match=r"^Solver produced non-finite parameter weights\. The "
                                         r"input data may contain large values and need to be "
                                         r"preprocessed\. .*StandardScaler"):
        _net(DeepNetRegressor).fit(X, np.arange(10.0))


@pytest.mark.parametrize(
    "Estimator, solver, learning_rate_init",
    [(DeepNetClassifier, "adam", 10.0), (LogisticRegressionGD, "adam", 1000.0),
     (LogisticRegressionGD, "sgd", 1000.0)],
)
def test_training_that_ends_worse_than_it_started_is_reported(
    Estimator, solver, learning_rate_init
):
    """A loss that rose without crossing the divergence threshold is still a too-large step.

    Without this, the estimator returns a model far worse than its initialization and says
    nothing (the loss rises by 10x to 100x and training stops on "no improvement").
    """
    clf = _net(Estimator, solver=solver, learning_rate_init=learning_rate_init, max_iter=100)
    rate = f"learning_rate_init={learning_rate_init}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X_IRIS, Y_IRIS)
    messages = [str(w.message) for w in caught]
    assert any(rate in m and "smaller" in m for m in messages), (
        f"loss went from {clf.loss_curve_[0]:.3g} to {clf.loss_:.3g} and no message named "
        f"{rate}; warnings: {messages}"
    )


@pytest.mark.filterwarnings("ignore:The features of X have magnitudes:UserWarning")
def test_lbfgs_on_overflowing_features_warns_and_stays_usable():
    clf = _net(solver="lbfgs")
    with pytest.warns(ConvergenceWarning, match="diverged.*solver='lbfgs'.*StandardScaler"):
        clf.fit(X_IRIS * 1e200, Y_IRIS)
    assert np.isfinite(clf.loss_)
    _assert_probabilities(clf, X_IRIS)


@pytest.mark.parametrize("solver", ["adam", "lbfgs", "gd"])
def test_predict_proba_stays_finite_for_inputs_far_outside_the_training_range(solver):
    clf = _net(solver=solver, learning_rate_init=0.05).fit(X_IRIS, Y_IRIS)
    for scale in (1e10, 1e100, 1e300):
        _assert_probabilities(clf, X_IRIS * scale)
    X32 = (X_IRIS * 1e30).astype(np.float32)
    clf32 = _net(solver=solver, learning_rate_init=0.05).fit(X_IRIS.astype(np.float32), Y_IRIS)
    _assert_probabilities(clf32, X32)


def test_regressor_divergence_names_the_learning_rate():
    reg = _net(DeepNetRegressor, solver="sgd", learning_rate_init=1e6)
    with pytest.warns(ConvergenceWarning, match="learning_rate_init=1000000.0"):
        reg.fit(X_IRIS[:, 1:], X_IRIS[:, 0])
    assert np.isfinite(reg.predict(X_IRIS[:, 1:])).all()


# --------------------------------------------------------------------------------------
# Saturated, dead and extreme units
# --------------------------------------------------------------------------------------


def _started(dtype, **params):
    """A network trained one epoch, ready to be tampered with and trained further."""
    clf = _net(max_iter=1, warm_start=True, **params)
    clf.fit(X_IRIS.astype(dtype), Y_IRIS)
    return clf


def _objective_at(clf, dtype):
    objective = Objective(clf._network, clf.alpha)
    X = X_IRIS.astype(dtype)
    return objective.loss_and_gradient(X, _encoded(clf, Y_IRIS, dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ["logistic", "tanh"])
def test_saturated_hidden_units_keep_loss_and_gradient_finite(activation, dtype):
    clf = _started(dtype, activation=activation, solver="adam")
    clf.coefs_[0] = clf.coefs_[0] * 1e4  # every hidden unit is pinned at its asymptote
    loss, grad = _objective_at(clf, dtype)
    assert np.isfinite(loss) and np.isfinite(grad).all()
    assert grad.dtype == dtype
    clf.set_params(max_iter=10).fit(X_IRIS.astype(dtype), Y_IRIS)
    assert np.isfinite(clf._network.params).all()
    _assert_probabilities(clf, X_IRIS.astype(dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("solver", ["adam", "gd", "lbfgs"])
def test_dead_relu_network_stays_finite_and_learns_only_the_output_bias(solver, dtype):
    clf = _started(dtype, activation="relu", solver=solver, alpha=0.0)
    clf.intercepts_[0] = np.full_like(clf.intercepts_[0], -1e3)  # no unit ever fires
    first_layer = clf.coefs_[0].copy()
    loss, grad = _objective_at(clf, dtype)
    assert np.isfinite(loss)
    coef_grads, _ = clf._network.unflatten(grad)
    assert not coef_grads[0].any() and not coef_grads[1].any()
    clf.set_params(max_iter=10).fit(X_IRIS.astype(dtype), Y_IRIS)
    np.testing.assert_array_equal(clf.coefs_[0], first_layer)  # a dead layer gets no gradient
    proba = clf.predict_proba(X_IRIS.astype(dtype))
    _assert_probabilities(clf, X_IRIS.astype(dtype))
    np.testing.assert_array_equal(proba, np.broadcast_to(proba[0], proba.shape))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("binary", [False, True], ids=["softmax", "sigmoid"])
def test_logits_of_1e4_keep_training_and_prediction_finite(binary, dtype):
    y = (Y_IRIS == 2).astype(int) if binary else Y_IRIS
    clf = _net(max_iter=1, warm_start=True, solver="adam").fit(X_IRIS.astype(dtype), y)
    clf.coefs_[-1] = np.zeros_like(clf.coefs_[-1])
    extreme = np.array([1e4] if binary else [1e4, -1e4, 0.0], dtype=dtype)
    clf.intercepts_[-1] = extreme  # every sample: class 0 (or 1) with a logit margin of 1e4
    np.testing.assert_array_equal(clf.decision_function(X_IRIS[:2].astype(dtype)),
                                  np.broadcast_to(extreme[0] if binary else extreme,
                                                  (2,) if binary else (2, 3)))
    _assert_probabilities(clf, X_IRIS.astype(dtype))
    log_proba = clf.predict_log_proba(X_IRIS.astype(dtype))
    assert log_proba.min() <= -1e4 + 1  # the exact log-probability, not log(0) or log(eps)
    loss, grad = Objective(clf._network, clf.alpha).loss_and_gradient(
        X_IRIS.astype(dtype), _encoded(clf, y, dtype)
    )
    assert np.isfinite(loss) and loss > 1e3  # confidently wrong on most samples
    assert np.isfinite(grad).all()
    assert np.abs(_encoded(clf, y, dtype)).max() <= 1  # the logit gradient is p - y: bounded


# --------------------------------------------------------------------------------------
# float32 end to end
# --------------------------------------------------------------------------------------


@pytest.fixture
def objective_dtypes(monkeypatch):
    """Record the dtype of every array the training objective sees and returns."""
    seen = set()
    original = Objective.loss_and_gradient

    def spy(self, X, Y, sample_weight=None, *args, **kwargs):
        loss, gradient = original(self, X, Y, sample_weight, *args, **kwargs)
        arrays = [X, Y, gradient, self.network.params]
        seen.update(a.dtype for a in arrays)
        if sample_weight is not None:
            seen.add(sample_weight.dtype)
        return loss, gradient

    monkeypatch.setattr(Objective, "loss_and_gradient", spy)
    return seen


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize(
    "Estimator, solver",
    [(DeepNetClassifier, s) for s in SOLVERS]
    + [(LogisticRegressionGD, "agd"), (DeepNetRegressor, "adam"), (DeepNetRegressor, "lbfgs")],
)
def test_float32_stays_float32_end_to_end(Estimator, solver, sparse, objective_dtypes):
    X = X_IRIS.astype(np.float32)
    X = sp.csr_matrix(X) if sparse else X
    y = X_IRIS[:, 0] if Estimator is DeepNetRegressor else Y_IRIS  # float64 targets
    weights = np.linspace(0.5, 2, 150)  # float64 weights must not promote the computation
    clf = _net(Estimator, solver=solver, max_iter=5).fit(X, y, sample_weight=weights)
    assert objective_dtypes == {np.dtype(np.float32)}
    for array in clf.coefs_ + clf.intercepts_:
        assert array.dtype == np.float32
    optimizer = vars(clf._optimizer) if solver != "lbfgs" else {}
    state = [v for v in optimizer.values() if isinstance(v, np.ndarray)]
    assert all(v.dtype == np.float32 for v in state)
    methods = ["predict"] if Estimator is DeepNetRegressor else [
        "predict_proba", "predict_log_proba", "decision_function"]
    for method in methods:
        assert getattr(clf, method)(X).dtype == np.float32, method
    assert all(isinstance(loss, float) and np.isfinite(loss) for loss in clf.loss_curve_)


def test_float32_partial_fit_stays_float32(objective_dtypes):
    clf = _net(solver="sgd")
    for _ in range(3):
        clf.partial_fit(X_IRIS.astype(np.float32), Y_IRIS, classes=[0, 1, 2])
    assert objective_dtypes == {np.dtype(np.float32)}
    assert clf._network.params.dtype == np.float32


def test_float64_data_after_a_float32_fit_keeps_the_float32_model():
    clf = _net(warm_start=True).fit(X_IRIS.astype(np.float32), Y_IRIS)
    clf.fit(X_IRIS, Y_IRIS)
    assert clf._network.params.dtype == np.float32
    assert clf.predict_proba(X_IRIS.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "Estimator, solver, tolerance",
    [(DeepNetClassifier, s, 1e-4) for s in SOLVERS]
    # Not rmsprop from LogisticRegressionGD's zero start: there gradient entries that are 0 in
    # float64 are rounding noise in float32, and RMSprop's first steps (no bias correction,
    # S = (1 - beta_2) g**2) are ~lr / sqrt(1 - beta_2) * sign(g) whatever |g|: the noise
    # becomes full steps and the runs part (probabilities 0.1 apart after 20 epochs).
    + [(LogisticRegressionGD, s, 1e-2 if s == "adam" else 1e-4) for s in SOLVERS
       if s != "rmsprop"],
)
def test_float32_training_agrees_with_float64(Estimator, solver, tolerance):
    fits = [
        _net(Estimator, solver=solver, learning_rate_init=0.05).fit(X_IRIS.astype(dtype), Y_IRIS)
        for dtype in (np.float64, np.float32)
    ]
    assert fits[0].n_iter_ == fits[1].n_iter_
    p64, p32 = (clf.predict_proba(X_IRIS) for clf in fits)
    np.testing.assert_allclose(p32, p64, atol=tolerance)
