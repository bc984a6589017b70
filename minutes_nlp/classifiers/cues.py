"""The cue lexicon: for each label the phrases that signal it, and the codebook's hard cases.

Kept apart from the rule classifier so that the linear model's features (which use the cues) load
without scikit-learn.
"""

from __future__ import annotations

import re
from functools import lru_cache

from minutes_nlp.codebook import LABELS

CUES: dict[str, tuple[str, ...]] = {
    "proposal": (
        r"\bđề nghị\b",
        r"\bkiến nghị\b",
        r"\bđề xuất\b",
        r"\bnên\b",
        r"\bcần\b",
        r"\bphải\b",
        r"\bmong (?:chi bộ|các|cấp|đảng ủy|ban|lãnh đạo|nhà trường|bệnh viện|công ty)",
        r"\byêu cầu\b",
        r"\btheo tôi\b",
        r"\bsao (?:chi bộ|không|ta|mình)\b",
        r"\bbổ sung vào\b",
        r"\bgiao cho\b",
        r"\bcó giải pháp\b",
        r"\bsớm\b",
        r"\bxem xét\b",
        r"\btăng cường\b",
        r"\bđẩy mạnh\b",
        r"\bkịp thời\b",
    ),
    "complaint": (
        r"\bbức xúc\b",
        r"\bphản ánh\b",
        r"\bchưa\b",
        r"\bvẫn còn\b",
        r"\bcòn\b",
        r"\bchậm\b",
        r"\bkhó khăn\b",
        r"\bxuống cấp\b",
        r"\bhạn chế\b",
        r"\btồn tại\b",
        r"\bthiếu\b",
        r"\bngập\b",
        r"\bkhông được\b",
        r"\btình trạng\b",
        r"\bvi phạm\b",
        r"\byếu\b",
        r"\bkém\b",
        r"\brườm rà\b",
        r"\blo ngại\b",
        r"\bbất cập\b",
        r"\bkhuyết điểm\b",
        r"\bquá tải\b",
        r"\bnguy hiểm\b",
        r"\bô nhiễm\b",
        r"\bphàn nàn\b",
        r"\bthất thoát\b",
        r"\bnợ đọng\b",
        r"\bkhông đủ\b",
        r"\bhư\b",
        r"\bhỏng\b",
        r"\bsai\b",
        r"\bgiảm\b",
        r"\bbỏ học\b",
    ),
    "report": (
        r"\bđã\b",
        r"\bhoàn thành\b",
        r"\bđạt\b",
        r"\bkết quả\b",
        r"\btrong tháng\b",
        r"\bđược\b",
        r"\bvận động\b",
        r"\btổ chức\b",
        r"\bbản thân\b",
        r"\bsẽ\b",
        r"\d+\s*%",
        r"\btriển khai\b",
        r"\bthu\b",
        r"\bđang\b",
        r"\bluôn\b",
    ),
    "agreement": (
        r"\bthống nhất\b",
        r"\bnhất trí\b",
        r"\bđồng ý\b",
        r"\btán thành\b",
        r"\bkhông có ý kiến\b",
        r"\bđồng tình\b",
        r"\bghi nhận\b",
        r"\bsát (?:thực tế|với thực tế|tình hình)\b",
        r"\bcông phu\b",
        r"\bđánh giá (?:đúng|sát|khách quan|đầy đủ)\b",
        r"\bđầy đủ, (?:toàn diện|sát)\b",
    ),
}
# Hard cases where a cue word does not perform its usual act (codebook §4.4, §4.8, §4.9, §4.12).
OVERRIDES: tuple[tuple[str, str], ...] = (
    (
        r"\b(?:nhất trí|thống nhất|đồng ý|tán thành) (?:với )?(?:đề nghị|việc đề nghị) (?:kết nạp|công nhận|chuyển)",
        "agreement",
    ),
    (r"\bđã (?:có )?(?:văn bản |tờ trình )?(?:đề nghị|kiến nghị|đề xuất)\b", "report"),
    (r"\b(?:đề nghị|mời) (?:các )?đồng chí (?:góp ý|phát biểu|cho ý kiến|tham gia ý kiến|tập trung)", "other"),
    (r"\bxin (?:nghiêm túc )?tiếp thu\b", "other"),
    (r"\b(?:xin )?cảm ơn\b", "other"),
    (r"^(?:tôi |em )?(?:sẽ|xin hứa sẽ|hứa sẽ) cố gắng\b", "other"),
)
_META = set("\\()[]{}?*+|.^$")


def _literal(pattern: str) -> str:
    """The text every match of pattern starts with ("" when it starts with a class or a group), so a plain
    substring test can rule a pattern out before its regex runs."""
    rest = pattern.removeprefix("^").removeprefix("\\b")
    out = []
    for ch in rest:
        if ch in _META:
            if ch in "?*{" and out:
                out.pop()  # the character before a quantifier may be absent
            break
        out.append(ch)
    return "".join(out)


_LEAD_GROUP = re.compile(r"\(\?:([^\\()\[\]{}?*+.^$]*)\)(\?)?")  # a group of plain alternatives, maybe optional


def _literals(pattern: str) -> tuple[str, ...]:
    """Texts one of which every match of pattern contains: the alternatives of its leading group of plain
    words ("(?:đề nghị|mời) ..."), or after an optional one the literal that follows; ("",) when unknown."""
    rest = pattern.removeprefix("^").removeprefix("\\b")
    while m := _LEAD_GROUP.match(rest):
        rest = rest[m.end() :]
        if not m.group(2):  # the group is there once, unless a quantifier follows
            return ("",) if rest[:1] in ("*", "+", "{") else tuple(m.group(1).split("|"))
    return (_literal(rest),)


# Each pattern with the literal it needs; most sentences contain few of the ~80 literals.
_COMPILED = {label: [(_literal(p), re.compile(p)) for p in pats] for label, pats in CUES.items()}
_OVERRIDES = [(_literals(p), re.compile(p), label) for p, label in OVERRIDES]
_QUESTION = re.compile(r"\?\s*$")


def cues(text: str) -> list[tuple[str, str]]:
    """Return the (label, cue) pairs found in text, in label precedence order."""
    return list(_cues(text))


@lru_cache(maxsize=4096)  # a contribution's sentence is looked up again as the next one's context
def _cues(text: str) -> tuple[tuple[str, str], ...]:
    low = text.lower()
    for literals, rx, label in _OVERRIDES:
        m = any(x in low for x in literals) and rx.search(low)
        if m:
            return ((label, m.group()),)
    found = []
    for label in LABELS[:-1]:
        for literal, rx in _COMPILED[label]:
            m = literal in low and rx.search(low)
            if m:
                found.append((label, m.group()))
    if _QUESTION.search(low) and not any(lab == "proposal" for lab, _ in found):
        return (("other", "?"),)
    return tuple(found)


def rule_label(text: str) -> str:
    """The label the cue lexicon gives text."""
    found = cues(text)
    return found[0][0] if found else "other"
