"""Checks of the inputs every estimator shares: sample weights, validation-set arguments, scale.

Also the dtypes ``validate_data`` may give ``X``: under ``array_api_dispatch`` those of ``X``'s
own namespace, so that ``X`` stays where it is.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config

from ._warnings import warn
from .nn._namespace import get_namespace, is_device_array, is_numpy, to_numpy


def float_dtypes(X):
    """The floating dtypes ``X`` may keep (else it is cast to the first): float64, float32.

    Under ``sklearn.set_config(array_api_dispatch=True)`` an array of another namespace gets
    that namespace's dtypes, as scikit-learn's array API estimators ask for.
    """
    if get_config()["array_api_dispatch"] and not sp.issparse(X):
        try:
            xp = get_namespace(X)
        except TypeError:  # a list, a DataFrame: converted to NumPy
            xp = np
        if not is_numpy(xp):
            return (xp.float64, xp.float32)
    return (np.float64, np.float32)


def check_validation_args(X_val, y_val, sample_weight_val):
    """Whether a validation set was given; ``X_val`` and ``y_val`` come together."""
    if (X_val is None) != (y_val is None):
        raise ValueError(
            "X_val and y_val must be given together (a validation set needs both inputs and "
            "targets); pass both, or neither."
        )
    if X_val is None and sample_weight_val is not None:
        raise ValueError("sample_weight_val was given without X_val and y_val; pass all three.")
    return X_val is not None


_SCALE_LIMIT = 1e4


def warn_if_badly_scaled(X):
    """Warn when the features' magnitudes make gradient training stall or diverge.

    A column's magnitude is its largest absolute value; all-zero columns are ignored. The
    warning fires when the largest magnitude exceeds ``1e4``, the smallest is below ``1e-4``,
    or the two differ by more than a factor ``1e4``.
    """
    if sp.issparse(X):
        scale = abs(X).max(axis=0).toarray().ravel()
    elif isinstance(X, np.ndarray):
        scale = np.maximum(X.max(axis=0), -X.min(axis=0))
    else:  # another namespace: the per-column reductions on its device, the rest here
        xp = get_namespace(X)
        scale = to_numpy(xp.maximum(xp.max(X, axis=0), -xp.min(X, axis=0)))
    scale = scale[scale > 0]
    if scale.size == 0:
        return
    low, high = float(scale.min()), float(scale.max())
    if high > _SCALE_LIMIT or low < 1 / _SCALE_LIMIT or high > _SCALE_LIMIT * low:
        warn(
            f"The features of X have magnitudes from {low:.3g} to {high:.3g} (largest absolute "
            "value per column): gradient training on them is slow and can stall or diverge. "
            "Scale them, for example with sklearn.preprocessing.StandardScaler in a Pipeline."
        )


def check_sample_weight(sample_weight, n_samples, dtype, name="sample_weight"):
    """Validate per-sample weights: finite, non-negative, not all zero, one per sample."""
    if sample_weight is None:
        return None
    if is_device_array(sample_weight):
        sample_weight = to_numpy(sample_weight)  # checked here, moved to X's device later
    sample_weight = np.asarray(sample_weight)
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, sample_weight)
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"{name} has shape {sample_weight.shape}; expected ({n_samples},), "
            "one weight per sample."
        )
    if not np.issubdtype(sample_weight.dtype, np.number) or np.iscomplexobj(sample_weight):
        raise ValueError(f"{name} must hold real numbers.")
    sample_weight = sample_weight.astype(dtype)
    if not np.isfinite(sample_weight).all():
        raise ValueError(f"{name} contains NaN or infinity; give finite weights.")
    if (sample_weight < 0).any():
        raise ValueError(f"{name} contains negative values; weights must be >= 0.")
    if not sample_weight.any():
        raise ValueError(f"{name} is zero for every sample; at least one must be > 0.")
    return sample_weight
