"""The audit trail: sign-ins, refusals, lockouts, denied accesses and admin actions, for admins to read.

Each event says when, what (a code named in minutes_nlp.vocabulary.AUDIT_EVENT_NAMES),
to whom (username), by whom when someone else did it (actor: an admin, or
``cli:<system user>`` for the command line), from where (client address) and on what (target).
"""

from __future__ import annotations

import getpass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minutes_nlp.web.db import AuditEvent, iso, now

EVENTS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_limited",
    "locked",
    "unlocked",
    "sign_out",
    "session_refused",
    "token_refused",
    "denied",
    "password_changed",
    "password_reset",
    "user_deactivated",
    "user_reactivated",
    "user_moved",
    "user_created",
    "token_created",
    "token_revoked",
)


def cli_actor() -> str:
    """Who runs an admin command: the system user, as far as the system says."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _cut(value: str | None, size: int) -> str | None:
    return None if value is None else str(value)[:size]


def record(
    session: Session,
    event: str,
    *,
    username: str | None = None,
    actor: str | None = None,
    address: str | None = None,
    target: str | None = None,
    detail: str | None = None,
) -> None:
    """Add one event and commit it (an event is kept even when the request then fails)."""
    session.add(
        AuditEvent(
            event=event,
            username=_cut(username, 100),
            actor=_cut(actor, 100),
            address=_cut(address, 64),
            target=_cut(target, 300),
            detail=_cut(detail, 500),
        )
    )
    session.commit()


def record_throttled(
    session: Session,
    event: str,
    *,
    username: str | None,
    address: str,
    target: str | None = None,
    detail: str | None = None,
) -> None:
    """Record a refusal an attacker can repeat at will (limited sign-ins, bad tokens, ended sessions) at most
    once a minute per event, name and address, so a flood adds no rows."""
    since = now() - timedelta(minutes=1)
    same_name = AuditEvent.username.is_(None) if username is None else AuditEvent.username == _cut(username, 100)
    recent = session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.event == event, same_name, AuditEvent.address == _cut(address, 64), AuditEvent.at >= since)
        .limit(1)
    )
    if recent is None:
        record(session, event, username=username, address=address, target=target, detail=detail)


def client_address(request) -> str:
    """The client's address (behind a proxy, uvicorn takes it from X-Forwarded-For when the proxy is trusted)."""
    return request.client.host if request.client and request.client.host else "?"


def where(request) -> str:
    return f"{request.method} {request.url.path}"


def record_denied(request, status: int, detail: str) -> None:
    """Record a refused request: every 403, and a 404 for a meeting asked for by a signed-in user."""
    user = getattr(request.state, "user", None)
    if status != 403 and not (status == 404 and user is not None and "/meetings/" in request.url.path):
        return
    with request.app.state.sessions() as session:
        record(
            session,
            "denied",
            username=user.username if user is not None else None,
            address=client_address(request),
            target=where(request),
            detail=f"{status}: {detail}",
        )


def events(
    session: Session,
    *,
    username: str | None = None,
    event: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """Events newest first, filtered by user (subject or actor) and event code, and how many match."""
    query = select(AuditEvent)
    if username:
        query = query.where((AuditEvent.username == username) | (AuditEvent.actor == username))
    if event:
        query = query.where(AuditEvent.event == event)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
    out = [
        {
            "id": e.id,
            "at": iso(e.at),
            "event": e.event,
            "username": e.username,
            "actor": e.actor,
            "address": e.address,
            "target": e.target,
            "detail": e.detail,
        }
        for e in rows
    ]
    return out, total or 0
