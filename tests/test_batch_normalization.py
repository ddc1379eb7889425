"""Batch normalization: the course's equations, its running statistics, and every path it takes."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import (
    DeepNetClassifier,
    DeepNetRegressor,
    LogisticRegressionGD,
    check_gradients,
)
from sklearn_deepnet.nn import OUTPUTS, SOLVERS, Network, Objective, get_activation
from sklearn_deepnet.nn import network as network_module
from sklearn_deepnet.nn import objective as objective_module
from sklearn_deepnet.nn.network import BATCH_NORM_EPSILON, RUNNING_MOMENTUM

# -- the engine --------------------------------------------------------------------------------


def _net(sizes=(6, 5, 4, 3), activation="tanh", output="softmax", dtype=np.float64, seed=0):
    net = Network(sizes, get_activation(activation), OUTPUTS[output](), dtype,
                  batch_normalization=True)
    rng = np.random.RandomState(seed)
    net.params[...] = rng.normal(scale=0.7, size=net.params.size)
    net.running[...] = rng.uniform(0.5, 2.0, size=net.running.size)
    return net


def _data(n_samples=12, n_features=6, n_classes=3, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features))
    Y = np.eye(n_classes)[rng.randint(0, n_classes, size=n_samples)]
    return X, Y, rng.uniform(0.2, 3.0, size=n_samples)


def _course_forward(net, X, weights=None, running=False):
    """The course's equations (row-major), layer by layer: the logits and each (mu, var)."""
    A, statistics = X, []
    for layer, (W, b) in enumerate(zip(net.coefs, net.intercepts, strict=True)):
        Z = A @ W + b
        if layer == net.n_layers - 1:
            return Z, statistics
        if running:
            mu, var = net.running_means[layer], net.running_vars[layer]
        else:
            p = np.full(len(Z), 1 / len(Z)) if weights is None else weights / weights.sum()
            mu = p @ Z
            var = p @ (Z - mu) ** 2
        statistics.append((mu, var))
        Z_hat = (Z - mu) / np.sqrt(var + BATCH_NORM_EPSILON)
        A = np.tanh(net.gammas[layer] * Z_hat + net.betas[layer])
    raise AssertionError("unreachable")


def test_gamma_and_beta_follow_the_biases_in_the_flat_buffer():
    net = Network((6, 5, 4, 3), get_activation("relu"), OUTPUTS["softmax"](),
                  batch_normalization=True)
    plain = Network((6, 5, 4, 3), get_activation("relu"), OUTPUTS["softmax"]())
    assert net.n_coef == plain.n_coef
    assert net.params.size == plain.params.size + 2 * (5 + 4)
    start = plain.params.size  # weights, then biases, as without batch normalization
    assert np.shares_memory(net.gammas[0], net.params[start : start + 5])
    assert np.shares_memory(net.betas[1], net.params[start + 9 + 5 : start + 9 + 9])
    net.initialize([lambda i, o, rng, dtype: (np.ones((i, o)), np.zeros(o))] * 3, None)
    assert all(np.all(g == 1) for g in net.gammas) and all(np.all(b == 0) for b in net.betas)
    assert all(np.all(m == 0) for m in net.running_means)
    assert all(np.all(v == 1) for v in net.running_vars)
    assert [c.shape for c in net.coefs] == [c.shape for c in plain.coefs]
    assert plain.running is None and plain.gammas == [] and plain.running_means == []


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("workspace", [False, True])
def test_a_training_pass_is_the_courses_equations(weighted, workspace):
    net = _net()
    X, _, weights = _data()
    weights = weights if weighted else None
    expected, statistics = _course_forward(net, X, weights)
    space = net.workspace(len(X)) if workspace else None
    logits, cache = net.forward(X, workspace=space, sample_weight=weights)
    np.testing.assert_allclose(logits, expected, rtol=1e-12)
    for (mean, var, inv_std), (mu, course_var) in zip(cache.statistics, statistics, strict=True):
        np.testing.assert_allclose(mean, mu, rtol=1e-12)
        np.testing.assert_allclose(var, course_var, rtol=1e-12)
        np.testing.assert_allclose(inv_std, 1 / np.sqrt(course_var + BATCH_NORM_EPSILON))


