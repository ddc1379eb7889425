"""The training run: data, task, split, sized search, refit on all training rows, held-out
scores, comparison, and the saved and reloaded pipeline."""

import os
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from .. import __version__, dump, load
from ._args import check_train_args, split_names
from ._columns import Columns, make_preprocessor, plan_columns, prepare_features, show_names
from ._errors import DataError
from ._plan import measure_costs, plan_search, subsample
from ._read import load_builtin, read_table, require_pandas
from ._report import params_text, results_table, seconds, table
from ._search import choose_progress, run_search
from ._task import (
    CLASSIFICATION,
    CV_FOLDS,
    DEFAULT_MAX_ITER,
    FULL_GRID,
    QUICK_GRID,
    QUICK_MAX_ITER,
    SMALL_GRID,
    TEST_SIZE,
    check_classes,
    check_regression_target,
    detect_task,
    make_pipeline,
    network_of,
    target_values,
)


@dataclass
class Data:
    """The rows to learn from.

    Parameters
    ----------
    X : pandas.DataFrame or ndarray
        Features, of the types the model's columns expect.
    y : ndarray
        Target.
    source : str
        Where the data came from, for the report.
    columns : Columns
        The column plan.
    notes : list of str
        What reading and typing decided, for the user.
    """

    X: object
    y: np.ndarray
    source: str
    columns: Columns
    notes: list = field(default_factory=list)


def run_train(args):
    """Run the training command; return the exit code (see :func:`sklearn_deepnet.cli.main`).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options of :func:`~._args.build_train_parser`.

    Returns
    -------
    exit_code : int
        0, or 1 when the reloaded model predicts differently.
    """
    start = time.perf_counter()
    check_train_args(args)
    args.progress = choose_progress(args.progress)  # fails early if a bar is unavailable
    data = load_data(args)
    task = detect_task(data.y, args.task, args.target or "target")
    _check_target(task, data.y, args.target or "target")
    X_train, X_test, y_train, y_test = task.split(data.X, data.y, args.random_state)
    if task.name == CLASSIFICATION:
        check_classes(y_train, CV_FOLDS, f"{CV_FOLDS}-fold stratified cross-validation")
    _print_data(args, data, task, len(y_train), len(y_test))
    max_iter = args.max_iter or (QUICK_MAX_ITER if args.quick else DEFAULT_MAX_ITER)
    pipeline = make_pipeline(
        make_preprocessor(data.columns.numeric, data.columns.categorical),
        task.network(max_iter, args.random_state),
    )
    best, subsampled = _search_and_refit(args, task, pipeline, X_train, y_train, max_iter)
    scores = task.scores(best, X_test, y_test)
    print(f"held-out test {_scores_text(scores)} (tuned {type(network_of(best)).__name__})")
    if args.compare != "none":
        with_mlp = args.compare == "all" or not subsampled
        _compare(args, task, best, (X_train, y_train, X_test, y_test), max_iter, with_mlp,
                 data.columns)
    code = _save_and_check(best, task, args.output, X_test)
    print(f"total time: {seconds(time.perf_counter() - start)}")
    return code


def load_data(args):
    """Read the bundled data set or ``--file``, split off the target and type the columns."""
    if args.file is None:
        X, y = load_builtin(args.dataset)
        names = list(X.columns) if hasattr(X, "columns") else list(range(X.shape[1]))
        return Data(X, y, f"{args.dataset} (scikit-learn bundled)", Columns(numeric=names))
    pd = require_pandas()
    frame, notes = read_table(args.file, args)
    try:
        X, y, target_notes = target_values(pd, frame, args.target)
    except DataError as exc:  # say how the file was read: a header or lines may be misread
        raise DataError("; ".join([str(exc), *notes])) from None
    columns = plan_columns(pd, X, split_names(args.drop))
    X, junk = prepare_features(pd, X, columns.numeric, columns.categorical)
    source = f"{args.file} ({frame.shape[0]} rows x {frame.shape[1]} columns)"
    return Data(X, y, source, columns, notes + target_notes + columns.notes + junk)


def _check_target(task, y, target):
    """Task-specific checks of the whole target."""
    if task.name == CLASSIFICATION:
        check_classes(y, 2, "a stratified train/test split")
    else:
        check_regression_target(y, target)


