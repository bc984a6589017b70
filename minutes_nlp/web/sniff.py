"""What an uploaded file really is, by its first bytes, checked against its extension.

| kind | how it is recognised |
|---|---|
| docx | a zip holding word/document.xml |
| zip | any other zip archive (PK\\x03\\x04 or an empty archive) |
| damaged-zip | starts like a zip but cannot be opened (truncated or corrupt .docx or .zip) |
| pdf | %PDF- within the first 1024 bytes |
| doc | the OLE2 compound-file signature D0 CF 11 E0 A1 B1 1A E1 |
| html | <!doctype html, <html, <body or <p… near the start of text |
| txt | text: no NUL byte (UTF-16 with its BOM allowed) |
| exe | MZ (Windows program) or \\x7fELF (Linux program) |

A .docx is also refused when its central directory says it unpacks past the
limits of reading/packages.py (a zip bomb). A refusal is an :class:`UploadRefused` with an HTTP status and a message
(in the language in force) naming the file; nothing here reads more than it needs.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

from minutes_nlp.i18n import _
from minutes_nlp.reading.packages import PackageTooLarge, check_package
from minutes_nlp.vocabulary import CONTENT_KIND_NAMES, name_of

# Extension -> kinds its content may have. Text and HTML are one family: both are read as text.
ALLOWED = {
    ".docx": {"docx"},
    ".pdf": {"pdf"},
    ".doc": {"doc"},
    ".txt": {"txt", "html"},
    ".html": {"html", "txt"},
    ".htm": {"html", "txt"},
    ".zip": {"zip"},
}
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|p|div|table)[\s>]", re.IGNORECASE)


class UploadRefused(Exception):
    """An upload the service will not take; ``status`` is the HTTP status, the message is for the user."""

    def __init__(self, name: str, reason: str, status: int = 422):
        self.name, self.reason, self.status = name, reason, status
        super().__init__(f"{name}: {reason}")


def sniff(data: bytes) -> str:
    """The kind of data (module table), 'empty' for no bytes, 'binary' when nothing fits."""
    if not data:
        return "empty"
    head = data[:1024]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return "docx" if "word/document.xml" in z.namelist() else "zip"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "damaged-zip"
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith((b"MZ", b"\x7fELF")):
        return "exe"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "txt"  # UTF-16 with BOM: NUL bytes are expected
    if b"\x00" in head:
        return "binary"
    return "html" if _HTML.search(head) else "txt"


def check(name: str, data: bytes, max_bytes: int) -> str:
    """The kind of an upload named name, or UploadRefused: empty, too large, unsupported, content not its extension."""
    ext = PurePosixPath(name).suffix.lower()
    if len(data) > max_bytes:
        raise UploadRefused(
            name,
            _("the file is {size} MB, over the limit of {limit} MB; split it or compress it").format(
                size=f"{len(data) / 2**20:.1f}", limit=f"{max_bytes / 2**20:.0f}"
            ),
            413,
        )
    if ext not in ALLOWED:
        raise UploadRefused(
            name,
            _(
                "files ending in {ext} are not accepted; save the minutes as .docx, .pdf, .txt, .html, .doc "
                "or send a .zip archive"
            ).format(ext=ext or _("(no extension)")),
            415,
        )
    kind = sniff(data)
    if kind == "empty":
        raise UploadRefused(name, _("the file is empty (0 bytes); check that the right minutes file was chosen"), 422)
    if kind == "damaged-zip" and ext in (".docx", ".zip"):
        if ext == ".docx":
            reason = _("the Word .docx file is damaged (it cannot be opened, maybe the upload was cut short)")
        else:
            reason = _("the .zip archive is damaged (it cannot be opened, maybe the upload was cut short)")
        raise UploadRefused(name, reason + "; " + _("open it, save it again and upload it again"), 422)
    if ext == ".docx" and kind == "zip":
        raise UploadRefused(
            name,
            _(
                "not a valid .docx file: it is an archive without a Word document inside (word/document.xml); "
                "open it in Word and save it again"
            ),
            422,
        )
    if kind == "docx":
        _check_package(name, data)
    if kind not in ALLOWED[ext]:
        raise UploadRefused(
            name,
            _(
                "the file ends in {ext} but holds {kind}; it is not processed, for safety: save it again in the "
                "right format"
            ).format(ext=ext, kind=name_of(CONTENT_KIND_NAMES, kind)),
            415,
        )
    return kind


def _check_package(name: str, data: bytes) -> None:
    """Refuse a .docx zip bomb from its central directory, before anything is inflated (reading/packages.py)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_package(package, name)
    except PackageTooLarge as exc:
        raise UploadRefused(name, f"{exc.reason} ({exc.fix})", 422) from None
