"""Reading the data: the bundled data sets, and CSV/TSV/text, Excel and Parquet files through
pandas, with separator, header and metadata-line detection and decimal commas."""

import bz2
import csv
import gzip
import io
import lzma
import os
import re
import zipfile
from collections import Counter

from sklearn import datasets

from ._errors import DataError

_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_EXCEL = {".xlsx", ".xlsm", ".xls", ".ods"}
_PARQUET = {".parquet", ".pq"}
#: Separators tried by the sniffer, most specific first: a tie goes to the earlier one.
_SEPARATORS = ("\t", ";", "|", ",")
_SAMPLE_BYTES = 1 << 16
_MAX_JUNK_LINES = 20
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_INSTALL_FILES = "pip install 'sklearn_deepnet[files]'"
_LOADERS = {
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
}


def require_pandas(purpose="reading a data file"):
    """Import pandas, or raise a :class:`DataError` saying what to install.

    Parameters
    ----------
    purpose : str, default="reading a data file"
        What pandas is needed for, for the message.

    Returns
    -------
    pandas : module
    """
    try:
        import pandas
    except ImportError:
        raise DataError(
            f"{purpose} needs pandas, which is not installed: {_INSTALL_FILES} "
            "(pandas; openpyxl for Excel; pyarrow for Parquet)"
        ) from None
    return pandas


def has_pandas():
    """Whether pandas can be imported."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def load_builtin(name):
    """Load one of scikit-learn's bundled classification data sets.

    Parameters
    ----------
    name : {"breast_cancer", "digits", "iris", "wine"}
        Data set name.

    Returns
    -------
    X : pandas.DataFrame or ndarray of shape (n_samples, n_features)
        The features: a DataFrame with the data set's feature names when pandas is installed
        (so the saved model knows its column names), else a float64 array.
    y : ndarray of shape (n_samples,)
        The class labels (integers).
    """
    if name not in _LOADERS:
        raise DataError(f"unknown dataset {name!r}; choose from {', '.join(_LOADERS)}")
    bunch = _LOADERS[name]()
    y = bunch.target
    if not has_pandas():
        return bunch.data.astype("float64"), y
    import pandas as pd

    return pd.DataFrame(bunch.data, columns=[str(n) for n in bunch.feature_names]), y


def read_table(path, options):
    """Read a data file into a DataFrame.

    Parameters
    ----------
    path : str or os.PathLike
        The file: ``.csv``/``.tsv``/``.txt``/any other text (optionally ``.gz``, ``.bz2``,
        ``.xz`` or a one-file ``.zip``), ``.xlsx``/``.xlsm``/``.xls``/``.ods`` (Excel) or
        ``.parquet``/``.pq``.
    options : argparse.Namespace
        The file options: ``delimiter``, ``decimal``, ``skip_rows``, ``header``,
        ``encoding``, ``na_values``, ``sheet`` (see ``--help``).

    Returns
    -------
    frame : pandas.DataFrame
        The table, with string column names.
    notes : list of str
        What was detected or decided while reading (separator, skipped lines, ...), for the
        user.
    """
    pd = require_pandas()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataError(f"file {path!r} not found")
    if os.path.isdir(path):
        raise DataError(f"{path!r} is a folder, not a data file")
    kind = file_kind(path)
    reader = {"excel": _read_excel, "parquet": _read_parquet}.get(kind, _read_text)
    frame, notes = reader(pd, path, options)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.shape[1] == 0:
        raise DataError(f"file {path!r} has no columns")
    if frame.shape[0] == 0:
        raise DataError(f"file {path!r} has a header but no data rows")
    notes += decimal_commas(pd, frame, options, kind)
    return frame, notes


def file_kind(path):
    """``'excel'``, ``'parquet'`` or ``'text'``, from the file name's suffix."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in _EXCEL:
        return "excel"
    if suffix in _PARQUET:
        return "parquet"
    return "text"


