"""Accuracy, log loss and fit time of DeepNetClassifier against scikit-learn on real tabular data.

Every model sees the same data through the same preprocessing inside its pipeline (numbers:
median imputation and ``StandardScaler``; categories: most-frequent imputation and
``OneHotEncoder(handle_unknown='ignore')``), except the recommended recipe
(``make_tabular_classifier``), which brings its own on the same column types, on the same
repeated stratified CV splits, with a fixed ``random_state`` per split. Models are
interleaved within each split, so a change in machine load hits them alike. Fit times are
CPU seconds of the fitting process with every thread pool (BLAS, OpenMP) limited to one
thread, which a busy machine disturbs far less than wall time; compare them as ratios within
one run.

Reported per data set and overall: mean accuracy, mean log loss, mean rank over the models
(by accuracy and by log loss, per data set), median fit time and its ratio to
``MLPClassifier``'s, and the number of fits that raised a ``ConvergenceWarning``. Output: the
printed tables, one CSV row per fit, a JSON summary and a PNG plot (``--out``).

Run: ``python benchmarks/bench_tabular.py`` (the full run: 1350 fits, ~17 min on one core),
``--quick`` for a seconds-long smoke run on three small data sets; ``--datasets``,
``--models``, ``--repeats``, ``--folds`` to choose.
"""

import json
import math
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, parser, table  # noqa: E402
from _tabular_data import BY_NAME, DATASETS, QUICK, describe  # noqa: E402

from sklearn_deepnet import DeepNetClassifier  # noqa: E402
from sklearn_deepnet.recipes import make_tabular_classifier  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"

class WithOwnPreprocessing:
    """A model factory whose pipeline prepares the raw columns itself.

    Parameters
    ----------
    make : callable
        ``make(X, categorical) -> estimator`` for the features ``X`` (a DataFrame, only its
        column names read) with the categorical columns ``categorical``.
    """

    def __init__(self, make):
        self.make = make

    def __call__(self, X, categorical):
        return self.make(X, categorical)


def recipe(X, categorical):
    """The recommended recipe, :func:`sklearn_deepnet.recipes.make_tabular_classifier`.

    It replaces the common preprocessing with its own, on the same column types: numbers
    median-imputed, robust-scaled with a smooth clip and piecewise-linear encoded;
    categories imputed and one-hot encoded; then five networks averaged.
    """
    categorical = [c for c in X.columns if c in set(categorical)]
    numeric = [c for c in X.columns if c not in set(categorical)]
    return make_tabular_classifier(numeric_features=numeric, categorical_features=categorical)


#: ``name -> factory()`` of every model compared; the benchmark seeds each per split.
MODELS = {
    "DeepNet": lambda: DeepNetClassifier(),
    "recipe": WithOwnPreprocessing(recipe),
    "MLP": lambda: MLPClassifier(),
    "LogReg": lambda: LogisticRegression(max_iter=1000),
    "HGB": lambda: HistGradientBoostingClassifier(),
}
MODEL_LONG_NAMES = {
    "DeepNet": "DeepNetClassifier()",
    "recipe": "make_tabular_classifier(numeric_features=..., categorical_features=...)",
    "MLP": "MLPClassifier()",
    "LogReg": "LogisticRegression(max_iter=1000)",
    "HGB": "HistGradientBoostingClassifier()",
}
QUICK_MODELS = ("DeepNet", "recipe", "MLP", "LogReg")
REFERENCE = "MLP"


def preprocessor(X, categorical):
    """The preprocessing every model gets: impute and scale numbers, impute and one-hot categories.

    Parameters
    ----------
    X : DataFrame
        The features (only the column names are read).
    categorical : sequence of str
        The categorical columns; every other column is numeric.

    Returns
    -------
    transformer : ColumnTransformer
        Numbers: ``SimpleImputer(strategy='median')`` then ``StandardScaler()``; categories:
        ``SimpleImputer(strategy='most_frequent')`` then
        ``OneHotEncoder(handle_unknown='ignore', sparse_output=False)``.
    """
    cats = [c for c in X.columns if c in set(categorical)]
    nums = [c for c in X.columns if c not in set(categorical)]
    parts = []
    if nums:
        parts.append(
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), nums)
        )
    if cats:
        parts.append(
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                cats,
            )
        )
    return ColumnTransformer(parts)


def seeded(estimator, seed):
    """``estimator`` (or the steps of a pipeline) with every ``random_state`` set to ``seed``."""
    names = [
        k for k in estimator.get_params() if k == "random_state" or k.endswith("__random_state")
    ]
    return estimator.set_params(**dict.fromkeys(names, seed))


