"""
==========================================================
Tuning hidden layers and learning rate with GridSearchCV
==========================================================

The course lists the hyper-parameters of a network: the learning rate, the number of layers,
the units per layer, the number of iterations, the activation. Because
:class:`~sklearn_deepnet.DeepNetClassifier` is a scikit-learn estimator,
:class:`~sklearn.model_selection.GridSearchCV` tunes them by cross-validation, here inside a
:class:`~sklearn.pipeline.Pipeline` that standardizes the features first. The heat map shows
the mean cross-validated accuracy of every pair of architecture and learning rate.
"""

# %%
# The search
# ----------
# The 8x8 images of handwritten digits bundled with scikit-learn; each network trains for 30
# epochs of Adam.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(StandardScaler(), DeepNetClassifier(max_iter=30, random_state=0))
architectures = [(16,), (64,), (32, 16), (64, 32, 16)]
learning_rates = [1e-4, 1e-3, 1e-2, 1e-1]
search = GridSearchCV(
    pipe,
    {
        "deepnetclassifier__hidden_layer_sizes": architectures,
        "deepnetclassifier__learning_rate_init": learning_rates,
    },
    cv=3,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs is short, on purpose
    search.fit(X_train, y_train)

print("best parameters:", search.best_params_)
print(f"cross-validated accuracy {search.best_score_:.3f}")
print(f"test accuracy of the refitted best model {search.score(X_test, y_test):.3f}")

# %%
# The heat map
# ------------
# ``cv_results_`` lists the candidates in the order of the grid: architectures vary slowest,
# learning rates fastest, so the mean scores reshape into one row per architecture.
scores = search.cv_results_["mean_test_score"].reshape(len(architectures), len(learning_rates))

fig, ax = plt.subplots(figsize=(6.5, 4.5))
image = ax.imshow(scores, cmap="viridis", vmin=0, vmax=1)
for row, column in np.ndindex(scores.shape):
    value = scores[row, column]
    ax.text(
        column,
        row,
        f"{value:.3f}",
        ha="center",
        va="center",
        color="black" if value > 0.6 else "white",
    )
ax.set_xticks(range(len(learning_rates)), [f"{rate:g}" for rate in learning_rates])
ax.set_yticks(range(len(architectures)), [str(sizes) for sizes in architectures])
ax.set_xlabel("learning_rate_init")
ax.set_ylabel("hidden_layer_sizes")
ax.set_title("Mean cross-validated accuracy, 30 epochs of Adam")
fig.colorbar(image, ax=ax, label="accuracy")
fig.tight_layout()

# %%
# The learning rate matters more than the architecture. At 0.0001 no network gets far in 30
# epochs; between 0.001 and 0.01 every architecture does well, and a larger network needs
# fewer epochs; at 0.1 the deepest network becomes unstable. The course's advice follows:
# tune the learning rate first, on a logarithmic scale, then the size of the network.
plt.show()
