"""Exceptions raised by trajplot.

Every failure of the C library becomes a :class:`TrajplotError` carrying the
library's own message (which names the function, the field and the offending
value or shapes). Each status maps onto a subclass that also derives from the
matching built-in exception, so ``except ValueError`` catches a bad argument
just as it would for any other Python library.

Arguments that cannot even reach the library (a ragged nested list, a
negative stride) raise the same classes with a message written here.
"""

# Status codes of the C API (enum trajplot_status in trajplot.h).
OK = 0
ERROR = -1
EINVAL = -2
ENOMEM = -3
ERANGE = -4
EIO = -5


class TrajplotError(Exception):
    """A trajplot call failed; ``status`` is the C status code."""

    status = ERROR

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class InvalidArgumentError(TrajplotError, ValueError):
    """An argument is wrong: its shape, its value or its type of content
    (TRAJPLOT_EINVAL)."""

    status = EINVAL


class OutOfMemoryError(TrajplotError, MemoryError):
    """The library ran out of memory (TRAJPLOT_ENOMEM)."""

    status = ENOMEM


class SizeOverflowError(TrajplotError, OverflowError):
    """A size overflows or exceeds a limit (TRAJPLOT_ERANGE)."""

    status = ERANGE


class FileWriteError(TrajplotError, OSError):
    """A file could not be written or read (TRAJPLOT_EIO)."""

    status = EIO


class LibraryNotFoundError(TrajplotError, ImportError):
    """No usable libtrajplot was found; the message lists where it looked."""


class AbiVersionError(TrajplotError, ImportError):
    """The libtrajplot found implements another ABI than this package."""


_ERROR_CLASSES = {
    EINVAL: InvalidArgumentError,
    ENOMEM: OutOfMemoryError,
    ERANGE: SizeOverflowError,
    EIO: FileWriteError,
}


def error_for_status(status, message):
    """The exception matching a C status code."""
    return _ERROR_CLASSES.get(status, TrajplotError)(message, status)