def test_a_prediction_pass_uses_the_running_statistics_row_by_row():
    net = _net()
    X, _, _ = _data()
    expected, _ = _course_forward(net, X, running=True)
    logits, cache = net.forward(X, keep_cache=False)
    np.testing.assert_allclose(logits, expected, rtol=1e-12)
    assert cache.statistics == []
    np.testing.assert_allclose(net.forward(X[:1], keep_cache=False)[0], expected[:1])
    # and it is not the training pass, whose statistics are the batch's
    assert not np.allclose(net.forward(X, keep_cache=False, training=True)[0], expected)


def test_large_predictions_in_blocks_use_the_running_statistics(monkeypatch):
    net = _net(sizes=(30, 16, 8, 4))
    X = np.random.RandomState(0).normal(size=(3000, 30))
    expected, _ = _course_forward(net, X, running=True)
    monkeypatch.setattr(network_module, "PREDICT_BLOCK_BYTES", 16 * 8 * 300)
    assert net._predict_in_blocks(X)
    np.testing.assert_allclose(net.forward(X, keep_cache=False)[0], expected, rtol=1e-10)


def test_sparse_input_is_normalized_like_dense():
    net = _net()
    X, _, weights = _data()
    X[X < 0.3] = 0
    for training in (True, False):
        dense = net.forward(X, keep_cache=False, training=training, sample_weight=weights)[0]
        sparse = net.forward(sp.csr_matrix(X), keep_cache=False, training=training,
                             sample_weight=weights)[0]
        np.testing.assert_allclose(sparse, dense, rtol=1e-12)


def test_running_statistics_are_the_courses_bias_corrected_average():
    net = _net()
    rng = np.random.RandomState(3)
    batches = [rng.normal(loc=2.0, size=(8, 6)) for _ in range(5)]
    v_mean = [np.zeros(units) for units in (5, 4)]
    v_var = [np.zeros(units) for units in (5, 4)]
    for t, X in enumerate(batches, start=1):
        _, cache = net.forward(X)
        net.update_running_statistics(cache.statistics, len(X))
        for layer, (mean, var, _) in enumerate(cache.statistics):
            v_mean[layer] = RUNNING_MOMENTUM * v_mean[layer] + (1 - RUNNING_MOMENTUM) * mean
            v_var[layer] = RUNNING_MOMENTUM * v_var[layer] + (1 - RUNNING_MOMENTUM) * var
            correction = 1 - RUNNING_MOMENTUM**t
            np.testing.assert_allclose(net.running_means[layer], v_mean[layer] / correction)
            np.testing.assert_allclose(net.running_vars[layer], v_var[layer] / correction)
        if t == 1:  # the first batch counts fully, whatever the starting values
            np.testing.assert_allclose(net.running_vars[0], cache.statistics[0][1])
    assert net.n_statistics_updates == 5


def test_a_single_row_has_zero_variance_and_leaves_the_running_statistics_alone():
    net = _net()
    X, Y, _ = _data()
    logits, cache = net.forward(X[:1])
    assert np.all(np.isfinite(logits))
    for layer, (_, var, inv_std) in enumerate(cache.statistics):
        np.testing.assert_array_equal(var, 0)  # eps alone keeps Z_hat finite: it is 0
        np.testing.assert_allclose(inv_std, 1 / np.sqrt(BATCH_NORM_EPSILON))
        np.testing.assert_array_equal(cache.normalized[layer], 0)
    before = net.running.copy()
    net.update_running_statistics(cache.statistics, 1)
    np.testing.assert_array_equal(net.running, before)
    assert net.n_statistics_updates == 0
    _, grad = Objective(net, 0.0).loss_and_gradient(X[:1], Y[:1])
    assert np.all(np.isfinite(grad))
    coef_grads, _ = net.unflatten(grad)
    np.testing.assert_allclose(coef_grads[0], 0, atol=1e-12)  # nothing to learn from W_1 here


def test_evaluating_the_objective_leaves_the_running_statistics_alone():
    net = _net()
    X, Y, weights = _data()
    objective = Objective(net, 0.1)
    before = net.running.copy()
    objective.loss(X, Y, weights)
    objective.loss_and_gradient(X, Y, weights)
    objective.batch_statistics(X, weights)
    np.testing.assert_array_equal(net.running, before)
    objective.loss_and_gradient(X, Y, weights, update_statistics=True)
    _, statistics = _course_forward(net, X, weights)
    np.testing.assert_allclose(net.running_means[1], statistics[1][0])  # first update: all of it
    np.testing.assert_allclose(net.running_vars[1], statistics[1][1])


