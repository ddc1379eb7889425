"""The training objective: the weighted mean loss plus the L2 penalty, with its flat gradient.

For a batch with sample weights ``s`` (all ones when none are given)::

    J(params) = (sum_i s_i * loss_i + alpha / 2 * sum_l ||W_l||^2) / sum_i s_i

as scikit-learn's ``MLPClassifier`` defines it. Minimizing ``J`` on the whole training set is
equivalent to ``LogisticRegression(C=1 / alpha)``'s objective for a network without hidden layers.

The objective owns the L2 penalty, value and gradient alike: after back-propagation it adds
``alpha * W`` to the weights' gradient and reads ``||W||^2`` in the same chunked pass over the
weights (see :mod:`~sklearn_deepnet.nn._chunks`), so the penalty costs one read of the weights.

With parameters of another array namespace (PyTorch, CuPy, ...) everything is computed there:
no workspaces (those libraries recycle memory themselves), the penalty as whole-array
operations, and the loss as a 0-d array of the namespace until a caller asks for a number.

Speed: the objective keeps a few :class:`~sklearn_deepnet.nn.network.Workspace` objects (one per
batch size it has seen) so repeated evaluations allocate nothing, divides the logits' gradient by
the total weight before back-propagating (a small array) rather than the flat gradient after, and
evaluates a large batch in row blocks of about :data:`BLOCK_BYTES` of input each: the backward
pass over a block finds it still in cache from the forward pass, and the activations held are
block-sized instead of data-sized (full-batch solvers on large data need no data-sized arrays).

With batch normalization the objective is that of a training pass: each hidden layer is
normalized with the statistics of the batch evaluated (weighted by the sample weights), so ``J``
and its gradient are exact functions of the parameters, as the gradient check and the line
searches need. Such a batch is never split into blocks (its statistics are those of all its
rows), and evaluating ``J`` leaves the network's running statistics alone: only
``loss_and_gradient(..., update_statistics=True)`` folds the batch's statistics into them.
"""

import functools
import math
from collections import OrderedDict

import numpy as np

from ._chunks import chunk_buffer, chunked_update
from ._namespace import get_namespace

BLOCK_BYTES = 2**22
"""Bytes of input per row block when a large batch is evaluated block by block."""

