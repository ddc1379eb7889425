"""Transformers that prepare tabular inputs for a network: a smooth-clip scaler and an encoding.

- :class:`SmoothClipScaler` (:mod:`._smooth_clip`): robust scaling by the median and the
  interquartile range, then a smooth clip that bounds outliers;
- :class:`PiecewiseLinearEncoder` (:mod:`._piecewise_linear`): a piecewise-linear
  (thermometer) code of each numeric feature over its quantile bins.

Both are NumPy-only scikit-learn transformers; the user guide's "Preparing tabular inputs"
shows what they do and what they are worth on real data.
"""

from ._piecewise_linear import PiecewiseLinearEncoder
from ._smooth_clip import SmoothClipScaler

__all__ = ["PiecewiseLinearEncoder", "SmoothClipScaler"]