def _na_values(options):
    """The user's extra missing-value markers (repeated or comma-separated ``--na-values``)."""
    return [v.strip() for value in options.na_values for v in value.split(",") if v.strip()]


def _read_text(pd, path, options):
    """Read a delimited text file: sniff the separator, skip leading junk, find the header."""
    lines = _sample_lines(path, options.encoding)
    if not any(line.strip() for line in lines):
        raise DataError(f"file {path!r} is empty")
    notes = []
    sep = options.delimiter
    if sep is None:
        sep = sniff_separator(lines)
        if sep != ",":
            notes.append(f"separator {_show_sep(sep)} (detected; --delimiter to change)")
    skip = options.skip_rows
    if skip is None:
        skip, note = leading_junk(lines, sep)
        notes += [note] if note else []
    first = _first_row(lines[skip:], sep)
    header = options.header
    if header is None:
        header = not any(_is_number(cell) for cell in first)
        if not header:
            shown = ", ".join(repr(c) for c in first[:4])
            notes.append(
                f"the first row ({shown}, ...) has numbers, so it is read as data, not column "
                "names: columns are column_1, column_2, ... (--header to read it as names)"
            )
    frame = _read_csv(pd, path, options, sep, skip, header)
    frame.attrs["separator"] = sep  # a comma inside a comma-separated cell is no decimal mark
    if not header:
        frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
        frame, note = drop_sklearn_metadata_row(pd, frame)
        notes += [note] if note else []
    return frame, notes


def _read_csv(pd, path, options, sep, skip, header):
    """Call :func:`pandas.read_csv`, turning its errors into :class:`DataError`."""
    try:
        return pd.read_csv(
            path,
            sep=sep,
            skiprows=skip,
            header=0 if header else None,
            decimal=options.decimal or ".",
            encoding=options.encoding,
            na_values=_na_values(options),
            skipinitialspace=True,
            low_memory=False,
        )
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, options.encoding, exc) from None
    except LookupError:
        raise DataError(f"unknown --encoding {options.encoding!r}") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"file {path!r} has no data after line {skip}") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise DataError(
            f"file {path!r} could not be parsed with separator {_show_sep(sep)} after skipping "
            f"{skip} line(s): {detail}; check --delimiter and --skip-rows"
        ) from None


def _encoding_error(path, encoding, exc):
    """The :class:`DataError` for a file that is not in ``encoding``."""
    return DataError(
        f"file {path!r} is not {encoding!r} text (byte {exc.start}: {exc.reason}); give its "
        "encoding, e.g. --encoding cp1252 (Windows exports) or --encoding latin-1"
    )


def _sample_lines(path, encoding):
    """The first lines of a text file (about 64 KiB; a cut-off last line is left out)."""
    try:
        raw = _first_bytes(path, _SAMPLE_BYTES + 1)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot read file {path!r}: {exc}") from None
    truncated = len(raw) > _SAMPLE_BYTES
    try:
        text = raw[:_SAMPLE_BYTES].decode(encoding, errors="strict" if not truncated else "ignore")
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, encoding, exc) from None
    except LookupError:
        raise DataError(f"unknown --encoding {encoding!r}") from None
    lines = text.splitlines()
    return lines[:-1] if truncated and len(lines) > 1 else lines