def test_the_objective_never_splits_a_normalized_batch(monkeypatch):
    net = _net()
    X, Y, weights = _data(n_samples=2000)
    whole = Objective(net, 0.1).loss_and_gradient(X, Y, weights)[0]
    monkeypatch.setattr(objective_module, "BLOCK_BYTES", 6 * 8 * 300)
    objective = Objective(net, 0.1)
    assert len(objective._blocks(X, Y, weights, None)) == 1
    assert objective.loss(X, Y, weights) == pytest.approx(whole, rel=1e-12)


def test_a_sample_weight_of_two_counts_as_a_repeated_row():
    """Weights enter the batch statistics as they enter the loss: consistently."""
    net = _net()
    X, Y, _ = _data()
    weights = np.ones(len(X))
    weights[0] = 2.0
    repeated_X, repeated_Y = np.vstack([X, X[:1]]), np.vstack([Y, Y[:1]])
    objective = Objective(net, 0.2)
    loss, grad = objective.loss_and_gradient(X, Y, weights)
    grad = grad.copy()
    repeated_loss, repeated_grad = objective.loss_and_gradient(repeated_X, repeated_Y)
    assert loss == pytest.approx(repeated_loss, rel=1e-12)
    np.testing.assert_allclose(grad, repeated_grad, rtol=1e-10, atol=1e-14)


def test_float32_stays_float32():
    net = _net(dtype=np.float32)
    X, Y, weights = _data()
    X, Y, weights = X.astype(np.float32), Y.astype(np.float32), weights.astype(np.float32)
    loss, grad = Objective(net, 0.1).loss_and_gradient(X, Y, weights, update_statistics=True)
    assert grad.dtype == np.float32 and net.running.dtype == np.float32
    assert net.forward(X, keep_cache=False)[0].dtype == np.float32
    reference = net.to_numpy(np.float64)
    assert reference.running.dtype == np.float64
    np.testing.assert_allclose(reference.running, net.running)
    np.testing.assert_allclose(
        reference.forward(X.astype(np.float64), keep_cache=False)[0],
        net.forward(X, keep_cache=False)[0], rtol=1e-4, atol=1e-5,
    )


def test_copies_and_pickles_carry_the_running_statistics():
    net = _net()
    net.n_statistics_updates = 7
    X, _, _ = _data()
    expected = net.forward(X, keep_cache=False)[0]
    for copy in (pickle.loads(pickle.dumps(net)), net.converted(np.array),
                 net.to_numpy(np.float32)):
        assert copy.n_statistics_updates == 7 and copy.batch_normalization
        np.testing.assert_allclose(copy.running, net.running, rtol=1e-6)
        assert np.shares_memory(copy.running_vars[1], copy.running)
        assert np.shares_memory(copy.gammas[0], copy.params)
        result = copy.forward(X.astype(copy.params.dtype), keep_cache=False)[0]
        np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-5)
    moved = net.converted(np.array)
    moved.running_means[0][...] = 5.0
    assert not np.any(net.running_means[0] == 5.0)  # a copy, not the same state


# -- the estimators ----------------------------------------------------------------------------

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = StandardScaler().fit_transform(X_DIGITS)[:300]
Y_DIGITS = Y_DIGITS[:300]
FULL_BATCH = [name for name, cls in SOLVERS.items() if cls.full_batch]
MINI_BATCH = [name for name, cls in SOLVERS.items() if not cls.full_batch]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


LEARNING_RATES = {"gd": 0.5, "sgd": 0.1}  # the others: 0.01


def _clf(**params):
    rate = LEARNING_RATES.get(params.get("solver"), 0.01)
    defaults = dict(hidden_layer_sizes=(16, 12), batch_normalization=True, max_iter=8,
                    random_state=0, learning_rate_init=rate)
    return DeepNetClassifier(**{**defaults, **params})


