"""The minutes under folders and zip archives of any size, listed one at a time; one source's bytes on demand.

A source is ``(path, None)`` for a file and ``(archive path, member name)`` for
a zip member. Listing reads no content, only folder entries and a zip's central
directory, so the list is never held whole; the bytes are read later, on the
worker that analyses the source. Anything that cannot be read (a missing path,
a damaged archive, a member that climbs out of its archive, a zip bomb) is still
listed, and fails when it is loaded, so that it lands in the errors dataset.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from minutes_nlp.errors import ReadError
from minutes_nlp.i18n import _
from minutes_nlp.reading.documents import SUPPORTED
from minutes_nlp.reports.supervise import MAX_RATIO, UNPACK_ERRORS, UnsafeArchive, _unsafe_name

MAX_MEMBER = 64 * 2**20  # bytes of one unpacked zip member; minutes are kilobytes, a few megabytes with images

Source = tuple[str, "str | None"]


def name_of(source: Source) -> str:
    """How a source is named in the datasets and messages: the path, or "archive.zip/member"."""
    path, member = source
    return path if member is None else f"{path}/{member}"


def _wanted(name: str) -> bool:
    pure = PurePosixPath(name.replace("\\", "/"))
    junk = "__MACOSX" in pure.parts or pure.name.startswith("~$")  # Mac resource forks, Word lock files
    return not junk and pure.suffix.lower() in SUPPORTED


def _members(path: str) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        yield (path, None)  # loading it names the reason
        return
    with archive:
        names = sorted(i.filename for i in archive.infolist() if not i.is_dir())
    for name in names:
        if _wanted(name) or _unsafe_name(name):
            yield (path, name)


def iter_sources(paths: Iterable[str | Path]) -> Iterator[Source]:
    """Every minutes file under paths, in a stable order: files as given, folders walked sorted, zips by member.

    A file named on the command line is kept whatever its extension (reading
    then says why it is refused); inside folders and archives only the
    supported extensions are taken.
    """
    for raw in paths:
        path = str(raw)
        if os.path.isdir(path):
            for top, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(top, name)
                    if name.lower().endswith(".zip"):
                        yield from _members(full)
                    elif _wanted(name):
                        yield (full, None)
        elif path.lower().endswith(".zip") and os.path.isfile(path):
            yield from _members(path)
        else:
            yield (path, None)


def load(source: Source) -> bytes:
    """The bytes of a source; ReadError (or UnsafeArchive) naming it when they cannot be had safely."""
    path, member = source
    if member is None:
        if path.lower().endswith(".zip") and os.path.isfile(path):
            raise ReadError(
                path,
                _("cannot open the zip archive (damaged or not a zip file)"),
                _("compress the minutes again as .zip"),
            )
        try:
            return Path(path).read_bytes()
        except FileNotFoundError:
            raise ReadError(path, _("no such file or folder"), _("check the path")) from None
        except PermissionError:
            raise ReadError(path, _("permission denied"), _("check the file's permissions")) from None
        except OSError as exc:
            raise ReadError(path, _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    name = name_of(source)
    if _unsafe_name(member):
        raise UnsafeArchive(
            name,
            _("the file name climbs out of its archive or is an absolute path; refused"),
            _("compress the minutes again with ordinary file names"),
        )
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > MAX_MEMBER or info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UnsafeArchive(
                    name,
                    _("the file unpacks to {size} MB at {ratio}:1 (over {limit} MB or {most}:1); refused").format(
                        size=info.file_size // 2**20,
                        ratio=info.file_size // max(info.compress_size, 1),
                        limit=MAX_MEMBER // 2**20,
                        most=MAX_RATIO,
                    ),
                    _("send the minutes uncompressed"),
                )
            with archive.open(info) as stream:  # the header can lie: never read more than it declares
                data = stream.read(info.file_size + 1)
    except (KeyError, *UNPACK_ERRORS):
        raise ReadError(
            name,
            _("cannot unpack the file from the archive"),
            _("check whether the archive is damaged or protected by a password"),
        ) from None
    if len(data) > info.file_size:
        raise UnsafeArchive(name, _("the file is larger than the archive declares; refused"))
    return data
