"""Flags for supervisors: stable codes, Vietnamese messages with the numbers, and evidence.

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
"""

from __future__ import annotations

from minutes_nlp.types import Flag

SEVERITY_ORDER = {"warning": 0, "info": 1}


def _pct(x: float) -> str:
    return f"{round(100 * x):d}%"


def flags(metrics: dict, meta: dict, ev: dict[str, list[dict]], cfg: dict) -> list[Flag]:
    """Return the flags a meeting raises, warnings first."""
    out: list[Flag] = []
    n = metrics["contributions"]
    if n == 0:
        out.append(Flag("NO_DISCUSSION", "warning", "Không tìm thấy ý kiến thảo luận nào của đảng viên."))
    if metrics["proposal_count"] == 0:
        out.append(
            Flag(
                "NO_PROPOSALS",
                "warning",
                f"Không có ý kiến nào đề xuất phương hướng, giải pháp ({n} ý kiến thảo luận).",
                ev.get("contributions", [])[:5],
            )
        )
    rate = metrics["participation_rate"]
    if rate is not None and rate <= cfg["low_participation"]:
        out.append(
            Flag(
                "LOW_PARTICIPATION",
                "warning",
                f"Chỉ {metrics['member_speakers']}/{meta.get('members_present')} đảng viên có mặt phát biểu "
                f"({_pct(rate)}, không quá {_pct(cfg['low_participation'])}).",
            )
        )
    if n and metrics["label_shares"]["agreement"] + metrics["label_shares"]["other"] >= 0.999:
        out.append(
            Flag(
                "AGREEMENT_ONLY",
                "warning",
                f"Cả {n} ý kiến chỉ thống nhất với dự thảo, không phản ánh vấn đề hay đề xuất gì.",
                ev.get("agreement_only", [])[:5],
            )
        )
    chair = metrics.get("chair_share")
    if chair is not None and n > 1 and chair >= cfg["chair_dominated"]:
        out.append(
            Flag(
                "CHAIR_DOMINATED",
                "warning",
                f"Người chủ trì chiếm {_pct(chair)} phần thảo luận (từ {_pct(cfg['chair_dominated'])} trở lên).",
            )
        )
    att = metrics["attendance_rate"]
    if att is None:
        out.append(
            Flag(
                "MISSING_ATTENDANCE",
                "info",
                "Biên bản không ghi số đảng viên có mặt và tổng số: không tính được tỷ lệ dự họp và tỷ lệ phát biểu.",
            )
        )
    elif att <= cfg["low_attendance"]:
        out.append(
            Flag(
                "LOW_ATTENDANCE",
                "warning",
                f"Tỷ lệ đảng viên dự họp {_pct(att)} ({meta.get('members_present')}/"
                f"{(meta.get('members_total') or 0) - (meta.get('members_exempt') or 0)}), "
                f"không đạt trên {_pct(cfg['low_attendance'])} theo HD 12-HD/BTCTW.",
            )
        )
    if meta.get("members_absent_without_reason"):
        out.append(
            Flag(
                "ABSENT_WITHOUT_REASON",
                "warning",
                f"Có {meta['members_absent_without_reason']} đảng viên vắng không lý do.",
            )
        )
    minutes = metrics["duration_minutes"]
    if minutes is None:
        out.append(
            Flag("MISSING_TIMES", "info", "Biên bản không ghi đủ giờ bắt đầu và kết thúc: không tính được thời lượng.")
        )
    else:
        limit = cfg["short_meeting_thematic"] if meta.get("meeting_type") == "chuyen_de" else cfg["short_meeting"]
        if minutes < limit:
            out.append(Flag("SHORT_MEETING", "warning", f"Buổi sinh hoạt kéo dài {minutes} phút, dưới {limit} phút."))
    if not metrics["has_conclusion"]:
        out.append(Flag("NO_CONCLUSION", "warning", "Không tìm thấy phần kết luận của người chủ trì."))
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
                f"Kết luận chỉ tiếp thu {uptake['taken_up']}/{uptake['proposals']} đề xuất của đảng viên.",
                ev.get("not_taken_up", [])[:5],
            )
        )
    out.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return out
