"""The codebook's vocabulary (../shared/codebook.md), defined once for every module."""

from __future__ import annotations

from collections.abc import Iterable

# §3: the labels, in the precedence order of §4.1 (the first wins).
LABELS = ("proposal", "complaint", "report", "agreement", "other")
# §2: segment kinds and speaker roles.
KINDS = ("procedural", "chair_report", "discussion", "chair_conclusion")
ROLES = ("chair", "secretary", "committee", "member", "guest")
MEMBER_ROLES = ("chair", "secretary", "committee", "member")
# corpus-format.md: cell types; §6: rating levels and their bands.
CELL_TYPES = ("residential", "agency", "enterprise", "school", "health", "armed", "other")
LEVELS = ("tot", "kha", "trung_binh", "kem")
# corpus-format.md meta fields: integers as the header states them, and text facts.
META_INT_FIELDS = ("members_total", "members_present", "members_absent", "members_exempt")
META_TEXT_FIELDS = (
    "cell",
    "date",
    "meeting_type",
    "province",
    "layout",
    "committee",
    "chair",
    "secretary",
    "start_time",
    "end_time",
)
LEVEL_BANDS = {"tot": (75, 100), "kha": (40, 74), "trung_binh": (20, 39), "kem": (0, 19)}


def primary_label(labels: Iterable[str]) -> str:
    """The highest-precedence label other than 'other' (codebook §5), or 'other'."""
    found = {lab for lab in labels if lab != "other"}
    return next((lab for lab in LABELS if lab in found), "other")
