"""A fully connected network with its weights in one flat buffer: forward and backward passes.

Row-major notation (samples in rows, the transpose of the course's column layout):

    forward, layer l:   Z = A_prev @ W + b          A = g(Z)
    backward, layer l:  dW = A_prev.T @ dZ          db = dZ.sum(axis=0)
                        dA_prev = dZ @ W.T          dZ_prev = dA_prev * g'(Z_prev)

With dropout, each hidden activation is multiplied by a mask ``D`` (``A = g(Z) * D``) and the
backward pass multiplies ``dA`` by the same mask before the derivative. ``Z`` is overwritten by
``A`` unless the activation's derivative needs it (``needs_input``): only then is it kept.

``backward`` returns *sums* over the samples (already weighted through ``dZ``); dividing by the
total weight and adding the penalty belongs to :class:`~sklearn_deepnet.nn.objective.Objective`.

All weight matrices come first in the flat buffer, then all bias vectors, so the L2 penalty and an
optimizer step are single operations on contiguous slices, and L-BFGS and gradient checks see one
vector with no packing.

A :class:`Workspace` holds preallocated arrays for one batch size; passed to :meth:`Network.forward`
and :meth:`Network.backward` it lets a training loop run without allocating per batch.

The parameters live in one array namespace and device (NumPy on the CPU, or PyTorch, CuPy, ...
on theirs: see :mod:`~sklearn_deepnet.nn._namespace`), and every pass computes there. NumPy
passes write into workspaces; other namespaces, whose standard functions return new arrays,
pass no workspace and let their allocator recycle the memory.
"""

from typing import NamedTuple

import numpy as np

from ._namespace import asarray, get_namespace, is_numpy, numpy_dtype, to_numpy

PREDICT_BLOCK_BYTES = 2**22
"""Bytes of the widest hidden array per block when :meth:`Network.forward` predicts in blocks."""


class Cache(NamedTuple):
    """What :meth:`Network.forward` keeps for :meth:`Network.backward`.

    Attributes
    ----------
    inputs : list of array
        ``[X, A_1, ..., A_{L-1}]``: each layer's input, after dropout.
    activations : list of ndarray
        Each hidden layer's output ``A`` before dropout (the same array as in ``inputs`` when
        nothing is dropped).
    pre_activations : list of (ndarray or None)
        Each hidden layer's ``Z``, kept only when the activation's derivative needs it.
    """

    inputs: list
    activations: list
    pre_activations: list


