"""The data layer's errors: each message names the file, what went wrong and how to fix it."""


class DataError(Exception):
    """Base class of every data-layer error."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A data set is in none of the places looked, and could not be downloaded."""


class DigestMismatchError(DataError):
    """A file's content does not match its pinned digest."""


class CorruptFileError(DataError):
    """A file cannot be read: a truncated gzip or archive, or a malformed record."""


class UnsafeArchiveError(DataError):
    """An archive member with an absolute path, a ``..`` component, or a link."""
