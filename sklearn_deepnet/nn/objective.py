"""The training objective: the weighted mean loss plus the L2 penalty, with its flat gradient.

For a batch with sample weights ``s`` (all ones when none are given)::

    J(params) = (sum_i s_i * loss_i + alpha / 2 * sum_l ||W_l||^2) / sum_i s_i

as scikit-learn's ``MLPClassifier`` defines it. Minimizing ``J`` on the whole training set is
equivalent to ``LogisticRegression(C=1 / alpha)``'s objective for a network without hidden layers.
"""

import numpy as np


class Objective:
    """Evaluate ``J`` and its gradient for a :class:`~sklearn_deepnet.nn.network.Network`.

    Parameters
    ----------
    network : Network
        The network; its current ``params`` are evaluated.
    alpha : float
        L2 penalty on the weights (not the biases).
    """

    def __init__(self, network, alpha):
        self.network = network
        self.alpha = alpha

    def _penalty(self):
        W = self.network.params[: self.network.n_coef]
        return 0.5 * self.alpha * float(W @ W) if self.alpha else 0.0

    @staticmethod
    def _total_weight(X, sample_weight):
        return X.shape[0] if sample_weight is None else float(sample_weight.sum())

    def loss(self, X, Y, sample_weight=None, masks=None):
        """Return ``J`` at the network's current parameters (forward pass only)."""
        logits, _ = self.network.forward(X, keep_cache=False, masks=masks)
        loss, _ = self.network.output.loss_and_gradient(logits, Y, sample_weight)
        return (loss + self._penalty()) / self._total_weight(X, sample_weight)

    def loss_and_gradient(
        self, X, Y, sample_weight=None, grad=None, compute_loss=True, masks=None
    ):
        """Return ``J`` and its gradient at the network's current parameters.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            Inputs.
        Y : ndarray of shape (n_samples, n_outputs)
            Encoded targets.
        sample_weight : ndarray of shape (n_samples,), default=None
            Per-sample weights.
        grad : ndarray of shape (n_params,), default=None
            Output buffer for the gradient.
        compute_loss : bool, default=True
            When False the loss is not computed and ``nan`` is returned for it.
        masks : list of (ndarray or None), default=None
            Dropout masks (see :meth:`Network.dropout_masks`); the objective is then that of
            the thinned network these masks select.

        Returns
        -------
        loss : float
            ``J``.
        grad : ndarray of shape (n_params,)
            ``dJ / dparams``, laid out like ``network.params``.
        """
        net = self.network
        logits, cache = net.forward(X, masks=masks)
        loss, dZ = net.output.loss_and_gradient(logits, Y, sample_weight, compute_loss)
        grad = net.backward(cache, dZ, grad, masks)
        if self.alpha:
            grad[: net.n_coef] += self.alpha * net.params[: net.n_coef]
            loss += self._penalty()
        total = self._total_weight(X, sample_weight)
        grad /= total
        return loss / total, grad


def relative_gradient_error(objective, X, Y, sample_weight=None, epsilon=1e-7, masks=None):
    """Compare backpropagation with centred finite differences over every parameter.

    Parameters
    ----------
    objective : Objective
        The objective; its network's parameters are perturbed and restored.
    X, Y, sample_weight :
        As for :meth:`Objective.loss_and_gradient`.
    epsilon : float, default=1e-7
        Finite-difference step (the course's value).
    masks : list of (ndarray or None), default=None
        Fixed dropout masks, used by every evaluation so the objective is deterministic.

    Returns
    -------
    error : float
        ``||g_bp - g_fd|| / (||g_bp|| + ||g_fd||)``; the course flags values above 2e-7.
    """
    params = objective.network.params
    _, analytic = objective.loss_and_gradient(X, Y, sample_weight, masks=masks)
    analytic = analytic.copy()
    numeric = np.empty_like(analytic)
    for i in range(params.size):
        saved = params[i]
        params[i] = saved + epsilon
        plus = objective.loss(X, Y, sample_weight, masks)
        params[i] = saved - epsilon
        minus = objective.loss(X, Y, sample_weight, masks)
        params[i] = saved
        numeric[i] = (plus - minus) / (2 * epsilon)
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)
