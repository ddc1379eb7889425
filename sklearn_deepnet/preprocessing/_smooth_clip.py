"""SmoothClipScaler: robust scaling by the median and interquartile range, then a smooth clip.

The transformation RealMLP applies to numeric inputs (Holzmüller et al., 2024): each column is
centered by its median and divided by its interquartile range, as
:class:`sklearn.preprocessing.RobustScaler` does, and then squashed by
``z / sqrt(1 + (z / bound) ** 2)``, which leaves the bulk of the data almost unchanged and
bends outliers smoothly towards ``±bound``.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from .._sklearn_internals import Interval, fit_context

_TOLERANCE = 10  # a spread within this many ulps of its level is rounding noise, i.e. zero


def _is_zero_spread(low, high):
    """Whether ``high - low`` is zero up to rounding (relative to the size of the values)."""
    level = np.maximum(np.abs(low), np.abs(high))
    return high - low <= _TOLERANCE * np.finfo(np.result_type(low, high)).eps * level


def _sparse_column(X, j):
    """Column ``j`` of a CSC matrix as a dense vector (its implicit zeros included)."""
    column = np.zeros(X.shape[0], dtype=X.dtype)
    values = X.data[X.indptr[j] : X.indptr[j + 1]]
    column[: values.size] = values  # the order of the values does not matter to quantiles
    return column


def _data_columns(X):
    """The column index of every stored value of a CSR or CSC matrix."""
    if X.format == "csr":
        return X.indices
    return np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))


class SmoothClipScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale features robustly (median, interquartile range), then clip them smoothly.

    Each feature ``x`` becomes ``z / sqrt(1 + (z / bound) ** 2)`` with
    ``z = (x - median) / scale``: the scaling of :class:`~sklearn.preprocessing.RobustScaler`
    followed by a *smooth clip*, the input transformation of RealMLP (Holzmüller et al., 2024).
    The clip is close to the identity for ``|z|`` well below ``bound`` (``z = 1`` becomes
    0.949, ``z = 2`` becomes 1.664 with ``bound=3``) and bends outliers towards ``±bound``
    without ever reaching it, so a network sees inputs of a bounded size whatever the tails of
    the data, and values keep their order.

    Read more in the :doc:`User Guide </user_guide/tabular_inputs>`.

    Parameters
    ----------
    with_centering : bool, default=True
        Subtract each feature's median before scaling. Sparse input needs
        ``with_centering=False`` (centering would make it dense).
    with_scaling : bool, default=True
        Divide each feature by its scale, ``scale_`` (see Notes).
    quantile_range : tuple (q_min, q_max), default=(25.0, 75.0)
        The percentiles whose difference is the scale, with ``0 <= q_min < q_max <= 100``;
        the default is the interquartile range.
    bound : float or None, default=3.0
        The smooth clip's asymptote: outputs lie strictly between ``-bound`` and ``bound``.
        ``None`` applies no clip: the output is then that of
        :class:`~sklearn.preprocessing.RobustScaler`, but for the scale of features whose
        interquartile range is zero (see Notes).

    Attributes
    ----------
    center_ : ndarray of shape (`n_features_in_`,) or None
        The median of each feature (``None`` when ``with_centering=False``).
    scale_ : ndarray of shape (`n_features_in_`,) or None
        The divisor of each feature (``None`` when ``with_scaling=False``).
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : The same scaling without the clip.
    PiecewiseLinearEncoder : The other half of the recipe's input transformation.

    Notes
    -----
    **Scale.** A feature's scale is the difference of its ``quantile_range`` percentiles (the
    interquartile range by default). Where that is zero (more than half of the values equal,
    as in a mostly-zero count or an unbalanced binary column), it falls back to half the
    feature's range, ``(max - min) / 2``, which equals the interquartile range for uniformly
    spread data; where the feature is constant, to 1. Unlike
    :class:`~sklearn.preprocessing.RobustScaler`, which divides by 1 whenever the
    interquartile range is zero, the result then does not depend on the feature's unit: a
    mostly-zero income column in euros would otherwise be clipped to ``±bound`` in all its
    nonzero values, which would become indistinguishable.

    **Missing values.** NaNs are ignored when fitting and kept as NaNs by :meth:`transform`
    and :meth:`inverse_transform`; a feature with no value at all gets center 0 and scale 1.

    **Sparse input** (``with_centering=False``): the quantiles count the implicit zeros, and
    zeros stay zeros (the clip maps 0 to 0), so the output has the input's sparsity.

    **Inverse.** The clip is inverted by ``y / sqrt(1 - (y / bound) ** 2)``, exactly in
    arithmetic, but the closer ``|y|`` lies to ``bound`` the fewer digits of ``z`` it keeps:
    outliers beyond about ``1e8 * bound`` scales in float64 (``4e3 * bound`` in float32)
    transform to ``±bound`` itself and come back as ``±inf``.

    ``float32`` input gives ``float32`` output; other input is converted to ``float64``.

    References
    ----------
    David Holzmüller, Léo Grinsztajn and Ingo Steinwart. "Better by default: strong pre-tuned
    MLPs and boosted trees on tabular data". NeurIPS 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_deepnet.preprocessing import SmoothClipScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> scaler = SmoothClipScaler().fit(X)
    >>> scaler.center_, scaler.scale_
    (array([3.]), array([2.]))
    >>> scaler.transform(X).ravel().round(4)  # z = -1, -0.5, 0, 0.5, 48.5
    array([-0.9487, -0.4932,  0.    ,  0.4932,  2.9943])
    >>> scaler.inverse_transform(scaler.transform(X)).ravel().round(6)
    array([  1.,   2.,   3.,   4., 100.])
    """

    _parameter_constraints: dict = {
        "with_centering": ["boolean"],
        "with_scaling": ["boolean"],
        "quantile_range": [tuple],
        "bound": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self, *, with_centering=True, with_scaling=True, quantile_range=(25.0, 75.0), bound=3.0
    ):
        self.with_centering = with_centering
        self.with_scaling = with_scaling
        self.quantile_range = quantile_range
        self.bound = bound

    @fit_context
    def fit(self, X, y=None):
        """Compute each feature's median and scale.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data; NaNs are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        q_min, q_max = self._checked_quantile_range()
        X = validate_data(
            self, X, accept_sparse="csc", dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        if sp.issparse(X) and self.with_centering:
            raise ValueError(self._sparse_centering_message())
        n_features = X.shape[1]
        if sp.issparse(X):
            columns = [_sparse_column(X, j) for j in range(n_features)]
            observed = np.array([not np.isnan(c).all() for c in columns], dtype=bool)
        else:
            observed = ~np.isnan(X).all(axis=0)
        self.center_ = None
        if self.with_centering:  # dense only
            self.center_ = np.zeros(n_features, dtype=X.dtype)
            self.center_[observed] = np.nanmedian(X[:, observed], axis=0)
        self.scale_ = None
        if self.with_scaling:
            self.scale_ = np.ones(n_features, dtype=X.dtype)
            for j in np.flatnonzero(observed):
                column = columns[j] if sp.issparse(X) else X[:, j]
                self.scale_[j] = self._scale(column, q_min, q_max)
        return self

    def _checked_quantile_range(self):
        quantile_range = self.quantile_range
        if (
            len(quantile_range) != 2
            or not all(isinstance(q, Real) and not isinstance(q, bool) for q in quantile_range)
            or not 0 <= quantile_range[0] < quantile_range[1] <= 100
        ):
            raise ValueError(
                f"quantile_range must be (q_min, q_max) with 0 <= q_min < q_max <= 100, got "
                f"{quantile_range!r}"
            )
        return quantile_range

    @staticmethod
    def _scale(column, q_min, q_max):
        """The quantile range of one feature, else half its range, else 1 (NaNs ignored)."""
        low, high = np.nanpercentile(column, (q_min, q_max))
        if not _is_zero_spread(low, high):
            return high - low
        low, high = np.nanmin(column), np.nanmax(column)
        if not _is_zero_spread(low, high):
            return (high - low) / 2
        return 1.0

    def _sparse_centering_message(self):
        return (
            f"{type(self).__name__} cannot center sparse input (centering would make it "
            "dense): set with_centering=False, or convert the input with X.toarray()."
        )

    def _validated(self, X):
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=("csr", "csc"), dtype=FLOAT_DTYPES,
            ensure_all_finite="allow-nan", reset=False,
        )
        if sp.issparse(X) and self.with_centering:
            raise ValueError(self._sparse_centering_message())
        return X

    def transform(self, X):
        """Center, scale and smoothly clip ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data; NaNs stay NaNs.

        Returns
        -------
        X_tr : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The transformed data, ``float32`` for ``float32`` input, else ``float64``; values
            strictly between ``-bound`` and ``bound``.
        """
        X = self._validated(X)
        if sp.issparse(X):
            X = X.copy()
            X.data = self._forward(X.data, _data_columns(X))
            return X
        return self._forward(X, slice(None))

    def _forward(self, values, columns):
        """``values`` (of the features ``columns``) centered, scaled and clipped; a new array."""
        dtype = values.dtype
        Z = values
        if self.with_centering:
            Z = Z - self.center_.astype(dtype, copy=False)[columns]
        if self.with_scaling:
            Z = Z / self.scale_.astype(dtype, copy=False)[columns]
        if self.bound is not None:
            bound = float(self.bound)  # a Python float keeps float32 data float32
            Z = Z / np.sqrt(1.0 + (Z / bound) ** 2)
        return Z.copy() if Z is values else Z

    def inverse_transform(self, X):
        """Undo :meth:`transform`: unclip, scale back and add the center again.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Transformed data: values strictly between ``-bound`` and ``bound`` (``±bound``
            itself gives ``±inf``, see Notes); NaNs stay NaNs.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The data in its original units.
        """
        X = self._validated(X)
        if sp.issparse(X):
            X = X.copy()
            X.data = self._backward(X.data, _data_columns(X))
            return X
        return self._backward(X, slice(None))

    def _backward(self, values, columns):
        """The inverse of :meth:`_forward`; a new array."""
        dtype = values.dtype
        Z = values
        if self.bound is not None:
            bound = float(self.bound)
            if (np.abs(Z) > bound).any():
                raise ValueError(
                    f"inverse_transform got values outside [-bound, bound] = [-{bound:g}, "
                    f"{bound:g}] (the largest magnitude is {np.nanmax(np.abs(Z)):.6g}), which "
                    "transform never gives."
                )
            with np.errstate(divide="ignore"):  # |Z| == bound: the clip's limit, inf
                Z = Z / np.sqrt(1.0 - (Z / bound) ** 2)
        if self.with_scaling:
            Z = Z * self.scale_.astype(dtype, copy=False)[columns]
        if self.with_centering:
            Z = Z + self.center_.astype(dtype, copy=False)[columns]
        return Z.copy() if Z is values else Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = not self.with_centering
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
