"""Finite-difference checks of backpropagation: every activation x output x penalty x weighting."""

import numpy as np
import pytest

from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD
from sklearn_deepnet.nn import OUTPUTS, Network, Objective, get_activation
from sklearn_deepnet.nn.activations import ACTIVATIONS
from sklearn_deepnet.nn.objective import relative_gradient_error

TARGETS = ["binary", "multiclass", "multilabel", "regression", "poisson"]
CLASSIFICATION_OUTPUTS = ["logistic", "softmax"]


def _problem(target, rng, n_samples=7, n_features=5):
    X = rng.normal(size=(n_samples, n_features))
    if target == "binary":
        return X, rng.randint(0, 2, size=(n_samples, 1)).astype(float), "logistic"
    if target == "multiclass":
        return X, np.eye(3)[rng.randint(0, 3, size=n_samples)], "softmax"
    if target == "multilabel":
        return X, rng.randint(0, 2, size=(n_samples, 3)).astype(float), "logistic"
    if target == "regression":
        return X, rng.normal(size=(n_samples, 2)), "identity"
    return X, rng.poisson(2.0, size=(n_samples, 2)).astype(float), "exp"


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_backprop_matches_finite_differences(activation, target, alpha, weighted):
    rng = np.random.RandomState(0)
    X, Y, output = _problem(target, rng)
    sample_weight = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    sizes = (X.shape[1], 4, 3, Y.shape[1])
    network = Network(sizes, get_activation(activation, 0.05), OUTPUTS[output]())
    network.params[...] = rng.normal(scale=0.7, size=network.params.size)
    error = relative_gradient_error(Objective(network, alpha), X, Y, sample_weight)
    assert error < 1e-6, error


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("target", TARGETS)
def test_backprop_with_a_fixed_dropout_mask(activation, target):
    """Dropout's backward pass (mask applied to dA) agrees with finite differences."""
    rng = np.random.RandomState(3)
    X, Y, output = _problem(target, rng, n_samples=9)
    network = Network((X.shape[1], 6, 5, Y.shape[1]), get_activation(activation), OUTPUTS[output]())
    network.params[...] = rng.normal(scale=0.7, size=network.params.size)
    masks = network.dropout_masks(X.shape[0], [0.5, 0.3], rng)
    assert all((mask == 0).any() for mask in masks)  # something is really dropped
    objective = Objective(network, 0.1)
    assert relative_gradient_error(objective, X, Y, masks=masks) < 1e-6
    # and the masks matter: the gradient without them is a different one
    _, with_masks = objective.loss_and_gradient(X, Y, masks=masks)
    with_masks = with_masks.copy()
    _, without = objective.loss_and_gradient(X, Y)
    assert not np.allclose(with_masks, without)


def test_dropout_masks_are_inverted_and_seeded():
    network = Network((3, 400, 300, 2), get_activation("relu"), OUTPUTS["logistic"]())
    masks = network.dropout_masks(50, [0.2, 0.0], np.random.RandomState(0))
    assert masks[1] is None
    assert set(np.unique(masks[0])) == {0.0, 1 / 0.8}
    assert abs((masks[0] == 0).mean() - 0.2) < 0.02
    again = network.dropout_masks(50, [0.2, 0.0], np.random.RandomState(0))
    np.testing.assert_array_equal(masks[0], again[0])


def test_gradient_check_detects_a_wrong_derivative():
    """The check itself can fail: a tanh whose derivative is off by a factor is caught."""
    rng = np.random.RandomState(0)
    X, Y, output = _problem("multiclass", rng)

    class BrokenTanh(type(get_activation("tanh"))):
        def backward(self, dA, A, Z):
            return super().backward(dA, A, Z) * 1.1

    network = Network((5, 4, 3), BrokenTanh(), OUTPUTS[output]())
    network.params[...] = rng.normal(size=network.params.size)
    assert relative_gradient_error(Objective(network, 0.0), X, Y) > 1e-3


@pytest.mark.parametrize("output", CLASSIFICATION_OUTPUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_logits_give_finite_loss_and_gradient(output, dtype):
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=dtype)
    loss, dZ = OUTPUTS[output]().loss_and_gradient(Z.copy(), Y)
    assert np.isfinite(loss) and loss > 1e3  # confidently wrong: a large but finite loss
    assert np.all(np.isfinite(dZ)) and np.all(np.abs(dZ) <= 1)
    log_proba = OUTPUTS[output]().log_proba(Z)
    assert np.all(np.isfinite(log_proba))


