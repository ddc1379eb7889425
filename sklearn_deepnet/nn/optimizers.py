"""Solvers: how the flat parameter vector moves, behind one protocol, and the name -> class table.

Every solver is a class that declares what it needs and offers, and the estimators read only
those declarations (they never branch on a solver's name):

=========================== =======================================================================
declaration                 meaning
=========================== =======================================================================
``name``, ``summary``       the ``solver`` value, and a line for the docstrings and the user guide
``hyperparameters``         constructor argument -> the estimator parameter it is read from
``full_batch``              each step sees every sample (no ``batch_size``, no shuffling)
``uses_learning_rate``      it steps by ``learning_rate``, which the ``learning_rate`` schedules
                            set
``deterministic``           it needs the same objective at every evaluation (a line search), so no
                            dropout
``supports_partial_fit``    ``partial_fit`` (one epoch per call) is available
``supports_validation``     it can score a validation set after each epoch and stop early on it
``loss_before_step``        its epoch loss is measured at the weights before the epoch's steps
``supports_weight_decay``   it applies decoupled weight decay (``weight_decay``) with each step
=========================== =======================================================================

and implements ``minimize(problem, loop)``: it moves ``problem.params`` (a
:class:`~sklearn_deepnet.nn.problem.TrainingProblem`) epoch by epoch, calling
``loop.epoch_begin()`` before and ``loop.epoch_end(loss, grad)`` after each epoch, and stops when
``epoch_end`` returns ``True`` or after ``loop.max_epochs`` epochs. It returns ``"converged"``
when it stopped on a criterion of its own, else ``None``. :class:`EpochSolver` gives that loop
to the solvers that take one step (or one pass of mini-batch steps) per epoch: plain gradient
descent, SGD, Adam, RMSprop, and, through its line-search step, accelerated gradient descent.
L-BFGS runs inside SciPy and maps its iterations onto the same calls.

Decoupled weight decay (Loshchilov & Hutter, 2019, "AdamW") is also :class:`EpochSolver`'s:
before each step of a solver that steps by a learning rate, the weights (not the biases) are
multiplied by ``1 - learning_rate * weight_decay``. Unlike the L2 penalty ``alpha``, which goes
through the gradient and so through Adam's or RMSprop's per-parameter rescaling, the decay
shrinks every weight by the same factor; it is not part of the objective (``loss_curve_``).

Every step works in place on preallocated state. On NumPy arrays it runs a few ufunc calls
chunk by chunk over the flat vector (see :mod:`~sklearn_deepnet.nn._chunks`): a step allocates
nothing, and each chunk stays in cache across the update's passes. On arrays of another
namespace (PyTorch, CuPy, ...) it runs the same update as whole-array in-place operations of the
array API standard, on the arrays' device.
"""

import contextlib
import functools
import math
import os

import numpy as np
import scipy.optimize

from ._chunks import chunk_buffer, chunked_update
from ._namespace import asarray, copy, get_namespace, numpy_dtype, to_float, to_numpy


def _zeros_like(array):
    """Zeros shaped, typed and placed like ``array``."""
    return np.zeros_like(array) if isinstance(array, np.ndarray) else get_namespace(
        array
    ).zeros_like(array)


class Solver:
    """Base class of the solvers: the declarations of the module docstring and their defaults."""

    name = None
    summary = ""
    hyperparameters = {}
    full_batch = False
    uses_learning_rate = True
    deterministic = False
    supports_partial_fit = True
    supports_validation = True
    loss_before_step = False
    supports_weight_decay = False

    @classmethod
    def from_params(cls, get):
        """Build the solver from an estimator's parameters, ``get(name)`` returning each."""
        solver = cls(**{arg: get(name) for arg, name in cls.hyperparameters.items()})
        decay = float(get("weight_decay")) if cls.supports_weight_decay else 0.0
        if decay:  # an attribute only when used: model files written without it stay valid
            solver.weight_decay = decay
        return solver

    def _weight_decay(self):
        """The decoupled weight decay: set by :meth:`from_params` when non-zero, else 0."""
        return vars(self).get("weight_decay", 0.0)

    def minimize(self, problem, loop):
        """Move ``problem.params`` until ``loop`` says stop; ``"converged"`` or ``None``."""
        raise NotImplementedError

    def not_converged_message(self, max_iter):
        """What the warning says when ``max_iter`` epochs ran without converging."""
        kind = "Full-batch" if self.full_batch else "Stochastic"
        return (
            f"{kind} Optimizer: Maximum iterations ({max_iter}) reached and the optimization "
            f"hasn't converged yet. (solver={self.name!r}: increase max_iter, raise "
            "learning_rate_init or scale the data.)"
        )

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_scratch", None)  # scratch space is rebuilt by the next step
        return state

    def _work(self, params):
        """A chunk of scratch space for :func:`chunked_update`, never pickled."""
        work = self._scratch = chunk_buffer(self.__dict__.get("_scratch"), params)
        return work


