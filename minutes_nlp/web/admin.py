"""Managing the organisation and the stored analyses: units, users, tokens, sign-in locks, re-analysis.

The ``minutes-nlp admin`` commands and the admin pages and API call these;
a refused request raises :class:`AdminError` with a message in the language in force.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minutes_nlp.errors import MinutesError
from minutes_nlp.i18n import _
from minutes_nlp.web import audit, limits
from minutes_nlp.web.auth import check_password, end_sessions, hash_password, new_token
from minutes_nlp.web.db import ROLES, UNIT_KINDS, Analysis, ApiToken, Document, Unit, User, iso
from minutes_nlp.web.params import MAX_ID, ascii_number, length_problem
from minutes_nlp.web.store import Storage, analysis_row, analyze_bytes

MIN_PASSWORD = 8
MAX_PASSWORD = 200


class AdminError(ValueError):
    """A refused admin request; the message says why."""


class Limited(AdminError):
    """A password check refused by the sign-in limits before hashing (HTTP 429)."""

    def __init__(self, refusal: limits.Refusal):
        super().__init__(limits.refusal_message(refusal))
        self.refusal = refusal


def find_unit(session: Session, ref: int | str | None) -> Unit | None:
    """The unit with this id, or with this exact name when the name is unique; AdminError otherwise."""
    if ref is None or ref == "":
        return None
    number = ref if isinstance(ref, int) else ascii_number(str(ref))  # "²" is a name, not the number 2
    if number is not None:
        unit = session.get(Unit, number) if 1 <= number <= MAX_ID else None
        if unit is None:
            raise AdminError(_("there is no unit number {ref}").format(ref=ref))
        return unit
    found = list(session.scalars(select(Unit).where(Unit.name == ref)))
    if not found:
        raise AdminError(_("there is no unit named {name}").format(name=repr(ref)))
    if len(found) > 1:
        raise AdminError(_("{n} units are named {name}; use the unit's number").format(n=len(found), name=repr(ref)))
    return found[0]


def create_unit(session: Session, name: str, kind: str, parent: Unit | None = None) -> Unit:
    """Add a committee or a cell under parent (a committee; None for a top-level committee)."""
    name = (name or "").strip()
    if not name:
        raise AdminError(_("the unit name must not be empty"))
    if kind not in UNIT_KINDS:
        raise AdminError(
            _("the unit kind must be committee (a party committee) or cell (a party cell), not {kind}").format(
                kind=repr(kind)
            )
        )
    if parent is not None and parent.kind != "committee":
        raise AdminError(
            _("{name} is a party cell; only a party committee holds other units").format(name=repr(parent.name))
        )
    if parent is None and kind == "cell":
        raise AdminError(_("a party cell must belong to a party committee; choose the unit above it"))
    parent_id = parent.id if parent else None
    if session.scalar(
        select(Unit.id).where(
            Unit.name == name, Unit.parent_id.is_(parent_id) if parent_id is None else Unit.parent_id == parent_id
        )
    ):
        raise AdminError(_("there is already a unit {name} at this level").format(name=repr(name)))
    unit = Unit(name=name, kind=kind, parent_id=parent_id)
    session.add(unit)
    session.commit()
    return unit


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    full_name: str | None = None,
    actor: str | None = None,
) -> User:
    """Add a user; a secretary belongs to a cell, a supervisor to a committee, a researcher to any unit or none."""
    username = (username or "").strip()
    if not username:
        raise AdminError(_("the user name must not be empty"))
    if role not in ROLES:
        raise AdminError(
            _("the role must be one of {roles}, not {role}").format(roles=", ".join(ROLES), role=repr(role))
        )
    # checked here as well as in the pages and the API, so the command refuses what PostgreSQL would
    problem = length_problem(username, User.username, _("The user name")) or length_problem(
        full_name, User.full_name, _("The full name")
    )
    if problem:
        raise AdminError(problem)
    if len(password or "") < MIN_PASSWORD:
        raise AdminError(_("the password must have at least {n} characters").format(n=MIN_PASSWORD))
    if role == "secretary" and (unit is None or unit.kind != "cell"):
        raise AdminError(_("a cell secretary must belong to a party cell"))
    if role == "supervisor" and (unit is None or unit.kind != "committee"):
        raise AdminError(_("a supervision officer must belong to a party committee"))
    if session.scalar(select(User.id).where(User.username == username)):
        raise AdminError(_("the user name {name} is taken").format(name=repr(username)))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        unit_id=unit.id if unit else None,
        full_name=full_name or None,
    )
    session.add(user)
    session.commit()
    audit.record(session, "user_created", username=user.username, actor=actor, target=role)
    return user


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AdminError(_("there is no user {name}").format(name=repr(username)))
    return user


def list_users(session: Session) -> list[dict]:
    """Every user: name, role, unit, active; by name."""
    out = []
    for u in session.scalars(select(User).order_by(User.username)):
        out.append(
            {
                "id": u.id,
                "username": u.username,
                "full_name": u.full_name,
                "role": u.role,
                "unit_id": u.unit_id,
                "unit": u.unit.name if u.unit else None,
                "active": u.active,
            }
        )
    return out


def list_units(session: Session) -> list[dict]:
    """Every unit as a tree walk: id, name, kind, parent_id, depth."""
    units = list(session.scalars(select(Unit).order_by(Unit.name)))
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    out: list[dict] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in children.get(parent, []):
            out.append({"id": u.id, "name": u.name, "kind": u.kind, "parent_id": u.parent_id, "depth": depth})
            walk(u.id, depth + 1)

    walk(None, 0)
    return out


def reanalyze(session: Session, storage: Storage, analyzer) -> dict:
    """Analyse every stored document with analyzer's model where that version is missing; keep older versions.

    The new analysis becomes current; a document the new model cannot read keeps its
    current analysis and is counted in failed. Returns {"analysed", "skipped", "failed", "version", "errors"}.
    """
    version = analyzer.model_info.get("version") or "unknown"
    analysed, skipped, errors = 0, 0, []
    have = set(session.scalars(select(Analysis.document_id).where(Analysis.model_version == version)))
    for doc in session.scalars(select(Document).order_by(Document.id)).all():
        if doc.id in have:
            skipped += 1
            continue
        try:
            meeting = analyze_bytes(analyzer, doc.original_name, doc.kind, storage.get(doc.sha256))
        except (MinutesError, OSError) as exc:
            errors.append(f"{doc.id}: {exc}")
            continue
        session.execute(update(Analysis).where(Analysis.document_id == doc.id).values(current=False))
        session.add(analysis_row(doc.id, meeting))
        session.commit()
        analysed += 1
    return {"analysed": analysed, "skipped": skipped, "failed": len(errors), "version": version, "errors": errors}


# ---------------------------------------------------------------- cutting people off


def _active_admins(session: Session) -> int:
    return len(list(session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True)))))


def create_token(session: Session, user: User, name: str | None, actor: str | None, address: str | None = None) -> str:
    """A new API token for user (shown once), recorded in the audit trail."""
    token = new_token(session, user, name or None)
    audit.record(session, "token_created", username=user.username, actor=actor, address=address, target=name)
    return token


def list_tokens(session: Session, username: str | None = None) -> list[dict]:
    """API tokens (never the token itself): id, owner, note, created, last used, revoked; newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if username:
        query = query.where(ApiToken.user_id == find_user(session, username).id)
    return [
        {
            "id": t.id,
            "username": t.user.username,
            "name": t.name,
            "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at),
            "revoked": t.revoked,
        }
        for t in session.scalars(query)
    ]


