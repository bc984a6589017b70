"""Request dependencies shared by the API and the pages: database session, signed-in user, role checks, CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from minutes_nlp.i18n import N_, _
from minutes_nlp.web.audit import client_address, record_throttled, where
from minutes_nlp.web.auth import csrf_ok, session_owner, session_user, user_for_token
from minutes_nlp.web.db import User

bearer = HTTPBearer(auto_error=False, description=N_("An access token made with `minutes-nlp admin create-token`."))


class LoginRequired(Exception):
    """A page needs a signed-in user; answered with a redirect to the sign-in page."""


def db(request: Request) -> Iterator[Session]:
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


DB = Annotated[Session, Depends(db)]


def api_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)], session: DB
) -> User:
    """The owner of the bearer token; 401 when it is missing, unknown or revoked."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise HTTPException(
            401,
            _("No access token: send the header Authorization: Bearer <token>"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = user_for_token(session, credentials.credentials)
    if user is None:
        record_throttled(
            session, "token_refused", username=None, address=client_address(request), target=where(request)
        )
        raise HTTPException(
            401, _("The access token is not valid or was revoked"), headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.user = user
    return user


def page_user(request: Request, session: DB) -> User:
    """The user of a live server-side session; LoginRequired (a redirect) when there is none.

    A cookie whose session was ended (signed out, password changed, deactivated, moved) or
    has expired is refused and recorded, even with its CSRF token.
    """
    key = request.session.get("sid")
    user = session_user(session, key)
    if user is None:
        if key:
            record_throttled(
                session,
                "session_refused",
                username=session_owner(session, key),
                address=client_address(request),
                target=where(request),
            )
            request.session.clear()  # a dead session's cookie; a visitor's (CSRF token of the sign-in form) stays
        raise LoginRequired()
    request.state.user = user
    return user


async def csrf(request: Request) -> None:
    """403 unless the posted form carries the session's CSRF token (hidden field csrf_token)."""
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf_token")):
        raise HTTPException(
            403, _("The form's protection code (CSRF) is missing or wrong; reload the page and send it again")
        )


ApiUser = Annotated[User, Depends(api_user)]
PageUser = Annotated[User, Depends(page_user)]
