"""
===================================================
Label smoothing and decoupled weight decay
===================================================

Two regularizers that extend lessons of the course:

- **label smoothing** (``label_smoothing``) trains the softmax of the course's multi-class
  lesson (course 2, week 3) on targets :math:`(1 - \\varepsilon) y + \\varepsilon / K` instead
  of one-hot ones, so the network is never pushed towards certainty;
- **decoupled weight decay** (``weight_decay``) shrinks the weights by a fixed fraction before
  each step, instead of adding the L2 penalty of the regularization lesson (course 2, week 1)
  to the gradient. For plain gradient descent the two are the same update; for Adam they are
  not, and this example shows why.
"""

# %%
# Label smoothing
# ---------------
# 500 handwritten digits to train on, the 1297 others to validate on; the same network with
# and without ``label_smoothing=0.1``. With :math:`K = 10` classes, each one-hot target row
# becomes 0.91 for the true digit and 0.01 for each other one.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, train_size=500, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

common = dict(
    hidden_layer_sizes=(128,),
    alpha=0.0,
    learning_rate_init=0.003,
    batch_size=32,
    max_iter=60,
    n_iter_no_change=np.inf,  # run all 60 epochs
    random_state=0,
)
smoothing = {0.0: None, 0.1: None}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 60 epochs, on purpose
    for epsilon in smoothing:
        clf = DeepNetClassifier(label_smoothing=epsilon, **common)
        smoothing[epsilon] = clf.fit(X_train, y_train, X_val=X_val, y_val=y_val)

for epsilon, clf in smoothing.items():
    confidence = clf.predict_proba(X_val).max(axis=1)
    # the probability each training sample's own label gets (classes_ are the digits 0-9)
    own = clf.predict_proba(X_train)[np.arange(len(y_train)), y_train]
    low, median, high = np.quantile(own, [0.05, 0.5, 0.95])
    print(
        f"label_smoothing={epsilon}: validation accuracy {clf.score(X_val, y_val):.3f}, "
        f"validation log loss {clf.validation_loss_curve_[-1]:.3f}, mean validation "
        f"confidence {confidence.mean():.3f}; probability of the training labels: median "
        f"{median:.3f}, 90 % between {low:.3f} and {high:.3f}"
    )

# %%
# The confidence of each prediction (the probability of the predicted class), how often a
# prediction of that confidence is right, and the loss curves:
epsilon, K = 0.1, 10
ceiling = 1 - epsilon + epsilon / K
floor = -(ceiling * np.log(ceiling) + (K - 1) * (epsilon / K) * np.log(epsilon / K))
bins = np.linspace(0.0, 1.0, 11)

fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
for (eps, clf), color in zip(smoothing.items(), ["C0", "C1"], strict=True):
    proba = clf.predict_proba(X_val)
    confidence = proba.max(axis=1)
    correct = clf.classes_[proba.argmax(axis=1)] == y_val
    label = f"label_smoothing={eps}"
    axes[0].hist(confidence, bins=40, range=(0, 1), histtype="step", linewidth=2,
                 color=color, label=label)
    which = np.digitize(confidence, bins[1:-1])
    filled = [b for b in range(10) if (which == b).sum() >= 10]  # bins of 10 samples or more
    axes[1].plot([confidence[which == b].mean() for b in filled],
                 [correct[which == b].mean() for b in filled], "o-", color=color, label=label)
    epochs = np.arange(1, clf.n_iter_ + 1)
    axes[2].plot(epochs, clf.loss_curve_, color=color, label=f"{label}, training")
    axes[2].plot(epochs, clf.validation_loss_curve_, "--", color=color,
                 label=f"{label}, validation")
axes[0].axvline(ceiling, color="gray", linestyle=":", label=f"1 - ε + ε/K = {ceiling:.2f}")
axes[0].set_yscale("log")
axes[0].set_xlabel("confidence (highest predicted probability)")
axes[0].set_ylabel("validation samples (log scale)")
axes[0].set_title("How sure the predictions are")
axes[0].legend(loc="upper left")
axes[1].plot([0, 1], [0, 1], ":", color="gray", label="calibrated")
axes[1].set_xlabel("mean confidence in the bin")
axes[1].set_ylabel("accuracy in the bin")
axes[1].set_title("Reliability (bins of 0.1)")
axes[1].legend(loc="upper left")
axes[2].axhline(floor, color="gray", linestyle=":",
                label=f"entropy of the smoothed targets ({floor:.2f})")
axes[2].set_yscale("log")
axes[2].set_xlabel("epoch")
axes[2].set_ylabel("loss (log scale)")
axes[2].set_title("loss_curve_ and validation_loss_curve_")
axes[2].legend(fontsize="small")
fig.tight_layout()

