"""The fitted training record: what every epoch adds to ``n_iter_``, ``t_``, ``loss_curve_``, ...

These attributes live on the estimator (scikit-learn's names, pickled with it); this module is
the one place that starts a new record and adds an epoch to it. The validation entries are the
validation monitor's, the best-score and no-improvement entries the stopping rule's.
"""

import numpy as np

_TRANSIENT = ("_optimizer", "_best_params", "_best_running")


def reset(estimator):
    """Start a new record: a network was just initialized."""
    estimator.n_iter_ = 0
    estimator.t_ = 0
    estimator.loss_curve_ = []
    estimator.best_loss_ = np.inf
    estimator.validation_scores_ = None
    estimator.validation_loss_curve_ = None
    estimator.best_validation_score_ = None
    estimator._epochs_total = 0
    estimator._no_improvement_count = 0
    for name in _TRANSIENT:
        estimator.__dict__.pop(name, None)


def add_epoch(estimator, loss, n_samples):
    """Count one epoch (or solver iteration) over ``n_samples`` samples with loss ``loss``."""
    estimator._epochs_total += 1
    estimator.n_iter_ += 1
    estimator.t_ += n_samples
    estimator.loss_ = float(loss)
    estimator.loss_curve_.append(estimator.loss_)
