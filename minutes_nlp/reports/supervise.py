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
from minutes_nlp.reading.documents import SUPPORTED
from minutes_nlp.reports.html import CELL_TYPES_VI
from minutes_nlp.reports.text import LABELS_VI, LEVELS_VI
from minutes_nlp.types import Meeting

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members of one archive together
MAX_RATIO = 100  # uncompressed / compressed size of one member
GROUPINGS = ("cell_type", "committee", "month")
UNKNOWN_GROUP = "(không rõ)"

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
                raise ReadError(path, "không tìm thấy tệp hoặc thư mục", "kiểm tra lại đường dẫn")
        except MinutesError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return items


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


def read_zip(path: str | Path) -> list[Item]:
    """Return the supported members of a zip archive as (name, bytes), after the safety checks of the module."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(
            path, f"không mở được tệp nén zip ({exc})", "nén lại các biên bản bằng định dạng .zip"
        ) from None
    with archive:
        infos = archive.infolist()
        bad = [i.filename for i in infos if _unsafe_name(i.filename)]
        if bad:
            raise UnsafeArchive(
                path,
                f"tệp nén có tên tệp vượt ra ngoài thư mục hoặc đường dẫn tuyệt đối ({bad[0]!r}); "
                "đã từ chối toàn bộ tệp nén",
                "nén lại các biên bản với tên tệp thông thường",
            )
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise UnsafeArchive(
                path,
                f"tệp nén giải nén ra {total // 2**20} MB, vượt giới hạn "
                f"{MAX_UNCOMPRESSED // 2**20} MB (nghi là bom nén); đã từ chối",
                "chia thành nhiều tệp nén nhỏ hơn",
            )
        for i in infos:
            if i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise UnsafeArchive(
                    path,
                    f"tệp {i.filename!r} trong tệp nén có tỷ lệ nén "
                    f"{i.file_size // max(i.compress_size, 1)}:1, vượt {MAX_RATIO}:1 "
                    "(nghi là bom nén); đã từ chối",
                    "gửi các biên bản không nén",
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
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError, zlib.error) as exc:
                raise ReadError(
                    path,
                    f"không giải nén được tệp {i.filename!r} ({exc})",
                    "kiểm tra tệp nén có bị hỏng hoặc đặt mật khẩu không",
                ) from None
            if len(data) > i.file_size or len(data) > left:
                raise UnsafeArchive(path, f"tệp {i.filename!r} lớn hơn kích thước khai báo trong tệp nén; đã từ chối")
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
    """The group of a meeting: its cell type (Vietnamese name), its committee, or the month (YYYY-MM) of its date."""
    if by == "month":
        value = (meeting.meta.get("date") or "")[:7]
    elif by == "cell_type":
        value = CELL_TYPES_VI.get(meeting.meta.get("cell_type") or "", meeting.meta.get("cell_type"))
    else:
        value = meeting.meta.get(by)
    return str(value) if value else UNKNOWN_GROUP


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


GROUPINGS_VI = {"cell_type": "loại chi bộ", "committee": "đảng bộ", "month": "tháng"}


def survey_rows(result: dict) -> tuple[list[str], list[tuple[str, str, list]]]:
    """The survey as a table: column names, and rows of (figure name, kind "pct"|"int"|"num", values by column).

    The first column is all meetings, then one per group.
    """
    columns = ["Toàn bộ"] + list(result["groups"])
    stats = [result["overall"]] + list(result["groups"].values())
    rows: list[tuple[str, str, list]] = [("Số cuộc họp", "int", [s["meetings"] for s in stats])]
    for lv in LEVELS:
        rows.append((f"Tỷ lệ cuộc họp mức {LEVELS_VI[lv]}", "pct", [s["level_shares"][lv] for s in stats]))
    rows.append(("Số cuộc họp ghi số đảng viên có mặt", "int", [s["meetings_with_attendance"] for s in stats]))
    rows.append(
        ("Tỷ lệ cuộc họp có trên 50% đảng viên có mặt phát biểu", "pct", [s["half_spoke_share"] for s in stats])
    )
    rows.append(("Số ý kiến thảo luận", "int", [s["contributions"] for s in stats]))
    for lab in LABELS:
        rows.append((f"Tỷ lệ ý kiến {LABELS_VI[lab]}", "pct", [s["label_shares"][lab] for s in stats]))
    rows.append(("Tỷ lệ cuộc họp không có ý kiến đề xuất", "pct", [s["no_proposal_share"] for s in stats]))
    rows.append(("Điểm thực chất bình quân", "num", [s["mean_score"] for s in stats]))
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
    cells = [["Chỉ số"] + columns] + [[name] + [show(v, kind) for v in values] for name, kind, values in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(r[0].ljust(widths[0]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r))))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def flag_table(rows: list[dict]) -> str:
    """The flag rows as a plain-text table for the terminal."""
    head = ["Tệp", "Chi bộ", "Ngày", "Điểm", "Mức", "Cảnh báo"]
    cells = [head] + [
        [
            r["file"],
            r["cell"] or "-",
            r["date"] or "-",
            f"{r['score']:.1f}",
            LEVELS_VI.get(r["level"], r["level"]),
            ", ".join(r["flags"]) or "-",
        ]
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(5)) + "  " + c[5] for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 8)
    return "\n".join(lines)


FLAG_HEADERS = {
    "file": "Tệp",
    "cell": "Chi bộ",
    "date": "Ngày họp",
    "score": "Điểm thực chất",
    "level": "Mức",
    "warnings": "Số cảnh báo",
    "flags": "Cảnh báo",
}


def flag_records(rows: list[dict]) -> list[dict]:
    """The flag rows with Vietnamese column names and values, as written to CSV and Excel."""
    return [
        {
            FLAG_HEADERS["file"]: r["file"],
            FLAG_HEADERS["cell"]: r["cell"],
            FLAG_HEADERS["date"]: r["date"],
            FLAG_HEADERS["score"]: r["score"],
            FLAG_HEADERS["level"]: LEVELS_VI.get(r["level"], r["level"]),
            FLAG_HEADERS["warnings"]: r["warnings"],
            FLAG_HEADERS["flags"]: ", ".join(r["flags"]),
        }
        for r in rows
    ]


def write_flag_csv(rows: list[dict], path: str | Path) -> None:
    """Write the flag rows as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(FLAG_HEADERS.values()))
        writer.writeheader()
        writer.writerows(flag_records(rows))
