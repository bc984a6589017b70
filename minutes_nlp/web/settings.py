"""Settings of the web service: defaults as data, overridable by environment and by the serve command.

| setting | environment | default |
|---|---|---|
| data_dir | MINUTES_NLP_DATA | ./minutes-nlp-data (SQLite file, stored uploads, session key) |
| database_url | DATABASE_URL | sqlite:///<data_dir>/minutes.db |
| storage_dir | MINUTES_NLP_STORAGE | <data_dir>/storage |
| secret_key | MINUTES_NLP_SECRET_KEY | random, kept in <data_dir>/secret_key (mode 600) |
| max_upload_mb | MINUTES_NLP_MAX_UPLOAD_MB | 20 (one file; a request may carry max_files files) |
| max_files | MINUTES_NLP_MAX_FILES | 50 |
| model | MINUTES_NLP_MODEL | the model chosen with `admin use-model` (<data_dir>/active-model), else default |
| https_only | MINUTES_NLP_HTTPS_ONLY | false (set true behind TLS so the session cookie is Secure) |
| sign_in | - | limits.SignInLimits(): see minutes_nlp/web/limits.py and docs/security.md |
| analysis_workers | MINUTES_NLP_ANALYSIS_WORKERS | 1 (worker processes analysing uploads, per server process) |
| analysis_seconds | MINUTES_NLP_ANALYSIS_SECONDS | 60 (one file's analysis is stopped after this) |
| analysis_memory_mb | MINUTES_NLP_ANALYSIS_MEMORY_MB | 1024 (memory one analysis may take beyond the loaded model) |
| queue_double_share | MINUTES_NLP_QUEUE_DOUBLE | 0.2 (share of annotation-queue items labelled by two researchers) |
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minutes_nlp.web.limits import SignInLimits


@dataclass
class Settings:
    """Where the service keeps its data and how much it accepts; see the module table."""

    data_dir: Path = Path("minutes-nlp-data")
    database_url: str = ""
    storage_dir: str | Path = ""
    secret_key: str | None = None
    max_upload_mb: float = 20.0
    max_files: int = 50
    model: str = "default"
    https_only: bool = False
    session_hours: int = 8
    sign_in: SignInLimits = field(default_factory=SignInLimits)
    analysis_workers: int = 1
    analysis_seconds: float = 60.0
    analysis_memory_mb: int = 1024
    queue_double_share: float = 0.2
    migrate: bool = False  # upgrade the schema to head when the app starts
    analyzer: Any = field(default=None, repr=False)  # an Analyzer to use in-process (tests); else worker processes

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'minutes.db').resolve()}"
        self.storage_dir = Path(self.storage_dir) if self.storage_dir else self.data_dir / "storage"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Settings from the environment (module table), with keyword overrides that are not None."""
        env = os.environ
        values: dict[str, Any] = {
            "data_dir": Path(env.get("MINUTES_NLP_DATA", "minutes-nlp-data")),
            "database_url": env.get("DATABASE_URL", ""),
            "storage_dir": env.get("MINUTES_NLP_STORAGE", ""),
            "secret_key": env.get("MINUTES_NLP_SECRET_KEY") or None,
            "max_upload_mb": float(env.get("MINUTES_NLP_MAX_UPLOAD_MB", 20)),
            "max_files": int(env.get("MINUTES_NLP_MAX_FILES", 50)),
            "model": env.get("MINUTES_NLP_MODEL", "default"),
            "https_only": env.get("MINUTES_NLP_HTTPS_ONLY", "").lower() in ("1", "true", "yes"),
            "analysis_workers": int(env.get("MINUTES_NLP_ANALYSIS_WORKERS", 1)),
            "analysis_seconds": float(env.get("MINUTES_NLP_ANALYSIS_SECONDS", 60)),
            "analysis_memory_mb": int(env.get("MINUTES_NLP_ANALYSIS_MEMORY_MB", 1024)),
            "queue_double_share": float(env.get("MINUTES_NLP_QUEUE_DOUBLE", 0.2)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "MINUTES_NLP_MODEL" not in env and overrides.get("model") is None:
            from minutes_nlp.web.lifecycle import active_model

            values["model"] = active_model(values["data_dir"]) or "default"
        return cls(**values)

    def session_secret(self) -> str:
        """The key that signs session cookies: the configured one, else one kept in data_dir across restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key)
        return key
