"""The command-line options of the training run and of ``predict``, and the checks argparse
cannot express."""

import argparse
import os

from .. import __version__
from ._errors import DataError

#: Default file the training run saves its model to.
DEFAULT_OUTPUT = "deepnet_model.deepnet"
#: Default wall-clock budget of the hyper-parameter search, in seconds.
DEFAULT_TIME_BUDGET = 120.0
BUILTIN_DATASETS = ("breast_cancer", "digits", "iris", "wine")

_DESCRIPTION = """\
Train a neural network on a data set and save it. The data is a scikit-learn bundled data set
(--dataset, default digits) or your own file (--file: CSV/TSV/text, Excel or Parquet, with a
--target column). Columns are typed (numbers: median-imputed and standardized; text: imputed
and one-hot encoded), ID-like columns are dropped, and the task (classification or
regression) follows from the target. A 3-fold grid search over hidden layers, activation and
learning rate is sized to --time-budget from a measured cost estimate (on a row subsample when
the data is large, then refit on all training rows), with a progress line per candidate. The
tuned network is scored on a held-out quarter of the rows and compared with a linear model and
scikit-learn's MLP; the fitted pipeline (preprocessing + network) is saved with
sklearn_deepnet.dump, reloaded and checked. Predict new rows with:
  python -m sklearn_deepnet predict MODEL FILE [--output preds.csv] [--proba]"""

_EPILOG = (
    "Exit codes: 0 success; 1 the reloaded model predicts differently from the trained one; "
    "2 bad arguments or unusable data (a one-line message on stderr). Reading files needs "
    "pandas: pip install 'sklearn_deepnet[files]'."
)


