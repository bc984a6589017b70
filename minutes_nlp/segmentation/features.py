"""Units, tokens and their features for the turn finder.

A *unit* is a line, or a piece of a line after a sentence end or a semicolon: the places where a turn can
open. The unit tagger labels each unit B-<kind> (a segment of that kind opens here) or I (the current
segment goes on); the speaker tagger labels the tokens of an opening unit that name the speaker.
The hand-written rules (rules.py) enter as features, beside shape, lexicon, punctuation and position.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from minutes_nlp.reading.legacy import is_vietnamese_syllable
from minutes_nlp.segmentation import rules
from minutes_nlp.segmentation.header import ATTENDANCE_LINE, role_label_line
from minutes_nlp.segmentation.lexicon import (
    ASKING_WORDS,
    BIRTH_ORDER,
    FAMILY_NAMES,
    GIVEN_NAMES,
    NAME_PARTICLES,
    ROLE_HEADS,
    SPEECH_FIRST_WORDS,
    SPEECH_PHRASES,
    TITLE_FAMILIES,
    TITLE_FIRST_WORDS,
    title_family,
)
from minutes_nlp.segmentation.markers import parse_marker
from minutes_nlp.segmentation.phrases import finditer_after
from minutes_nlp.types import Header, SegmentedDocument

TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?(?:[/.][^\W_]+)*|[^\w\s]")
_TOKEN_SPLIT = re.compile(f"({TOKEN.pattern})")
INDEX_LIMIT = 100_000  # characters: longer texts are tokenised per range (DocContext.tokens)
# Where a unit can open inside a line: after a sentence end or a semicolon, before a non-space.
_BREAK = re.compile(r"(?<=[.!?…;])[\"”’)]*\s+(?=\S)|(?<=[.!?])(?=(?:Đồng chí|Đ/c|ĐC|Đ/C)\s)")
_BULLET = re.compile(
    r"\s*(?:(?P<numdot>\d{1,2}(?:\.\d{1,2})+\.?\s+)|(?P<roman>[IVX]{1,4}[.)/]\s+)|(?P<num>\(?\d{1,2}[.)/]\s*(?!\d)|\(\d{1,2}\)\s*)"
    r"|(?P<letter>[a-zđA-ZĐ][.)]\s+)|(?P<dash>[-–—]+\s*)|(?P<plus>[+*•►·]+\s*))?"
)
# A dash inside a line before a word: where a notebook may write the next remark ("- Sang: nhất trí - Ri: hỏi …")
_DASH_BREAK = re.compile(r"(?<=\S)\s+[-–—]\s+(?=[^\W\d_])")
_BULLETS = "-–—+*•· "
_NOT_NAMES = ROLE_HEADS | ASKING_WORDS  # capitalised words that open a marker but name nobody
MAX_SPEAKER_TOKENS = 32
_ABBREVIATED_TITLES = sorted(
    {t for fam in ("academic", "medical") for t in TITLE_FAMILIES[fam] if " " not in t}, key=len, reverse=True
)
_LIST_NUMBER = re.compile(r"\(?(?:\d{1,2}(?:\.\d{1,2})*|[IVXivx]{1,4}|[a-zđ])[.)/]")
_ABBREVIATION = re.compile(
    r"(?:" + "|".join(re.escape(t) for t in _ABBREVIATED_TITLES) + r")\.(?:[^\W\d_]+\.?)*", re.IGNORECASE
)
_DASHES = (" – ", " - ", " — ", " -- ")
_NO_TITLE = (None, 0)
_UNIT_WORDS = 17  # the unit features read the first 17 words at most (the speech verb: 16 and the one after)
_TAIL_TRIM = " \t.;,!?…"
_NO_ATTRIBUTION = ("none", "none", 0, -1, -1, -1)
_WORD = re.compile(r"\S+")
_CELL_CUT = re.compile(r"\||\t")
_PHOTO = re.compile(r"\b(?:ảnh|nguồn)\s*:", re.IGNORECASE)
_SPEAKER_COLUMNS = re.compile(r"người phát biểu|họ (?:và )?tên|ý kiến|phát biểu")
_TASK_COLUMNS = re.compile(r"phụ trách|thực hiện|thời hạn|thời gian|hoàn thành|công việc")
_CONCLUSION_CUE = re.compile(r"kết luận|\bKL\b|tổng hợp ý kiến", re.IGNORECASE)


@dataclass
class Unit:
    start: int
    end: int
    line: int
    mid: bool  # opens inside a line


def units(text: str, dash_from: int | None = None) -> list[Unit]:
    """The units of text, in order: every non-blank line, cut after sentence ends and semicolons; from offset
    dash_from on (the discussion), also at a dash before a name, once a remark has begun on the line."""
    out: list[Unit] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        a, b = pos, pos + len(line)
        pos = b + 1
        stripped = line.strip()
        if not stripped:
            continue
        a += len(line) - len(line.lstrip())
        b -= len(line) - len(line.rstrip())
        if "|" in stripped or "\t" in stripped:  # a table row is one unit
            out.append(Unit(a, b, i, False))
            continue
        cuts = [a]
        for m in finditer_after(_BREAK, text, a, b, rules._STOPS):
            before = text[cuts[-1] : m.start()].split()
            # not after a list number ("3. Đồng chí…", "Phần 3. Đ/c…") or a title's abbreviation ("ThS. Phạm Hoàng Yến")
            listed = _LIST_NUMBER.fullmatch(before[-1]) and (
                len(before) == 1 or (len(before) == 2 and before[0].lower() == "phần")
            )
            if m.end() < b and before and not listed and not _ABBREVIATION.fullmatch(before[-1]):
                cuts.append(m.end())
        if dash_from is not None and a >= dash_from and " " in stripped:
            # only once a remark has begun on the line: after its marker's colon, or after "Hoa -" opening it
            colon = text.find(":", a, b)
            began = colon + 1 if colon >= 0 else _remark_after_name(text, a + len(line) - len(line.lstrip(_BULLETS)), b)
            for m in _DASH_BREAK.finditer(text, began or b, b):
                if _remark_after_name(text, m.end(), b) or name_before_colon(
                    tokens(text, m.end(), min(b, m.end() + 80))
                ):
                    cuts.append(m.end())
            cuts = sorted(set(cuts))
        lead = rules._INLINE_HEADING.match(text, a, b)  # "Thảo luận: đồng chí Na nhất trí…"
        if lead and rules._HEADING_PHRASES.found(lead.group(1)) and lead.end() < b and lead.end() not in cuts:
            cuts = sorted(cuts + [lead.end()])
        for j, s in enumerate(cuts):
            e = cuts[j + 1] if j + 1 < len(cuts) else b
            e = trim_end(text, s, e)
            out.append(Unit(s, e, i, j > 0))
    return out


def trim_end(text: str, start: int, end: int) -> int:
    """end moved back over spaces, and over a dash that joined the next remark ("nhất trí BC - Ri: …")."""
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - 2 > start and text[end - 1] in "-–—" and text[end - 2] == " ":
        end -= 2
        while end > start and text[end - 1].isspace():
            end -= 1
    return end


def _name_like(word: str) -> bool:
    """A capitalised word that may be part of a name ("H'Lin" too), not a role or question word."""
    return word[:1].isupper() and word.replace("'", "").isalpha() and word.lower() not in _NOT_NAMES


def _remark_after_name(text: str, start: int, end: int) -> int | None:
    """Where the remark begins if a notebook's given name or two and a dash, a stop or a bracket open the text at
    start ("Hoa - Em được phân công …", "Lý. Tôi tuổi cao …", "Đớt (Công an viên) nói thêm: …"), else None;
    an office ("Bí thư chi bộ - …") or a heading ("Về ý kiến …") is no name."""
    prev = start
    for i, (s, e, word) in enumerate(tokens(text, start, min(end, start + 60))[:4]):
        if _name_like(word):
            prev = e
            continue
        after, before = text[e : e + 1].isspace(), s > prev and text[prev:s].isspace()
        # a spaced dash ("Hoa - Em …", not "Vắc-xin"), a stop and a space, a bracket after a space
        spaced = (word in "-–—" and before and after) or (word == "." and after) or (word == "(" and before)
        return e if i > 0 and spaced else None
    return None


def tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(*m.span(), m.group()) for m in TOKEN.finditer(text, start, end)]


@lru_cache(maxsize=65536)
def _shape(word: str) -> str:
    if word.isdigit():
        return "0"
    if not word[:1].isalnum():
        return "p"
    if word.isupper() and len(word) > 1:
        return "A"
    if word[:1].isupper():
        return "Aa"
    return "a"


@lru_cache(maxsize=4096)
def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for e in edges:
        if n <= e:
            return f"<={e}"
    return f">{edges[-1]}"


@dataclass
class DocContext:
    """What the whole document tells every unit: the rules' segments and the header's people."""

    text: str
    units: list[Unit]
    rule: SegmentedDocument | None
    header: Header
    rule_starts: dict[int, str]  # segment start -> kind
    rule_speaker_chars: set[int]  # offsets inside the speaker names the rules found
    header_people: dict[str, str]  # lower-cased name -> role
    attributions: dict[int, tuple]  # line start -> tail_attribution() of the lines that end with one

    def rule_segment(self, start: int):
        """The segment the rules open within 3 characters of start, other than procedural text."""
        if self.rule is None:
            return None
        return next((x for x in self.rule.segments if abs(x.start - start) <= 3 and x.kind != "procedural"), None)

    def __post_init__(self) -> None:
        self.people_words = {w for name in self.header_people for w in name.split()}
        # two lines or more end with an attribution naming someone: speakers are named after their remarks
        self.names_at_end = sum(1 for a in self.attributions.values() if a[2]) >= 2
        self._tokens: tuple[list, list, list] | None = None

    def tokens(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """tokens(self.text, start, end), sliced from one pass over the whole text.

        TOKEN has no lookaround, so a search bounded to [start, end) finds exactly the whole text's tokens
        that lie inside it, unless one of them crosses start or end ("1.Đồng" read from "Đồng"): then the
        bounded search is run as it is. Texts longer than INDEX_LIMIT are searched per range: an index of
        every token of a 1 MB upload would outgrow a web worker's memory.
        """
        if len(self.text) > INDEX_LIMIT:
            return tokens(self.text, start, end)
        if self._tokens is None:  # split() hands back gaps and tokens in turn: their offsets are running sums
            parts = _TOKEN_SPLIT.split(self.text)
            offsets = list(accumulate(map(len, parts)))
            starts, ends = offsets[0::2], offsets[1::2]
            self._tokens = (list(zip(starts, ends, parts[1::2])), starts[: len(ends)], ends)
        toks, starts, ends = self._tokens
        if start < 0 or end > len(self.text):
            return tokens(self.text, start, end)
        i = bisect_left(starts, start)
        j = bisect_right(ends, end)
        if i and ends[i - 1] > start:
            return tokens(self.text, start, end)
        if j < len(starts) and starts[j] < end:  # the last token is cut at end ("… chi b" of "chi bộ")
            return toks[i:j] + tokens(self.text, max(start, starts[j]), end)
        return toks[i:j]


def context(text: str) -> DocContext:
    """Run the rules once over the text and collect what the features need."""
    try:
        rule = rules.rule_segments(text, sentences=False)
    except Exception:  # NoSpeakers: the rules found nothing, the model may still
        rule = None
    # the header is never cut at dashes ("- TG: 14h00 - ĐĐ: hội trường"): only the text after the rules' first turn
    first_turn = next((x.start for x in rule.segments if x.kind != "procedural"), None) if rule else None
    us = units(text, first_turn)
    if rule is not None:
        header = rule.header
    else:
        first = us[min(len(us) - 1, 8)].start if us else len(text)
        header = rules.parse_header(text, first)
    starts: dict[int, str] = {}
    spk: set[int] = set()
    if rule:
        for s in rule.segments:
            starts[s.start] = s.kind
            if s.speaker and s.kind != "procedural":
                for name in s.speaker.split(", "):
                    at = text.find(name, s.start, min(s.end, s.start + 400))
                    if at < 0:  # a speaker named at the end of a long remark
                        at = text.rfind(name, s.start, s.end)
                    if at >= 0:
                        spk.update(range(at, at + len(name)))
    people = {}
    for name, role in ((header.chair, "chair"), (header.secretary, "secretary")):
        if name:
            people[name.lower()] = role
    for person in header.people:  # chair, secretary, committee members ("Chi ủy gồm: …") and guests
        people.setdefault(person.name.lower(), person.role)
    for g in header.guests:
        people.setdefault(g.lower(), "guest")
    attributions = {}
    pos = 0
    for line in text.split("\n"):
        if line.rstrip(_TAIL_TRIM).endswith((")", "]")) or any(d in line[-90:] for d in _DASHES):
            attr = tail_attribution(line)
            if attr[0] != "none":
                attributions[pos] = attr
        pos += len(line) + 1
    return DocContext(text, us, rule, header, starts, spk, people, attributions)


def _lead(text: str, u: Unit) -> tuple[str, int]:
    m = _BULLET.match(text, u.start, u.end)
    # one named alternative at most takes part, never empty: the last group closed is it
    return (m.lastgroup or "none"), m.end()


def tail_attribution(line: str) -> tuple[str, str, int, int, int, int]:
    """A short attribution closing a line: "… (ý kiến của đ/c Tâm)", "… – Đ/c Hạnh, tổ 3", "… [TS. Lê Văn An]".

    Returns (kind: bracket, dash or none; the title family inside it; how many capitalised words name
    someone in it, 0 when it names nobody, as in "(có lý do)" or "- Bí thư chi bộ"; where it opens in line;
    where those capitalised words start and end in line, or -1).
    No word list: a bracket or dash closing the line, then a title or a run of capitalised words, before
    any role after a comma or a dash.
    """
    s = line.rstrip(_TAIL_TRIM)
    at = -1
    kind = "none"
    body = ""
    if s.endswith((")", "]")):
        at = max(s.rfind("(", 0, len(s) - 1), s.rfind("[", 0, len(s) - 1))
        body = s[at + 1 : -1] if at >= 0 else ""
        kind = "bracket"
    else:
        # the first dash of the last 90 characters: "… – đ/c Tuyên - tổ 3" names Tuyên, not "tổ 3"
        cuts = [c for d in _DASHES if (c := s.find(d, max(0, len(s) - 90))) > 0]
        if cuts:
            at = min(cuts) + 1
            body = s[at + 2 :]
            kind = "dash"
    words = body.split()
    # the name and title are short; an office after them may not be ("(Đ/c Triệu Thị Mai, người Dao, nguyên giáo
    # viên, Chi hội trưởng Chi hội Người cao tuổi)")
    if at < 0 or not words or len(words) > 24 or "(" in body or ")" in body:
        return _NO_ATTRIBUTION
    if len(_ROLE_CUT.split(body, maxsplit=1)[0].split()) > 8:
        return _NO_ATTRIBUTION
    if _SENTENCE_END.search(body):  # "- Bí thư chi bộ. Thư ký: đồng chí Hà" is a header, not an attribution
        return _NO_ATTRIBUTION
    low = [w.lower().strip(",:") for w in words]
    family = next((fam for i in range(len(low)) if (fam := title_family(low, i)[0])), None)
    head = _ROLE_CUT.split(body, maxsplit=1)[0].split()  # "Tâm, chi ủy viên" -> "Tâm"
    low_head = [w.lower() for w in head]
    run = 0  # the capitalised words ending the head, a title not among them ("Đ/c Lưu Thị Nhàn": 3)
    while run < len(head) and head[-1 - run][:1].isupper() and not title_family(low_head, len(head) - 1 - run)[0]:
        run += 1
    lead = len(head) - run
    titled = next(((i, n) for i in range(len(head)) if (n := title_family(low_head, i)[1])), None)
    if not run and titled:  # or those right after a title, a verb after them: "(đ/c Cao Minh Quý nêu)"
        lead = titled[0] + titled[1]
        while lead + run < len(head) and head[lead + run][:1].isupper():
            run += 1
    digits = any(c.isdigit() for c in "".join(head))  # "(02 MSH, 02 có lý do)"
    alone = not s[:at].strip(" -–—+*•")  # a line that is only the bracket: "(Xét, đề nghị kết nạp)" is a title
    names = run if run and (family or (lead <= 3 and not digits and not alone)) and run <= 5 and not s.isupper() else 0
    name_at = name_end = -1
    if names:  # where the run of capitalised words starts and ends in line
        body_at = at + (1 if kind == "bracket" else 2)
        spans = [m.span() for m in _WORD.finditer(body)]
        name_at = body_at + spans[lead][0]
        name_end = body_at + len(body[: spans[lead + run - 1][1]].rstrip(",;"))
    return kind, family or "none", names, at, name_at, name_end


_ROLE_CUT = re.compile(r",|;|\s[-–—]\s")
_SENTENCE_END = re.compile(r"[^\W\d_]*[a-zđà-ỹ]\.\s")


# What a unit's neighbours lend it, as (offset, ((their key, its key), ...)).
_NEIGHBOUR_KEYS = tuple(
    (off, tuple((key, f"{off:+d}:{key}") for key in keys))
    for off, keys in (
        (
            -1,
            (
                "w0",
                "heading",
                "ends_colon",
                "cells",
                "wide_gap",
                "rule_kind",
                "bullet",
                "start",
                "unit_is_attr",
                "after_run",
            ),
        ),
        (1, ("w0", "nd_prefix", "bullet", "rule_kind", "start", "line_attr")),
    )
)


_LEN_BUCKETS = tuple(_bucket(n, (2, 5, 10, 20, 40)) for n in range(42))


def unit_features(ctx: DocContext, crf: bool = True, names: TokenNames | None = None) -> list[dict]:
    """Features of every unit of the document, in order.

    crf=False leaves booleans as they are (False ones included) for _Decoder, which reads them as
    python-crfsuite would read _crf's dicts, without building those. names: the token cache to share (the
    facts read here are the same in every one).
    """
    text = ctx.text
    token_names = names or _TOKEN_NAMES
    cache = token_names.cache
    feats: list[dict] = []
    state = "none"
    table = "none"
    prev_attr = "none"
    rule_seen_disc = False
    conclusion_cue = False
    for u in ctx.units:
        raw = text[u.start : u.end]
        bullet, body = _lead(text, u)
        tok_end = min(u.end, body + 300)
        toks = ctx.tokens(body, tok_end)
        n_toks = len(toks)
        # what each of the first 17 tokens is, from the cache the speaker tagger shares; no feature reads further
        items = [cache.get(t[2]) or token_names(t[2]) for t in toks[:_UNIT_WORDS]]
        words = [x[0] for x in items]
        titles = [_NO_TITLE] * 12  # read below the number of tokens only
        for i in [i for i, x in enumerate(items[:12]) if x[2]]:  # where a title may start: few words
            titles[i] = title_family(words, i)
        f: dict = {"bias": 1.0, "start": "mid" if u.mid else "line", "bullet": bullet}
        if n_toks > 2:
            f["w0"], f["s0"], f["w1"], f["s1"], f["w2"], f["s2"] = (
                words[0],
                items[0][1],
                words[1],
                items[1][1],
                words[2],
                items[2][1],
            )
        else:
            for i in range(n_toks):
                f[f"w{i}"] = words[i]
                f[f"s{i}"] = items[i][1]
        if n_toks > 1:
            f["w0w1"] = words[0] + " " + words[1]
        fam, span = titles[0] if n_toks else (None, 0)
        f["title0"] = fam or "none"
        for i in range(1, min(6, n_toks)):
            fam_i = titles[i][0]
            if fam_i:
                f["title_in6"] = fam_i
                break
        # The first run of capitalised words after the bullet and an opening title.
        i = span
        run = 0
        while i + run < len(toks) and toks[i + run][2][:1].isupper() and toks[i + run][2][:1].isalpha():
            run += 1
        f["caprun"] = _bucket(run, (0, 1, 2, 3, 5))
        if run:
            w = words[i]
            f["caprun_fam"] = w in FAMILY_NAMES
            f["caprun_given"] = toks[i + run - 1][2].lower() in GIVEN_NAMES
            f["caprun_particle"] = w in NAME_PARTICLES or w in BIRTH_ORDER
            f["caprun_role"] = w in ROLE_HEADS
            nxt = toks[i + run][2] if i + run < len(toks) else "END"
            f["after_run"] = nxt if nxt in ":(-–,|" else ("verb" if nxt.lower() in SPEECH_FIRST_WORDS else "other")
        f["marker_shape"] = _marker_shape(toks, words, items, titles)
        # every ":" is a token of its own: where the text has none, no token is one
        colon = next((j for j, t in enumerate(toks) if t[2] == ":"), -1) if ":" in text[body:tok_end] else -1
        f["colon"] = "none" if colon < 0 else _bucket(colon, (1, 3, 6, 10, 16))
        for j in range(min(n_toks, 16)):
            verb = _speech_at(words, j) if items[j][10] else None
            if verb:
                f["verb"] = verb
                f["verb_at"] = _bucket(j, (1, 3, 6, 10))
                break
        f["cells"] = _bucket(raw.count("|") + raw.count("\t"), (0, 1, 2, 3))
        f["wide_gap"] = "     " in raw.strip() and "|" not in raw and "\t" not in raw
        if "|" in raw or "\t" in raw:
            cells = [c.strip() for c in _CELL_CUT.split(raw)]
            f["cell0"] = _shape(cells[0]) if cells[0] else "empty"
            f["cell_head"] = any(c.lower() in ("tt", "stt", "người phát biểu", "họ tên", "họ và tên") for c in cells)
            if not any(c.isdigit() for c in cells[0]):  # a head row says what its rows list: remarks or tasks
                columns = " ".join(cells).lower()
                if _SPEAKER_COLUMNS.search(columns):
                    table = "remarks"
                elif _TASK_COLUMNS.search(columns):
                    table = "tasks"
            f["table"] = table
        else:
            table = "none"
        line_a = text.rfind("\n", 0, u.start) + 1
        line_b = text.find("\n", u.start)
        line_b = len(text) if line_b < 0 else line_b
        # the same calls the rules make, so the cache in markers.py answers them
        mk = parse_marker(text, u.start, line_b, require_title=True) if u.mid else parse_marker(text, line_a, line_b)
        f["rule_marker"] = bool(mk)
        if mk:
            f["rule_colon"] = mk.colon
            f["rule_verb"] = bool(mk.verb)
            f["rule_title"] = mk.has_title
        kind = next((ctx.rule_starts[p] for p in range(u.start, min(u.end, u.start + 4)) if p in ctx.rule_starts), None)
        f["rule_kind"] = kind or "none"
        if not u.mid:
            line_end = text.find("\n", u.start)
            line = text[u.start : len(text) if line_end < 0 else line_end]
            heading = rules._is_heading(raw)
            f["heading"] = heading
            if heading:
                state = (
                    "disc"
                    if rules._DISCUSSION_HEADING.search(raw)
                    else ("concl" if rules._CONCLUSION_HEADING.search(raw) else "other")
                )
            f["closing"] = bool(rules._CLOSING.match(raw))
            f["attendance"] = state != "disc" and bool(ATTENDANCE_LINE.search(raw))
            f["concl_line"] = bool(rules._CONCLUSION_LINE.match(raw))
            f["aggregate"] = rules._is_aggregate(raw)
            f["trailing"] = bool(rules._TRAILING.search(line))
            f["line_photo"] = ":" in line and bool(_PHOTO.search(line))  # the colon first: it is cheap
            if (line.rstrip().endswith(":") or ":" in line[:100]) and _CONCLUSION_CUE.search(line[:100]):
                conclusion_cue = True
            f["role_label"] = role_label_line(text, u.start, u.end)
            attr = ctx.attributions.get(line_a, _NO_ATTRIBUTION)
            f["line_attr"] = attr[0]
            if attr[0] != "none":
                f["line_attr_title"] = attr[1]
                f["line_attr_caps"] = _bucket(attr[2], (0, 1, 2, 4))
            f["prev_line_attr"] = prev_attr
            prev_attr = "named" if attr[2] else "none"  # brackets or a dash alike: the line closed a remark
        else:  # the attribution after the remark's last stop: "… được. (ý kiến đ/c Tâm)", "… chuyến. – đ/c Lành"
            attr = ctx.attributions.get(line_a)
            if attr and attr[2] and u.start >= line_a + attr[3]:
                f["unit_is_attr"] = True
        f["after_conclusion_cue"] = conclusion_cue
        if mk and rules._is_caption(text, mk, line_b):
            f["caption"] = True
        low = raw[:120].lower()
        for key, cue in (
            ("kw_ketluan", "kết luận"),
            ("kw_tiepthu", "tiếp thu"),
            ("kw_mucdich", "mục đích"),
            ("kw_chutri", "chủ trì"),
            ("kw_chutoa", "chủ tọa"),
            ("kw_noidung", "nội dung"),
            ("kw_nguoiphatbieu", "người phát biểu"),
            ("kw_traloi", "trả lời"),
            ("kw_anh", "ảnh:"),
            ("kw_phongvien", "phóng viên"),
        ):
            if cue in low:
                f[key] = True
        f["nd_prefix"] = low.startswith(("nội dung", "ý kiến:", "nội dung ý kiến"))
        f["ends_colon"] = raw.rstrip().endswith(":")
        f["len"] = _LEN_BUCKETS[min(n_toks, 41)]
        if len(raw) <= 160:  # a line in capitals is a heading or a capital marker; long ones are neither
            letters = sum(map(str.isalpha, raw))  # capitals are letters, so counting them in raw is the same
            f["upper"] = bool(letters) and sum(map(str.isupper, raw)) / letters > 0.7
        head = " ".join(words[:14])
        for name, role in ctx.header_people.items():
            if name in head:
                f["header_person"] = role
                break
        f["state"] = state
        if kind == "discussion":
            rule_seen_disc = True
        f["rule_in_disc"] = rule_seen_disc
        feats.append(f)
    for k, f in enumerate(feats):
        for off, keys in _NEIGHBOUR_KEYS:
            j = k + off
            if 0 <= j < len(feats):
                near = feats[j]
                f.update({as_key: near[key] for key, as_key in keys if key in near})
            else:
                f[f"{off:+d}:edge"] = True
        if ctx.names_at_end:  # a remark opens after the attribution closing the one before, or after a heading
            lead = "head" if f.get("-1:heading") or f.get("-1:ends_colon") else "text"
            f["doc_attr_prev"] = f"{f.get('prev_line_attr', 'mid')}/{lead}/{f['bullet']}/{f.get('s0')}"
    return [_crf(f) for f in feats] if crf else feats


def _speech_at(words: list[str], j: int) -> str | None:
    """The speech phrase starting at words[j] ("cho biết", "hỏi"), its two-word form first, else None."""
    if words[j] not in SPEECH_FIRST_WORDS:  # every phrase starts with one of these
        return None
    two = " ".join(words[j : j + 2])
    if two in SPEECH_PHRASES:
        return two
    return words[j] if words[j] in SPEECH_PHRASES else None


def _marker_shape(
    toks: list[tuple[int, int, str]], words: list[str], items: list[tuple], titles: list[tuple[str | None, int]]
) -> str:
    """The opening words as classes, repeats collapsed, up to a colon or a bracket: title T, name N, speech
    verb V, role word R, other word w ("Ama Kông hỏi:" is "N V :", "Đại úy Lò Văn Sinh (…)" is "T N ("). A
    layout never seen still has a familiar shape here, where the words and their positions differ.

    items and titles: TokenNames and title_family of the first words, found once per unit."""
    out: list[str] = []
    last = None
    i = 0
    stop = min(len(toks), 10)
    while i < stop:
        x = items[i]
        if last == "N" and x[15]:  # a name goes on: "Lò Văn Sinh", "PHAN ANH TUẤN"
            c, i = "N", i + 1
        else:
            fam, span = titles[i]
            if fam:
                c, i = "T", i + span
            elif x[10] and (verb := _speech_at(words, i)):
                c, i = "V", i + verb.count(" ") + 1  # a phrase is words joined by one space
            else:
                c, i = x[16], i + 1
        if last != c:
            out.append(c)
            last = c
        if c == ":" or c == "(":
            break
    return " ".join(out)


def _crf(f: dict) -> dict:
    """Booleans become weights, strings stay categorical (python-crfsuite's item format)."""
    return {k: 1.0 if v is True else v for k, v in f.items() if v is not False}


def name_before_colon(toks: list[tuple[int, int, str]]) -> str | None:
    """The capitalised words right before the colon (and speech verb) opening a turn ("Quần chúng Ly Xá Tư trả
    lời:", "Chánh nói thêm:", "Đảng viên dự bị TUÂN:"), or None: the turn finder's last resort for a speaker,
    and the test for a remark after a dash. A name in capitals is taken without the capitalised word before it
    ("giáo viên Toán TÁM VINH:"); "UBND:", "ĐU:", "Ban Tuyên giáo:", "Hỏi:" name nobody, nor does a line where
    someone speaks before a name not in capitals ("đ/c Lan hỏi đồng chí Long:")."""
    words = [t[2].lower() for t in toks[:20]]
    colon = next((j for j, w in enumerate(words) if w == ":"), None)
    if not colon:
        return None
    stop = colon  # before the speech verb that ends at the colon, if one does ("nói thêm:", "trả lời:")
    if colon > 2 and " ".join(words[colon - 2 : colon]) in SPEECH_PHRASES:
        stop = colon - 2
    elif colon > 1 and words[colon - 1] in SPEECH_PHRASES:
        stop = colon - 1
    run = []
    for _s, _e, word in reversed(toks[:stop]):
        if not _name_like(word):
            break
        run.insert(0, word)
    if not run or len(run) > 4:
        return None
    if run[-1].isupper():
        while not run[0].isupper():
            run.pop(0)
        if not all(is_vietnamese_syllable(w.lower()) for w in run) or (len(run) == 1 and len(run[0]) < 3):
            return None
    elif any(_speech_at(words, j) for j in range(stop - len(run))):
        return None
    return " ".join(run)


def speaker_window(ctx: DocContext, k: int, seg_end: int) -> list[tuple[int, int, str]]:
    """The tokens the speaker tagger reads for the turn opening at unit k: the unit and the next unit's start."""
    u = ctx.units[k]
    end = min(seg_end, ctx.units[k + 1].end if k + 1 < len(ctx.units) else u.end)
    toks = ctx.tokens(u.start, end)
    toks = toks[:MAX_SPEAKER_TOKENS]
    line_end = ctx.text.find("\n", u.start)
    line_end = min(seg_end, len(ctx.text) if line_end < 0 else line_end)
    if toks and line_end > toks[-1][1]:  # a speaker named at the end of the remark's line
        toks += ctx.tokens(max(toks[-1][1], line_end - 100), line_end)[-14:]
    if toks and ctx.names_at_end and seg_end > toks[-1][1]:  # or at the end of its last line, several lines on
        last_line = ctx.text.rfind("\n", 0, seg_end) + 1
        if last_line > line_end:
            toks += ctx.tokens(max(toks[-1][1], last_line, seg_end - 100), seg_end)[-14:]
    return toks


def _bucket_items(prefix: str, limit: int, edges: tuple[int, ...]) -> tuple[str, ...]:
    """prefix + _bucket(n, edges) for n in 0..limit: the last one stands for every larger n."""
    return tuple((prefix + _bucket(n, edges)).encode() for n in range(limit + 1))


_I_ITEMS = _bucket_items("i:", 63, (0, 1, 2, 3, 5, 8, 12, 20))  # a window holds 32 + 14 + 14 tokens at most
_LEN_ITEMS = _bucket_items("len:", 8, (1, 2, 4, 7))
_LINE_POS_ITEMS = _bucket_items("line_pos:", 9, (0, 1, 2, 4, 8))
_END_DIST_ITEMS = _bucket_items("end_dist:", 14, (0, 1, 2, 3, 5, 8, 13))


class TokenNames:
    """Each distinct token's facts and CRFsuite attribute names (UTF-8), built once, as a tuple:
    0 lower case, 1 shape, 2 a title may start at it, 3-7 its word as "w:…", "-1:w:…", "-2:w:…", "+1:w:…",
    "+2:w:…" (each a tuple of one name, or none), 8 its lexicon flags, 9 a family name, 10 a speech phrase may
    start at it, 11-13 its shape as "shape:…", "-1:shape:…", "+1:shape:…", 14 its length bucket, 15 it opens
    with a capital, 16 its class in the marker shape.

    Given the attributes a model knows, a word name it never saw is left out of the tuple: CRFsuite drops an
    attribute it does not know (Tagger.set), so the tags are the same, found with 15% fewer names.
    """

    LIMIT = 8_000  # distinct tokens kept, about 0.6 KB each (184 meetings have 5,500); then it starts again

    def __init__(self, known: set[str] | frozenset[str] | None = None):
        self.known = known
        self.cache: dict[str, tuple] = {}

    def __call__(self, word: str) -> tuple:
        items = self.cache.get(word)
        if items is None:
            items = self._build(word)
            if len(self.cache) >= self.LIMIT:
                self.cache.clear()
            self.cache[word] = items
        return items

    def _build(self, word: str) -> tuple:
        low = word.lower()
        shape = _shape(word)
        lexicon = []
        if low in FAMILY_NAMES:
            lexicon.append(b"fam")
        if low in GIVEN_NAMES:
            lexicon.append(b"given")
        if low in NAME_PARTICLES or low in BIRTH_ORDER:
            lexicon.append(b"particle")
        if low in ROLE_HEADS:
            lexicon.append(b"rolehead")
        speech = low in SPEECH_FIRST_WORDS
        if speech:
            lexicon.append(b"speech")
        known = self.known
        named = tuple(
            (name.encode(),) if known is None or name in known else ()
            for name in ("w:" + low, "-1:w:" + low, "-2:w:" + low, "+1:w:" + low, "+2:w:" + low)
        )
        return (
            low,
            shape,
            low.rstrip(".") in TITLE_FIRST_WORDS,
            *named,
            tuple(lexicon),
            low in FAMILY_NAMES,
            speech,
            b"shape:" + shape.encode(),
            b"-1:shape:" + shape.encode(),
            b"+1:shape:" + shape.encode(),
            _LEN_ITEMS[min(len(word), 8)],
            word[:1].isupper(),
            _word_class(word, low),
        )


def _word_class(word: str, low: str) -> str:
    """A word's class in the marker shape where it is no title, speech verb or name going on."""
    if word in (":", "(", "-", "–", ",", "|"):
        return word if word != "–" else "-"
    if not word[:1].isalpha():
        return "0" if word[:1].isdigit() else "p"
    if low in ROLE_HEADS:
        return "R"
    return "N" if word[:1].isupper() else "w"


_TOKEN_NAMES = TokenNames()  # every name: for training, and the unit features' facts


def token_features(
    ctx: DocContext, toks: list[tuple[int, int, str]], names: TokenNames = _TOKEN_NAMES
) -> tuple[list[list[bytes]], list[bool]]:
    """Features of each token in a turn's opening window, as CRFsuite attribute names (a value v of key k
    is "k:v", a flag is its key: python-crfsuite's own naming of {k: v} and {k: 1.0}), and whether each token
    lies in the attribution closing its line.

    Lists of UTF-8 names, not dicts: python-crfsuite reads them in half the time (it encodes a str name
    itself and takes bytes as they are), and each word's names are built once.
    """
    text = ctx.text
    cache = names.cache
    items = [cache.get(t[2]) or names(t[2]) for t in toks]
    words = [x[0] for x in items]
    n = len(toks)
    people_words = ctx.people_words
    spk = ctx.rule_speaker_chars
    title_items = [_NO_TITLE_ITEMS] * n
    title_end = {}  # index of a title's last word -> its family ("đồng chí" ends at "chí")
    for i in [i for i, x in enumerate(items) if x[2]]:  # where a title may start: few tokens
        fam, span = title_family(words, i)
        if fam:
            title_items[i] = _title_items(fam)
            title_end[i + span - 1] = fam
    i_items = _I_ITEMS if n <= len(_I_ITEMS) else _I_ITEMS + (_I_ITEMS[-1],) * (n - len(_I_ITEMS))
    feats = []
    flags = []
    depth = colon_seen = cell = 0
    line_words = 0
    at_end = ctx.names_at_end
    gap = ""  # the text between the token before and this one
    attr_from = name_from = name_to = line_end = -1  # where the attribution closing the line opens; its name
    for i, (s, e, w) in enumerate(toks):
        if "\n" in gap:
            line_words = 0
        if s > line_end:  # a new line: find the attribution that closes it, if any
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", s) % (len(text) + 1)
            attr = ctx.attributions.get(line_start)
            attr_from = line_start + attr[3] if attr and attr[2] else len(text)
            name_from, name_to = (line_start + attr[4], line_start + attr[5]) if attr and attr[2] else (-1, -1)
        in_attr = s >= attr_from
        wi = items[i]
        length = wi[14]
        paren = b"paren:1" if depth else b"paren:0"
        if in_attr:  # inside it, the token's shape and place in it decide; its words are those of mentions elsewhere
            f = [b"bias", wi[11], title_items[i][0], paren, length]
            f.append(
                f"in_attr:{wi[1]}/{title_end.get(i - 1, 'none')}".encode()
            )  # "(ý kiến đồng chí Tâm)": Aa after a title
            if name_from <= s < name_to:  # the capitalised words it names
                f.append(b"attr_name:first" if s == name_from else b"attr_name:next")
        else:
            f = [
                b"bias",
                *wi[3],
                wi[11],
                i_items[i],
                title_items[i][0],
                paren,
                _COLONS_ITEMS[colon_seen],
                _CELL_ITEMS[cell],
                length,
                _LINE_POS_ITEMS[line_words],
            ]
        if at_end:  # how far from the end of the window, in a document that names speakers after their remarks
            f.append(_END_DIST_ITEMS[min(n - 1 - i, 14)])
        if wi[8]:
            f.extend(wi[8])
        if s in spk:
            f.append(b"rule_spk")
        if wi[0] in people_words:
            f.append(b"header_word")
        if i > 0 and not in_attr:
            prev = items[i - 1]
            f += prev[4]
            f.append(prev[12])
            f.append(title_items[i - 1][1])
            if prev[9]:
                f.append(b"-1:fam")
        elif i == 0:
            f.append(b"BOS")
        if i > 1 and not in_attr:
            f += items[i - 2][5]
        if i + 1 < n:
            nxt = items[i + 1]
            f.append(nxt[13])
            if not in_attr:
                f += nxt[6]
                if nxt[10]:
                    f.append(b"+1:speech")
        else:
            f.append(b"EOS")
        if i + 2 < n and not in_attr:
            f += items[i + 2][7]
        feats.append(f)
        flags.append(in_attr)
        if line_words < 9:  # counts past the last bucket's edge are the same feature: each count is capped
            line_words += 1
        if w == "(":
            depth += 1
        elif w == ")":
            depth = max(0, depth - 1)
        elif w == ":":
            colon_seen = min(colon_seen + 1, 2)
        elif w == "|":
            cell = min(cell + 1, 4)
        if i + 1 < n:
            gap = text[e : toks[i + 1][0]]
            if "\t" in gap:
                cell = min(cell + 1, 4)
    return feats, flags


_COLONS_ITEMS = (b"colons:0", b"colons:1", b"colons:2")
_CELL_ITEMS = (b"cell:0", b"cell:1", b"cell:2", b"cell:3", b"cell:4")


_NO_TITLE_ITEMS = (b"title:none", b"-1:title:none")


@lru_cache(maxsize=256)
def _title_items(family: str) -> tuple[bytes, bytes]:
    return f"title:{family}".encode(), f"-1:title:{family}".encode()
