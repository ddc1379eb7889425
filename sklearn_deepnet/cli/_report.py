"""The text of the run report: durations, parameter values, aligned tables and the ranked
search results."""


def seconds(value):
    """A duration for people: ``'4.2 s'``, ``'3 min 05 s'``."""
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(int(round(value)), 60)
    return f"{minutes} min {secs:02d} s"


def param_text(value):
    """Short, readable text for one hyper-parameter value."""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def params_text(params, prefix):
    """``'hidden_layer_sizes=(64,), activation=relu, ...'`` without the pipeline prefix."""
    return ", ".join(f"{k.removeprefix(prefix)}={param_text(v)}" for k, v in params.items())


def table(headers, rows, right_align=()):
    """Format rows of cells as aligned plain-text lines (a header and a rule first).

    Parameters
    ----------
    headers : list of str
        Column titles.
    rows : list of list of str
        The cells.
    right_align : set of int, default=()
        Columns aligned to the right.

    Returns
    -------
    lines : list of str
    """
    widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(headers)]

    def fmt(cells):
        parts = [
            c.rjust(w) if j in right_align else c.ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]


def results_table(cv_results, keys, prefix, score_label):
    """Lines of the ranked search results, one column per parameter of ``keys``.

    Parameters
    ----------
    cv_results : dict
        ``cv_results_`` of the search.
    keys : list of str
        The (prefixed) parameters shown.
    prefix : str
        The prefix left out of the column titles.
    score_label : str
        Name of the score (``'accuracy'``, ``'R2'``).

    Returns
    -------
    lines : list of str
    """
    params = cv_results["params"]
    order = sorted(
        range(len(params)),
        key=lambda i: (cv_results["rank_test_score"][i], -cv_results["mean_test_score"][i], i),
    )
    headers = ["rank", f"mean CV {score_label} +/- std"] + [k.removeprefix(prefix) for k in keys]
    rows = [
        [
            str(cv_results["rank_test_score"][i]),
            f"{cv_results['mean_test_score'][i]:.4f} +/- {cv_results['std_test_score'][i]:.4f}",
        ]
        + [param_text(params[i][k]) for k in keys]
        for i in order
    ]
    return table(headers, rows, right_align={0})