def _print_data(args, data, task, n_train, n_test):
    """Print the header of the report: data, notes, columns, task, split."""
    print(f"sklearn-deepnet {__version__}{' (quick mode)' if args.quick else ''}")
    print(f"data: {data.source}")
    for note in data.notes:
        print(f"  note: {note}")
    cols = data.columns
    print(
        f"features: {len(cols.used)} columns: {len(cols.numeric)} numeric "
        f"({show_names(cols.numeric, 6)})"
        + (f", {len(cols.categorical)} categorical ({show_names(cols.categorical, 6)})"
           if cols.categorical else "")
    )
    for name, reason in cols.dropped.items():
        prefix = "warning: " if reason.startswith("ID-like") else "  "
        print(f"{prefix}column {name!r} not used: {reason}")
    target = f"target {args.target!r}" if args.target else "target"
    print(f"task: {task.name} ({target}: {task.reason}; --task to override)")
    kind = "stratified, " if task.name == CLASSIFICATION else ""
    print(
        f"split: {n_train} train / {n_test} test ({kind}test_size={TEST_SIZE}, "
        f"random_state={args.random_state})"
    )
    print()


def _search_and_refit(args, task, pipeline, X_train, y_train, max_iter):
    """Plan and run the search, print its results, and refit the best on all training rows."""
    grid = QUICK_GRID if args.quick else FULL_GRID
    costs = measure_costs(task, pipeline, [grid, SMALL_GRID], X_train, y_train,
                          args.random_state)
    plan = plan_search(grid, costs, len(y_train), max_iter, args.n_jobs, args.time_budget,
                       args.quick)
    _print_plan(args, task, plan, max_iter)
    X_search, y_search = subsample(task, X_train, y_train, plan.n_rows, args.random_state)
    result = run_search(
        pipeline, task, plan, X_search, y_search, n_jobs=args.n_jobs,
        budget=args.time_budget, progress=args.progress,
    )
    print(f"search time: {seconds(result.seconds)} (estimated at most {seconds(plan.estimate)})")
    print()
    for line in results_table(result.cv_results, list(task.grid(plan.grid)), task.prefix,
                              task.score_label):
        print(line)
    print()
    ordered = {k: result.best_params[k] for k in task.grid(plan.grid)}
    print(f"best params: {params_text(ordered, task.prefix)}")
    print(f"best mean CV {task.score_label}: {result.best_score:.4f}")
    best = clone(pipeline).set_params(**result.best_params)
    if plan.n_rows < plan.n_train:
        pre, epoch = _time_epochs(task, best, X_train, y_train)
        print(f"refit on all {plan.n_train} training rows: preprocessing {seconds(pre)}, then "
              f"{seconds(epoch)} per epoch: at most {seconds(pre + epoch * max_iter)} for "
              f"{max_iter} epochs")
    fit_time = _timed_fit(best, X_train, y_train)
    print(f"refit time: {seconds(fit_time)}; epochs: {_iterations(best)}")
    return best, plan.n_rows < plan.n_train


def _time_epochs(task, pipeline, X, y):
    """Seconds of preprocessing all rows, and of one epoch over them (from 1- and 2-epoch fits).

    Timed on all rows: an epoch over a large table costs more per row than on the few rows
    the search was planned with.
    """
    start = time.perf_counter()
    Xt = clone(pipeline[0]).fit_transform(X, y)
    pre = time.perf_counter() - start
    key = task.prefix.removeprefix("net__") + "max_iter"
    one = _timed_fit(clone(pipeline[-1]).set_params(**{key: 1}), Xt, y)
    two = _timed_fit(clone(pipeline[-1]).set_params(**{key: 2}), Xt, y)
    return pre, max(two - one, one / 2)


def _print_plan(args, task, plan, max_iter):
    """Print what the search will do and its cost estimate."""
    n_candidates = len(plan.bounds)
    rows = (
        f"all {plan.n_train} training rows" if plan.n_rows == plan.n_train
        else f"a subsample of {plan.n_rows} of the {plan.n_train} training rows (sized to the "
        f"{args.time_budget:g} s budget; the best candidate is then refit on all rows)"
    )
    net = type(network_of(task.network(1, 0))).__name__
    print(
        f"GridSearchCV over preprocessing + {net}(solver='adam', max_iter={max_iter}): "
        f"{n_candidates} candidates x {CV_FOLDS} folds = {n_candidates * CV_FOLDS} fits on "
        f"{rows}; n_jobs={args.n_jobs}, BLAS threads={args.blas_threads or 'default'}"
    )
    print(
        f"cost estimate: at most {seconds(plan.estimate)} (measured fit times, every fit "
        f"running all {max_iter} epochs; budget {args.time_budget:g} s)"
    )
    for note in plan.notes:
        print(f"  note: {note}")


