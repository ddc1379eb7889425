"""Column types: which columns are numbers, categories, ID-like or unusable, the conversions
that make a table match them, and the preprocessing ``ColumnTransformer`` built from them."""

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ._errors import DataError

#: A text column is read as numbers when at least this share of its filled cells are numbers.
NUMERIC_SHARE = 0.9
#: Columns unique per row are ID-like only from this many rows on.
MIN_ROWS_FOR_ID = 20
_ID_NAME = re.compile(r"(^|[^a-z])(id|uuid|guid|key|index)$|^unnamed: ?\d+$|^row ?(no|num|number)$")


@dataclass
class Columns:
    """The column plan of a table.

    Parameters
    ----------
    numeric : list of str
        Columns read as numbers (median-imputed, standardized).
    categorical : list of str
        Columns read as categories (most-frequent-imputed, one-hot encoded).
    dropped : dict of str to str
        Columns not used, each with the reason.
    notes : list of str
        Warnings for the user about the columns kept.
    """

    numeric: list = field(default_factory=list)
    categorical: list = field(default_factory=list)
    dropped: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def used(self):
        """The columns the model uses, numbers first."""
        return self.numeric + self.categorical


def plan_columns(pd, X, drop=()):
    """Decide what each column of a feature table is.

    Parameters
    ----------
    pd : module
        pandas.
    X : pandas.DataFrame
        The features (the target already removed).
    drop : sequence of str, default=()
        Columns the user asked to leave out (``--drop``).

    Returns
    -------
    columns : Columns
        Numbers, categories, dropped columns with reasons, and notes. A column is numeric
        when its type is numeric or boolean or when at least 90 % of its filled cells are
        numbers (the others then count as missing, with a note); other text is categorical.
        Empty columns, dates and ID-like columns (a value unique to every row: text, or
        integers named like an ID or numbering the rows) are dropped.
    """
    check_known(list(X.columns), drop, "--drop")
    plan = Columns(dropped={name: "--drop" for name in drop})
    for name in X.columns:
        if name in plan.dropped:
            continue
        kind, reason = _column_kind(pd, X[name], name)
        if kind == "drop":
            plan.dropped[name] = reason
        else:
            getattr(plan, kind).append(name)
            plan.notes += [reason] if reason else []
    if not plan.used:
        raise DataError(
            "no feature column is left to learn from (dropped: "
            + "; ".join(f"{k}: {v}" for k, v in plan.dropped.items())
            + ")"
        )
    return plan


def _column_kind(pd, series, name):
    """``(kind, reason)``: kind is 'numeric', 'categorical' or 'drop'."""
    values = series.dropna()
    if values.empty:
        return "drop", "empty"
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        if _is_integer_id(values, name, len(series)):
            return "drop", "ID-like: a different integer in every row"
        return "numeric", None
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype)):
        return "drop", f"type {series.dtype} is not used (derive numbers from it yourself)"
    numbers = pd.to_numeric(values.astype(str).str.strip(), errors="coerce")
    if numbers.notna().mean() >= NUMERIC_SHARE:
        return "numeric", None
    n_distinct = values.astype(str).nunique()
    if len(series) >= MIN_ROWS_FOR_ID and n_distinct == len(series):
        return "drop", "ID-like: a different text in every row"
    if n_distinct > 50 and n_distinct > len(values) / 2:
        return "categorical", (
            f"column {name!r} has {n_distinct} distinct values in {len(values)} filled rows: "
            "one-hot encoded, it adds as many features; --drop it if it is free text or an ID"
        )
    return "categorical", None


def _is_integer_id(values, name, n_rows):
    """Whether a numeric column looks like a row ID: unique integers, named or numbered so."""
    if n_rows < MIN_ROWS_FOR_ID or len(values) != n_rows or values.dtype == bool:
        return False
    as_float = values.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(as_float)) or not np.all(as_float == np.round(as_float)):
        return False
    if len(np.unique(as_float)) != n_rows:
        return False
    consecutive = as_float.max() - as_float.min() == n_rows - 1
    return consecutive or bool(_ID_NAME.search(name.strip().lower()))


