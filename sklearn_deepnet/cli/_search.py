"""The hyper-parameter search with a progress display: scikit-learn's callback ProgressBar,
or one line per candidate with the elapsed time and an estimate of the rest, stopping at the
time budget."""

import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid

from ._errors import DataError
from ._report import param_text, seconds
from ._task import CV_FOLDS

#: Short names of the searched parameters in the progress lines.
_SHORT = {"hidden_layer_sizes": "layers", "activation": "act", "learning_rate_init": "lr"}


@dataclass
class SearchResult:
    """What the search found.

    Parameters
    ----------
    cv_results : dict
        ``cv_results_`` of the candidates evaluated.
    best_params : dict
        The (prefixed) parameters of the best candidate.
    best_score : float
        Its mean cross-validated score.
    n_done, n_total : int
        Candidates evaluated, and in the grid.
    seconds : float
        Wall-clock time of the search.
    """

    cv_results: dict
    best_params: dict
    best_score: float
    n_done: int
    n_total: int
    seconds: float


def progress_bar_available():
    """Whether scikit-learn's callback ``ProgressBar`` can be used (scikit-learn >= 1.9, rich)."""
    try:
        import rich  # noqa: F401
        from sklearn.callback import ProgressBar  # noqa: F401
    except ImportError:
        return False
    return True


def choose_progress(mode, stream=None):
    """``'bar'`` or ``'lines'`` for ``--progress mode`` (``'auto'``: bar on a terminal)."""
    stream = sys.stdout if stream is None else stream
    if mode == "lines":
        return "lines"
    if mode == "bar":
        if not progress_bar_available():
            raise DataError(
                "--progress bar needs scikit-learn >= 1.9 (sklearn.callback) and rich: "
                "pip install 'scikit-learn>=1.9' rich; or use --progress lines"
            )
        return "bar"
    isatty = getattr(stream, "isatty", lambda: False)
    return "bar" if progress_bar_available() and isatty() else "lines"


def run_search(pipeline, task, plan, X, y, *, n_jobs, budget, progress, out=None):
    """Cross-validate the planned grid and return the best candidate.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted preprocessing + network.
    task : Task
        The task (scorer, parameter prefix).
    plan : Plan
        The grid, rows and cost estimates (see :func:`~._plan.plan_search`).
    X, y : table and ndarray
        The rows the search runs on.
    n_jobs : int
        Parallel fits.
    budget : float
        Seconds; with ``progress='lines'`` no candidate starts that is estimated to end past
        it (the first always runs).
    progress : {"bar", "lines"}
        The display.
    out : file, default=None
        Where the lines go (``sys.stdout``).

    Returns
    -------
    result : SearchResult
    """
    out = sys.stdout if out is None else out
    search = GridSearchCV(
        pipeline, task.grid(plan.grid), scoring=task.scoring, cv=CV_FOLDS, n_jobs=n_jobs,
        refit=False, error_score="raise",
    )
    if progress == "bar":
        from sklearn.callback import ProgressBar

        search.set_callbacks(ProgressBar())
    else:
        search = _StepwiseSearch(**search.get_params(deep=False))
        search.reporter = LineReporter(task, plan, budget, out)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # max_iter is a deliberate budget here; the refit reports its iteration count.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    results = search.cv_results_
    best = int(np.argmin(results["rank_test_score"]))
    return SearchResult(
        results, results["params"][best], float(results["mean_test_score"][best]),
        len(results["params"]), len(ParameterGrid(plan.grid)), time.perf_counter() - start,
    )


class _StepwiseSearch(GridSearchCV):
    """``GridSearchCV`` evaluating its candidates a group at a time, as ``reporter`` says."""

    def _run_search(self, evaluate_candidates):
        self.reporter.run(list(ParameterGrid(self.param_grid)), evaluate_candidates)


class LineReporter:
    """Runs the candidates group by group, printing a line per candidate.

    Each line has the candidate's score and parameters, the time since the search started
    and an estimate of the time left: the cost estimates of the remaining candidates, scaled
    by how the measured time compared with the estimates so far.

    Parameters
    ----------
    task : Task
        For the score's name and the parameter prefix.
    plan : Plan
        Cost estimates per candidate and the number of parallel fits.
    budget : float
        Seconds; a group estimated to end past it is not started (the first always is).
    out : file
        Where the lines go.
    """

    def __init__(self, task, plan, budget, out):
        self.task, self.plan, self.budget, self.out = task, plan, budget, out

    def run(self, candidates, evaluate):
        """Evaluate ``candidates`` through ``evaluate`` (GridSearchCV's), group by group."""
        group, n = self.plan.workers, len(candidates)
        bounds = self.plan.bounds
        start, spent_bound = time.perf_counter(), 0.0
        for first in range(0, n, group):
            chunk = slice(first, min(first + group, n))
            elapsed = time.perf_counter() - start
            ratio = elapsed / spent_bound if spent_bound else 1.0
            expected = sum(bounds[chunk]) / group * ratio
            if first and elapsed + expected > self.budget:
                self._say_stopped(first, n, elapsed, expected)
                return
            results = evaluate(candidates[chunk])
            spent_bound += sum(bounds[chunk]) / group
            elapsed = time.perf_counter() - start
            left = sum(bounds[chunk.stop:]) / group * elapsed / spent_bound
            for i in range(chunk.start, chunk.stop):
                self._say(i, n, results, elapsed, left)

    def _say(self, i, n, results, elapsed, left):
        """Print the line of candidate ``i``."""
        params = results["params"][i]
        shown = " ".join(
            f"{_SHORT.get(k.removeprefix(self.task.prefix), k)}={param_text(params[k])}"
            for k in self.task.grid(self.plan.grid)
        )
        fit = results["mean_fit_time"][i] * CV_FOLDS
        tail = f"about {seconds(left)} left" if left > 0 else "done"
        print(
            f"[{i + 1:>{len(str(n))}}/{n}] {self.task.score_label} "
            f"{results['mean_test_score'][i]:.4f} +/- {results['std_test_score'][i]:.4f}  "
            f"{shown}  ({seconds(fit)} of fits; elapsed {seconds(elapsed)}, {tail})",
            file=self.out,
            flush=True,
        )

    def _say_stopped(self, done, n, elapsed, expected):
        """Print why the search stops before the end."""
        print(
            f"time budget: stopped after {done} of {n} candidates ({seconds(elapsed)} spent, "
            f"the next would take about {seconds(expected)} more than the {self.budget:g} s "
            "allowed); the best of those evaluated is used (--time-budget to allow more)",
            file=self.out,
            flush=True,
        )
