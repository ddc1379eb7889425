"""Small synthetic data files for the main job's tests: a messy customer export, and a numeric
table with a continuous target."""

import numpy as np
import pandas as pd

CITIES = ["Berlin", "Paris", "Madrid", "Rome", "Oslo"]
PLANS = ["basic", "plus", "premium"]
FEATURES = ["age", "city", "income", "plan", "visits", "tenure_months"]


def messy_export(n_rows=300, seed=0, missing=0.05):
    """A customer table as spreadsheets export it.

    An ID column (``customer_id``), two text feature columns (``city``, ``plan``), four
    numeric ones with fractional ``income``, about ``missing`` of the feature cells empty, and
    a text target ``segment`` (bronze, silver, gold) that depends on the text columns too.
    """
    rng = np.random.default_rng(seed)
    city = rng.choice(CITIES, n_rows)
    plan = rng.choice(PLANS, n_rows, p=[0.5, 0.3, 0.2])
    age = rng.integers(18, 80, n_rows).astype(float)
    income = np.round(rng.lognormal(10.5, 0.4, n_rows), 2)
    visits = rng.poisson(5, n_rows).astype(float)
    tenure = rng.integers(1, 120, n_rows).astype(float)
    score = (
        1.2 * (plan == "premium") + 0.6 * (plan == "plus")
        + 0.8 * np.isin(city, ["Berlin", "Oslo"]) - 0.8 * (city == "Rome")
        + 0.02 * (age - 45) + 0.6 * (np.log(income) - 10.5) / 0.4 + 0.1 * (visits - 5)
        + rng.normal(0, 0.5, n_rows)
    )
    cuts = np.quantile(score, [1 / 3, 2 / 3])
    segment = np.array(["bronze", "silver", "gold"])[np.searchsorted(cuts, score)]
    frame = pd.DataFrame(
        {
            "customer_id": rng.permutation(n_rows) + 100001,
            "age": age, "city": city, "income": income, "plan": plan, "visits": visits,
            "tenure_months": tenure, "segment": segment,
        }
    )
    for column in FEATURES:
        holes = rng.random(n_rows) < missing
        if frame[column].dtype == object:
            frame[column] = frame[column].where(~holes, None)
        else:
            frame[column] = frame[column].where(~holes)
    return frame


def continuous_table(n_rows=300, n_features=4, seed=0):
    """A numeric table whose target ``y`` is a continuous function of the features."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    y = 3 * X[:, 0] - 2 * np.tanh(X[:, 1]) + X[:, 2] * X[:, 3] + rng.normal(0, 0.3, n_rows)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    frame["y"] = np.round(y, 4)
    return frame


def write_csv(frame, path, sep=",", decimal=".", na_rep=""):
    """Write ``frame`` as a CSV file, formatting the cells here.

    pandas' own ``to_csv`` casts float columns holding NaN to text, which warns with NumPy 1.24
    (the oldest supported); formatting the numbers first avoids it.
    """
    text = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column):
            cells = column.map(lambda v: na_rep if np.isnan(v) else repr(float(v)))
            text[name] = cells.str.replace(".", decimal, regex=False)
        else:
            text[name] = column.map(lambda v: na_rep if v is None else str(v))
    text.to_csv(path, sep=sep, index=False)
