"""
===================================================
Activation functions and their derivatives
===================================================

Every hidden unit computes :math:`a = g(z)`, and backpropagation multiplies the incoming
gradient by :math:`g'(z)`. This example draws each activation the estimators offer with its
derivative, checks the derivative the engine uses against finite differences, then fits the same
small network with each activation to see the decision boundaries they produce.
"""

# sphinx_gallery_thumbnail_number = 2

# %%
# The functions and their derivatives
# ------------------------------------
# Most activations compute :math:`g'` from their *output* :math:`a`, which the forward pass
# keeps anyway: :math:`\sigma' = a(1-a)`, :math:`\tanh' = 1 - a^2`, and so on. A few (those
# with ``needs_input``) need :math:`z` itself, which the network then keeps for their layers.
# ``backward(dA, A, Z)`` returns ``dA * g'(Z)``; with ``dA = 1`` it is the derivative itself.
# The activations are taken from the estimators' registry, so every one they accept is drawn.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from sklearn_deepnet import DeepNetClassifier
from sklearn_deepnet.nn import get_activation
from sklearn_deepnet.nn.activations import activation_classes

names = [cls.name for cls in activation_classes()]
n_columns = 5
n_rows = -(-len(names) // n_columns)
z = np.linspace(-4, 4, 801)

fig, axes = plt.subplots(n_rows, n_columns, figsize=(13, 2.8 * n_rows), sharex=True)
for ax, name in zip(axes.flat[: len(names)], names, strict=True):
    activation = get_activation(name, negative_slope=0.1)  # a visible slope for the plot
    a = activation.forward(z, out=np.empty_like(z))
    derivative = activation.backward(np.ones_like(z), a, z)
    numeric = np.gradient(a, z)  # central differences
    kink = np.abs(z) < 0.02  # relu and leaky relu have no derivative at 0
    assert np.allclose(derivative[~kink], numeric[~kink], atol=1e-3)

    ax.plot(z, a, color="C0", label="g(z)")
    ax.plot(z, derivative, color="C1", linestyle="--", label="g'(z)")
    ax.set_title(name)
    ax.set_ylim(-2, 4)
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.axvline(0, color="gray", linewidth=0.5)
for ax in axes.flat[len(names):]:
    ax.set_visible(False)
axes.flat[0].legend(loc="upper left")
fig.suptitle("Activations (solid) and the derivatives backpropagation uses (dashed)")
fig.tight_layout()

# %%
# The sigmoid's derivative is at most 0.25 and vanishes for large :math:`|z|`: multiplied
# through many layers, gradients shrink. tanh is centered on zero, with a derivative up to 1.
# ReLU passes the gradient unchanged where the unit is active, and leaky ReLU keeps a small
# slope where it is not (the estimators' ``negative_slope`` defaults to the course's 0.01;
# 0.1 here to make it visible).
#
# The same network, every activation
# -----------------------------------
# A network with one hidden layer of 8 units on the two interleaving half moons. With the
# identity activation the network is linear, however many units it has.
X, y = make_moons(n_samples=400, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

fig, axes = plt.subplots(n_rows, n_columns, figsize=(15, 3.4 * n_rows))
for ax in axes.flat[len(names):]:
    ax.set_visible(False)
for ax, name in zip(axes.flat[: len(names)], names, strict=True):
    clf = DeepNetClassifier(
        hidden_layer_sizes=(8,), activation=name, solver="lbfgs", max_iter=500, random_state=0
    ).fit(X_train, y_train)
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict_proba", cmap="RdBu", alpha=0.6, ax=ax
    )
    ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="RdBu", edgecolor="k", s=15)
    ax.set_title(f"{name}\ntest accuracy {clf.score(X_test, y_test):.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()

# %%
# The identity network draws a straight line: it is logistic regression. Every non-linear
# activation bends the boundary around the moons. ReLU networks draw boundaries made of
# straight pieces, one kink per unit; sigmoid and tanh draw smooth curves.
plt.show()
