"""Batch normalization: the course's equations, its running statistics, and every path it takes."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_deepnet.nn import OUTPUTS, Network, Objective, get_activation
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
    for layer, (mean, var, inv_std) in enumerate(cache.statistics):
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
