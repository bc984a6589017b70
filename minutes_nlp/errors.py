"""Expected failures, each naming the file, the reason and, when known, the fix.

The CLI prints ``str(error)`` as one line on stderr; nothing here should ever
surface as a traceback.
"""

from __future__ import annotations

from minutes_nlp.i18n import _


class MinutesError(Exception):
    """An expected failure on one input; the message is complete on its own."""

    def __init__(self, source: str, reason: str, fix: str | None = None):
        self.source, self.reason, self.fix = str(source), reason, fix
        message = f"{self.source}: {reason}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


class ReadError(MinutesError):
    """The file cannot be turned into text: missing, empty, corrupt, encrypted, unsupported."""


class UnsupportedFormat(ReadError):
    """The file type is not one minutes_nlp reads."""


class NeedsOCR(ReadError):
    """A PDF with no text layer (a scan)."""


class NoSpeakers(MinutesError):
    """The text was read but no speaker turn was found in it."""


class CorpusError(MinutesError):
    """A corpus file breaks corpus-format.md."""


def reason_of(exc: Exception) -> str:
    """Why a file could not be read or written, for people: no exception class names, translated where known."""
    if isinstance(exc, FileNotFoundError):
        return _("file not found")
    if isinstance(exc, IsADirectoryError):
        return _("is a folder, not a file")
    if isinstance(exc, PermissionError):
        return _("permission denied")
    if isinstance(exc, UnicodeDecodeError):
        return _("not UTF-8 text")
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
