"""The Excel workbook of many analysed meetings: meetings, contributions and flags, with Vietnamese headers.

Sheets: "Cuộc họp" (one row per meeting, ``meetings_frame``), "Ý kiến" (one row
per contribution, ``contributions_frame``), "Cảnh báo" (one row per flag).
Codes in the frames (levels, labels, roles, meeting and cell types) are shown
by their Vietnamese names; flag codes stay as they are, since they are the
stable identifiers supervisors search for.
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
from minutes_nlp.reports.html import CELL_TYPES_VI, MEETING_TYPES_VI, SEVERITY_VI
from minutes_nlp.reports.supervise import GROUPINGS_VI, survey_rows
from minutes_nlp.reports.text import LABELS_VI, LEVELS_VI, ROLES_VI
from minutes_nlp.types import Meeting

HEADERS_VI = {
    "meeting_id": "Mã biên bản",
    "source_file": "Tệp",
    "committee": "Đảng bộ",
    "cell": "Chi bộ",
    "cell_type": "Loại chi bộ",
    "date": "Ngày họp",
    "meeting_type": "Loại sinh hoạt",
    "members_total": "Tổng số đảng viên",
    "members_present": "Có mặt",
    "attendance_rate": "Tỷ lệ dự họp",
    "participation_rate": "Tỷ lệ phát biểu",
    "duration_minutes": "Thời lượng (phút)",
    "contributions": "Số ý kiến",
    "member_speakers": "Số đảng viên phát biểu",
    "share_proposal": "Tỷ lệ ý kiến đề xuất",
    "share_complaint": "Tỷ lệ ý kiến phản ánh",
    "share_report": "Tỷ lệ ý kiến báo cáo",
    "share_agreement": "Tỷ lệ ý kiến thống nhất",
    "share_other": "Tỷ lệ ý kiến khác",
    "proposal_count": "Số ý kiến đề xuất",
    "specific_proposal_count": "Số đề xuất cụ thể",
    "has_proposal": "Có đề xuất",
    "score": "Điểm thực chất",
    "level": "Mức",
    "flags": "Cảnh báo",
    "index": "Thứ tự ý kiến",
    "speaker": "Người phát biểu",
    "role": "Vai trò",
    "primary_label": "Nhãn chính",
    "labels": "Các nhãn",
    "sentences": "Số câu",
    "specific_proposals": "Số đề xuất cụ thể",
    "text": "Nội dung",
    "code": "Mã cảnh báo",
    "severity": "Mức độ",
    "message": "Nội dung cảnh báo",
    "evidence": "Dẫn chứng",
}
VALUES_VI = {
    "level": LEVELS_VI,
    "primary_label": LABELS_VI,
    "role": ROLES_VI,
    "meeting_type": MEETING_TYPES_VI,
    "cell_type": CELL_TYPES_VI,
    "severity": SEVERITY_VI,
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
    """One row per flag: meeting, code, severity, Vietnamese message, evidence text (one span a line)."""
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


def _cell(column: str, value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars from pandas
        value = value.item()
    if column in VALUES_VI:
        return VALUES_VI[column].get(value, value)
    if isinstance(value, bool):
        return "có" if value else "không"
    if column == "labels":
        return ", ".join(LABELS_VI.get(x.strip(), x.strip()) for x in str(value).split(",") if x.strip())
    if column == "index":  # people count contributions from 1
        return value + 1
    return value


def write_sheet(ws: Worksheet, frame: pd.DataFrame, columns: Sequence[str] | None = None) -> None:
    """Write frame to ws: Vietnamese bold header, frozen header row, percent formats, column widths."""
    columns = list(columns if columns is not None else frame.columns)
    ws.append([HEADERS_VI.get(c, c) for c in columns])
    for record in frame.to_dict("records"):
        ws.append([_cell(c, record.get(c)) for c in columns])
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
    ws.title = "Cuộc họp"
    write_sheet(ws, meetings_frame(meetings))
    write_sheet(wb.create_sheet("Ý kiến"), contributions_frame(meetings))
    write_sheet(wb.create_sheet("Cảnh báo"), flags_frame(meetings))
    path = Path(path)
    wb.save(path)
    return path


def write_records_xlsx(records: list[dict], path: str | Path, title: str) -> Path:
    """Write records (dicts with the same, already Vietnamese keys) as one sheet named title."""
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
    ws.title = "Khảo sát"
    by = result.get("by")
    ws.append(["Chỉ số"] + columns)
    for name, kind, values in rows:
        ws.append([name, *values])
        for cell in ws[ws.max_row][1:]:
            cell.number_format = {"pct": "0.0%", "num": "0.0", "int": "0"}[kind]
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
        "Nhóm theo: "
        + (GROUPINGS_VI.get(by, by) if by else "không chia nhóm")
        + ". Mức Tốt/Khá/Trung bình/Kém là mức của điểm thảo luận thực chất do công cụ tính, "
        "không phải xếp loại chính thức.",
    ).font = Font(italic=True)
    # The charts read the table itself (row 1 is the header, so figure i is on row i + 2).
    names = [r[0] for r in rows]
    level_rows = [i + 2 for i, n in enumerate(names) if n.startswith("Tỷ lệ cuộc họp mức")]
    label_rows = [i + 2 for i, n in enumerate(names) if n.startswith("Tỷ lệ ý kiến ")]
    anchor_row = note_row + 2
    for title, (first, last) in (
        ("Tỷ lệ cuộc họp theo mức", (level_rows[0], level_rows[-1])),
        ("Cơ cấu ý kiến theo nhãn chính", (label_rows[0], label_rows[-1])),
    ):
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.y_axis.title = "Tỷ lệ"
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
