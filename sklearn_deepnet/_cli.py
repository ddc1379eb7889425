"""Command-line demo (``python -m sklearn_deepnet``): grid-search, compare, save and reload."""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
import warnings

import joblib
import numpy as np
from sklearn import datasets
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from . import DeepNetClassifier, LogisticRegressionGD, __version__

TEST_SIZE = 0.25
CV_FOLDS = 3
DEFAULT_MAX_ITER = 200
QUICK_MAX_ITER = 30
QUICK_LOGISTIC_MAX_ITER = 100

FULL_GRID = {
    "net__hidden_layer_sizes": [(64,), (128,), (64, 32)],
    "net__activation": ["relu", "tanh"],
    "net__learning_rate_init": [1e-3, 1e-2],
}
QUICK_GRID = {
    "net__hidden_layer_sizes": [(16,)],
    "net__activation": ["relu", "tanh"],
    "net__learning_rate_init": [1e-2],
}

_BUILTIN_LOADERS = {
    "digits": datasets.load_digits,
    "breast_cancer": datasets.load_breast_cancer,
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
}
_CSV_HINT = "feature columns must be numeric with no empty or NaN cells"


class DataError(ValueError):
    """Problem with the input data, reported to the user as a one-line message (exit code 2)."""


def build_parser():
    """Build the command-line argument parser.

    Returns
    -------
    parser : argparse.ArgumentParser
        Parser for the ``sklearn-deepnet`` / ``python -m sklearn_deepnet`` command.
    """
    parser = argparse.ArgumentParser(
        prog="sklearn-deepnet",
        description=(
            "Tune a StandardScaler + DeepNetClassifier pipeline with a "
            f"{CV_FOLDS}-fold GridSearchCV over hidden_layer_sizes (64,), (128,), "
            "(64, 32); activation relu, tanh; learning_rate_init 0.001, 0.01 "
            f"(solver adam) on a stratified train/test split (test_size={TEST_SIZE}). "
            "Print the ranked CV results, the best parameters and the held-out "
            "accuracy; compare test accuracy and fit time of the tuned network with "
            "LogisticRegressionGD and scikit-learn's MLPClassifier (same best "
            "parameters and random_state), each after a StandardScaler; save the best "
            "model with joblib, reload it and check that predict_proba is identical."
        ),
        epilog=(
            "Exit codes: 0 success; 1 the reloaded model's predict_proba differs from "
            "the original; 2 bad arguments or unusable data (one-line message on stderr)."
        ),
    )
    source = parser.add_argument_group("data")
    source.add_argument(
        "--dataset",
        choices=sorted(_BUILTIN_LOADERS),
        default="digits",
        help="scikit-learn bundled dataset to use when --csv is not given (default: digits)",
    )
    source.add_argument(
        "--csv",
        metavar="PATH",
        help=(
            "read the data from this CSV file instead: the first row is a header of "
            "column names; every column except --target must be numeric, with no empty "
            "or NaN cells; the target column may hold strings (class labels)"
        ),
    )
    source.add_argument(
        "--target",
        metavar="COLUMN",
        help="name of the class-label column of --csv (required with --csv)",
    )
    source.add_argument(
        "--delimiter",
        default=",",
        metavar="CHAR",
        help="field delimiter of --csv (default: ',')",
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="INT",
        help="seed for the train/test split and for every model (default: 0)",
    )
    run.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        metavar="INT",
        help="parallel jobs for GridSearchCV, -1 for all cores (default: 1)",
    )
    run.add_argument(
        "--max-iter",
        type=int,
        default=None,
        metavar="INT",
        help=(
            f"epochs per network fit (default: {DEFAULT_MAX_ITER}, "
            f"or {QUICK_MAX_ITER} with --quick)"
        ),
    )
    run.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        metavar="INT",
        help=(
            "BLAS threads in this process while fitting; 0 keeps the library default "
            "(default: 1: the matrices are small, multi-threaded BLAS gains little and "
            "slows down badly on a busy machine; use --n-jobs for parallelism)"
        ),
    )
    run.add_argument(
        "--output",
        default="deepnet_model.joblib",
        metavar="PATH",
        help="where to save the best model with joblib (default: ./deepnet_model.joblib)",
    )
    run.add_argument(
        "--quick",
        action="store_true",
        help=(
            "smoke-test mode: a 2-candidate grid (hidden_layer_sizes (16,), relu/tanh, "
            f"learning_rate_init 0.01), {QUICK_MAX_ITER} epochs and at most "
            f"{QUICK_LOGISTIC_MAX_ITER} LogisticRegressionGD iterations; takes a few seconds"
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def load_builtin(name):
    """Load one of scikit-learn's bundled classification datasets.

    Parameters
    ----------
    name : {"digits", "breast_cancer", "iris", "wine"}
        Dataset name.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Feature matrix (float64).
    y : ndarray of shape (n_samples,)
        Integer class labels.
    """
    if name not in _BUILTIN_LOADERS:
        raise DataError(f"unknown dataset {name!r}; choose from {', '.join(_BUILTIN_LOADERS)}")
    X, y = _BUILTIN_LOADERS[name](return_X_y=True)
    return np.asarray(X, dtype=np.float64), np.asarray(y)


def load_csv(path, target, delimiter=","):
    """Read a classification dataset from a CSV file with a header row.

    Parameters
    ----------
    path : str or os.PathLike
        CSV file. Its first row names the columns; blank lines are skipped.
    target : str
        Name of the class-label column. Its values may be strings; if they all
        parse as numbers they are returned as numbers.
    delimiter : str, default=","
        Field delimiter.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The other columns, as float64.
    y : ndarray of shape (n_samples,)
        The target column (str, int or float dtype).
    feature_names : list of str
        Names of the feature columns, in file order.

    Raises
    ------
    DataError
        With a one-line message naming the problem: missing or unreadable file,
        empty file, missing target column, ragged row, non-numeric feature value,
        empty or NaN/infinite cell, or no data rows.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise DataError(f"CSV file {str(path)!r} is empty (expected a header row)")
            header = [name.strip() for name in header]
            target_idx = _check_header(header, target, path)
            feature_idx = [i for i in range(len(header)) if i != target_idx]
            rows_X, rows_y = [], []
            for row in reader:
                if not row:
                    continue
                line = reader.line_num
                if len(row) != len(header):
                    raise DataError(
                        f"line {line} of {str(path)!r} has {len(row)} fields but the header "
                        f"has {len(header)}"
                    )
                rows_X.append([_parse_feature(row[i], header[i], line) for i in feature_idx])
                rows_y.append(_parse_label(row[target_idx], target, line))
    except FileNotFoundError:
        raise DataError(f"CSV file {str(path)!r} not found") from None
    except IsADirectoryError:
        raise DataError(f"CSV path {str(path)!r} is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"CSV file {str(path)!r} is not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise DataError(f"CSV file {str(path)!r} could not be parsed: {exc}") from None
    except OSError as exc:
        raise DataError(f"cannot read CSV file {str(path)!r}: {exc.strerror}") from None
    if not rows_X:
        raise DataError(f"CSV file {str(path)!r} has a header but no data rows")
    X = np.asarray(rows_X, dtype=np.float64)
    return X, _labels_array(rows_y), [header[i] for i in feature_idx]


def _check_header(header, target, path):
    """Validate the header row and return the index of the target column."""
    seen = set()
    for name in header:
        if name == "":
            raise DataError(f"CSV file {str(path)!r} has an empty column name in its header")
        if name in seen:
            raise DataError(f"CSV file {str(path)!r} has duplicate column {name!r}")
        seen.add(name)
    if target not in seen:
        shown = ", ".join(repr(n) for n in header[:10]) + (", ..." if len(header) > 10 else "")
        raise DataError(f"target column {target!r} not found in {str(path)!r} (columns: {shown})")
    if len(header) < 2:
        raise DataError(f"CSV file {str(path)!r} has no feature columns besides {target!r}")
    return header.index(target)


def _parse_feature(cell, name, line):
    """Parse one feature cell as a finite float or raise DataError."""
    text = cell.strip()
    if text == "":
        raise DataError(f"column {name!r} has an empty cell (line {line}); {_CSV_HINT}")
    try:
        value = float(text)
    except ValueError:
        raise DataError(
            f"column {name!r} is not numeric (line {line}: {cell!r}); {_CSV_HINT}"
        ) from None
    if math.isnan(value):
        raise DataError(f"column {name!r} has a NaN cell (line {line}: {cell!r}); {_CSV_HINT}")
    if math.isinf(value):
        raise DataError(
            f"column {name!r} has an infinite value (line {line}: {cell!r}); {_CSV_HINT}"
        )
    return value


def _parse_label(cell, target, line):
    """Return one stripped target cell, rejecting empty and NaN labels."""
    text = cell.strip()
    if text == "" or text.lower() == "nan":
        what = "an empty" if text == "" else "a NaN"
        raise DataError(
            f"target column {target!r} has {what} cell (line {line}); every row needs a label"
        )
    return text


def _labels_array(labels):
    """Turn label strings into an int, float or str array (numbers when all parse)."""
    try:
        values = [float(v) for v in labels]
    except ValueError:
        return np.asarray(labels)
    if all(math.isfinite(v) and v.is_integer() for v in values):
        return np.asarray(values).astype(np.int64)
    if all(math.isfinite(v) for v in values):
        return np.asarray(values, dtype=np.float64)
    return np.asarray(labels)


def _py(value):
    """Plain Python scalar for messages (``np.int64(3)`` -> ``3``)."""
    return value.item() if isinstance(value, np.generic) else value


def _check_classes(y_train):
    """Check that every class can be stratified into the cross-validation folds."""
    classes, counts = np.unique(y_train, return_counts=True)
    if len(classes) < 2:
        raise DataError(f"the target has a single class ({_py(classes[0])!r}); need at least two")
    small = counts < CV_FOLDS
    if small.any():
        label = _py(classes[np.argmax(small)])
        raise DataError(
            f"class {label!r} has only {counts[small][0]} training sample(s); "
            f"{CV_FOLDS}-fold stratified CV needs at least {CV_FOLDS} per class"
        )


def _split(X, y, random_state):
    """Stratified train/test split, turning sklearn's ValueError into DataError."""
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise DataError(f"the target has a single class ({_py(classes[0])!r}); need at least two")
    if counts.min() < 2:
        label = _py(classes[np.argmin(counts)])
        raise DataError(
            f"class {label!r} has a single sample; a stratified split needs at least 2 per class"
        )
    try:
        return train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=random_state)
    except ValueError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"cannot split the data: {first}") from None


