"""Turn an authored meeting (plain minutes with inline annotation marks) into a corpus record.

Writers of the corpus compose each meeting as the minutes a secretary would
type, and mark segments and sentence labels inline; offsets are computed here
so nobody counts characters by hand. The format is described in
corpora/src/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from minutes_nlp.codebook import KINDS, LEVELS, META_INT_FIELDS, META_TEXT_FIELDS, ROLES
from minutes_nlp.reading.text import normalize

INT_FIELDS = META_INT_FIELDS
STR_FIELDS = ("cell_type", *META_TEXT_FIELDS)

_MARK = re.compile(r"\[\[([^\[\]]*)\]\]|\{(proposal|complaint|report|agreement|other)\}")
_TRAILING_BULLET = re.compile(r"\n[ \t]*(?:[-+*•►–—·]+|\(?\d{1,2}[.)]|[a-zđ][.)])[ \t]*$")
_STRAY = re.compile(r"\[\[|\]\]|\{[a-z_]+\}")


class MarkupError(ValueError):
    """An authored meeting that cannot become a valid corpus record."""


@dataclass
class _Open:
    kind: str
    speaker: str | None
    role: str | None
    start: int
    sentences: list


def _parse_front(front: str, path: str) -> tuple[dict, dict | None]:
    meta: dict = {}
    rating = None
    for line in front.strip().splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise MarkupError(f"{path}: front matter line without 'key: value': {line!r}")
        key, value = key.strip(), normalize(value.strip())
        if key == "rating":
            parts = value.split()
            if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in LEVELS:
                raise MarkupError(f"{path}: rating must be 'NUMBER LEVEL', got {value!r}")
            rating = {"substantive": int(parts[0]), "level": parts[1]}
        elif key == "id":
            meta["id"] = value
        elif key in INT_FIELDS:
            if value in ("", "null"):
                meta[key] = None
            elif value.isdigit():
                meta[key] = int(value)
            else:
                raise MarkupError(f"{path}: {key} must be an integer or null, got {value!r}")
        elif key in STR_FIELDS:
            meta[key] = None if value in ("", "null") else value
        else:
            raise MarkupError(f"{path}: unknown front matter key {key!r}")
    if "id" not in meta:
        raise MarkupError(f"{path}: front matter has no id")
    return meta, rating


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parse_markup(source: str, path: str = "<markup>") -> dict:
    """Return the corpus record (corpus-format.md) for one authored meeting."""
    source = normalize(source.lstrip("\ufeff"))
    if not source.startswith("---\n"):
        raise MarkupError(f"{path}: must start with a '---' front matter block")
    front, sep, body = source[4:].partition("\n---\n")
    if not sep:
        raise MarkupError(f"{path}: front matter block is not closed by '---'")
    meta, rating = _parse_front(front, path)
    record_id = meta.pop("id")

    text_parts: list[str] = []
    length = 0
    segments: list[dict] = []
    current = _Open("procedural", None, None, 0, [])

    def close(end: int) -> None:
        text = "".join(text_parts)
        start, end = _trim(text, current.start, end)
        if start == end:
            if current.kind != "procedural":
                raise MarkupError(f"{path}: empty {current.kind} segment for {current.speaker!r}")
            return
        seg = {"start": start, "end": end, "kind": current.kind, "speaker": current.speaker, "role": current.role}
        if current.kind == "discussion":
            if not current.sentences:
                raise MarkupError(f"{path}: discussion by {current.speaker!r} has no {{label}} sentence")
            bounds = [s for s, _ in current.sentences] + [end]
            sents = []
            for (s_start, label), s_end in zip(current.sentences, bounds[1:]):
                a, b = _trim(text, s_start, s_end)
                tail = _TRAILING_BULLET.search(text, a, b)
                if tail:  # the next item's bullet ("…tháng 9.\n-") belongs to no sentence
                    a, b = _trim(text, a, tail.start())
                if a == b:
                    raise MarkupError(f"{path}: empty {label} sentence in {current.speaker!r}'s remark")
                sents.append({"start": a, "end": b, "label": label})
            seg["sentences"] = sents
        elif current.sentences:
            raise MarkupError(
                f"{path}: {{label}} marks inside a {current.kind} segment at {text[start : start + 40]!r}"
            )
        segments.append(seg)

    pos = 0
    for m in _MARK.finditer(body):
        chunk = body[pos : m.start()]
        text_parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m.group(2):
            current.sentences.append((length, m.group(2)))
            continue
        fields = [f.strip() for f in m.group(1).split("|")]
        kind = fields[0]
        if kind not in KINDS:
            raise MarkupError(f"{path}: unknown segment kind {kind!r} in [[{m.group(1)}]]")
        if kind == "procedural":
            if len(fields) != 1:
                raise MarkupError(f"{path}: [[procedural]] takes no speaker")
            speaker = role = None
        else:
            if len(fields) != 3 or fields[2] not in ROLES or not fields[1]:
                raise MarkupError(f"{path}: expected [[{kind}|Speaker name|role]], got [[{m.group(1)}]]")
            speaker, role = fields[1], fields[2]
        close(length)
        current = _Open(kind, speaker, role, length, [])
    text_parts.append(body[pos:])
    length += len(body) - pos
    close(length)
    text = "".join(text_parts).rstrip()
    stray = _STRAY.search(text)
    if stray:
        raise MarkupError(f"{path}: malformed mark {text[stray.start() : stray.start() + 30]!r}")
    if normalize(text) != text:
        raise MarkupError(f"{path}: text is not stable under normalisation")
    meta.setdefault("source", "written")
    record = {"id": record_id, "text": text, "meta": meta, "segments": segments}
    if rating:
        record["rating"] = rating
    return record


def to_markup(record: dict) -> str:
    """Return the authored form of a corpus record (the inverse of parse_markup)."""
    text = record["text"]
    inserts: list[tuple[int, int, str]] = []
    for order, seg in enumerate(record["segments"]):
        if seg["kind"] == "procedural":
            mark = "[[procedural]]"
        else:
            mark = f"[[{seg['kind']}|{seg['speaker']}|{seg['role']}]]"
        if not (order == 0 and seg["kind"] == "procedural" and seg["start"] == 0):
            inserts.append((seg["start"], 0, mark))
        for sent in seg.get("sentences", []):
            inserts.append((sent["start"], 1, "{" + sent["label"] + "}"))
    out, pos = [], 0
    for at, _, mark in sorted(inserts):
        out.append(text[pos:at])
        out.append(mark)
        pos = at
    out.append(text[pos:])
    front = ["---", f"id: {record['id']}"]
    for key, value in record.get("meta", {}).items():
        if key != "source":
            front.append(f"{key}: {'null' if value is None else value}")
    if record.get("rating"):
        front.append(f"rating: {record['rating']['substantive']} {record['rating']['level']}")
    front.append("---")
    return "\n".join(front) + "\n" + "".join(out) + "\n"


def build(src_dir: Path) -> list[dict]:
    """Return the records of every authored meeting under src_dir, sorted by id."""
    records = [parse_markup(p.read_text(encoding="utf-8"), str(p)) for p in sorted(src_dir.rglob("*.txt"))]
    seen: dict[str, int] = {}
    for r in records:
        seen[r["id"]] = seen.get(r["id"], 0) + 1
    dups = [k for k, v in seen.items() if v > 1]
    if dups:
        raise MarkupError(f"duplicate meeting ids: {', '.join(dups)}")
    return sorted(records, key=lambda r: r["id"])


if __name__ == "__main__":  # quick check for corpus writers: python -m minutes_nlp.corpus.markup FILE...
    import sys

    failed = 0
    names = [a for a in sys.argv[1:] if a != "-v"]
    for name in names:
        try:
            rec = parse_markup(Path(name).read_text(encoding="utf-8"), name)
        except (MarkupError, OSError) as exc:
            failed += 1
            print(f"ERROR {exc}")
            continue
        disc = [s for s in rec["segments"] if s["kind"] == "discussion"]
        n_sent = sum(len(s["sentences"]) for s in disc)
        print(f"ok {name}: {len(disc)} contributions, {n_sent} sentences")
        if "-v" in sys.argv[1:]:
            for s in rec["segments"]:
                print(f"  [{s['kind']}|{s['speaker']}|{s['role']}] {rec['text'][s['start'] : s['end']][:70]!r}")
                for x in s.get("sentences", []):
                    print(f"      {x['label']:9} {rec['text'][x['start'] : x['end']][:70]!r}")
    sys.exit(1 if failed else 0)
