"""
===================================================
Loss curves, validation curves and early stopping
===================================================

A network learns its training set a little better every epoch; whether it also gets better on
new data is what a validation set tells. This example records both, draws them with
:class:`~sklearn_deepnet.LossCurveDisplay`, and lets early stopping pick the epoch to keep.
"""

# %%
# A network that can memorize its training set
# --------------------------------------------
# 300 handwritten digits to train on, 600 others to validate on, and two hidden layers of 128
# units with no L2 penalty: far more weights than training samples.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, train_size=300, test_size=600, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

params = dict(
    hidden_layer_sizes=(128, 128),
    alpha=0.0,
    learning_rate_init=0.01,
    batch_size=50,
    random_state=0,
)

# %%
# Progress lines
# --------------
# ``verbose=True`` prints one line per epoch, as ``MLPClassifier`` does, with the validation
# score when a validation set is given and the time elapsed.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 3 epochs, on purpose
    DeepNetClassifier(max_iter=3, verbose=True, **params).fit(
        X_train, y_train, X_val=X_val, y_val=y_val
    )

# %%
# Training and validation curves
# ------------------------------
# ``fit(X, y, X_val=..., y_val=...)`` scores the validation set after every epoch:
# ``validation_loss_curve_`` holds its loss and ``validation_scores_`` the ``scoring`` score,
# here the accuracy. ``tol=0`` and ``n_iter_no_change=np.inf`` make it run all 80 epochs.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter ends the fit, on purpose
    clf = DeepNetClassifier(
        max_iter=80, tol=0.0, n_iter_no_change=np.inf, scoring="accuracy", **params
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)

display = LossCurveDisplay.from_estimator(clf)
best_epoch = int(np.argmin(clf.validation_loss_curve_)) + 1
display.ax_.axvline(best_epoch, color="gray", linestyle=":")
display.ax_.set_ylim(0, 1.5)
display.ax_.set_title(f"Lowest validation loss at epoch {best_epoch}")
display.figure_.tight_layout()

# %%
# The training loss falls towards zero: the network memorizes its 300 samples. The
# validation loss reaches its minimum within a few epochs, then rises: the network grows
# ever more confident, and the samples it gets wrong cost more and more. The validation
# accuracy barely moves after that point. Training longer brought nothing but over-confidence.
#
# Early stopping
# --------------
# ``early_stopping=True`` stops once the validation score has not improved by ``tol`` for more
# than ``n_iter_no_change`` epochs, and restores the weights of the best epoch. The score is
# the ``scoring`` one: by default (``scoring=None``) the accuracy, as for ``MLPClassifier``;
# ``scoring='loss'`` would watch the negated validation loss. Without ``X_val``, it would hold
# out ``validation_fraction`` of the training data instead.
stopped = DeepNetClassifier(max_iter=80, early_stopping=True, **params).fit(
    X_train, y_train, X_val=X_val, y_val=y_val
)
best = int(np.argmax(stopped.validation_scores_)) + 1
print(f"stopped after {stopped.n_iter_} epochs; kept the weights of epoch {best}")
print(f"validation accuracy of the kept model: {stopped.score(X_val, y_val):.3f}")

fig, axes = plt.subplots(1, 2, figsize=(13, 4))
LossCurveDisplay.from_estimator(clf, ax=axes[0], name="80 epochs")
LossCurveDisplay.from_estimator(stopped, ax=axes[1], name="early stopping")
axes[1].axvline(best, color="gray", linestyle=":")
for ax in axes:
    ax.set_xlim(0, 81)
    ax.set_ylim(0, 1.5)
fig.tight_layout()

# %%
# Early stopping ends training ``n_iter_no_change + 1`` epochs after the validation accuracy
# last improved, and keeps the model of its best epoch: the same validation accuracy as 80
# epochs, in a fraction of the time.
#
# Per-epoch training scores with a callback
# -----------------------------------------
# With scikit-learn 1.9, the estimators support ``set_callbacks`` from the experimental
# :mod:`sklearn.callback` module (see :doc:`/user_guide/progress`). ``ScoringMonitor`` scores a
# copy of the model after every epoch with any scorer, here the accuracy on the training set;
# ``scoring='accuracy'`` makes ``validation_scores_`` the accuracy on the validation set.
if hasattr(DeepNetClassifier(), "set_callbacks"):  # scikit-learn >= 1.9
    from sklearn.callback import ScoringMonitor

    monitor = ScoringMonitor(scoring="accuracy")
    monitored = DeepNetClassifier(max_iter=80, early_stopping=True, scoring="accuracy", **params)
    monitored.set_callbacks(monitor).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    train_accuracy = np.array([row["accuracy"] for row in rows])

    fig, ax = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, len(rows) + 1)
    ax.plot(epochs, train_accuracy, label="training accuracy (ScoringMonitor)")
    ax.plot(epochs, monitored.validation_scores_, label="validation accuracy (validation_scores_)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.legend(loc="lower right")
    fig.tight_layout()
    print(f"training accuracy after each epoch: {np.round(train_accuracy, 3)}")

# %%
# Training accuracy reaches 100% within a few epochs: from then on the training set has
# nothing left to teach, and only the validation set can tell when to stop. Note that stopping
# on accuracy waits longer than stopping on the loss: accuracy keeps creeping up while the
# probabilities behind it grow over-confident.
plt.show()
