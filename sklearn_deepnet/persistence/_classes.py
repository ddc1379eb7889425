"""The allow-list of classes a model file may hold: how each is saved, checked and rebuilt.

Each allow-listed class has one entry in :data:`CLASSES`, a codec that says which fitted
attributes are saved, how they are checked on load, and how an object is rebuilt on the
installed scikit-learn version. A file naming any other class is refused.

Our estimators save their pickle state
(:class:`~sklearn_deepnet.persistence._state._PersistenceMixin`, already plain data) and are
rebuilt and checked by its ``__setstate__``. scikit-learn's classes save their constructor
parameters and their *public* fitted attributes; private attributes that differ between
scikit-learn versions are derived again on load by the installed version's own code, so a file
loads on any supported scikit-learn version, whichever wrote it.

Adding a scikit-learn class is one :class:`SklearnCodec` entry: the fitted attributes it saves
and a ``check`` function that validates them and derives the rest. Our transformers
(:mod:`sklearn_deepnet.preprocessing`) are scikit-learn-style classes whose fitted attributes
are plain arrays: they are saved the same way.
"""

import inspect
from numbers import Integral

import numpy as np
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import BaggingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    OneHotEncoder,
    RobustScaler,
    StandardScaler,
)
from sklearn.utils.validation import check_is_fitted

from .._classifier import DeepNetClassifier
from .._logistic import LogisticRegressionGD
from .._regressor import DeepNetRegressor
from .._sklearn_internals import (
    one_hot_encoder_width,
    parameter_names,
    rebuild_column_transformer,
    rebuild_one_hot_encoder,
    validate_params,
)
from ..preprocessing import PiecewiseLinearEncoder, SmoothClipScaler
from ._state import _VERSION_KEY
from ._values import ModelFileError, is_real


class _Context:
    """What decoding a node knows: the file's package version and the value decoder."""

    def __init__(self, decoder, saved_version):
        self.decoder = decoder
        self.saved_version = saved_version


# -- small checks ------------------------------------------------------------------------------


def _fail(where, detail):
    raise ModelFileError(where, detail)


def _int(value, where, name, minimum=0):
    if not isinstance(value, Integral) or isinstance(value, bool | np.bool_) or value < minimum:
        _fail(where, f"{name} is {value!r}, expected an int >= {minimum}")
    return int(value)


def _bool(value, where, name):
    if not isinstance(value, bool):
        _fail(where, f"{name} is {value!r}, expected a bool")


def _vector(value, where, name, length, *, positive=False, nonnegative=False, none=False):
    """A finite 1-d float array of ``length`` entries (or None when ``none``)."""
    if value is None and none:
        return
    if (
        not isinstance(value, np.ndarray)
        or value.dtype.kind != "f"
        or value.shape != (length,)
        or not np.isfinite(value).all()
    ):
        _fail(where, f"{name} is not a finite float array of shape ({length},)")
    if positive and not (value > 0).all():
        _fail(where, f"{name} has entries <= 0")
    if nonnegative and not (value >= 0).all():
        _fail(where, f"{name} has negative entries")


def _n_features(fitted, where):
    n = _int(fitted.get("n_features_in_"), where, "n_features_in_", 1)
    names = fitted.get("feature_names_in_")
    if names is not None and (
        not isinstance(names, np.ndarray)
        or names.dtype != object
        or names.shape != (n,)
        or not all(isinstance(v, str) for v in names)
        or len(set(names.tolist())) != n
    ):
        _fail(where, f"feature_names_in_ is not {n} distinct names (an object array of str)")
    return n


def _sample_count(value, where, n):
    """``n_samples_seen_``: a number of samples, or one per feature."""
    if isinstance(value, np.ndarray):
        if (
            value.dtype.kind not in "iuf"
            or value.shape != (n,)
            or not np.isfinite(value).all()
            or (value < 0).any()
        ):
            _fail(where, "n_samples_seen_ is not an array of counts, one per feature")
    elif not is_real(value) or not np.isfinite(value) or value < 0:
        _fail(where, f"n_samples_seen_ is {value!r}, expected a count")


def _output_config(fitted, where):
    config = fitted.get("_sklearn_output_config")
    if config is not None and (
        not isinstance(config, dict)
        or not all(
            k in ("transform", "fit_transform") and v in ("default", "pandas", "polars")
            for k, v in config.items()
        )
    ):
        _fail(where, f"invalid output configuration {config!r}")


def _is_estimator(value):
    return type(value) in CODECS_BY_CLASS


def _is_string(value, *options):
    return isinstance(value, str) and value in options


def _is_fitted(obj):
    try:
        check_is_fitted(obj)
    except NotFittedError:
        return False
    return True