def _format_param(value):
    """Short, readable text for one hyper-parameter value."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _results_table(cv_results, keys):
    """Lines of the ranked grid-search results table, one column per key of ``keys``."""
    params = cv_results["params"]
    headers = ["rank", "mean CV accuracy +/- std"] + [k.split("__", 1)[-1] for k in keys]
    order = sorted(
        range(len(params)),
        key=lambda i: (cv_results["rank_test_score"][i], -cv_results["mean_test_score"][i], i),
    )
    rows = []
    for i in order:
        rows.append(
            [
                str(cv_results["rank_test_score"][i]),
                f"{cv_results['mean_test_score'][i]:.4f} +/- {cv_results['std_test_score'][i]:.4f}",
            ]
            + [_format_param(params[i][k]) for k in keys]
        )
    return _table(headers, rows, right_align={0})


def _table(headers, rows, right_align=()):
    """Format a list of rows as aligned plain-text lines."""
    widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(headers)]

    def fmt(cells):
        parts = [
            c.rjust(w) if j in right_align else c.ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]


def _n_iter(estimator):
    """Number of iterations of a fitted estimator, as an int (max over outputs)."""
    return int(np.max(np.asarray(estimator.n_iter_)))


def _timed_fit(model, X, y):
    """Fit ``model`` and return the elapsed seconds (time.perf_counter)."""
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def main(argv=None):
    """Run the command-line demo.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments without the program name; ``None`` reads
        ``sys.argv[1:]``. See ``python -m sklearn_deepnet --help``.

    Returns
    -------
    exit_code : int
        0 on success, 1 if the reloaded model's ``predict_proba`` differs from
        the original's, 2 on bad arguments or unusable data (a one-line message
        is printed on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or an argparse usage error
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        _check_args(args)
        if args.csv is not None:
            X, y, _ = load_csv(args.csv, args.target, args.delimiter)
            source = f"CSV {args.csv} (target column {args.target!r})"
        else:
            X, y = load_builtin(args.dataset)
            source = f"{args.dataset} (scikit-learn bundled)"
        X_train, X_test, y_train, y_test = _split(X, y, args.random_state)
        _check_classes(y_train)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.blas_threads == 0:
        return _run(args, source, X, y, X_train, X_test, y_train, y_test)
    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        return _run(args, source, X, y, X_train, X_test, y_train, y_test)


