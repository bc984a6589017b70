"""A printable, self-contained HTML report of one analysed meeting, in Vietnamese.

The page has no external assets and no script: inline CSS with a print
stylesheet, every label shown by colour *and* by name (so it prints in black
and white), every flag and score component linked to the sentences behind it.
All text goes through Jinja2 autoescaping; offsets index ``meeting.text``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from minutes_nlp.extras import require
from minutes_nlp.reports.text import LABELS_VI, LEVELS_VI, ROLES_VI
from minutes_nlp.types import Meeting, Segment

TEMPLATES = Path(__file__).with_name("templates")

MEETING_TYPES_VI = {
    "thuong_ky": "Sinh hoạt thường kỳ",
    "chuyen_de": "Sinh hoạt chuyên đề",
    "kiem_diem": "Kiểm điểm, tự phê bình và phê bình",
    "ket_nap": "Kết nạp đảng viên",
    "other": "Khác",
}
CELL_TYPES_VI = {
    "residential": "Khu dân cư",
    "school": "Trường học",
    "health": "Y tế",
    "armed": "Lực lượng vũ trang",
    "enterprise": "Doanh nghiệp",
    "agency": "Cơ quan",
    "other": "Khác",
}
KINDS_VI = {
    "procedural": "Thủ tục",
    "chair_report": "Báo cáo, quán triệt",
    "discussion": "Thảo luận",
    "chair_conclusion": "Kết luận của chủ trì",
}
SEVERITY_VI = {"warning": "Cảnh báo", "info": "Lưu ý"}
COMPONENTS_VI = {
    "participation": "Đảng viên phát biểu",
    "engagement": "Ý kiến có nội dung (không chỉ thống nhất)",
    "proposals": "Ý kiến đề xuất",
    "specific": "Đề xuất cụ thể",
    "problems": "Phản ánh vấn đề",
    "uptake": "Kết luận tiếp thu đề xuất",
    "agreement_only": "Ý kiến chỉ thống nhất (trừ điểm)",
}
# Where a flag without evidence spans points to: the part of the page that shows what it is about.
FLAG_SECTIONS = {
    "LOW_PARTICIPATION": "y-kien",
    "CHAIR_DOMINATED": "y-kien",
    "NO_DISCUSSION": "y-kien",
    "NO_PROPOSALS": "y-kien",
    "AGREEMENT_ONLY": "y-kien",
    "LOW_ATTENDANCE": "thong-tin",
    "ABSENT_WITHOUT_REASON": "thong-tin",
    "MISSING_ATTENDANCE": "thong-tin",
    "SHORT_MEETING": "thong-tin",
    "MISSING_TIMES": "thong-tin",
    "NO_CONCLUSION": "bien-ban",
    "PROPOSALS_NOT_IN_CONCLUSION": "bien-ban",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescaping on for every template)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    return env


def pct(x) -> str:
    """'84%' for 0.84; 'không rõ' for None."""
    return "không rõ" if x is None else f"{round(100 * x)}%"


def date_vi(iso: str | None) -> str:
    """'08/09/2024' for '2024-09-08'; 'không rõ' when the minutes give no date."""
    if not iso:
        return "không rõ"
    y, m, d = (iso.split("-") + ["", ""])[:3]
    return f"{d}/{m}/{y}" if d else iso


def _pieces(text: str, seg: Segment) -> list[dict]:
    """The segment's text cut into plain runs and labelled sentences, in order."""
    out, pos = [], seg.start
    for s in sorted(seg.sentences, key=lambda s: s.start):
        if s.start > pos:
            out.append({"text": text[pos : s.start], "label": None})
        out.append(
            {
                "text": text[s.start : s.end],
                "label": s.label or "other",
                "id": f"cau-{s.start}-{s.end}",
                "name": LABELS_VI.get(s.label or "other", s.label),
                "specific": bool(s.specific),
                "confidence": s.confidence,
            }
        )
        pos = max(pos, s.end)
    if pos < seg.end:
        out.append({"text": text[pos : seg.end], "label": None})
    return out


def _anchors(m: Meeting) -> tuple[dict, list]:
    """Map (start, end) of every contribution and sentence to its element id; and the spans for lookup."""
    exact: dict[tuple[int, int], str] = {}
    spans: list[tuple[int, int, str]] = []
    for i, seg in enumerate(m.segments):
        sid = f"doan-{i}"
        exact[(seg.start, seg.end)] = sid
        spans.append((seg.start, seg.end, sid))
        for s in seg.sentences:
            exact[(s.start, s.end)] = f"cau-{s.start}-{s.end}"
    return exact, spans


