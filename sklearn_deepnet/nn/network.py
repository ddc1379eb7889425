"""A fully connected network with its weights in one flat buffer: forward and backward passes.

Row-major notation (samples in rows, the transpose of the course's column layout):

    forward, layer l:   Z = A_prev @ W + b          A = g(Z)
    backward, layer l:  dW = A_prev.T @ dZ          db = dZ.sum(axis=0)
                        dA_prev = dZ @ W.T          dZ_prev = dA_prev * g'(Z_prev)

With dropout, each hidden activation is multiplied by a mask ``D`` (``A = g(Z) * D``) and the
backward pass multiplies ``dA`` by the same mask before the derivative.

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

    def dropout_masks(self, n_samples, rates, rng):
        """Draw inverted-dropout masks for one batch, one per hidden layer.

        A unit of hidden layer ``l`` is kept with probability ``1 - rates[l]``; kept units are
        scaled by ``1 / (1 - rates[l])`` so each activation's expectation is unchanged and
        nothing needs rescaling at prediction time (the course's inverted dropout).

        Parameters
        ----------
        n_samples : int
            Rows in the batch.
        rates : sequence of float
            Drop probability of each hidden layer, in ``[0, 1)``.
        rng : numpy.random.RandomState
            Source of randomness.

        Returns
        -------
        masks : list of ndarray or None
            ``masks[l]`` of shape ``(n_samples, layer_sizes[l + 1])`` holding ``0`` or
            ``1 / (1 - rates[l])``; ``None`` for a layer with rate 0.
        """
        masks = []
        dtype = self.params.dtype
        for rate, units in zip(rates, self.layer_sizes[1:-1], strict=True):
            if rate == 0:
                masks.append(None)
                continue
            keep = rng.random_sample((n_samples, units)) >= rate
            masks.append(keep.astype(dtype) * dtype.type(1 / (1 - rate)))
        return masks

    def forward(self, X, keep_cache=True, masks=None):
        """Propagate ``X`` through the network.

        Parameters
        ----------
        X : ndarray or sparse matrix of shape (n_samples, n_features)
            Input; never modified.
        keep_cache : bool, default=True
            Keep what :meth:`backward` needs.
        masks : list of (ndarray or None), default=None
            Dropout masks from :meth:`dropout_masks`, multiplied into each hidden layer's
            activation; ``None`` (prediction) drops nothing.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_outputs)
            Pre-activation of the output layer.
        cache : tuple of two lists
            ``(inputs, activations)``: ``inputs`` is ``[X, A_1, ..., A_{L-1}]``, the input of
            each layer after dropout; ``activations[l]`` is hidden layer ``l``'s output before
            dropout (the same array when nothing is dropped). Empty when not kept.
        """
        inputs, activations = [], []
        A = X
        last = self.n_layers - 1
        for layer, (W, b) in enumerate(zip(self.coefs, self.intercepts, strict=True)):
            if keep_cache:
                inputs.append(A)
            Z = A @ W
            Z += b
            if layer == last:
                A = Z
                break
            A = self.activation.forward(Z)
            if keep_cache:
                activations.append(A)
            if masks is not None and masks[layer] is not None:
                A = A * masks[layer]
        return A, (inputs, activations)

    def backward(self, cache, dZ, grad=None, masks=None):
        """Back-propagate the logits' gradient ``dZ`` and return the parameters' gradient.

        Parameters
        ----------
        cache : tuple
            From :meth:`forward`.
        dZ : ndarray of shape (n_samples, n_outputs)
            Gradient of the summed loss w.r.t. the logits; may be overwritten.
        grad : ndarray of shape (n_params,), default=None
            Output buffer.
        masks : list of (ndarray or None), default=None
            The dropout masks the forward pass used.

        Returns
        -------
        grad : ndarray of shape (n_params,)
            Gradient of the summed loss, laid out like ``params``.
        """
        if grad is None:
            grad = np.empty_like(self.params)
        inputs, activations = cache
        coef_grads, intercept_grads = self.unflatten(grad)
        for layer in range(self.n_layers - 1, -1, -1):
            A_prev = inputs[layer]
            if isinstance(A_prev, np.ndarray):
                np.matmul(A_prev.T, dZ, out=coef_grads[layer])
            else:  # scipy.sparse input layer
                coef_grads[layer][...] = A_prev.T @ dZ
            dZ.sum(axis=0, out=intercept_grads[layer])
            if layer > 0:  # no dA for the input layer
                dA = dZ @ self.coefs[layer].T
                if masks is not None and masks[layer - 1] is not None:
                    dA *= masks[layer - 1]
                dZ = self.activation.backward(activations[layer - 1], dA)
        return grad

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["coefs"], state["intercepts"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.coefs, self.intercepts = self.unflatten(self.params)
