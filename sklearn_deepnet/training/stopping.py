"""When training stops, and which epoch's weights it keeps: one rule, as ``MLPClassifier``'s.

After each epoch:

- a full-batch solver that reports its gradient stops once the largest entry is at most ``tol``;
- otherwise epochs without progress by ``tol`` are counted in ``_no_improvement_count``: of the
  validation score with early stopping (which keeps the best epoch's weights and score), else
  of the training loss (which keeps ``best_loss_``);
- past ``n_iter_no_change`` such epochs the schedule may lower the rate and go on
  (``'adaptive'``); otherwise training stops, except a full-batch solver without early
  stopping, which only stops on its gradient, and a schedule planned over ``max_iter`` epochs
  (``'cosine'``, ``'one_cycle'``) without early stopping, which runs its plan to the end.

At the end of ``fit`` early stopping restores the best epoch's weights (and, with batch
normalization, the running statistics they were scored with): of this fit, or of an earlier one a
warm-started fit has not improved on (``best_validation_score_`` carries over, as
``MLPClassifier``'s does). Across ``partial_fit`` calls with a validation set it restores them
once the calls stop improving, and says so.

``restore_best_weights=True`` keeps the best epoch's weights without early stopping too: the
epoch with the best validation score when a validation set is scored (``X_val``), else the one
with the lowest training loss; ``fit`` ends on them whatever stopped it.
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
    weights_of_loss : callable
        ``() -> params``: the weights an epoch's loss was measured at (those the epoch started
        from when the solver measures its loss before stepping), kept when the loss decides.
    validated : bool
        Whether a validation set is scored after each epoch.
    running : ndarray or None, default=None
        The network's running statistics (batch normalization), kept with the best weights.
    """

    def __init__(self, estimator, solver, params, early_stopping, schedule, progress, incremental,
                 weights_of_loss, validated, running=None):
        self.estimator = estimator
        self.solver = solver
        self.params = params
        self.running = running
        self.early_stopping = early_stopping
        self.schedule = schedule
        self.progress = progress
        self.incremental = incremental
        self.weights_of_loss = weights_of_loss
        self.running = running
        restore = bool(estimator.restore_best_weights) and not incremental
        self.keep_best = early_stopping or restore
        self.best_by_score = early_stopping or (restore and validated)
        if self.best_by_score and estimator.best_validation_score_ is None:
            estimator.best_validation_score_ = -np.inf
        if early_stopping:
            estimator.best_loss_ = None  # as MLPClassifier: the validation score decides
        if not incremental:
            estimator._no_improvement_count = 0

    def after_epoch(self, loss, grad, score):
        """Why training stops after this epoch (``"converged"``, ``"no_improvement"``) or None."""
        estimator = self.estimator
        improved = self._improved(loss, score if self.early_stopping else None)
        self._keep_if_best(loss, score)
        if self.solver.full_batch and grad is not None and max_abs(grad) <= estimator.tol:
            return "converged"
        estimator._no_improvement_count = 0 if improved else estimator._no_improvement_count + 1
        if estimator._no_improvement_count <= estimator.n_iter_no_change:
            return None
        rate = self.schedule.on_plateau(self.solver)
        if rate is not None:
            estimator._no_improvement_count = 0
            self.progress.note(f"Setting learning rate to {rate:f}")
            return None
        plan_to_finish = self.solver.full_batch or self.schedule.ends_at_max_iter
        if self.early_stopping or not plan_to_finish:
            return "no_improvement"
        estimator._no_improvement_count = 0
        return None

    def _improved(self, loss, score):
        """Whether the epoch progressed by ``tol``: its validation score if given, else loss."""
        estimator = self.estimator
        if score is not None:
            return score >= estimator.best_validation_score_ + estimator.tol
        best = np.inf if estimator.best_loss_ is None else estimator.best_loss_
        return loss <= best - estimator.tol

    def _keep_if_best(self, loss, score):
        """Update the best score (or loss) and, when kept, the best epoch's weights."""
        estimator = self.estimator
        if self.best_by_score and score is not None:
            if score > estimator.best_validation_score_:
                estimator.best_validation_score_ = score
                self._snapshot(self.params)
        if not self.early_stopping:
            best = np.inf if estimator.best_loss_ is None else estimator.best_loss_
            if self.keep_best and not self.best_by_score and loss < best:
                self._snapshot(self.weights_of_loss())
            estimator.best_loss_ = min(best, float(loss))

    def _snapshot(self, weights):
        """Keep a copy of ``weights`` (and the running statistics) as the best epoch's."""
        self._keep("_best_params", weights)
        if self.running is not None:
            self._keep("_best_running", self.running)

    def _keep(self, name, values):
        """Copy ``values`` into the estimator's attribute ``name``, reusing its memory."""
        kept = self.estimator.__dict__.get(name)
        if kept is not None and type(kept) is type(values) and kept.shape == values.shape and (
            kept.dtype == values.dtype
        ):
            kept[...] = values
        else:
            setattr(self.estimator, name, copy(values))

    def finish(self, stop_reason):
        """Restore the best epoch's weights at the end of ``fit`` or of stalled ``partial_fit``."""
        estimator = self.estimator
        if not self.keep_best or "_best_params" not in estimator.__dict__:
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
