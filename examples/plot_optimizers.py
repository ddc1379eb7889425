"""
===================================================
Mini-batch gradient descent, momentum and Adam
===================================================

The course's optimization lesson: the same network, the same mini-batches of 64 samples, the
same small learning rate (0.0007), three update rules:

- **mini-batch gradient descent**: :math:`\\theta \\leftarrow \\theta - \\eta g`
  (``solver='sgd', momentum=0``);
- **momentum**: :math:`v \\leftarrow \\mu v - \\eta g`, :math:`\\theta \\leftarrow \\theta + v`,
  a running average of the gradients that damps their zig-zag
  (``solver='sgd', momentum=0.9, nesterovs_momentum=False``);
- **Adam**: momentum divided by the root of a running average of the squared gradients, so that
  every parameter gets a step of about the same size (``solver='adam'``).
"""

# %%
# The data and the network
# ------------------------
# Two noisy half moons; a network with hidden layers of 5 and 2 ReLU units, as in the course.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from sklearn_deepnet import DeepNetClassifier

X, y = make_moons(n_samples=400, noise=0.2, random_state=3)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

common = dict(
    hidden_layer_sizes=(5, 2),
    batch_size=64,
    learning_rate_init=0.0007,
    max_iter=3000,
    tol=0.0,
    n_iter_no_change=np.inf,  # run all the epochs: we compare the curves
    random_state=0,  # same initial weights and same mini-batches for all three
)
optimizers = {
    "mini-batch gradient descent": dict(solver="sgd", momentum=0.0),
    "momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False),
    "Adam": dict(solver="adam"),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter ends the fits, on purpose
    models = {
        name: DeepNetClassifier(**common, **params).fit(X_train, y_train)
        for name, params in optimizers.items()
    }
for name, clf in models.items():
    print(
        f"{name:28s} train accuracy {clf.score(X_train, y_train):.3f}, "
        f"test accuracy {clf.score(X_test, y_test):.3f}"
    )

# %%
# Training loss per epoch
# -----------------------
# ``loss_curve_`` holds the mean loss over each epoch's mini-batches.
fig, ax = plt.subplots(figsize=(7, 4))
for name, clf in models.items():
    ax.plot(np.arange(1, clf.n_iter_ + 1), clf.loss_curve_, label=name)
ax.set_xscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_title("Same network, same mini-batches, three update rules")
ax.legend()
fig.tight_layout()

# %%
# With this small learning rate, plain mini-batch gradient descent creeps along. Momentum
# accumulates consistent gradient directions: it descends fastest at first, then slows down in
# the long, flat valley that follows. Adam rescales each parameter's step by the size of its
# recent gradients, so flat directions get steps as large as steep ones: it ends with the
# lowest loss and the best accuracy.
#
# Decision boundaries
# -------------------
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (name, clf) in zip(axes, models.items(), strict=True):
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict_proba", cmap="RdBu", alpha=0.6, ax=ax
    )
    ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="RdBu", edgecolor="k", s=15)
    ax.set_title(f"{name}\ntest accuracy {clf.score(X_test, y_test):.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

# %%
# The course finds the same ordering. A larger learning rate narrows the gap between the
# three, at the risk of divergence for plain gradient descent: Adam's default
# (``learning_rate_init=0.001``, ``beta_1=0.9``, ``beta_2=0.999``) is a robust first choice,
# which is why it is the estimators' default solver.
plt.show()
