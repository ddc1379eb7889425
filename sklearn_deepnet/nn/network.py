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

A :class:`Workspace` holds preallocated arrays for one batch size; passed to :meth:`Network.forward`
and :meth:`Network.backward` it lets a training loop run without allocating per batch.
"""

import functools
import math

import numpy as np

from .optimizers import chunk_buffer, chunked_update

PREDICT_BLOCK_BYTES = 2**22
"""Bytes of the widest hidden array per block when :meth:`Network.forward` predicts in blocks."""


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
        """Draw every layer's weights and biases, layer by layer.

        Parameters
        ----------
        initializers : sequence of callable
            One ``f(fan_in, fan_out, rng, dtype) -> (W, b)`` per layer (see
            :mod:`~sklearn_deepnet.nn.initializers`).
        rng : numpy.random.RandomState
            Source of randomness.
        """
        layers = zip(self.coefs, self.intercepts, initializers, strict=True)
        for coef, intercept, init in layers:
            coef[...], intercept[...] = init(coef.shape[0], coef.shape[1], rng, self.params.dtype)

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

    def workspace(self, n_samples):
        """Return a new :class:`Workspace` for batches of ``n_samples`` rows."""
        return Workspace(self, n_samples)

    def forward(self, X, keep_cache=True, masks=None, workspace=None):
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
        workspace : Workspace, default=None
            Preallocated arrays for ``n_samples`` rows (from :meth:`workspace`): the layers'
            outputs are written there instead of into new arrays, so the returned logits and
            cache are overwritten by the next pass that uses the same workspace. Without one, a
            large dense ``X`` in the parameters' dtype is predicted (``keep_cache=False``, no
            masks) in row blocks, each through one reused workspace.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_outputs)
            Pre-activation of the output layer.
        cache : tuple of two lists
            ``(inputs, activations)``: ``inputs`` is ``[X, A_1, ..., A_{L-1}]``, the input of
            each layer after dropout; ``activations[l]`` is hidden layer ``l``'s output before
            dropout (the same array when nothing is dropped). Empty when not kept.
        """
        if workspace is not None:
            workspace.check(X.shape[0])
        elif not keep_cache and masks is None and self._predict_in_blocks(X):
            return self._forward_in_blocks(X), ([], [])
        inputs, activations = [], []
        A = X
        last = self.n_layers - 1
        for layer, (W, b) in enumerate(zip(self.coefs, self.intercepts, strict=True)):
            if keep_cache:
                inputs.append(A)
            if workspace is None:
                Z = A @ W
            elif isinstance(A, np.ndarray):
                Z = np.matmul(A, W, out=workspace.outputs[layer])
            else:  # scipy.sparse input layer
                Z = workspace.outputs[layer]
                Z[...] = A @ W
            Z += b
            if layer == last:
                A = Z
                break
            A = self.activation.forward(Z)
            if keep_cache:
                activations.append(A)
            if masks is not None and masks[layer] is not None:
                if workspace is None:
                    A = A * masks[layer]
                else:
                    A = np.multiply(A, masks[layer], out=workspace.dropped(layer))
        return A, (inputs, activations)

    def _block_rows(self):
        """Rows per block of a blocked prediction: hidden arrays of about PREDICT_BLOCK_BYTES."""
        widest = max(self.layer_sizes[1:]) * self.params.itemsize
        return max(256, PREDICT_BLOCK_BYTES // widest)

    def _predict_in_blocks(self, X):
        return (
            isinstance(X, np.ndarray)
            and X.dtype == self.params.dtype
            and X.shape[0] >= 2 * self._block_rows()
        )

    def _forward_in_blocks(self, X):
        """The logits of a large dense ``X``, computed block by block in one workspace.

        Nothing data-sized but the logits is allocated, and each block's hidden arrays stay in
        cache between the layers: twice as fast as whole-array passes on large inputs.
        """
        rows = self._block_rows()
        n_samples = X.shape[0]
        logits = np.empty((n_samples, self.layer_sizes[-1]), dtype=self.params.dtype)
        n_blocks = -(-n_samples // rows)
        rows = -(-n_samples // n_blocks)  # equal blocks: at most two sizes
        workspaces = {}
        for start in range(0, n_samples, rows):
            block = X[start : start + rows]
            size = block.shape[0]
            if size not in workspaces:
                workspaces[size] = self.workspace(size)
            logits[start : start + size] = self.forward(block, False, None, workspaces[size])[0]
        return logits

    def backward(self, cache, dZ, grad=None, masks=None, workspace=None, coef_decay=0.0):
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
        workspace : Workspace, default=None
            The workspace the forward pass used; holds the back-propagated ``dA`` arrays.
        coef_decay : float, default=0.0
            Added times each weight to that weight's gradient (the L2 penalty's gradient,
            ``alpha * W`` for a penalty ``alpha / 2 * ||W||^2``); biases are not decayed.

        Returns
        -------
        grad : ndarray of shape (n_params,)
            Gradient of the summed loss (plus ``coef_decay * W``), laid out like ``params``.
        """
        if grad is None:
            grad = np.empty_like(self.params)
        if workspace is not None:
            workspace.coef_square_norm = None
        inputs, activations = cache
        if workspace is not None and workspace.owner is self:
            coef_grads, intercept_grads = workspace.views(grad)
        else:
            coef_grads, intercept_grads = self.unflatten(grad)
        for layer in range(self.n_layers - 1, -1, -1):
            A_prev = inputs[layer]
            if isinstance(A_prev, np.ndarray):
                np.matmul(A_prev.T, dZ, out=coef_grads[layer])
            else:  # scipy.sparse input layer
                coef_grads[layer][...] = A_prev.T @ dZ
            if workspace is None:
                dZ.sum(axis=0, out=intercept_grads[layer])
            else:  # the column sums as a BLAS product with ones: several times faster
                np.matmul(workspace.ones, dZ, out=intercept_grads[layer])
            if layer > 0:  # no dA for the input layer
                W_T = self.coefs[layer].T
                if workspace is None:
                    dA = dZ @ W_T
                else:
                    dA = np.matmul(dZ, W_T, out=workspace.upstream[layer - 1])
                if masks is not None and masks[layer - 1] is not None:
                    dA *= masks[layer - 1]
                dZ = self.activation.backward(activations[layer - 1], dA)
        if coef_decay:
            coef_decay = float(coef_decay)  # a Python float keeps float32 arrays in float32
            coef_grad, coefs = grad[: self.n_coef], self.params[: self.n_coef]
            if workspace is None:
                coef_grad += coef_decay * coefs
            else:
                squares = []
                kernel = functools.partial(_add_decay, coef_decay, squares)
                chunked_update(kernel, (coef_grad, coefs), workspace.scratch)
                workspace.coef_square_norm = math.fsum(squares)
        return grad

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["coefs"], state["intercepts"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.coefs, self.intercepts = self.unflatten(self.params)


def _add_decay(decay, squares, coef_grad, coefs, scratch):
    """``coef_grad += decay * coefs`` on one chunk; append the chunk's ``||coefs||^2``.

    The squared norm (for the penalty's value) is read while the chunk is in cache, sparing the
    loss a separate pass over the weights.
    """
    squares.append(float(coefs @ coefs))
    coef_grad += np.multiply(coefs, decay, out=scratch)


class Workspace:
    """Preallocated arrays for forward and backward passes over batches of one size.

    Parameters
    ----------
    network : Network
        The network the arrays are shaped for.
    n_samples : int
        Rows per batch.

    Attributes
    ----------
    outputs : list of ndarray
        ``outputs[l]`` of shape ``(n_samples, layer_sizes[l + 1])``: layer ``l``'s ``Z``,
        turned in place into its activation (the logits for the last layer).
    upstream : list of ndarray
        ``upstream[l]`` of shape ``(n_samples, layer_sizes[l + 1])`` for each hidden layer:
        the gradient ``dA`` flowing back into it.
    scratch : ndarray
        One chunk of room for the weight-decay term of the gradient (see
        :func:`~sklearn_deepnet.nn.optimizers.chunked_update`).
    ones : ndarray of shape (n_samples,)
        Ones, whose product with ``dZ`` gives the bias gradient.
    coef_square_norm : float or None
        ``||W||^2`` over all weights, read by the last :meth:`Network.backward` that added a
        weight decay through this workspace (``None`` otherwise).
    """

    def __init__(self, network, n_samples):
        self.owner = network
        self.n_samples = int(n_samples)
        dtype = network.params.dtype
        sizes = network.layer_sizes
        self.outputs = [np.empty((self.n_samples, units), dtype=dtype) for units in sizes[1:]]
        self.upstream = [np.empty((self.n_samples, units), dtype=dtype) for units in sizes[1:-1]]
        self.scratch = chunk_buffer(None, network.params[: network.n_coef])
        self.ones = np.ones(self.n_samples, dtype=dtype)
        self.coef_square_norm = None
        self._dropped = {}
        self._grad_views = (None, None)

    def check(self, n_samples):
        """Raise a ValueError unless the workspace was made for ``n_samples`` rows."""
        if n_samples != self.n_samples:
            raise ValueError(
                f"This workspace holds arrays for batches of {self.n_samples} rows, got "
                f"{n_samples}; make one per batch size with Network.workspace(n_samples)."
            )

    def dropped(self, layer):
        """The array holding hidden layer ``layer``'s activation after dropout."""
        if layer not in self._dropped:
            self._dropped[layer] = np.empty_like(self.outputs[layer])
        return self._dropped[layer]

    def views(self, grad):
        """Per-layer ``(coefs, intercepts)`` views of ``grad``, cached for the last ``grad``."""
        cached, views = self._grad_views
        if cached is not grad:
            views = self.owner.unflatten(grad)
            self._grad_views = (grad, views)
        return views