# %%
# Without smoothing, the network ends nearly certain of almost every prediction: most
# training labels get a probability of 1.000. With ``label_smoothing=0.1`` the loss on a
# training sample is lowest when the network predicts the smoothed target itself, 0.91 for
# the sample's label: the training probabilities gather around that value (printed above)
# instead of climbing to 1, and the logits stay finite. On new data the confidences spread
# out from there.
#
# Two things to read with care:
#
# - ``loss_curve_`` is the loss against the *smoothed* targets. It cannot fall below their
#   entropy (the dotted line), so it is not comparable with the curve of an unsmoothed model.
#   ``validation_loss_curve_`` and the validation scores use the true labels.
# - Label smoothing is not a calibration method. Here the digits are easy: the smoothed
#   network is right more often than its 0.8 to 0.9 confidence says (its reliability curve
#   lies above the diagonal), and its validation log loss is *higher* than without
#   smoothing. Whether the tempered confidence helps your data is for the validation set to
#   say; to turn scores into calibrated probabilities, use
#   :class:`~sklearn.calibration.CalibratedClassifierCV`.
#
# Decoupled weight decay
# ----------------------
# The course's L2 penalty adds :math:`\frac{\lambda}{2m}\sum_l \lVert W^{[l]} \rVert_F^2` to
# the cost, so gradient descent's step becomes
# :math:`W \leftarrow (1 - \eta\lambda/m) W - \eta\, dW`: it shrinks the weights by a fixed
# fraction, the reason L2 is called weight decay. ``alpha`` is :math:`\lambda` and
# :math:`m` is the batch's (weighted) sample count. ``weight_decay`` does the shrinking
# directly: before each step, ``W *= 1 - learning_rate * weight_decay``, outside the
# gradient. With ``batch_size=25`` (20 equal batches of the 500 samples),
# ``weight_decay = alpha / 25`` is the very same update as ``alpha`` for SGD.
#
# To follow the weights epoch by epoch, each network is trained by 60 calls of
# ``partial_fit``, one epoch each. Seven pixels of the digits are blank in every training
# image; the weights leaving them never get a gradient from the loss, so only a penalty or
# a decay moves them.
blank = np.flatnonzero(X_train.std(axis=0) == 0)
print(f"blank pixels: {blank}")
classes = np.unique(y)


def weight_norms(n_epochs=60, **params):
    """Train by ``partial_fit``; the norms of the blank-pixel and other weights per epoch."""
    clf = DeepNetClassifier(hidden_layer_sizes=(64,), batch_size=25, random_state=0, **params)
    norms = []
    for _ in range(n_epochs):
        clf.partial_fit(X_train, y_train, classes=classes)
        squares = [np.sum(W**2) for W in clf.coefs_]
        blank_square = np.sum(clf.coefs_[0][blank] ** 2)
        norms.append((np.sqrt(blank_square), np.sqrt(sum(squares) - blank_square)))
    return np.array(norms), clf.score(X_val, y_val)


alpha = 1.0
sgd = dict(solver="sgd", momentum=0.0, learning_rate_init=0.1)
adam = dict(solver="adam", learning_rate_init=0.003)
runs = {
    "SGD": {
        "no penalty": dict(alpha=0.0, **sgd),
        f"alpha={alpha}": dict(alpha=alpha, **sgd),
        f"weight_decay={alpha / 25}": dict(alpha=0.0, weight_decay=alpha / 25, **sgd),
    },
    "Adam": {
        "no penalty": dict(alpha=0.0, **adam),
        f"alpha={alpha}": dict(alpha=alpha, **adam),
        f"weight_decay={alpha / 25}": dict(alpha=0.0, weight_decay=alpha / 25, **adam),
        "weight_decay=1.0": dict(alpha=0.0, weight_decay=1.0, **adam),
    },
}
results = {}
for solver, settings in runs.items():
    for name, params in settings.items():
        results[solver, name] = weight_norms(**params)
        print(f"{solver:4s} {name:18s} validation accuracy {results[solver, name][1]:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), sharex=True)
epochs = np.arange(1, 61)
styles = {"no penalty": ":", f"alpha={alpha}": "-", f"weight_decay={alpha / 25}": "--",
          "weight_decay=1.0": "-."}
for name in runs["SGD"]:
    norms, _ = results["SGD", name]
    axes[0].plot(epochs, np.hypot(*norms.T), styles[name], linewidth=2, label=name)
for name in runs["Adam"]:
    norms, _ = results["Adam", name]
    axes[1].plot(epochs, norms[:, 1], styles[name], linewidth=2, label=name)
    axes[2].plot(epochs, norms[:, 0], styles[name], linewidth=2, label=name)
axes[0].set_title("SGD: all weights")
axes[1].set_title("Adam: weights the loss uses")
axes[2].set_title("Adam: weights of the 7 blank pixels")
axes[0].set_ylabel("Frobenius norm")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.legend()
fig.tight_layout()

# %%
# With SGD the curves of ``alpha=1.0`` and ``weight_decay=0.04`` lie on each other: the same
# update, as the algebra says. With Adam they part:
#
# - Adam divides each parameter's step by the root of its recent squared gradients. The L2
#   term's gradient :math:`\lambda W / m` goes through that division together with the
#   loss's, so the pull towards zero that a weight feels depends on its own gradient history.
#   A blank pixel's weight has no loss gradient: its whole gradient is the L2 term, which
#   Adam scales to a step of about ``learning_rate`` towards zero, whatever ``alpha`` is.
#   These weights are gone within a few epochs (right), while a weight with large loss
#   gradients feels the same penalty only as a small part of a large normalized gradient.
# - ``weight_decay`` is applied outside Adam's division: every weight, used or not, shrinks
#   by the same factor ``1 - learning_rate * weight_decay`` per step, as SGD's L2 penalty
#   would shrink it. This is AdamW. The shrink per step is ``learning_rate * weight_decay``:
#   ``0.1 * 0.04`` with SGD, but ``0.003 * 0.04`` with Adam's smaller rate, so the value that
#   matches SGD's ``alpha`` barely decays here. ``weight_decay=1.0`` shrinks the blank
#   pixels' weights by the same 0.3 % at every one of the 1200 steps, down to
#   :math:`0.997^{1200} \approx 3\,\%` of their start, and holds the used weights down too.
#
# ``weight_decay`` is not part of the objective, so ``loss_curve_`` does not include it,
# while it includes ``alpha``'s penalty. Which regularizer, and how strong, is for
# cross-validation to decide.
plt.show()
