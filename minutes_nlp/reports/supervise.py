"""For supervisors: gather many minutes (files, folders, zip archives), rank them by flags, survey them.

    >>> items = collect(["bien-ban/", "thang-5.zip"])      # [(name, Path or bytes), ...]
    >>> meetings, failures = analyze_items(Analyzer(), items)
    >>> flag_rows(meetings)                                 # worst first
    >>> survey(meetings, by="cell_type")                    # the HCMC survey's figures, overall and by group

Zip archives are read in memory and checked before anything is extracted:
a member name that climbs out of the archive ("../x.txt") or is absolute,
more than ``MAX_UNCOMPRESSED`` bytes in all, or a member compressed more than
``MAX_RATIO`` times (a zip bomb) refuses the whole archive with a message
naming it.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from minutes_nlp.analysis import flags as flags_module
from minutes_nlp.codebook import LABELS, LEVELS
from minutes_nlp.errors import MinutesError, ReadError
from minutes_nlp.i18n import _
from minutes_nlp.reading.documents import SUPPORTED
from minutes_nlp.spreadsheet import csv_cell
from minutes_nlp.types import Meeting
from minutes_nlp.vocabulary import CELL_TYPE_NAMES, COLUMN_NAMES, LABEL_NAMES, LEVEL_NAMES, name_of

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members of one archive together
MAX_RATIO = 100  # uncompressed / compressed size of one member
# What unpacking a damaged, truncated or password-protected member can raise.
UNPACK_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError, zlib.error)
GROUPINGS = ("cell_type", "committee", "month")

# The flag codes are documented once, in the table of flags.py's docstring.
FLAG_CODES = tuple(re.findall(r"^\| ([A-Z_]+) \|", flags_module.__doc__ or "", re.MULTILINE))

Item = tuple[str, "Path | bytes"]


class UnsafeArchive(ReadError):
    """A zip archive refused before extraction: path traversal or zip bomb."""


# ---------------------------------------------------------------- collecting


def collect(paths: Iterable[str | Path], errors: list[MinutesError] | None = None) -> list[Item]:
    """Return (name, Path or bytes) for every minutes file under paths: files, folders (recursive) and .zip archives.

    A file given by name is kept whatever its extension (reading reports an
    unsupported one); inside folders and archives only SUPPORTED extensions
    are taken. Zip members come back as bytes named "archive.zip/member".
    A missing path raises ReadError and a refused archive UnsafeArchive; with
    an errors list they are appended to it instead and the rest is collected.
    """
    items: list[Item] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                for child in sorted(p for p in path.rglob("*") if p.is_file()):
                    if child.suffix.lower() == ".zip":
                        items += collect([child], errors)
                    elif child.suffix.lower() in SUPPORTED and not child.name.startswith("~$"):
                        items.append((str(child), child))
            elif path.suffix.lower() == ".zip" and path.is_file():
                items += read_zip(path)
            elif path.exists():
                items.append((str(path), path))
            else:
                raise ReadError(path, _("no such file or folder"), _("check the path"))
        except MinutesError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return items


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


def read_zip(path: str | Path, data: bytes | None = None) -> list[Item]:
    """Return the supported members of a zip archive as (name, bytes), after the safety checks of the module.

    data: the archive's bytes when it is not a file (an upload); path then only names it.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
    except (zipfile.BadZipFile, OSError):
        raise ReadError(
            path, _("cannot open the zip archive (damaged or not a zip file)"), _("compress the minutes again as .zip")
        ) from None
    with archive:
        infos = archive.infolist()
        bad = [i.filename for i in infos if _unsafe_name(i.filename)]
        if bad:
            raise UnsafeArchive(
                path,
                _(
                    "the archive holds a file name that climbs out of its folder or is an absolute path ({name}); "
                    "the whole archive is refused"
                ).format(name=repr(bad[0])),
                _("compress the minutes again with ordinary file names"),
            )
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise UnsafeArchive(
                path,
                _(
                    "the archive unpacks to {size} MB, over the limit of {limit} MB (probably a zip bomb); refused"
                ).format(size=total // 2**20, limit=MAX_UNCOMPRESSED // 2**20),
                _("split it into several smaller archives"),
            )
        for i in infos:
            if i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise UnsafeArchive(
                    path,
                    _(
                        "the file {name} in the archive is compressed {ratio}:1, over {limit}:1 "
                        "(probably a zip bomb); refused"
                    ).format(name=repr(i.filename), ratio=i.file_size // max(i.compress_size, 1), limit=MAX_RATIO),
                    _("send the minutes uncompressed"),
                )
        items: list[Item] = []
        left = MAX_UNCOMPRESSED
        for i in sorted(infos, key=lambda x: x.filename):
            name = PurePosixPath(i.filename.replace("\\", "/"))
            junk = "__MACOSX" in name.parts or name.name.startswith("~$")  # Mac resource forks, Word lock files
            if i.is_dir() or junk or name.suffix.lower() not in SUPPORTED:
                continue
            # The sizes in the header can lie: never read more than they declare, nor past the total limit.
            try:
                with archive.open(i) as member:
                    data = member.read(min(i.file_size, left) + 1)
            except UNPACK_ERRORS:
                raise ReadError(
                    path,
                    _("cannot unpack the file {name}").format(name=repr(i.filename)),
                    _("check whether the archive is damaged or protected by a password"),
                ) from None
            if len(data) > i.file_size or len(data) > left:
                raise UnsafeArchive(
                    path,
                    _("the file {name} is larger than the archive declares; refused").format(name=repr(i.filename)),
                )
            left -= len(data)
            items.append((f"{path}/{name}", data))
    return items


# ---------------------------------------------------------------- analysing


def analyze_items(analyzer, items: Iterable[Item]) -> tuple[list[Meeting], list[MinutesError]]:
    """Analyse every item; return the meetings and the errors of the items that could not be read.

    Bytes (zip members) are written to a temporary file with their own name so
    that reading sees the extension; the meeting's source_file is the item name.
    """
    meetings: list[Meeting] = []
    failures: list[MinutesError] = []
    for name, source in items:
        try:
            if isinstance(source, bytes):
                with tempfile.TemporaryDirectory(prefix="minutes-nlp-") as tmp:
                    target = Path(tmp) / PurePosixPath(name).name
                    target.write_bytes(source)
                    try:
                        meeting = analyzer(target, PurePosixPath(name).stem)
                    except MinutesError as exc:  # name the member, not the temporary file
                        raise type(exc)(name, exc.reason, exc.fix) from None
            else:
                meeting = analyzer(source)
        except MinutesError as exc:
            failures.append(exc)
            continue
        meeting.source_file = name
        meetings.append(meeting)
    return meetings, failures


# ---------------------------------------------------------------- flag


def warning_count(meeting: Meeting, only: Iterable[str] = ()) -> int:
    """Number of warning flags of a meeting (among the codes in only, when given)."""
    keep = set(only)
    return sum(f.severity == "warning" and (not keep or f.code in keep) for f in meeting.flags)


def flag_rows(meetings: Iterable[Meeting], only: Iterable[str] = ()) -> list[dict]:
    """One row per meeting, worst first: most warning flags, then lowest score, then file name.

    With only, a meeting is kept when it raises one of those codes, and its row
    shows only those codes.
    """
    keep = {c.upper() for c in only}
    rows = []
    for m in meetings:
        codes = [f.code for f in m.flags if not keep or f.code in keep]
        if keep and not codes:
            continue
        rows.append(
            {
                "file": m.source_file or m.id,
                "cell": m.meta.get("cell"),
                "date": m.meta.get("date"),
                "score": m.score["substantive"],
                "level": m.score["level"],
                "flags": codes,
                "warnings": warning_count(m, keep),
            }
        )
    rows.sort(key=lambda r: (-r["warnings"], r["score"], r["file"]))
    return rows


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """The codes in codes that are not documented flag codes."""
    return [c for c in codes if c.upper() not in FLAG_CODES]


# ---------------------------------------------------------------- survey


def group_of(meeting: Meeting, by: str) -> str:
    """The group of a meeting: its cell type (by name), its committee, or the month (YYYY-MM) of its date."""
    if by == "month":
        value = (meeting.meta.get("date") or "")[:7]
    elif by == "cell_type":
        value = name_of(CELL_TYPE_NAMES, meeting.meta.get("cell_type"))
    else:
        value = meeting.meta.get(by)
    return str(value) if value else "(" + _("unknown") + ")"


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def survey_stats(meetings: list[Meeting]) -> dict:
    """The HCMC survey's figures (codebook §1) for a set of meetings.

        level_shares[l]    = meetings at level l / meetings
        half_spoke_share   = meetings with participation_rate > 0.5 / meetings whose attendance is written
        label_shares[l]    = contributions with primary label l / contributions (all meetings pooled)
        no_proposal_share  = meetings without any proposal / meetings
        mean_score         = mean substantive score
    A share over nothing is None.
    """
    n = len(meetings)
    levels = Counter(m.score["level"] for m in meetings)
    rated = [m.metrics["participation_rate"] for m in meetings if m.metrics.get("participation_rate") is not None]
    labels = Counter(c.primary_label for m in meetings for c in m.contributions)
    contributions = sum(labels.values())
    return {
        "meetings": n,
        "level_shares": {lv: _share(levels[lv], n) for lv in LEVELS},
        "meetings_with_attendance": len(rated),
        "half_spoke_share": _share(sum(r > 0.5 for r in rated), len(rated)),
        "contributions": contributions,
        "label_shares": {lab: _share(labels[lab], contributions) for lab in LABELS},
        "no_proposal_share": _share(sum(not m.metrics["has_proposal"] for m in meetings), n),
        "mean_score": sum(m.score["substantive"] for m in meetings) / n if n else None,
    }


def survey(meetings: list[Meeting], by: str | None = None) -> dict:
    """Return {"by", "overall": stats, "groups": {group: stats}} (groups empty without by); stats as survey_stats."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}, not {by!r}")
    groups: dict[str, list[Meeting]] = {}
    if by:
        for m in meetings:
            groups.setdefault(group_of(m, by), []).append(m)
    return {
        "by": by,
        "overall": survey_stats(meetings),
        "groups": {g: survey_stats(ms) for g, ms in sorted(groups.items())},
    }


def survey_rows(result: dict) -> tuple[list[str], list[tuple[str, str, list]]]:
    """The survey as a table: column names, and rows of (figure name, kind "pct"|"int"|"num", values by column).

    The first column is all meetings, then one per group.
    """
    columns = [_("All")] + list(result["groups"])
    stats = [result["overall"]] + list(result["groups"].values())
    rows: list[tuple[str, str, list]] = [(_("Number of meetings"), "int", [s["meetings"] for s in stats])]
    for lv in LEVELS:
        name = _("Share of meetings at level {level}").format(level=LEVEL_NAMES[lv])
        rows.append((name, "pct", [s["level_shares"][lv] for s in stats]))
    rows.append((_("Meetings that record the members present"), "int", [s["meetings_with_attendance"] for s in stats]))
    rows.append(
        (
            _("Share of meetings where more than half (50%) of the members present spoke"),
            "pct",
            [s["half_spoke_share"] for s in stats],
        )
    )
    rows.append((_("Number of contributions"), "int", [s["contributions"] for s in stats]))
    for lab in LABELS:
        name = _("Share of {label} contributions").format(label=LABEL_NAMES[lab])
        rows.append((name, "pct", [s["label_shares"][lab] for s in stats]))
    rows.append((_("Share of meetings without a proposal"), "pct", [s["no_proposal_share"] for s in stats]))
    rows.append((_("Mean substantive score"), "num", [s["mean_score"] for s in stats]))
    return columns, rows


def show(value, kind: str) -> str:
    """A survey value as text: '57,3%' style percentages with one decimal, '-' for None."""
    if value is None:
        return "-"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "num":
        return f"{value:.1f}"
    return str(value)


def survey_table(result: dict) -> str:
    """The survey as a plain-text table for the terminal."""
    columns, rows = survey_rows(result)
    cells = [[_("Figure")] + columns] + [[name] + [show(v, kind) for v in values] for name, kind, values in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def flag_table(rows: list[dict]) -> str:
    """The flag rows as a plain-text table for the terminal."""
    head = [_("File"), _("Party cell"), _("Date"), _("Score"), _("Level"), _("Flags")]
    cells = [head] + [
        [
            r["file"],
            r["cell"] or "-",
            r["date"] or "-",
            f"{r['score']:.1f}",
            name_of(LEVEL_NAMES, r["level"]),
            ", ".join(r["flags"]) or "-",
        ]
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(5)) + "  " + c[5] for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 8)
    return "\n".join(lines)


FLAG_COLUMNS = ("file", "cell", "date", "score", "level", "warnings", "flags")


def flag_records(rows: list[dict]) -> list[dict]:
    """The flag rows with column names and values for people (COLUMN_NAMES), as written to CSV and Excel."""
    records = []
    for r in rows:
        values = {**r, "level": name_of(LEVEL_NAMES, r["level"]), "flags": ", ".join(r["flags"])}
        records.append({COLUMN_NAMES[c]: values[c] for c in FLAG_COLUMNS})
    return records


def write_flag_csv(rows: list[dict], path: str | Path) -> None:
    """Write the flag rows as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[COLUMN_NAMES[c] for c in FLAG_COLUMNS])
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in record.items()} for record in flag_records(rows))
