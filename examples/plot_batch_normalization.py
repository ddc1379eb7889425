"""
===================================================
Batch normalization in a deep network
===================================================

The course's batch normalization (course 2, week 3) normalizes each hidden layer's
pre-activation :math:`Z` over the mini-batch, :math:`\\hat Z = (Z - \\mu) / \\sqrt{\\sigma^2 +
\\varepsilon}`, then lets the network choose the scale and shift it wants, :math:`\\tilde Z =
\\gamma \\hat Z + \\beta`, before the activation. Every layer then sees inputs of a steady scale,
whatever the layers below it are doing.

This example trains two deep networks (six hidden layers of 64 units) on the digits, with and
without ``batch_normalization``, and draws their held-out loss after each epoch:

- a network of **sigmoid** units, whose gradient shrinks at every layer it crosses;
- a network of **ReLU** units, trained by SGD with a learning rate too large for it.
"""

# %%
# Training the four networks
# --------------------------
# The held-out set is passed as ``X_val, y_val`` only to record its loss after each epoch
# (``validation_loss_curve_``); it does not influence training. With batch normalization, it
# is scored as ``predict`` would score it: with the running means and variances averaged over
# the training batches, not with the statistics of the held-out set.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

common = dict(
    hidden_layer_sizes=(64,) * 6,
    solver="sgd",
    batch_size=64,
    max_iter=15,
    tol=0.0,
    n_iter_no_change=np.inf,  # run every epoch
    random_state=0,
)
networks = {
    "sigmoid, learning rate 0.1": dict(activation="logistic", learning_rate_init=0.1),
    "ReLU, learning rate 0.3": dict(activation="relu", learning_rate_init=0.3),
}
models = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter ends the fits, on purpose
    for name, params in networks.items():
        for normalize in (False, True):
            clf = DeepNetClassifier(**common, **params, batch_normalization=normalize)
            models[name, normalize] = clf.fit(X_train, y_train, X_val=X_test, y_val=y_test)

for (name, normalize), clf in models.items():
    print(
        f"{name:27s} batch normalization {'yes' if normalize else 'no ':3s}: "
        f"{clf.n_iter_:2d} epochs, held-out accuracy {clf.score(X_test, y_test):.3f}"
    )

# %%
# Held-out loss per epoch
# -----------------------
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, name in zip(axes, networks, strict=True):
    for normalize, style in ((False, "--"), (True, "-")):
        clf = models[name, normalize]
        epochs = np.arange(1, len(clf.validation_loss_curve_) + 1)
        label = "with batch normalization" if normalize else "without"
        ax.plot(epochs, clf.validation_loss_curve_, style, marker="o", markersize=3, label=label)
        if not np.isfinite(clf.validation_loss_curve_[-1]):  # the divergence guard stopped it
            last = len(clf.validation_loss_curve_)
            ax.annotate(f"diverged at epoch {last}", xy=(last - 1, clf.validation_loss_curve_[-2]),
                        xytext=(last + 1, 2.7), arrowprops=dict(arrowstyle="->"))
    ax.axhline(np.log(10), color="gray", linewidth=0.8)  # the loss of guessing: log(10)
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.legend()
axes[0].set_ylabel("held-out log loss (gray: guessing)")
axes[0].set_ylim(0, 3)
fig.tight_layout()

# %%
# Without batch normalization the sigmoid network does not learn at all in these epochs: each
# sigmoid multiplies the gradient by at most 1/4 on its way down, so the first layers barely
# move, and the network stays at the loss of guessing. Normalized, every layer's inputs keep
# a unit scale around the steep middle of the sigmoid, and the same network learns within
# a few epochs.
#
# The ReLU network without normalization diverges at this learning rate in its second epoch:
# training stops at once with a ``ConvergenceWarning`` and keeps the last finite weights, far
# from trained. With
# batch normalization the scale of each layer's input no longer depends on the scale of its
# weights, so a large step cannot blow the activations up layer after layer, and the large
# learning rate trains.
#
# Batch normalization is no free lunch: each epoch costs a few percent more (the benchmark
# ``benchmarks/bench_batch_norm.py`` measures it), the loss of a batch depends on the other
# samples in it (a little noise, which regularizes a little), and on a shallow network trained
# by Adam at its default step it changes little. The user guide's page on batch normalization
# gives the equations, the running statistics and these measurements.
plt.show()