def build_train_parser():
    """Build the parser of the training run (``python -m sklearn_deepnet [options]``).

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser; its arguments are checked further by :func:`check_train_args`.
    """
    parser = argparse.ArgumentParser(
        prog="sklearn-deepnet",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset", choices=BUILTIN_DATASETS, default="digits",
        help="scikit-learn bundled data set, used when --file is not given (default: digits)",
    )
    data.add_argument(
        "--file", "--csv", dest="file", metavar="PATH",
        help="your own data: .csv/.tsv/.txt (optionally .gz/.bz2/.xz), .xlsx/.xls or .parquet",
    )
    data.add_argument("--target", metavar="COLUMN", help="the column to predict (with --file)")
    data.add_argument(
        "--task", choices=("auto", "classification", "regression"), default="auto",
        help="auto (default): regression for a numeric target with fractional values or more "
        "than 20 distinct values, classification otherwise",
    )
    data.add_argument(
        "--drop", action="append", default=[], metavar="COLUMN",
        help="a column not to use as a feature (repeat it, or separate names by commas)",
    )
    add_file_options(parser)
    _add_search_options(parser)
    out = parser.add_argument_group("output")
    out.add_argument(
        "--output", default=DEFAULT_OUTPUT, metavar="PATH",
        help=f"where to save the fitted pipeline (default: ./{DEFAULT_OUTPUT})",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _add_search_options(parser):
    """Add the options of the search and of the run's resources."""
    run = parser.add_argument_group("search")
    run.add_argument(
        "--quick", action="store_true",
        help="smoke test: 2 candidates (hidden_layer_sizes (16,), relu/tanh), 30 epochs",
    )
    run.add_argument(
        "--time-budget", type=float, default=DEFAULT_TIME_BUDGET, metavar="SECONDS",
        help="wall-clock budget of the search (default: %(default)g): the grid and the rows it "
        "runs on are chosen from a measured cost estimate to fit in it, and the search stops "
        "before a candidate that would overrun it; the final refit comes on top",
    )
    run.add_argument(
        "--max-iter", type=int, default=None, metavar="INT",
        help="epochs per network fit (default: 200, or 30 with --quick)",
    )
    run.add_argument(
        "--n-jobs", type=int, default=1, metavar="INT",
        help="parallel fits in the search, -1 for all cores (default: 1)",
    )
    run.add_argument(
        "--progress", choices=("auto", "bar", "lines"), default="auto",
        help="bar: scikit-learn's callback ProgressBar (scikit-learn >= 1.9 and rich; the "
        "search is sized to the budget but not stopped midway); lines: one line per candidate; "
        "auto (default): bar on a terminal when available, else lines",
    )
    run.add_argument(
        "--compare", choices=("auto", "all", "none"), default="auto",
        help="models fitted on the same split for comparison: all: a linear model and "
        "scikit-learn's MLP with the best parameters; none; auto (default): all, except the "
        "MLP when the search ran on a subsample (it would take about as long as the refit)",
    )
    run.add_argument(
        "--no-compare", dest="compare", action="store_const", const="none",
        help="the same as --compare none",
    )
    run.add_argument(
        "--random-state", type=int, default=0, metavar="INT",
        help="seed of the split, the subsample and every model (default: 0)",
    )
    add_blas_option(run)


def add_blas_option(group):
    """Add ``--blas-threads`` to an argument group."""
    group.add_argument(
        "--blas-threads", type=int, default=1, metavar="INT",
        help="BLAS threads in this process; 0 keeps the library default (default: 1: the "
        "matrices are small, and a busy machine slows multi-threaded BLAS down badly)",
    )


def add_file_options(parser):
    """Add the options that say how to read a data file (shared by both commands)."""
    files = parser.add_argument_group("reading files (text files; --sheet for Excel)")
    files.add_argument(
        "--delimiter", metavar="CHAR",
        help="field separator, e.g. ';' or '\\t' or tab (default: detected among , ; tab |)",
    )
    files.add_argument(
        "--decimal", metavar="CHAR", choices=(".", ","),
        help="decimal mark (default: '.', and text columns whose every value is a number "
        "with a decimal comma are read as numbers)",
    )
    files.add_argument(
        "--skip-rows", type=int, default=None, metavar="N",
        help="lines to skip before the header (default: leading lines whose field count "
        "differs from the data's, such as a title or scikit-learn's metadata line)",
    )
    header = files.add_mutually_exclusive_group()
    header.add_argument(
        "--header", dest="header", action="store_const", const=True, default=None,
        help="the first row holds column names (default: yes, unless some of its cells "
        "are numbers)",
    )
    header.add_argument(
        "--no-header", dest="header", action="store_const", const=False,
        help="there is no header row: columns are named column_1, column_2, ...",
    )
    files.add_argument(
        "--encoding", default="utf-8-sig", metavar="NAME",
        help="text encoding (default: UTF-8, with or without a BOM; e.g. cp1252, latin-1)",
    )
    files.add_argument(
        "--na-values", action="append", default=[], metavar="TEXT",
        help="a cell text that means 'missing', besides empty, NA, N/A, NaN, null, ... "
        "(repeat it, or separate by commas)",
    )
    files.add_argument("--sheet", metavar="NAME", help="Excel sheet (default: the first)")


def build_predict_parser():
    """Build the parser of ``python -m sklearn_deepnet predict``.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser; its arguments are checked further by :func:`check_predict_args`.
    """
    parser = argparse.ArgumentParser(
        prog="sklearn-deepnet predict",
        description="Predict new rows with a model saved by the training run. The file needs "
        "the columns the model was trained on (others are ignored, with a note); rows keep "
        "their order; missing cells are imputed as in training.",
        epilog="Exit codes: 0 success; 2 bad arguments, an unreadable model or file, or "
        "missing columns (a one-line message on stderr).",
    )
    parser.add_argument("model", metavar="MODEL", help="a model file saved by the training run")
    parser.add_argument("file", metavar="FILE", help="the new rows (same formats as --file)")
    parser.add_argument(
        "--output", metavar="PATH",
        help="write the predictions to this CSV file (default: print them as CSV)",
    )
    parser.add_argument(
        "--proba", action="store_true",
        help="also write each class's probability (classifiers only)",
    )
    add_file_options(parser)
    add_blas_option(parser.add_argument_group("resources"))
    return parser


def split_names(values):
    """Flatten repeated, comma-separated option values into a list of stripped names."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def check_train_args(args):
    """Check the training run's arguments, raising :class:`DataError` on a bad combination."""
    if args.file is None and args.target is not None:
        raise DataError("--target only applies together with --file/--csv")
    if args.file is not None and args.target is None:
        raise DataError("--file/--csv needs --target COLUMN (the column to predict)")
    if args.file is None and args.drop:
        raise DataError("--drop only applies together with --file/--csv")
    if args.n_jobs == 0:
        raise DataError("--n-jobs must be a positive integer or -1 (all cores), not 0")
    if args.max_iter is not None and args.max_iter < 1:
        raise DataError(f"--max-iter must be at least 1, got {args.max_iter}")
    if not args.time_budget > 0:
        raise DataError(
            f"--time-budget must be a positive number of seconds, got {args.time_budget}"
        )
    check_common_args(args)
    _check_output_path(args.output, "--output")


def check_predict_args(args):
    """Check the ``predict`` arguments, raising :class:`DataError` on a bad one."""
    check_common_args(args)
    if args.output is not None:
        _check_output_path(args.output, "--output")


def check_common_args(args):
    """Check the options both commands share."""
    if args.blas_threads < 0:
        raise DataError(
            f"--blas-threads must be 0 (library default) or more, got {args.blas_threads}"
        )
    if args.skip_rows is not None and args.skip_rows < 0:
        raise DataError(f"--skip-rows must be 0 or more, got {args.skip_rows}")
    if args.delimiter is not None:
        args.delimiter = parse_delimiter(args.delimiter)


def parse_delimiter(text):
    """Turn a ``--delimiter`` value into one character (``'\\t'``, ``tab`` → a tab)."""
    named = {"\\t": "\t", "tab": "\t", "TAB": "\t", "\\\\t": "\t", "space": " "}
    value = named.get(text, text)
    if len(value) != 1:
        raise DataError(
            f"--delimiter must be one character (or '\\t' / tab for a tab), got {text!r}"
        )
    return value


def _check_output_path(path, option):
    """Check that ``path`` can be written: its folder exists and it is not a folder."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise DataError(f"{option} folder {folder!r} does not exist; create it first")
    if os.path.isdir(path):
        raise DataError(f"{option} {path!r} is a folder; give a file path")
