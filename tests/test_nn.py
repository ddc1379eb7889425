"""The engine's pieces on their own: activations, initializers, network layout, optimizers."""

import math
import pickle

import numpy as np
import pytest

from sklearn_deepnet.nn import INITIALIZERS, OUTPUTS, SOLVERS, Network, Objective, get_activation
from sklearn_deepnet.nn.activations import ACTIVATIONS
from sklearn_deepnet.nn.initializers import UniformWeightsAndBiases

_SELU = (1.0507009873554805, 1.6732632423543772)  # scale, alpha (Klambauer et al., 2017)
_erf = np.vectorize(math.erf)

REFERENCE = {  # written independently of the package, from each function's definition
    "identity": lambda z: z,
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "gelu": lambda z: 0.5 * z * (1 + _erf(z / np.sqrt(2))),
    "selu": lambda z: _SELU[0] * np.where(z > 0, z, _SELU[1] * (np.exp(z) - 1)),
    "silu": lambda z: z / (1 + np.exp(-z)),
    "swish": lambda z: z / (1 + np.exp(-z)),
    "mish": lambda z: z * np.tanh(np.log1p(np.exp(z))),
}


def test_every_registered_activation_has_a_reference():
    assert set(REFERENCE) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("in_place", [True, False])
def test_activation_forward_and_derivative(name, in_place):
    z = np.linspace(-3, 3, 13) + 0.01  # avoid the kink at exactly 0
    act = get_activation(name, negative_slope=0.2)
    Z = z.copy()
    out = Z if in_place and not act.needs_input else np.empty_like(z)
    a = act.forward(Z, out)
    assert a is out
    np.testing.assert_allclose(a, REFERENCE[name](z), rtol=1e-12, atol=1e-15)
    if act.needs_input:
        np.testing.assert_array_equal(Z, z)  # Z is kept for the derivative
    h = 1e-6
    numeric = (REFERENCE[name](z + h) - REFERENCE[name](z - h)) / (2 * h)
    derivative = act.backward(np.ones_like(z), a, z if act.needs_input else None)
    np.testing.assert_allclose(derivative, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_keep_float32(name):
    act = get_activation(name)
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    a = act.forward(z.copy(), np.empty_like(z))
    dA = act.backward(np.ones_like(z), a, z if act.needs_input else None)
    assert a.dtype == dA.dtype == np.float32


def test_selu_starts_from_lecun_weights_and_the_others_from_mlpclassifiers():
    assert get_activation("selu").default_init is INITIALIZERS["lecun"]
    for name in ("relu", "tanh", "gelu", "silu", "mish", "leaky_relu"):
        assert isinstance(get_activation(name).default_init, UniformWeightsAndBiases)


def test_leaky_relu_slope_is_a_parameter():
    z = np.array([-2.0, 3.0])
    assert get_activation("leaky_relu").forward(z.copy(), z.copy())[0] == pytest.approx(-0.02)
    Z = z.copy()
    assert get_activation("leaky_relu", 0.3).forward(Z, Z)[0] == pytest.approx(-0.6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_initializers_scale_and_dtype(dtype):
    rng = np.random.RandomState(0)
    fan_in, fan_out = 400, 300
    drawn = {name: init(fan_in, fan_out, rng, dtype) for name, init in INITIALIZERS.items()}
    for coef, intercept in drawn.values():
        assert coef.dtype == intercept.dtype == dtype
        assert coef.shape == (fan_in, fan_out) and intercept.shape == (fan_out,)
        assert not intercept.any()  # the named initializers start biases at zero
        assert np.unique(coef).size > 0.99 * coef.size  # never zeros: symmetry is broken
    assert drawn["he"][0].std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.02)
    assert drawn["lecun"][0].std() == pytest.approx(np.sqrt(1 / fan_in), rel=0.02)
    assert drawn["normal"][0].std() == pytest.approx(0.01, rel=0.02)
    glorot = drawn["glorot"][0]
    bound = np.sqrt(6 / (fan_in + fan_out))
    assert np.abs(glorot).max() <= bound and np.abs(glorot).max() > 0.99 * bound


@pytest.mark.parametrize("factor", [6.0, 2.0])
def test_mlpclassifiers_initialization_draws_weights_then_biases(factor):
    coef, intercept = UniformWeightsAndBiases(factor)(40, 30, np.random.RandomState(0), np.float32)
    expected = np.random.RandomState(0)
    bound = np.sqrt(factor / 70)
    expected_coef = expected.uniform(-bound, bound, (40, 30)).astype(np.float32)
    np.testing.assert_array_equal(coef, expected_coef)
    np.testing.assert_array_equal(intercept, expected.uniform(-bound, bound, 30).astype(np.float32))


def test_network_parameters_are_views_of_one_flat_buffer():
    net = Network((3, 4, 2), get_activation("relu"), OUTPUTS["softmax"]())
    assert net.params.size == 3 * 4 + 4 * 2 + 4 + 2
    net.coefs[1][0, 0] = 7.0
    net.intercepts[0][2] = 5.0
    assert net.params[12] == 7.0  # coefs first ...
    assert net.params[20 + 2] == 5.0  # ... then intercepts
    clone = pickle.loads(pickle.dumps(net))
    clone.coefs[0][...] = 1.0  # views again after unpickling
    assert np.all(clone.params[:12] == 1.0)


def test_forward_is_the_course_equations():
    rng = np.random.RandomState(0)
    net = Network((3, 4, 2), get_activation("tanh"), OUTPUTS["softmax"]())
    net.params[...] = rng.normal(size=net.params.size)
    X = rng.normal(size=(5, 3))
    W1, W2 = net.coefs
    b1, b2 = net.intercepts
    expected = np.tanh(X @ W1 + b1) @ W2 + b2
    logits, cache = net.forward(X)
    np.testing.assert_allclose(logits, expected)
    assert cache.inputs[0] is X and len(cache.inputs) == 2
    assert cache.activations[0] is cache.inputs[1]  # tanh overwrote Z in place: nothing kept
    assert cache.pre_activations == [None]


def test_rmsprop_step_is_the_courses_update():
    rng = np.random.RandomState(0)
    params = rng.normal(size=70000)  # several chunks
    expected = params.copy()
    S = np.zeros_like(params)
    rmsprop = SOLVERS["rmsprop"](1e-3, beta_2=0.9, epsilon=1e-8)
    for t in range(1, 20):
        grad = rng.normal(scale=t % 5 + 0.1, size=params.size)
        rmsprop.step(params, grad)
        S = 0.9 * S + 0.1 * grad**2
        expected -= 1e-3 * grad / (np.sqrt(S) + 1e-8)
    np.testing.assert_allclose(params, expected, rtol=1e-12, atol=1e-15)


def test_sgd_and_adam_steps_follow_their_formulas():
    grad = np.array([1.0, -2.0])
    params = np.zeros(2)
    sgd = SOLVERS["sgd"](0.1, momentum=0.5, nesterov=False)
    sgd.step(params, grad)
    sgd.step(params, grad)
    # v1 = -0.1 g, v2 = 0.5 v1 - 0.1 g = -0.15 g; params = v1 + v2
    np.testing.assert_allclose(params, -0.25 * grad)

    params = np.zeros(2)
    nesterov = SOLVERS["sgd"](0.1, momentum=0.5, nesterov=True)
    nesterov.step(params, grad)
    np.testing.assert_allclose(params, 0.5 * (-0.1 * grad) - 0.1 * grad)

    params = np.zeros(2)
    adam = SOLVERS["adam"](0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    adam.step(params, grad)
    # first bias-corrected Adam step is lr * g / (|g| + eps') = lr * sign(g)
    np.testing.assert_allclose(params, -0.01 * np.sign(grad), rtol=1e-6)


def test_accelerated_gradient_minimizes_an_ill_conditioned_quadratic():
    A = np.diag([1.0, 100.0])
    b = np.array([1.0, 1.0])
    params = np.zeros(2)

    def loss():
        return 0.5 * params @ A @ params - b @ params

    def loss_and_gradient():
        return loss(), A @ params - b

    agd = SOLVERS["agd"](learning_rate=1e-3)
    for _ in range(300):
        agd.step(params, loss_and_gradient, loss)
    np.testing.assert_allclose(params, np.linalg.solve(A, b), rtol=1e-6)


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="Unknown activation 'elu'.*relu"):
        get_activation("elu")


def test_adam_matches_the_textbook_update_over_many_steps():
    """The scaled-moment Adam is Kingma & Ba's (scikit-learn's) update, step after step."""
    rng = np.random.RandomState(0)
    params = rng.normal(size=70000)  # several chunks
    expected = params.copy()
    m = np.zeros_like(params)
    v = np.zeros_like(params)
    adam = SOLVERS["adam"](1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    for t in range(1, 30):
        grad = rng.normal(scale=t % 5 + 0.1, size=params.size)
        adam.step(params, grad)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        expected -= 1e-3 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(params, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "rmsprop"])
def test_steps_keep_float32_with_numpy_float64_hyperparameters(solver):
    params = np.ones(10, dtype=np.float32)
    optimizer = SOLVERS[solver](np.float64(0.1))
    optimizer.step(params, np.full(10, 0.5, dtype=np.float32))
    assert params.dtype == np.float32 and np.all(params < 1)
    clone = pickle.loads(pickle.dumps(optimizer))
    assert "_scratch" not in clone.__dict__  # scratch space is not pickled
    clone.step(params, np.full(10, 0.5, dtype=np.float32))


def test_chunked_update_covers_every_element_once(monkeypatch):
    from sklearn_deepnet.nn import _chunks as optimizers

    def kernel(a, b, work):
        np.multiply(b, 3, out=work)
        a += work

    monkeypatch.setattr(optimizers, "CHUNK_BYTES", 8 * 1000)
    rng = np.random.RandomState(0)
    a, b = rng.normal(size=10003), rng.normal(size=10003)
    expected = a + 3 * b
    work = optimizers.chunk_buffer(None, a)
    assert work.size == 1000
    optimizers.chunked_update(kernel, (a, b), work)
    np.testing.assert_array_equal(a, expected)


def _network(sizes=(30, 16, 8, 4), output="softmax", dtype=np.float64, activation="tanh"):
    net = Network(sizes, get_activation(activation), OUTPUTS[output](), dtype)
    net.initialize([INITIALIZERS["glorot"]] * (len(sizes) - 1), np.random.RandomState(0))
    net.params[net.n_coef :] = 0.1
    return net


@pytest.mark.parametrize("activation", ["tanh", "gelu"])  # Z overwritten, and Z kept
def test_workspace_passes_equal_allocating_passes(activation):
    rng = np.random.RandomState(0)
    net = _network(activation=activation)
    X = rng.normal(size=(20, 30))
    dZ = rng.normal(size=(20, 4))
    workspace = net.workspace(20)
    logits, cache = net.forward(X)
    grad = net.backward(cache, dZ.copy()).copy()
    for _ in range(2):  # the workspace is reused
        ws_logits, ws_cache = net.forward(X, workspace=workspace)
        np.testing.assert_allclose(ws_logits, logits)
        ws_grad = net.backward(ws_cache, dZ.copy(), workspace=workspace)
        np.testing.assert_allclose(ws_grad, grad)
    with pytest.raises(ValueError, match="batches of 20 rows, got 5"):
        net.forward(X[:5], workspace=workspace)


def test_only_activations_that_need_z_keep_it():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 30))
    for activation, keeps in [("relu", False), ("tanh", False), ("selu", False), ("gelu", True),
                              ("silu", True), ("mish", True)]:
        net = _network(activation=activation)
        workspace = net.workspace(20)
        _, cache = net.forward(X, workspace=workspace)
        assert all((Z is not None) == keeps for Z in cache.pre_activations), activation
        assert all((Z is not None) == keeps for Z in workspace.pre_activations), activation


