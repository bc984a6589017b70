"""A spaCy tokenizer for Vietnamese on top of underthesea, lossless: ``doc.text == text`` always.

underthesea joins the syllables of a word ("chi bộ", "Nguyễn Văn A") into one
token whose text contains a space, and may change spacing. spaCy rebuilds
``doc.text`` from token texts plus one optional trailing space, so a token with
an inner space (or a normalised one) cannot keep offsets exact. We therefore
split every underthesea word back into its syllables, each one a spaCy token
pointing at its own characters, and keep the word in ``token.norm_``: both
syllables of "Chi bộ" get the norm "chi_bộ". Models that embed NORM see words;
models that look at ORTH, PREFIX, SUFFIX and SHAPE see syllables.

    >>> nlp = spacy.blank("xx"); nlp.tokenizer = ViTokenizer(nlp.vocab)
    >>> [(t.text, t.norm_) for t in nlp("Chi bộ họp")]
    [('Chi', 'chi_bộ'), ('bộ', 'chi_bộ'), ('họp', 'họp')]

Each line is tokenised separately because underthesea is not lossless across
newlines. Characters underthesea drops or changes are never lost: whatever
text lies between two matched syllables becomes tokens of its own
(whitespace runs as spaCy whitespace tokens, other runs split at whitespace).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

_RUNS = re.compile(r"\s+|\S+")
_LINES = re.compile(r"[^\n]*\n?")


def _word_tokenize(line: str) -> list[str]:
    """underthesea's words for one line; on any failure, the line's whitespace-separated pieces."""
    from underthesea import word_tokenize  # loaded lazily: its model is not needed to import us

    try:
        words = word_tokenize(line)
    except Exception:  # a tokenizer must never fail on text; fall back to whitespace pieces
        return line.split()
    return [w for w in words if isinstance(w, str)]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, word) for every syllable underthesea finds, in order, with exact offsets.

    ``word`` is the lowercased underthesea word the syllable belongs to, its
    syllables joined by "_" ("chi_bộ"). Syllables underthesea changed so that
    they no longer occur in the text are skipped (their characters are covered
    by the gap tokens of :func:`tokens`).
    """
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for line in _LINES.findall(text):
        if not line:
            continue
        body = line.rstrip("\n")
        cursor = 0
        for word in _word_tokenize(body) if body.strip() else []:
            syllables = word.split()
            norm = "_".join(syllables).lower()
            for syl in syllables:
                start = body.find(syl, cursor)
                if start < 0:
                    continue
                spans.append((offset + start, offset + start + len(syl), norm))
                cursor = start + len(syl)
        offset += len(line)
    return spans


def tokens(text: str) -> Iterator[tuple[str, bool, str | None]]:
    """Yield (token text, followed by a space, norm or None) covering ``text`` exactly, in order."""
    pending: list[list[Any]] = []  # [text, space, norm] of tokens not yet yielded

    def add_gap(gap: str) -> None:
        for run in _RUNS.findall(gap):
            if run.isspace():
                # spaCy's convention: one plain space after a token is its trailing space;
                # any other whitespace is a token of its own.
                if run.startswith(" ") and pending and not pending[-1][1] and not pending[-1][0].isspace():
                    pending[-1][1] = True
                    run = run[1:]
                if run:
                    pending.append([run, False, None])
            else:
                pending.append([run, False, None])

    cursor = 0
    for start, end, norm in word_spans(text):
        add_gap(text[cursor:start])
        pending.append([text[start:end], False, norm])
        cursor = end
        while len(pending) > 1:
            yield tuple(pending.pop(0))  # type: ignore[misc]
    add_gap(text[cursor:])
    for item in pending:
        yield tuple(item)  # type: ignore[misc]


class ViTokenizer:
    """Callable text -> Doc with syllable tokens, exact offsets and the word in ``token.norm_``."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        triples = list(tokens(text))
        doc = Doc(self.vocab, words=[t for t, _, _ in triples], spaces=[s for _, s, _ in triples])
        for token, (_, _, norm) in zip(doc, triples):
            if norm is not None:
                token.norm_ = norm
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # The tokenizer has no state of its own; these let nlp.to_disk/from_disk/to_bytes work.
    def to_disk(self, path: Any, **kwargs: Any) -> None:
        pass

    def from_disk(self, path: Any, **kwargs: Any) -> ViTokenizer:
        return self

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> ViTokenizer:
        return self


@spacy.registry.tokenizers("minutes_nlp.vi_tokenizer")
def create_vi_tokenizer() -> Callable[[Language], ViTokenizer]:
    """Return the factory a spaCy config names with ``@tokenizers = "minutes_nlp.vi_tokenizer"``."""

    def make(nlp: Language) -> ViTokenizer:
        return ViTokenizer(nlp.vocab)

    return make
