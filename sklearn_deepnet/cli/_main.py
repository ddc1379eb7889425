"""Entry point of ``python -m sklearn_deepnet`` and ``sklearn-deepnet``: pick the command, map
errors to exit codes, and limit the BLAS threads."""

import contextlib
import sys

from threadpoolctl import threadpool_limits

from ._args import build_predict_parser, build_train_parser
from ._errors import DataError


def main(argv=None):
    """Run the main job: train (the default) or ``predict``.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments without the program name; ``None`` reads ``sys.argv[1:]``.
        A first argument ``predict`` selects the prediction command; anything else trains.
        See ``python -m sklearn_deepnet --help`` and ``python -m sklearn_deepnet predict --help``.

    Returns
    -------
    exit_code : int
        0 on success; 1 if the reloaded model predicts differently from the trained one; 2 on
        bad arguments or unusable data, with a one-line ``error:`` message on stderr.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["predict"]:
        from ._predict import run_predict

        parser, run, argv = build_predict_parser(), run_predict, argv[1:]
    else:
        from ._train import run_train

        parser, run = build_train_parser(), run_train
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or an argparse usage error
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        with _blas_threads(args.blas_threads):
            return run(args)
    except DataError as exc:
        sys.stdout.flush()
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)  # one line
        return 2


def _blas_threads(n_threads):
    """Context limiting BLAS to ``n_threads`` threads in this process (0: library default)."""
    if n_threads == 0:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n_threads, user_api="blas")
