"""minutes_nlp: read Vietnamese party-cell meeting minutes and cut them into contributions.

    >>> import minutes_nlp
    >>> doc = minutes_nlp.read("bien-ban.docx")        # text, normalised, with source facts
    >>> seg = minutes_nlp.segment(doc.text)            # header facts and segments with offsets
    >>> [s.speaker for s in seg.contributions]
"""
from .errors import MinutesError, NoSpeakers, ReadError
from .header import parse_header
from .pipeline import segment_document, segment_file
from .reading import read
from .segment import segment
from .text import normalize

__all__ = ["read", "segment", "parse_header", "normalize", "segment_document", "segment_file",
           "MinutesError", "ReadError", "NoSpeakers"]
__version__ = "0.1.0"
