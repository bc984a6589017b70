"""Limits on zip-based files (a Word .docx is a zip package), checked before anything is inflated.

A zip's central directory states each member's compressed and uncompressed
size. ``check_package`` refuses a package from those numbers alone, so a
650 KB .docx whose ``word/document.xml`` would expand to 200 MB is refused in
milliseconds, before lxml sees a byte. The stated sizes are also what bounds
the reading: Python's zipfile never returns more than a member's stated size
(a stream that inflates further is cut there and fails its CRC), so a package
that lies about its sizes cannot make the reader hold more than the limits.

| limit | value | why |
|---|---|---|
| MAX_PART | 20 MB | one XML part (document.xml of long minutes is 1-3 MB) |
| MAX_PACKAGE | 100 MB | every member together, pictures included |
| MAX_RATIO | 100 | uncompressed / compressed, for a member over RATIO_FLOOR (Word's XML compresses 5-30 times) |
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

from minutes_nlp.errors import ReadError
from minutes_nlp.i18n import _

MB = 2**20
MAX_PART = 20 * MB
MAX_PACKAGE = 100 * MB
MAX_RATIO = 100
RATIO_FLOOR = MB


class PackageTooLarge(ReadError):
    """A zip package refused from its central directory: too large once unpacked, or compressed like a zip bomb."""


def check_package(archive: zipfile.ZipFile, source: str, parts: tuple[str, ...] = (".xml", ".rels")) -> None:
    """Refuse archive (named source) when its stated sizes break the limits of the module table.

    parts: the endings of members that are parsed whole (MAX_PART applies to them).
    """
    infos = archive.infolist()
    fix = _("open it in Word and save it again; a real minutes file is far smaller")
    total = sum(i.file_size for i in infos)
    if total > MAX_PACKAGE:
        raise PackageTooLarge(
            source,
            _("unpacks to {size} MB, over the limit of {limit} MB (probably a zip bomb); refused").format(
                size=total // MB, limit=MAX_PACKAGE // MB
            ),
            fix,
        )
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise PackageTooLarge(
                source,
                _(
                    "the part {name} is compressed {ratio}:1 ({size} MB unpacked), over {limit}:1 "
                    "(probably a zip bomb); refused"
                ).format(
                    name=i.filename,
                    ratio=i.file_size // max(i.compress_size, 1),
                    size=i.file_size // MB,
                    limit=MAX_RATIO,
                ),
                fix,
            )
        if i.file_size > MAX_PART and PurePosixPath(i.filename).suffix.lower() in parts:
            raise PackageTooLarge(
                source,
                _("the part {name} unpacks to {size} MB, over the limit of {limit} MB; refused").format(
                    name=i.filename, size=i.file_size // MB, limit=MAX_PART // MB
                ),
                fix,
            )
