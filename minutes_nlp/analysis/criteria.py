"""The official-criteria view: what the minutes let us check against HD 12-2018 and local point sheets.

A profile is a TOML file (package data in minutes_nlp/analysis/profiles/); its criteria are either
pass/fail checks or point bands. Anything the minutes do not state is
reported as ``null`` with the reason, never assumed to pass.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

from minutes_nlp.errors import MinutesError, reason_of
from minutes_nlp.i18n import _

PROFILES = files("minutes_nlp.analysis") / "profiles"  # package data
DEFAULT_PROFILE = "hd12-2018"


def load_profile(name_or_path: str | Path = DEFAULT_PROFILE) -> dict:
    """Return a criteria profile by name (a file in profiles/) or path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES / f"{name_or_path}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        known = ", ".join(sorted(p.name.removesuffix(".toml") for p in PROFILES.iterdir() if p.name.endswith(".toml")))
        raise MinutesError(
            str(name_or_path),
            _("cannot read the criteria profile ({reason})").format(reason=reason_of(exc)),
            _("built-in profiles: {names}").format(names=known),
        ) from None


def _values(metrics: dict, meta: dict) -> dict:
    duration = metrics["duration_minutes"]
    return {
        "attendance": metrics["attendance_rate"],
        "absent_without_reason": meta.get("members_absent_without_reason"),
        "duration": duration,
        "speaking": metrics["participation_rate"],
        "conclusion": metrics["has_conclusion"],
        "vote": metrics["has_vote"],
        "tasks": metrics["has_tasks"],
    }


def _band_points(value: float, bands: list, first_exclusive: bool) -> int:
    for i, (threshold, points) in enumerate(bands):
        if (value > threshold) if (i == 0 and first_exclusive) else (value >= threshold):
            return int(points)
    return int(bands[-1][1])


def evaluate_criteria(metrics: dict, meta: dict, profile: dict) -> dict:
    """Return {"profile", "title", "note", "criteria": [{code, name, value, passed|points, reason}]}."""
    values = _values(metrics, meta)
    rows = []
    for c in profile["criteria"]:
        value = values.get(c["code"])
        row = {"code": c["code"], "name": c["name"], "value": value}
        if value is None:
            row["passed" if not profile.get("points") else "points"] = None
            row["reason"] = _("the minutes do not give enough information")
        elif profile.get("points"):
            v = value / c["reference"] if "reference" in c else value
            row["points"] = _band_points(v, c["bands"], c.get("first_exclusive", False))
            row["max_points"] = int(c["bands"][0][1])
        else:
            if "min_exclusive" in c:
                passed = value > c["min_exclusive"]
            elif "min" in c:
                limit = c.get("min_thematic", c["min"]) if meta.get("meeting_type") == "chuyen_de" else c["min"]
                passed = value >= limit
            elif "max" in c:
                passed = value <= c["max"]
            else:
                passed = bool(value)
            row["passed"] = passed
        rows.append(row)
    out = {"profile": profile["name"], "title": profile["title"], "note": profile.get("note", ""), "criteria": rows}
    if profile.get("points"):
        got = [r["points"] for r in rows if r.get("points") is not None]
        out["points"] = sum(got) if len(got) == len(rows) else None
        out["max_points"] = sum(r.get("max_points", int(c["bands"][0][1])) for r, c in zip(rows, profile["criteria"]))
    return out
