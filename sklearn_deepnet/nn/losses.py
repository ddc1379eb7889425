"""Output layers fused with their loss: predictions, log-probabilities, loss, logit gradient.

Fusing the output activation with its cross-entropy gives the course's ``dZ = A - Y`` directly and
lets every quantity be computed from the logits ``Z`` without ever taking ``log(0)`` or overflowing
``exp``: logits of +-1e4 give finite losses and gradients.

================= ======================= ===================================================
output            used for                per-sample loss, from the logits ``z``
================= ======================= ===================================================
``logistic``      binary, multilabel      sum_k log(1 + exp(z_k)) - y_k z_k
``softmax``       multiclass              logsumexp(z) sum_k y_k - sum_k y_k z_k
``identity``      regression              1/2 sum_k (z_k - y_k)^2
``exp``           Poisson regression      sum_k exp(z_k) - y_k z_k + y_k log(y_k) - y_k
================= ======================= ===================================================

NumPy arrays are computed in place with the fast paths below; arrays of another namespace
(PyTorch, CuPy, ...) with the array API standard's functions, and their losses come back as 0-d
arrays on their device, so that an epoch reads the device once, at its end.
"""

import numpy as np
from scipy.special import expit, log_expit, logsumexp, xlogy

from ._namespace import get_namespace


def _generic(Z):
    """The namespace of ``Z`` when it is not NumPy's, else ``None``."""
    return None if isinstance(Z, np.ndarray) else get_namespace(Z)


def _weighted_sum_xp(xp, per_sample, sample_weight):
    """Sum of per-sample losses (weighted), as a 0-d array of their namespace."""
    if sample_weight is None:
        return xp.sum(per_sample)
    return xp.sum(per_sample * sample_weight)


def _scale_rows(dZ, sample_weight):
    """``dZ`` times each sample's weight (in place)."""
    if sample_weight is not None:
        dZ *= sample_weight[:, None]
    return dZ


def _log_sigmoid_xp(xp, Z):
    """``log(sigmoid(Z))`` without overflow: ``min(Z, 0) - log1p(exp(-|Z|))``."""
    return xp.minimum(Z, xp.zeros_like(Z)) - xp.log1p(xp.exp(-xp.abs(Z)))


def _weighted_sum(per_sample, sample_weight):
    """Sum per-sample losses, weighted when ``sample_weight`` is given."""
    if sample_weight is None:
        return float(per_sample.sum())
    return float(per_sample @ sample_weight)


def _weighted_total(per_entry, sample_weight):
    """Sum an ``(n_samples, n_outputs)`` array of losses, rows weighted by ``sample_weight``.

    Summing all entries at once (or weighting with one matrix-vector product) avoids NumPy's
    slow reductions along a short last axis.
    """
    if sample_weight is None:
        return float(per_entry.sum())
    return float((sample_weight @ per_entry).sum())


_STABLE_TOTAL = 1e-13
"""Smallest row total of ``exp(Z - max(Z))`` accepted when shifting by the batch's maximum."""


class LogisticOutput:
    """Independent sigmoid units with binary cross-entropy (binary and multilabel targets)."""

    name = "logistic"

    def proba(self, Z):
        """Return ``sigmoid(Z)``."""
        xp = _generic(Z)
        return expit(Z) if xp is None else 1 / (1 + xp.exp(-Z))

    def log_proba(self, Z):
        """Return ``log(sigmoid(Z))`` computed without rounding to ``log(0)``."""
        xp = _generic(Z)
        return log_expit(Z) if xp is None else _log_sigmoid_xp(xp, Z)

    def loss_and_gradient(self, Z, Y, sample_weight=None, compute_loss=True):
        """Return the weighted loss summed over samples and its gradient w.r.t. the logits.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Logits; overwritten with the gradient.
        Y : ndarray of shape (n_samples, n_outputs)
            Targets in [0, 1].
        sample_weight : ndarray of shape (n_samples,) or None
            Per-sample weights ``s``; ``None`` means all ones.
        compute_loss : bool, default=True
            When False, skip the loss and return ``nan`` for it.

        Returns
        -------
        loss : float
            ``sum_i s_i * l_i``.
        dZ : ndarray of shape (n_samples, n_outputs)
            ``s_i * (sigmoid(Z) - Y)``, stored in ``Z``.
        """
        xp = _generic(Z)
        if xp is not None:
            loss = np.nan
            if compute_loss:
                per_entry = xp.logaddexp(xp.zeros_like(Z), Z) - Y * Z
                loss = _weighted_sum_xp(xp, xp.sum(per_entry, axis=1), sample_weight)
            return loss, _scale_rows(self.proba(Z) - Y, sample_weight)
        loss = np.nan
        if compute_loss:
            per_entry = np.logaddexp(0, Z)
            per_entry -= Y * Z
            loss = _weighted_total(per_entry, sample_weight)
        dZ = expit(Z, out=Z)
        dZ -= Y
        return loss, _scale_rows(dZ, sample_weight)