def prepare_features(pd, X, numeric, categorical):
    """Convert a table to the types the model's columns expect.

    Parameters
    ----------
    pd : module
        pandas.
    X : pandas.DataFrame
        The table; it must hold every column of ``numeric`` and ``categorical``.
    numeric, categorical : list of str
        The model's number and category columns.

    Returns
    -------
    X : pandas.DataFrame
        A new table with exactly those columns, in that order: numbers as float64 (cells that
        are not numbers become missing), categories as Python strings (missing stays NaN).
    notes : list of str
        A note per number column with cells that were not numbers.
    """
    out, notes = {}, []
    for name in numeric:
        column = X[name]
        if pd.api.types.is_bool_dtype(column):
            column = column.astype("float64")
        converted = pd.to_numeric(_stripped(column), errors="coerce").astype("float64")
        bad = column.notna() & converted.isna()
        if bad.any():
            examples = ", ".join(repr(v) for v in column[bad].astype(str).unique()[:3])
            notes.append(
                f"column {name!r}: {int(bad.sum())} cell(s) are not numbers ({examples}); read "
                "as missing (--na-values to declare such markers)"
            )
        out[name] = converted
    for name in categorical:
        column = X[name]
        out[name] = column.astype(object).map(lambda v: _category(pd, v))
    return pd.DataFrame(out, index=X.index), notes


def _category(pd, value):
    """One category cell as stripped text, or NaN when missing or blank."""
    if pd.isna(value) or str(value).strip() == "":
        return np.nan
    return str(value).strip()


def _stripped(column):
    """Text cells without surrounding spaces; numbers unchanged."""
    if column.dtype == object or str(column.dtype) in ("str", "string"):
        return column.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    return column


def make_preprocessor(numeric, categorical):
    """The preprocessing step of the saved pipeline.

    Parameters
    ----------
    numeric, categorical : list of str
        Column names (or, for a table without names, indices) of each kind.

    Returns
    -------
    preprocessor : sklearn.compose.ColumnTransformer
        ``'num'``: ``SimpleImputer(strategy='median')`` + ``StandardScaler``; ``'cat'``:
        ``SimpleImputer(strategy='most_frequent')`` + ``OneHotEncoder(handle_unknown='ignore')``
        (a category unseen in training encodes as all zeros). Other columns are dropped.
    """
    parts = []
    if numeric:
        numbers = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        parts.append(("num", numbers, list(numeric)))
    if categorical:
        categories = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("onehot", OneHotEncoder(handle_unknown="ignore")),
            ]
        )
        parts.append(("cat", categories, list(categorical)))
    return ColumnTransformer(parts)


def model_columns(model):
    """The number and category columns of a pipeline built by the training run.

    Parameters
    ----------
    model : sklearn.pipeline.Pipeline
        A fitted pipeline whose first step is the preprocessing ``ColumnTransformer``.

    Returns
    -------
    numeric, categorical : list
        The columns of its ``'num'`` and ``'cat'`` parts.
    """
    transformer = model.steps[0][1]
    found = {name: list(cols) for name, _, cols in transformer.transformers_}
    return found.get("num", []), found.get("cat", [])


def unseen_categories(model, X, categorical):
    """Notes on categories in ``X`` that the model never saw in training (encoded as zeros)."""
    transformer = model.steps[0][1]
    if "cat" not in transformer.named_transformers_:
        return []
    encoder = transformer.named_transformers_["cat"].named_steps["onehot"]
    notes = []
    for name, known in zip(categorical, encoder.categories_, strict=True):
        values = X[name].dropna()
        unseen = values[~values.isin(list(known))]
        if len(unseen):
            examples = ", ".join(repr(v) for v in unseen.unique()[:3])
            notes.append(
                f"column {name!r}: {len(unseen)} row(s) have categories unseen in training "
                f"({examples}); they count as none of the known ones"
            )
    return notes


def check_known(columns, names, what):
    """Raise :class:`DataError` if any of ``names`` is not in ``columns``, with suggestions."""
    missing = [n for n in names if n not in columns]
    if not missing:
        return
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, [str(c) for c in columns], n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise DataError(
        f"{what}: no column {', '.join(hints)}; the columns are {show_names(columns)}"
    )


def show_names(names, limit=10):
    """The first ``limit`` names, quoted, with ``...`` when there are more."""
    names = list(names)
    shown = ", ".join(repr(str(n)) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