def n_features_out(obj):
    """Columns ``obj.transform`` returns, or None when unknown (not a fitted transformer)."""
    codec = CODECS_BY_CLASS.get(type(obj))
    if codec is None or not _is_fitted(obj):
        return None
    return codec.n_features_out(obj)


# -- codecs ------------------------------------------------------------------------------------


class SklearnCodec:
    """How one scikit-learn class is saved, checked and rebuilt.

    Parameters
    ----------
    cls : type
        The class.
    fitted : set of str
        Fitted attributes saved (when present); anything else a fitted object holds but
        ``derived`` is refused on save.
    check : callable
        ``check(obj, fitted, context, where)``: validate the saved fitted attributes, set them on
        ``obj`` (whose parameters are set and valid) and derive the private ones.
    derived : set of str, default=()
        Private attributes that are not saved but derived again by ``check``.
    retired : set of str, default=()
        Parameters that some supported scikit-learn versions have and others do not: dropped
        on load where the installed version lacks them.
    n_out : callable, default=None
        ``n_out(obj)``: the number of columns the fitted ``obj.transform`` returns.
    prepare : callable, default=None
        ``prepare(fitted)``: the fitted attributes to save, from those the object holds.
    """

    def __init__(self, cls, fitted, check, derived=(), retired=(), n_out=None, prepare=None):
        self.cls = cls
        public = []
        for part in cls.__module__.split("."):
            if part.startswith("_"):
                break
            public.append(part)
        self.name = ".".join([*public, cls.__name__])  # sklearn.preprocessing.StandardScaler
        self.fitted = set(fitted) | {"_sklearn_output_config"}
        self.check = check
        self.derived = set(derived)
        self.retired = set(retired)
        self._n_out = n_out
        self._prepare = prepare

    def n_features_out(self, obj):
        """Columns the fitted ``obj`` outputs, or None if unknown."""
        return self._n_out(obj) if self._n_out is not None else None

    def encode(self, obj, encoder, where):
        """Return the node of ``obj``: its parameters and saved fitted attributes."""
        params = obj.get_params(deep=False)
        fitted = {}
        for name, value in vars(obj).items():
            if name in params or name in self.derived or name == "_sklearn_version":
                continue
            if name not in self.fitted:
                raise TypeError(
                    f"{where}: {type(obj).__name__} holds {name!r}, which sklearn_deepnet.dump "
                    "does not know how to save (an unsupported option, or a scikit-learn "
                    "version newer than this sklearn_deepnet supports)"
                )
            fitted[name] = value
        if self._prepare is not None:
            fitted = self._prepare(fitted)
        return _estimator_node(self.name, params, fitted, encoder, where)

    def decode(self, params, fitted, context, where):
        """Rebuild the object from decoded parameters and fitted attributes, checking both."""
        obj = self.cls.__new__(self.cls)
        names = set(parameter_names(self.cls))
        for name in set(params) - names:
            if name not in self.retired:
                _fail(where, f"{self.cls.__name__} has no parameter {name!r}")
            del params[name]
        defaults = _defaults(self.cls)
        for name in names:
            if name not in params and name not in defaults:
                _fail(where, f"the parameter {name!r} is missing")
            setattr(obj, name, params.get(name, defaults.get(name)))
        try:
            validate_params(obj)
        except (ValueError, TypeError) as exc:  # scikit-learn's InvalidParameterError is both
            _fail(where, f"invalid parameters: {exc}")
        unknown = set(fitted) - self.fitted
        if unknown:
            _fail(where, f"{self.cls.__name__} has no saved attribute {sorted(unknown)}")
        _output_config(fitted, where)
        if fitted:
            self.check(obj, fitted, context, where)
            for name, value in fitted.items():
                if not hasattr(obj, name):
                    setattr(obj, name, value)
        return obj


