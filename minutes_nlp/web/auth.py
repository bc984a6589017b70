"""Passwords (argon2), API tokens (shown once, stored as SHA-256), sessions and CSRF tokens.

Pages use a signed session cookie (Starlette's SessionMiddleware) holding a
random session key and a CSRF token; every form posts the token back in a hidden
field and a missing or wrong one is refused with 403. The key names a row of
``web_sessions``, checked on every request, so signing out, a password change,
deactivation or a move to another unit ends the session on the server: a copied
cookie stops working at once, not when it expires. The API takes only
``Authorization: Bearer <token>`` and never the cookie, so it needs no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minutes_nlp.web.db import ApiToken, User, WebSession, aware, now

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


def start_session(session: Session, user: User, address: str | None, hours: float) -> str:
    """A new server-side session for user; returns the key for the cookie (only its digest is stored)."""
    key = secrets.token_urlsafe(32)
    stamp = now()
    session.add(
        WebSession(
            key_hash=token_digest(key),
            user_id=user.id,
            address=(address or "")[:64] or None,
            created_at=stamp,
            last_seen_at=stamp,
            expires_at=stamp + timedelta(hours=hours),
        )
    )
    session.commit()
    return key


def session_user(session: Session, key: object) -> User | None:
    """The active user of a live session key (not ended, not expired), else None."""
    if not isinstance(key, str) or not key:
        return None
    row = session.scalar(select(WebSession).where(WebSession.key_hash == token_digest(key)))
    stamp = now()
    if row is None or row.ended_at is not None or aware(row.expires_at) <= stamp or not row.user.active:
        return None
    if (stamp - aware(row.last_seen_at)).total_seconds() > 60:
        row.last_seen_at = stamp  # at most one write a minute per session
        session.commit()
    return row.user


def session_owner(session: Session, key: object) -> str | None:
    """The user name a session key belonged to, live or not (for the audit trail)."""
    if not isinstance(key, str) or not key:
        return None
    row = session.scalar(select(WebSession).where(WebSession.key_hash == token_digest(key)))
    return row.user.username if row else None


def end_session(session: Session, key: object, reason: str = "sign_out") -> bool:
    """End the session of key; False when it was not live."""
    if not isinstance(key, str) or not key:
        return False
    done = session.execute(
        update(WebSession)
        .where(WebSession.key_hash == token_digest(key), WebSession.ended_at.is_(None))
        .values(ended_at=now(), ended_reason=reason)
    )
    session.commit()
    return done.rowcount > 0


def end_sessions(session: Session, user: User, reason: str) -> int:
    """End every live session of user (password change, deactivation, move); returns how many."""
    done = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .values(ended_at=now(), ended_reason=reason)
    )
    session.commit()
    return done.rowcount


def live_sessions(session: Session, user: User) -> int:
    stamp = now()
    rows = session.scalars(select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None)))
    return sum(aware(r.expires_at) > stamp for r in rows)


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
