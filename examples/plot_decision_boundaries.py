"""
==========================================================
Logistic regression, one hidden layer, a deep network
==========================================================

The course's first networks, on data a straight line cannot separate:

1. logistic regression, a network with no hidden layer
   (:class:`~sklearn_deepnet.LogisticRegressionGD`);
2. a network with one hidden layer of tanh units, the course's "planar data" model;
3. a deep network with three hidden ReLU layers.

All three come from the same engine: forward propagation, backpropagation, gradient steps.
"""

# %%
# The data: two interleaving half moons
# -------------------------------------
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from sklearn_deepnet import DeepNetClassifier, LogisticRegressionGD

X, y = make_moons(n_samples=500, noise=0.25, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

models = {
    "logistic regression\n(no hidden layer)": LogisticRegressionGD(alpha=1e-3),
    "one hidden layer\n(4 tanh units)": DeepNetClassifier(
        hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", max_iter=1000, random_state=0
    ),
    "deep network\n(20, 7, 5 ReLU units)": DeepNetClassifier(
        hidden_layer_sizes=(20, 7, 5), learning_rate_init=0.01, max_iter=1000, random_state=0
    ),
}


def plot_boundary(clf, ax, title):
    """Draw the predicted probability of class 1 and the test points."""
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict_proba", cmap="RdBu", alpha=0.6, ax=ax
    )
    ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="RdBu", edgecolor="k", s=15)
    ax.set_title(
        f"{title}\ntrain {clf.score(X_train, y_train):.2f}, test {clf.score(X_test, y_test):.2f}"
    )
    ax.set_xticks([])
    ax.set_yticks([])


fig, axes = plt.subplots(1, 3, figsize=(13, 4.4))
for ax, (name, clf) in zip(axes, models.items(), strict=True):
    plot_boundary(clf.fit(X_train, y_train), ax, name)
fig.tight_layout()

# %%
# Logistic regression can only draw a line: its accuracy is capped by how much the moons
# overlap a straight cut. Four tanh units already bend the boundary around both moons. The
# deep network composes its layers into a boundary made of many straight pieces.
#
# How many hidden units?
# ----------------------
# The course's experiment: a single hidden layer of tanh units, with more and more of them.
# A few units capture the shape; many more fit the noise of the training points, unless a
# penalty (``alpha``) holds the weights back.
sizes = [1, 2, 3, 5, 20, 50]
fig, axes = plt.subplots(2, 3, figsize=(12, 8))
for ax, size in zip(axes.ravel(), sizes, strict=True):
    clf = DeepNetClassifier(
        hidden_layer_sizes=(size,),
        activation="tanh",
        solver="lbfgs",
        alpha=1e-5,
        max_iter=1000,
        random_state=2,
    ).fit(X_train, y_train)
    plot_boundary(clf, ax, f"{size} hidden unit{'s' if size > 1 else ''}")
fig.tight_layout()

# %%
# One unit gives a line, as logistic regression does (its output is a monotone function of a
# single linear score), and two units barely bend it. From 3 units on the boundary follows the
# moons; at 50 units it starts curling around single training points: training accuracy goes
# up, test accuracy does not. (Which local minimum a small network reaches depends on its
# starting point: try another ``random_state``.)
#
# :ref:`sphx_glr_auto_examples_plot_regularization.py` shows how to rein in over-fitting.
plt.show()