def _timed_fit(model, X, y):
    """Fit ``model`` without ConvergenceWarnings (iterations are reported); return seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
    return time.perf_counter() - start


def _iterations(model):
    """``'n/max_iter'`` of a fitted pipeline's final estimator, or ``'-'``.

    For an ensemble (the recipe's), the longest of its members' runs.
    """
    final = network_of(model)
    members = getattr(final, "estimators_", None)
    if members:
        longest = max(members, key=lambda m: int(np.max(getattr(m, "n_iter_", 0))))
        return f"{_iterations(longest)} (longest of {len(members)})"
    n_iter = getattr(final, "n_iter_", None)
    if n_iter is None:
        return "-"
    n_iter = int(np.max(np.asarray(n_iter)))
    cap = getattr(final, "max_iter", None)
    if cap is None:
        return str(n_iter)
    return f"{n_iter}/{cap}" + (" (hit max_iter)" if n_iter >= cap else "")


def _scores_text(scores):
    """``'accuracy: 0.9733'`` or ``'R2: 0.8123, MAE: 1.234'``."""
    return ", ".join(f"{k}: {v:.4g}" if k == "MAE" else f"{k}: {v:.4f}"
                     for k, v in scores.items())


def _compare(args, task, best, split, max_iter, with_mlp, columns):
    """Fit the comparison models on the same split and print a table with the tuned net.

    They run after the tuned pipeline's preprocessing, except the recommended recipe
    (classification), which brings its own.
    """
    X_train, y_train, X_test, y_test = split
    net_params = {
        k.removeprefix(task.prefix): v for k, v in best.get_params().items()
        if k.removeprefix(task.prefix) in FULL_GRID and k.startswith(task.prefix)
    }
    models = [(f"{type(network_of(best)).__name__} (tuned)", best, None)]
    comparisons = task.comparisons(net_params, max_iter, args.random_state, args.quick)
    recipe = task.recipe(columns, args.random_state)
    if not with_mlp:
        left_out = comparisons[-1][0] + ("" if recipe is None else " and the recipe")
        print(f"note: {left_out} left out of the comparison on this large data "
              "(each takes about as long as the refit; --compare all to include them)")
        comparisons, recipe = comparisons[:-1], None
    for name, final in comparisons:
        model = make_pipeline(best[0], final)
        models.append((name, model, _timed_fit(model, X_train, y_train)))
    if recipe is not None:
        models.insert(1, (recipe[0], recipe[1], _timed_fit(recipe[1], X_train, y_train)))
    rows = []
    for name, model, fit_time in models:
        scores = task.scores(model, X_test, y_test)
        shown = "(above)" if fit_time is None else f"{fit_time:.2f}"
        rows.append([name, *(f"{v:.4f}" for v in scores.values()), shown, _iterations(model)])
    print()
    print("comparison on the same split (each model after the tuned pipeline's "
          "preprocessing; the recipe with its own):")
    headers = ["model", *(f"test {k}" for k in scores), "fit time (s)", "iterations"]
    for line in table(headers, rows, right_align=set(range(1, len(headers) - 1))):
        print(line)
    print()


def _save_and_check(model, task, path, X_test):
    """Save with :func:`sklearn_deepnet.dump`, reload, and compare predictions; exit code."""
    try:
        dump(model, path)
        reloaded = load(path)
    except OSError as exc:
        raise DataError(f"cannot save the model to {path!r}: {exc}") from None
    print(f"saved the fitted pipeline to {os.path.abspath(path)}")
    method = "predict_proba" if task.name == CLASSIFICATION else "predict"
    same = np.array_equal(getattr(model, method)(X_test), getattr(reloaded, method)(X_test))
    verdict = "identical" if same else "DIFFERS from the original"
    print(f"reloaded model: {method} {verdict} on {len(X_test)} test rows (np.array_equal)")
    print(f"predict new rows: python -m sklearn_deepnet predict {path} FILE [--output preds.csv]")
    return 0 if same else 1
