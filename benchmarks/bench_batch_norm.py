"""Batch normalization's price and payoff: epoch time with and without it, and what it changes.

Two tables, from one run:

- **cost**: seconds per epoch of ``DeepNetClassifier`` with ``batch_normalization=True`` and
  without, in float32, on the MNIST-shaped problem of ``bench_training.py`` (60000 x 784, 10
  classes, hidden (256, 128), relu, adam, batch 200) and on the deeper network of the effect
  table (hidden (256, 256, 256) on the covertype-shaped set, where the normalization's
  elementwise work weighs more against the matrix products), repeats interleaved
  (A B A B ...) and the ratio paired by repeat; PyTorch's ``BatchNorm1d`` in the same network
  and loop gives the same ratio for reference when it is installed;
- **effect**: a deeper network, hidden (256, 256, 256), trained with and without batch
  normalization on scikit-learn's digits and on a covertype-shaped synthetic set (54 features,
  7 classes, ``make_classification``), with adam (the default, learning rate 1e-3) and with
  plain SGD at a larger step (0.1), for several seeds: held-out accuracy and log loss after a
  fixed number of epochs, and the epochs needed to bring the training loss under a threshold.
  Each seed draws its own split, initialization and shuffles; nothing is tuned.

Run: ``python benchmarks/bench_batch_norm.py`` (``--quick`` for a seconds-long smoke run;
``--part cost`` or ``--part effect`` for one table).
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fmt_range, interleave, machine_line, paired_ratio, parser, summary, table  # noqa: E402
from bench_training import BATCH, HIDDEN, LEARNING_RATE, import_torch, make_data  # noqa: E402

from sklearn_deepnet import DeepNetClassifier  # noqa: E402

DEEP = (256, 256, 256)
SETTINGS = {  # name -> parameters of the effect table's fits
    "adam 1e-3": dict(solver="adam", learning_rate_init=1e-3),
    "sgd 0.1": dict(solver="sgd", learning_rate_init=0.1, momentum=0.9),
}
LOSS_THRESHOLD = 0.1


# -- cost --------------------------------------------------------------------------------------


def fit_ours(X, y, epochs, normalize, hidden=HIDDEN):
    return DeepNetClassifier(
        hidden_layer_sizes=hidden, batch_size=BATCH, learning_rate_init=LEARNING_RATE,
        max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, random_state=0,
        batch_normalization=normalize,
    ).fit(X, y)


def fit_torch(torch, X, y, epochs, normalize, hidden=HIDDEN):
    """The same network and loop as ``bench_training.TorchModel``, optionally with BatchNorm1d."""
    nn = torch.nn
    torch.manual_seed(0)
    sizes = (X.shape[1], *hidden, int(np.unique(y).size))
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(fan_in, fan_out, dtype=torch.float32))
        if i < len(sizes) - 2:
            if normalize:
                layers.append(nn.BatchNorm1d(fan_out, eps=1e-5, momentum=0.1,
                                             dtype=torch.float32))
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    for _ in range(epochs):
        order = torch.randperm(X.shape[0])
        for start in range(0, X.shape[0], BATCH):
            rows = order[start : start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X_t[rows]), y_t[rows]).backward()
            optimizer.step()
    return model


def cost_cases(quick):
    """``name -> (X, y, hidden)`` of the cost table, in float32."""
    X, y, _, _ = make_data("mnist", quick)
    _, (X_deep, y_deep) = list(effect_data(quick).items())[1]
    X_deep = StandardScaler().fit_transform(X_deep)
    deep = (16, 16, 16) if quick else DEEP
    return {
        f"MNIST-shaped ({X.shape[0]} x {X.shape[1]}), hidden {HIDDEN}": (X, y, HIDDEN),
        f"covertype-shaped ({X_deep.shape[0]} x {X_deep.shape[1]}), hidden {deep}":
            (X_deep, y_deep, deep),
    }


def cost_table(args, repeats, epochs):
    torch = None if args.no_torch else import_torch()
    print(f"\n## cost: float32, relu, adam, batch {BATCH}; {repeats} interleaved repeats x "
          f"{epochs} epochs\n")
    rows, ratios = [], []
    for case, (X, y, hidden) in cost_cases(args.quick).items():
        case_rows, ratio = cost_case(X.astype(np.float32), y, hidden, torch, repeats, epochs)
        rows += [[case, *row] for row in case_rows]
        ratios.append(f"{case}: batch normalization costs {ratio}")
    print(table(["case", "model", "s/epoch median (min-max)", "/ without BN (paired)"], rows))
    print()
    print("\n".join(ratios))


def cost_case(X, y, hidden, torch, repeats, epochs):
    """The rows of one case, and a sentence with the paired ratios."""

    def timer(fit):
        def run():
            start = time.perf_counter()
            fit()
            return (time.perf_counter() - start) / epochs

        return run

    runners = {
        "ours": timer(lambda: fit_ours(X, y, epochs, False, hidden)),
        "ours + BN": timer(lambda: fit_ours(X, y, epochs, True, hidden)),
    }
    if torch is not None:
        runners["PyTorch"] = timer(lambda: fit_torch(torch, X, y, epochs, False, hidden))
        runners["PyTorch + BN"] = timer(lambda: fit_torch(torch, X, y, epochs, True, hidden))
    times = interleave(runners, repeats)
    rows = []
    for name, base in (("ours", "ours"), ("PyTorch", "PyTorch")):
        if base not in times:
            continue
        for variant in (name, f"{name} + BN"):
            rows.append([
                variant, fmt_range(summary(times[variant])),
                fmt_range(paired_ratio(times[variant], times[base])),
            ])
    ours = paired_ratio(times["ours + BN"], times["ours"])[0]
    reference = ""
    if "PyTorch" in times:
        reference = f" (PyTorch's: {paired_ratio(times['PyTorch + BN'], times['PyTorch'])[0]:.2f}x)"
    return rows, f"{ours:.2f}x the epoch without it{reference}"


# -- effect ------------------------------------------------------------------------------------


def effect_data(quick):
    """``name -> (X, y)``: digits, and a covertype-shaped synthetic set."""
    X_digits, y_digits = load_digits(return_X_y=True)
    n_samples = 1500 if quick else 20000
    X_cov, y_cov = make_classification(
        n_samples=n_samples, n_features=54, n_informative=20, n_redundant=10, n_classes=7,
        n_clusters_per_class=3, weights=[0.36, 0.49, 0.06, 0.005, 0.016, 0.03, 0.039],
        flip_y=0.02, class_sep=1.0, random_state=0,
    )
    return {"digits (1797 x 64)": (X_digits, y_digits),
            f"covertype-shaped ({n_samples} x 54)": (X_cov, y_cov)}


def epochs_to(curve, threshold):
    """The first epoch (1-based) whose training loss is below ``threshold``, else ``None``."""
    return next((i + 1 for i, value in enumerate(curve) if value < threshold), None)


def effect_table(args, seeds, epochs):
    hidden = (16, 16, 16) if args.quick else DEEP
    rows, wins = [], []
    for data_name, (X, y) in effect_data(args.quick).items():
        for setting, params in SETTINGS.items():
            results = {False: [], True: []}
            for seed in range(seeds):
                X_train, X_test, y_train, y_test = train_test_split(
                    X, y, test_size=0.25, stratify=y, random_state=seed
                )
                scaler = StandardScaler().fit(X_train)
                X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
                for normalize in (False, True):
                    est = DeepNetClassifier(
                        hidden_layer_sizes=hidden, max_iter=epochs, tol=0.0,
                        n_iter_no_change=epochs + 1, random_state=seed,
                        batch_normalization=normalize, **params,
                    ).fit(X_train, y_train)
                    proba = est.predict_proba(X_test)
                    results[normalize].append((
                        est.score(X_test, y_test),
                        log_loss(y_test, proba, labels=est.classes_),
                        epochs_to(est.loss_curve_, LOSS_THRESHOLD),
                    ))
            for normalize in (False, True):
                accuracy, loss, reached = zip(*results[normalize], strict=True)
                hit = [r for r in reached if r is not None]
                rows.append([
                    data_name, setting, "yes" if normalize else "no",
                    f"{100 * np.mean(accuracy):.2f} ± {100 * np.std(accuracy):.2f}",
                    f"{np.mean(loss):.3f} ± {np.std(loss):.3f}",
                    f"{np.median(hit):.0f} ({len(hit)}/{seeds})" if hit else f"- (0/{seeds})",
                ])
            paired = list(zip(results[False], results[True], strict=True))
            wins.append(
                f"{data_name}, {setting}: batch normalization more accurate for "
                f"{sum(b[0] > a[0] for a, b in paired)} of {seeds} seeds, lower log loss for "
                f"{sum(b[1] < a[1] for a, b in paired)}; accuracy difference (with - without) "
                f"{100 * np.mean([b[0] - a[0] for a, b in paired]):+.2f} points"
            )
    print(f"\n## effect: hidden {hidden}, {epochs} epochs, batch 200, {seeds} seeds (each its own "
          "split, initialization and shuffles), held-out 25%\n")
    print(table(
        ["data", "solver", "BN", "test accuracy % (mean ± sd)", "test log loss",
         f"epochs to train loss < {LOSS_THRESHOLD} (median, seeds)"],
        rows,
    ))
    print()
    print("\n".join(wins))


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--part", choices=["cost", "effect", "both"], default="both")
    p.add_argument("--seeds", type=int, default=None, help="seeds of the effect table (5)")
    p.add_argument("--epochs", type=int, default=None,
                   help="epochs per fit: cost table (2), effect table (30)")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"# bench_batch_norm: {machine_line()}")
    if args.part in ("cost", "both"):
        repeats = args.repeats or (1 if args.quick else 5)
        cost_table(args, repeats, args.epochs or (1 if args.quick else 2))
    if args.part in ("effect", "both"):
        effect_table(args, args.seeds or (2 if args.quick else 5),
                     args.epochs or (3 if args.quick else 30))


if __name__ == "__main__":
    main()