def _check_args(args):
    """Validate argument combinations argparse cannot express."""
    if args.csv is None and args.target is not None:
        raise DataError("--target only applies together with --csv")
    if args.csv is not None and args.target is None:
        raise DataError("--csv needs --target COLUMN (the name of the class-label column)")
    if len(args.delimiter) != 1:
        raise DataError(f"--delimiter must be a single character, got {args.delimiter!r}")
    if args.n_jobs == 0:
        raise DataError("--n-jobs must be a positive integer or -1 (all cores), not 0")
    if args.blas_threads < 0:
        raise DataError(
            f"--blas-threads must be 0 (library default) or more, got {args.blas_threads}"
        )
    if args.max_iter is not None and args.max_iter < 1:
        raise DataError(f"--max-iter must be at least 1, got {args.max_iter}")
    out_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(out_dir):
        raise DataError(f"--output directory {out_dir!r} does not exist")
    if os.path.isdir(args.output):
        raise DataError(f"--output {args.output!r} is a directory; give a file path")


def _run(args, source, X, y, X_train, X_test, y_train, y_test):
    """Grid-search, report, compare, save and reload; return the exit code."""
    t_start = time.perf_counter()
    max_iter = args.max_iter or (QUICK_MAX_ITER if args.quick else DEFAULT_MAX_ITER)
    grid = QUICK_GRID if args.quick else FULL_GRID
    rs = args.random_state
    n_candidates = math.prod(len(v) for v in grid.values())

    print(f"sklearn-deepnet {__version__}{' (quick mode)' if args.quick else ''}")
    print(
        f"data: {source}: {X.shape[0]} samples, {X.shape[1]} features, {len(np.unique(y))} classes"
    )
    print(
        f"split: {len(y_train)} train / {len(y_test)} test "
        f"(stratified, test_size={TEST_SIZE}, random_state={rs})"
    )
    print()
    print(
        f"GridSearchCV over StandardScaler + DeepNetClassifier(solver='adam', "
        f"max_iter={max_iter}): {n_candidates} candidates x {CV_FOLDS} folds = "
        f"{n_candidates * CV_FOLDS} fits, n_jobs={args.n_jobs}, "
        f"BLAS threads={args.blas_threads or 'default'}"
    )
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("net", DeepNetClassifier(max_iter=max_iter, random_state=rs)),
        ]
    )
    search = GridSearchCV(
        pipe, grid, cv=CV_FOLDS, n_jobs=args.n_jobs, refit=False, error_score="raise"
    )
    with warnings.catch_warnings():
        # max_iter is a deliberate budget here; the iteration counts are reported below.
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        search.fit(X_train, y_train)
        search_time = time.perf_counter() - t0
    print(f"search time: {search_time:.1f} s")
    print()
    for line in _results_table(search.cv_results_, list(grid)):
        print(line)
    print()

    best_params = search.best_params_
    net_params = {k.split("__", 1)[1]: best_params[k] for k in grid}
    shown = ", ".join(f"{k}={v!r}" for k, v in net_params.items())
    print(f"best params: {shown}")
    print(f"best mean CV accuracy: {search.best_score_:.4f}")

    best = clone(pipe).set_params(**best_params)
    logistic = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "logreg",
                LogisticRegressionGD(random_state=rs)
                if not args.quick
                else LogisticRegressionGD(random_state=rs, max_iter=QUICK_LOGISTIC_MAX_ITER),
            ),
        ]
    )
    mlp = Pipeline(
        [
            ("scale", StandardScaler()),
            ("mlp", MLPClassifier(max_iter=max_iter, random_state=rs, **net_params)),
        ]
    )
    models = [
        ("DeepNetClassifier (tuned, refit)", best),
        ("LogisticRegressionGD", logistic),
        ("MLPClassifier (best params)", mlp),
    ]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, model in models:
            fit_time = _timed_fit(model, X_train, y_train)
            acc = model.score(X_test, y_test)
            final = model[-1]
            n_iter = _n_iter(final)
            cap = final.max_iter
            iters = f"{n_iter}/{cap}" + (" (hit max_iter)" if n_iter >= cap else "")
            rows.append([name, f"{acc:.4f}", f"{fit_time:.2f}", iters])
    print(f"held-out test accuracy (tuned DeepNetClassifier): {rows[0][1]}")
    print()
    print("comparison on the same split (each model after a StandardScaler):")
    for line in _table(
        ["model", "test accuracy", "fit time (s)", "iterations"], rows, right_align={1, 2}
    ):
        print(line)
    print()

    try:
        joblib.dump(best, args.output)
        reloaded = joblib.load(args.output)
    except OSError as exc:
        print(f"error: cannot save the model to {args.output!r}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"saved best model to {os.path.abspath(args.output)}")
    same = np.array_equal(best.predict_proba(X_test), reloaded.predict_proba(X_test))
    if same:
        print(
            f"reloaded model: predict_proba identical on {len(y_test)} test samples "
            "(np.array_equal)"
        )
    else:
        print(
            f"reloaded model: predict_proba DIFFERS from the original on {len(y_test)} test samples"
        )
    print(f"total time: {time.perf_counter() - t_start:.1f} s")
    return 0 if same else 1
