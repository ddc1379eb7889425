"""check_gradients: backpropagation against finite differences, for any of our estimators."""

import copy

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_random_state

from .nn import Network, Objective
from .nn.objective import relative_gradient_error

GRADIENT_ALARM = 2e-7
"""The course's threshold: a relative difference above it points to a bug in backprop."""


def check_gradients(estimator, X, y, sample_weight=None, *, epsilon=1e-7, random_state=0):
    """Compare the estimator's backpropagated gradient with centred finite differences.

    The objective checked is exactly the one ``fit`` minimizes on ``X, y``: the estimator's
    output and loss, its L2 penalty ``alpha``, ``sample_weight`` times the class weights
    (``class_weight``), and, when ``dropout`` is set, one fixed dropout mask drawn from
    ``random_state`` (so that the objective is deterministic while the parameters move). A
    fitted estimator is checked at its current weights, an unfitted one at the weights
    ``fit`` would start from. The estimator itself is never modified.

    Every parameter is perturbed in turn (two forward passes each), so use a small network
    and a few samples; the computation runs in float64.

    Parameters
    ----------
    estimator : DeepNetClassifier, DeepNetRegressor or LogisticRegressionGD
        The estimator, fitted or not.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Input data.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets, as for ``fit``.
    sample_weight : array-like of shape (n_samples,), default=None
        Per-sample weights.
    epsilon : float, default=1e-7
        Finite-difference step (the course's value).
    random_state : int, RandomState instance or None, default=0
        Draws the fixed dropout mask.

    Returns
    -------
    difference : float
        ``||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||)``. The course
        considers values below ``2e-7`` (:data:`GRADIENT_ALARM`) correct; much larger values
        point to a bug. Non-smooth activations (``relu``, ``leaky_relu``) may raise it when a
        unit sits within ``epsilon`` of its kink, for instance in an unfitted deep ReLU
        network with zero biases (``init='he'``), where a sample whose units of one layer are
        all off feeds the next layer exactly zero. Check such networks after a few epochs of
        training.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_deepnet import DeepNetClassifier, check_gradients
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DeepNetClassifier((5,), activation="tanh", alpha=0.1, dropout=0.2)
    >>> check_gradients(clf, X[::10], y[::10]) < 2e-7
    True
    """
    fitted = hasattr(estimator, "_network")
    est = copy.deepcopy(estimator) if fitted else clone(estimator)
    est._validate_params()
    X, Y, strata = est._validate_training_data(X, y, incremental=fitted, reset=not fitted)
    sample_weight = est._training_weights(sample_weight, X, Y, strata, incremental=False)
    if not fitted:
        est._initialize(X.shape[1], Y.shape[1], np.float64, check_random_state(est.random_state))
    network = _in_float64(est._fitted_network())
    rates = est._dropout_rates()
    masks = None
    if any(rates):
        masks = network.dropout_masks(X.shape[0], rates, check_random_state(random_state))
    if sample_weight is not None:
        sample_weight = sample_weight.astype(np.float64)
    return relative_gradient_error(
        Objective(network, est.alpha),
        X.astype(np.float64),
        Y.astype(np.float64),
        sample_weight,
        epsilon=epsilon,
        masks=masks,
    )


def _in_float64(network):
    """The network itself if it computes in float64, else a float64 copy of it."""
    if network.params.dtype == np.float64:
        return network
    copy64 = Network(network.layer_sizes, network.activation, network.output, np.float64)
    copy64.params[...] = network.params
    return copy64