@pytest.mark.parametrize("output", CLASSIFICATION_OUTPUTS)
def test_loss_matches_the_textbook_cross_entropy(output):
    rng = np.random.RandomState(1)
    Z = rng.normal(size=(6, 3))
    Y = np.eye(3)[rng.randint(0, 3, size=6)]
    weights = rng.uniform(size=6)
    out = OUTPUTS[output]()
    P = out.proba(Z)
    if output == "softmax":
        expected = -(Y * np.log(P)).sum(axis=1)
    else:
        expected = -(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum(axis=1)
    loss, dZ = out.loss_and_gradient(Z.copy(), Y, weights)
    np.testing.assert_allclose(loss, expected @ weights)
    np.testing.assert_allclose(dZ, weights[:, None] * (P - Y))


def test_squared_error_output_matches_its_formula():
    rng = np.random.RandomState(2)
    Z, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    weights = rng.uniform(size=5)
    loss, dZ = OUTPUTS["identity"]().loss_and_gradient(Z.copy(), Y, weights)
    np.testing.assert_allclose(loss, 0.5 * ((Z - Y) ** 2).sum(axis=1) @ weights)
    np.testing.assert_allclose(dZ, weights[:, None] * (Z - Y))


def test_poisson_output_matches_the_half_deviance():
    rng = np.random.RandomState(2)
    Z, Y = rng.normal(size=(5, 2)), rng.poisson(1.5, size=(5, 2)).astype(float)
    weights = rng.uniform(size=5)
    loss, dZ = OUTPUTS["exp"]().loss_and_gradient(Z.copy(), Y, weights)
    mu = np.exp(Z)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where(Y > 0, np.log(Y / mu), 0.0)
    deviance = 2 * (Y * log_ratio - Y + mu)  # the textbook Poisson deviance
    np.testing.assert_allclose(loss, 0.5 * deviance.sum(axis=1) @ weights)
    np.testing.assert_allclose(dZ, weights[:, None] * (mu - Y))
    assert OUTPUTS["exp"]().loss_and_gradient(np.log(Y + 1e-300), Y)[0] < 1e-9


@pytest.mark.parametrize("Estimator", [DeepNetClassifier, LogisticRegressionGD])
def test_estimator_objective_gradient(Estimator):
    """The objective a fitted estimator trains on passes the check too (its own encoding)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 4))
    y = np.array(["a", "b", "c"] * 4)
    params = {"hidden_layer_sizes": (5,)} if Estimator is DeepNetClassifier else {}
    est = Estimator(solver="lbfgs", max_iter=3, alpha=0.2, **params)
    with pytest.warns(Warning):
        est.fit(X, y)
    est._network.params[...] = rng.normal(scale=0.5, size=est._network.params.size)
    Y = est._label_binarizer.transform(y).astype(float)
    assert relative_gradient_error(Objective(est._network, est.alpha), X, Y) < 1e-6


# -- batch normalization -------------------------------------------------------------------------

HIDDEN = {"one": (4,), "three": (5, 4, 3)}


def _normalized_network(X, Y, output, hidden, activation="tanh", rng=None):
    network = Network(
        (X.shape[1], *hidden, Y.shape[1]), get_activation(activation, 0.05), OUTPUTS[output](),
        batch_normalization=True,
    )
    network.params[...] = rng.normal(scale=0.7, size=network.params.size)
    return network


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("hidden", sorted(HIDDEN))
def test_batch_normalization_backprop_matches_finite_differences(activation, target, hidden):
    """Training passes normalize with the batch's weighted statistics: exact gradients."""
    rng = np.random.RandomState(0)
    X, Y, output = _problem(target, rng, n_samples=9)
    sample_weight = rng.uniform(0.1, 3.0, size=X.shape[0])
    network = _normalized_network(X, Y, output, HIDDEN[hidden], activation, rng)
    objective = Objective(network, 0.3)
    for weights in (None, sample_weight):
        assert relative_gradient_error(objective, X, Y, weights) < 1e-6


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", ["softmax", "logistic", "identity"])
def test_batch_normalization_backprop_with_dropout(activation, output):
    rng = np.random.RandomState(4)
    target = {"softmax": "multiclass", "logistic": "binary", "identity": "regression"}[output]
    X, Y, _ = _problem(target, rng, n_samples=11)
    network = _normalized_network(X, Y, output, (6, 5), activation, rng)
    masks = network.dropout_masks(X.shape[0], [0.4, 0.3], rng)
    assert all((mask == 0).any() for mask in masks)
    weights = rng.uniform(0.1, 3.0, size=X.shape[0])
    assert relative_gradient_error(Objective(network, 0.2), X, Y, weights, masks=masks) < 1e-6


def test_batch_normalization_gradients_of_gamma_beta_and_the_cancelled_biases():
    """gamma and beta get gradients, unpenalized; the hidden biases cancel in Z - mean."""
    rng = np.random.RandomState(1)
    X, Y, output = _problem("multiclass", rng, n_samples=10)
    network = _normalized_network(X, Y, output, (4, 3), "tanh", rng)
    _, plain = Objective(network, 0.0).loss_and_gradient(X, Y)
    plain = plain.copy()
    _, penalized = Objective(network, 0.5).loss_and_gradient(X, Y)
    _, _, gamma_grads, beta_grads = network._layer_views(plain)
    assert all(np.abs(g).min() > 0 for g in (*gamma_grads, *beta_grads))
    n_biases = sum(network.layer_sizes[1:])
    np.testing.assert_array_equal(penalized[network.n_coef :], plain[network.n_coef :])
    _, intercept_grads = network.unflatten(plain)
    assert all(np.all(g == 0) for g in intercept_grads[:-1])  # exactly, not approximately
    assert np.abs(intercept_grads[-1]).max() > 0  # the output layer is not normalized
    assert plain.size == network.n_coef + n_biases + 2 * (4 + 3)


def test_batch_normalization_gradient_check_detects_a_wrong_backward(monkeypatch):
    """Dropping the statistics' part of the backward pass (treating mean and variance as
    constants, the classic mistake) is caught."""
    rng = np.random.RandomState(2)
    X, Y, output = _problem("multiclass", rng, n_samples=8)
    network = _normalized_network(X, Y, output, (4,), "tanh", rng)
    objective = Objective(network, 0.0)
    assert relative_gradient_error(objective, X, Y) < 1e-6

    def constant_statistics(self, dZ_tilde, layer, cache, views, workspace):
        views[3][layer][...] = dZ_tilde.sum(axis=0)
        views[2][layer][...] = (dZ_tilde * cache.normalized[layer]).sum(axis=0)
        return dZ_tilde * (self.gammas[layer] * cache.statistics[layer][2])

    monkeypatch.setattr(Network, "_normalization_backward", constant_statistics)
    assert relative_gradient_error(objective, X, Y) > 1e-3