def _link(ev: dict, exact: dict, spans: list) -> str | None:
    """The element id an evidence span points to: the same span, else the segment holding its start."""
    if "start" not in ev:
        return None
    key = (ev["start"], ev["end"])
    if key in exact:
        return exact[key]
    for start, end, sid in spans:
        if start <= ev["start"] < end:
            return sid
    return None


def _evidence(items: list[dict], m: Meeting, exact: dict, spans: list) -> list[dict]:
    out = []
    for ev in items:
        if "start" in ev:
            out.append({"text": m.text[ev["start"] : ev["end"]], "href": _link(ev, exact, spans)})
        elif ev.get("note"):
            out.append({"text": ev["note"], "href": None})
    return out


def context(m: Meeting) -> dict:
    """Everything the meeting template shows, as plain values (pure function of the meeting)."""
    meta, x = m.meta, m.metrics
    exact, spans = _anchors(m)
    segments, number = [], 0
    for i, seg in enumerate(m.segments):
        row = {
            "id": f"doan-{i}",
            "kind": seg.kind,
            "kind_name": KINDS_VI.get(seg.kind, seg.kind),
            "speaker": seg.speaker,
            "role": ROLES_VI.get(seg.role or "", seg.role),
        }
        if seg.kind == "discussion":
            number += 1
            row.update(
                number=number,
                label=seg.primary_label,
                label_name=LABELS_VI.get(seg.primary_label),
                labels=[LABELS_VI.get(lab, lab) for lab in seg.labels],
                specific=sum(bool(s.specific) for s in seg.sentences),
                pieces=_pieces(m.text, seg),
            )
        else:
            row["pieces"] = [{"text": m.text[seg.start : seg.end], "label": None}]
        segments.append(row)
    flags = []
    for f in m.flags:
        evidence = _evidence(f.evidence, m, exact, spans)
        href = next((e["href"] for e in evidence if e["href"]), None) or FLAG_SECTIONS.get(f.code, "bien-ban")
        flags.append(
            {
                "code": f.code,
                "severity": f.severity,
                "severity_name": SEVERITY_VI.get(f.severity, f.severity),
                "message": f.message,
                "href": href,
                "evidence": evidence,
            }
        )
    components = []
    for name, comp in m.score.get("components", {}).items():
        components.append(
            {
                "name": COMPONENTS_VI.get(name, name),
                "code": name,
                "value": comp["value"],
                "weight": comp["weight"],
                "points": comp["points"],
                "evidence": _evidence(comp.get("evidence", []), m, exact, spans),
            }
        )
    criteria = dict(m.criteria)
    criteria["rows"] = [{**r, "shown": _criterion_value(r)} for r in m.criteria.get("criteria", [])]
    present, total, exempt = meta.get("members_present"), meta.get("members_total"), meta.get("members_exempt")
    facts = [
        ("Đảng bộ", meta.get("committee") or "không rõ"),
        ("Chi bộ", meta.get("cell") or "không rõ"),
        ("Loại chi bộ", CELL_TYPES_VI.get(meta.get("cell_type") or "", "không rõ")),
        ("Ngày họp", date_vi(meta.get("date"))),
        ("Loại sinh hoạt", MEETING_TYPES_VI.get(meta.get("meeting_type") or "", "không rõ")),
        ("Địa điểm", meta.get("place") or "không rõ"),
        ("Chủ trì", meta.get("chair") or "không rõ"),
        ("Thư ký", meta.get("secretary") or "không rõ"),
        ("Đại biểu", ", ".join(meta.get("guests") or []) or "không ghi"),
        (
            "Đảng viên dự họp",
            "không ghi"
            if present is None
            else f"{present}/{total if total is not None else '?'}"
            + (f" (miễn sinh hoạt {exempt})" if exempt else "")
            + f", tỷ lệ {pct(x.get('attendance_rate'))}",
        ),
        ("Vắng", _absent(meta)),
        ("Thời gian", _duration(meta, x.get("duration_minutes"))),
        ("Đảng viên phát biểu", f"{x.get('member_speakers', 0)} người, tỷ lệ {pct(x.get('participation_rate'))}"),
        (
            "Ý kiến thảo luận",
            f"{x.get('contributions', 0)} ý kiến; {x.get('proposal_count', 0)} có đề xuất, "
            f"{x.get('specific_proposal_count', 0)} đề xuất cụ thể",
        ),
    ]
    return {
        "title": f"Báo cáo phân tích biên bản - {meta.get('cell') or m.source_file or m.id}",
        "meeting": m,
        "facts": facts,
        "score": m.score["substantive"],
        "level": m.score["level"],
        "level_name": LEVELS_VI.get(m.score["level"], m.score["level"]),
        "components": components,
        "criteria": criteria,
        "flags": flags,
        "segments": segments,
        "label_shares": [(lab, LABELS_VI[lab], x.get("label_shares", {}).get(lab)) for lab in LABELS_VI],
        "labels": list(LABELS_VI.items()),
        "model": m.model,
        "source": m.source_file or m.id,
    }


