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

Batch normalization (``batch_normalization=True``, course 2, week 3) normalizes each hidden
layer's ``Z`` before its activation. A training pass uses the statistics of its batch, with the
rows weighted by ``p = s / sum(s)`` (``1 / m`` each without sample weights)::

    mu = p @ Z        var = p @ (Z - mu)**2        Z_hat = (Z - mu) / sqrt(var + eps)
    Z_tilde = gamma * Z_hat + beta                  A = g(Z_tilde)

and its backward pass, from ``dZ_tilde`` (what the activation's derivative gives)::

    dbeta = dZ_tilde.sum(axis=0)      dgamma = (dZ_tilde * Z_hat).sum(axis=0)
    dZ = gamma / sqrt(var + eps) * (dZ_tilde - p[:, None] * (dbeta + Z_hat * dgamma))

(``b`` cancels in ``Z - mu``: its gradient is exactly zero). A pass for prediction uses the
running statistics instead, a per-unit affine map. The learned ``gamma`` (starting at 1) and
``beta`` (at 0) of every hidden layer follow the biases in the flat buffer, all gammas then all
betas, unpenalized; the running means and variances are state, not parameters, in their own
flat array :attr:`Network.running`, updated only when a caller says so
(:meth:`Network.update_running_statistics`), never by a pass itself.

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

BATCH_NORM_EPSILON = 1e-5
"""The ``eps`` of batch normalization, added to each variance before its square root."""

RUNNING_MOMENTUM = 0.9
"""The course's ``beta`` of the exponentially weighted averages of batch means and variances.

An average over about the last ``1 / (1 - 0.9) = 10`` batches, with the course's bias correction
(see :meth:`Network.update_running_statistics`), so that the first batches count fully instead of
being pulled towards the starting values.
"""


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
        Each hidden layer's ``Z`` (with batch normalization ``Z_tilde``, the activation's
        input), kept only when the activation's derivative needs it.
    normalized : list of ndarray
        Batch normalization in training: each hidden layer's ``Z_hat``; empty otherwise.
    statistics : list of tuple
        Batch normalization in training: each hidden layer's batch ``(mean, var, inv_std)``,
        ``inv_std = 1 / sqrt(var + eps)``, each of shape ``(n_units,)``; empty otherwise.
    row_weights : ndarray of shape (n_samples,) or None
        Batch normalization in training: the rows' weights ``p = s / sum(s)`` in the
        statistics; ``None`` for equal weights ``1 / n_samples``.
    """

    inputs: list
    activations: list
    pre_activations: list
    normalized: list
    statistics: list
    row_weights: object


_NO_CACHE = Cache([], [], [], [], [], None)


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
    batch_normalization : bool, default=False
        Normalize each hidden layer's ``Z`` (see the module docstring).

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        All weights, then all biases, then (batch normalization) all gammas and all betas.
    coefs : list of ndarray
        Views into ``params``; ``coefs[l]`` has shape ``(layer_sizes[l], layer_sizes[l + 1])``.
    intercepts : list of ndarray
        Views into ``params``; ``intercepts[l]`` has shape ``(layer_sizes[l + 1],)``.
    gammas, betas : list of ndarray
        Views into ``params``, one of shape ``(layer_sizes[l + 1],)`` per hidden layer ``l``;
        empty lists without batch normalization.
    running : ndarray of shape (2 * n_hidden_units,) or None
        The running means of every hidden layer, then their running variances; ``None``
        without batch normalization.
    running_means, running_vars : list of ndarray
        Views into ``running``, one per hidden layer; empty lists without batch
        normalization.
    n_statistics_updates : int
        Updates of the running statistics so far (the course's ``t`` of the bias correction).
    n_coef : int
        Number of weight entries; ``params[:n_coef]`` are the penalized parameters.
    """

    def __init__(
        self, layer_sizes, activation, output, dtype=np.float64, xp=np, device=None,
        batch_normalization=False,
    ):
        self.layer_sizes = tuple(int(n) for n in layer_sizes)
        self.activation = activation
        self.output = output
        self.batch_normalization = bool(batch_normalization)
        fans = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True))
        self.n_coef = sum(fan_in * fan_out for fan_in, fan_out in fans)
        n_normalized = sum(self.layer_sizes[1:-1]) if self.batch_normalization else 0
        n_params = self.n_coef + sum(self.layer_sizes[1:]) + 2 * n_normalized
        if is_numpy(xp):
            self.params = np.zeros(n_params, dtype=dtype)
            self.running = np.zeros(2 * n_normalized, dtype=dtype) if n_normalized else None
        else:
            self.params = xp.zeros(n_params, dtype=dtype, device=device)
            self.running = (
                xp.zeros(2 * n_normalized, dtype=dtype, device=device) if n_normalized else None
            )
        self.n_statistics_updates = 0
        self._make_views()
        self._reset_normalization()

    def _make_views(self):
        """(Re)build the per-layer views of ``params`` and ``running``."""
        self.coefs, self.intercepts, self.gammas, self.betas = self._layer_views(self.params)
        self.running_means, self.running_vars = self._running_views(self.running)

    def _reset_normalization(self):
        """Batch normalization's starting point: ``gamma = 1``, ``beta = 0``, running
        statistics of a standard normal (mean 0, variance 1), no update yet."""
        for gamma, beta in zip(self.gammas, self.betas, strict=True):
            gamma[...], beta[...] = 1, 0
        for mean, var in zip(self.running_means, self.running_vars, strict=True):
            mean[...], var[...] = 0, 1
        self.n_statistics_updates = 0

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
        return self._layer_views(flat)[:2]

    def _layer_views(self, flat):
        """Per-layer ``(coefs, intercepts, gammas, betas)`` views of a vector like ``params``."""
        coefs, intercepts, gammas, betas = [], [], [], []
        offset = 0
        xp = get_namespace(flat)
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            coefs.append(xp.reshape(flat[offset : offset + fan_in * fan_out], (fan_in, fan_out)))
            offset += fan_in * fan_out
        for fan_out in self.layer_sizes[1:]:
            intercepts.append(flat[offset : offset + fan_out])
            offset += fan_out
        if self.batch_normalization:
            for views in (gammas, betas):
                for units in self.layer_sizes[1:-1]:
                    views.append(flat[offset : offset + units])
                    offset += units
        return coefs, intercepts, gammas, betas

    def _running_views(self, running):
        """The per-layer ``(running_means, running_vars)`` views of ``running``."""
        means, variances = [], []
        if running is None:
            return means, variances
        offset = 0
        for views in (means, variances):
            for units in self.layer_sizes[1:-1]:
                views.append(running[offset : offset + units])
                offset += units
        return means, variances

    def initialize(self, initializers, rng):
        """Draw every layer's weights and biases, layer by layer.

        With batch normalization, the gammas start at 1, the betas at 0 and the running
        statistics at mean 0 and variance 1.

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
        self._reset_normalization()

    def _views_of(self, grad):
        """Per-layer views of ``grad``, kept for the last gradient buffer seen."""
        cached = self.__dict__.get("_grad_views")
        if cached is None or cached[0] is not grad:
            cached = self._grad_views = (grad, self._layer_views(grad))
        return cached[1]

    def to_numpy(self, dtype=None):
        """This network as a NumPy network on the CPU (itself if it is one, in ``dtype``)."""
        dtype = self.numpy_dtype if dtype is None else np.dtype(dtype)
        if isinstance(self.params, np.ndarray) and self.params.dtype == dtype:
            return self
        copy = Network(
            self.layer_sizes, self.activation, self.output, dtype,
            batch_normalization=self.batch_normalization,
        )
        copy.params[...] = to_numpy(self.params)
        if self.running is not None:
            copy.running[...] = to_numpy(self.running)
        copy.n_statistics_updates = self.n_statistics_updates
        return copy

    def converted(self, converter):
        """A copy of this network whose arrays ``converter`` moved (another namespace)."""
        moved = Network.__new__(Network)
        moved.__dict__.update(self.__dict__)
        moved.__dict__.pop("_grad_views", None)
        moved.params = converter(self.params)
        moved.running = None if self.running is None else converter(self.running)
        moved._make_views()
        return moved

    # -- batch normalization's running statistics ----------------------------------------------

    def update_running_statistics(self, statistics, n_samples):
        """Fold one batch's statistics into the running ones (an exponentially weighted average).

        The course's average ``v_t = beta v_{t-1} + (1 - beta) theta_t`` with its bias
        correction ``v_t / (1 - beta^t)``, kept corrected: the running value moves towards the
        batch's by ``(1 - beta) / (1 - beta^t)``, all of the way at the first update. ``beta``
        is :data:`RUNNING_MOMENTUM`. A batch of fewer than 2 rows, whose variance is no
        estimate, changes nothing.

        Parameters
        ----------
        statistics : list of tuple
            ``Cache.statistics`` of a training pass over the batch.
        n_samples : int
            Rows in the batch.
        """
        if self.running is None or n_samples < 2:
            return
        self.n_statistics_updates += 1
        rate = (1 - RUNNING_MOMENTUM) / (1 - RUNNING_MOMENTUM**self.n_statistics_updates)
        running = zip(self.running_means, self.running_vars, statistics, strict=True)
        for running_mean, running_var, (mean, var, _) in running:
            running_mean += (mean - running_mean) * rate
            running_var += (var - running_var) * rate

    def set_running_statistics(self, statistics):
        """Make one batch's statistics the running ones (the whole training set's, for instance).

        Parameters
        ----------
        statistics : list of tuple
            ``Cache.statistics`` of a training pass.
        """
        if self.running is None:
            return
        running = zip(self.running_means, self.running_vars, statistics, strict=True)
        for running_mean, running_var, (mean, var, _) in running:
            running_mean[...], running_var[...] = mean, var
        self.n_statistics_updates = max(self.n_statistics_updates, 1)

    def normalization_affine(self, layer):
        """Batch normalization at prediction time as ``Z * scale + shift``, for hidden ``layer``.

        Returns
        -------
        scale : ndarray of shape (n_units,)
            ``gamma / sqrt(running_var + eps)``.
        shift : ndarray of shape (n_units,)
            ``beta - running_mean * scale``.
        """
        xp = get_namespace(self.params)
        scale = self.gammas[layer] / xp.sqrt(self.running_vars[layer] + BATCH_NORM_EPSILON)
        return scale, self.betas[layer] - self.running_means[layer] * scale

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

    def forward(
        self, X, keep_cache=True, masks=None, workspace=None, *, training=None,
        sample_weight=None,
    ):
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
            large dense ``X`` in the parameters' dtype is predicted (not ``training``, no
            masks) in row blocks, each through one reused workspace.
        training : bool, default=None
            A training pass: batch normalization uses (and the cache returns) the statistics
            of this batch; otherwise the running statistics. ``None`` means ``keep_cache``.
            Without batch normalization only the blocked prediction depends on it.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights of the rows in a training pass's batch statistics; ``None``: equal.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_outputs)
            Pre-activation of the output layer.
        cache : Cache
            What :meth:`backward` needs; empty when not kept, but for the batch statistics of
            a training pass with batch normalization.
        """
        training = keep_cache if training is None else training
        if workspace is not None:
            workspace.check(X.shape[0])
        elif not training and masks is None and self._predict_in_blocks(X):
            return self._forward_in_blocks(X), _NO_CACHE
        normalize = self.batch_normalization and training
        if keep_cache or normalize:
            row_weights = self._row_weights(sample_weight) if normalize else None
            cache = Cache([], [], [], [], [], row_weights)
        else:
            cache = _NO_CACHE
        A = X
        last = self.n_layers - 1
        keep_input = self.activation.needs_input
        for layer, (W, b) in enumerate(zip(self.coefs, self.intercepts, strict=True)):
            if keep_cache:
                cache.inputs.append(A)
            Z = self._affine(A, W, b, layer, workspace, keep_input and layer < last)
            if layer == last:
                return Z, cache
            if normalize:
                Z = self._normalize_batch(Z, layer, cache, workspace)
            elif self.batch_normalization:
                Z = self._normalize_running(Z, layer)
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

    def _row_weights(self, sample_weight):
        """``p = s / sum(s)``, the rows' weights in the batch statistics (``None``: equal)."""
        if sample_weight is None:
            return None
        if isinstance(sample_weight, np.ndarray):
            total = float(sample_weight.sum())
            return sample_weight / sample_weight.dtype.type(total)
        return sample_weight / get_namespace(sample_weight).sum(sample_weight)

    @staticmethod
    def _weighted_mean(Z, row_weights, workspace):
        """The column means of ``Z``, each row weighted by ``row_weights`` (``None``: equally)."""
        if row_weights is not None:
            return row_weights @ Z
        if isinstance(Z, np.ndarray) and workspace is not None:  # a BLAS product with ones
            mean = np.matmul(workspace.ones, Z)
            mean *= 1 / Z.shape[0]
            return mean
        return get_namespace(Z).mean(Z, axis=0)

    def _normalize_batch(self, Z, layer, cache, workspace):
        """``Z_tilde = gamma * Z_hat + beta`` with the batch's statistics, recorded in ``cache``.

        On NumPy ``Z`` becomes ``Z_tilde`` in place, ``Z_hat`` going to the workspace.
        """
        gamma, beta, weights = self.gammas[layer], self.betas[layer], cache.row_weights
        mean = self._weighted_mean(Z, weights, workspace)
        if isinstance(Z, np.ndarray):
            normalized = np.empty_like(Z) if workspace is None else workspace.normalized[layer]
            Z -= mean
            var = self._weighted_mean(np.multiply(Z, Z, out=normalized), weights, workspace)
            inv_std = 1 / np.sqrt(var + BATCH_NORM_EPSILON)
            np.multiply(Z, inv_std, out=normalized)
            np.multiply(normalized, gamma, out=Z)
            Z += beta
        else:
            centered = Z - mean
            var = self._weighted_mean(centered * centered, weights, None)
            inv_std = 1 / get_namespace(Z).sqrt(var + BATCH_NORM_EPSILON)
            normalized = centered * inv_std
            Z = normalized * gamma + beta
        cache.normalized.append(normalized)
        cache.statistics.append((mean, var, inv_std))
        return Z

    def _normalize_running(self, Z, layer):
        """``Z_tilde`` with the running statistics (prediction), in place."""
        scale, shift = self.normalization_affine(layer)
        Z *= scale
        Z += shift
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
            views = workspace.views(grad)
        else:
            views = self._views_of(grad)
        coef_grads, intercept_grads = views[:2]
        last = self.n_layers - 1
        for layer in range(last, -1, -1):
            normalized = self.batch_normalization and layer < last
            if normalized:  # dZ_tilde -> dZ, and the gammas' and betas' gradients
                dZ = self._normalization_backward(dZ, layer, cache, views, workspace)
            A_prev = cache.inputs[layer]
            if isinstance(A_prev, np.ndarray):
                np.matmul(A_prev.T, dZ, out=coef_grads[layer])
            else:  # scipy.sparse input layer, or another namespace
                coef_grads[layer][...] = A_prev.T @ dZ
            if normalized:  # b cancels in Z - mean: it changes no output
                intercept_grads[layer][...] = 0
            elif not numpy:
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

    def _normalization_backward(self, dZ_tilde, layer, cache, views, workspace):
        """Batch normalization's backward pass for hidden ``layer``: return ``dZ``.

        Writes ``dgamma`` and ``dbeta`` into their views of the gradient (``views[2:]``);
        ``dZ_tilde`` may be overwritten (on NumPy it becomes ``dZ``).
        """
        gamma_grad, beta_grad = views[2][layer], views[3][layer]
        normalized, (_, _, inv_std) = cache.normalized[layer], cache.statistics[layer]
        weights, n_samples = cache.row_weights, dZ_tilde.shape[0]
        scale = self.gammas[layer] * inv_std
        if not isinstance(dZ_tilde, np.ndarray):
            xp = get_namespace(dZ_tilde)
            beta_grad[...] = xp.sum(dZ_tilde, axis=0)
            gamma_grad[...] = xp.sum(dZ_tilde * normalized, axis=0)
            correction = normalized * gamma_grad + beta_grad
            correction = correction / n_samples if weights is None else (
                correction * weights[:, None]
            )
            return (dZ_tilde - correction) * scale
        if workspace is None:
            scratch = np.multiply(dZ_tilde, normalized)
            dZ_tilde.sum(axis=0, out=beta_grad)
            scratch.sum(axis=0, out=gamma_grad)
        else:  # column sums as BLAS products with ones
            scratch = np.multiply(dZ_tilde, normalized, out=workspace.scratch[layer])
            np.matmul(workspace.ones, dZ_tilde, out=beta_grad)
            np.matmul(workspace.ones, scratch, out=gamma_grad)
        if weights is None:  # the 1 / m folded into the two vectors
            np.multiply(normalized, gamma_grad * (1 / n_samples), out=scratch)
            scratch += beta_grad * (1 / n_samples)
        else:
            np.multiply(normalized, gamma_grad, out=scratch)
            scratch += beta_grad
            scratch *= weights[:, None]
        dZ_tilde -= scratch
        dZ_tilde *= scale
        return dZ_tilde

    def __getstate__(self):
        state = self.__dict__.copy()
        for views in ("coefs", "intercepts", "gammas", "betas", "running_means", "running_vars"):
            state.pop(views, None)
        state.pop("_grad_views", None)  # views of a training buffer: rebuilt when needed
        return state

    def __setstate__(self, state):
        state = dict(state)
        state.setdefault("batch_normalization", False)  # pickled before batch normalization
        state.setdefault("running", None)
        state.setdefault("n_statistics_updates", 0)
        self.__dict__.update(state)
        self._make_views()


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
    normalized, scratch : list of ndarray
        With batch normalization, for each hidden layer: its ``Z_hat``, and room for the
        backward pass's intermediate products; empty lists otherwise.
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
        normalized = hidden if network.batch_normalization else ()
        self.normalized = [np.empty((self.n_samples, units), dtype=dtype) for units in normalized]
        self.scratch = [np.empty((self.n_samples, units), dtype=dtype) for units in normalized]
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
        """Per-layer ``(coefs, intercepts, gammas, betas)`` views of ``grad``, cached for the
        last ``grad``."""
        cached, views = self._grad_views
        if cached is not grad:
            views = self.owner._layer_views(grad)
            self._grad_views = (grad, views)
        return views
