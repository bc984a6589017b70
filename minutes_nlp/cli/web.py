"""``minutes-nlp serve`` and ``minutes-nlp admin …``: thin click wrappers over minutes_nlp.web.

Only click is imported here; the web dependencies load when a command runs, so
the rest of the command line works without the ``web`` extra installed.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path

import click

from minutes_nlp.cli.language import Command, Group, option
from minutes_nlp.i18n import N_, _
from minutes_nlp.vocabulary import USER_ROLE_NAMES

_DATA = option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=N_(
        "Folder of the SQLite file, stored uploads and session key [env MINUTES_NLP_DATA; default ./minutes-nlp-data]."
    ),
)
_DB = option(
    "--database-url",
    default=None,
    help=N_(
        "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db [env DATABASE_URL; default SQLite in the data folder]."
    ),
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
            _("{url}: cannot open the database ({reason}); create it with 'minutes-nlp admin migrate'").format(
                url=settings.database_url, reason=reason
            )
        ) from None
    if at != head:
        raise click.ClickException(
            _("the database is at schema {at}, not {head}; run 'minutes-nlp admin migrate' first").format(
                at=at or _("nothing"), head=head
            )
        )
    return make_sessionmaker(make_engine(settings.database_url))()


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or one clear line saying why not (port taken, not allowed, no such address).

    serve binds it before loading anything and hands it to uvicorn, so nothing
    says "serving on" unless the port is really ours.
    """
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = _("the port is already in use by another program; choose another with --port")
        elif exc.errno == errno.EACCES:
            reason = _("not allowed to listen on this port; choose one above 1024 with --port")
        else:
            reason = exc.strerror or str(exc)
        raise click.ClickException(
            _("cannot listen on {host}:{port}: {reason}").format(host=host, port=port, reason=reason)
        ) from None


