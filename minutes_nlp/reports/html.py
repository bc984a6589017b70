"""A printable, self-contained HTML report of one analysed meeting, in the language in force (Vietnamese by default).

The page has no external assets and no script: inline CSS with a print
stylesheet, every label shown by colour *and* by name (so it prints in black
and white), every flag and score component linked to the sentences behind it.
All text goes through Jinja2 autoescaping; offsets index ``meeting.text``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from minutes_nlp.codebook import LABELS, LEVELS
from minutes_nlp.extras import require
from minutes_nlp.i18n import _, current_language, ngettext
from minutes_nlp.reports.supervise import show, survey_rows
from minutes_nlp.reports.text import doubtful_lines, ocr_summary, pct
from minutes_nlp.types import Meeting, Segment
from minutes_nlp.vocabulary import (
    CELL_TYPE_NAMES,
    COMPONENT_NAMES,
    FLAG_TITLES,
    GROUPING_NAMES,
    KIND_NAMES,
    LABEL_NAMES,
    LEVEL_NAMES,
    MEETING_TYPE_NAMES,
    ROLE_NAMES,
    SEVERITY_NAMES,
    name_of,
)

TEMPLATES = Path(__file__).with_name("templates")

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
    "OCR_LOW_CONFIDENCE": "bien-ban",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescaping on, gettext of minutes_nlp.i18n)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(_, ngettext, newstyle=True)
    env.filters["pct"] = pct
    env.globals["language"] = current_language
    return env


def date_text(iso: str | None) -> str:
    """'08/09/2024' for '2024-09-08' (day first, as written in both languages here); 'unknown' when not given."""
    if not iso:
        return _("unknown")
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
                "name": name_of(LABEL_NAMES, s.label or "other"),
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
    """Everything the meeting template shows, as plain values (pure function of the meeting and the language)."""
    meta, x = m.meta, m.metrics
    exact, spans = _anchors(m)
    segments, number = [], 0
    for i, seg in enumerate(m.segments):
        row = {
            "id": f"doan-{i}",
            "kind": seg.kind,
            "kind_name": name_of(KIND_NAMES, seg.kind),
            "speaker": seg.speaker,
            "role": name_of(ROLE_NAMES, seg.role),
        }
        if seg.kind == "discussion":
            number += 1
            row.update(
                number=number,
                label=seg.primary_label,
                label_name=name_of(LABEL_NAMES, seg.primary_label),
                labels=[name_of(LABEL_NAMES, lab) for lab in seg.labels],
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
                "title": FLAG_TITLES.get(f.code, f.code),
                "severity": f.severity,
                "severity_name": name_of(SEVERITY_NAMES, f.severity),
                "message": f.message,
                "href": href,
                "evidence": evidence,
            }
        )
    components = []
    for name, comp in m.score.get("components", {}).items():
        components.append(
            {
                "name": name_of(COMPONENT_NAMES, name),
                "code": name,
                "value": comp["value"],
                "weight": comp["weight"],
                "points": comp["points"],
                "evidence": _evidence(comp.get("evidence", []), m, exact, spans),
            }
        )
    criteria = dict(m.criteria)
    criteria["rows"] = [{**r, "shown": _criterion_value(r)} for r in m.criteria.get("criteria", [])]
    unknown, not_written = _("unknown"), _("not recorded")
    present, total, exempt = meta.get("members_present"), meta.get("members_total"), meta.get("members_exempt")
    if present is None:
        attendance = not_written
    else:
        attendance = f"{present}/{total if total is not None else '?'}"
        if exempt:
            attendance += " " + _("(exempt from meetings: {exempt})").format(exempt=exempt)
        attendance += ", " + _("rate {rate}").format(rate=pct(x.get("attendance_rate")))
    facts = [
        (_("Party committee"), meta.get("committee") or unknown),
        (_("Party cell"), meta.get("cell") or unknown),
        (_("Cell type"), name_of(CELL_TYPE_NAMES, meta.get("cell_type"), unknown)),
        (_("Meeting date"), date_text(meta.get("date"))),
        (_("Meeting type"), name_of(MEETING_TYPE_NAMES, meta.get("meeting_type"), unknown)),
        (_("Place"), meta.get("place") or unknown),
        (_("Chair"), meta.get("chair") or unknown),
        (_("Secretary"), meta.get("secretary") or unknown),
        (_("Guests"), ", ".join(meta.get("guests") or []) or not_written),
        (_("Members attending"), attendance),
        (_("Absent"), _absent(meta)),
        (_("Time"), _duration(meta, x.get("duration_minutes"))),
        (
            _("Members who spoke"),
            _("{n} people, rate {rate}").format(n=x.get("member_speakers", 0), rate=pct(x.get("participation_rate"))),
        ),
        (
            _("Discussion"),
            _("{n} contributions; {proposals} with a proposal, {specific} specific proposals").format(
                n=x.get("contributions", 0),
                proposals=x.get("proposal_count", 0),
                specific=x.get("specific_proposal_count", 0),
            ),
        ),
    ]
    return {
        "title": _("Analysis of the minutes - {name}").format(name=meta.get("cell") or m.source_file or m.id),
        "meeting": m,
        "facts": facts,
        "score": m.score["substantive"],
        "level": m.score["level"],
        "level_name": name_of(LEVEL_NAMES, m.score["level"]),
        "components": components,
        "criteria": criteria,
        "flags": flags,
        "segments": segments,
        "label_shares": [(lab, LABEL_NAMES[lab], x.get("label_shares", {}).get(lab)) for lab in LABEL_NAMES],
        "labels": list(LABEL_NAMES.items()),
        "model": m.model,
        "source": m.source_file or m.id,
        "ocr": ocr_summary(m),
        "doubtful": [{"text": t, "confidence": c} for t, c in doubtful_lines(m)],
    }


def _absent(meta: dict) -> str:
    if meta.get("members_absent") is None:
        return _("not recorded")
    parts = [f"{meta['members_absent']}"]
    if meta.get("members_absent_with_reason") is not None:
        parts.append(_("with a reason {n}").format(n=meta["members_absent_with_reason"]))
    if meta.get("members_absent_without_reason") is not None:
        parts.append(_("without a reason {n}").format(n=meta["members_absent_without_reason"]))
    return parts[0] + (f" ({', '.join(parts[1:])})" if parts[1:] else "")


def _duration(meta: dict, minutes) -> str:
    start, end = meta.get("start_time"), meta.get("end_time")
    if minutes is None:
        return _("started {start}, ended {end} (duration cannot be computed)").format(
            start=start or "?", end=end or "?"
        )
    return f"{start} - {end} (" + _("{minutes} minutes").format(minutes=minutes) + ")"


def _criterion_value(row: dict) -> str:
    value = row.get("value")
    if value is None:
        return _("unknown")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if row["code"] in ("attendance", "speaking"):
        return pct(value)
    if row["code"] == "duration":
        return _("{minutes} minutes").format(minutes=value)
    return str(value)


def render_html(meeting: Meeting) -> str:
    """Return the meeting's report as one self-contained HTML page (printable, in the language in force)."""
    return environment().get_template("meeting.html.j2").render(**context(meeting))


