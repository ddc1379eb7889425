"""The learning-rate schedules, one table: each sets the next epoch's rate, and answers plateaus.

As for ``MLPClassifier``, every ``fit`` starts a new optimizer at ``learning_rate_init``
(warm-started or not) and the schedule sets the next epoch's rate after each epoch;
``partial_fit`` keeps the rate the previous call left. A schedule has three hooks:

- ``begin(solver, estimator, incremental)``: set the rate of the call's first epoch;
- ``after_epoch(solver, estimator)``: set ``solver.learning_rate`` for the next epoch;
- ``on_plateau(solver)``: training has not improved for more than ``n_iter_no_change``
  epochs; return the lowered rate to keep training (``'adaptive'``), or ``None`` to stop.

A schedule with ``ends_at_max_iter`` (the cosine and one-cycle schedules) is a plan for a
budget of ``max_iter`` epochs: it anneals the rate to nearly zero at the last one, so a ``fit``
that runs them all has *completed* its schedule rather than run out of epochs, and gets no
``ConvergenceWarning``; and a plateau of the training loss does not cut the plan short (the
stopping rule's), only early stopping on a validation set does.

A schedule applies to the solvers that step by a learning rate (``uses_learning_rate``); the
others accept only ``'constant'``. ``epoch`` below counts the epochs run since the weights were
initialized, ``t_`` the samples seen.
"""

import math


class Constant:
    """``learning_rate_init`` throughout."""

    name = "constant"
    summary = "``learning_rate_init`` throughout."
    ends_at_max_iter = False

    def __init__(self, estimator):
        self.learning_rate_init = estimator.learning_rate_init

    def begin(self, solver, estimator, incremental):
        """Set the rate of the first epoch of a ``fit`` (or ``partial_fit``) call, if planned."""

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


class Cosine(Constant):
    """Linear warm-up over ``warmup_iter`` epochs, then a half cosine down to nearly zero.

    Epoch ``e`` of a ``fit`` (counted from 0; the epochs of all ``partial_fit`` calls for
    ``partial_fit``) runs at ``learning_rate_init * (e + 1) / (warmup_iter + 1)`` during the
    warm-up, then at ``learning_rate_init * (1 + cos(pi * p)) / 2`` with ``p = (e - warmup_iter) /
    (max_iter - warmup_iter)``, so the last epoch's rate is small but not zero. Past
    ``max_iter`` epochs (``partial_fit``) it stays at that last rate.
    """

    name = "cosine"
    summary = (
        "a linear warm-up over ``warmup_iter`` epochs (from ``learning_rate_init / "
        "(warmup_iter + 1)``), then a half cosine from ``learning_rate_init`` down to nearly "
        "zero at epoch ``max_iter`` (Loshchilov & Hutter, 2017): large steps while far from a "
        "minimum, small ones to settle in it. Without ``early_stopping`` the plan runs to its "
        "end (a plateau of the training loss does not stop it), and reaching ``max_iter`` "
        "completes it: no ``ConvergenceWarning``."
    )
    ends_at_max_iter = True

    def __init__(self, estimator):
        super().__init__(estimator)
        self.max_iter = int(estimator.max_iter)
        self.warmup_iter = min(int(estimator.warmup_iter), self.max_iter - 1)
        self.start = 0

    def begin(self, solver, estimator, incremental):
        """Start the plan (``fit``) or continue it (``partial_fit``); set the first rate."""
        self.start = 0 if incremental else estimator._epochs_total
        solver.learning_rate = self.rate(estimator)

    def rate(self, estimator):
        """The rate of the next epoch (see the class docstring)."""
        return self.learning_rate_init * self.fraction(estimator._epochs_total - self.start)

    def fraction(self, epoch):
        """The rate of epoch ``epoch`` (from 0) as a fraction of ``learning_rate_init``."""
        epoch = min(epoch, self.max_iter - 1)
        if epoch < self.warmup_iter:
            return (epoch + 1) / (self.warmup_iter + 1)
        progress = (epoch - self.warmup_iter) / (self.max_iter - self.warmup_iter)
        return 0.5 * (1 + math.cos(math.pi * progress))


class OneCycle(Cosine):
    """Smith's one-cycle policy: up from ``learning_rate_init / 25``, then down to nearly zero.

    The rate rises along a half cosine from ``learning_rate_init / 25`` to
    ``learning_rate_init`` over the warm-up (``warmup_iter`` epochs, or 30 % of ``max_iter``
    when ``warmup_iter=0``), then falls along a half cosine to ``learning_rate_init / 25e4`` at
    the last epoch.
    """

    name = "one_cycle"
    summary = (
        "Smith's one-cycle policy (Smith & Topin, 2019): the rate rises along a half cosine "
        "from ``learning_rate_init / 25`` to ``learning_rate_init`` over ``warmup_iter`` "
        "epochs (30 % of ``max_iter`` when ``warmup_iter=0``), then falls along a half cosine "
        "to ``learning_rate_init / 25e4`` at epoch ``max_iter``. As for ``'cosine'``, the "
        "plan runs to its end unless ``early_stopping`` ends it, without a "
        "``ConvergenceWarning``."
    )
    LOW, FINAL = 1 / 25, 1 / 25e4

    def __init__(self, estimator):
        super().__init__(estimator)
        if self.warmup_iter == 0:
            self.warmup_iter = min(round(0.3 * self.max_iter), self.max_iter - 1)

    def fraction(self, epoch):
        """The rate of epoch ``epoch`` (from 0) as a fraction of ``learning_rate_init``."""
        epoch = min(epoch, self.max_iter - 1)
        if epoch < self.warmup_iter:
            return _cosine_between(self.LOW, 1.0, epoch / self.warmup_iter)
        progress = (epoch - self.warmup_iter) / max(1, self.max_iter - 1 - self.warmup_iter)
        return _cosine_between(1.0, self.FINAL, progress)


def _cosine_between(start, end, progress):
    """From ``start`` (``progress=0``) to ``end`` (``progress=1``) along a half cosine."""
    return end + (start - end) * 0.5 * (1 + math.cos(math.pi * progress))


SCHEDULES = {
    cls.name: cls for cls in (Constant, InvScaling, Adaptive, Step, Exponential, Cosine, OneCycle)
}
"""Every ``learning_rate`` name -> its schedule class."""
