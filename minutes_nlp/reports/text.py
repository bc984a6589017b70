"""The terminal summary of an analysed meeting, in Vietnamese."""

from __future__ import annotations

from minutes_nlp.types import Meeting

LEVELS_VI = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}
LABELS_VI = {
    "proposal": "đề xuất",
    "complaint": "phản ánh",
    "report": "báo cáo",
    "agreement": "thống nhất",
    "other": "khác",
}
ROLES_VI = {
    "chair": "chủ trì",
    "secretary": "thư ký",
    "committee": "chi ủy",
    "member": "đảng viên",
    "guest": "đại biểu",
}


def _pct(x) -> str:
    return "không rõ" if x is None else f"{round(100 * x)}%"


def summary(m: Meeting, width: int = 70) -> str:
    """Return a readable multi-line summary: header facts, measures, score, flags, contributions."""
    meta, x, s = m.meta, m.metrics, m.score
    lines = [
        f"== {m.source_file or m.id} ==",
        f"{meta.get('cell', 'Chi bộ (không rõ)')} · {meta.get('date', 'không rõ ngày')} · "
        f"{meta.get('meeting_type', 'loại sinh hoạt không rõ')}",
        f"Chủ trì: {meta.get('chair', 'không rõ')}; thư ký: {meta.get('secretary', 'không rõ')}",
        f"Đảng viên có mặt: {meta.get('members_present', '?')}/{meta.get('members_total', '?')} "
        f"(tỷ lệ dự họp {_pct(x['attendance_rate'])}); thời lượng: "
        f"{'không rõ' if x['duration_minutes'] is None else str(x['duration_minutes']) + ' phút'}",
        f"Ý kiến thảo luận: {x['contributions']} của {x['member_speakers']} đảng viên "
        f"(tỷ lệ phát biểu {_pct(x['participation_rate'])}); đề xuất: {x['proposal_count']}, "
        f"cụ thể: {x['specific_proposal_count']}",
        "Cơ cấu ý kiến: " + ", ".join(f"{LABELS_VI[k]} {_pct(v)}" for k, v in x["label_shares"].items()),
        f"Điểm thực chất: {s['substantive']}/100 - mức {LEVELS_VI[s['level']]}",
    ]
    if m.flags:
        lines.append("Cảnh báo:")
        lines += [f"  [{f.code}] {f.message}" for f in m.flags]
    lines.append("Các ý kiến:")
    for i, c in enumerate(m.contributions, 1):
        words = " ".join(m.text[c.start : c.end].split())
        words = words if len(words) <= width else words[: width - 1] + "…"
        lines.append(
            f"  {i:>2}. {c.speaker or '?'} ({ROLES_VI.get(c.role or '', c.role)}) "
            f"[{LABELS_VI[c.primary_label]}] {words}"
        )
    return "\n".join(lines)