def revoke_token(session: Session, token_id: int, actor: str | None, address: str | None = None) -> ApiToken:
    """Revoke the token numbered token_id: it is refused from the next request on."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AdminError(_("there is no access token number {id}").format(id=token_id))
    if token.revoked:
        raise AdminError(_("access token number {id} is already revoked").format(id=token_id))
    token.revoked = True
    session.commit()
    audit.record(
        session, "token_revoked", username=token.user.username, actor=actor, address=address, target=f"#{token.id}"
    )
    return token


def set_active(session: Session, user: User, active: bool, actor: str | None, address: str | None = None) -> int:
    """Deactivate (its sessions end, its tokens stop working) or reactivate user; returns sessions ended."""
    if user.active == active:
        raise AdminError(
            (_("{name} is already active") if active else _("{name} is already deactivated")).format(name=user.username)
        )
    if not active and actor == user.username:
        raise AdminError(_("you cannot deactivate your own account"))
    if not active and user.role == "admin" and _active_admins(session) <= 1:
        raise AdminError(_("{name} is the last active administrator").format(name=user.username))
    user.active = active
    session.commit()
    ended = 0 if active else end_sessions(session, user, "deactivated")
    event = "user_reactivated" if active else "user_deactivated"
    audit.record(session, event, username=user.username, actor=actor, address=address)
    return ended


def set_password(
    session: Session, user: User, password: str, actor: str | None, address: str | None = None, own: bool = False
) -> int:
    """Give user a new password: every session of theirs ends and the account's sign-in lock is lifted.

    Returns the sessions ended. own says the user changed it themselves (after giving the current one).
    """
    if len(password or "") < MIN_PASSWORD:
        raise AdminError(_("the password must have at least {n} characters").format(n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise AdminError(_("the password must have at most {n} characters").format(n=MAX_PASSWORD))
    user.password_hash = hash_password(password)
    session.commit()
    ended = end_sessions(session, user, "password")
    limits.lift(session, "account", limits.account_key(user.username))
    event = "password_changed" if own else "password_reset"
    audit.record(session, event, username=user.username, actor=None if own else actor, address=address)
    return ended


def change_own_password(
    session: Session, policy: limits.SignInLimits, user: User, current: str, new: str, address: str
) -> int:
    """user changes their own password, giving the current one (a guess counted like a sign-in)."""
    if len(new or "") < MIN_PASSWORD or len(new) > MAX_PASSWORD:
        raise AdminError(
            _("the password must have between {low} and {high} characters").format(low=MIN_PASSWORD, high=MAX_PASSWORD)
        )
    refusal = limits.admit(session, policy, user.username, address)
    if refusal is not None:
        audit.record_throttled(
            session, "sign_in_limited", username=user.username, address=address, target="password", detail=refusal.kind
        )
        raise Limited(refusal)
    if check_password(session, user.username, current or "") is None:
        audit.record(session, "sign_in_failed", username=user.username, address=address, target="password")
        raise AdminError(_("the current password is wrong"))
    limits.succeeded(session, user.username, address)
    return set_password(session, user, new, actor=None, address=address, own=True)


def generate_password() -> str:
    """A random password to hand over (16 characters from an unambiguous alphabet)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _i in range(16))


