"""Evidence study for the tabular recipe: which changes to DeepNetClassifier's defaults help.

Each variant is ``DeepNetClassifier(**changes)`` with existing parameters only, run on the data
sets of ``bench_tabular.py`` through the same preprocessing, on the same repeated stratified
CV splits and seeds (so the variants, the default and the references are paired split by
split). For each variant it reports the change against the default in accuracy (points) and
log loss, per data set and overall: the mean over data sets, its standard error across data
sets, on how many data sets it helps or hurts by more than twice the split-to-split standard
error, and the fit-time ratio to MLPClassifier's on the same splits.

Results are kept one CSV per variant under ``--out`` (a variant already there is not run
again), so the study can be run in pieces and extended:

    python benchmarks/study_recipe.py --variants base es long ...   # run (skips finished ones)
    python benchmarks/study_recipe.py --report                      # the tables only
"""

import csv
import math
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.ensemble import BaggingClassifier, HistGradientBoostingClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine_line, parser, table  # noqa: E402
from _tabular_data import BY_NAME, DATASETS  # noqa: E402
from bench_tabular import evaluate  # noqa: E402

from sklearn_deepnet import DeepNetClassifier  # noqa: E402
from sklearn_deepnet.preprocessing import PiecewiseLinearEncoder, SmoothClipScaler  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "study"

# Early stopping on the validation *loss*: the default score when the first part of the
# study ran (scoring=None, validation accuracy, is the default since the drop-in work of
# issue 10; ``recipe_accuracy`` below measures the difference).
ES = dict(early_stopping=True, scoring="loss")
ES_PATIENT = dict(early_stopping=True, scoring="loss", n_iter_no_change=20, max_iter=1000)


def with_features(*steps):
    """A variant that adds feature transformers between the common preprocessing and the net.

    Returns a function ``params -> factory`` so the variant can still change the net's
    parameters.
    """
    return lambda **params: (lambda: make_pipeline(*steps, DeepNetClassifier(**params)))


ROBUST_SMOOTH_CLIP = with_features(SmoothClipScaler())
RSC_PIECEWISE_LINEAR = with_features(SmoothClipScaler(), PiecewiseLinearEncoder())
RECIPE = dict(ES_PATIENT, alpha=0.1, batch_size=64)


def ensemble(n_estimators, **params):
    """The features of the recipe, then ``n_estimators`` networks averaged (as the recipe's
    ``BaggingClassifier``: every row and feature, a seed of its own for each network)."""
    return lambda: make_pipeline(
        SmoothClipScaler(), PiecewiseLinearEncoder(),
        BaggingClassifier(DeepNetClassifier(**params), n_estimators=n_estimators,
                          max_samples=1.0, bootstrap=False),
    )

