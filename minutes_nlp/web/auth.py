"""Passwords (argon2), API tokens (shown once, stored as SHA-256), sessions and CSRF tokens.

Pages use a signed session cookie (Starlette's SessionMiddleware) holding the
user id and a CSRF token; every form posts the token back in a hidden field
and a missing or wrong one is refused with 403. The API takes only
``Authorization: Bearer <token>`` and never the cookie, so it needs no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from minutes_nlp.web.db import ApiToken, User, now

_HASHER = PasswordHasher()
TOKEN_PREFIX = "mnl_"
# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("không có người dùng này")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same work either way)."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        session.commit()
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(session: Session, user: User, name: str | None = None) -> str:
    """Create an API token for user and return it; only its digest is stored, so it cannot be shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), name=name))
    session.commit()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning token (not revoked), else None."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_digest(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.user.active:
        return None
    stamp = now()
    last = row.last_used_at
    if last is None or (stamp - (last if last.tzinfo else last.replace(tzinfo=stamp.tzinfo))).total_seconds() > 60:
        row.last_used_at = stamp  # at most one write a minute per token
        session.commit()
    return row.user


def csrf_token(session_data: dict) -> str:
    """The session's CSRF token, created on first use."""
    if "csrf" not in session_data:
        session_data["csrf"] = secrets.token_urlsafe(32)
    return session_data["csrf"]


def csrf_ok(session_data: dict, sent: object) -> bool:
    expected = session_data.get("csrf")
    return (
        isinstance(expected, str) and bool(expected) and isinstance(sent, str) and hmac.compare_digest(expected, sent)
    )