def _population_statistics(est, X, sample_weight=None):
    """Each hidden layer's statistics of a training pass over all of ``X`` (float64)."""
    objective = Objective(est._network, est.alpha)
    return [(mean, var) for mean, var, _ in objective.batch_statistics(X, sample_weight)]


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_every_solver_trains_a_normalized_network(solver):
    est = _clf(solver=solver, max_iter=30).fit(X_DIGITS, Y_DIGITS)
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert est.score(X_DIGITS, Y_DIGITS) > 0.9
    assert [g.shape for g in est.gammas_] == [(16,), (12,)]
    assert [v.shape for v in est.running_vars_] == [(16,), (12,)]
    assert all(np.all(v >= 0) for v in est.running_vars_)


@pytest.mark.parametrize("solver", FULL_BATCH)
def test_full_batch_solvers_predict_with_the_training_sets_statistics(solver):
    """The line searches' many evaluations leave no trace: the running statistics are those of
    all the training data at the final weights."""
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=len(X_DIGITS))
    est = _clf(solver=solver, max_iter=6).fit(X_DIGITS, Y_DIGITS, sample_weight=weights)
    expected = _population_statistics(est, X_DIGITS, weights)
    for layer, (mean, var) in enumerate(expected):
        np.testing.assert_allclose(est.running_means_[layer], mean, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(est.running_vars_[layer], var, rtol=1e-10)


@pytest.mark.parametrize("solver", MINI_BATCH)
def test_mini_batch_solvers_update_the_running_statistics_once_per_step(solver):
    est = _clf(solver=solver, batch_size=64, max_iter=3).fit(X_DIGITS, Y_DIGITS)
    assert est._network.n_statistics_updates == 3 * 5  # 300 rows: 4 batches of 64, one of 44


@pytest.mark.parametrize("solver", MINI_BATCH)
def test_a_steps_batch_statistics_are_those_its_gradient_was_computed_with(solver):
    """One step on one batch: the running statistics are the batch's at the starting weights."""
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=len(X_DIGITS))
    est = _clf(solver=solver, batch_size=300)
    start = clone(est)._training_objective(X_DIGITS, Y_DIGITS)[0]
    expected = [(m, v) for m, v, _ in start.batch_statistics(X_DIGITS, weights)]
    est.partial_fit(X_DIGITS, Y_DIGITS, sample_weight=weights, classes=np.arange(10))
    assert not np.allclose(est._network.params, start.network.params)  # a step was taken
    for layer, (mean, var) in enumerate(expected):
        np.testing.assert_allclose(est.running_means_[layer], mean, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(est.running_vars_[layer], var, rtol=1e-12)


def test_a_batch_of_one_sample_is_an_error_and_a_stray_last_row_is_skipped():
    with pytest.raises(ValueError, match="batches of 1 sample"):
        _clf(batch_size=1).fit(X_DIGITS, Y_DIGITS)
    with pytest.raises(ValueError, match="1 sample"):
        _clf(solver="sgd").partial_fit(X_DIGITS[:1], Y_DIGITS[:1], classes=np.arange(10))
    X, y = X_DIGITS[:201], Y_DIGITS[:201]
    est = _clf(batch_size=200, max_iter=10).fit(X, y)
    assert est._network.n_statistics_updates == 10  # the one-row batches count for nothing
    assert np.all(np.isfinite(est._network.params)) and np.all(np.isfinite(est._network.running))
    assert est.loss_curve_[-1] < 0.5 * est.loss_curve_[0]
    # without batch normalization a batch of one sample is fine, as it always was
    DeepNetClassifier((4,), batch_size=1, max_iter=1).fit(X_DIGITS[:20], Y_DIGITS[:20])


def test_dropout_applies_after_the_normalized_activation_in_training_only():
    est = _clf(dropout=0.3, max_iter=20).fit(X_DIGITS, Y_DIGITS)
    proba = est.predict_proba(X_DIGITS)
    np.testing.assert_array_equal(est.predict_proba(X_DIGITS), proba)  # no mask at prediction
    assert est.score(X_DIGITS, Y_DIGITS) > 0.8


@pytest.mark.parametrize("solver", ["sgd", "gd"])
def test_partial_fit_carries_the_running_statistics_across_calls(solver):
    est = _clf(solver=solver, batch_size=100, learning_rate_init=0.05)
    halves = (slice(0, 150), slice(150, 300))
    est.partial_fit(X_DIGITS[halves[0]], Y_DIGITS[halves[0]], classes=np.arange(10))
    first = est._network.n_statistics_updates
    est.partial_fit(X_DIGITS[halves[1]], Y_DIGITS[halves[1]])
    assert est._network.n_statistics_updates == 2 * first
    fresh = _clf(solver=solver, batch_size=100, learning_rate_init=0.05)
    fresh.partial_fit(X_DIGITS[halves[0]], Y_DIGITS[halves[0]], classes=np.arange(10))
    fresh._network.n_statistics_updates = 0  # forget the first call's statistics
    fresh.partial_fit(X_DIGITS[halves[1]], Y_DIGITS[halves[1]])
    np.testing.assert_array_equal(fresh._network.params, est._network.params)
    assert not np.allclose(fresh.running_means_[0], est.running_means_[0])


def test_warm_start_continues_and_batch_normalization_cannot_be_switched():
    est = _clf(warm_start=True, max_iter=2, batch_size=100).fit(X_DIGITS, Y_DIGITS)
    est.fit(X_DIGITS, Y_DIGITS)
    assert est._network.n_statistics_updates == 2 * 2 * 3
    with pytest.raises(ValueError, match="fitted with batch_normalization=True"):
        est.set_params(batch_normalization=False).fit(X_DIGITS, Y_DIGITS)
    plain = DeepNetClassifier((8,), solver="sgd", max_iter=2).fit(X_DIGITS, Y_DIGITS)
    with pytest.raises(ValueError, match="partial_fit continues the fitted network"):
        plain.set_params(batch_normalization=True).partial_fit(X_DIGITS, Y_DIGITS)
    plain.set_params(warm_start=False).fit(X_DIGITS, Y_DIGITS)  # from scratch: fine
    assert plain.gammas_ is not None


@pytest.mark.parametrize("solver", ["adam", "gd"])
def test_validation_is_scored_with_the_running_statistics(solver):
    X_val, y_val = X_DIGITS[200:], Y_DIGITS[200:]
    est = _clf(solver=solver, max_iter=5)
    est.fit(X_DIGITS[:200], Y_DIGITS[:200], X_val=X_val, y_val=y_val)
    assert est.validation_scores_[-1] == pytest.approx(est.score(X_val, y_val), abs=1e-12)


@pytest.mark.parametrize("solver", ["adam", "gd"])
def test_early_stopping_restores_the_best_weights_with_their_statistics(solver):
    X_val, y_val = X_DIGITS[200:], Y_DIGITS[200:]
    est = _clf(solver=solver, max_iter=40, early_stopping=True, scoring="loss",
               n_iter_no_change=2, learning_rate_init=4.0 if solver == "gd" else 0.05)
    est.fit(X_DIGITS[:200], Y_DIGITS[:200], X_val=X_val, y_val=y_val)
    best = int(np.argmax(est.validation_scores_))
    assert best < len(est.validation_scores_) - 1  # a later epoch was worse: weights restored
    logits = est._network.forward(X_val, keep_cache=False)[0]
    Y_val = est._label_binarizer.transform(y_val).astype(float)
    loss = est._network.output.loss_and_gradient(logits, Y_val)[0] / len(X_val)
    assert -loss == pytest.approx(est.best_validation_score_, rel=1e-10)


def test_sample_weights_count_like_repeated_rows():
    weights = np.ones(len(X_DIGITS), dtype=int)
    weights[::7] = 3
    repeated = np.repeat(np.arange(len(X_DIGITS)), weights)
    est = _clf(solver="gd", learning_rate_init=0.2, max_iter=6)
    weighted = clone(est).fit(X_DIGITS, Y_DIGITS, sample_weight=weights)
    plain = clone(est).fit(X_DIGITS[repeated], Y_DIGITS[repeated])
    np.testing.assert_allclose(weighted.loss_curve_, plain.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(weighted.running_vars_[1], plain.running_vars_[1], rtol=1e-10)
    np.testing.assert_allclose(weighted.predict_proba(X_DIGITS), plain.predict_proba(X_DIGITS),
                               rtol=1e-9, atol=1e-12)


def test_float32_and_sparse_input():
    est32 = _clf().fit(X_DIGITS.astype(np.float32), Y_DIGITS)
    assert est32.running_vars_[0].dtype == np.float32 and est32.gammas_[0].dtype == np.float32
    assert est32.predict_proba(X_DIGITS.astype(np.float32)).dtype == np.float32
    est64 = _clf().fit(X_DIGITS, Y_DIGITS)
    np.testing.assert_allclose(est32.loss_curve_, est64.loss_curve_, rtol=1e-3)
    sparse = _clf().fit(sp.csr_matrix(X_DIGITS), Y_DIGITS)
    np.testing.assert_allclose(sparse.loss_curve_, est64.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X_DIGITS)),
                               est64.predict_proba(X_DIGITS), rtol=1e-8, atol=1e-12)


