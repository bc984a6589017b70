"""Fixtures of the web tests: one loaded Analyzer, fresh apps on temporary SQLite files, a seeded organisation.

The seeded world (session scope, never changed by tests that use it):

    Đảng ủy Phường An Bình (committee)        supervisor sup_ab
      Chi bộ Khu phố 1 (cell A)              secretary sec_a: meetings A 03 (proposals), A 04, A 05 (no proposals)
      Chi bộ Khu phố 2 (cell B)              secretary sec_b: meeting B 03
      Đảng bộ bộ phận Khu vực Bắc (committee) supervisor sup_north
        Chi bộ Khu phố 7 (cell D)            meeting D 04 (uploaded by admin)
    Đảng ủy Khối Doanh nghiệp (committee)    supervisor sup_dn
      Chi bộ Công ty May Sao Mai (cell C)    meeting C 03 (uploaded by admin)
    researcher res (no unit: every cell), admin admin
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.web import Settings, create_app
from minutes_nlp.web import admin as admin_lib
from minutes_nlp.web.auth import new_token

from .minutes import docx_bytes, minutes_text

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(scope="session")
def analyzer():
    return Analyzer("default")


# Set MINUTES_NLP_TEST_POSTGRES to a server URL ("postgresql+psycopg://user:pw@127.0.0.1:5432/") to run
# every web test on PostgreSQL instead of SQLite: each app gets a new database on that server.
POSTGRES = os.environ.get("MINUTES_NLP_TEST_POSTGRES")


def _fresh_postgres_database() -> str:
    import sqlalchemy

    name = f"minutes_test_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(POSTGRES.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return POSTGRES.rstrip("/") + "/" + name


@pytest.fixture()
def make_app(tmp_path_factory, analyzer):
    """Build a fresh app on its own database (SQLite file, or PostgreSQL) and storage folder."""

    def build(**options):
        folder = tmp_path_factory.mktemp("web")
        if POSTGRES and "database_url" not in options:
            options["database_url"] = _fresh_postgres_database()
        return create_app(
            Settings(data_dir=folder, migrate=True, analyzer=analyzer, secret_key="khoa-thu-nghiem", **options)
        )

    return build


@dataclass
class World:
    app: object
    client: TestClient
    units: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    meetings: dict = field(default_factory=dict)  # "A03" -> meeting id

    def api(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def seed(app, meetings: bool = True) -> World:
    """Units, users, tokens and meetings of the module docstring, made through the library and the API."""
    world = World(app=app, client=TestClient(app))
    with app.state.sessions() as s:
        u = world.units
        ab = admin_lib.create_unit(s, "Đảng ủy Phường An Bình", "committee")
        dn = admin_lib.create_unit(s, "Đảng ủy Khối Doanh nghiệp", "committee")
        north = admin_lib.create_unit(s, "Đảng bộ bộ phận Khu vực Bắc", "committee", ab)
        u.update(
            ab=ab.id,
            dn=dn.id,
            north=north.id,
            A=admin_lib.create_unit(s, "Chi bộ Khu phố 1", "cell", ab).id,
            B=admin_lib.create_unit(s, "Chi bộ Khu phố 2", "cell", ab).id,
            D=admin_lib.create_unit(s, "Chi bộ Khu phố 7", "cell", north).id,
            C=admin_lib.create_unit(s, "Chi bộ Công ty May Sao Mai", "cell", dn).id,
        )
        from minutes_nlp.web.db import Unit

        people = [
            ("sec_a", "secretary", "A"),
            ("sec_b", "secretary", "B"),
            ("sup_ab", "supervisor", "ab"),
            ("sup_north", "supervisor", "north"),
            ("sup_dn", "supervisor", "dn"),
            ("res", "researcher", None),
            ("admin", "admin", None),
        ]
        for name, role, unit in people:
            user = admin_lib.create_user(s, name, PASSWORD, role, s.get(Unit, u[unit]) if unit else None)
            world.tokens[name] = new_token(s, user, "thử nghiệm")
    uploads = [
        ("sec_a", "A", "Chi bộ Khu phố 1", 3, True),
        ("sec_a", "A", "Chi bộ Khu phố 1", 4, False),
        ("sec_a", "A", "Chi bộ Khu phố 1", 5, False),
        ("sec_b", "B", "Chi bộ Khu phố 2", 3, True),
        ("admin", "D", "Chi bộ Khu phố 7", 4, True),
        ("admin", "C", "Chi bộ Công ty May Sao Mai", 3, False),
    ]
    if not meetings:
        uploads = []
    for who, cell, name, month, proposals in uploads:
        data = docx_bytes(minutes_text(cell, name, month, proposals))
        form = {"unit_id": str(world.units[cell])} if who == "admin" else {}
        r = world.client.post(
            "/api/meetings",
            headers=world.api(who),
            data=form,
            files=[("files", (f"bien-ban-{cell}-{month:02d}.docx", data, "application/octet-stream"))],
        )
        assert r.status_code == 201, r.text
        world.meetings[f"{cell}{month:02d}"] = r.json()["results"][0]["meeting_id"]
    return world


@pytest.fixture(scope="session")
def world(tmp_path_factory, analyzer) -> World:
    extra = {"database_url": _fresh_postgres_database()} if POSTGRES else {}
    app = create_app(
        Settings(
            data_dir=tmp_path_factory.mktemp("world"),
            migrate=True,
            analyzer=analyzer,
            secret_key="khoa-thu-nghiem",
            **extra,
        )
    )
    return seed(app)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(app, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    """A client signed in as username (its own cookie jar) and the session's CSRF token."""
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client, csrf_of(client.get("/meetings" if username != "res" else "/corpus").text)
