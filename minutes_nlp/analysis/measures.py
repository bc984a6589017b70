"""Meeting measures (codebook §6), as pure functions of a labelled, segmented meeting.

Every function returns None when the minutes do not allow the measure to be
computed; nothing is guessed.
"""

from __future__ import annotations

import re
from collections import Counter

from minutes_nlp.codebook import LABELS, MEMBER_ROLES, primary_label
from minutes_nlp.reading.text import UPPER

_ACTOR = re.compile(
    r"\b(?:chi bộ|chi ủy|ban (?:điều hành|chỉ huy|giám hiệu|giám đốc|quản lý|nhân dân|công tác mặt trận)|tổ \d+|các tổ|"
    r"tổ (?:dân phố|trưởng|công đoàn)|khu phố|ấp|thôn|phường|xã|huyện|quận|ubnd|ủy ban|đảng ủy|công an|đoàn thanh niên|"
    r"chi đoàn|hội (?:phụ nữ|cựu chiến binh|nông dân)|chi hội|nhà trường|khoa|phòng|công ty|nhà máy|phân xưởng|"
    r"đơn vị|bệnh viện|trạm|mỗi (?:đảng viên|chi ủy viên|tổ|hộ)|(?:đồng chí|đ/c) " + UPPER + r"\w*|cấp trên|ngành)",
    re.IGNORECASE,
)
_WHEN_OR_MEASURE = re.compile(
    r"(?:trong (?:tháng|tuần|quý|năm|đợt)|trước (?:ngày|tháng|tết|mùa|khi|\d)|ngay|chậm nhất|hạn chót|"
    r"\d+\s*(?:%|hộ|người|triệu|tỷ|đồng|m|km|buổi|lần|ngày|tuần|tháng|suất|tấn|ca|học sinh|bệnh nhân|đảng viên)|"
    r"\d{1,2}/\d{1,2}|hẻm \d+|số \d+|đường " + UPPER + r"|quý [IV]+|\bmỗi\b)",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"\b(?:quan tâm(?: hơn)?|chú ý|lưu ý|tạo điều kiện|có giải pháp|xem xét|tăng cường|đẩy mạnh|"
    r"nâng cao|phát huy|tiếp tục|quyết liệt|sát sao)\b",
    re.IGNORECASE,
)
_STOP = set(
    "và của là có các những được cho với trong để một đã sẽ này đó thì mà ở tại về theo như từ khi đến "
    "nên cần phải đề nghị chi bộ đồng chí tôi chúng ta không còn rất cũng vào ra lên".split()
)
_SYLL = re.compile(r"[^\W\d_]+", re.UNICODE)


def attendance_rate(present: int | None, total: int | None, exempt: int | None) -> float | None:
    """present / (total − exempt); None without both figures (codebook §6, HD 12-2018 asks > 85%)."""
    if present is None or total is None:
        return None
    base = total - (exempt or 0)
    return round(present / base, 4) if base > 0 else None


def duration_minutes(start: str | None, end: str | None) -> int | None:
    """Minutes from start to end time ("HH:MM"); None unless both are written."""
    if not start or not end:
        return None
    (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
    minutes = (h2 * 60 + m2) - (h1 * 60 + m1)
    if minutes < 0:
        minutes += 24 * 60
    return minutes


def speakers_of(segment_speaker: str | None) -> list[str]:
    """The names in a speaker field; a joint remark lists several, separated by ', '."""
    return [s.strip() for s in (segment_speaker or "").split(",") if s.strip()]


def distinct_people(names: list[str]) -> list[str]:
    """Names with each given name merged into the one full name it ends with (codebook §2)."""
    by_given: dict[str, set[str]] = {}  # the full names (two words or more) by their last word, lower-cased
    for n in names:
        words = n.split()
        if len(words) >= 2:
            by_given.setdefault(words[-1].lower(), set()).add(n)
    people: list[str] = []
    seen: set[str] = set()
    for name in names:
        if len(name.split()) == 1:
            matches = by_given.get(name.lower(), ())
            if len(matches) == 1:
                (name,) = matches
        if name.lower() not in seen:
            people.append(name)
            seen.add(name.lower())
    return people


def member_speakers(contributions: list[dict]) -> list[str]:
    """Distinct members (not guests) who made a contribution."""
    names = [n for c in contributions if c.get("role") in MEMBER_ROLES for n in speakers_of(c.get("speaker"))]
    all_names = [n for c in contributions for n in speakers_of(c.get("speaker"))]
    merged = distinct_people(all_names)
    lowered = [(p, p.lower(), p.split()[-1].lower()) for p in merged]
    resolved = set()
    for n in names:
        low, given = n.lower(), len(n.split()) == 1
        for p, p_low, p_last in lowered:
            if p_low == low or (given and p_last == low):
                resolved.add(p)
                break
    return sorted(resolved)


def participation_rate(speakers: int, present: int | None) -> float | None:
    """Distinct member speakers / members present; the survey's threshold is > 50%."""
    if not present:
        return None
    return round(min(speakers / present, 1.0), 4)


def label_shares(primary_labels: list[str]) -> dict[str, float]:
    """Share of contributions whose primary label is each label."""
    counts = Counter(primary_labels)
    n = len(primary_labels)
    return {lab: round(counts[lab] / n, 4) if n else 0.0 for lab in LABELS}


def is_specific(sentence: str) -> bool:
    """A proposal naming at least two of: who acts, a concrete action, by when / with what measure."""
    who = bool(_ACTOR.search(sentence))
    when = bool(_WHEN_OR_MEASURE.search(sentence))
    words = [w for w in _SYLL.findall(sentence.lower()) if w not in _STOP]
    what = len(words) >= 6 and not (_VAGUE.search(sentence) and len(words) < 10)
    return (who + when + what) >= 2 and (what or when)


def content_words(text: str) -> set[str]:
    """Lower-case syllables of text other than function words."""
    return {w for w in _SYLL.findall(text.lower()) if w not in _STOP and len(w) > 1}


def taken_up(
    proposal: str,
    conclusion_sentences: list[str],
    min_shared: int = 3,
    min_overlap: float = 0.25,
    conclusion_words: list[set[str]] | None = None,
):
    """Return the conclusion sentence that takes up a proposal, or None.

    Taken up: the sentence shares at least ``min_shared`` content words with
    the proposal, covering at least ``min_overlap`` of the proposal's words.
    ``conclusion_words``, when given, are the sentences' content words, found once for all of a meeting's proposals.
    """
    words = content_words(proposal)
    if not words:
        return None
    if conclusion_words is None:
        conclusion_words = [content_words(sent) for sent in conclusion_sentences]
    best, best_score = None, 0.0
    for sent, theirs in zip(conclusion_sentences, conclusion_words):
        shared = words & theirs
        score = len(shared) / len(words)
        if len(shared) >= min_shared and score >= min_overlap and score > best_score:
            best, best_score = sent, score
    return best


def talk_share(contributions: list[dict]) -> dict[str, float]:
    """Each speaker's share of the discussion's characters."""
    total = sum(c["end"] - c["start"] for c in contributions) or 1
    shares: Counter = Counter()
    for c in contributions:
        names = speakers_of(c.get("speaker")) or ["(không rõ)"]
        for n in names:
            shares[n] += (c["end"] - c["start"]) / len(names) / total
    return {k: round(v, 4) for k, v in shares.most_common()}


__all__ = [
    "attendance_rate",
    "duration_minutes",
    "participation_rate",
    "label_shares",
    "is_specific",
    "taken_up",
    "talk_share",
    "member_speakers",
    "distinct_people",
    "primary_label",
    "MEMBER_ROLES",
]
