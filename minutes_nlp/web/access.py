"""Who may see what: the unit tree and each role's reach.

| role | reads meetings of | uploads to | other |
|---|---|---|---|
| secretary | their own cell | their own cell | |
| supervisor | every cell under their committee, recursively | - | dashboard |
| researcher | - (no report, list or named export) | - | anonymised corpus of the cells under their unit |
| admin | every cell | any cell (names it) | manages users, units and tokens |

Every query of meetings goes through :func:`readable_units`, so pages, API
and exports share one rule; a meeting outside it is answered as not found.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from minutes_nlp.i18n import _
from minutes_nlp.web.db import Unit, User

READERS = ("secretary", "supervisor", "admin")
UPLOADERS = ("secretary", "admin")
DASHBOARD = ("supervisor", "admin")
CORPUS = ("researcher", "admin")


def require(user: User, roles: tuple[str, ...]) -> None:
    """HTTP 403 unless user has one of roles."""
    if user.role not in roles:
        from fastapi import HTTPException

        raise HTTPException(403, _("Your account is not allowed to do this"))


def subtree(session: Session, unit_id: int) -> set[int]:
    """The ids of unit_id and every unit below it."""
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    children: dict[int | None, list[int]] = {}
    for uid, parent in parents.items():
        children.setdefault(parent, []).append(uid)
    found, todo = set(), [unit_id]
    while todo:
        uid = todo.pop()
        if uid in found:
            continue
        found.add(uid)
        todo.extend(children.get(uid, []))
    return found


def readable_units(session: Session, user: User) -> set[int] | None:
    """The unit ids whose meetings user may read in full; None means all; empty when none."""
    if user.role == "admin":
        return None
    if user.role == "secretary":
        return {user.unit_id} if user.unit_id is not None else set()
    if user.role == "supervisor":
        return subtree(session, user.unit_id) if user.unit_id is not None else set()
    return set()


def corpus_units(session: Session, user: User) -> set[int] | None:
    """The unit ids whose meetings user may export anonymised; None means all."""
    if user.role == "admin":
        return None
    if user.role == "researcher":
        return subtree(session, user.unit_id) if user.unit_id is not None else None
    return set()


def unit_path(session: Session, unit: Unit) -> list[Unit]:
    """unit and its ancestors, root first."""
    chain, seen = [], set()
    current: Unit | None = unit
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current)
        current = session.get(Unit, current.parent_id) if current.parent_id is not None else None
    return chain[::-1]


def visible_cells(session: Session, units: set[int] | None) -> list[Unit]:
    """The cells among units (all cells for None), by name."""
    query = select(Unit).where(Unit.kind == "cell").order_by(Unit.name)
    if units is not None:
        query = query.where(Unit.id.in_(units or {-1}))
    return list(session.scalars(query))


def visible_committees(session: Session, units: set[int] | None) -> list[Unit]:
    query = select(Unit).where(Unit.kind == "committee").order_by(Unit.name)
    if units is not None:
        query = query.where(Unit.id.in_(units or {-1}))
    return list(session.scalars(query))