def _first_bytes(path, n_bytes):
    """The first bytes of a file, decompressed (``.gz``, ``.bz2``, ``.xz``, one-file ``.zip``)."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive, archive.open(archive.namelist()[0]) as f:
            return f.read(n_bytes)
    with _COMPRESSED.get(suffix, open)(path, "rb") as f:
        return f.read(n_bytes)


def _split(line, sep):
    """The fields of one line (quotes respected)."""
    return next(csv.reader(io.StringIO(line), delimiter=sep), [])


def sniff_separator(lines):
    """Pick the field separator of a text file from its first lines.

    Parameters
    ----------
    lines : list of str
        The first lines of the file.

    Returns
    -------
    sep : str
        Among tab, ``;``, ``|`` and ``,``: the one that splits the most lines (after any
        leading title lines) into the same number (at least 2) of fields; a tie goes to the
        earlier one in that order (a ``;`` file with decimal commas is a ``;`` file). ``,``
        when none splits.
    """
    body = [line for line in lines if line.strip()]
    best, best_score = ",", (0.0, 0)
    for sep in _SEPARATORS:
        counts = [len(_split(line, sep)) for line in body]
        modal, n_modal = Counter(counts).most_common(1)[0]
        if modal < 2:
            continue
        score = (round(n_modal / len(counts), 2), 1)
        if score > best_score:
            best, best_score = sep, score
    return best


def leading_junk(lines, sep):
    """Count the leading lines that are not part of the table (a title, a metadata line).

    Parameters
    ----------
    lines : list of str
        The first lines of the file.
    sep : str
        The field separator.

    Returns
    -------
    n_lines : int
        How many lines to skip: the leading lines (at most 20) with fewer fields than most
        lines have.
    note : str or None
        What was skipped, for the user.
    """
    counts = [len(_split(line, sep)) if line.strip() else 0 for line in lines]
    nonblank = [c for c in counts if c]
    if not nonblank:
        return 0, None
    modal = Counter(nonblank).most_common(1)[0][0]
    n = 0  # a title or metadata line has fewer fields than the data (data rows may have more)
    while n < min(_MAX_JUNK_LINES, len(counts) - 1) and counts[n] < modal:
        n += 1
    if n == 0:
        return 0, None
    first = lines[0] if len(lines[0]) <= 60 else lines[0][:57] + "..."
    cells = _split(lines[0], sep)
    if n == 1 and len(cells) >= 2 and cells[1].strip() == str(modal - 1):
        why = "scikit-learn's metadata line (number of samples and features, class names)"
    else:
        why = f"fewer fields than the data's {modal}"
    return n, f"skipped the first {n} line(s) ({first!r}): {why} (--skip-rows to change)"


def _first_row(lines, sep):
    """The fields of the first non-blank line."""
    for line in lines:
        if line.strip():
            return [cell.strip() for cell in _split(line, sep)]
    return []


def _is_number(text):
    """Whether a cell's text is a number (``'150'``, ``'-1.5e3'``, ``'2,5'``)."""
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return text.strip() != ""


def _show_sep(sep):
    """A separator as the user would type it."""
    return "tab ('\\t')" if sep == "\t" else repr(sep)


def drop_sklearn_metadata_row(pd, frame):
    """Drop scikit-learn's dataset metadata line if it opens a headerless table.

    scikit-learn's bundled CSV files (``iris.csv``, ``wine_data.csv``, ...) start with
    ``n_samples, n_features, class names...``. Such a first row is recognized by its first two
    cells matching the table's number of data rows and of feature columns.

    Parameters
    ----------
    pd : module
        pandas.
    frame : pandas.DataFrame
        The table read without a header.

    Returns
    -------
    frame : pandas.DataFrame
        The table without that row (its columns' types re-read), or unchanged.
    note : str or None
        What was dropped, for the user.
    """
    first = [_as_int_text(str(v).strip()) for v in frame.iloc[0, :2]]
    expected = [str(frame.shape[0] - 1), str(frame.shape[1] - 1)]
    if frame.shape[1] < 2 or first != expected:
        return frame, None
    frame = frame.iloc[1:].reset_index(drop=True)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            converted = pd.to_numeric(frame[column], errors="coerce")
            if converted.notna().sum() == frame[column].notna().sum():
                frame[column] = converted
    return frame, (
        f"skipped the first data row ({', '.join(first)}, ...): scikit-learn's metadata line "
        "(number of samples and features, class names)"
    )


