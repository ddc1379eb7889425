"""The training loop: one call of ``fit`` or ``partial_fit``, run by the solver, epoch by epoch.

The solver drives (see :mod:`sklearn_deepnet.nn.optimizers`): it calls :meth:`epoch_begin`
before each epoch and :meth:`epoch_end` after it, and stops when told. Between the two calls
lies the solver's own work; what happens after an epoch is the table of contents below, each
line a component with one owner.
"""

from sklearn.exceptions import ConvergenceWarning

from .._warnings import warn
from ..nn._namespace import to_float
from . import record
from .divergence import DivergenceGuard
from .progress import Progress
from .schedules import SCHEDULES
from .stopping import StoppingRule
from .validation import ValidationMonitor


class TrainingLoop:
    """The epochs of one call to ``fit`` or ``partial_fit``.

    Parameters
    ----------
    estimator : BaseDeepNet
        The estimator being fitted: its parameters configure the components, its fitted
        attributes are the record they write.
    solver : Solver
        The solver that runs the epochs.
    problem : TrainingProblem
        The objective and the data.
    validation : Validation or None
        The validation set scored after each epoch.
    callbacks : object
        From :func:`~sklearn_deepnet._sklearn_internals.begin_fit`.
    incremental : bool
        ``partial_fit``: one epoch, continuing the record of earlier calls.
    """

    def __init__(self, estimator, solver, problem, validation, callbacks, incremental):
        self.estimator = estimator
        self.solver = solver
        self.problem = problem
        self.callbacks = callbacks
        self.incremental = incremental
        self.max_epochs = 1 if incremental else estimator.max_iter
        self.stop_reason = None
        self.divergence = DivergenceGuard(estimator, solver, problem)
        self.validation = None if validation is None else ValidationMonitor(estimator, validation)
        self.schedule = SCHEDULES[estimator.learning_rate](estimator)
        self.progress = Progress(estimator)
        early_stopping = estimator.early_stopping and validation is not None
        divergence = self.divergence
        self.stopping = StoppingRule(
            estimator, solver, problem.params, early_stopping, self.schedule, self.progress,
            incremental,
            weights_of_loss=lambda: divergence.start if solver.loss_before_step else problem.params,
            validated=validation is not None, running=problem.running,
        )
        self.schedule.begin(solver, estimator, incremental)
        estimator.n_iter_ = 0  # counts this call's epochs, as MLPClassifier does

    def run(self):
        """Let the solver train, then close the call: warnings, best weights, callbacks."""
        try:
            self.stop_reason = self.solver.minimize(self.problem, self) or self.stop_reason
        except KeyboardInterrupt:
            self.divergence.restore_epoch_start()
            self.stop_reason = "interrupted"
            warn("Training interrupted by user.")
        if self.stop_reason is None and self.schedule.ends_at_max_iter:
            self.stop_reason = "schedule_complete"  # a budgeted plan ran to its end
        self._warn_if_unfinished()
        self.stopping.finish(self.stop_reason)
        if not self.incremental:
            self.problem.refresh_statistics()  # at the final weights (full-batch solvers)
        self.callbacks.end()

    def epoch_begin(self):
        """Before an epoch: snapshot the weights, open the callbacks' epoch task."""
        self.divergence.epoch_begin()
        self.callbacks.epoch_begin()

    def epoch_end(self, loss, grad):
        """After an epoch with loss ``loss`` (and last gradient ``grad``): ``True`` to stop."""
        loss = to_float(loss)  # the epoch's one read from the device
        record.add_epoch(self.estimator, loss, self.problem.n_samples)
        if self.divergence.diverged(loss):
            self._recover(loss)
            return self._stop("diverged")
        if self.validation is not None or self.incremental:
            self.problem.refresh_statistics()  # full-batch batch normalization: see the problem
        score = None if self.validation is None else self.validation.score()
        self.progress.epoch(self.estimator.n_iter_, loss, score)
        self.schedule.after_epoch(self.solver, self.estimator)
        reason = self.stopping.after_epoch(loss, grad, score)
        if self.callbacks.epoch_end() and reason is None:
            reason = "callback"
        if reason is None and self.incremental:
            reason = "incremental"
        return self._stop(reason)

    def finish(self, loss):
        """A solver's last word (L-BFGS's final iterate, loss ``loss``): recover if it diverged."""
        if self.divergence.diverged(loss):
            self.divergence.recover(loss)
            self.stop_reason = "diverged"
            self.estimator.loss_ = to_float(self.problem.loss())
            self.estimator.best_loss_ = min([self.estimator.loss_, *self.estimator.loss_curve_])

    def _recover(self, loss):
        if self.validation is not None:
            self.validation.record_divergence()
        self.divergence.recover(loss)
        self.callbacks.epoch_end()

    def _stop(self, reason):
        self.stop_reason = reason
        return reason is not None

    def _warn_if_unfinished(self):
        """Warn when training ran out of epochs, or ended above where it started."""
        estimator, curve = self.estimator, self.estimator.loss_curve_
        first = len(curve) - estimator.n_iter_
        if (
            not self.incremental
            and self.stop_reason not in ("interrupted", "diverged")
            and self.solver.uses_learning_rate
            and estimator.n_iter_ > 1
            and curve[-1] > curve[first]
        ):
            warn(
                f"Training ended with a higher loss ({curve[-1]:.4g}) than its first epoch's "
                f"({curve[first]:.4g}): learning_rate_init={estimator.learning_rate_init} is "
                "probably too large. Use a smaller learning_rate_init (for example ten times "
                "smaller).",
                ConvergenceWarning,
            )
        if self.stop_reason is None:
            warn(self.solver.not_converged_message(estimator.max_iter), ConvergenceWarning)
