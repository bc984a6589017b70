"""minutes_nlp: read Vietnamese party-cell meeting minutes, cut them into contributions,
label what each contribution does, and score how substantive the discussion was.

    >>> import minutes_nlp
    >>> meeting = minutes_nlp.analyze("bien-ban.docx")     # Meeting; .to_dict() is docs/report.md
    >>> meeting.score["level"], [f.code for f in meeting.flags]
    >>> minutes_nlp.segment(minutes_nlp.read("bien-ban.docx").text).contributions
    >>> minutes_nlp.classify(["Đề nghị chi bộ sớm sửa đèn đường."])
"""

from minutes_nlp.analysis.analyzer import Analyzer, analyze, contributions_frame, meetings_frame
from minutes_nlp.classifiers.labels import classify, load_model
from minutes_nlp.errors import MinutesError, NoSpeakers, ReadError
from minutes_nlp.reading.documents import read
from minutes_nlp.reading.text import normalize
from minutes_nlp.segmentation.header import parse_header
from minutes_nlp.segmentation.pipeline import segment_document, segment_file
from minutes_nlp.segmentation.turns import segment

__all__ = [
    "read",
    "segment",
    "parse_header",
    "normalize",
    "segment_document",
    "segment_file",
    "analyze",
    "Analyzer",
    "classify",
    "load_model",
    "contributions_frame",
    "meetings_frame",
    "MinutesError",
    "ReadError",
    "NoSpeakers",
]
__version__ = "0.1.0"
