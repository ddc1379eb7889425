"""The training problem a solver minimizes: the objective, the data, and how an epoch visits it.

A :class:`TrainingProblem` is what every solver receives: full-batch solvers ask it for the
objective on all the data, mini-batch solvers for one epoch of mini-batches (in a fresh random
order when shuffling, each batch with fresh dropout masks, batches of zero total weight skipped).
It holds one reusable gradient buffer, so an epoch allocates nothing parameter-sized.

The data live where the parameters do (any array namespace and device). The shuffles and the
dropout masks are drawn on the CPU from the estimator's ``RandomState``, so a ``random_state``
gives the same batches and masks on every namespace; the order goes to the device once per
epoch, and the epoch's loss is read from the device once, at its end.

With batch normalization the problem also decides when the network's running statistics (used
for prediction and validation) change; never while a solver merely evaluates the objective:

- mini-batch solvers: after each step, the statistics of the batch the step was computed on
  enter the running averages (:meth:`Network.update_running_statistics`);
- full-batch solvers: :meth:`refresh_statistics`, called by the training loop after an epoch
  (when a validation set is scored, or in ``partial_fit``) and at the end of ``fit``, computes
  the statistics of all the training data at the current weights, and makes them the running
  statistics in ``fit`` (the whole training set is the batch) or folds them into the running
  averages in ``partial_fit`` (each call's data are one batch).
"""

import numpy as np

from ._namespace import asarray, get_namespace, is_numpy, to_numpy


class TrainingProblem:
    """The objective and the data of one call to ``fit`` or ``partial_fit``.

    Parameters
    ----------
    objective : Objective
        The loss plus penalty, over the network whose ``params`` the solver moves.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Training inputs, in the parameters' dtype.
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Per-sample weights.
    batch_size : int
        Rows per mini-batch (ignored by full-batch solvers).
    shuffle : bool
        Visit the mini-batches in a fresh random order each epoch.
    dropout : sequence of float
        Dropout rate of each hidden layer (all zero: no dropout).
    rng : numpy.random.RandomState
        Source of the shuffles and dropout masks.
    full_batch : bool, default=False
        The solver steps on all the data at once (see :meth:`refresh_statistics`).
    incremental : bool, default=False
        A call of ``partial_fit``.
    """

    def __init__(
        self, objective, X, Y, sample_weight, batch_size, shuffle, dropout, rng, *,
        full_batch=False, incremental=False,
    ):
        self.objective = objective
        self.full_batch = full_batch
        self.incremental = incremental
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.batch_size = min(int(batch_size), X.shape[0])
        self.shuffle = shuffle
        self.dropout = list(dropout)
        self.rng = rng
        params = objective.network.params
        self.xp = get_namespace(params)
        self.grad = np.empty_like(params) if isinstance(params, np.ndarray) else (
            self.xp.empty_like(params)
        )
        # which batches hold data is decided on the CPU: no device read per batch
        self._weights_cpu = None if sample_weight is None else to_numpy(sample_weight)

    @property
    def params(self):
        """The flat parameter vector the solver updates in place."""
        return self.objective.network.params

    @property
    def weights(self):
        """The weights (not the biases): the view of :attr:`params` that weight decay shrinks."""
        network = self.objective.network
        return network.params[: network.n_coef]

    @property
    def running(self):
        """The network's running statistics (batch normalization), or ``None``."""
        return self.objective.network.running

    @property
    def n_samples(self):
        """Number of training samples."""
        return self.X.shape[0]

    def loss_and_gradient(self):
        """The objective and its gradient on all the data (the gradient in :attr:`grad`)."""
        return self.objective.loss_and_gradient(self.X, self.Y, self.sample_weight, self.grad)

    def loss(self):
        """The objective on all the data, without a gradient."""
        return self.objective.loss(self.X, self.Y, self.sample_weight)

    def refresh_statistics(self):
        """Full-batch solvers with batch normalization: running statistics from all the data.

        The statistics of a training pass over all the data at the current weights become the
        running statistics (``fit``), or enter their running averages (``partial_fit``).
        Nothing happens without batch normalization or with a mini-batch solver, whose steps
        update the running statistics themselves.
        """
        network = self.objective.network
        if not (self.full_batch and network.batch_normalization):
            return
        statistics = self.objective.batch_statistics(self.X, self.sample_weight)
        if self.incremental:
            network.update_running_statistics(statistics, self.n_samples)
        else:
            network.set_running_statistics(statistics)

    def minibatch_epoch(self, step):
        """One pass over the data in mini-batches, calling ``step(params, grad)`` after each.

        Returns
        -------
        loss : float
            Weighted mean over the samples of each batch's objective, taken before its step.
        grad : ndarray
            The last batch's gradient.
        """
        network = self.objective.network
        n_samples = self.n_samples
        shuffled = self.shuffle and self.batch_size < n_samples
        order = self.rng.permutation(n_samples) if shuffled else None
        on_device = None if order is None or is_numpy(self.xp) else asarray(
            order, self.xp, self.grad.device
        )
        dropout = any(self.dropout)
        loss = 0.0
        for start in range(0, n_samples, self.batch_size):
            rows = slice(start, min(start + self.batch_size, n_samples))
            if self._weights_cpu is not None and not self._weights_cpu[
                rows if order is None else order[rows]
            ].any():
                continue  # only zero-weight samples: the batch holds no data, take no step
            if shuffled:
                rows = order[rows] if on_device is None else on_device[rows]
            X_batch, Y_batch, weights = self._take(rows)
            masks = None
            if dropout:
                masks = network.dropout_masks(X_batch.shape[0], self.dropout, self.rng)
            batch_loss, grad = self.objective.loss_and_gradient(
                X_batch, Y_batch, weights, self.grad, masks=masks, update_statistics=True
            )
            loss += batch_loss * (X_batch.shape[0] if weights is None else self.xp.sum(weights))
            step(network.params, grad)
        total_weight = (
            n_samples if self.sample_weight is None else self.xp.sum(self.sample_weight)
        )
        return loss / total_weight, self.grad

    def _take(self, rows):
        """The batch's ``X``, ``Y`` and weights: a slice, or the rows listed in ``rows``."""
        arrays = (self.X, self.Y, self.sample_weight)
        if is_numpy(self.xp):
            return tuple(None if a is None else a[rows] for a in arrays)
        if isinstance(rows, slice):  # the standard indexes every axis: a trailing ellipsis
            return tuple(None if a is None else a[rows, ...] for a in arrays)
        return tuple(None if a is None else self.xp.take(a, rows, axis=0) for a in arrays)