class SoftmaxOutput:
    """A softmax over the outputs with categorical cross-entropy (multiclass targets)."""

    name = "softmax"

    def proba(self, Z):
        """Return ``softmax(Z)`` along the outputs (``Z`` is left unchanged)."""
        if isinstance(Z, np.ndarray):
            P = Z - Z.max(axis=1, keepdims=True)
            np.exp(P, out=P)
            P /= P.sum(axis=1, keepdims=True)
            return P
        xp = get_namespace(Z)
        P = xp.exp(Z - xp.max(Z, axis=1, keepdims=True))
        P /= xp.sum(P, axis=1, keepdims=True)
        return P

    def log_proba(self, Z):
        """Return ``log(softmax(Z))`` as ``Z - logsumexp(Z)``: finite for any finite logits."""
        xp = _generic(Z)
        if xp is None:
            return Z - logsumexp(Z, axis=1, keepdims=True)
        shifted = Z - xp.max(Z, axis=1, keepdims=True)
        return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))

    def loss_and_gradient(self, Z, Y, sample_weight=None, compute_loss=True):
        """Return the weighted loss summed over samples and its gradient w.r.t. the logits.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Logits; overwritten with the gradient.
        Y : ndarray of shape (n_samples, n_outputs)
            One-hot (or any non-negative) targets.
        sample_weight : ndarray of shape (n_samples,) or None
            Per-sample weights ``s``; ``None`` means all ones.
        compute_loss : bool, default=True
            When False, skip the loss and return ``nan`` for it.

        Returns
        -------
        loss : float
            ``sum_i s_i * l_i``.
        dZ : ndarray of shape (n_samples, n_outputs)
            ``s_i * (softmax(Z) - Y)``, stored in ``Z``.
        """
        xp = _generic(Z)
        if xp is not None:
            shifted = Z - xp.max(Z, axis=1, keepdims=True)
            exponentials = xp.exp(shifted)
            total = xp.sum(exponentials, axis=1)
            loss = np.nan
            if compute_loss:
                per_sample = xp.log(total) * xp.sum(Y, axis=1) - xp.sum(Y * shifted, axis=1)
                loss = _weighted_sum_xp(xp, per_sample, sample_weight)
            return loss, _scale_rows(exponentials / total[:, None] - Y, sample_weight)
        # Shift by the batch's largest logit (one fast reduction) rather than each row's (a slow
        # one along the short axis); a row whose exponentials all but vanish is shifted again
        # by its own maximum. Any shift gives the same softmax and loss in exact arithmetic.
        Z_shifted = Z - Z.max()
        dZ = np.exp(Z_shifted, out=Z)  # one exponential serves the loss and the gradient
        ones = np.ones(Z.shape[1], dtype=Z.dtype)
        total = dZ @ ones
        if total.min() < _STABLE_TOTAL:
            rows = total < _STABLE_TOTAL
            Z_shifted[rows] -= Z_shifted[rows].max(axis=1, keepdims=True)
            dZ[rows] = np.exp(Z_shifted[rows])
            total[rows] = dZ[rows] @ ones
        loss = np.nan
        if compute_loss:
            per_sample = np.log(total) * (Y @ ones)
            per_sample -= np.einsum("ij,ij->i", Y, Z_shifted)
            loss = _weighted_sum(per_sample, sample_weight)
        dZ /= total[:, None]
        dZ -= Y
        return loss, _scale_rows(dZ, sample_weight)