@click.command(
    cls=Command,
    help=N_(
        "Run the web service: upload minutes, read reports, filter, export (pages, and the API under /api "
        "with its documentation at /api/docs)."
    ),
)
@option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help=N_("Address to listen on (keep 127.0.0.1 and put a TLS proxy in front)."),
)
@option("--port", default=8000, show_default=True, type=int, help=N_("Port to listen on."))
@_DATA
@_DB
@option("--model", default=None, help=N_("Model name or directory [env MINUTES_NLP_MODEL; default: default]."))
@option("--max-upload-mb", type=float, default=None, help=N_("Largest accepted file in MB [default 20]."))
@option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help=N_("Upgrade the database schema to the latest version before serving."),
)
@option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help=N_("Server processes answering requests (more than 1 needs PostgreSQL for heavy use)."),
)
@option(
    "--analysis-workers",
    type=click.IntRange(1, 64),
    default=None,
    help=N_(
        "Processes analysing uploads in each server process, each with the model loaded "
        "[env MINUTES_NLP_ANALYSIS_WORKERS; default: the cores divided by --workers]."
    ),
)
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    database_url: str | None,
    model: str | None,
    max_upload_mb: float | None,
    migrate: bool,
    workers: int,
    analysis_workers: int | None,
) -> None:
    if analysis_workers is None and "MINUTES_NLP_ANALYSIS_WORKERS" not in os.environ:
        analysis_workers = max(1, (os.cpu_count() or 1) // workers)
    settings = _settings(
        data_dir,
        database_url,
        model=model,
        max_upload_mb=max_upload_mb,
        migrate=migrate,
        analysis_workers=analysis_workers,
    )
    sock = listening_socket(host, port)
    try:
        import uvicorn

        from minutes_nlp.errors import MinutesError
        from minutes_nlp.web.app import create_app

        serving = "minutes-nlp: " + _("serving on http://{host}:{port} (database {database})").format(
            host=host, port=port, database=settings.database_url.split("@")[-1]
        )
        if workers == 1:
            try:
                app = create_app(settings)
            except (RuntimeError, MinutesError) as exc:  # schema too new, missing or untrusted model
                raise click.ClickException(str(exc)) from None
            click.echo(serving, err=True)
            uvicorn.Server(uvicorn.Config(app, log_level="info")).run(sockets=[sock])
            return
        from uvicorn.supervisors import Multiprocess

        _prepare_workers(settings)
        click.echo(serving, err=True)
        config = uvicorn.Config("minutes_nlp.web.app:create_app", factory=True, workers=workers, log_level="info")
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


def _prepare_workers(settings) -> None:
    """What must happen once before several server processes start: migration, session key, their settings.

    Each process then builds its app from the environment (Settings.from_env), with no migration of its own.
    """
    from minutes_nlp.classifiers import model_store
    from minutes_nlp.errors import MinutesError
    from minutes_nlp.web.db import head_revision, migrate, schema_revision

    try:
        model_store.read_card(model_store.resolve(settings.model))  # a missing model stops here, not in each process
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    if settings.migrate:
        migrate(settings.database_url)
    at, head = schema_revision(settings.database_url), head_revision()
    if at != head:
        raise click.ClickException(
            _("the database is at schema {at}, not {head}; run 'minutes-nlp admin migrate' first").format(
                at=at or _("nothing"), head=head
            )
        )
    settings.session_secret()  # made here once, so the processes do not race to create it
    os.environ.update(
        {
            "MINUTES_NLP_DATA": str(settings.data_dir),
            "DATABASE_URL": settings.database_url,
            "MINUTES_NLP_STORAGE": str(settings.storage_dir),
            "MINUTES_NLP_MODEL": settings.model,
            "MINUTES_NLP_MAX_UPLOAD_MB": str(settings.max_upload_mb),
            "MINUTES_NLP_ANALYSIS_WORKERS": str(settings.analysis_workers),
        }
    )


@click.group(cls=Group, help=N_("Manage the web service: database schema, units, users, API tokens, re-analysis."))
def admin() -> None:
    pass


@admin.command(help=N_("Create or upgrade the database schema to the latest version (safe to run again)."))
@_DATA
@_DB
def migrate(data_dir: Path | None, database_url: str | None) -> None:
    from minutes_nlp.web.db import migrate as run

    settings = _settings(data_dir, database_url)
    click.echo(_("database schema at revision {revision}").format(revision=run(settings.database_url)))


@admin.command("create-unit", help=N_("Add a party committee or a party cell NAME to the unit tree; prints its id."))
@click.argument("name")
@option(
    "--kind",
    type=click.Choice(["committee", "cell"]),
    required=True,
    help=N_("committee: a party committee (đảng bộ); cell: a party cell (chi bộ)."),
)
@option("--parent", default=None, help=N_("Id or exact name of the party committee it belongs to."))
@_DATA
@_DB
def create_unit(name: str, kind: str, parent: str | None, data_dir: Path | None, database_url: str | None) -> None:
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        try:
            unit = lib.create_unit(session, name, kind, lib.find_unit(session, parent))
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{unit.id}\t{unit.kind}\t{unit.name}")
        click.echo(_("Unit {name} added (number {id}).").format(name=unit.name, id=unit.id), err=True)


@admin.command(
    "create-user",
    help=N_(
        "Add a user USERNAME with a role and a unit; the password (at least 8 characters) is asked for twice "
        "and stored as an argon2 hash."
    ),
)
@click.argument("username")
@option(
    "--role",
    type=click.Choice(["secretary", "supervisor", "researcher", "admin"]),
    required=True,
    help=N_(
        "secretary: one party cell; supervisor: a party committee and everything under it; researcher: the "
        "anonymised corpus; admin: everything."
    ),
)
@option("--unit", default=None, help=N_("Id or exact name of the user's party cell or committee."))
@option("--full-name", default=None, help=N_("Name shown on the pages."))
@option(
    "--password",
    prompt=N_("Password (at least 8 characters)"),
    hide_input=True,
    confirmation_prompt=True,
    envvar="MINUTES_NLP_PASSWORD",
    help=N_("Password, at least 8 characters (asked for when not given) [env MINUTES_NLP_PASSWORD]."),
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
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        try:
            user = lib.create_user(session, username, password, role, lib.find_unit(session, unit), full_name)
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None
        place = _(" of {unit}").format(unit=user.unit.name) if user.unit else ""
        click.echo(
            _("User {name} added (number {id}): {role}{place}; they can sign in now.").format(
                name=user.username, id=user.id, role=USER_ROLE_NAMES[user.role], place=place
            )
        )


@admin.command(
    "create-token", help=N_("Create an API token for USERNAME and print it (once: only its hash is stored).")
)
@click.argument("username")
@option("--name", default=None, help=N_("A note saying what the token is for."))
@_DATA
@_DB
def create_token(username: str, name: str | None, data_dir: Path | None, database_url: str | None) -> None:
    from minutes_nlp.web import admin as lib
    from minutes_nlp.web.auth import new_token

    with _session(_settings(data_dir, database_url)) as session:
        try:
            user = lib.find_user(session, username)
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(new_token(session, user, name))


@admin.command("list-users", help=N_("List users with their role and unit."))
@option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help=N_("table: one line a user; json: the records with machine codes."),
)
@_DATA
@_DB
def list_users(fmt: str, data_dir: Path | None, database_url: str | None) -> None:
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        users = lib.list_users(session)
    if fmt == "json":
        click.echo(json.dumps(users, ensure_ascii=False, indent=2))
        return
    for u in users:
        state = _("active") if u["active"] else _("inactive")
        click.echo(f"{u['id']}\t{u['username']}\t{u['role']}\t{u['unit'] or '-'}\t{state}")


@admin.command("list-units", help=N_("Print the unit tree: id, kind, name (indented under its committee)."))
@_DATA
@_DB
def list_units(data_dir: Path | None, database_url: str | None) -> None:
    from minutes_nlp.web import admin as lib

    with _session(_settings(data_dir, database_url)) as session:
        for u in lib.list_units(session):
            click.echo(f"{u['id']}\t{u['kind']}\t{'  ' * u['depth']}{u['name']}")


@admin.command(
    help=N_("Analyse every stored upload again with MODEL; older analyses are kept as history, the new one is current.")
)
@option("--model", default="default", show_default=True, help=N_("Model name or directory to analyse with."))
@_DATA
@_DB
def reanalyze(model: str, data_dir: Path | None, database_url: str | None) -> None:
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
        _(
            "model version {version}: {analysed} analysed, {skipped} already analysed with this version, "
            "{failed} failed"
        ).format(**counts)
    )
