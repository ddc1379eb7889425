"""When training stops, and early stopping's best weights: one rule, as ``MLPClassifier``'s.

After each epoch:

- a full-batch solver that reports its gradient stops once the largest entry is at most ``tol``;
- otherwise epochs without progress by ``tol`` are counted in ``_no_improvement_count``: of the
  validation score with early stopping (which keeps the best epoch's weights and score), else
  of the training loss (which keeps ``best_loss_``);
- past ``n_iter_no_change`` such epochs the schedule may lower the rate and go on
  (``'adaptive'``); otherwise training stops, except a full-batch solver without early
  stopping, which only stops on its gradient.

At the end of ``fit`` early stopping restores the best epoch's weights (and, with batch
normalization, the running statistics they were scored with). Across ``partial_fit`` calls with a
validation set it restores them once the calls stop improving, and says so.
"""

import numpy as np

from .._warnings import warn
from ..nn._namespace import copy, max_abs


class StoppingRule:
    """The stopping criteria of one call to ``fit`` or ``partial_fit``.

    Parameters
    ----------
    estimator : BaseDeepNet
        The estimator being fitted; holds ``tol``, ``n_iter_no_change`` and the record.
    solver : Solver
        The solver (is it full-batch?).
    params : ndarray
        The parameters being trained, copied when an epoch is the best so far.
    early_stopping : bool
        Whether a validation set decides (``early_stopping`` with a validation set).
    schedule : schedule
        Its ``on_plateau`` may lower the rate instead of stopping.
    progress : Progress
        Told when the rate is lowered.
    incremental : bool
        ``partial_fit``: the record carries over from the previous calls.
    running : ndarray or None, default=None
        The network's running statistics (batch normalization), kept with the best weights.
    """

    def __init__(
        self, estimator, solver, params, early_stopping, schedule, progress, incremental,
        running=None,
    ):
        self.estimator = estimator
        self.solver = solver
        self.params = params
        self.running = running
        self.early_stopping = early_stopping
        self.schedule = schedule
        self.progress = progress
        self.incremental = incremental
        if early_stopping and estimator.best_validation_score_ is None:
            estimator.best_validation_score_ = -np.inf
            estimator.best_loss_ = None  # as MLPClassifier: the validation score decides
        if not incremental:
            estimator._no_improvement_count = 0
            estimator.__dict__.pop("_best_params", None)
            estimator.__dict__.pop("_best_running", None)

    def after_epoch(self, loss, grad, score):
        """Why training stops after this epoch (``"converged"``, ``"no_improvement"``) or None."""
        estimator = self.estimator
        if self.solver.full_batch and grad is not None and max_abs(grad) <= estimator.tol:
            return "converged"
        self._count(loss, score if self.early_stopping else None)
        if estimator._no_improvement_count <= estimator.n_iter_no_change:
            return None
        rate = self.schedule.on_plateau(self.solver)
        if rate is not None:
            estimator._no_improvement_count = 0
            self.progress.note(f"Setting learning rate to {rate:f}")
            return None
        if self.early_stopping or not self.solver.full_batch:
            return "no_improvement"
        estimator._no_improvement_count = 0
        return None

    def _count(self, loss, score):
        """Count an epoch without progress by ``tol`` (validation score if given, else loss)."""
        estimator = self.estimator
        if score is not None:
            improved = score >= estimator.best_validation_score_ + estimator.tol
            if score > estimator.best_validation_score_:
                estimator.best_validation_score_ = score
                estimator._best_params = copy(self.params)
                if self.running is not None:
                    estimator._best_running = copy(self.running)
        else:
            best = np.inf if estimator.best_loss_ is None else estimator.best_loss_
            improved = loss <= best - estimator.tol
            estimator.best_loss_ = min(best, float(loss))
        estimator._no_improvement_count = 0 if improved else estimator._no_improvement_count + 1

    def finish(self, stop_reason):
        """Restore the best epoch's weights at the end of ``fit`` or of stalled ``partial_fit``."""
        estimator = self.estimator
        if not self.early_stopping or "_best_params" not in estimator.__dict__:
            return
        if not self.incremental or stop_reason == "no_improvement":
            self.params[...] = estimator._best_params
            if self.running is not None and "_best_running" in estimator.__dict__:
                self.running[...] = estimator._best_running
        if self.incremental and stop_reason == "no_improvement":
            warn(
                f"The validation score has not improved by tol={estimator.tol} for more than "
                f"n_iter_no_change={estimator.n_iter_no_change} partial_fit calls: the weights "
                f"of the best call (score {estimator.best_validation_score_:.6g}) were restored. "
                "Stop calling partial_fit, or set early_stopping=False to keep training."
            )
