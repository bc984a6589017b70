"""A small organisation for the session, limit and admin-action tests, and helpers to sign in and read the audit."""

from __future__ import annotations

from functools import cache

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from minutes_nlp.cli.main import main
from minutes_nlp.web import admin as admin_lib
from minutes_nlp.web.auth import hash_password
from minutes_nlp.web.db import AuditEvent, User

from .conftest import PASSWORD, csrf_of

PEOPLE = [
    ("bt_hoa", "secretary", "a"),
    ("bt_lan", "secretary", "b"),
    ("gs_tam", "supervisor", "ab"),
    ("gs_vu", "supervisor", "dn"),
    ("nc_mai", "researcher", None),
    ("qt_son", "admin", None),
]


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # hashed once: argon2 is slow by design, the users only need a valid hash


def small_world(app) -> tuple[dict, dict]:
    """Two committees, cells a and b under ab, the PEOPLE above with PASSWORD, a token each; (tokens, units)."""
    with app.state.sessions() as s:
        ab = admin_lib.create_unit(s, "Đảng ủy Phường Tân Hòa", "committee")
        dn = admin_lib.create_unit(s, "Đảng ủy Khối Cơ quan", "committee")
        units = {
            "ab": ab.id,
            "dn": dn.id,
            "a": admin_lib.create_unit(s, "Chi bộ Khu phố 3", "cell", ab).id,
            "b": admin_lib.create_unit(s, "Chi bộ Khu phố 4", "cell", ab).id,
        }
        tokens = {}
        for name, role, unit in PEOPLE:
            user = User(username=name, password_hash=_password_hash(), role=role, unit_id=units.get(unit))
            s.add(user)
            s.commit()
            tokens[name] = admin_lib.create_token(s, user, "thử nghiệm", "cli:test")
    return tokens, units


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def try_sign_in(client: TestClient, username: str, password: str):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/meetings"},
        follow_redirects=False,
    )


def events(app, event: str | None = None) -> list[AuditEvent]:
    with app.state.sessions() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        return list(s.scalars(query.where(AuditEvent.event == event) if event else query))


def cli(app, *args, input: str | None = None):
    """Run a command on the app's own database (PostgreSQL in CI's second run, not the data folder's SQLite)."""
    settings = app.state.settings
    where = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    return CliRunner().invoke(main, [*args, *where], input=input, catch_exceptions=False)
