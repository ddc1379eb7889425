"""
=============================================
Preparing tabular inputs for a network
=============================================

Real tables hold heavy-tailed numbers (incomes, counts, durations) and targets that change
sharply at a threshold. Two transformers of :mod:`sklearn_deepnet.preprocessing` prepare such
columns for a network:

- :class:`~sklearn_deepnet.preprocessing.SmoothClipScaler` centers each column by its median,
  divides it by its interquartile range and bends the outliers smoothly towards ±3;
- :class:`~sklearn_deepnet.preprocessing.PiecewiseLinearEncoder` adds a thermometer code of
  each column over its quantile bins, from which a network can build sharp thresholds.

This example draws what each does to one skewed column, then fits a small network on a
target with a threshold, with and without them.
"""

# %%
# A heavy-tailed column
# ---------------------
# Incomes drawn from a log-normal distribution: most lie between 10 and 60 thousand, a few
# far beyond. ``StandardScaler`` divides by a standard deviation that the tail inflates, so the
# bulk of the data is squeezed into a narrow band and the tail stretches far out;
# ``SmoothClipScaler`` divides by the interquartile range of the bulk and bounds the tail.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_deepnet import DeepNetClassifier
from sklearn_deepnet.preprocessing import PiecewiseLinearEncoder, SmoothClipScaler

rng = np.random.RandomState(0)
income = rng.lognormal(mean=3.3, sigma=0.8, size=(2000, 1))  # thousands

standard = StandardScaler().fit_transform(income)
scaler = SmoothClipScaler().fit(income)
clipped = scaler.transform(income)
print(f"median {scaler.center_[0]:.1f}, interquartile range {scaler.scale_[0]:.1f}")
print(f"StandardScaler: {standard.min():.2f} to {standard.max():.2f}")
print(f"SmoothClipScaler: {clipped.min():.2f} to {clipped.max():.2f}")

fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
axes[0].hist(income, bins=60, color="tab:gray")
axes[0].set(title="income (thousands)", ylabel="rows")
axes[1].hist(standard, bins=60, color="tab:blue")
axes[1].set(title="StandardScaler")
axes[2].hist(clipped, bins=60, color="tab:green")
axes[2].axvline(3, color="k", lw=0.8, ls="--")
axes[2].set(title="SmoothClipScaler (bound 3)")
fig.tight_layout()

# %%
# The smooth clip
# ---------------
# After the scaling, ``z / sqrt(1 + (z / 3) ** 2)`` is close to the identity near zero and
# approaches ±3 without reaching it: values keep their order, and a value 50 interquartile
# ranges out weighs no more than one at 5.
z = np.linspace(-12, 12, 400)
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(z, z, color="tab:gray", lw=0.8, label="no clip")
ax.plot(z, z / np.sqrt(1 + (z / 3) ** 2), color="tab:green", label="smooth clip, bound 3")
ax.plot(z, np.clip(z, -3, 3), color="tab:red", ls=":", label="hard clip")
ax.set(xlabel="(x - median) / IQR", ylabel="output", ylim=(-5, 5))
ax.legend()
fig.tight_layout()

# %%
# The piecewise-linear encoding
# -----------------------------
# The encoder cuts the scaled column at its quantiles (here 6 bins) and adds one feature per
# bin: 0 before the bin, 1 after it, a linear ramp across it. Each bin holds about as many
# rows, so the ramps are steep where the data are dense.
encoder = PiecewiseLinearEncoder(n_bins=6).fit(clipped)
edges = encoder.bin_edges_[0]
grid = np.linspace(clipped.min() - 0.3, clipped.max() + 0.1, 500).reshape(-1, 1)
codes = encoder.transform(grid)[:, 1:]  # the first column is the original one
print("bin edges:", edges.round(2))
print("output features:", list(encoder.get_feature_names_out(["income"])))

fig, ax = plt.subplots(figsize=(7, 3.2))
for t in range(codes.shape[1]):
    ax.plot(grid, codes[:, t], label=f"income_ple{t}")
for edge in edges:
    ax.axvline(edge, color="k", lw=0.5, ls=":")
ax.set(xlabel="scaled income", ylabel="bin feature")
ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout()

# %%
# A target with a threshold
# -------------------------
# Customers earning more than 40 thousand accept an offer with probability 0.9, the others
# with probability 0.1. A small network on the standardized income has to build the step out
# of a few ReLUs on a squeezed input, and draws a slow sigmoid; with the scaled and encoded
# income the step is close to one bin feature, and the network follows it more closely.
y = np.where(rng.rand(len(income)) < 0.9, income[:, 0] > 40, income[:, 0] <= 40)
params = dict(hidden_layer_sizes=(8,), early_stopping=True, n_iter_no_change=20, random_state=0)
models = {
    "StandardScaler": make_pipeline(StandardScaler(), DeepNetClassifier(**params)),
    "SmoothClipScaler + PiecewiseLinearEncoder": make_pipeline(
        SmoothClipScaler(), PiecewiseLinearEncoder(), DeepNetClassifier(**params)
    ),
}
line = np.linspace(0, 150, 600).reshape(-1, 1)
fig, ax = plt.subplots(figsize=(7, 3.2))
for name, model in models.items():
    model.fit(income, y)
    print(f"{name}: training accuracy {model.score(income, y):.3f}")
    ax.plot(line, model.predict_proba(line)[:, 1], label=name)
ax.step(line[:, 0], np.where(line[:, 0] > 40, 0.9, 0.1), color="k", lw=0.8, ls="--",
        label="true probability")
ax.set(xlabel="income (thousands)", ylabel="P(accept)", ylim=(-0.05, 1.05))
ax.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
# On 18 real data sets (``benchmarks/README.md``) the encoding added +0.16 points of accuracy
# on average to a network with early stopping, and 2 to 3 points on the data sets where
# gradient boosting led; the scaling with the smooth clip added a small but consistent gain.
# The user guide's :doc:`/user_guide/tabular_inputs` page has the numbers.