class EpochSolver(Solver):
    """A solver that advances by whole epochs: :meth:`run_epoch` then ``loop.epoch_end``.

    Subclasses implement :meth:`step` (an update from a gradient); mini-batch ones get one step
    per batch, full-batch ones one step per epoch. Those that step by a learning rate apply
    the decoupled weight decay before each step.
    """

    supports_weight_decay = True

    def minimize(self, problem, loop):
        """Run epochs until the loop says stop or ``loop.max_epochs`` ran; return ``None``."""
        for _ in range(loop.max_epochs):
            loop.epoch_begin()
            loss, grad = self.run_epoch(problem)
            if loop.epoch_end(loss, grad):
                return loop.stop_reason
        return None

    def run_epoch(self, problem):
        """One epoch of steps; return the epoch's loss and the last gradient."""
        step = self.step
        if self._weight_decay():
            step = functools.partial(self._decayed_step, problem.weights)
        if not self.full_batch:
            return problem.minibatch_epoch(step)
        loss, grad = problem.loss_and_gradient()
        step(problem.params, grad)
        return loss, grad

    def _decayed_step(self, weights, params, grad):
        """Shrink ``weights`` (a view of ``params``) by ``1 - lr * weight_decay``, then step.

        The same update as AdamW's ``params -= lr * (update + weight_decay * params)`` on the
        weights, since the step's gradient was taken before the shrinking.
        """
        weights *= 1.0 - float(self.learning_rate) * float(self.weight_decay)
        self.step(params, grad)

    def step(self, params, grad):
        """Update ``params`` in place from ``grad``."""
        raise NotImplementedError


class GradientDescent(EpochSolver):
    """Plain full-batch gradient descent, ``params -= learning_rate * grad``.

    Parameters
    ----------
    learning_rate : float
        Step size.
    """

    name = "gd"
    summary = (
        "full-batch gradient descent with a fixed step, the course's algorithm: one step per "
        "epoch"
    )
    hyperparameters = {"learning_rate": "learning_rate_init"}
    full_batch = True
    loss_before_step = True

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def step(self, params, grad):
        """Update ``params`` in place from ``grad``."""
        if not isinstance(params, np.ndarray):
            params -= grad * float(self.learning_rate)
            return
        kernel = functools.partial(_descent_kernel, float(self.learning_rate))
        chunked_update(kernel, (params, grad), self._work(params))


def _descent_kernel(learning_rate, params, grad, work):
    """``params -= learning_rate * grad`` on one chunk."""
    params -= np.multiply(grad, learning_rate, out=work)