#: ``name -> DeepNetClassifier parameters`` (or a factory of a pipeline ending in one): one
#: change at a time, then combinations.
VARIANTS = {
    "base": {},
    # stopping and training length (early stopping restores the best epoch's weights)
    "es": ES,
    "es_patient": ES_PATIENT,
    "es_patient_val20": {**ES_PATIENT, "validation_fraction": 0.2},
    "long": dict(max_iter=1000),
    # step size, schedules and batch size
    "lr_3e-3": dict(learning_rate_init=3e-3),
    "lr_3e-4": dict(learning_rate_init=3e-4),
    "adaptive": dict(learning_rate="adaptive"),
    "exponential": dict(learning_rate="exponential", decay_rate=0.5, decay_steps=20),
    "batch_32": dict(batch_size=32),
    # capacity, regularization, solver
    "deep_100x2": dict(hidden_layer_sizes=(100, 100)),
    "alpha_1e-1": dict(alpha=1e-1),
    "dropout_0.1": dict(dropout=0.1),
    "lbfgs": dict(solver="lbfgs"),
    # feature transformation after the common preprocessing (robust scale, smooth clip)
    "robust_smooth_clip": ROBUST_SMOOTH_CLIP(),
    # round 2: changes on top of early stopping with patience
    "es_patient_lr_3e-3": {**ES_PATIENT, "learning_rate_init": 3e-3},
    "es_patient_adaptive": {**ES_PATIENT, "learning_rate": "adaptive"},
    "es_patient_batch_64": {**ES_PATIENT, "batch_size": 64},
    "es_patient_wide_256": {**ES_PATIENT, "hidden_layer_sizes": (256,)},
    "es_patient_deep_256x2": {**ES_PATIENT, "hidden_layer_sizes": (256, 256)},
    "es_patient_tanh": {**ES_PATIENT, "activation": "tanh"},
    "es_patient_alpha_1e-2": {**ES_PATIENT, "alpha": 1e-2},
    "es_patient_alpha_1e-1": {**ES_PATIENT, "alpha": 1e-1},
    "es_patient_dropout_0.1": {**ES_PATIENT, "dropout": 0.1},
    "es_patient_dropout_0.3": {**ES_PATIENT, "dropout": 0.3},
    "es_patient_robust_smooth_clip": ROBUST_SMOOTH_CLIP(**ES_PATIENT),
    # round 3: the small gains together; a numeric encoding for the data sets boosting wins
    "es_rsc_alpha_1e-1_batch_64": ROBUST_SMOOTH_CLIP(**ES_PATIENT, alpha=0.1, batch_size=64),
    "es_rsc_piecewise_linear": RSC_PIECEWISE_LINEAR(**ES_PATIENT),
    "es_rsc_piecewise_linear_alpha_1e-1": RSC_PIECEWISE_LINEAR(**ES_PATIENT, alpha=0.1),
    "es_rsc_piecewise_linear_alpha_1e-1_batch_64": RSC_PIECEWISE_LINEAR(
        **ES_PATIENT, alpha=0.1, batch_size=64
    ),
    # ablations of the last one: without early stopping (200 epochs, the last one kept), and
    # without the robust scale and smooth clip
    "rsc_piecewise_linear_alpha_1e-1_batch_64": RSC_PIECEWISE_LINEAR(alpha=0.1, batch_size=64),
    "es_piecewise_linear_alpha_1e-1_batch_64": with_features(PiecewiseLinearEncoder())(
        **ES_PATIENT, alpha=0.1, batch_size=64
    ),
    # second part: the toolbox of issue 13 on top of the provisional recipe (the same
    # configuration as es_rsc_piecewise_linear_alpha_1e-1_batch_64, run again on the library
    # transformers), one change at a time
    "recipe_loss": RSC_PIECEWISE_LINEAR(**RECIPE),
    "recipe_accuracy": RSC_PIECEWISE_LINEAR(**{**RECIPE, "scoring": None}),
    "recipe_label_smoothing_0.1": RSC_PIECEWISE_LINEAR(**RECIPE, label_smoothing=0.1),
    "recipe_label_smoothing_0.03": RSC_PIECEWISE_LINEAR(**RECIPE, label_smoothing=0.03),
    "recipe_weight_decay_1": RSC_PIECEWISE_LINEAR(**{**RECIPE, "alpha": 1e-4}, weight_decay=1.0),
    "recipe_weight_decay_3": RSC_PIECEWISE_LINEAR(**{**RECIPE, "alpha": 1e-4}, weight_decay=3.0),
    "recipe_cosine_100": RSC_PIECEWISE_LINEAR(
        **{**RECIPE, "max_iter": 100, "n_iter_no_change": np.inf}, learning_rate="cosine"
    ),
    "recipe_one_cycle_100_lr_3e-3": RSC_PIECEWISE_LINEAR(
        **{**RECIPE, "max_iter": 100, "learning_rate_init": 3e-3}, learning_rate="one_cycle"
    ),
    "recipe_wide_256": RSC_PIECEWISE_LINEAR(**RECIPE, hidden_layer_sizes=(256,)),
    "recipe_batch_norm": RSC_PIECEWISE_LINEAR(**RECIPE, batch_normalization=True),
    "recipe_ensemble_3": ensemble(3, **RECIPE),
    "recipe_ensemble_5": ensemble(5, **RECIPE),
}

#: Reference models run once on the same splits.
REFERENCES = {
    "MLP": lambda: MLPClassifier(),
    "HGB": lambda: HistGradientBoostingClassifier(),
}


def factory(params):
    """A zero-argument function building ``DeepNetClassifier(**params)``."""
    return lambda: DeepNetClassifier(**params)