def test_the_objective_owns_the_penalty(monkeypatch):
    """alpha * W in the gradient, alpha/2 ||W||^2 in the loss, in several chunks or one."""
    from sklearn_deepnet.nn import _chunks

    rng = np.random.RandomState(0)
    net = _network()
    X, Y = rng.normal(size=(20, 30)), np.eye(4)[rng.randint(0, 4, size=20)]
    plain_loss, plain_grad = Objective(net, 0.0).loss_and_gradient(X, Y)
    plain_grad = plain_grad.copy()
    W = net.params[: net.n_coef]
    for chunk_bytes in (8 * 50, 2**18):
        monkeypatch.setattr(_chunks, "CHUNK_BYTES", chunk_bytes)
        loss, grad = Objective(net, 0.3).loss_and_gradient(X, Y)
        np.testing.assert_allclose(loss, plain_loss + 0.3 / 2 * (W @ W) / 20, rtol=1e-12)
        np.testing.assert_allclose(grad[: net.n_coef], plain_grad[: net.n_coef] + 0.3 * W / 20)
        np.testing.assert_array_equal(grad[net.n_coef :], plain_grad[net.n_coef :])


def test_large_batches_are_evaluated_in_blocks_with_the_same_result(monkeypatch):
    from sklearn_deepnet.nn import objective as objective_module

    rng = np.random.RandomState(0)
    net = _network()
    X = rng.normal(size=(3001, 30))
    Y = np.eye(4)[rng.randint(0, 4, size=3001)]
    weights = rng.uniform(0.5, 2, size=3001)
    whole = Objective(net, 0.2)
    loss, grad = whole.loss_and_gradient(X, Y, weights)
    grad = grad.copy()
    monkeypatch.setattr(objective_module, "BLOCK_BYTES", 30 * 8 * 300)  # blocks of 300 rows
    blocked = Objective(net, 0.2)
    assert len(blocked._blocks(X, Y, weights, None)) == 11
    blocked_loss, blocked_grad = blocked.loss_and_gradient(X, Y, weights)
    np.testing.assert_allclose(blocked_loss, loss, rtol=1e-12)
    np.testing.assert_allclose(blocked_grad, grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(blocked.loss(X, Y, weights), loss, rtol=1e-12)


def test_large_predictions_are_computed_in_blocks_with_the_same_result(monkeypatch):
    from sklearn_deepnet.nn import network as network_module

    rng = np.random.RandomState(0)
    net = _network()
    X = rng.normal(size=(5000, 30))
    expected = net.forward(X)[0]  # keep_cache=True: one whole-array pass
    monkeypatch.setattr(network_module, "PREDICT_BLOCK_BYTES", 16 * 8 * 300)
    assert net._predict_in_blocks(X) and not net._predict_in_blocks(X.astype(np.float32))
    np.testing.assert_allclose(net.forward(X, keep_cache=False)[0], expected, rtol=1e-12)


def test_lbfgs_leaves_numpys_blas_threads_alone_and_restores_the_others():
    from threadpoolctl import threadpool_info

    from sklearn_deepnet.nn.optimizers import _other_blas_single_threaded

    def threads():
        return {info["filepath"]: info["num_threads"] for info in threadpool_info()}

    before = threads()
    with _other_blas_single_threaded():
        inside = threads()
    assert threads() == before
    numpy_libs = [path for path in before if "numpy" in path]
    assert all(inside[path] == before[path] for path in numpy_libs)
    assert all(inside[path] <= before[path] for path in before)