def move_user(session: Session, user: User, unit: Unit | None, actor: str | None, address: str | None = None) -> int:
    """Move user to unit (a secretary to a cell, a supervisor to a committee); their sessions end."""
    if user.role == "secretary" and (unit is None or unit.kind != "cell"):
        raise AdminError(_("a cell secretary must belong to a party cell"))
    if user.role == "supervisor" and (unit is None or unit.kind != "committee"):
        raise AdminError(_("a supervision officer must belong to a party committee"))
    before = user.unit.name if user.unit else "-"
    user.unit_id = unit.id if unit else None
    session.commit()
    session.refresh(user)
    ended = end_sessions(session, user, "moved")
    audit.record(
        session,
        "user_moved",
        username=user.username,
        actor=actor,
        address=address,
        target=unit.name if unit else "-",
        detail=before,
    )
    return ended


def unlock(
    session: Session,
    *,
    username: str | None = None,
    client: str | None = None,
    actor: str | None = None,
    address: str | None = None,
) -> int:
    """Lift the sign-in limit of an account name and/or a client address; returns how many were lifted."""
    if not username and not client:
        raise AdminError(_("name the account or the client address to unlock"))
    lifted = 0
    for kind, key in (("account", username), ("address", client)):
        if key and limits.lift(session, kind, limits.account_key(key)):
            lifted += 1
            audit.record(
                session,
                "unlocked",
                username=key if kind == "account" else None,
                actor=actor,
                address=address,
                target=f"{kind}:{key}",
            )
    if not lifted:
        raise AdminError(_("nothing to unlock: no failed sign-in is counted for it"))
    return lifted