def run(names, datasets, repeats, folds, out):
    """Run the variants (or references) not yet stored under ``out``; one CSV per name.

    A variant being run holds a ``<name>.running`` file there, so that several processes can
    be given the same list; delete stale ones left by an interrupted run.
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = out / f"{name}.csv"
        claim = out / f"{name}.running"
        if path.exists():
            continue
        try:  # several processes may share one list: each variant is run by whoever claims it
            claim.open("x").close()
        except FileExistsError:
            continue
        if name in REFERENCES:
            make = REFERENCES[name]
        elif callable(VARIANTS[name]):
            make = VARIANTS[name]
        else:
            make = factory(VARIANTS[name])
        start = time.perf_counter()
        records = evaluate(datasets, {name: make}, repeats, folds)
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
        claim.unlink()
        print(f"# {name}: {len(records)} fits, {time.perf_counter() - start:.0f} s",
              file=sys.stderr, flush=True)


def load(out):
    """All stored records: ``{name: {(dataset, split): record}}``."""
    stored = {}
    for path in sorted(out.glob("*.csv")):
        with open(path) as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            for key in ("accuracy", "log_loss", "fit_cpu_s", "fit_wall_s"):
                r[key] = float(r[key])
            for key in ("split", "convergence_warning", "n_iter"):
                r[key] = int(r[key])
        stored[path.stem] = {(r["dataset"], r["split"]): r for r in rows}
    return stored


def effects(variant, base):
    """Paired effect of ``variant`` against ``base`` per data set.

    Returns
    -------
    per_dataset : dict
        ``dataset -> (mean accuracy change in points, its standard error over splits, mean
        log-loss change)``, over the splits both have.
    """
    diffs = defaultdict(list)
    for key, r in variant.items():
        if key in base:
            gain = 100 * (r["accuracy"] - base[key]["accuracy"])
            diffs[key[0]].append((gain, r["log_loss"] - base[key]["log_loss"]))
    per = {}
    for d, pairs in diffs.items():
        acc = [a for a, _ in pairs]
        se = statistics.stdev(acc) / math.sqrt(len(acc)) if len(acc) > 1 else float("nan")
        per[d] = (statistics.fmean(acc), se, statistics.fmean(ll for _, ll in pairs))
    return per


def median_time(records, keys):
    """Median fit CPU seconds of ``records`` over ``keys``."""
    return statistics.median(records[k]["fit_cpu_s"] for k in keys)


def report(stored, baseline="base", reference="MLP"):
    """The study's tables: the overall effect of each variant, then accuracy change per data set."""
    base = stored[baseline]
    versus_name = "default" if baseline == "base" else baseline
    datasets = list(dict.fromkeys(d for d, _ in base))
    names = [n for n in stored if n not in REFERENCES]
    names = sorted(names, key=lambda n: list(VARIANTS).index(n) if n in VARIANTS else 1e9)
    rows, per_rows = [], []
    for name in names + [n for n in REFERENCES if n in stored]:
        records = stored[name]
        per = effects(records, base)
        common = [d for d in datasets if d in per]
        gains = [per[d][0] for d in common]
        mean = statistics.fmean(gains)
        se = statistics.stdev(gains) / math.sqrt(len(gains)) if len(gains) > 1 else float("nan")
        better = sum(per[d][0] > 2 * per[d][1] for d in common)
        worse = sum(per[d][0] < -2 * per[d][1] for d in common)
        up = sum(g > 0 for g in gains)
        keys = [k for k in records if k in base]
        ratio = float("nan")
        if reference in stored:
            ref_keys = [k for k in keys if k in stored[reference]]
            ratio = median_time(records, ref_keys) / median_time(stored[reference], ref_keys)
        acc = statistics.fmean(
            statistics.fmean(r["accuracy"] for k, r in records.items() if k[0] == d)
            for d in common
        )
        ll = statistics.fmean(
            statistics.fmean(r["log_loss"] for k, r in records.items() if k[0] == d)
            for d in common
        )
        versus = []
        for ref in REFERENCES:
            if ref in stored:
                vs = effects(records, stored[ref])
                versus.append(f"{statistics.fmean(vs[d][0] for d in common):+.2f}")
            else:
                versus.append("-")
        warned = sum(r["convergence_warning"] for r in records.values())
        epochs = statistics.median(r["n_iter"] for r in records.values())
        rows.append([
            name, len(common), f"{100 * acc:.2f}", f"{mean:+.2f} ± {se:.2f}",
            f"{up}/{len(common)}", f"{better}/{worse}", *versus,
            f"{statistics.fmean(per[d][2] for d in common):+.4f}", f"{ll:.4f}",
            f"{ratio:.2f}", f"{warned}/{len(records)}", f"{epochs:g}",
        ])
        per_rows.append([name] + [f"{per[d][0]:+.1f}" if d in per else "" for d in datasets])
    out = [table(
        ["variant", "data sets", "accuracy %",
         f"Δacc vs {versus_name} (pts, ± s.e. over data sets)",
         "Δacc > 0", "sig. better/worse", *(f"Δacc vs {r}" for r in REFERENCES), "Δlog loss",
         "log loss", f"fit time x {reference}",
         "ConvergenceWarning fits", "median epochs"],
        rows,
    )]
    out.append("")
    out.append(f"accuracy change against {versus_name}, per data set (points)")
    out.append("")
    out.append(table(["variant", *datasets], per_rows))
    return "\n".join(out)


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--variants", nargs="+", choices=[*VARIANTS, *REFERENCES],
                   help="default: the default, the references and every variant")
    p.add_argument("--datasets", nargs="+", choices=sorted(BY_NAME), help="default: all")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--out", default=str(OUT))
    p.add_argument("--report", action="store_true", help="only print the tables")
    p.add_argument("--baseline", default="base",
                   help="the variant the others are paired with in the tables (default: base); "
                        "with --variants, the tables show only those")
    args = p.parse_args(argv)
    out = Path(args.out)
    repeats = args.repeats or (1 if args.quick else 2)
    folds = 2 if args.quick else args.folds
    if not args.report:
        names = args.variants or ["base", *REFERENCES, *VARIANTS]
        datasets = [BY_NAME[n] for n in args.datasets] if args.datasets else [
            d for d in DATASETS if d.available()
        ]
        run(names, datasets, repeats, folds, out)
    print(f"# study_recipe: {machine_line()}")
    print(f"# {repeats} x {folds}-fold stratified CV, paired with {args.baseline!r} split by split")
    print()
    stored = load(out)
    if args.variants:
        shown = {"base", args.baseline, *REFERENCES, *args.variants}
        stored = {name: records for name, records in stored.items() if name in shown}
    print(report(stored, baseline=args.baseline))


if __name__ == "__main__":
    main()