def survey_charts(result: dict) -> list[tuple[str, str]]:
    """Return (title, base64 PNG) bar charts of the survey: levels, speaking and proposals, labels; by group."""
    import base64
    import io

    require("plots", _("survey charts"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = [_("All")] + list(result["groups"])
    stats = [result["overall"]] + list(result["groups"].values())
    figures = [
        (_("Share of meetings by level"), [(LEVEL_NAMES[lv], [s["level_shares"][lv] for s in stats]) for lv in LEVELS]),
        (
            _("Speaking and proposals"),
            [
                (_("More than half (50%) of the members present spoke"), [s["half_spoke_share"] for s in stats]),
                (_("No proposal"), [s["no_proposal_share"] for s in stats]),
            ],
        ),
        (
            _("Contribution mix by main label"),
            [(LABEL_NAMES[lab], [s["label_shares"][lab] for s in stats]) for lab in LABELS],
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
    columns, rows = survey_rows(result)
    table = [(name, [show(v, kind) for v in values]) for name, kind, values in rows]
    by = result.get("by")
    return (
        environment()
        .get_template("survey.html.j2")
        .render(
            columns=columns,
            table=table,
            by_name=name_of(GROUPING_NAMES, by) if by else None,
            charts=survey_charts(result) if charts else [],
            n=result["overall"]["meetings"],
        )
    )
