"""The Excel workbook of many analysed meetings: meetings, contributions and flags, with headers for people.

Sheets: meetings (one row per meeting, ``meetings_frame``), contributions (one
row per contribution, ``contributions_frame``), flags (one row per flag).
Codes in the frames (levels, labels, roles, meeting and cell types) are shown
by their names in the language in force (minutes_nlp.vocabulary); flag codes
stay as they are, since they are the stable identifiers supervisors search for.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from minutes_nlp.analysis.analyzer import contributions_frame, meetings_frame
from minutes_nlp.codebook import LABELS, LEVELS
from minutes_nlp.i18n import _
from minutes_nlp.reports.supervise import survey_rows
from minutes_nlp.spreadsheet import guard_sheet
from minutes_nlp.types import Meeting
from minutes_nlp.vocabulary import (
    CELL_TYPE_NAMES,
    COLUMN_NAMES,
    GROUPING_NAMES,
    LABEL_NAMES,
    LEVEL_NAMES,
    MEETING_TYPE_NAMES,
    ROLE_NAMES,
    SEVERITY_NAMES,
    name_of,
)

# Columns whose values are codes, shown by name.
VALUE_NAMES = {
    "level": LEVEL_NAMES,
    "primary_label": LABEL_NAMES,
    "role": ROLE_NAMES,
    "meeting_type": MEETING_TYPE_NAMES,
    "cell_type": CELL_TYPE_NAMES,
    "severity": SEVERITY_NAMES,
}
PERCENT = {
    "attendance_rate",
    "participation_rate",
    "share_proposal",
    "share_complaint",
    "share_report",
    "share_agreement",
    "share_other",
}
WIDE = {"text": 90, "message": 70, "evidence": 90, "flags": 45}
FLAG_COLUMNS = ["meeting_id", "source_file", "cell", "date", "code", "severity", "message", "evidence"]


def flags_frame(meetings: Iterable[Meeting]) -> pd.DataFrame:
    """One row per flag: meeting, code, severity, message, evidence text (one span a line)."""
    rows = []
    for m in meetings:
        for f in m.flags:
            evidence = [" ".join(e["text"].split()) if "text" in e else e.get("note", "") for e in f.evidence]
            rows.append(
                {
                    "meeting_id": m.id,
                    "source_file": m.source_file,
                    "cell": m.meta.get("cell"),
                    "date": m.meta.get("date"),
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "evidence": "\n".join(e for e in evidence if e),
                }
            )
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def cell_value(column: str, value):
    """A frame value as people read it: codes by name, booleans as yes/no, contributions counted from 1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars from pandas
        value = value.item()
    if column in VALUE_NAMES:
        return name_of(VALUE_NAMES[column], value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column == "labels":
        return ", ".join(name_of(LABEL_NAMES, x.strip()) for x in str(value).split(",") if x.strip())
    if column == "index":  # people count contributions from 1
        return value + 1
    return value


def write_sheet(ws: Worksheet, frame: pd.DataFrame, columns: Sequence[str] | None = None) -> None:
    """Write frame to ws: bold header of column names, frozen header row, percent formats, column widths."""
    columns = list(columns if columns is not None else frame.columns)
    ws.append([COLUMN_NAMES.get(c, c) for c in columns])
    for record in frame.to_dict("records"):
        ws.append([cell_value(c, record.get(c)) for c in columns])
    guard_sheet(ws)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"
    for i, column in enumerate(columns, 1):
        letter = get_column_letter(i)
        if column in PERCENT:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "0%"
        if column in WIDE:
            width = WIDE[column]
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            longest = max(
                (len(str(c.value)) for (c,) in ws.iter_rows(min_col=i, max_col=i) if c.value is not None), default=8
            )
            width = min(max(longest + 2, 8), 40)
        ws.column_dimensions[letter].width = width


def write_xlsx(meetings: Iterable[Meeting], path: str | Path) -> Path:
    """Write the three-sheet workbook of meetings to path and return the path."""
    meetings = list(meetings)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Meetings")
    write_sheet(ws, meetings_frame(meetings))
    write_sheet(wb.create_sheet(_("Contributions")), contributions_frame(meetings))
    write_sheet(wb.create_sheet(_("Flags")), flags_frame(meetings))
    path = Path(path)
    wb.save(path)
    return path


def write_records_xlsx(records: list[dict], path: str | Path, title: str) -> Path:
    """Write records (dicts with the same keys, already named for people) as one sheet named title."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    frame = pd.DataFrame(records)
    write_sheet(ws, frame)
    wb.save(path)
    return Path(path)


def write_survey_xlsx(result: dict, path: str | Path) -> Path:
    """Write the survey table (supervise.survey_rows) with bar charts of levels and labels by group."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.series import SeriesLabel

    columns, rows = survey_rows(result)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Survey")
    by = result.get("by")
    ws.append([_("Figure")] + columns)
    for name, kind, values in rows:
        ws.append([name, *values])
        for cell in ws[ws.max_row][1:]:
            cell.number_format = {"pct": "0.0%", "num": "0.0", "int": "0"}[kind]
    guard_sheet(ws)  # the group names in the header come from the minutes
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 55
    for i in range(2, len(columns) + 2):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(str(columns[i - 2])) + 2))
    note_row = ws.max_row + 2
    ws.cell(
        note_row,
        1,
        _("Grouped by: {group}.").format(group=name_of(GROUPING_NAMES, by) if by else _("no grouping"))
        + " "
        + _(
            "The levels Good/Fair/Average/Poor are levels of the substantive discussion score computed by the tool, "
            "not an official rating."
        ),
    ).font = Font(italic=True)
    # The charts read the table itself (row 1 is the header, so figure i is on row i + 2): survey_rows
    # gives the number of meetings, one row per level, then two rows, the contributions, one row per label.
    level_rows = (3, 2 + len(LEVELS))
    first_label = 2 + 1 + len(LEVELS) + 3
    label_rows = (first_label, first_label + len(LABELS) - 1)
    anchor_row = note_row + 2
    for title, (first, last) in (
        (_("Share of meetings by level"), level_rows),
        (_("Contribution mix by main label"), label_rows),
    ):
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.y_axis.title = _("Share")
        chart.y_axis.number_format = "0%"
        chart.add_data(Reference(ws, min_col=2, max_col=len(columns) + 1, min_row=first, max_row=last))
        for series, column in zip(chart.series, columns):
            series.tx = SeriesLabel(v=str(column))
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.width, chart.height = 18, 8
        ws.add_chart(chart, f"A{anchor_row}")
        anchor_row += 18
    wb.save(path)
    return Path(path)