def fit_one(pipeline, X_train, y_train, X_test, y_test):
    """Fit once and score: a dict of accuracy, log loss, CPU and wall seconds, warnings, epochs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        wall, cpu = time.perf_counter(), time.process_time()
        pipeline.fit(X_train, y_train)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    model = pipeline[-1]
    while isinstance(model, Pipeline):  # a model that brings its own feature steps
        model = model[-1]
    proba = pipeline.predict_proba(X_test)
    predicted = model.classes_[np.argmax(proba, axis=1)]
    return {
        "accuracy": accuracy_score(y_test, predicted),
        "log_loss": log_loss(y_test, proba, labels=model.classes_),
        "fit_cpu_s": cpu,
        "fit_wall_s": wall,
        "convergence_warning": int(any(issubclass(w.category, ConvergenceWarning) for w in caught)),
        "n_iter": int(max(np.max(getattr(m, "n_iter_", 0))
                          for m in getattr(model, "estimators_", [model]))),
    }


def evaluate(datasets, models, repeats, folds, random_state=0, progress=None):
    """Run every model on every repeated stratified CV split of every data set.

    Parameters
    ----------
    datasets : sequence of TabularDataset
        The data.
    models : dict of str to callable
        ``name -> factory()`` returning an unfitted estimator (or pipeline) that goes after the
        common :func:`preprocessor`.
    repeats, folds : int
        ``RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats)``.
    random_state : int, default=0
        Seeds the splits; split ``i`` seeds every model with ``random_state + i``.
    progress : callable or None
        Called with one line of text after each data set.

    Returns
    -------
    records : list of dict
        One per fit: ``dataset, model, split`` and the fields of :func:`fit_one`.
    """
    records = []
    for dataset in datasets:
        X, y = dataset.frame()
        cv = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=random_state)
        start = time.perf_counter()
        with threadpool_limits(limits=1):
            for split, (train, test) in enumerate(cv.split(X, y)):
                for name, factory in models.items():
                    if isinstance(factory, WithOwnPreprocessing):
                        pipeline = factory(X, dataset.categorical)
                    else:
                        pipeline = Pipeline(
                            [("prep", preprocessor(X, dataset.categorical)), ("model", factory())]
                        )
                    seeded(pipeline, random_state + split)
                    result = fit_one(
                        clone(pipeline), X.iloc[train], y[train], X.iloc[test], y[test]
                    )
                    records.append({"dataset": dataset.name, "model": name, "split": split,
                                    **result})
        if progress is not None:
            progress(f"{dataset.name}: {time.perf_counter() - start:.0f} s")
    return records


def _mean(values):
    return sum(values) / len(values)


def _ranks(scores, lower_is_better=False):
    """Average ranks (1 = best) of ``{name: score}``, ties sharing their mean rank."""
    ordered = sorted(scores, key=lambda k: scores[k] if lower_is_better else -scores[k])
    ranks = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and math.isclose(
            scores[ordered[j + 1]], scores[ordered[i]], rel_tol=0, abs_tol=1e-12
        ):
            j += 1
        for k in ordered[i : j + 1]:
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def summarize(records, reference=REFERENCE):
    """Per data set and overall figures of every model.

    Parameters
    ----------
    records : list of dict
        What :func:`evaluate` returns.
    reference : str, default='MLP'
        The model whose fit time the ratios divide by (if present).

    Returns
    -------
    summary : dict
        ``per_dataset[dataset][model]`` and ``overall[model]``, each a dict of
        ``accuracy, log_loss, rank_accuracy, rank_log_loss, fit_cpu_s`` (median),
        ``time_ratio`` (median fit time over the reference's, within the data set; overall the
        ratio of the medians over all fits and ``time_ratio_geomean``, the geometric mean of the
        per-data-set ratios), ``convergence_warnings`` (fits with one) and ``fits``.
    """
    groups = defaultdict(list)
    for r in records:
        groups[r["dataset"], r["model"]].append(r)
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    models = list(dict.fromkeys(r["model"] for r in records))
    per_dataset = {}
    for d in datasets:
        rows = {}
        for m in models:
            g = groups[d, m]
            rows[m] = {
                "accuracy": _mean([r["accuracy"] for r in g]),
                "log_loss": _mean([r["log_loss"] for r in g]),
                "fit_cpu_s": statistics.median(r["fit_cpu_s"] for r in g),
                "convergence_warnings": sum(r["convergence_warning"] for r in g),
                "fits": len(g),
            }
        acc_rank = _ranks({m: rows[m]["accuracy"] for m in models})
        ll_rank = _ranks({m: rows[m]["log_loss"] for m in models}, lower_is_better=True)
        for m in models:
            rows[m]["rank_accuracy"] = acc_rank[m]
            rows[m]["rank_log_loss"] = ll_rank[m]
            if reference in rows:
                rows[m]["time_ratio"] = rows[m]["fit_cpu_s"] / rows[reference]["fit_cpu_s"]
        per_dataset[d] = rows
    overall = {}
    for m in models:
        fits = [r for r in records if r["model"] == m]
        row = {
            key: _mean([per_dataset[d][m][key] for d in datasets])
            for key in ("accuracy", "log_loss", "rank_accuracy", "rank_log_loss")
        }
        row["fit_cpu_s"] = statistics.median(r["fit_cpu_s"] for r in fits)
        row["convergence_warnings"] = sum(r["convergence_warning"] for r in fits)
        row["fits"] = len(fits)
        if reference in models:
            ref = statistics.median(r["fit_cpu_s"] for r in records if r["model"] == reference)
            row["time_ratio"] = row["fit_cpu_s"] / ref
            row["time_ratio_geomean"] = math.exp(
                _mean([math.log(per_dataset[d][m]["time_ratio"]) for d in datasets])
            )
        overall[m] = row
    return {"per_dataset": per_dataset, "overall": overall, "datasets": datasets,
            "models": models}


def tables(summary):
    """The printed tables (Markdown): accuracy and log loss per data set, then the overall one."""
    models, datasets = summary["models"], summary["datasets"]
    per = summary["per_dataset"]
    out = []
    for key, title, scale, digits in (
        ("accuracy", "mean accuracy (%)", 100, 2),
        ("log_loss", "mean log loss", 1, 4),
    ):
        rows = []
        for d in datasets:
            values = {m: per[d][m][key] for m in models}
            best = (max if key == "accuracy" else min)(values.values())
            rows.append([d] + [
                f"{'**' if v == best else ''}{v * scale:.{digits}f}{'**' if v == best else ''}"
                for v in values.values()
            ])
        out.append(f"{title}, per data set (best in bold)\n")
        out.append(table(["data set", *models], rows))
        out.append("")
    time_rows = [
        [d] + [f"{per[d][m]['fit_cpu_s']:.3g} ({per[d][m].get('time_ratio', float('nan')):.2f}x)"
               + (f", {per[d][m]['convergence_warnings']}w" if per[d][m]["convergence_warnings"]
                  else "")
               for m in models]
        for d in datasets
    ]
    out.append(f"median fit CPU s (x {REFERENCE}), and fits with a ConvergenceWarning (w)\n")
    out.append(table(["data set", *models], time_rows))
    out.append("")
    ov = summary["overall"]
    rows = [
        [
            m,
            f"{ov[m]['accuracy'] * 100:.2f}",
            f"{ov[m]['log_loss']:.4f}",
            f"{ov[m]['rank_accuracy']:.2f}",
            f"{ov[m]['rank_log_loss']:.2f}",
            f"{ov[m]['fit_cpu_s']:.3g}",
            f"{ov[m].get('time_ratio', float('nan')):.2f}",
            f"{ov[m].get('time_ratio_geomean', float('nan')):.2f}",
            f"{ov[m]['convergence_warnings']}/{ov[m]['fits']}",
        ]
        for m in models
    ]
    out.append(f"overall, {len(datasets)} data sets\n")
    out.append(table(
        ["model", "accuracy %", "log loss", "rank (acc)", "rank (log loss)",
         "median fit CPU s", f"x {REFERENCE} (medians)", f"x {REFERENCE} (geo-mean)",
         "ConvergenceWarning fits"],
        rows,
    ))
    return "\n".join(out)


def plot(summary, records, path):
    """Write a PNG: accuracy per data set per model, and each model's difference to the reference.

    Parameters
    ----------
    summary : dict
        What :func:`summarize` returns.
    records : list of dict
        The per-fit records (for the spread of the paired differences).
    path : str or Path
        Where to write the PNG.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models, datasets = summary["models"], summary["datasets"]
    per = summary["per_dataset"]
    order = sorted(datasets, key=lambda d: max(per[d][m]["accuracy"] for m in models))
    y = np.arange(len(order))
    markers = "osD^vP*X"
    fig, axes = plt.subplots(
        1, 2, figsize=(12, 0.38 * len(order) + 1.8), sharey=True,
        gridspec_kw={"width_ratios": [1.1, 1]},
    )
    offsets = np.linspace(-0.25, 0.25, len(models))
    by_split = defaultdict(dict)
    for r in records:
        by_split[r["dataset"], r["split"]][r["model"]] = r["accuracy"]
    for i, m in enumerate(models):
        acc = [per[d][m]["accuracy"] * 100 for d in order]
        axes[0].scatter(acc, y + offsets[i], marker=markers[i % len(markers)], s=28, label=m,
                        zorder=3)
        if m == REFERENCE or REFERENCE not in models:
            continue
        means, errs = [], []
        for d in order:
            diffs = [100 * (v[m] - v[REFERENCE]) for (dd, _), v in by_split.items() if dd == d]
            means.append(_mean(diffs))
            errs.append(statistics.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else 0)
        axes[1].errorbar(means, y + offsets[i], xerr=errs, fmt=markers[i % len(markers)],
                         ms=5, capsize=2, label=m, color=f"C{i}", zorder=3)
    axes[0].set_yticks(y, order)
    axes[0].set_xlabel("mean accuracy (%)")
    axes[0].set_title("accuracy per data set")
    axes[0].grid(axis="x", alpha=0.3)
    axes[0].legend(loc="lower right", fontsize=8)
    axes[1].axvline(0, color="k", lw=1)
    axes[1].set_xlabel(f"accuracy - {REFERENCE}'s (points, mean ± s.e. over splits)")
    axes[1].set_title(f"difference to {REFERENCE} on the same splits")
    axes[1].grid(axis="x", alpha=0.3)
    for ax in axes:
        for k in y[::2]:
            ax.axhspan(k - 0.5, k + 0.5, color="0.95", zorder=0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(records, summary, out_dir, meta):
    """Write ``tabular.csv`` (one row per fit), ``tabular.json`` (summary) and ``tabular.png``."""
    import csv

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "tabular.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    with open(out_dir / "tabular.json", "w") as f:
        json.dump({"meta": meta, **summary}, f, indent=1)
    plot(summary, records, out_dir / "tabular.png")
    return out_dir


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="+", choices=sorted(BY_NAME), help="default: all")
    p.add_argument("--models", nargs="+", choices=list(MODELS), help="default: all")
    p.add_argument("--folds", type=int, default=None, help="CV folds (default 5, quick 2)")
    p.add_argument("--out", default=str(RESULTS), help="folder for the CSV, JSON and PNG")
    p.add_argument("--describe", action="store_true", help="only print the data sets' facts")
    args = p.parse_args(argv)
    repeats = (args.repeats or 1) if args.quick else (args.repeats or 3)
    folds = args.folds or (2 if args.quick else 5)
    names = args.datasets or (QUICK if args.quick else [d.name for d in DATASETS])
    model_names = args.models or (QUICK_MODELS if args.quick else list(MODELS))
    datasets, missing = [], []
    for name in names:
        (datasets if BY_NAME[name].available() else missing).append(BY_NAME[name])
    print(f"# bench_tabular: {machine_line()}")
    print(f"# {repeats} x {folds}-fold stratified CV (random_state=0), one thread per fit; "
          f"fit times are CPU seconds")
    for d in missing:
        print(f"# skipped {d.name}: package {d.package!r} is not installed")
    facts = []
    for d in list(datasets):
        try:
            facts.append(describe(d))
        except Exception as error:  # a package that installed but cannot read its data
            print(f"# skipped {d.name}: {type(error).__name__}: {error}")
            datasets.remove(d)
    if not datasets:
        raise SystemExit("no data set available")
    print()
    print(table(
        ["data set", "package", "rows", "numeric", "categorical", "one-hot width", "classes",
         "missing cells", "majority %"],
        [[f["name"], f["package"], f["rows"], f["numeric"], f["categorical"],
          f["one_hot_width"], f["classes"], f["missing_cells"], f"{100 * f['majority']:.1f}"]
         for f in facts],
    ))
    if args.describe:
        return
    print()
    print("models: " + "; ".join(f"{m} = {MODEL_LONG_NAMES[m]}" for m in model_names))
    start = time.perf_counter()
    records = evaluate(
        datasets, {m: MODELS[m] for m in model_names}, repeats, folds,
        progress=lambda line: print(f"# {line}", file=sys.stderr, flush=True),
    )
    summary = summarize(records)
    print()
    print(tables(summary))
    meta = {"repeats": repeats, "folds": folds, "machine": machine_line(),
            "models": {m: MODEL_LONG_NAMES[m] for m in model_names}, "datasets": facts,
            "seconds": time.perf_counter() - start}
    out = write_outputs(records, summary, args.out, meta)
    print()
    print(f"# {len(records)} fits in {meta['seconds']:.0f} s; wrote {out}/tabular.csv, "
          f"tabular.json, tabular.png")


if __name__ == "__main__":
    main()
