"""``python -m sklearn_deepnet predict``: predictions for the rows of a file from a saved
pipeline, after checking that the file has the model's columns."""

import sys

import numpy as np
from sklearn.pipeline import Pipeline

from .. import load
from ._args import check_predict_args
from ._columns import check_known, model_columns, prepare_features, show_names, unseen_categories
from ._errors import DataError
from ._read import read_table, require_pandas


def run_predict(args):
    """Run the ``predict`` command; return the exit code (0).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options of :func:`~._args.build_predict_parser`.

    Returns
    -------
    exit_code : int
        0. Problems raise :class:`DataError` (exit code 2).
    """
    check_predict_args(args)
    pd = require_pandas("predict")
    model = load_model(args.model)
    frame, notes = read_table(args.file, args)
    X, column_notes = model_input(pd, model, frame)
    out = pd.DataFrame({"prediction": model.predict(X)}, index=frame.index)
    if args.proba:
        if not hasattr(model, "predict_proba"):
            raise DataError("--proba needs a classifier; this model is a regressor")
        proba = model.predict_proba(X)
        for i, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, i]
    for note in notes + column_notes:
        print(f"note: {note}", file=sys.stderr)
    if args.output is None:
        out.to_csv(sys.stdout, index=False)
    else:
        _write(out, args.output)
        print(f"wrote {len(out)} predictions to {args.output}", file=sys.stderr)
    return 0


def load_model(path):
    """Load a pipeline saved by the training run, or raise :class:`DataError` saying why not."""
    try:
        model = load(path)
    except FileNotFoundError:
        raise DataError(f"model file {path!r} not found") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot load the model {path!r}: {exc}") from None
    if not isinstance(model, Pipeline) or not hasattr(model.steps[0][1], "transformers_"):
        raise DataError(
            f"{path!r} holds a {type(model).__name__}, not a pipeline saved by "
            "python -m sklearn_deepnet; predict with it in Python instead"
        )
    return model


def model_input(pd, model, frame):
    """The model's columns of ``frame``, converted as in training.

    Parameters
    ----------
    pd : module
        pandas.
    model : sklearn.pipeline.Pipeline
        The saved pipeline.
    frame : pandas.DataFrame
        The rows to predict.

    Returns
    -------
    X : pandas.DataFrame
        Exactly the model's columns.
    notes : list of str
        Extra columns ignored, cells that are not numbers, unseen categories, missing cells.
    """
    numeric, categorical = model_columns(model)
    if not hasattr(model, "feature_names_in_"):
        return _unnamed_input(model, frame, numeric)
    needed = [str(c) for c in model.feature_names_in_]
    check_known(list(frame.columns), needed, "the model needs columns the file lacks")
    notes = []
    extra = [c for c in frame.columns if c not in needed]
    if extra:
        notes.append(f"ignored {len(extra)} column(s) the model does not use: {show_names(extra)}")
    X, junk = prepare_features(pd, frame, numeric, categorical)
    notes += junk + unseen_categories(model, X, categorical)
    n_missing = int(X.isna().any(axis=1).sum())
    if n_missing:
        notes.append(
            f"{n_missing} row(s) have empty cells; they are filled as in training (median "
            "of a numeric column, most frequent category)"
        )
    return X[needed], notes


def _unnamed_input(model, frame, numeric):
    """Input for a model trained without column names (pandas was not installed then)."""
    if frame.shape[1] != len(numeric):
        raise DataError(
            f"the model was trained without column names on {len(numeric)} columns; the file "
            f"has {frame.shape[1]}: give a file with exactly those columns, in order"
        )
    return frame.to_numpy(dtype=np.float64), [
        "the model has no column names: the file's columns are used by position"
    ]


def _write(out, path):
    """Write the predictions as CSV, turning file errors into :class:`DataError`."""
    try:
        out.to_csv(path, index=False)
    except OSError as exc:
        raise DataError(f"cannot write {path!r}: {exc}") from None
