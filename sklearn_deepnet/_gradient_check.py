"""check_gradients: backpropagation against finite differences, for any of our estimators."""

import copy

from sklearn.base import clone

from ._sklearn_internals import validate_params
from .nn.objective import relative_gradient_error

GRADIENT_ALARM = 2e-7
"""The course's threshold: a relative difference above it points to a bug in backprop."""


def check_gradients(estimator, X, y, sample_weight=None, *, epsilon=1e-7, random_state=0):
    """Compare the estimator's backpropagated gradient with centred finite differences.

    The objective checked is exactly the one ``fit`` minimizes on ``X, y``: the estimator's
    output and loss (against label-smoothed targets with ``label_smoothing``), its L2 penalty
    ``alpha``, ``sample_weight`` times the class weights (``class_weight``), and, when
    ``dropout`` is set, one fixed dropout mask drawn from ``random_state`` (so that the
    objective is deterministic while the parameters move). With ``batch_normalization`` it is
    the training objective, normalized with the statistics of ``X`` itself (weighted by the
    sample weights), whose gradient is exact; the running statistics used for prediction play
    no part. A fitted estimator is checked at its current weights, an unfitted one at the
    weights ``fit`` would start from. The estimator itself is never modified.

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
    fitted = "_network" in getattr(estimator, "__dict__", {})
    est = copy.deepcopy(estimator) if fitted else clone(estimator)
    validate_params(est)
    objective, X, Y, sample_weight, masks = est._training_objective(
        X, y, sample_weight, dropout_rng=random_state
    )
    return relative_gradient_error(objective, X, Y, sample_weight, epsilon=epsilon, masks=masks)
