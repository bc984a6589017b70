"""The terminal summary of an analysed meeting, in the language in force (Vietnamese by default)."""

from __future__ import annotations

from minutes_nlp.i18n import _
from minutes_nlp.types import Meeting
from minutes_nlp.vocabulary import LABEL_NAMES, LEVEL_NAMES, MEETING_TYPE_NAMES, ROLE_NAMES, name_of


def pct(x) -> str:
    """'84%' for 0.84; 'unknown' (translated) for None."""
    return _("unknown") if x is None else f"{round(100 * x)}%"


def ocr_summary(m: Meeting) -> str | None:
    """One line saying the text was read by OCR and how surely, or None for a typed file."""
    if not m.ocr:
        return None
    return _(
        "Text read by OCR from {pages} scanned or photographed pages, confidence {confidence}; {low}/{lines} "
        "doubtful lines (marked)."
    ).format(
        pages=m.ocr["pages"],
        confidence=pct(m.ocr["confidence"]),
        low=len(m.ocr["low_confidence_lines"]),
        lines=m.ocr["lines"],
    )


def doubtful_lines(m: Meeting, limit: int | None = None) -> list[tuple[str, float]]:
    """The text and confidence of the lines OCR read unsurely, in text order."""
    low = (m.ocr or {}).get("low_confidence_lines", [])
    return [(m.text[x["start"] : x["end"]], x["confidence"]) for x in low[:limit]]


def summary(m: Meeting, width: int = 70) -> str:
    """Return a readable multi-line summary: header facts, measures, score, flags, contributions."""
    meta, x, s = m.meta, m.metrics, m.score
    unknown = _("unknown")
    duration = (
        unknown if x["duration_minutes"] is None else _("{minutes} minutes").format(minutes=x["duration_minutes"])
    )
    lines = [
        f"== {m.source_file or m.id} ==",
        f"{meta.get('cell') or _('Party cell (unknown)')} · {meta.get('date') or _('date unknown')} · "
        f"{name_of(MEETING_TYPE_NAMES, meta.get('meeting_type'), _('meeting type unknown'))}",
        _("Chair: {chair}; secretary: {secretary}").format(
            chair=meta.get("chair") or unknown, secretary=meta.get("secretary") or unknown
        ),
        _("Members present: {present}/{total} (attendance {attendance}); duration: {duration}").format(
            present=meta.get("members_present", "?"),
            total=meta.get("members_total", "?"),
            attendance=pct(x["attendance_rate"]),
            duration=duration,
        ),
        _(
            "Discussion: {contributions} contributions by {speakers} members (speaking rate {rate}); "
            "proposals: {proposals}, specific: {specific}"
        ).format(
            contributions=x["contributions"],
            speakers=x["member_speakers"],
            rate=pct(x["participation_rate"]),
            proposals=x["proposal_count"],
            specific=x["specific_proposal_count"],
        ),
        _("Contribution mix: {shares}").format(
            shares=", ".join(f"{LABEL_NAMES[k]} {pct(v)}" for k, v in x["label_shares"].items())
        ),
        _("Substantive score: {score}/100 - level {level}").format(
            score=s["substantive"], level=LEVEL_NAMES[s["level"]]
        ),
    ]
    if m.ocr:
        lines.append(ocr_summary(m))
        lines += [f"  ? {text} ({pct(confidence)})" for text, confidence in doubtful_lines(m, 10)]
    if m.flags:
        lines.append(_("Flags:"))
        lines += [f"  [{f.code}] {f.message}" for f in m.flags]
    lines.append(_("Contributions:"))
    for i, c in enumerate(m.contributions, 1):
        words = " ".join(m.text[c.start : c.end].split())
        words = words if len(words) <= width else words[: width - 1] + "…"
        role = name_of(ROLE_NAMES, c.role, "?")
        lines.append(f"  {i:>2}. {c.speaker or '?'} ({role}) [{LABEL_NAMES[c.primary_label]}] {words}")
    return "\n".join(lines)
