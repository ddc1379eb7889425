"""PiecewiseLinearEncoder: a thermometer code of each numeric feature over its bin edges.

The piecewise-linear encoding of Gorishniy et al. (2022): a feature's training quantiles (or
equal-width edges) cut it into bins, and the feature becomes one value in [0, 1] per bin, how
far it has filled that bin, so a network can place sharp thresholds where the data lie.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import (
    FLOAT_DTYPES,
    check_is_fitted,
    check_random_state,
    validate_data,
)

from .._sklearn_internals import Interval, StrOptions, fit_context, input_feature_names


class PiecewiseLinearEncoder(TransformerMixin, BaseEstimator):
    """Encode numeric features piecewise-linearly over bins: a thermometer code in [0, 1].

    Each feature with edges ``b[0] < b[1] < ... < b[k]`` learned on the training data gets
    ``k`` new features,

    ``e[t](x) = clip((x - b[t]) / (b[t + 1] - b[t]), 0, 1)``,  ``t = 0, ..., k - 1``:

    1 for each bin ``x`` has passed, 0 for each bin it has not reached, and its position
    inside the bin it falls in (Gorishniy et al., 2022). The code is continuous in ``x`` and
    lets a network place sharp thresholds where the data lie, which it finds hard to do from
    the raw value alone.

    Read more in the :doc:`User Guide </user_guide/tabular_inputs>`.

    Parameters
    ----------
    n_bins : int, default=8
        The number of bins per feature (at least 2). A feature gets fewer where edges
        coincide: see Notes.
    strategy : {'quantile', 'uniform'}, default='quantile'
        Where the edges lie: at the quantiles ``0, 1/n_bins, ..., 1`` of the feature
        (:func:`numpy.quantile`'s default, linear interpolation), so each bin holds about as
        many training values; or evenly spaced between its minimum and maximum.
    include_original : bool, default=True
        Keep every original feature in the output, before the encodings (as the recipe of
        ``benchmarks/README.md`` does). With ``False``, only the features that are left
        unencoded are kept.
    subsample : int or None, default=200_000
        With ``strategy='quantile'``, the number of rows the edges are computed on, drawn
        without replacement when the data have more (as
        :class:`~sklearn.preprocessing.KBinsDiscretizer` does); ``None`` uses all rows.
    random_state : int, RandomState instance or None, default=None
        Draws the subsample. Pass an int for the same edges across calls.

    Attributes
    ----------
    bin_edges_ : list of ndarray
        The edges of each feature, ``n_bins_[j] + 1`` increasing ``float64`` values, or none
        for a feature left unencoded.
    n_bins_ : ndarray of shape (`n_features_in_`,), dtype=int
        The number of bins of each feature; 0 for a feature left unencoded.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.KBinsDiscretizer : Bins features into one-hot or ordinal codes.
    SmoothClipScaler : The recipe's scaling, applied before this encoding.

    Notes
    -----
    **Output.** The kept original features (all of them with ``include_original=True``), in
    input order, then the bins of each encoded feature, in input order:
    :meth:`get_feature_names_out` names them ``x0, ..., x0_ple0, x0_ple1, ...``.

    **Which features get bins.** Duplicate edges are removed, so a feature with many equal
    values gets fewer than ``n_bins`` bins. A feature with at most two distinct values
    (binary or constant), or left with a single bin (which would only rescale it), is not
    encoded: it gets no bins and is always kept as it is, so no feature is lost.

    **Outside the training range** every bin is 0 (below ``b[0]``) or 1 (above ``b[k]``):
    unlike the paper, the first and last bins are clipped too, so the code stays in [0, 1];
    the original feature still carries how far out a value lies.

    **Missing values.** NaNs are ignored when fitting; a NaN is kept in its original feature
    and gives NaN in each of its bins.

    The output has the input's dtype (``float32`` or ``float64``). Sparse input is refused:
    the encoding of a feature is dense.

    References
    ----------
    Yury Gorishniy, Ivan Rubachev and Artem Babenko. "On embeddings for numerical features in
    tabular deep learning". NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_deepnet.preprocessing import PiecewiseLinearEncoder
    >>> X = np.arange(9.0).reshape(-1, 1)  # 0, 1, ..., 8: quartiles 0, 2, 4, 6, 8
    >>> encoder = PiecewiseLinearEncoder(n_bins=4).fit(X)
    >>> encoder.bin_edges_
    [array([0., 2., 4., 6., 8.])]
    >>> encoder.transform([[3.0], [-1.0], [9.0]])
    array([[ 3. ,  1. ,  0.5,  0. ,  0. ],
           [-1. ,  0. ,  0. ,  0. ,  0. ],
           [ 9. ,  1. ,  1. ,  1. ,  1. ]])
    >>> encoder.get_feature_names_out()
    array(['x0', 'x0_ple0', 'x0_ple1', 'x0_ple2', 'x0_ple3'], dtype=object)

    A binary feature is kept as it is, also without the original features:

    >>> X = np.c_[np.arange(9.0), [0, 1, 0, 1, 0, 1, 0, 1, 0]]
    >>> encoder = PiecewiseLinearEncoder(n_bins=4, include_original=False).fit(X)
    >>> encoder.n_bins_
    array([4, 0])
    >>> encoder.get_feature_names_out()
    array(['x1', 'x0_ple0', 'x0_ple1', 'x0_ple2', 'x0_ple3'], dtype=object)
    """

    _parameter_constraints: dict = {
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "strategy": [StrOptions({"quantile", "uniform"})],
        "include_original": ["boolean"],
        "subsample": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self, n_bins=8, *, strategy="quantile", include_original=True, subsample=200_000,
        random_state=None,
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.include_original = include_original
        self.subsample = subsample
        self.random_state = random_state

    @fit_context
    def fit(self, X, y=None):
        """Learn the bin edges of each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data; NaNs are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        X = validate_data(self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        n_samples = X.shape[0]
        if self.strategy == "quantile" and self.subsample is not None and (
            n_samples > self.subsample
        ):
            rng = check_random_state(self.random_state)
            X = X[rng.choice(n_samples, self.subsample, replace=False)]
        self.bin_edges_ = []
        for j in range(X.shape[1]):
            column = X[:, j]
            self.bin_edges_.append(self._edges(column[~np.isnan(column)]))
        self.n_bins_ = np.array(
            [max(edges.size - 1, 0) for edges in self.bin_edges_], dtype=np.intp
        )
        return self

    def _edges(self, values):
        """The edges of one feature's (non-missing) values; empty when it is not encoded."""
        none = np.empty(0, dtype=np.float64)
        if np.unique(values).size <= 2:
            return none
        if self.strategy == "quantile":
            edges = np.quantile(values, np.linspace(0, 1, self.n_bins + 1))
        else:
            edges = np.linspace(values.min(), values.max(), self.n_bins + 1)
        edges = np.unique(edges)
        return edges.astype(np.float64) if edges.size > 2 else none

    def _kept(self):
        """The input features the output keeps as they are."""
        if self.include_original:
            return np.arange(self.n_features_in_)
        return np.flatnonzero(self.n_bins_ == 0)

    def _output_width(self):
        """The number of output features."""
        return int(self._kept().size + self.n_bins_.sum())

    def transform(self, X):
        """Encode ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data; NaNs stay NaNs.

        Returns
        -------
        X_tr : ndarray of shape (n_samples, n_features_out)
            The kept original features, then the bins of each encoded feature, in ``X``'s
            dtype (``float32`` or ``float64``).
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan", reset=False
        )
        kept = self._kept()
        out = np.empty((X.shape[0], self._output_width()), dtype=X.dtype)
        out[:, : kept.size] = X[:, kept]
        start = kept.size
        for j, edges in enumerate(self.bin_edges_):
            if edges.size == 0:
                continue
            stop = start + edges.size - 1
            np.clip((X[:, j, None] - edges[:-1]) / np.diff(edges), 0.0, 1.0,
                    out=out[:, start:stop])
            start = stop
        return out

    def get_feature_names_out(self, input_features=None):
        """The names of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input feature names: ``None`` for ``feature_names_in_`` (``x0``, ``x1``, ...
            when fitted without names).

        Returns
        -------
        feature_names_out : ndarray of str objects
            The kept input names, then ``<name>_ple<t>`` for bin ``t`` of each encoded
            feature.
        """
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        bins = [f"{names[j]}_ple{t}" for j, k in enumerate(self.n_bins_) for t in range(k)]
        return np.asarray([*names[self._kept()], *bins], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
