"""``verbose`` output: one line per epoch, labelled with its fit when fits run in parallel.

Under ``GridSearchCV(n_jobs=2)`` several fits print at once, from worker processes (or threads):
there every line starts with ``[worker PID/N]``, N counting the fits of that worker, and each
fit's first line names the estimator and its non-default parameters, so interleaved lines can
be told apart. In the main thread of the main process the lines are ``MLPClassifier``'s.
"""

import itertools
import multiprocessing
import os
import threading
import time

_FITS = itertools.count(1)


def _in_a_worker():
    """Whether this runs in a child process or a thread other than the main one."""
    return (
        multiprocessing.parent_process() is not None
        or threading.current_thread() is not threading.main_thread()
    )


class Progress:
    """Prints the training progress of one fit when ``verbose`` is set.

    Parameters
    ----------
    estimator : BaseDeepNet
        The estimator being fitted.
    """

    def __init__(self, estimator):
        self.verbose = bool(estimator.verbose)
        self.start = time.perf_counter()
        self.prefix = ""
        if self.verbose and _in_a_worker():
            self.prefix = f"[worker {os.getpid()}/{next(_FITS)}] "
            print(f"{self.prefix}fitting {' '.join(repr(estimator).split())}", flush=True)

    def epoch(self, n_iter, loss, score):
        """Print one epoch's line: its loss, validation score and the time elapsed."""
        if not self.verbose:
            return
        line = f"{self.prefix}Iteration {n_iter}, loss = {loss:.8f}"
        if score is not None:
            line += f", validation score = {score:.6f}"
        print(f"{line}, elapsed = {time.perf_counter() - self.start:.2f}s", flush=True)

    def note(self, message):
        """Print a message about the fit (a lowered learning rate, ...)."""
        if self.verbose:
            print(f"{self.prefix}{message}", flush=True)
