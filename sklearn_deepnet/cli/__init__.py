"""The main job, ``python -m sklearn_deepnet``: train on a bundled data set or a user's file,
and predict new rows with a saved model (``python -m sklearn_deepnet predict``).

The modules, one concept each:

- ``_args``: the command-line options of both commands and their checks;
- ``_read``: reading CSV, TSV, Excel and Parquet files (pandas) and the bundled data sets;
- ``_columns``: column types, ID-like and dropped columns, the preprocessing ``ColumnTransformer``;
- ``_task``: classification or regression, and the estimators, grids and scores of each;
- ``_plan``: the search's cost estimate, its row subsample and grid, sized to a time budget;
- ``_search``: the hyper-parameter search with a progress display;
- ``_report``: the text tables and lines of the run report;
- ``_train``: the training run from data to saved model;
- ``_predict``: predictions for new rows from a saved model.
"""

from ._errors import DataError
from ._main import main

__all__ = ["DataError", "main"]
