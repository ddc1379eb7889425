"""
===================================================
L2 regularization and dropout
===================================================

A network with two hidden layers of 100 units, trained on 100 noisy points, learns its training
set by heart: every training point ends on the right side of a contorted boundary, and new
points pay for it. The course's two remedies:

- **L2 regularization** (``alpha``): adds :math:`\\frac{\\alpha}{2}\\sum_l \\lVert W^{[l]}
  \\rVert^2` to the loss, so every step also shrinks the weights ("weight decay");
- **dropout** (``dropout``): during training, zero each hidden unit with a given probability,
  a new random choice for every batch, so no unit can rely on any other.
"""

# %%
# An over-fitting network
# -----------------------
# 100 training points from two noisy half moons, 1000 held-out points to judge the result.
# The held-out set is passed as ``X_val, y_val`` only to *record* its loss after each epoch
# (``validation_loss_curve_``); without ``early_stopping`` it does not influence training.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from sklearn_deepnet import DeepNetClassifier

X, y = make_moons(n_samples=1100, noise=0.4, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=100, random_state=0)

common = dict(
    hidden_layer_sizes=(100, 100),
    learning_rate_init=0.01,
    batch_size=100,  # the whole training set in each step
    max_iter=600,
    tol=0.0,
    n_iter_no_change=np.inf,  # run every epoch
    random_state=0,
)
settings = {
    "no regularization": dict(alpha=0.0),
    "L2 (alpha=1)": dict(alpha=1.0),
    "dropout (rate 0.5)": dict(alpha=0.0, dropout=0.5),
}
models = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter ends the fits, on purpose
    for name, params in settings.items():
        clf = DeepNetClassifier(**common, **params)
        models[name] = clf.fit(X_train, y_train, X_val=X_test, y_val=y_test)

for name, clf in models.items():
    print(
        f"{name:20s} train accuracy {clf.score(X_train, y_train):.3f}, "
        f"held-out accuracy {clf.score(X_test, y_test):.3f}"
    )

# %%
# Decision boundaries
# -------------------
fig, axes = plt.subplots(1, 3, figsize=(13, 4.4))
for ax, (name, clf) in zip(axes, models.items(), strict=True):
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict_proba", cmap="RdBu", alpha=0.6, ax=ax
    )
    ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", edgecolor="k", s=20)
    ax.set_title(
        f"{name}\ntrain {clf.score(X_train, y_train):.2f}, held-out {clf.score(X_test, y_test):.2f}"
    )
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

# %%
# Without regularization the network carves islands around single training points (shown
# here): 100% training accuracy, much less on new points. The L2 penalty keeps the weights
# small, and small weights make a smooth function: the boundary follows the moons and ignores
# the noise. Dropout gets there by another road: a unit that may vanish at any step cannot
# specialize on one training point together with others.
#
# Held-out loss per epoch
# -----------------------
fig, ax = plt.subplots(figsize=(7, 4))
for name, clf in models.items():
    epochs = np.arange(1, clf.n_iter_ + 1)
    (line,) = ax.plot(epochs, clf.validation_loss_curve_, label=f"{name}, held-out")
    ax.plot(epochs, clf.loss_curve_, color=line.get_color(), linestyle=":", linewidth=1)
ax.set_ylim(0, 1.5)
ax.set_xlabel("epoch")
ax.set_ylabel("loss (dotted: training)")
ax.legend()
fig.tight_layout()

# %%
# The unregularized network's held-out loss turns up after a few dozen epochs and keeps
# climbing while its training loss goes to zero. With L2 it stays flat; with dropout it rises
# far more slowly. Two things to know when reading training curves: with ``alpha`` the
# training loss includes the penalty (hence the high start of the dotted orange curve), and
# with dropout ``loss_curve_`` is the loss of the thinned networks seen in training, noisier
# than the loss of the full network used to predict.
#
# ``alpha`` and the dropout rate are hyper-parameters like any other:
# :ref:`sphx_glr_auto_examples_plot_grid_search.py` shows how to tune them by cross-validation.
plt.show()
