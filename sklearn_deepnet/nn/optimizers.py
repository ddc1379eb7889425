"""Solvers: how the flat parameter vector moves, given gradients (or the objective itself).

==========  ============  =================================================================
solver      batches       update
==========  ============  =================================================================
``gd``      full batch    ``params -= lr * grad`` (the course's gradient descent)
``sgd``     mini-batches  ``v = momentum * v - lr * grad``; ``params += v``
                          (Nesterov: ``params += momentum * v - lr * grad``)
``adam``    mini-batches  Kingma & Ba (2014) with bias-corrected step size
``agd``     full batch    Nesterov's accelerated gradient with a backtracking line search
                          and adaptive restart: no learning rate to tune
``lbfgs``   full batch    SciPy's L-BFGS-B on the flat vector
==========  ============  =================================================================

The first three see only parameter and gradient arrays and keep their own state; their
``learning_rate`` attribute is what a learning-rate schedule changes between epochs. ``agd`` and
``lbfgs`` need the objective itself and own their step size, so schedules do not apply to them.

Every step works in place on preallocated state with a few ufunc calls, chunk by chunk over the
flat vector (see :func:`chunked_update`): a step allocates nothing, and each chunk stays in
cache across the update's passes.
"""

import contextlib
import functools
import math
import os

import numpy as np
import scipy.optimize

CHUNK_BYTES = 2**18
"""Bytes of each array in one chunk of an elementwise update.

An update such as Adam's makes ten passes over its arrays; done a chunk at a time, the chunk of
every array stays in the core's L2 cache across the passes, so main memory sees each array
read (and written) about once. The scratch space is one chunk.
"""


