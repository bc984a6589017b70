"""Cut normalised minutes into segments: procedural text, the chair's report, members' contributions and
the chair's conclusion (codebook.md §2), with the trained turn finder shipped in models/segmenter.

The model is opened once per process, on first use; `minutes-nlp train-segmenter` rebuilds it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from minutes_nlp.classifiers.model_store import MODELS_DIR
from minutes_nlp.segmentation.turn_model import TurnFinder
from minutes_nlp.types import SegmentedDocument

SEGMENTER = "segmenter"


@lru_cache(maxsize=4)
def turn_finder(directory: str | None = None) -> TurnFinder:
    """The turn finder in directory, or the shipped one ($MINUTES_NLP_SEGMENTER overrides)."""
    path = directory or os.environ.get("MINUTES_NLP_SEGMENTER") or str(Path(MODELS_DIR) / SEGMENTER)
    return TurnFinder(path)


def segment(text: str, source: str = "<text>") -> SegmentedDocument:
    """Return the segments, header facts and stated remark count of normalised minutes text.

    Raises NoSpeakers when no speaker turn is found.
    """
    return turn_finder()(text, source)