def _as_int_text(text):
    """``'150'`` and ``'150.0'`` as ``'150'``; anything else unchanged."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else text


def decimal_commas(pd, frame, options, kind):
    """Read text columns of decimal-comma numbers (``'2,5'``) as numbers, in place.

    Parameters
    ----------
    pd : module
        pandas.
    frame : pandas.DataFrame
        The table; its matching columns are replaced by float columns.
    options : argparse.Namespace
        ``options.decimal``: with an explicit ``--decimal``, nothing is done here.
    kind : {"text", "excel", "parquet"}
        The file's kind.

    Returns
    -------
    notes : list of str
        The columns converted, for the user.
    """
    if options.decimal is not None:
        return []
    found = [c for c in frame.columns if _is_decimal_comma_column(pd, frame[c])]
    if not found:
        return []
    if kind != "text" or frame.attrs.get("separator") == ",":
        shown = ", ".join(repr(c) for c in found[:5])
        raise DataError(
            f"column(s) {shown} hold numbers written with a comma "
            f"({frame[found[0]].dropna().iloc[0]!r}): give --decimal ',' if the comma is the "
            "decimal mark, or remove the thousands separators from the file"
        )
    for column in found:
        text = frame[column].astype("object").where(frame[column].notna())
        frame[column] = pd.to_numeric(
            text.str.strip().str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        )
    shown = ", ".join(repr(c) for c in found[:5]) + (", ..." if len(found) > 5 else "")
    return [f"decimal commas read as numbers in {len(found)} column(s): {shown} (--decimal)"]


def _is_decimal_comma_column(pd, series):
    """Whether every value of a text column is a number, some with a decimal comma."""
    if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
        return False
    values = series.dropna().astype(str).str.strip()
    if values.empty:
        return False
    comma = values.str.match(_DECIMAL_COMMA)
    return bool(comma.any() and (comma | values.str.match(_INTEGER)).all())


def _read_excel(pd, path, options):
    """Read the first (or ``--sheet``) sheet of an Excel workbook."""
    header = True if options.header is None else options.header
    frame = _excel_sheet(pd, path, options, header)
    notes = []
    if options.header is None and any(not isinstance(c, str) for c in frame.columns):
        frame = _excel_sheet(pd, path, options, False)
        notes.append(
            "the first row has numbers, so it is read as data, not column names: columns are "
            "column_1, column_2, ... (--header to read it as names)"
        )
        header = False
    if not header:
        frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
    return frame, notes


def _excel_sheet(pd, path, options, header):
    """Call :func:`pandas.read_excel`, turning its errors into :class:`DataError`."""
    try:
        return pd.read_excel(
            path,
            sheet_name=options.sheet if options.sheet is not None else 0,
            header=0 if header else None,
            skiprows=options.skip_rows,
            na_values=_na_values(options),
            decimal=options.decimal or ".",
        )
    except ImportError as exc:
        raise DataError(
            f"reading {path!r} needs an Excel reader ({exc}): {_INSTALL_FILES} (openpyxl reads "
            ".xlsx; .xls needs xlrd, .ods needs odfpy)"
        ) from None
    except ValueError as exc:
        raise DataError(f"cannot read Excel file {path!r}: {exc}") from None
    except Exception as exc:  # a corrupt workbook: zipfile, XML or openpyxl errors
        raise DataError(f"cannot read Excel file {path!r}: {type(exc).__name__}: {exc}") from None


def _read_parquet(pd, path, options):
    """Read a Parquet file (column names and types come from the file)."""
    try:
        return pd.read_parquet(path), []
    except ImportError as exc:
        raise DataError(f"reading {path!r} needs pyarrow ({exc}): {_INSTALL_FILES}") from None
    except Exception as exc:  # pyarrow's errors for a file that is not Parquet
        raise DataError(
            f"cannot read Parquet file {path!r}: {type(exc).__name__}: {exc}"
        ) from None