class SGD(EpochSolver):
    """Mini-batch stochastic gradient descent with (Nesterov) momentum.

    ``v = momentum * v - lr * grad``, then ``params += v`` (Nesterov:
    ``params += momentum * v - lr * grad``).

    Parameters
    ----------
    learning_rate : float
        Step size.
    momentum : float
        Momentum coefficient in ``[0, 1]``.
    nesterov : bool
        Use Nesterov's momentum.
    """

    name = "sgd"
    summary = "mini-batch stochastic gradient descent with (Nesterov) momentum"
    hyperparameters = {
        "learning_rate": "learning_rate_init",
        "momentum": "momentum",
        "nesterov": "nesterovs_momentum",
    }

    def __init__(self, learning_rate, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = None

    def step(self, params, grad):
        """Update ``params`` in place from ``grad``."""
        if self.velocity is None:
            self.velocity = _zeros_like(params)
        kernel = functools.partial(
            _momentum_kernel, float(self.learning_rate), float(self.momentum), self.nesterov
        )
        if not isinstance(params, np.ndarray):
            kernel(params, grad, self.velocity, None)
            return
        chunked_update(kernel, (params, grad, self.velocity), self._work(params))


def _momentum_kernel(learning_rate, momentum, nesterov, params, grad, velocity, work):
    """One chunk of the (Nesterov) momentum update (see :class:`SGD`); ``work=None``: whole
    arrays of any namespace, without scratch space."""
    if work is None:
        scaled_grad = grad * learning_rate
    else:
        scaled_grad = np.multiply(grad, learning_rate, out=work)
    velocity *= momentum
    velocity -= scaled_grad
    if nesterov:
        params -= scaled_grad
        params += velocity * momentum if work is None else np.multiply(velocity, momentum, out=work)
    else:
        params += velocity


class Adam(EpochSolver):
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

    name = "adam"
    summary = "Adam on mini-batches (Kingma & Ba, 2014)"
    hyperparameters = {
        "learning_rate": "learning_rate_init",
        "beta_1": "beta_1",
        "beta_2": "beta_2",
        "epsilon": "epsilon",
    }

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
            self.m = _zeros_like(params)
            self.v = _zeros_like(params)
        self.t += 1
        # Python floats, so float32 arrays stay float32 (a NumPy float64 scalar would upcast)
        b1, b2 = float(self.beta_1), float(self.beta_2)
        # lr_t * m_true / (sqrt(v_true) + eps), with m_true = (1 - b1) m, v_true = (1 - b2) v
        root = math.sqrt(1 - b2)
        step = float(self.learning_rate) * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        step *= (1 - b1) / root
        kernel = functools.partial(_adam_kernel, b1, b2, float(self.epsilon) / root, step)
        if not isinstance(params, np.ndarray):
            kernel(params, grad, self.m, self.v, None)
            return
        chunked_update(kernel, (params, grad, self.m, self.v), self._work(params))


def _adam_kernel(b1, b2, epsilon, step, params, grad, m, v, work):
    """Adam's in-place update of one chunk of the flat arrays (see :class:`Adam`); ``work=None``:
    whole arrays of any namespace, the same operations in the same order."""
    m *= b1
    m += grad
    v *= b2
    if work is None:
        v += grad * grad
        params -= m / (get_namespace(v).sqrt(v) + epsilon) * step
        return
    v += np.multiply(grad, grad, out=work)
    np.sqrt(v, out=work)
    work += epsilon
    np.divide(m, work, out=work)
    work *= step
    params -= work


class RMSprop(EpochSolver):
    """The course's RMSprop: ``S = b S + (1 - b) g**2``, ``params -= lr g / (sqrt(S) + eps)``.

    Each parameter's step is divided by the root mean square of its recent gradients, which
    damps the directions that oscillate. The decay rate is the estimator's ``beta_2`` and the
    stabilizer its ``epsilon``, as in the course (which names RMSprop's decay :math:`\\beta_2`
    so that Adam combines it with momentum's :math:`\\beta_1`).

    Parameters
    ----------
    learning_rate : float
        Step size.
    beta_2 : float
        Decay rate of the mean square, in ``[0, 1)``.
    epsilon : float
        Added to the root mean square.

    Attributes
    ----------
    mean_square : ndarray or None
        ``S``; ``None`` before the first step.
    """

    name = "rmsprop"
    summary = (
        "RMSprop on mini-batches: steps divided by the root mean square of recent gradients "
        "(decay ``beta_2``)"
    )
    hyperparameters = {
        "learning_rate": "learning_rate_init",
        "beta_2": "beta_2",
        "epsilon": "epsilon",
    }

    def __init__(self, learning_rate, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.mean_square = None

    def step(self, params, grad):
        """Update ``params`` in place from ``grad``."""
        if self.mean_square is None:
            self.mean_square = _zeros_like(params)
        kernel = functools.partial(
            _rmsprop_kernel, float(self.beta_2), float(self.epsilon), float(self.learning_rate)
        )
        if not isinstance(params, np.ndarray):
            kernel(params, grad, self.mean_square, None)
            return
        chunked_update(kernel, (params, grad, self.mean_square), self._work(params))


def _rmsprop_kernel(beta_2, epsilon, learning_rate, params, grad, mean_square, work):
    """RMSprop's in-place update of one chunk of the flat arrays (see :class:`RMSprop`);
    ``work=None``: whole arrays of any namespace."""
    mean_square *= beta_2
    if work is None:
        mean_square += grad * grad * (1 - beta_2)
        params -= grad / (get_namespace(grad).sqrt(mean_square) + epsilon) * learning_rate
        return
    np.multiply(grad, grad, out=work)
    work *= 1 - beta_2
    mean_square += work
    np.sqrt(mean_square, out=work)
    work += epsilon
    np.divide(grad, work, out=work)
    work *= learning_rate
    params -= work


class AcceleratedGradient(EpochSolver):
    """Nesterov-accelerated full-batch gradient descent with backtracking and adaptive restart.

    Each epoch takes one accelerated step (FISTA, Beck & Teboulle 2009): from the extrapolated
    point ``y`` it moves to ``y - grad(y) / L``, doubling ``L`` until the sufficient decrease
    ``J(x_new) <= J(y) - ||grad(y)||^2 / (2 L)`` holds, then lets ``L`` shrink by 10% so the step
    can grow again. Momentum restarts whenever the objective goes up (O'Donoghue & Candes 2015).
    The first ``L`` comes from a secant estimate of the gradient's Lipschitz constant, so no
    learning rate has to be tuned. It fits the epoch protocol through :meth:`run_epoch`, whose
    step needs the objective itself rather than a gradient.

    Parameters
    ----------
    learning_rate : float
        Length of the probe step used for the first Lipschitz estimate only.
    """

    name = "agd"
    summary = (
        "full-batch Nesterov-accelerated gradient descent with a backtracking line search "
        "and adaptive restart; it needs no learning rate"
    )
    hyperparameters = {"learning_rate": "learning_rate_init"}
    full_batch = True
    uses_learning_rate = False
    deterministic = True
    supports_weight_decay = False

    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate
        self.lipschitz = None
        self.previous = None
        self.t = 1.0
        self.loss = np.inf

    def run_epoch(self, problem):
        """One accelerated step on all the data; the new loss and the gradient it stepped on."""
        return self.step(problem.params, problem.loss_and_gradient, problem.loss)

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
        x = copy(params)
        if self.previous is None:
            self.previous = copy(x)
        t_next = 0.5 * (1 + math.sqrt(1 + 4 * self.t * self.t))
        params += (x - self.previous) * ((self.t - 1) / t_next)  # y
        y = copy(params)
        loss_y, grad = loss_and_gradient()
        loss_y, grad = to_float(loss_y), copy(grad)
        if self.lipschitz is None:
            self.lipschitz = self._secant_estimate(params, y, grad, loss_and_gradient)
        new_loss = self._backtrack(params, y, grad, loss_y, loss)
        if new_loss > self.loss:  # adaptive restart: drop the momentum
            t_next = 1.0
        self.previous, self.t, self.loss = x, t_next, new_loss
        self.lipschitz *= 0.9
        return new_loss, grad

    def _backtrack(self, params, y, grad, loss_y, loss):
        """Step from ``y`` by ``grad / L``, doubling ``L`` until the loss falls enough."""
        squared_norm = _squared_norm(grad)
        slack = 16 * np.finfo(numpy_dtype(params)).eps * max(1.0, abs(loss_y))
        while True:
            _subtract_into(params, y, grad / self.lipschitz)
            new_loss = to_float(loss())
            if new_loss <= loss_y - 0.5 * squared_norm / self.lipschitz + slack:
                return new_loss
            if not np.isfinite(self.lipschitz) or self.lipschitz > 1e30:
                params[...] = y
                return loss_y
            self.lipschitz *= 2.0

    def _secant_estimate(self, params, y, grad, loss_and_gradient):
        probe = grad * self.learning_rate
        norm = _norm(probe)
        if norm == 0:
            return 1.0 / self.learning_rate
        _subtract_into(params, y, probe)
        _, grad_probe = loss_and_gradient()
        params[...] = y
        change = _norm(grad_probe - grad)
        return max(change / norm, 1e-12) if np.isfinite(change) else 1.0 / self.learning_rate


def _squared_norm(vector):
    """``||vector||^2`` as a Python float."""
    if isinstance(vector, np.ndarray):
        return float(vector @ vector)
    return to_float(get_namespace(vector).sum(vector * vector))


def _norm(vector):
    """``||vector||`` as a Python float."""
    if isinstance(vector, np.ndarray):
        return float(np.linalg.norm(vector))
    return math.sqrt(_squared_norm(vector))


def _subtract_into(out, a, b):
    """``out[...] = a - b``, without a temporary on NumPy."""
    if isinstance(out, np.ndarray):
        np.subtract(a, b, out=out)
    else:
        out[...] = a - b


class LBFGS(Solver):
    """SciPy's L-BFGS-B on the flat parameter vector.

    SciPy drives the iterations; each accepted iterate is reported to the loop as one epoch
    (``loop.epoch_end(loss, None)``), and the loop's asking to stop ends the run.

    Parameters
    ----------
    max_iter : int
        Maximum number of iterations.
    max_fun : int
        Maximum number of objective evaluations.
    tol : float
        Stop when the largest absolute gradient entry falls below ``tol``.
    """

    name = "lbfgs"
    summary = "SciPy's L-BFGS-B on the full objective"
    hyperparameters = {"max_iter": "max_iter", "max_fun": "max_fun", "tol": "tol"}
    full_batch = True
    uses_learning_rate = False
    deterministic = True
    supports_partial_fit = False
    supports_validation = False

    def __init__(self, max_iter, max_fun, tol):
        self.max_iter = max_iter
        self.max_fun = max_fun
        self.tol = tol
        self.result = None

    def minimize(self, problem, loop):
        """Run L-BFGS-B from ``problem.params``, leaving the solution there.

        Returns ``"converged"`` unless it ran out of iterations or evaluations (SciPy's status
        1), and then ``None``. ``self.result`` keeps SciPy's ``OptimizeResult``.
        """
        params = problem.params
        xp = get_namespace(params)
        device = None if isinstance(params, np.ndarray) else params.device

        def set_params(x):  # SciPy's float64 vector into the parameters, on their device
            params[...] = x if isinstance(params, np.ndarray) else asarray(x, xp, device,
                                                                            params.dtype)

        def fun(x):
            set_params(x)
            loss, grad = problem.loss_and_gradient()
            return to_float(loss), to_numpy(grad).astype(np.float64)

        def on_iteration(intermediate_result):
            set_params(intermediate_result.x)  # the accepted iterate, not a trial point
            if loop.epoch_end(float(intermediate_result.fun), None):
                raise StopIteration  # scipy >= 1.11 ends L-BFGS here
            loop.epoch_begin()

        with _other_blas_single_threaded():
            loop.epoch_begin()
            self.result = scipy.optimize.minimize(
                fun,
                to_numpy(params).astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=on_iteration,
                options={"maxiter": self.max_iter, "maxfun": self.max_fun, "gtol": self.tol,
                         "ftol": 0.0},
            )
        set_params(self.result.x)
        loop.finish(float(self.result.fun))
        return None if self.result.status == 1 else "converged"

    def not_converged_message(self, max_iter):
        """scikit-learn's words for an L-BFGS run cut short, then ours."""
        result = self.result
        n_iter = 0 if result is None else result.nit
        message = "" if result is None else f" {result.message}."
        return (
            f"lbfgs failed to converge after {n_iter} iteration(s) (status=1):{message} "
            f"Increase max_iter (max_iter={self.max_iter}) or max_fun (max_fun={self.max_fun}), "
            "or scale the data."
        )

    def __getstate__(self):
        state = super().__getstate__()
        state["result"] = None  # SciPy's result object is not model state
        return state


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
    cls.name: cls for cls in (Adam, SGD, LBFGS, RMSprop, GradientDescent, AcceleratedGradient)
}
"""Every ``solver`` name -> its class (``MLPClassifier``'s three first, then ours)."""
