"""
====================================================
Learning-rate schedules: decay, cosine and one-cycle
====================================================

The course's lesson on learning-rate decay (course 2, week 2) lowers the step size as training
goes on: large steps while the weights are far from a minimum, small ones to settle into it.
This example draws the rate of every epoch for each ``learning_rate`` schedule, then trains
the same network with a large learning rate under a constant rate, a cosine plan with and
without warm-up, and the one-cycle policy.
"""

# %%
# The rate of each epoch, from the schedules themselves
# -----------------------------------------------------
# ``SCHEDULES`` maps each ``learning_rate`` name to its class. The training loop asks a
# schedule for the first epoch's rate (``begin``), then, after every epoch, for the next one
# (``after_epoch``), once it has counted the epoch and the samples seen. The function below
# asks the same questions in the same order, without training anything, so the curves are the
# rates a ``fit`` would use (``'adaptive'`` excepted: it only changes the rate when training
# stalls, which depends on the data).
import warnings
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier
from sklearn_deepnet.training.schedules import SCHEDULES


def rates_per_epoch(estimator, n_samples):
    """The learning rate of each of the ``max_iter`` epochs of ``estimator.fit``."""
    schedule = SCHEDULES[estimator.learning_rate](estimator)
    solver = SimpleNamespace(learning_rate=estimator.learning_rate_init)  # what it sets
    record = SimpleNamespace(_epochs_total=0, t_=0)  # the loop's epoch and sample counters
    schedule.begin(solver, record, incremental=False)
    rates = []
    for _ in range(estimator.max_iter):
        rates.append(solver.learning_rate)
        record._epochs_total += 1
        record.t_ += n_samples
        schedule.after_epoch(solver, record)
    return np.array(rates)


plan = dict(learning_rate_init=1.0, max_iter=60, decay_rate=0.5, decay_steps=10, power_t=0.5)
epochs = np.arange(1, plan["max_iter"] + 1)
fig, axes = plt.subplots(2, 4, figsize=(13, 5.6), sharex=True, sharey=True)
for ax, name in zip(axes.flat, SCHEDULES, strict=False):
    for warmup_iter, style in [(0, "-"), (10, "--")]:
        if warmup_iter and name not in ("cosine", "one_cycle"):
            continue  # warmup_iter shapes these two only
        clf = DeepNetClassifier(learning_rate=name, warmup_iter=warmup_iter, **plan)
        ax.plot(epochs, rates_per_epoch(clf, n_samples=1000), style,
                label=f"warmup_iter={warmup_iter}")
    ax.set_title(f"learning_rate='{name}'")
    if name in ("cosine", "one_cycle"):
        ax.legend(loc="upper right", fontsize="small")
    if name == "adaptive":
        ax.text(30, 0.6, "divided by 5 only when\ntraining stalls", ha="center")
axes.flat[-1].set_axis_off()
for ax in axes[:, 0]:
    ax.set_ylabel("rate / learning_rate_init")
for ax in axes[1, :3]:
    ax.set_xlabel("epoch")
axes[0, 3].tick_params(labelbottom=True)
axes[0, 3].set_xlabel("epoch")
fig.suptitle(
    "Rate of each epoch (max_iter=60, decay_rate=0.5, decay_steps=10, power_t=0.5, "
    "1000 samples)"
)
fig.tight_layout()

# %%
# ``'invscaling'`` counts samples (``t_``), not epochs, so with 1000 samples per epoch it has
# fallen to 3 % of ``learning_rate_init`` after the first epoch. ``'step'`` and
# ``'exponential'`` are the course's staircase and exponential decays. ``'cosine'`` and
# ``'one_cycle'`` are *plans* for exactly ``max_iter`` epochs: they end near zero at the last
# epoch, whatever ``max_iter`` is. With ``warmup_iter`` the cosine plan first climbs linearly
# from ``learning_rate_init / (warmup_iter + 1)``; ``'one_cycle'`` always climbs, from
# ``learning_rate_init / 25``, over ``warmup_iter`` epochs (30 % of ``max_iter`` when it is 0).
#
# Training with a large learning rate
# -----------------------------------
# Handwritten digits, half to train and half to validate, one hidden layer of 64 units, SGD
# with Nesterov momentum 0.9 on batches of 32, and ``learning_rate_init=0.2``: a large rate for
# this problem. The cosine and one-cycle plans run their 40 epochs whatever the training
# loss does (they reach their small final rates at the last epoch); ``n_iter_no_change=np.inf``
# gives the constant rate the same budget, instead of stopping it on a plateau.
X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