def test_prediction_of_any_size_is_row_by_row(monkeypatch):
    est = _clf(hidden_layer_sizes=(40,)).fit(X_DIGITS, Y_DIGITS)
    X = np.tile(X_DIGITS, (8, 1))
    by_row = np.vstack([est.predict_proba(X_DIGITS[i : i + 1]) for i in range(0, 300, 37)])
    monkeypatch.setattr(network_module, "PREDICT_BLOCK_BYTES", 40 * 8 * 256)
    assert est._network._predict_in_blocks(X)
    np.testing.assert_allclose(est.predict_proba(X)[:300:37], by_row, rtol=1e-12)


def test_the_fitted_state_is_public_and_writes_through():
    est = _clf().fit(X_DIGITS, Y_DIGITS)
    assert len(est.gammas_) == len(est.betas_) == len(est.running_means_) == 2
    before = est.predict_proba(X_DIGITS[:5])
    est.gammas_[1] = np.zeros(12)  # the last hidden layer now outputs g(beta) for every input
    after = est.predict_proba(X_DIGITS[:5])
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, np.broadcast_to(after[0], after.shape))
    plain = DeepNetClassifier((8,), max_iter=2).fit(X_DIGITS, Y_DIGITS)
    assert plain.gammas_ is plain.betas_ is plain.running_means_ is plain.running_vars_ is None
    with pytest.raises(AttributeError, match="not fitted"):
        DeepNetRegressor(batch_normalization=True).gammas_  # noqa: B018


