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
"""

import numpy as np
import scipy.optimize


class GradientDescent:
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
        params -= self.learning_rate * grad


class SGD:
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
        v = self.velocity
        v *= self.momentum
        v -= self.learning_rate * grad
        if self.nesterov:
            params += self.momentum * v
            params -= self.learning_rate * grad
        else:
            params += v


class Adam:
    """Adam: moment estimates of the gradient with bias-corrected step size.

    Parameters
    ----------
    learning_rate : float
        Base step size.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in ``[0, 1)``.
    epsilon : float
        Added to the denominator for numerical stability.
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
        m, v = self.m, self.v
        m *= self.beta_1
        m += (1 - self.beta_1) * grad
        v *= self.beta_2
        v += (1 - self.beta_2) * (grad * grad)
        lr = (
            self.learning_rate
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        denominator = np.sqrt(v)
        denominator += self.epsilon
        params -= lr * m / denominator


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


SOLVERS = {
    "gd": GradientDescent,
    "sgd": SGD,
    "adam": Adam,
    "agd": AcceleratedGradient,
    "lbfgs": LBFGS,
}