common = dict(
    hidden_layer_sizes=(64,),
    solver="sgd",
    momentum=0.9,
    batch_size=32,
    max_iter=40,
    n_iter_no_change=np.inf,
    random_state=0,  # the same initial weights and mini-batches for every run
)
runs = {
    "constant": dict(learning_rate="constant"),
    "cosine": dict(learning_rate="cosine"),
    "cosine, warmup_iter=5": dict(learning_rate="cosine", warmup_iter=5),
    "one_cycle": dict(learning_rate="one_cycle"),
}


def train(learning_rate_init):
    """Fit one network per schedule; record the ConvergenceWarnings each fit raised."""
    models = {}
    for name, params in runs.items():
        clf = DeepNetClassifier(learning_rate_init=learning_rate_init, **common, **params)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)
        clf.n_warnings = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        models[name] = clf
    return models


def report(models):
    """One line per run: final losses, validation accuracy, size of the weights, warnings."""
    for name, clf in models.items():
        weight_norm = np.sqrt(sum(np.sum(W**2) for W in clf.coefs_))
        print(
            f"{name:22s} training loss {clf.loss_curve_[-1]:9.3g}, validation loss "
            f"{clf.validation_loss_curve_[-1]:9.3g}, validation accuracy "
            f"{clf.score(X_val, y_val):.3f}, weight norm {weight_norm:8.3g}, "
            f"ConvergenceWarnings: {clf.n_warnings}"
        )


large = train(0.2)
report(large)

# %%
# The rate, the training loss and the validation loss of each run, epoch by epoch:
fig, axes = plt.subplots(1, 3, figsize=(13, 4))
for name, clf in large.items():
    axes[0].plot(np.arange(1, 41), rates_per_epoch(clf, len(X_train)), label=name)
    axes[1].plot(np.arange(1, clf.n_iter_ + 1), clf.loss_curve_, label=name)
    axes[2].plot(np.arange(1, clf.n_iter_ + 1), clf.validation_loss_curve_, label=name)
axes[0].set_ylabel("learning rate")
axes[1].set_ylabel("training loss (log scale)")
axes[2].set_ylabel("validation loss (log scale)")
for ax in axes[1:]:
    ax.set_yscale("log")
for ax in axes:
    ax.set_xlabel("epoch")
axes[0].legend()
fig.suptitle("SGD with momentum, learning_rate_init=0.2: the same network, four schedules")
fig.tight_layout()

# %%
# At this rate the first steps from random weights are too large. With a constant rate the
# loss grows epoch after epoch, and ``fit`` ends with ConvergenceWarnings. The cosine plan
# without warm-up starts at the same rate: its loss climbs too during the first epochs, until
# the shrinking rate brings it back down. It ends on a low training loss and a validation
# accuracy like the others', but with much larger weights (the weight norm printed above):
# the network is nearly certain of every answer, its mistakes included, and that is what the
# high validation loss measures. The two plans that start small, the cosine plan with 5
# epochs of warm-up and the one-cycle policy, reach the same peak rate once the weights have
# moved away from their random start; apart from a short jump of the one-cycle loss at its
# peak, they train smoothly, then settle as the rate decays. The plans that ran to
# ``max_iter`` raise no ``ConvergenceWarning``: reaching the end of a plan is how it is meant
# to finish.
#
# With a moderate rate
# --------------------
# The same four runs with ``learning_rate_init=0.03``:
report(train(0.03))

# %%
# Here all four end close together. A schedule does not make a well-chosen rate much better on
# a problem this easy; what the warm-up bought above was the use of a rate that would
# otherwise have failed. Which one suits your data is a question for cross-validation, for
# instance a :class:`~sklearn.model_selection.GridSearchCV` over ``learning_rate`` and
# ``learning_rate_init``.
plt.show()
