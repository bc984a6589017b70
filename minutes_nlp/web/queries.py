"""Reading meetings back: the filtered, sorted list, the dashboard figures, CSV and XLSX exports.

Every function takes ``units``, the reader's reach from access.readable_units
(None for all), and never returns a meeting outside it.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from minutes_nlp.analysis.analyzer import meetings_frame
from minutes_nlp.i18n import _
from minutes_nlp.reports.supervise import FLAG_CODES, LEVELS
from minutes_nlp.reports.xlsx import cell_value, write_xlsx
from minutes_nlp.types import Flag, Meeting, Segment, Sentence
from minutes_nlp.vocabulary import COLUMN_NAMES, LEVEL_NAMES, name_of
from minutes_nlp.web.access import subtree
from minutes_nlp.web.db import Analysis, AnalysisFlag, Document, Unit, User, iso

SORTS = {
    "date": Analysis.meeting_date,
    "score": Analysis.score,
    "uploaded": Document.uploaded_at,
    "cell": Unit.name,
    "level": Analysis.level,
    "id": Document.id,
}


@dataclass
class Filters:
    """What the meeting list is narrowed to and how it is sorted; empty fields do not filter."""

    cell: int | None = None
    committee: int | None = None
    month: str | None = None  # YYYY-MM of the meeting date
    level: str | None = None
    flag: str | None = None
    sort: str = "uploaded"
    order: str = "desc"
    limit: int | None = None
    offset: int = 0

    def problems(self) -> list[str]:
        """The reasons the filters are invalid (empty when valid)."""
        out = []
        if self.month and not (len(self.month) == 7 and self.month[4] == "-" and self.month.replace("-", "").isdigit()):
            out.append(_("the month {month} is not written YYYY-MM").format(month=repr(self.month)))
        if self.level and self.level not in LEVELS:
            out.append(
                _("there is no level {level}; choose one of {levels}").format(
                    level=repr(self.level), levels=", ".join(LEVELS)
                )
            )
        if self.flag and self.flag not in FLAG_CODES:
            out.append(_("there is no flag code {code}").format(code=repr(self.flag)))
        if self.sort not in SORTS:
            out.append(
                _("cannot sort by {key}; choose one of {keys}").format(key=repr(self.sort), keys=", ".join(SORTS))
            )
        if self.order not in ("asc", "desc"):
            out.append(_("the order must be asc or desc"))
        return out


def _scoped(session: Session, units: set[int] | None, f: Filters):
    parent = aliased(Unit)
    query = (
        select(
            Analysis.id,
            Document.id,
            Analysis.meeting_date,
            Analysis.month,
            Analysis.level,
            Analysis.score,
            Analysis.model_version,
            Document.original_name,
            Document.uploaded_at,
            Unit.id,
            Unit.name,
            parent.name,
            User.username,
        )
        .join(Document, Analysis.document_id == Document.id)
        .join(Unit, Document.unit_id == Unit.id)
        .outerjoin(parent, Unit.parent_id == parent.id)
        .join(User, Document.uploaded_by == User.id)
        .where(Analysis.current.is_(True))
    )
    allowed = units
    if f.committee is not None:
        below = subtree(session, f.committee)
        allowed = below if allowed is None else allowed & below
    if f.cell is not None:
        allowed = {f.cell} if allowed is None else allowed & {f.cell}
    if allowed is not None:
        query = query.where(Document.unit_id.in_(allowed or {-1}))
    if f.month:
        query = query.where(Analysis.month == f.month)
    if f.level:
        query = query.where(Analysis.level == f.level)
    if f.flag:
        query = query.where(exists().where(AnalysisFlag.analysis_id == Analysis.id, AnalysisFlag.code == f.flag))
    return query


def list_meetings(session: Session, units: set[int] | None, f: Filters) -> tuple[list[dict], int]:
    """The rows of the filtered list (one per meeting, its current analysis) and the total before limit/offset."""
    from sqlalchemy import func

    query = _scoped(session, units, f)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    column = SORTS[f.sort]
    ordered = column.desc().nulls_last() if f.order == "desc" else column.asc().nulls_last()
    query = query.order_by(ordered, Document.id.desc()).offset(f.offset)
    if f.limit is not None:
        query = query.limit(f.limit)
    rows = session.execute(query).all()
    flags = _flags(session, [r[0] for r in rows])
    out = []
    for aid, did, date, month, level, score, version, name, uploaded, uid, uname, pname, uploader in rows:
        out.append(
            {
                "meeting_id": did,
                "analysis_id": aid,
                "unit_id": uid,
                "cell": uname,
                "committee": pname,
                "date": date,
                "month": month,
                "level": level,
                "level_name": name_of(LEVEL_NAMES, level),
                "score": score,
                "flags": flags.get(aid, []),
                "original_name": name,
                "uploaded_at": iso(uploaded),
                "uploaded_by": uploader,
                "model_version": version,
            }
        )
    return out, total or 0


def _flags(session: Session, analysis_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(analysis_ids), 500):
        chunk = analysis_ids[start : start + 500]
        for aid, code in session.execute(
            select(AnalysisFlag.analysis_id, AnalysisFlag.code)
            .where(AnalysisFlag.analysis_id.in_(chunk))
            .order_by(AnalysisFlag.id)
        ):
            found[aid].append(code)
    return found


def dashboard(session: Session, units: set[int] | None, f: Filters | None = None) -> dict:
    """Figures for supervisors over the current analyses in reach.

    by_flag[code] = meetings raising code; by_level[level] = meetings at level;
    months = per YYYY-MM: meetings, mean score, meetings with NO_PROPOSALS;
    repeated_no_proposals = cells with NO_PROPOSALS in at least two meetings, most first.
    """
    f = Filters(**{**(f.__dict__ if f else {}), "limit": None, "offset": 0})
    rows, total = list_meetings(session, units, f)
    by_flag = Counter(code for r in rows for code in set(r["flags"]))
    by_level = Counter(r["level"] for r in rows)
    months: dict[str, dict] = {}
    repeated: dict[int, dict] = {}
    for r in rows:
        unknown = "(" + _("unknown") + ")"
        m = months.setdefault(r["month"] or unknown, {"meetings": 0, "scores": [], "no_proposals": 0})
        m["meetings"] += 1
        if r["score"] is not None:
            m["scores"].append(r["score"])
        if "NO_PROPOSALS" in r["flags"]:
            m["no_proposals"] += 1
            cell = repeated.setdefault(
                r["unit_id"], {"unit_id": r["unit_id"], "cell": r["cell"], "count": 0, "months": []}
            )
            cell["count"] += 1
            cell["months"].append(r["month"] or unknown)
    trend = [
        {
            "month": k,
            "meetings": v["meetings"],
            "no_proposals": v["no_proposals"],
            "mean_score": round(sum(v["scores"]) / len(v["scores"]), 1) if v["scores"] else None,
        }
        for k, v in sorted(months.items())
    ]
    cells = sorted((c for c in repeated.values() if c["count"] >= 2), key=lambda c: (-c["count"], c["cell"]))
    for c in cells:
        c["months"] = sorted(c["months"])
    return {
        "meetings": total,
        "by_flag": {code: by_flag[code] for code in FLAG_CODES if by_flag[code]},
        "by_level": {lv: by_level[lv] for lv in LEVELS},
        "months": trend,
        "repeated_no_proposals": cells,
    }


def meeting_from_dict(report: dict) -> Meeting:
    """The Meeting a stored report JSON (docs/report.md) was made from."""
    segments = [
        Segment(
            start=s["start"],
            end=s["end"],
            kind=s["kind"],
            speaker=s.get("speaker"),
            role=s.get("role"),
            sentences=[
                Sentence(
                    start=x["start"],
                    end=x["end"],
                    label=x.get("label"),
                    confidence=x.get("confidence"),
                    specific=x.get("specific"),
                )
                for x in s.get("sentences", [])
            ],
        )
        for s in report["segments"]
    ]
    flags = [
        Flag(code=f["code"], severity=f["severity"], message=f["message"], evidence=f.get("evidence", []))
        for f in report["flags"]
    ]
    return Meeting(
        id=report["id"],
        text=report["text"],
        meta=report["meta"],
        segments=segments,
        metrics=report["metrics"],
        score=report["score"],
        flags=flags,
        criteria=report.get("criteria", {}),
        model=report.get("model", {}),
        source_file=report.get("source_file"),
        ocr=report.get("ocr"),
    )


def export_meetings(session: Session, units: set[int] | None, f: Filters) -> tuple[list[dict], list[Meeting]]:
    """The filtered list (no paging) and its meetings rebuilt from their reports, ids set to the web ids."""
    rows, _ = list_meetings(session, units, Filters(**{**f.__dict__, "limit": None, "offset": 0}))
    reports: dict[int, dict] = dict(
        session.execute(
            select(Analysis.id, Analysis.report).where(Analysis.id.in_([r["analysis_id"] for r in rows] or [-1]))
        ).all()
    )
    meetings = []
    for r in rows:
        m = meeting_from_dict(reports[r["analysis_id"]])
        m.id = str(r["meeting_id"])
        meetings.append(m)
    return rows, meetings


# Row key -> COLUMN_NAMES key of the web columns that come before the analysis's.
WEB_COLUMNS = {
    "meeting_id": "meeting_id",
    "cell": "unit_cell",
    "committee": "unit_committee",
    "original_name": "original_name",
    "uploaded_at": "uploaded_at",
    "uploaded_by": "uploaded_by",
    "model_version": "model_version",
}


def export_csv(rows: list[dict], meetings: list[Meeting]) -> bytes:
    """The list as CSV bytes (UTF-8 with BOM, for Excel): web columns, then meetings_frame's, headers for people."""
    frame = meetings_frame(meetings)
    analysed = [c for c in frame.columns if c not in ("meeting_id", "source_file")]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([COLUMN_NAMES[c] for c in WEB_COLUMNS.values()] + [COLUMN_NAMES.get(c, c) for c in analysed])
    for row, record in zip(rows, frame.to_dict("records")):
        values = []
        for c in analysed:
            v = cell_value(c, record.get(c))
            values.append("" if v is None else v)
        writer.writerow([row[k] for k in WEB_COLUMNS] + values)
    return buf.getvalue().encode("utf-8-sig")


def export_xlsx(meetings: list[Meeting]) -> bytes:
    """The three-sheet workbook of report_xlsx.write_xlsx, as bytes."""
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-xlsx-") as tmp:
        path = write_xlsx(meetings, Path(tmp) / "bien-ban.xlsx")
        return path.read_bytes()
