"""A fully connected network with its weights in one flat buffer: forward and backward passes.

Row-major notation (samples in rows, the transpose of the course's column layout):

    forward, layer l:   Z = A_prev @ W + b          A = g(Z)
    backward, layer l:  dW = A_prev.T @ dZ          db = dZ.sum(axis=0)
                        dA_prev = dZ @ W.T          dZ_prev = dA_prev * g'(Z_prev)

``backward`` returns *sums* over the samples (already weighted through ``dZ``); dividing by the
total weight and adding the penalty belongs to :class:`~sklearn_deepnet.nn.objective.Objective`.

All weight matrices come first in the flat buffer, then all bias vectors, so the L2 penalty and an
optimizer step are single operations on contiguous slices, and L-BFGS and gradient checks see one
vector with no packing.
"""

import numpy as np


class Network:
    """A stack of dense layers sharing one hidden activation, ending in an output layer.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, n_hidden_1, ..., n_outputs]``.
    activation : object
        Hidden activation, from :func:`~sklearn_deepnet.nn.activations.get_activation`.
    output : object
        Output layer and loss, from :data:`~sklearn_deepnet.nn.losses.OUTPUTS`.
    dtype : numpy dtype, default=np.float64
        Dtype of the parameters and of every computation.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        All weights then all biases.
    coefs : list of ndarray
        Views into ``params``; ``coefs[l]`` has shape ``(layer_sizes[l], layer_sizes[l + 1])``.
    intercepts : list of ndarray
        Views into ``params``; ``intercepts[l]`` has shape ``(layer_sizes[l + 1],)``.
    n_coef : int
        Number of weight entries; ``params[:n_coef]`` are the penalized parameters.
    """

    def __init__(self, layer_sizes, activation, output, dtype=np.float64):
        self.layer_sizes = tuple(int(n) for n in layer_sizes)
        self.activation = activation
        self.output = output
        fans = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True))
        self.n_coef = sum(fan_in * fan_out for fan_in, fan_out in fans)
        n_params = self.n_coef + sum(self.layer_sizes[1:])
        self.params = np.zeros(n_params, dtype=dtype)
        self.coefs, self.intercepts = self.unflatten(self.params)

    @property
    def n_layers(self):
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    def unflatten(self, flat):
        """Return the per-layer ``(coefs, intercepts)`` views of a flat vector like ``params``."""
        coefs, intercepts = [], []
        offset = 0
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            coefs.append(flat[offset : offset + fan_in * fan_out].reshape(fan_in, fan_out))
            offset += fan_in * fan_out
        for fan_out in self.layer_sizes[1:]:
            intercepts.append(flat[offset : offset + fan_out])
            offset += fan_out
        return coefs, intercepts

    def initialize(self, initializers, rng):
        """Draw every weight matrix at random and set the biases to zero.

        Parameters
        ----------
        initializers : sequence of callable
            One ``f(fan_in, fan_out, rng, dtype)`` per layer.
        rng : numpy.random.RandomState
            Source of randomness.
        """
        for coef, init in zip(self.coefs, initializers, strict=True):
            coef[...] = init(coef.shape[0], coef.shape[1], rng, self.params.dtype)
        self.params[self.n_coef :] = 0

    def forward(self, X, keep_cache=True):
        """Propagate ``X`` through the network.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            Input; never modified.
        keep_cache : bool, default=True
            Keep every layer's input for :meth:`backward`.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_outputs)
            Pre-activation of the output layer.
        cache : list
            ``[X, A_1, ..., A_{L-1}]``, the input of each layer (empty if not kept).
        """
        cache = []
        A = X
        last = self.n_layers - 1
        for layer, (W, b) in enumerate(zip(self.coefs, self.intercepts, strict=True)):
            if keep_cache:
                cache.append(A)
            Z = A @ W
            Z += b
            A = Z if layer == last else self.activation.forward(Z)
        return A, cache

    def backward(self, cache, dZ, grad=None):
        """Back-propagate the logits' gradient ``dZ`` and return the parameters' gradient.

        Parameters
        ----------
        cache : list
            From :meth:`forward`.
        dZ : ndarray of shape (n_samples, n_outputs)
            Gradient of the summed loss w.r.t. the logits; may be overwritten.
        grad : ndarray of shape (n_params,), default=None
            Output buffer.

        Returns
        -------
        grad : ndarray of shape (n_params,)
            Gradient of the summed loss, laid out like ``params``.
        """
        if grad is None:
            grad = np.empty_like(self.params)
        coef_grads, intercept_grads = self.unflatten(grad)
        for layer in range(self.n_layers - 1, -1, -1):
            A_prev = cache[layer]
            if isinstance(A_prev, np.ndarray):
                np.matmul(A_prev.T, dZ, out=coef_grads[layer])
            else:  # scipy.sparse input layer
                coef_grads[layer][...] = A_prev.T @ dZ
            dZ.sum(axis=0, out=intercept_grads[layer])
            if layer > 0:  # no dA for the input layer
                dA = dZ @ self.coefs[layer].T
                dZ = self.activation.backward(A_prev, dA)
        return grad

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["coefs"], state["intercepts"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.coefs, self.intercepts = self.unflatten(self.params)