_NO_CACHE = Cache([], [], [])


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
    dtype : dtype, default=np.float64
        Dtype of the parameters and of every computation (a dtype of ``xp``).
    xp : module, default=numpy
        The array namespace of the parameters and computations.
    device : device, default=None
        Where the parameters live (``xp``'s default device if ``None``).

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

    def __init__(self, layer_sizes, activation, output, dtype=np.float64, xp=np, device=None):
        self.layer_sizes = tuple(int(n) for n in layer_sizes)
        self.activation = activation
        self.output = output
        fans = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True))
        self.n_coef = sum(fan_in * fan_out for fan_in, fan_out in fans)
        n_params = self.n_coef + sum(self.layer_sizes[1:])
        if is_numpy(xp):
            self.params = np.zeros(n_params, dtype=dtype)
        else:
            self.params = xp.zeros(n_params, dtype=dtype, device=device)
        self.coefs, self.intercepts = self.unflatten(self.params)

    @property
    def xp(self):
        """The array namespace of the parameters."""
        return get_namespace(self.params)

    @property
    def numpy_dtype(self):
        """The NumPy dtype matching the parameters' dtype."""
        return numpy_dtype(self.params)

    @property
    def n_layers(self):
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    def unflatten(self, flat):
        """Return the per-layer ``(coefs, intercepts)`` views of a flat vector like ``params``."""
        coefs, intercepts = [], []
        offset = 0
        xp = get_namespace(flat)
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            coefs.append(xp.reshape(flat[offset : offset + fan_in * fan_out], (fan_in, fan_out)))
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
        xp, dtype = self.xp, self.numpy_dtype
        device = None if is_numpy(xp) else self.params.device
        for coef, intercept, init in layers:
            W, b = init(coef.shape[0], coef.shape[1], rng, dtype)
            coef[...], intercept[...] = asarray(W, xp, device), asarray(b, xp, device)

    def _views_of(self, grad):
        """Per-layer views of ``grad``, kept for the last gradient buffer seen."""
        cached = self.__dict__.get("_grad_views")
        if cached is None or cached[0] is not grad:
            cached = self._grad_views = (grad, self.unflatten(grad))
        return cached[1]

    def to_numpy(self, dtype=None):
        """This network as a NumPy network on the CPU (itself if it is one, in ``dtype``)."""
        dtype = self.numpy_dtype if dtype is None else np.dtype(dtype)
        if isinstance(self.params, np.ndarray) and self.params.dtype == dtype:
            return self
        copy = Network(self.layer_sizes, self.activation, self.output, dtype)
        copy.params[...] = to_numpy(self.params)
        return copy

    def converted(self, converter):
        """A copy of this network whose parameters ``converter`` moved (another namespace)."""
        moved = Network.__new__(Network)
        moved.__dict__.update(self.__dict__)
        moved.__dict__.pop("_grad_views", None)
        moved.params = converter(self.params)
        moved.coefs, moved.intercepts = moved.unflatten(moved.params)
        return moved

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
        dtype, xp = self.numpy_dtype, self.xp
        device = None if is_numpy(xp) else self.params.device
        for rate, units in zip(rates, self.layer_sizes[1:-1], strict=True):
            if rate == 0:
                masks.append(None)
                continue
            keep = rng.random_sample((n_samples, units)) >= rate
            masks.append(asarray(keep.astype(dtype) * dtype.type(1 / (1 - rate)), xp, device))
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
        cache : Cache
            What :meth:`backward` needs; empty when not kept.
        """
        if workspace is not None:
            workspace.check(X.shape[0])
        elif not keep_cache and masks is None and self._predict_in_blocks(X):
            return self._forward_in_blocks(X), _NO_CACHE
        cache = Cache([], [], []) if keep_cache else _NO_CACHE
        A = X
        last = self.n_layers - 1
        keep_input = self.activation.needs_input
        for layer, (W, b) in enumerate(zip(self.coefs, self.intercepts, strict=True)):
            if keep_cache:
                cache.inputs.append(A)
            Z = self._affine(A, W, b, layer, workspace, keep_input and layer < last)
            if layer == last:
                return Z, cache
            A = self.activation.forward(Z, self._output_buffer(Z, layer, workspace, keep_input))
            if keep_cache:
                cache.activations.append(A)
                cache.pre_activations.append(Z if keep_input else None)
            if masks is not None and masks[layer] is not None:
                if workspace is None:
                    A = A * masks[layer]
                else:
                    A = np.multiply(A, masks[layer], out=workspace.dropped(layer))
        raise AssertionError("unreachable: the loop returns at the last layer")

    @staticmethod
    def _affine(A, W, b, layer, workspace, keep_input):
        """``Z = A @ W + b``, into the workspace when there is one."""
        if workspace is None:
            Z = A @ W
        else:
            Z = workspace.pre_activations[layer] if keep_input else workspace.outputs[layer]
            if isinstance(A, np.ndarray):
                np.matmul(A, W, out=Z)
            else:  # scipy.sparse input layer
                Z[...] = A @ W
        Z += b
        return Z

    @staticmethod
    def _output_buffer(Z, layer, workspace, keep_input):
        """Where the activation writes ``A``: ``Z`` itself unless kept, ``None`` off NumPy.

        ``None`` lets an activation of another namespace return a new array.
        """
        if not isinstance(Z, np.ndarray):
            return None
        if not keep_input:
            return Z
        return np.empty_like(Z) if workspace is None else workspace.outputs[layer]

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

    def backward(self, cache, dZ, grad=None, masks=None, workspace=None):
        """Back-propagate the logits' gradient ``dZ`` and return the parameters' gradient.

        Parameters
        ----------
        cache : Cache
            From :meth:`forward`.
        dZ : ndarray of shape (n_samples, n_outputs)
            Gradient of the summed loss w.r.t. the logits; may be overwritten.
        grad : ndarray of shape (n_params,), default=None
            Output buffer.
        masks : list of (ndarray or None), default=None
            The dropout masks the forward pass used.
        workspace : Workspace, default=None
            The workspace the forward pass used; holds the back-propagated ``dA`` arrays.

        Returns
        -------
        grad : ndarray of shape (n_params,)
            Gradient of the summed loss, laid out like ``params``.
        """
        numpy = isinstance(self.params, np.ndarray)
        if grad is None:
            grad = np.empty_like(self.params) if numpy else self.xp.empty_like(self.params)
        if workspace is not None and workspace.owner is self:
            coef_grads, intercept_grads = workspace.views(grad)
        else:
            coef_grads, intercept_grads = self._views_of(grad)
        for layer in range(self.n_layers - 1, -1, -1):
            A_prev = cache.inputs[layer]
            if isinstance(A_prev, np.ndarray):
                np.matmul(A_prev.T, dZ, out=coef_grads[layer])
            else:  # scipy.sparse input layer, or another namespace
                coef_grads[layer][...] = A_prev.T @ dZ
            if not numpy:
                intercept_grads[layer][...] = self.xp.sum(dZ, axis=0)
            elif workspace is None:
                dZ.sum(axis=0, out=intercept_grads[layer])
            else:  # the column sums as a BLAS product with ones: several times faster
                np.matmul(workspace.ones, dZ, out=intercept_grads[layer])
            if layer > 0:  # no dA for the input layer
                if numpy:
                    out = None if workspace is None else workspace.upstream[layer - 1]
                    dA = np.matmul(dZ, self.coefs[layer].T, out=out)
                else:
                    dA = dZ @ self.coefs[layer].T
                if masks is not None and masks[layer - 1] is not None:
                    dA *= masks[layer - 1]
                dZ = self.activation.backward(
                    dA, cache.activations[layer - 1], cache.pre_activations[layer - 1]
                )
        return grad

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["coefs"], state["intercepts"]
        state.pop("_grad_views", None)  # views of a training buffer: rebuilt when needed
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.coefs, self.intercepts = self.unflatten(self.params)


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
    pre_activations : list of (ndarray or None)
        For an activation that ``needs_input``, each hidden layer's ``Z`` (its ``A`` then goes
        to ``outputs``); ``None`` otherwise.
    upstream : list of ndarray
        ``upstream[l]`` of shape ``(n_samples, layer_sizes[l + 1])`` for each hidden layer:
        the gradient ``dA`` flowing back into it.
    ones : ndarray of shape (n_samples,)
        Ones, whose product with ``dZ`` gives the bias gradient.
    """

    def __init__(self, network, n_samples):
        self.owner = network
        self.n_samples = int(n_samples)
        dtype = network.params.dtype
        hidden = network.layer_sizes[1:-1]
        self.outputs = [
            np.empty((self.n_samples, units), dtype=dtype) for units in network.layer_sizes[1:]
        ]
        self.pre_activations = [
            np.empty((self.n_samples, units), dtype=dtype)
            if network.activation.needs_input
            else None
            for units in hidden
        ]
        self.upstream = [np.empty((self.n_samples, units), dtype=dtype) for units in hidden]
        self.ones = np.ones(self.n_samples, dtype=dtype)
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