def chunk_buffer(buffer, like):
    """A chunk-sized scratch array in ``like``'s dtype: ``buffer`` again when it fits."""
    size = min(like.size, max(1, CHUNK_BYTES // like.itemsize))
    if buffer is None or buffer.size != size or buffer.dtype != like.dtype:
        return np.empty(size, dtype=like.dtype)
    return buffer


def chunked_update(kernel, arrays, work):
    """Run ``kernel(*slices, work)`` chunk by chunk over equal-sized flat arrays.

    Parameters
    ----------
    kernel : callable
        In-place elementwise update of its array arguments; the last one is scratch space.
    arrays : sequence of ndarray
        1-D arrays of one size, cut into consecutive chunks of ``work.size`` elements.
    work : ndarray
        Scratch space, from :func:`chunk_buffer`.
    """
    size, step = arrays[0].size, work.size
    if size <= step:
        kernel(*arrays, work[:size])
        return
    for start in range(0, size, step):
        stop = min(start + step, size)
        kernel(*[array[start:stop] for array in arrays], work[: stop - start])


class _InPlaceStep:
    """Gives a solver a chunk of scratch space (see :func:`chunked_update`), never pickled."""

    def _work(self, params):
        work = self._scratch = chunk_buffer(self.__dict__.get("_scratch"), params)
        return work

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_scratch", None)
        return state


class GradientDescent(_InPlaceStep):
    """Plain full-batch gradient descent, ``params -= learning_rate * grad``.

    Parameters
    ----------
    learning_rate : float
        Step size.
    """

    full_batch = True
    uses_learning_rate = True

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def step(self, params, grad):
        """Update ``params`` in place from ``grad``."""
        kernel = functools.partial(_descent_kernel, float(self.learning_rate))
        chunked_update(kernel, (params, grad), self._work(params))


def _descent_kernel(learning_rate, params, grad, work):
    """``params -= learning_rate * grad`` on one chunk."""
    params -= np.multiply(grad, learning_rate, out=work)


class SGD(_InPlaceStep):
    """Mini-batch stochastic gradient descent with (Nesterov) momentum.

    Parameters
    ----------
    learning_rate : float
        Step size.
    momentum : float
        Momentum coefficient in ``[0, 1]``.
    nesterov : bool
        Use Nesterov's momentum.
    """

    full_batch = False
    uses_learning_rate = True

    def __init__(self, learning_rate, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = None

    def step(self, params, grad):
        """Update ``params`` in place from ``grad``."""
        if self.velocity is None:
            self.velocity = np.zeros_like(params)
        kernel = functools.partial(
            _momentum_kernel, float(self.learning_rate), float(self.momentum), self.nesterov
        )
        chunked_update(kernel, (params, grad, self.velocity), self._work(params))


def _momentum_kernel(learning_rate, momentum, nesterov, params, grad, velocity, work):
    """One chunk of the (Nesterov) momentum update (see :class:`SGD`)."""
    scaled_grad = np.multiply(grad, learning_rate, out=work)
    velocity *= momentum
    velocity -= scaled_grad
    if nesterov:
        params -= scaled_grad
        params += np.multiply(velocity, momentum, out=work)
    else:
        params += velocity


class Adam(_InPlaceStep):
    """Adam: moment estimates of the gradient with bias-corrected step size.

    The update is Kingma & Ba's (and scikit-learn's) ``params -= lr_t * m / (sqrt(v) + epsilon)``
    with ``m = beta_1 m + (1 - beta_1) grad``, ``v = beta_2 v + (1 - beta_2) grad**2`` and
    ``lr_t = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)``. To save memory passes the
    moments are stored divided by ``1 - beta_1`` and ``1 - beta_2`` (``m = beta_1 m + grad``),
    and those constants are folded into the step size and ``epsilon``: the same update, exactly
    in real arithmetic.

    Parameters
    ----------
    learning_rate : float
        Base step size.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in ``[0, 1)``.
    epsilon : float
        Added to the denominator for numerical stability.

    Attributes
    ----------
    t : int
        Steps taken.
    m, v : ndarray or None
        The moment estimates divided by ``1 - beta_1`` and ``1 - beta_2``; ``None`` before
        the first step.
    """

    full_batch = False
    uses_learning_rate = True

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = self.v = None

    def step(self, params, grad):
        """Update ``params`` in place from ``grad``."""
        if self.m is None:
            self.m = np.zeros_like(params)
            self.v = np.zeros_like(params)
        self.t += 1
        # Python floats, so float32 arrays stay float32 (a NumPy float64 scalar would upcast)
        b1, b2 = float(self.beta_1), float(self.beta_2)
        # lr_t * m_true / (sqrt(v_true) + eps), with m_true = (1 - b1) m, v_true = (1 - b2) v
        root = math.sqrt(1 - b2)
        step = float(self.learning_rate) * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        step *= (1 - b1) / root
        kernel = functools.partial(_adam_kernel, b1, b2, float(self.epsilon) / root, step)
        chunked_update(kernel, (params, grad, self.m, self.v), self._work(params))


def _adam_kernel(b1, b2, epsilon, step, params, grad, m, v, work):
    """Adam's in-place update of one chunk of the flat arrays (see :class:`Adam`)."""
    m *= b1
    m += grad
    v *= b2
    v += np.multiply(grad, grad, out=work)
    np.sqrt(v, out=work)
    work += epsilon
    np.divide(m, work, out=work)
    work *= step
    params -= work


class AcceleratedGradient:
    """Nesterov-accelerated full-batch gradient descent with backtracking and adaptive restart.

    Each call of :meth:`step` takes one accelerated step (FISTA, Beck & Teboulle 2009): from the
    extrapolated point ``y`` it moves to ``y - grad(y) / L``, doubling ``L`` until the sufficient
    decrease ``J(x_new) <= J(y) - ||grad(y)||^2 / (2 L)`` holds, then lets ``L`` shrink by 10% so
    the step can grow again. Momentum restarts whenever the objective goes up (O'Donoghue &
    Candes 2015). The first ``L`` comes from a secant estimate of the gradient's Lipschitz constant,
    so no learning rate has to be tuned.

    Parameters
    ----------
    learning_rate : float
        Length of the probe step used for the first Lipschitz estimate only.
    """

    full_batch = True
    uses_learning_rate = False

    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate
        self.lipschitz = None
        self.previous = None
        self.t = 1.0
        self.loss = np.inf

    def step(self, params, loss_and_gradient, loss):
        """Take one accelerated step, updating ``params`` in place.

        Parameters
        ----------
        params : ndarray
            The current iterate; the objective is evaluated at whatever ``params`` holds.
        loss_and_gradient : callable
            ``() -> (J, grad)`` at the current content of ``params``.
        loss : callable
            ``() -> J`` at the current content of ``params``.

        Returns
        -------
        loss : float
            ``J`` at the new iterate.
        grad : ndarray
            Gradient at the extrapolated point the step was taken from.
        """
        x = params.copy()
        if self.previous is None:
            self.previous = x.copy()
        t_next = 0.5 * (1 + np.sqrt(1 + 4 * self.t * self.t))
        params += ((self.t - 1) / t_next) * (x - self.previous)  # y
        y = params.copy()
        loss_y, grad = loss_and_gradient()
        grad = grad.copy()
        squared_norm = float(grad @ grad)
        if self.lipschitz is None:
            self.lipschitz = self._secant_estimate(params, y, grad, loss_and_gradient)
        slack = 16 * np.finfo(params.dtype).eps * max(1.0, abs(loss_y))
        while True:
            np.subtract(y, grad / self.lipschitz, out=params)
            new_loss = loss()
            if new_loss <= loss_y - 0.5 * squared_norm / self.lipschitz + slack:
                break
            if not np.isfinite(self.lipschitz) or self.lipschitz > 1e30:
                params[...] = y
                new_loss = loss_y
                break
            self.lipschitz *= 2.0
        if new_loss > self.loss:  # adaptive restart: drop the momentum
            t_next = 1.0
        self.previous, self.t, self.loss = x, t_next, new_loss
        self.lipschitz *= 0.9
        return new_loss, grad

    def _secant_estimate(self, params, y, grad, loss_and_gradient):
        probe = self.learning_rate * grad
        norm = float(np.linalg.norm(probe))
        if norm == 0:
            return 1.0 / self.learning_rate
        np.subtract(y, probe, out=params)
        _, grad_probe = loss_and_gradient()
        params[...] = y
        change = float(np.linalg.norm(grad_probe - grad))
        return max(change / norm, 1e-12) if np.isfinite(change) else 1.0 / self.learning_rate


class LBFGS:
    """SciPy's L-BFGS-B on the flat parameter vector.

    Parameters
    ----------
    max_iter : int
        Maximum number of iterations.
    max_fun : int
        Maximum number of objective evaluations.
    tol : float
        Stop when the largest absolute gradient entry falls below ``tol``.
    """

    full_batch = True
    uses_learning_rate = False

    def __init__(self, max_iter, max_fun, tol):
        self.max_iter = max_iter
        self.max_fun = max_fun
        self.tol = tol

    def minimize(self, params, loss_and_gradient, callback=None):
        """Minimize from ``params``, leaving the solution in ``params``.

        Parameters
        ----------
        params : ndarray
            Starting point, overwritten with the solution.
        loss_and_gradient : callable
            ``() -> (J, grad)`` at the current content of ``params``.
        callback : callable, default=None
            Called with the loss after each iteration.

        Returns
        -------
        result : scipy.optimize.OptimizeResult
        """

        def fun(x):
            params[...] = x
            loss, grad = loss_and_gradient()
            return loss, grad.astype(np.float64)

        def on_iteration(intermediate_result):
            if callback is not None:
                callback(float(intermediate_result.fun))

        with _other_blas_single_threaded():
            result = scipy.optimize.minimize(
                fun,
                params.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=on_iteration,
                options={
                    "maxiter": self.max_iter,
                    "maxfun": self.max_fun,
                    "gtol": self.tol,
                    "ftol": 0.0,
                },
            )
        params[...] = result.x
        return result


@contextlib.contextmanager
def _other_blas_single_threaded():
    """Limit to one thread every BLAS loaded besides NumPy's own, for the ``with`` block.

    pip's NumPy and SciPy wheels each bring an OpenBLAS. L-BFGS-B runs its small
    parameter-sized algebra on SciPy's; that library's idle threads then spin on the cores while
    NumPy's BLAS evaluates the objective, which measured up to twice slower. One thread is
    plenty for L-BFGS-B's vectors. Where NumPy and SciPy share one BLAS (conda, Linux
    distributions), or ``threadpoolctl`` cannot tell them apart, nothing changes; limits are only
    ever lowered, never raised.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        yield
        return
    numpy_dir = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    numpy_libs = os.path.join(numpy_dir, "numpy.libs")
    controller = ThreadpoolController()
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    ours = [lib for lib in blas if os.path.abspath(lib.filepath).startswith(numpy_libs)]
    others = [lib.filepath for lib in blas if lib not in ours and lib.num_threads > 1]
    if len(ours) != 1 or not others:
        yield
        return
    with controller.select(filepath=others).limit(limits=1):
        yield


SOLVERS = {
    "gd": GradientDescent,
    "sgd": SGD,
    "adam": Adam,
    "agd": AcceleratedGradient,
    "lbfgs": LBFGS,
}
