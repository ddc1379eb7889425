"""The one exception the main job turns into a one-line ``error:`` message and exit code 2."""


class DataError(ValueError):
    """Bad arguments, an unreadable file or unusable data, reported as one line (exit code 2)."""
