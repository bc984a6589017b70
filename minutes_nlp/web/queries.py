"""Reading meetings back: the filtered, sorted list, the dashboard figures, CSV and XLSX exports.

Every function takes ``units``, the reader's reach from access.readable_units
(None for all), and never returns a meeting outside it. Where a person corrected a meeting's
current analysis, its latest corrected version decides the score, level, flags and exported
report, and the row says so (``corrected`` is that version's number).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from minutes_nlp.analysis.analyzer import meetings_frame
from minutes_nlp.i18n import _
from minutes_nlp.reports.supervise import FLAG_CODES, LEVELS
from minutes_nlp.reports.xlsx import cell_value, write_xlsx
from minutes_nlp.spreadsheet import csv_row
from minutes_nlp.types import Flag, Meeting, Segment, Sentence
from minutes_nlp.vocabulary import COLUMN_NAMES, LEVEL_NAMES, name_of
from minutes_nlp.web.access import subtree
from minutes_nlp.web.db import Analysis, AnalysisFlag, Correction, CorrectionFlag, Document, Unit, User, iso

# The latest corrected version of each analysis, joined beside it; its score and level win.
_LATEST = (
    select(Correction.analysis_id.label("analysis_id"), func.max(Correction.version).label("version"))
    .group_by(Correction.analysis_id)
    .subquery("latest_correction")
)
CORR = aliased(Correction, name="corr")
LEVEL = case((CORR.id.is_not(None), CORR.level), else_=Analysis.level)
SCORE = case((CORR.id.is_not(None), CORR.score), else_=Analysis.score)

SORTS = {
    "date": Analysis.meeting_date,
    "score": SCORE,
    "uploaded": Document.uploaded_at,
    "cell": Unit.name,
    "level": LEVEL,
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
    ids: str | None = None  # meeting numbers, comma-separated (the meetings behind a chart element)
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
        if self.ids and not all(x.strip().isdigit() for x in self.ids.split(",")):
            out.append(_("the meeting numbers {ids} are not numbers separated by commas").format(ids=repr(self.ids)))
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
            LEVEL,
            SCORE,
            Analysis.model_version,
            Document.original_name,
            Document.uploaded_at,
            Unit.id,
            Unit.name,
            parent.name,
            User.username,
            CORR.id,
            CORR.version,
        )
        .join(Document, Analysis.document_id == Document.id)
        .join(Unit, Document.unit_id == Unit.id)
        .outerjoin(parent, Unit.parent_id == parent.id)
        .join(User, Document.uploaded_by == User.id)
        .outerjoin(_LATEST, _LATEST.c.analysis_id == Analysis.id)
        .outerjoin(CORR, and_(CORR.analysis_id == Analysis.id, CORR.version == _LATEST.c.version))
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
    if f.ids:
        query = query.where(Document.id.in_({int(x) for x in f.ids.split(",")}))
    if f.level:
        query = query.where(LEVEL == f.level)
    if f.flag:
        automatic = exists().where(AnalysisFlag.analysis_id == Analysis.id, AnalysisFlag.code == f.flag)
        corrected = exists().where(CorrectionFlag.correction_id == CORR.id, CorrectionFlag.code == f.flag)
        query = query.where(or_(and_(CORR.id.is_(None), automatic), corrected))
    return query


def list_meetings(session: Session, units: set[int] | None, f: Filters) -> tuple[list[dict], int]:
    """The rows of the filtered list (one per meeting, its current analysis) and the total before limit/offset."""
    query = _scoped(session, units, f)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    column = SORTS[f.sort]
    ordered = column.desc().nulls_last() if f.order == "desc" else column.asc().nulls_last()
    query = query.order_by(ordered, Document.id.desc()).offset(f.offset)
    if f.limit is not None:
        query = query.limit(f.limit)
    rows = session.execute(query).all()
    flags = _flags(session, [r[0] for r in rows if r[-2] is None])
    flags.update(_correction_flags(session, {r[-2]: r[0] for r in rows if r[-2] is not None}))
    out = []
    for aid, did, date, month, level, score, version, name, uploaded, uid, uname, pname, uploader, cid, cv in rows:
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
                "corrected": cv,
                "correction_id": cid,
            }
        )
    return out, total or 0


def _correction_flags(session: Session, analysis_of: dict[int, int]) -> dict[int, list[str]]:
    """The flags of the given corrections (correction id -> analysis id), keyed by analysis id."""
    found: dict[int, list[str]] = defaultdict(list)
    ids = list(analysis_of)
    for start in range(0, len(ids), 500):
        for cid, code in session.execute(
            select(CorrectionFlag.correction_id, CorrectionFlag.code)
            .where(CorrectionFlag.correction_id.in_(ids[start : start + 500]))
            .order_by(CorrectionFlag.id)
        ):
            found[analysis_of[cid]].append(code)
    return found


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
        "corrected": sum(r["corrected"] is not None for r in rows),
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
    """The filtered list (no paging) and its meetings rebuilt from their reports, ids set to the web ids.

    A corrected meeting is its latest corrected report, and its id says so ("12 (đã hiệu chỉnh, bản 2)").
    """
    rows, _total = list_meetings(session, units, Filters(**{**f.__dict__, "limit": None, "offset": 0}))
    reports: dict[int, dict] = dict(
        session.execute(
            select(Analysis.id, Analysis.report).where(Analysis.id.in_([r["analysis_id"] for r in rows] or [-1]))
        ).all()
    )
    corrected: dict[int, dict] = dict(
        session.execute(
            select(Correction.id, Correction.report).where(
                Correction.id.in_([r["correction_id"] for r in rows if r["correction_id"]] or [-1])
            )
        ).all()
    )
    meetings = []
    for r in rows:
        if r["correction_id"] is not None:
            m = meeting_from_dict(corrected[r["correction_id"]])
            m.id = _("{id} (corrected, version {version})").format(id=r["meeting_id"], version=r["corrected"])
        else:
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
    "corrected": "corrected",
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
        writer.writerow(csv_row([row[k] for k in WEB_COLUMNS] + values))
    return buf.getvalue().encode("utf-8-sig")


def export_xlsx(meetings: list[Meeting]) -> bytes:
    """The three-sheet workbook of report_xlsx.write_xlsx, as bytes."""
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-xlsx-") as tmp:
        path = write_xlsx(meetings, Path(tmp) / "bien-ban.xlsx")
        return path.read_bytes()
