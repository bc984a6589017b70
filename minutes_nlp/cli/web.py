"""``minutes-nlp serve`` and ``minutes-nlp admin …``: thin click wrappers over minutes_nlp.web.

Only click is imported here; the web dependencies load when a command runs, so
the rest of the command line works without the ``web`` extra installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

_DATA = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the SQLite file, stored uploads and session key [env MINUTES_NLP_DATA; "
    "default ./minutes-nlp-data].",
)
_DB = click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db [env DATABASE_URL; default SQLite "
    "in the data folder].",
)


def _settings(data_dir: Path | None, database_url: str | None, **extra):
    from minutes_nlp.extras import require
    from minutes_nlp.web.settings import Settings

    require("web", "minutes-nlp serve/admin")
    return Settings.from_env(data_dir=data_dir, database_url=database_url, **extra)


def _session(settings):
    from sqlalchemy.exc import SQLAlchemyError

    from minutes_nlp.web.db import head_revision, make_engine, make_sessionmaker, schema_revision

    try:
        at, head = schema_revision(settings.database_url), head_revision()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise click.ClickException(
            f"{settings.database_url}: cannot open the database ({reason}); create it with 'minutes-nlp admin migrate'"
        ) from None
    if at != head:
        raise click.ClickException(
            f"the database is at schema {at or 'nothing'}, not {head}; run 'minutes-nlp admin migrate' first"
        )
    return make_sessionmaker(make_engine(settings.database_url))()


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (keep 127.0.0.1 and put a TLS proxy in front).",
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@_DATA
@_DB
@click.option("--model", default=None, help="Model name or directory [env MINUTES_NLP_MODEL; default: default].")
@click.option("--max-upload-mb", type=float, default=None, help="Largest accepted file in MB [default 20].")
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Upgrade the database schema to the latest version before serving.",
)
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    database_url: str | None,
    model: str | None,
    max_upload_mb: float | None,
    migrate: bool,
) -> None:
    """Run the web service: upload minutes, read reports, filter, export (pages and /api, docs at /api/docs)."""
    settings = _settings(data_dir, database_url, model=model, max_upload_mb=max_upload_mb, migrate=migrate)
    import uvicorn

    from minutes_nlp.errors import MinutesError
    from minutes_nlp.web.app import create_app

    try:
        app = create_app(settings)
    except (RuntimeError, MinutesError) as exc:  # schema too new, missing or untrusted model
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"minutes-nlp: serving on http://{host}:{port} (database {settings.database_url.split('@')[-1]})", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


@click.group()
def admin() -> None:
    """Manage the web service: database schema, units, users, API tokens, re-analysis."""


@admin.command()
@_DATA
@_DB
def migrate(data_dir: Path | None, database_url: str | None) -> None:
    """Create or upgrade the database schema to the latest version (safe to run again)."""
    from minutes_nlp.web.db import migrate as run

    settings = _settings(data_dir, database_url)
    click.echo(f"database schema at revision {run(settings.database_url)}")


@admin.command("create-unit")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(["committee", "cell"]),
    required=True,
    help="committee: a party committee (đảng bộ); cell: a party cell (chi bộ).",
)
@click.option("--parent", default=None, help="Id or exact name of the committee it belongs to.")
@_DATA
@_DB
def create_unit(name: str, kind: str, parent: str | None, data_dir: Path | None, database_url: str | None) -> None:
    """Add a committee or cell NAME to the unit tree; prints its id."""
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        try:
            unit = lib.create_unit(session, name, kind, lib.find_unit(session, parent))
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{unit.id}\t{unit.kind}\t{unit.name}")


@admin.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["secretary", "supervisor", "researcher", "admin"]),
    required=True,
    help="secretary: one cell; supervisor: a committee and everything under it; researcher: anonymised "
    "corpus; admin: everything.",
)
@click.option("--unit", default=None, help="Id or exact name of the user's cell or committee.")
@click.option("--full-name", default=None, help="Name shown on the pages.")
@click.password_option(
    help="Password (asked for when not given; at least 8 characters) [env MINUTES_NLP_PASSWORD].",
    envvar="MINUTES_NLP_PASSWORD",
)
@_DATA
@_DB
def create_user(
    username: str,
    role: str,
    unit: str | None,
    full_name: str | None,
    password: str,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    """Add a user USERNAME with a role and a unit; the password is stored as an argon2 hash."""
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        try:
            user = lib.create_user(session, username, password, role, lib.find_unit(session, unit), full_name)
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{user.id}\t{user.username}\t{user.role}")


@admin.command("create-token")
@click.argument("username")
@click.option("--name", default=None, help="A note saying what the token is for.")
@_DATA
@_DB
def create_token(username: str, name: str | None, data_dir: Path | None, database_url: str | None) -> None:
    """Create an API token for USERNAME and print it (once: only its hash is stored)."""
    from minutes_nlp.web import admin as lib
    from minutes_nlp.web.auth import new_token

    with _session(_settings(data_dir, database_url)) as session:
        try:
            user = lib.find_user(session, username)
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(new_token(session, user, name))


@admin.command("list-users")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_DATA
@_DB
def list_users(fmt: str, data_dir: Path | None, database_url: str | None) -> None:
    """List users with their role and unit."""
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        users = lib.list_users(session)
    if fmt == "json":
        click.echo(json.dumps(users, ensure_ascii=False, indent=2))
        return
    for u in users:
        state = "active" if u["active"] else "inactive"
        click.echo(f"{u['id']}\t{u['username']}\t{u['role']}\t{u['unit'] or '-'}\t{state}")


@admin.command("list-units")
@_DATA
@_DB
def list_units(data_dir: Path | None, database_url: str | None) -> None:
    """Print the unit tree: id, kind, name (indented under its committee)."""
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        for u in lib.list_units(session):
            click.echo(f"{u['id']}\t{u['kind']}\t{'  ' * u['depth']}{u['name']}")


@admin.command()
@click.option("--model", default="default", show_default=True, help="Model name or directory to analyse with.")
@_DATA
@_DB
def reanalyze(model: str, data_dir: Path | None, database_url: str | None) -> None:
    """Analyse every stored upload again with MODEL; older analyses are kept as history, the new one is current."""
    from minutes_nlp.analysis.analyzer import Analyzer
    from minutes_nlp.errors import MinutesError
    from minutes_nlp.web import admin as lib
    from minutes_nlp.web.store import Storage

    settings = _settings(data_dir, database_url)
    try:
        analyzer = Analyzer(model)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    with _session(settings) as session:
        counts = lib.reanalyze(session, Storage(settings.storage_dir), analyzer)
    for line in counts.pop("errors"):
        click.echo(f"minutes-nlp: {line}", err=True)
    click.echo(
        f"model version {counts['version']}: {counts['analysed']} analysed, {counts['skipped']} already "
        f"analysed with this version, {counts['failed']} failed"
    )
