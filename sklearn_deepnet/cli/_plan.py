"""Sizing the search to the data: the measured cost of a fit, the search's cost estimate, and
the grid and row subsample chosen to fit the time budget."""

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import ParameterGrid, train_test_split

from ._task import CLASSIFICATION, CV_FOLDS, SMALL_GRID

#: Rows of the timing fits (all rows when there are fewer).
PROBE_ROWS = 2000
#: The search never runs on fewer rows than this (or all of them, if fewer).
MIN_SEARCH_ROWS = 1000
#: Seconds to start the worker processes of a parallel search.
POOL_START_SECONDS = 3.0


@dataclass
class Costs:
    """Measured cost of fitting each network shape: ``fixed + per_row_epoch * rows * epochs``.

    Parameters
    ----------
    fixed : dict
        Seconds per fit independent of rows and epochs, per ``hidden_layer_sizes``.
    per_row_epoch : dict
        Seconds per row and epoch, per ``hidden_layer_sizes``.
    """

    fixed: dict = field(default_factory=dict)
    per_row_epoch: dict = field(default_factory=dict)

    def fit_seconds(self, layers, n_rows, epochs):
        """Upper estimate of one fit's seconds (all ``epochs`` run)."""
        return self.fixed[layers] + self.per_row_epoch[layers] * n_rows * epochs


@dataclass
class Plan:
    """The search as planned.

    Parameters
    ----------
    grid : dict
        Network parameter grid (not prefixed).
    n_rows : int
        Training rows the search runs on.
    n_train : int
        All training rows.
    bounds : list of float
        Upper estimate of each candidate's seconds (its folds, on one core), in
        ``ParameterGrid(grid)`` order.
    workers : int
        Fits run in parallel.
    notes : list of str
        How the plan was chosen, for the user.
    """

    grid: dict
    n_rows: int
    n_train: int
    bounds: list
    workers: int
    notes: list = field(default_factory=list)

    @property
    def estimate(self):
        """Upper estimate of the search's wall-clock seconds."""
        start = POOL_START_SECONDS if self.workers > 1 else 0.0
        return start + sum(self.bounds) / self.workers


def measure_costs(task, pipeline, grid_list, X, y, random_state):
    """Time short fits of each network shape of the grids on a few rows.

    Parameters
    ----------
    task : Task
        The task (for parameter names).
    pipeline : sklearn.pipeline.Pipeline
        The unfitted preprocessing + network pipeline.
    grid_list : list of dict
        The grids whose shapes are timed.
    X, y : table and ndarray
        The training rows.
    random_state : int
        Seed of the rows picked.

    Returns
    -------
    costs : Costs
        Fixed and per-row-epoch seconds of each ``hidden_layer_sizes`` (with ``tanh``, the
        costlier activation), from fits of 1 and 3 epochs on up to 2000 rows.
    """
    X_probe, y_probe = subsample(task, X, y, PROBE_ROWS, random_state)
    n = len(y_probe)
    costs = Costs()
    shapes = {shape for grid in grid_list for shape in grid["hidden_layer_sizes"]}
    for shape in sorted(shapes, key=str):
        model = clone(pipeline).set_params(
            **{task.prefix + "hidden_layer_sizes": shape, task.prefix + "activation": "tanh"}
        )
        one = _timed_fit(model, task, X_probe, y_probe, epochs=1)
        three = _timed_fit(model, task, X_probe, y_probe, epochs=3)
        per_epoch = max((three - one) / 2, three / 3 * 0.5)
        costs.per_row_epoch[shape] = per_epoch / n
        costs.fixed[shape] = max(one - per_epoch, 0.0)
    return costs


def _timed_fit(model, task, X, y, epochs):
    """Seconds of one fit limited to ``epochs`` epochs."""
    model = clone(model).set_params(**{task.prefix + "max_iter": epochs})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
    return time.perf_counter() - start


def subsample(task, X, y, n_rows, random_state):
    """At most ``n_rows`` rows (stratified for classification), or all rows if fewer."""
    if n_rows >= len(y):
        return X, y
    stratify = y if task.name == CLASSIFICATION and _can_stratify(y, n_rows) else None
    X_sub, _, y_sub, _ = train_test_split(
        X, y, train_size=n_rows, stratify=stratify, random_state=random_state
    )
    return X_sub, y_sub


def _can_stratify(y, n_rows):
    """Whether a stratified subsample of ``n_rows`` keeps every class."""
    _, counts = np.unique(y, return_counts=True)
    return len(counts) <= n_rows and len(counts) <= len(y) - n_rows


def candidate_bounds(grid, costs, n_rows, epochs, folds=CV_FOLDS):
    """Upper estimate of each candidate's seconds: its ``folds`` fits on ``n_rows`` rows."""
    fit_rows = n_rows * (folds - 1) / folds
    return [
        folds * costs.fit_seconds(params["hidden_layer_sizes"], fit_rows, epochs)
        for params in ParameterGrid(grid)
    ]


def plan_search(grid, costs, n_train, epochs, n_jobs, budget, quick):
    """Choose the grid and the number of rows so that the search fits in ``budget`` seconds.

    Parameters
    ----------
    grid : dict
        The grid wanted (the full one, or the quick one with ``--quick``).
    costs : Costs
        Measured costs of the shapes of the grids.
    n_train : int
        Training rows.
    epochs : int
        ``max_iter`` of each fit; the estimates assume every fit runs all of them.
    n_jobs : int
        ``--n-jobs``.
    budget : float
        Seconds the search may take.
    quick : bool
        Whether ``grid`` is the quick grid (it is never shrunk further).

    Returns
    -------
    plan : Plan
        All rows and the full grid when that fits; else a row subsample (at least 1000
        rows) for the search; else also a smaller grid (one shape); else the smallest of
        these, with a note that it is expected to exceed the budget.
    """
    grids = [grid] if quick else [grid, SMALL_GRID]
    for candidate_grid in grids:
        n_candidates = len(ParameterGrid(candidate_grid))
        workers = max(1, min(effective_n_jobs(n_jobs), n_candidates * CV_FOLDS))
        full = Plan(candidate_grid, n_train, n_train,
                    candidate_bounds(candidate_grid, costs, n_train, epochs), workers)
        if full.estimate <= budget:
            return full
        pool_start = full.estimate - sum(full.bounds) / workers
        n_rows = _rows_within(candidate_grid, costs, epochs, workers, budget - pool_start)
        if n_rows >= min(MIN_SEARCH_ROWS, n_train):
            bounds = candidate_bounds(candidate_grid, costs, n_rows, epochs)
            return Plan(candidate_grid, n_rows, n_train, bounds, workers)
    n_rows = min(MIN_SEARCH_ROWS, n_train)
    plan = Plan(candidate_grid, n_rows, n_train,
                candidate_bounds(candidate_grid, costs, n_rows, epochs), workers)
    plan.notes.append(
        f"even the smallest search is estimated at up to {plan.estimate:.0f} s, over the "
        f"{budget:g} s budget: it stops at the budget (--time-budget to allow more)"
    )
    return plan


def _rows_within(grid, costs, epochs, workers, budget):
    """The most rows on which the search over ``grid`` fits in ``budget`` (estimated)."""
    fixed = sum(CV_FOLDS * costs.fixed[p["hidden_layer_sizes"]] for p in ParameterGrid(grid))
    per_row = sum(
        (CV_FOLDS - 1) * costs.per_row_epoch[p["hidden_layer_sizes"]] * epochs
        for p in ParameterGrid(grid)
    )
    return max(0, math.floor((budget * workers - fixed) / per_row))
