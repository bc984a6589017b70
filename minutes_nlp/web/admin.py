"""Managing the organisation and the stored analyses: units, users, tokens, migration, re-analysis.

The ``minutes-nlp admin`` commands and the admin pages and API call these;
a refused request raises :class:`AdminError` with a message in the language in force.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minutes_nlp.errors import MinutesError
from minutes_nlp.i18n import _
from minutes_nlp.web.auth import hash_password
from minutes_nlp.web.db import ROLES, UNIT_KINDS, Analysis, Document, Unit, User
from minutes_nlp.web.params import MAX_ID, ascii_number
from minutes_nlp.web.store import Storage, analysis_row, analyze_bytes

MIN_PASSWORD = 8


class AdminError(ValueError):
    """A refused admin request; the message says why."""


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
    session: Session, username: str, password: str, role: str, unit: Unit | None = None, full_name: str | None = None
) -> User:
    """Add a user; a secretary belongs to a cell, a supervisor to a committee, a researcher to any unit or none."""
    username = (username or "").strip()
    if not username:
        raise AdminError(_("the user name must not be empty"))
    if role not in ROLES:
        raise AdminError(
            _("the role must be one of {roles}, not {role}").format(roles=", ".join(ROLES), role=repr(role))
        )
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
