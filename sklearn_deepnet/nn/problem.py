"""The training problem a solver minimizes: the objective, the data, and how an epoch visits it.

A :class:`TrainingProblem` is what every solver receives: full-batch solvers ask it for the
objective on all the data, mini-batch solvers for one epoch of mini-batches (in a fresh random
order when shuffling, each batch with fresh dropout masks, batches of zero total weight skipped).
It holds one reusable gradient buffer, so an epoch allocates nothing parameter-sized.
"""

import numpy as np


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
    """

    def __init__(self, objective, X, Y, sample_weight, batch_size, shuffle, dropout, rng):
        self.objective = objective
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.batch_size = min(int(batch_size), X.shape[0])
        self.shuffle = shuffle
        self.dropout = list(dropout)
        self.rng = rng
        self.grad = np.empty_like(objective.network.params)

    @property
    def params(self):
        """The flat parameter vector the solver updates in place."""
        return self.objective.network.params

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
        dropout = any(self.dropout)
        loss = 0.0
        for start in range(0, n_samples, self.batch_size):
            rows = slice(start, min(start + self.batch_size, n_samples))
            if shuffled:
                rows = order[rows]
            weights = None if self.sample_weight is None else self.sample_weight[rows]
            if weights is not None and not weights.any():
                continue  # only zero-weight samples: the batch holds no data, take no step
            X_batch = self.X[rows]
            masks = None
            if dropout:
                masks = network.dropout_masks(X_batch.shape[0], self.dropout, self.rng)
            batch_loss, grad = self.objective.loss_and_gradient(
                X_batch, self.Y[rows], weights, self.grad, masks=masks
            )
            loss += batch_loss * (X_batch.shape[0] if weights is None else weights.sum())
            step(network.params, grad)
        total_weight = n_samples if self.sample_weight is None else self.sample_weight.sum()
        return loss / total_weight, self.grad
