"""Analysis settings: packaged defaults (analysis.toml), overridden by a user TOML file."""

from __future__ import annotations

import hashlib
import os
import tomllib
from importlib.resources import files
from pathlib import Path

from minutes_nlp.errors import MinutesError, reason_of
from minutes_nlp.i18n import _

DEFAULTS = files("minutes_nlp.analysis") / "analysis.toml"  # package data


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_config(path: str | Path | None = None) -> dict:
    """Return the defaults merged with the TOML file at path (or $MINUTES_NLP_CONFIG)."""
    config = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    path = path or os.environ.get("MINUTES_NLP_CONFIG")
    if path:
        try:
            data = Path(path).read_bytes()
            extra = tomllib.loads(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise MinutesError(
                str(path), _("cannot read the settings file ({reason})").format(reason=reason_of(exc))
            ) from None
        score = extra.get("score", {})
        if ("weights" in score or "curve" in score) and "calibration" not in score:
            # the report names the calibration in force: here, the file that set the weights
            score["calibration"] = f"{Path(path).name} sha256:{hashlib.sha256(data).hexdigest()[:12]}"
        config = _merge(config, extra)
    return config
