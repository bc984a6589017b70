"""Flags for supervisors: stable codes, messages with the numbers (in the language in force), and evidence.

| code | severity | when |
|---|---|---|
| NO_PROPOSALS | warning | no contribution proposes anything (flagged whatever the score) |
| LOW_PARTICIPATION | warning | at most `low_participation` of present members spoke |
| AGREEMENT_ONLY | warning | every contribution only agrees (or says nothing else) |
| CHAIR_DOMINATED | warning | the chair speaks at least `chair_dominated` of the discussion |
| LOW_ATTENDANCE | warning | attendance at most `low_attendance` (HD 12-2018 asks > 85%) |
| ABSENT_WITHOUT_REASON | warning | the minutes record absences without a reason |
| SHORT_MEETING | warning | shorter than `short_meeting` minutes (`short_meeting_thematic` for a thematic one) |
| NO_CONCLUSION | warning | no conclusion by the chair was found |
| PROPOSALS_NOT_IN_CONCLUSION | warning | the conclusion takes up less than `uptake_min` of the proposals |
| MISSING_ATTENDANCE | info | the header gives no attendance figures: rates are null |
| MISSING_TIMES | info | start or end time not written: duration is null |
| NO_DISCUSSION | warning | no member contribution was found |
| OCR_LOW_CONFIDENCE | warning | OCR's mean confidence under `ocr_confidence`, or too many lines under `ocr_low_line` |
"""

from __future__ import annotations

from minutes_nlp.i18n import _
from minutes_nlp.types import Flag

SEVERITY_ORDER = {"warning": 0, "info": 1}


def _pct(x: float) -> str:
    return f"{round(100 * x):d}%"


def flags(metrics: dict, meta: dict, ev: dict[str, list[dict]], cfg: dict) -> list[Flag]:
    """Return the flags a meeting raises, warnings first."""
    out: list[Flag] = []
    n = metrics["contributions"]
    if n == 0:
        out.append(
            Flag("NO_DISCUSSION", "warning", _("No contribution by a party member was found in the discussion."))
        )
    if metrics["proposal_count"] == 0:
        out.append(
            Flag(
                "NO_PROPOSALS",
                "warning",
                _("No contribution proposes a direction or a solution ({n} contributions to the discussion).").format(
                    n=n
                ),
                ev.get("contributions", [])[:5],
            )
        )
    rate = metrics["participation_rate"]
    if rate is not None and rate <= cfg["low_participation"]:
        out.append(
            Flag(
                "LOW_PARTICIPATION",
                "warning",
                _("Only {spoke}/{present} of the members present spoke ({rate}, not more than {limit}).").format(
                    spoke=metrics["member_speakers"],
                    present=meta.get("members_present"),
                    rate=_pct(rate),
                    limit=_pct(cfg["low_participation"]),
                ),
            )
        )
    if n and metrics["label_shares"]["agreement"] + metrics["label_shares"]["other"] >= 0.999:
        out.append(
            Flag(
                "AGREEMENT_ONLY",
                "warning",
                _(
                    "All {n} contributions only agree with the draft; none raises a problem or proposes anything."
                ).format(n=n),
                ev.get("agreement_only", [])[:5],
            )
        )
    chair = metrics.get("chair_share")
    if chair is not None and n > 1 and chair >= cfg["chair_dominated"]:
        out.append(
            Flag(
                "CHAIR_DOMINATED",
                "warning",
                _("The chair takes {share} of the discussion ({limit} or more).").format(
                    share=_pct(chair), limit=_pct(cfg["chair_dominated"])
                ),
            )
        )
    att = metrics["attendance_rate"]
    if att is None:
        out.append(
            Flag(
                "MISSING_ATTENDANCE",
                "info",
                _(
                    "The minutes do not record how many members were present and in total: the attendance and "
                    "speaking rates cannot be computed."
                ),
            )
        )
    elif att <= cfg["low_attendance"]:
        out.append(
            Flag(
                "LOW_ATTENDANCE",
                "warning",
                _("Attendance {rate} ({present}/{expected}), not above {limit} as HD 12-HD/BTCTW asks.").format(
                    rate=_pct(att),
                    present=meta.get("members_present"),
                    expected=(meta.get("members_total") or 0) - (meta.get("members_exempt") or 0),
                    limit=_pct(cfg["low_attendance"]),
                ),
            )
        )
    if meta.get("members_absent_without_reason"):
        out.append(
            Flag(
                "ABSENT_WITHOUT_REASON",
                "warning",
                _("{n} members were absent without a reason.").format(n=meta["members_absent_without_reason"]),
            )
        )
    minutes = metrics["duration_minutes"]
    if minutes is None:
        out.append(
            Flag(
                "MISSING_TIMES",
                "info",
                _("The minutes do not record both the start and the end time: the duration cannot be computed."),
            )
        )
    else:
        limit = cfg["short_meeting_thematic"] if meta.get("meeting_type") == "chuyen_de" else cfg["short_meeting"]
        if minutes < limit:
            message = _("The meeting lasted {minutes} minutes, under {limit} minutes.").format(
                minutes=minutes, limit=limit
            )
            out.append(Flag("SHORT_MEETING", "warning", message))
    if not metrics["has_conclusion"]:
        out.append(Flag("NO_CONCLUSION", "warning", _("No conclusion by the chair was found.")))
    uptake = metrics["conclusion_uptake"]
    if (
        metrics["has_conclusion"]
        and uptake["proposals"]
        and uptake["taken_up"] / uptake["proposals"] < cfg["uptake_min"]
    ):
        out.append(
            Flag(
                "PROPOSALS_NOT_IN_CONCLUSION",
                "warning",
                _("The conclusion takes up only {taken}/{proposals} of the members' proposals.").format(
                    taken=uptake["taken_up"], proposals=uptake["proposals"]
                ),
                ev.get("not_taken_up", [])[:5],
            )
        )
    out.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return out


def ocr_flag(ocr: dict, text: str, cfg: dict) -> Flag | None:
    """OCR_LOW_CONFIDENCE when the text of a scan or photo was read too unsurely to trust names and labels."""
    low = ocr["low_confidence_lines"]
    share = len(low) / ocr["lines"] if ocr["lines"] else 1.0
    if ocr["confidence"] >= cfg["ocr_confidence"] and share <= cfg["ocr_low_share"]:
        return None
    message = _(
        "The text was read by OCR from a scan or photo with confidence {confidence} and {low}/{lines} doubtful "
        "lines: check names and figures against the paper, or upload a sharper scan."
    ).format(confidence=_pct(ocr["confidence"]), low=len(low), lines=ocr["lines"])
    return Flag(
        "OCR_LOW_CONFIDENCE",
        "warning",
        message,
        [{"start": x["start"], "end": x["end"], "text": text[x["start"] : x["end"]]} for x in low[:5]],
    )