class IdentityOutput:
    """The logits themselves with half the squared error (regression, one or more targets).

    The course's output for predicting a real number: ``A = Z`` and ``dZ = A - Y``, the same
    gradient form as the two classification outputs.
    """

    name = "identity"

    def proba(self, Z):
        """Return ``Z``: the prediction of a regression output is the logit itself."""
        return Z

    def loss_and_gradient(self, Z, Y, sample_weight=None, compute_loss=True):
        """Return the weighted loss summed over samples and its gradient w.r.t. the outputs.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Predictions; overwritten with the gradient.
        Y : ndarray of shape (n_samples, n_outputs)
            Real-valued targets.
        sample_weight : ndarray of shape (n_samples,) or None
            Per-sample weights ``s``; ``None`` means all ones.
        compute_loss : bool, default=True
            When False, skip the loss and return ``nan`` for it.

        Returns
        -------
        loss : float
            ``sum_i s_i * 1/2 ||z_i - y_i||^2``.
        dZ : ndarray of shape (n_samples, n_outputs)
            ``s_i * (Z - Y)``, stored in ``Z``.
        """
        xp = _generic(Z)
        if xp is not None:
            dZ = Z - Y
            loss = np.nan
            if compute_loss:
                loss = 0.5 * _weighted_sum_xp(xp, xp.sum(dZ * dZ, axis=1), sample_weight)
            return loss, _scale_rows(dZ, sample_weight)
        dZ = np.subtract(Z, Y, out=Z)
        loss = np.nan
        if compute_loss:
            loss = 0.5 * _weighted_sum(np.einsum("ij,ij->i", dZ, dZ), sample_weight)
        return loss, _scale_rows(dZ, sample_weight)


class PoissonOutput:
    """An exponential output with half the Poisson deviance (non-negative counts or rates).

    The prediction is ``exp(z)``, the mean of a Poisson distribution; the per-output loss
    ``exp(z) - y z + y log(y) - y`` is zero at a perfect fit, and its gradient w.r.t. the logit
    is again prediction minus target: ``dZ = exp(Z) - Y``.
    """

    name = "exp"

    def proba(self, Z):
        """Return the predicted mean ``exp(Z)``."""
        return get_namespace(Z).exp(Z)

    def loss_and_gradient(self, Z, Y, sample_weight=None, compute_loss=True):
        """Return the weighted loss summed over samples and its gradient w.r.t. the logits.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Logits (log of the predicted mean); overwritten with the gradient.
        Y : ndarray of shape (n_samples, n_outputs)
            Non-negative targets.
        sample_weight : ndarray of shape (n_samples,) or None
            Per-sample weights ``s``; ``None`` means all ones.
        compute_loss : bool, default=True
            When False, skip the loss and return ``nan`` for it.

        Returns
        -------
        loss : float
            ``sum_i s_i sum_k (exp(z_ik) - y_ik z_ik + y_ik log(y_ik) - y_ik)``.
        dZ : ndarray of shape (n_samples, n_outputs)
            ``s_i * (exp(Z) - Y)``, stored in ``Z``.
        """
        xp = _generic(Z)
        if xp is not None:
            mean = xp.exp(Z)
            loss = np.nan
            if compute_loss:
                positive = Y > 0
                y_log_y = xp.where(positive, Y * xp.log(xp.where(positive, Y, xp.ones_like(Y))),
                                   xp.zeros_like(Y))
                per_sample = xp.sum(mean - Y * Z + y_log_y - Y, axis=1)
                loss = _weighted_sum_xp(xp, per_sample, sample_weight)
            return loss, _scale_rows(mean - Y, sample_weight)
        loss = np.nan
        mean = np.exp(Z)
        if compute_loss:
            per_sample = mean - Y * Z + xlogy(Y, Y) - Y
            loss = _weighted_sum(per_sample.sum(axis=1), sample_weight)
        dZ = np.subtract(mean, Y, out=Z)
        return loss, _scale_rows(dZ, sample_weight)


OUTPUTS = {
    "logistic": LogisticOutput,
    "softmax": SoftmaxOutput,
    "identity": IdentityOutput,
    "exp": PoissonOutput,
}
