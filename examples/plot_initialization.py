"""
===================================================
Zero, small random and He initialization
===================================================

The course trains the same three-layer ReLU network on two concentric circles from three
starting points:

- **zeros**: every hidden unit computes the same thing and gets the same gradient, so the
  symmetry never breaks; with ReLU units nothing but the output bias learns;
- **small random** weights (:math:`\\mathcal{N}(0, 1) \\times 0.01`, ``init='normal'``): the
  symmetry breaks, but the signal, and the gradient on its way back, shrink at every layer;
- **He** weights (:math:`\\mathcal{N}(0, 2/n^{[l-1]})`, ``init='he'``): the variance of the
  activations stays about constant through the layers.

All three train with plain full-batch gradient descent (``solver='gd'``), the course's
algorithm, for the same number of epochs.
"""

# %%
# The data: two circles, one inside the other
# -------------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from sklearn_deepnet import DeepNetClassifier

X, y = make_circles(n_samples=400, noise=0.1, factor=0.5, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

params = dict(
    hidden_layer_sizes=(10, 5),  # the course's [2, 10, 5, 1] network
    activation="relu",
    solver="gd",
    learning_rate_init=0.1,
    max_iter=3000,
    tol=0.0,  # run every epoch: the lesson is the shape of the curves
    random_state=0,
)

# %%
# Three starting points
# ---------------------
# No ``init`` option starts from zeros, on purpose. To show why, we assign zero weights and
# biases by hand before fitting (as with ``MLPClassifier``, a warm-started ``fit`` starts from
# weights assigned to an unfitted model).
zeros = DeepNetClassifier(warm_start=True, **params)
sizes = (2, 10, 5, 1)  # the course's [n_x, 10, 5, 1]
zeros.coefs_ = [np.zeros(shape) for shape in zip(sizes[:-1], sizes[1:], strict=True)]
zeros.intercepts_ = [np.zeros(fan_out) for fan_out in sizes[1:]]
models = {
    "zeros": zeros,
    "small random (init='normal')": DeepNetClassifier(init="normal", **params),
    "He (init='he')": DeepNetClassifier(init="he", **params),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter ends these fits, on purpose
    for clf in models.values():
        clf.fit(X_train, y_train)

for name, clf in models.items():
    print(
        f"{name:30s} train accuracy {clf.score(X_train, y_train):.2f}, "
        f"test accuracy {clf.score(X_test, y_test):.2f}, final loss {clf.loss_curve_[-1]:.3f}"
    )

# %%
# The learning curves
# -------------------
# The zero-initialized network never leaves :math:`\log 2 \approx 0.693`, the loss of
# predicting one half everywhere. The small random network sits on the same plateau: its
# gradients are about :math:`0.01^3` times too small to move it in 3000 epochs. He weights
# start learning at once.
fig, ax = plt.subplots(figsize=(7, 4))
styles = [dict(linewidth=4, alpha=0.5), dict(linestyle="--"), dict()]
for (name, clf), style in zip(models.items(), styles, strict=True):
    ax.plot(np.arange(1, len(clf.loss_curve_) + 1), clf.loss_curve_, label=name, **style)
ax.axhline(np.log(2), color="gray", linestyle=":", linewidth=1)
ax.set_xscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (cross-entropy)")
ax.set_title("Same network, same gradient descent, three initializations")
ax.legend()
fig.tight_layout()

# %%
# The decision boundaries
# -----------------------
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (name, clf) in zip(axes, models.items(), strict=True):
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict", cmap="RdBu", alpha=0.5, ax=ax
    )
    ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="RdBu", edgecolor="k", s=15)
    ax.set_title(f"{name}\ntest accuracy {clf.score(X_test, y_test):.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

# %%
# Only He initialization separates the circles. The course's conclusion: initialize ReLU
# layers with He weights (and tanh or sigmoid layers with Glorot weights), never with zeros,
# and do not simply make the weights small. The default ``init='auto'``, ``MLPClassifier``'s
# Glorot-uniform weights and biases, also trains this network; ``init='he'`` is the choice for
# deep ReLU stacks.
plt.show()
