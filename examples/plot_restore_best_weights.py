"""
===================================================
Keeping the best epoch: restore_best_weights
===================================================

The course's early stopping (course 2, week 1, among the other regularization methods) ends
training where the validation error is lowest. ``restore_best_weights=True`` keeps the same
epoch without stopping there: ``fit`` trains its whole budget, records every curve, and ends on
the weights of the epoch with the best validation score.
"""

# %%
# Training labels with noise
# --------------------------
# 600 handwritten digits to train on, with 30 % of their labels replaced by random ones; 500
# clean digits to validate on and 697 to test on. A network of 256 hidden units learns the
# true digits first and then, epoch after epoch, memorizes the wrong labels, which costs it on
# new data.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_rest, y_train, y_rest = train_test_split(
    X, y, train_size=600, stratify=y, random_state=0
)
X_val, X_test, y_val, y_test = train_test_split(
    X_rest, y_rest, train_size=500, stratify=y_rest, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val, X_test = (scaler.transform(part) for part in (X_train, X_val, X_test))

rng = np.random.default_rng(0)
y_noisy = y_train.copy()
replaced = rng.random(len(y_train)) < 0.3
y_noisy[replaced] = rng.integers(0, 10, replaced.sum())

common = dict(hidden_layer_sizes=(256,), alpha=0.0, batch_size=32, max_iter=60, random_state=0)

# %%
# Three ways to end
# -----------------
# The same network (same initial weights, same mini-batches) three times:
#
# - the last epoch of 60;
# - ``restore_best_weights=True`` and a validation set: 60 epochs, then the weights of the
#   epoch with the best validation score (accuracy here, the default ``scoring``);
# - ``early_stopping=True`` on the same validation set: it stops once the score has not
#   improved for more than ``n_iter_no_change=10`` epochs, and restores the best epoch too.
#
# ``n_iter_no_change=np.inf`` keeps the first two from stopping when the training loss
# stalls, so they run all 60 epochs.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 60 epochs, on purpose
    last = DeepNetClassifier(n_iter_no_change=np.inf, **common)
    last.fit(X_train, y_noisy, X_val=X_val, y_val=y_val)
    best = DeepNetClassifier(n_iter_no_change=np.inf, restore_best_weights=True, **common)
    best.fit(X_train, y_noisy, X_val=X_val, y_val=y_val)
stopped = DeepNetClassifier(early_stopping=True, **common)
stopped.fit(X_train, y_noisy, X_val=X_val, y_val=y_val)

best_epoch = int(np.argmax(best.validation_scores_)) + 1
print(f"restore_best_weights: {best.n_iter_} epochs, kept epoch {best_epoch}")
print(f"early_stopping:       {stopped.n_iter_} epochs, kept epoch "
      f"{int(np.argmax(stopped.validation_scores_)) + 1}")
print()
for name, clf in [("last epoch", last), ("restore_best_weights", best),
                  ("early_stopping", stopped)]:
    print(f"{name:21s} validation accuracy {clf.score(X_val, y_val):.3f}, "
          f"test accuracy {clf.score(X_test, y_test):.3f}")
print()
print(f"best_validation_score_ {best.best_validation_score_:.3f}, "
      f"validation_scores_[-1] {best.validation_scores_[-1]:.3f}")
print(f"loss_ {best.loss_:.4f} (the last epoch's), loss_curve_ has {len(best.loss_curve_)} entries")

# %%
# The curves
# ----------
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.4))
epochs = np.arange(1, best.n_iter_ + 1)
left.plot(epochs, best.validation_scores_, label="restore_best_weights=True (60 epochs)")
left.plot(np.arange(1, stopped.n_iter_ + 1), stopped.validation_scores_, "--", linewidth=2,
          label="early_stopping=True")
left.plot(best_epoch, best.best_validation_score_, "*", markersize=16, color="C3",
          label=f"kept by both: epoch {best_epoch}")
left.axvline(stopped.n_iter_, color="C1", linestyle=":", label="early stopping stops")
left.set_xlabel("epoch")
left.set_ylabel("validation accuracy")
left.set_title("Validation score, epoch by epoch")
left.legend(loc="lower right")

right.plot(epochs, best.loss_curve_, label="training loss (noisy labels)")
right.plot(epochs, best.validation_loss_curve_, label="validation loss (clean labels)")
right.axvline(best_epoch, color="C3", linestyle=":", label=f"kept epoch ({best_epoch})")
right.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("loss (log scale)")
right.set_title("Losses of the restore_best_weights run")
right.legend(loc="lower left")
fig.tight_layout()

# %%
# The network learns the true digits within a few epochs; from then on, the training loss
# keeps falling because it memorizes the replaced labels, and the validation accuracy falls
# with it. The last epoch's weights carry all that memorization; both other runs end on the
# best validation epoch. They kept the same epoch here: early stopping got there by stopping
# 11 epochs later, ``restore_best_weights`` by training all 60. Early stopping saves the time;
# ``restore_best_weights`` records whole curves, and a plateau longer than
# ``n_iter_no_change`` epochs cannot end it before a better epoch that follows. The
# attributes tell the whole run:
# ``loss_``, ``loss_curve_``, ``validation_scores_`` and ``n_iter_`` describe all 60 epochs,
# while ``best_validation_score_`` is the score of the weights kept.
#
# The epoch was chosen on the validation set, so its validation accuracy flatters it: the test
# set, which played no part, gives the honest estimate.
#
# Without a validation set
# ------------------------
# Without ``X_val`` (and without ``early_stopping``) the epoch with the lowest training loss
# is kept instead. That guards against a run that ends on a bad epoch, for instance after a
# spike of a too-large learning rate, but it knows nothing of over-fitting: on these noisy
# labels the training loss fell all along, so it keeps the last epoch, memorization included.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    by_loss = DeepNetClassifier(n_iter_no_change=np.inf, restore_best_weights=True, **common)
    by_loss.fit(X_train, y_noisy)
kept = int(np.argmin(by_loss.loss_curve_)) + 1
print(f"kept epoch {kept} of {by_loss.n_iter_} (training loss {min(by_loss.loss_curve_):.4f}); "
      f"test accuracy {by_loss.score(X_test, y_test):.3f}")
plt.show()