def test_logistic_regression_has_no_batch_normalization():
    assert "batch_normalization" not in LogisticRegressionGD().get_params()
    assert not hasattr(LogisticRegressionGD(), "gammas_")
    with pytest.raises(TypeError):
        LogisticRegressionGD(batch_normalization=True)
    est = LogisticRegressionGD(max_iter=50).fit(X_DIGITS, Y_DIGITS)
    assert est._network.running is None and est.score(X_DIGITS, Y_DIGITS) > 0.9


def test_a_regressor_with_batch_normalization():
    y = X_DIGITS[:, 10] * 2 + X_DIGITS[:, 20] ** 2
    est = DeepNetRegressor(hidden_layer_sizes=(32, 32), batch_normalization=True,
                           learning_rate_init=0.01, max_iter=60, random_state=0)
    assert est.fit(X_DIGITS, y).score(X_DIGITS, y) > 0.8


@pytest.mark.parametrize("hidden", [(5,), (6, 4)])
@pytest.mark.parametrize("Estimator", ["classifier", "regressor"])
def test_check_gradients_of_batch_normalized_estimators(hidden, Estimator):
    """The public check, on the objective fit minimizes: class and sample weights, dropout."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(14, 4))
    weights = rng.uniform(0.2, 2.0, size=14)
    if Estimator == "classifier":
        y = np.array(["a", "b", "c", "a"] * 3 + ["b", "c"])
        est = DeepNetClassifier(hidden, activation="tanh", alpha=0.1, dropout=0.2,
                                class_weight={"a": 2.0}, batch_normalization=True)
    else:
        y = rng.normal(size=14)
        est = DeepNetRegressor(hidden_layer_sizes=hidden, activation="gelu", alpha=0.1,
                               dropout=0.2, batch_normalization=True)
    assert check_gradients(est, X, y, weights) < 1e-6
    fitted = est.set_params(max_iter=5, random_state=0, learning_rate_init=0.05)
    with pytest.warns(Warning):
        fitted.fit(X, y)
    assert check_gradients(fitted, X, y, weights) < 1e-6