_MIN_BLOCK_ROWS = 256
_MAX_WORKSPACES = 4


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
        self._workspaces = OrderedDict()
        self._scratch = None

    @property
    def _numpy(self):
        return isinstance(self.network.params, np.ndarray)

    def _penalty(self):
        if not self.alpha:
            return 0.0
        W = self.network.params[: self.network.n_coef]
        if self._numpy:
            return 0.5 * self.alpha * float(W @ W)
        return 0.5 * self.alpha * get_namespace(W).sum(W * W)

    @staticmethod
    def _total_weight(X, sample_weight):
        if sample_weight is None:
            return X.shape[0]
        if isinstance(sample_weight, np.ndarray):
            return float(sample_weight.sum())
        return get_namespace(sample_weight).sum(sample_weight)  # stays on the device

    def _workspace(self, n_samples):
        """The workspace for ``n_samples`` rows, kept for the few latest batch sizes.

        ``None`` off NumPy: other namespaces allocate (and recycle) arrays themselves.
        """
        if not self._numpy:
            return None
        workspace = self._workspaces.get(n_samples)
        if workspace is None or workspace.owner is not self.network:
            workspace = self.network.workspace(n_samples)
            self._workspaces[n_samples] = workspace
            if len(self._workspaces) > _MAX_WORKSPACES:
                self._workspaces.popitem(last=False)
        else:
            self._workspaces.move_to_end(n_samples)
        return workspace

    def _block_grad(self, grad):
        """A second gradient buffer, for the blocks after the first."""
        buffer = getattr(self, "_block_grad_buffer", None)
        if buffer is None or buffer.shape != grad.shape or buffer.dtype != grad.dtype:
            xp = np if self._numpy else get_namespace(grad)
            buffer = self._block_grad_buffer = xp.empty_like(grad)
        return buffer

    def _blocks(self, X, Y, sample_weight, masks):
        """``(X, Y, sample_weight)`` row blocks: the whole batch when small, cache-sized else."""
        n_samples = X.shape[0]
        width = max(self.network.layer_sizes[:-1])
        rows = max(_MIN_BLOCK_ROWS, BLOCK_BYTES // (width * self.network.numpy_dtype.itemsize))
        if (
            masks is not None
            or n_samples < 2 * rows
            or not self._numpy
            or self.network.batch_normalization  # statistics of the whole batch
        ):
            return [(X, Y, sample_weight)]
        n_blocks = -(-n_samples // rows)
        rows = -(-n_samples // n_blocks)  # equal blocks: at most two workspace sizes
        return [
            (
                X[start : start + rows],
                Y[start : start + rows],
                None if sample_weight is None else sample_weight[start : start + rows],
            )
            for start in range(0, n_samples, rows)
        ]

    def loss(self, X, Y, sample_weight=None, masks=None):
        """Return ``J`` at the network's current parameters (forward pass only)."""
        net = self.network
        loss = 0.0
        for X_rows, Y_rows, weights in self._blocks(X, Y, sample_weight, masks):
            workspace = self._workspace(X_rows.shape[0])
            logits, _ = net.forward(
                X_rows, False, masks, workspace, training=True, sample_weight=weights
            )
            loss += net.output.loss_and_gradient(logits, Y_rows, weights)[0]
        return (loss + self._penalty()) / self._total_weight(X, sample_weight)

    def loss_and_gradient(
        self, X, Y, sample_weight=None, grad=None, compute_loss=True, masks=None,
        update_statistics=False,
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
        update_statistics : bool, default=False
            With batch normalization, fold this batch's statistics into the network's running
            statistics (:meth:`Network.update_running_statistics`): for the batch a step is
            taken on.

        Returns
        -------
        loss : float
            ``J``.
        grad : ndarray of shape (n_params,)
            ``dJ / dparams``, laid out like ``network.params``.
        """
        net = self.network
        if grad is None:
            grad = np.empty_like(net.params) if self._numpy else net.xp.empty_like(net.params)
        total = self._total_weight(X, sample_weight)
        scale = net.params.dtype.type(1 / total) if self._numpy else 1 / total
        loss = 0.0
        for i, (X_rows, Y_rows, weights) in enumerate(self._blocks(X, Y, sample_weight, masks)):
            workspace = self._workspace(X_rows.shape[0])
            logits, cache = net.forward(
                X_rows, masks=masks, workspace=workspace, training=True, sample_weight=weights
            )
            if update_statistics:
                net.update_running_statistics(cache.statistics, X_rows.shape[0])
            block_loss, dZ = net.output.loss_and_gradient(logits, Y_rows, weights, compute_loss)
            loss += block_loss
            dZ *= scale  # the mean's 1 / total, applied to the small array
            if i == 0:
                net.backward(cache, dZ, grad, masks, workspace)
            else:  # later blocks add their part of the gradient
                grad += net.backward(cache, dZ, self._block_grad(grad), masks, workspace)
        if self.alpha:
            square_norm = self._add_penalty_gradient(grad, self.alpha / total)
            loss += 0.5 * self.alpha * square_norm
        return loss / total, grad

    def batch_statistics(self, X, sample_weight=None):
        """Each hidden layer's batch-normalization statistics over all of ``X`` (training pass).

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            Inputs.
        sample_weight : ndarray of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        statistics : list of tuple
            ``(mean, var, inv_std)`` of each hidden layer (see
            :class:`~sklearn_deepnet.nn.network.Cache`); empty without batch normalization.
        """
        workspace = self._workspace(X.shape[0])
        _, cache = self.network.forward(
            X, False, None, workspace, training=True, sample_weight=sample_weight
        )
        return cache.statistics

    def _add_penalty_gradient(self, grad, decay):
        """Add ``decay * W`` to the weights' gradient; return ``||W||^2``, read in the same pass."""
        coef_grad, coefs = grad[: self.network.n_coef], self.network.params[: self.network.n_coef]
        if not self._numpy:
            coef_grad += coefs * decay
            return get_namespace(coefs).sum(coefs * coefs)
        self._scratch = chunk_buffer(self._scratch, coefs)
        squares = []
        kernel = functools.partial(_add_decay, float(decay), squares)
        chunked_update(kernel, (coef_grad, coefs), self._scratch)
        return math.fsum(squares)


def _add_decay(decay, squares, coef_grad, coefs, scratch):
    """``coef_grad += decay * coefs`` on one chunk; append the chunk's ``||coefs||^2``.

    The squared norm (for the penalty's value) is read while the chunk is in cache, sparing the
    loss a separate pass over the weights. ``decay`` is a Python float, which keeps float32
    arrays in float32.
    """
    squares.append(float(coefs @ coefs))
    coef_grad += np.multiply(coefs, decay, out=scratch)


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
