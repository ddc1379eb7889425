"""The divergence guard: it notices a diverging fit and puts back the last weights it accepted.

As with ``MLPClassifier``, a diverging fit is not an error: it returns a model (so a grid
search over learning rates scores the diverging candidates) and warns. Unlike
``MLPClassifier``, which trains on with NaN weights, the guard stops at once and restores the
weights of the last finite epoch. Only when even those give a non-finite loss, so that no step
size could help, does it raise ``MLPClassifier``'s error: the data are the problem.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._warnings import warn
from ..nn._namespace import all_finite, copy, to_float

BLOW_UP = 1e4
"""A loss above this many times the lowest epoch loss before it (at least 1) has diverged."""


class DivergenceGuard:
    """Snapshots the weights at each epoch's start and restores them when training diverges.

    With batch normalization the running statistics are snapshot and restored with the weights.

    Parameters
    ----------
    estimator : BaseDeepNet
        The estimator being fitted (its ``loss_curve_`` and parameters name the problem).
    solver : Solver
        The solver; when its epoch loss is measured before the epoch's steps
        (``loss_before_step``), the accepted weights are those of one epoch earlier.
    problem : TrainingProblem
        Holds the parameters and evaluates the objective.
    """

    def __init__(self, estimator, solver, problem):
        self.estimator = estimator
        self.solver = solver
        self.problem = problem
        self.start = copy(problem.params)  # the weights the current epoch started from
        self.before = copy(problem.params) if solver.loss_before_step else None
        running = problem.running
        self.start_running = None if running is None else copy(running)
        self.before_running = None if running is None or self.before is None else copy(running)

    @property
    def accepted(self):
        """The last weights whose loss was accepted."""
        return self.start if self.before is None else self.before

    def epoch_begin(self):
        """Snapshot the weights the epoch starts from."""
        if self.before is not None:
            self.before[...] = self.start
        self.start[...] = self.problem.params
        if self.start_running is not None:
            if self.before_running is not None:
                self.before_running[...] = self.start_running
            self.start_running[...] = self.problem.running

    def _restore(self, params, running):
        self.problem.params[...] = params
        if running is not None:
            self.problem.running[...] = running

    def diverged(self, loss):
        """Whether the epoch that just ended diverged (its loss is the curve's last entry).

        Diverging means a non-finite loss or weight, or a loss above :data:`BLOW_UP` times the
        lowest epoch loss before it: the losses are computed from the logits and stay finite
        long after the weights have blown up, so finiteness alone would notice too late.
        """
        reference = max(1.0, min(self.estimator.loss_curve_[:-1], default=np.inf))
        return not (
            np.isfinite(loss) and loss <= BLOW_UP * reference and all_finite(self.problem.params)
        )

    def recover(self, loss):
        """Restore the accepted weights after a divergence at loss ``loss``, and warn.

        Raises ``MLPClassifier``'s "non-finite parameter weights" error when even the
        restored weights give a non-finite loss.
        """
        if self.before is None:
            self._restore(self.start, self.start_running)
        else:
            self._restore(self.before, self.before_running)
        if not np.isfinite(to_float(self.problem.loss())):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed. (Even the starting weights give a "
                "non-finite loss, whatever the step size: scale the features, for example "
                "with sklearn.preprocessing.StandardScaler.)"
            )
        warn(self._message(loss), ConvergenceWarning)

    def restore_epoch_start(self):
        """Put back the weights the current epoch started from (an interrupted epoch)."""
        self._restore(self.start, self.start_running)

    def _message(self, loss):
        estimator = self.estimator
        if self.solver.uses_learning_rate:
            step = f"learning_rate_init={estimator.learning_rate_init}"
            advice = "Use a smaller learning_rate_init (for example ten times smaller) or "
        else:
            step, advice = f"solver={self.solver.name!r}", "Probably the features are too large: "
        return (
            f"Training diverged at epoch {estimator.n_iter_}: the loss became {loss:.4g} with "
            f"{step}. Training stopped and the weights of the last finite epoch (with "
            f"early_stopping, of the best epoch) were restored. {advice}scale the features "
            "with sklearn.preprocessing.StandardScaler."
        )