def _defaults(cls):
    return {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


class DeepNetCodec:
    """How one of our estimators is saved: its pickle state, checked by ``__setstate__``.

    Parameters
    ----------
    cls : type
        The estimator class.
    """

    def __init__(self, cls):
        self.cls = cls
        self.name = f"sklearn_deepnet.{cls.__name__}"

    def n_features_out(self, obj):
        """None: our estimators are not transformers."""
        return None

    def encode(self, obj, encoder, where):
        """Return the node of ``obj``: its parameters and the rest of its pickle state."""
        params = obj.get_params(deep=False)
        state = obj.__getstate__()
        state.pop(_VERSION_KEY, None)  # the file records the version
        fitted = {k: v for k, v in state.items() if k not in params}
        return _estimator_node(self.name, params, fitted, encoder, where)

    def decode(self, params, fitted, context, where):
        """Rebuild the estimator through ``__setstate__``, which checks every value."""
        unknown = set(params) - set(parameter_names(self.cls))
        if unknown:
            _fail(where, f"{self.cls.__name__} has no parameter {sorted(unknown)}")
        overlap = set(params) & set(fitted)
        if overlap or _VERSION_KEY in fitted:
            _fail(where, f"attributes saved twice: {sorted(overlap)}")
        obj = self.cls.__new__(self.cls)
        try:
            obj.__setstate__({**params, **fitted, _VERSION_KEY: context.saved_version})
        except ValueError as exc:
            _fail(where, str(exc))
        return obj


# -- scikit-learn classes ----------------------------------------------------------------------


def _check_standard_scaler(obj, fitted, context, where):
    n = _n_features(fitted, where)
    _sample_count(fitted.get("n_samples_seen_"), where, n)
    _vector(fitted.get("mean_"), where, "mean_", n, none=not obj.with_mean)
    _vector(fitted.get("var_"), where, "var_", n, nonnegative=True, none=not obj.with_std)
    _vector(fitted.get("scale_"), where, "scale_", n, positive=True, none=not obj.with_std)


def _check_min_max_scaler(obj, fitted, context, where):
    n = _n_features(fitted, where)
    _int(fitted.get("n_samples_seen_"), where, "n_samples_seen_")
    for name in ("scale_", "min_", "data_min_", "data_max_", "data_range_"):
        _vector(fitted.get(name), where, name, n)
    low, high = obj.feature_range
    if not low < high:
        _fail(where, f"feature_range {obj.feature_range!r} is not increasing")


def _check_robust_scaler(obj, fitted, context, where):
    n = _n_features(fitted, where)
    _vector(fitted.get("center_"), where, "center_", n, none=not obj.with_centering)
    _vector(fitted.get("scale_"), where, "scale_", n, positive=True, none=not obj.with_scaling)
    if "center_" not in fitted or "scale_" not in fitted:
        _fail(where, "center_ and scale_ must be saved")


def _check_piecewise_linear_encoder(obj, fitted, context, where):
    n = _n_features(fitted, where)
    n_bins = fitted.get("n_bins_")
    if not isinstance(n_bins, np.ndarray) or n_bins.dtype.kind not in "iu" or n_bins.shape != (n,):
        _fail(where, f"n_bins_ is not an integer array of shape ({n},)")
    edges = fitted.get("bin_edges_")
    if not isinstance(edges, list) or len(edges) != n:
        _fail(where, f"bin_edges_ is not a list of {n} arrays")
    for j, (feature_edges, k) in enumerate(zip(edges, n_bins.tolist(), strict=True)):
        what = f"bin_edges_[{j}]"
        if k == 0:
            if not isinstance(feature_edges, np.ndarray) or feature_edges.shape != (0,):
                _fail(where, f"{what} of a feature without bins is not an empty array")
            continue
        if k < 2:
            _fail(where, f"n_bins_[{j}] is {k}, expected 0 or at least 2")
        _vector(feature_edges, where, what, k + 1)
        with np.errstate(over="ignore"):
            widths = np.diff(feature_edges)
        if not ((widths > 0) & np.isfinite(widths)).all():
            _fail(where, f"{what} is not increasing with finite bin widths")


def _piecewise_linear_width(obj):
    return obj._output_width()


def _is_missing(value):
    return value is None or (isinstance(value, float) and value != value)


def _check_simple_imputer(obj, fitted, context, where):
    n = _n_features(fitted, where)
    if obj.add_indicator or fitted.get("indicator_") is not None:
        _fail(where, "add_indicator=True is not supported in model files")
    fit_dtype = fitted.get("_fit_dtype")
    if not isinstance(fit_dtype, np.dtype) or fit_dtype.kind not in "iufO":
        _fail(where, f"_fit_dtype is {fit_dtype!r}, expected a numeric or object dtype")
    fill_dtype = fitted.setdefault("_fill_dtype", fit_dtype)  # older versions did not save it
    if fill_dtype != fit_dtype:
        _fail(where, "_fill_dtype differs from _fit_dtype")
    statistics = fitted.get("statistics_")
    if not isinstance(statistics, np.ndarray) or statistics.shape != (n,):
        _fail(where, f"statistics_ is not an array of shape ({n},)")
    if fit_dtype.kind == "O":
        if statistics.dtype != object or not all(
            isinstance(v, str) or is_real(v) or v is None for v in statistics
        ):
            _fail(where, "statistics_ of object data must be strings or numbers")
    elif statistics.dtype.kind not in "fO" or not all(
        is_real(v) and not np.isinf(v) for v in statistics.tolist()
    ):
        _fail(where, "statistics_ of numeric data must be numbers, finite or NaN")
    fitted["indicator_"] = None


def _simple_imputer_width(obj):
    if obj.keep_empty_features:
        return obj.n_features_in_
    return sum(not _is_missing(v) for v in obj.statistics_.tolist())


def _check_one_hot_encoder(obj, fitted, context, where):
    n = _n_features(fitted, where)
    if obj.min_frequency is not None or obj.max_categories is not None:
        _fail(where, "infrequent categories (min_frequency, max_categories) are not supported")
    try:
        numeric = np.dtype(obj.dtype).kind in "biuf"
    except TypeError:
        numeric = False
    if not isinstance(obj.dtype, type | np.dtype) or not numeric:
        _fail(where, f"dtype={obj.dtype!r} is not a numeric type")
    categories = fitted.get("categories_")
    if not isinstance(categories, list) or len(categories) != n:
        _fail(where, f"categories_ is not a list of {n} arrays")
    for i, cats in enumerate(categories):
        _check_categories(cats, f"{where}.categories_[{i}]")
    obj.n_features_in_ = n
    obj.categories_ = categories
    if "feature_names_in_" in fitted:
        obj.feature_names_in_ = fitted["feature_names_in_"]
    try:
        rebuild_one_hot_encoder(obj)  # the installed version's own derivation of its state
    except (ValueError, TypeError) as exc:
        _fail(where, f"drop={obj.drop!r} does not fit the categories: {exc}")


def _check_categories(cats, where):
    if not isinstance(cats, np.ndarray) or cats.ndim != 1 or cats.size < 1:
        _fail(where, "not a non-empty 1-d array")
    if cats.dtype.kind in "iuf":
        values = cats[~np.isnan(cats)] if cats.dtype.kind == "f" else cats
        if np.isinf(values).any() or not (np.diff(values) > 0).all():
            _fail(where, "numeric categories must be finite, sorted and distinct")
        if values.size < cats.size - 1 or (values.size < cats.size and not np.isnan(cats[-1])):
            _fail(where, "NaN may only be the last category")
    elif cats.dtype == object or cats.dtype.kind == "U":
        items = cats.tolist()
        last_missing = _is_missing(items[-1])
        named = items[:-1] if last_missing else items
        if not all(isinstance(v, str) for v in named) or len(set(named)) != len(named):
            _fail(where, "categories must be distinct strings (a missing value last)")
    else:
        _fail(where, f"categories of dtype {cats.dtype} are not supported")


def _check_function_transformer(obj, fitted, context, where):
    if "n_features_in_" in fitted:
        _n_features(fitted, where)
    elif "feature_names_in_" in fitted:
        _fail(where, "feature_names_in_ without n_features_in_")


def _check_identity_function(obj, where):
    if any(getattr(obj, name) is not None for name in _FUNCTION_PARAMS):
        _fail(where, "a FunctionTransformer must have no function: files hold no code")
    if obj.feature_names_out not in (None, "one-to-one"):
        _fail(where, "feature_names_out must be None or 'one-to-one'")


_FUNCTION_PARAMS = ("func", "inverse_func", "kw_args", "inv_kw_args")


def _check_pipeline(obj, fitted, context, where):
    pass  # a Pipeline keeps no fitted attribute of its own; its steps are checked on decode


def _pipeline_width(obj):
    width = None
    for _, step in obj.steps:
        if _is_estimator(step):
            width = n_features_out(step)
    return width


def check_pipeline_steps(obj, where):
    """A Pipeline's steps: named, transformers but the last, widths that chain."""
    if obj.memory is not None:
        _fail(where, "memory must be None in a model file")
    steps = obj.steps
    if not isinstance(steps, list) or not steps:
        _fail(where, "steps is not a non-empty list")
    names = []
    width = None
    for i, step in enumerate(steps):
        if not isinstance(step, tuple) or len(step) != 2 or not isinstance(step[0], str):
            _fail(where, f"step {i} is not a (name, estimator) pair")
        name, est = step
        if "__" in name or name in names:
            _fail(where, f"invalid or repeated step name {name!r}")
        names.append(name)
        if est is None or _is_string(est, "passthrough"):
            continue
        if not _is_estimator(est):
            _fail(where, f"step {name!r} is not an estimator")
        if i < len(steps) - 1 and not hasattr(est, "transform"):
            _fail(where, f"step {name!r} is not a transformer but is not the last step")
        n_in = getattr(est, "n_features_in_", None) if _is_fitted(est) else None
        if width is not None and n_in is not None and n_in != width:
            _fail(where, f"step {name!r} takes {n_in} features, the step before gives {width}")
        width = n_features_out(est)


def _estimator_node(name, params, fitted, encoder, where):
    """The document node of an estimator: its class name, encoded parameters and fitted state."""
    return {
        "$": "estimator",
        "class": name,
        "params": {k: encoder.encode(v, f"{where}.{k}") for k, v in params.items()},
        "fitted": {k: encoder.encode(v, f"{where}.{k}") for k, v in fitted.items()},
    }


def _columns_indices(columns, n, names, where):
    """The column indices a ColumnTransformer column selection picks."""
    if isinstance(columns, np.ndarray):
        columns = columns.tolist()
    if isinstance(columns, str | Integral) and not isinstance(columns, bool):
        columns = [columns]
    if isinstance(columns, slice):
        if isinstance(columns.start, str) or isinstance(columns.stop, str):
            _fail(where, "column slices by name are not supported")
        return list(range(n))[columns]
    if not isinstance(columns, list):
        _fail(where, f"invalid column selection {columns!r}")
    if columns and all(isinstance(c, bool) for c in columns):
        if len(columns) != n:
            _fail(where, f"a boolean column mask of {len(columns)} entries for {n} features")
        return [i for i, keep in enumerate(columns) if keep]
    indices = []
    for column in columns:
        if isinstance(column, str):
            if names is None or column not in names:
                _fail(where, f"column {column!r} is not a feature name")
            indices.append(names.index(column))
        elif isinstance(column, Integral) and not isinstance(column, bool) and -n <= column < n:
            indices.append(int(column) % n)
        else:
            _fail(where, f"invalid column {column!r}")
    return indices


def _is_empty_selection(columns):
    if isinstance(columns, np.ndarray) and columns.dtype == bool:
        return not columns.any()
    if isinstance(columns, list | tuple | np.ndarray):
        return len(columns) == 0 or (
            all(isinstance(c, bool) for c in columns) and not any(columns)
        )
    return False


def _same_columns(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and np.array_equal(a, b)
        )
    return type(a) is type(b) and a == b


def _check_fitted_part(expected, trans, empty, where):
    """One fitted transformer of a ColumnTransformer against what its parameter asked for."""
    if not (_is_estimator(trans) or _is_string(trans, "drop", "passthrough")):
        _fail(where, "not a transformer, 'drop' or 'passthrough'")
    if _is_string(expected, "drop"):
        if not _is_string(trans, "drop"):
            _fail(where, "a dropped transformer is not 'drop'")
    elif empty:
        if type(trans) is not type(expected) or (isinstance(trans, str) and trans != expected):
            _fail(where, "the transformer of an empty selection differs from its parameter")
    elif _is_string(expected, "passthrough"):
        if type(trans) is not FunctionTransformer or not _is_fitted(trans):
            _fail(where, "a passthrough is not a fitted FunctionTransformer")
    elif isinstance(trans, str) or type(trans) is not type(expected) or not _is_fitted(trans):
        _fail(where, f"expected a fitted {type(expected).__name__}")


_MAX_JOBS = 4096


def _check_column_transformer(obj, fitted, context, where):
    """Its parameters, then the installed version's bookkeeping, its fitted parts, its outputs."""
    if obj.n_jobs is not None and abs(obj.n_jobs) > _MAX_JOBS:  # joblib fails past a C int
        _fail(where, f"n_jobs={obj.n_jobs} is not a number of processes (at most {_MAX_JOBS})")
    n = _n_features(fitted, where)
    names = fitted.get("feature_names_in_")
    names = None if names is None else names.tolist()
    _bool(fitted.get("sparse_output_"), where, "sparse_output_")
    specs = _column_transformer_specs(obj, where)
    obj.n_features_in_ = n
    if names is not None:
        obj.feature_names_in_ = fitted["feature_names_in_"]
    input_indices = {
        name: _columns_indices(columns, n, names, f"{where}.transformers[{name!r}]")
        for name, _, columns in specs
    }
    # the installed version's own column and remainder bookkeeping
    remainder = rebuild_column_transformer(obj, [columns for _, _, columns in specs], input_indices)
    expected = list(specs)
    if remainder[2]:
        expected.append(remainder)
    obj.transformers_ = _fitted_column_parts(
        fitted.get("transformers_"), expected, input_indices, remainder[2], where
    )
    obj.sparse_output_ = fitted["sparse_output_"]
    obj.output_indices_ = _column_output_indices(obj.transformers_, specs, fitted, where)


def _column_transformer_specs(obj, where):
    """The ``transformers`` parameter, checked: (name, transformer, columns) triples."""
    if not isinstance(obj.transformers, list):
        _fail(where, "transformers is not a list")
    specs = []
    for i, spec in enumerate(obj.transformers):
        if not isinstance(spec, tuple) or len(spec) != 3 or not isinstance(spec[0], str):
            _fail(where, f"transformers[{i}] is not a (name, transformer, columns) triple")
        if not (_is_estimator(spec[1]) or _is_string(spec[1], "drop", "passthrough")):
            _fail(where, f"transformers[{i}] is not a transformer, 'drop' or 'passthrough'")
        specs.append(spec)
    spec_names = [name for name, _, _ in specs]
    if len(set(spec_names)) != len(specs) or "remainder" in spec_names:
        _fail(where, "transformer names must be distinct and not 'remainder'")
    if not (_is_estimator(obj.remainder) or _is_string(obj.remainder, "drop", "passthrough")):
        _fail(where, "remainder is not a transformer, 'drop' or 'passthrough'")
    weights = obj.transformer_weights
    if weights is not None and (
        not isinstance(weights, dict)
        or not set(weights) <= set(spec_names) or not all(is_real(v) for v in weights.values())
    ):
        _fail(where, "transformer_weights must map transformer names to numbers")
    return specs


def _fitted_column_parts(saved, expected, input_indices, remainder_indices, where):
    """``transformers_``: each saved part fitted on the columns its parameter names."""
    if not isinstance(saved, list) or len(saved) != len(expected):
        _fail(where, f"transformers_ is not a list of {len(expected)} fitted transformers")
    transformers_ = []
    for part, (name, param, columns) in zip(saved, expected, strict=True):
        part_where = f"{where}.transformers_[{name!r}]"
        if not isinstance(part, tuple) or len(part) != 3 or part[0] != name:
            _fail(part_where, "not a (name, transformer, columns) triple of that name")
        trans = part[1]
        if name != "remainder" and not _same_columns(part[2], columns):
            _fail(part_where, "its columns differ from the transformers parameter's")
        indices = input_indices.get(name, remainder_indices)
        empty = _is_empty_selection(columns)
        _check_fitted_part(param, trans, empty, part_where)
        if not isinstance(trans, str) and not empty:
            if getattr(trans, "n_features_in_", None) != len(indices):
                _fail(part_where, f"fitted on other than its {len(indices)} column(s)")
            if type(trans) is FunctionTransformer:
                _check_identity_function(trans, part_where)
        transformers_.append((name, trans, columns))
    return transformers_


def _column_output_indices(transformers_, specs, fitted, where):
    """``output_indices_``, derived from the fitted parts and checked against the saved one."""
    output_indices = {}
    start = 0
    for name, trans, columns in transformers_:
        if _is_string(trans, "drop") or _is_empty_selection(columns):
            continue
        width = n_features_out(trans)
        if width is None:
            _fail(f"{where}.transformers_[{name!r}]", "its number of output columns is unknown")
        output_indices[name] = slice(start, start + width)
        start += width
    for name in [*(name for name, _, _ in specs), "remainder"]:
        output_indices.setdefault(name, slice(0, 0))
    if fitted.get("output_indices_") != output_indices:
        _fail(where, "output_indices_ disagrees with the transformers' output columns")
    return output_indices


def _prepare_column_transformer(fitted):
    # the remainder's columns are derived on load, in the installed version's own form
    parts = fitted.get("transformers_", [])
    fitted["transformers_"] = [
        (name, trans, list(columns) if name == "remainder" else columns)
        for name, trans, columns in parts
    ]
    return fitted


def _column_transformer_width(obj):
    return max((s.stop for s in obj.output_indices_.values()), default=0)


def _check_transformed_target(obj, fitted, context, where):
    if obj.func is not None or obj.inverse_func is not None:
        _fail(where, "func and inverse_func must be None: files hold no code")
    dim = fitted.get("_training_dim")
    if dim not in (1, 2) or isinstance(dim, bool):
        _fail(where, f"_training_dim is {dim!r}, expected 1 or 2")
    regressor, transformer = fitted.get("regressor_"), fitted.get("transformer_")
    for name in ("regressor", "transformer"):
        value = getattr(obj, name)
        if value is not None and not _is_estimator(value):
            _fail(where, f"{name} is not an estimator")
    if not _is_estimator(regressor) or not _is_estimator(transformer):
        _fail(where, "regressor_ and transformer_ must be fitted estimators")
    expected = obj.regressor
    if expected is None or type(regressor) is not type(expected) or not _is_fitted(regressor):
        _fail(where, "regressor_ is not the fitted regressor of the regressor parameter")
    expected = obj.transformer if obj.transformer is not None else FunctionTransformer()
    if type(transformer) is not type(expected) or not _is_fitted(transformer):
        _fail(where, "transformer_ is not the fitted transformer of the transformer parameter")
    if type(transformer) is FunctionTransformer:
        _check_identity_function(transformer, where)
    n_targets = getattr(transformer, "n_features_in_", None)
    n_outputs = getattr(regressor, "n_outputs_", None)
    if n_targets is not None and n_outputs is not None and n_targets != n_outputs:
        _fail(where, f"a target transformer for {n_targets} targets, a regressor for {n_outputs}")
    if dim == 1 and n_targets not in (None, 1):
        _fail(where, "a one-dimensional target with several target columns")
    if "n_features_in_" in fitted:
        _n_features(fitted, where)
    names = fitted.get("feature_names_in_")
    if names is not None and not np.array_equal(
        names, getattr(regressor, "feature_names_in_", None)
    ):
        _fail(where, "feature_names_in_ disagrees with the regressor's")


def _check_bagging_classifier(obj, fitted, context, where):
    """A seed ensemble's members: fitted copies of the ``estimator`` parameter, on all features.

    ``bootstrap`` and ``bootstrap_features`` are refused: which rows and features each member
    drew is derived from ``_seeds`` by scikit-learn's private code, which a file cannot be
    checked against across versions; ``max_features`` must keep every feature.
    """
    if obj.bootstrap or obj.bootstrap_features or obj.oob_score or obj.warm_start:
        _fail(where, "only bootstrap=False, bootstrap_features=False, oob_score=False and "
              "warm_start=False ensembles can be saved")
    if not _is_estimator(obj.estimator):
        _fail(where, "estimator is not an allow-listed estimator")
    n = _n_features(fitted, where)
    members = fitted.get("estimators_")
    if not isinstance(members, list) or len(members) != obj.n_estimators:
        _fail(where, f"estimators_ is not a list of {obj.n_estimators} fitted estimators")
    template = fitted.get("estimator_")
    if type(template) is not type(obj.estimator):
        _fail(where, "estimator_ is not a copy of the estimator parameter")
    classes = fitted.get("classes_")
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or len(classes) < 1:
        _fail(where, "classes_ is not a 1-d array of labels")
    if fitted.get("n_classes_") != len(classes):
        _fail(where, f"n_classes_ is not the {len(classes)} classes of classes_")
    for i, member in enumerate(members):
        if (
            type(member) is not type(obj.estimator)
            or not _is_fitted(member)
            or getattr(member, "n_features_in_", None) != n
            or not np.array_equal(getattr(member, "classes_", None), classes)
        ):
            _fail(f"{where}.estimators_[{i}]", "not a fitted copy of the estimator on the "
                  "ensemble's features and classes")
    features = fitted.get("estimators_features_")
    every = np.arange(n)
    if not isinstance(features, list) or len(features) != len(members) or not all(
        isinstance(f, np.ndarray) and f.dtype.kind in "iu" and np.array_equal(f, every)
        for f in features
    ):
        _fail(where, f"estimators_features_ must give every member all {n} features in order")
    seeds = fitted.get("_seeds")
    if not isinstance(seeds, np.ndarray) or seeds.dtype.kind not in "iu" or seeds.shape != (
        len(members),
    ):
        _fail(where, "_seeds is not one integer seed per member")
    n_samples = _int(fitted.get("_n_samples"), where, "_n_samples", 1)
    _int(fitted.get("_max_samples"), where, "_max_samples", 1)
    if fitted.get("_max_features") != n:
        _fail(where, f"_max_features is not the {n} features")
    weights = fitted.get("_sample_weight")
    if weights is not None:
        _vector(weights, where, "_sample_weight", n_samples, nonnegative=True)
    obj.estimator_params = ()


def _width_in(obj):
    return obj.n_features_in_


_SKLEARN_CODECS = [
    SklearnCodec(
        StandardScaler,
        {"n_features_in_", "feature_names_in_", "n_samples_seen_", "mean_", "var_", "scale_"},
        _check_standard_scaler,
        n_out=_width_in,
    ),
    SklearnCodec(
        MinMaxScaler,
        {"n_features_in_", "feature_names_in_", "n_samples_seen_", "scale_", "min_",
         "data_min_", "data_max_", "data_range_"},
        _check_min_max_scaler,
        n_out=_width_in,
    ),
    SklearnCodec(
        RobustScaler,
        {"n_features_in_", "feature_names_in_", "center_", "scale_"},
        _check_robust_scaler,
        n_out=_width_in,
    ),
    SklearnCodec(
        SmoothClipScaler,
        {"n_features_in_", "feature_names_in_", "center_", "scale_"},
        _check_robust_scaler,  # the same fitted attributes, with the same meaning
        n_out=_width_in,
    ),
    SklearnCodec(
        PiecewiseLinearEncoder,
        {"n_features_in_", "feature_names_in_", "bin_edges_", "n_bins_"},
        _check_piecewise_linear_encoder,
        n_out=_piecewise_linear_width,
    ),
    SklearnCodec(
        SimpleImputer,
        {"n_features_in_", "feature_names_in_", "statistics_", "indicator_", "_fit_dtype",
         "_fill_dtype"},
        _check_simple_imputer,
        n_out=_simple_imputer_width,
    ),
    SklearnCodec(
        OneHotEncoder,
        {"n_features_in_", "feature_names_in_", "categories_"},
        _check_one_hot_encoder,
        derived={"_infrequent_enabled", "drop_idx_", "_drop_idx_after_grouping",
                 "_n_features_outs"},
        n_out=one_hot_encoder_width,
    ),
    SklearnCodec(
        FunctionTransformer,
        {"n_features_in_", "feature_names_in_"},
        _check_function_transformer,
        n_out=_width_in,
    ),
    SklearnCodec(Pipeline, set(), _check_pipeline, n_out=_pipeline_width),
    SklearnCodec(
        ColumnTransformer,
        {"n_features_in_", "feature_names_in_", "transformers_", "sparse_output_",
         "output_indices_"},
        _check_column_transformer,
        derived={"_columns", "_transformer_to_input_indices", "_remainder"},
        retired={"force_int_remainder_cols"},
        n_out=_column_transformer_width,
        prepare=_prepare_column_transformer,
    ),
    SklearnCodec(
        TransformedTargetRegressor,
        {"regressor_", "transformer_", "_training_dim", "n_features_in_", "feature_names_in_"},
        _check_transformed_target,
    ),
    SklearnCodec(
        BaggingClassifier,
        {"estimator_", "estimators_", "estimators_features_", "_seeds", "classes_",
         "n_classes_", "n_features_in_", "feature_names_in_", "_n_samples", "_max_samples",
         "_max_features", "_sample_weight"},
        _check_bagging_classifier,
        derived={"estimator_params"},
    ),
]

CODECS = [
    DeepNetCodec(DeepNetClassifier),
    DeepNetCodec(DeepNetRegressor),
    DeepNetCodec(LogisticRegressionGD),
    *_SKLEARN_CODECS,
]
CLASSES = {codec.name: codec for codec in CODECS}
"""The allow-list: the name a file gives a class -> its codec."""
CODECS_BY_CLASS = {codec.cls: codec for codec in CODECS}


# -- entry points for the value codec ----------------------------------------------------------


def encode_object(value, encoder, where):
    """The node of an allow-listed object; ``TypeError`` for anything else."""
    codec = CODECS_BY_CLASS.get(type(value))
    if codec is None:
        raise TypeError(
            f"{where} is a {type(value).__module__}.{type(value).__qualname__}, which "
            "sklearn_deepnet.dump cannot save. Model files hold only these classes: "
            f"{', '.join(sorted(CLASSES))}. Use joblib or skops.io for other objects."
        )
    if isinstance(value, FunctionTransformer):
        _check_identity_function_for_save(value, where)
    if isinstance(value, Pipeline) and value.memory is not None:
        raise TypeError(f"{where}: a Pipeline with memory={value.memory!r}; set memory=None")
    return codec.encode(value, encoder, where)


def _check_identity_function_for_save(value, where):
    try:
        _check_identity_function(value, where)
    except ModelFileError as exc:
        raise TypeError(str(exc)) from None


def make_decode_object(saved_version):
    """The ``decode_object`` callback of :class:`~sklearn_deepnet.persistence._values.Decoder`."""

    def decode_object(node, decoder, where, depth):
        if set(node) != {"$", "class", "params", "fitted"}:
            _fail(where, f"an estimator needs the fields class, params, fitted; got {sorted(node)}")
        name = node["class"]
        codec = CLASSES.get(name) if isinstance(name, str) else None
        if codec is None:
            _fail(
                where,
                f"the class {name!r} is not allowed in model files (allowed: "
                f"{', '.join(sorted(CLASSES))})",
            )
        where = f"{where}<{codec.cls.__name__}>"
        parts = {}
        for part in ("params", "fitted"):
            raw = node[part]
            if not isinstance(raw, dict):
                _fail(where, f"{part} is not a JSON object")
            parts[part] = {
                key: decoder.decode(value, f"{where}.{key}", depth + 1)
                for key, value in raw.items()
            }
        context = _Context(decoder, saved_version)
        obj = codec.decode(parts["params"], parts["fitted"], context, where)
        if isinstance(obj, Pipeline):
            check_pipeline_steps(obj, where)
        return obj

    return decode_object
