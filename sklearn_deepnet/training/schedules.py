"""The learning-rate schedules, one table: each sets the next epoch's rate, and answers plateaus.

As for ``MLPClassifier``, every ``fit`` starts a new optimizer at ``learning_rate_init``
(warm-started or not) and the schedule sets the next epoch's rate after each epoch;
``partial_fit`` keeps the rate the previous call left. A schedule has two hooks:

- ``after_epoch(solver, estimator)``: set ``solver.learning_rate`` for the next epoch;
- ``on_plateau(solver)``: training has not improved for more than ``n_iter_no_change``
  epochs; return the lowered rate to keep training (``'adaptive'``), or ``None`` to stop.

A schedule applies to the solvers that step by a learning rate (``uses_learning_rate``); the
others accept only ``'constant'``. ``epoch`` below counts the epochs run since the weights were
initialized, ``t_`` the samples seen.
"""


class Constant:
    """``learning_rate_init`` throughout."""

    name = "constant"
    summary = "``learning_rate_init`` throughout."

    def __init__(self, estimator):
        self.learning_rate_init = estimator.learning_rate_init

    def rate(self, estimator):
        """The next epoch's rate, or ``None`` to keep the current one."""
        return None

    def after_epoch(self, solver, estimator):
        """Set the solver's rate for the next epoch."""
        rate = self.rate(estimator)
        if rate is not None:
            solver.learning_rate = rate

    def on_plateau(self, solver):
        """React to epochs without improvement: ``None`` (stop training)."""
        return None


class InvScaling(Constant):
    """``learning_rate_init / (t_ + 1) ** power_t``."""

    name = "invscaling"
    summary = (
        "``learning_rate_init / (t_ + 1) ** power_t`` where ``t_`` counts the training samples "
        "seen."
    )

    def __init__(self, estimator):
        super().__init__(estimator)
        self.power_t = estimator.power_t

    def rate(self, estimator):
        """``learning_rate_init / (t_ + 1) ** power_t``."""
        return self.learning_rate_init / (estimator.t_ + 1) ** self.power_t


class Adaptive(Constant):
    """Constant while training improves; divided by 5 on each plateau, down to 1e-6."""

    name = "adaptive"
    summary = (
        "constant while the training loss (the validation score with ``early_stopping``) keeps "
        "improving by ``tol``; after more than ``n_iter_no_change`` epochs without improvement "
        "it is divided by 5, and training stops once it would fall to 1e-6 or below."
    )

    def on_plateau(self, solver):
        """Divide the rate by 5 and return it, unless it is 1e-6 or less already."""
        if solver.learning_rate <= 1e-6:
            return None
        solver.learning_rate /= 5
        return solver.learning_rate


class Step(Constant):
    """The course's staircase: ``learning_rate_init * decay_rate ** floor(epoch / decay_steps)``."""

    name = "step"
    summary = (
        "``learning_rate_init * decay_rate ** floor(epoch / decay_steps)``, the course's "
        "discrete staircase."
    )

    def __init__(self, estimator):
        super().__init__(estimator)
        self.decay_rate = estimator.decay_rate
        self.decay_steps = estimator.decay_steps

    def rate(self, estimator):
        """``learning_rate_init * decay_rate ** floor(epoch / decay_steps)``."""
        return self.learning_rate_init * self.decay_rate ** (
            estimator._epochs_total // self.decay_steps
        )


class Exponential(Step):
    """The course's exponential decay: ``learning_rate_init * decay_rate ** (epoch / steps)``."""

    name = "exponential"
    summary = (
        "``learning_rate_init * decay_rate ** (epoch / decay_steps)``, the course's exponential "
        "decay."
    )

    def rate(self, estimator):
        """``learning_rate_init * decay_rate ** (epoch / decay_steps)``."""
        return self.learning_rate_init * self.decay_rate ** (
            estimator._epochs_total / self.decay_steps
        )


SCHEDULES = {cls.name: cls for cls in (Constant, InvScaling, Adaptive, Step, Exponential)}
"""Every ``learning_rate`` name -> its schedule class."""