def _absent(meta: dict) -> str:
    if meta.get("members_absent") is None:
        return "không ghi"
    parts = [f"{meta['members_absent']}"]
    if meta.get("members_absent_with_reason") is not None:
        parts.append(f"có lý do {meta['members_absent_with_reason']}")
    if meta.get("members_absent_without_reason") is not None:
        parts.append(f"không lý do {meta['members_absent_without_reason']}")
    return parts[0] + (f" ({', '.join(parts[1:])})" if parts[1:] else "")


def _duration(meta: dict, minutes) -> str:
    start, end = meta.get("start_time"), meta.get("end_time")
    if minutes is None:
        return f"bắt đầu {start or '?'}, kết thúc {end or '?'} (không tính được thời lượng)"
    return f"{start} - {end} ({minutes} phút)"


def _criterion_value(row: dict) -> str:
    value = row.get("value")
    if value is None:
        return "không rõ"
    if isinstance(value, bool):
        return "có" if value else "không"
    if row["code"] in ("attendance", "speaking"):
        return pct(value)
    if row["code"] == "duration":
        return f"{value} phút"
    return str(value)


def render_html(meeting: Meeting) -> str:
    """Return the meeting's report as one self-contained HTML page (Vietnamese, printable)."""
    return environment().get_template("meeting.html.j2").render(**context(meeting))


def survey_charts(result: dict) -> list[tuple[str, str]]:
    """Return (title, base64 PNG) bar charts of the survey: levels, speaking and proposals, labels; by group."""
    import base64
    import io

    require("plots", "survey charts")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from minutes_nlp.reports.supervise import LABELS, LEVELS

    columns = ["Toàn bộ"] + list(result["groups"])
    stats = [result["overall"]] + list(result["groups"].values())
    figures = [
        ("Tỷ lệ cuộc họp theo mức điểm", [(LEVELS_VI[lv], [s["level_shares"][lv] for s in stats]) for lv in LEVELS]),
        (
            "Phát biểu và đề xuất",
            [
                ("Trên 50% đảng viên có mặt phát biểu", [s["half_spoke_share"] for s in stats]),
                ("Không có ý kiến đề xuất", [s["no_proposal_share"] for s in stats]),
            ],
        ),
        (
            "Cơ cấu ý kiến theo nhãn chính",
            [(LABELS_VI[lab], [s["label_shares"][lab] for s in stats]) for lab in LABELS],
        ),
    ]
    hatches = ["", "//", "..", "xx", "\\\\"]  # so the bars stay apart when printed in black and white
    out = []
    for title, series in figures:
        fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(columns) * len(series) / 2 + 3), 3.6), dpi=110)
        width = 0.8 / len(series)
        for k, (name, values) in enumerate(series):
            xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(columns))]
            ys = [100 * v if v is not None else 0 for v in values]
            bars = ax.bar(xs, ys, width, label=name, hatch=hatches[k % len(hatches)], edgecolor="black", linewidth=0.5)
            ax.bar_label(bars, labels=[f"{y:.0f}%" if v is not None else "-" for y, v in zip(ys, values)], fontsize=7)
        ax.set_xticks(
            range(len(columns)), [str(c) for c in columns], fontsize=8, rotation=15 if len(columns) > 4 else 0
        )
        ax.set_ylabel("%")
        ax.set_ylim(0, 110)
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="upper right", ncol=min(len(series), 3))
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        out.append((title, base64.b64encode(buf.getvalue()).decode("ascii")))
    return out


def render_survey_html(result: dict, charts: bool = True) -> str:
    """Return the survey (supervise.survey) as one self-contained HTML page with its charts embedded."""
    from minutes_nlp.reports.supervise import GROUPINGS_VI, show, survey_rows

    columns, rows = survey_rows(result)
    table = [(name, [show(v, kind) for v in values]) for name, kind, values in rows]
    by = result.get("by")
    return (
        environment()
        .get_template("survey.html.j2")
        .render(
            columns=columns,
            table=table,
            by_name=GROUPINGS_VI.get(by, by) if by else None,
            charts=survey_charts(result) if charts else [],
            n=result["overall"]["meetings"],
        )
    )
