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
    from minutes_nlp.web.audit import cli_actor

    with _session(_settings(data_dir, database_url)) as session:
        try:
            user = lib.create_user(
                session, username, password, role, lib.find_unit(session, unit), full_name, actor=cli_actor()
            )
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
    from minutes_nlp.web.audit import cli_actor

    with _session(_settings(data_dir, database_url)) as session:
        try:
            user = lib.find_user(session, username)
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(lib.create_token(session, user, name, cli_actor()))


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
@option(
    "--model",
    default=None,
    help=N_("Model name or directory to analyse with [default: the service's model, see admin use-model]."),
)
@_DATA
@_DB
def reanalyze(model: str | None, data_dir: Path | None, database_url: str | None) -> None:
    from minutes_nlp.analysis.analyzer import Analyzer
    from minutes_nlp.errors import MinutesError
    from minutes_nlp.web import admin as lib
    from minutes_nlp.web.store import Storage

    settings = _settings(data_dir, database_url)
    try:
        analyzer = Analyzer(model or settings.model)
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


@admin.command(
    "install-model",
    help=N_(
        "Check a trained model directory DIR (card, SHA-256, no pickle), compare it with the service's model on the "
        "corpus test split and on the corrected meetings, and install it; a worse model is refused unless --force."
    ),
)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@option("--name", default=None, help=N_("Name to install it under [default: the folder's name]."))
@option(
    "--corpus", "corpus_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help=N_("Corpus JSONL.")
)
@option("--force", is_flag=True, help=N_("Install even if it scores worse than the model in use."))
@_DATA
@_DB
def install_model(
    directory: Path, name: str | None, corpus_path: Path | None, force: bool, data_dir, database_url
) -> None:
    from minutes_nlp.classifiers.labels import load_model
    from minutes_nlp.classifiers.train import default_corpus
    from minutes_nlp.corpus.dataset import load as load_corpus
    from minutes_nlp.errors import MinutesError
    from minutes_nlp.web import lifecycle
    from minutes_nlp.web.corrections import export_records

    settings = _settings(data_dir, database_url)
    try:
        new = lifecycle.check_model(directory)
        current = load_model(settings.model)
        corpus = load_corpus(corpus_path or default_corpus())
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    with _session(settings) as session:
        corrected = export_records(session)
    scores = lifecycle.compare(new, current, corpus, corrected)
    for where, s in scores.items():
        click.echo(
            _("{where}: macro-F1 new {new}, in use {current}").format(
                where=where,
                new=s["new"] if s["new"] is not None else "-",
                current=s["current"] if s["current"] is not None else "-",
            )
        )
    bad = lifecycle.worse(scores)
    if bad and not force:
        raise click.ClickException(
            _(
                "the model scores worse than the one in use on {where}; not installed (use --force to install anyway)"
            ).format(where=", ".join(bad))
        )
    try:
        target = lifecycle.install(directory, settings.data_dir, name)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        _("installed as {name}; switch to it with 'minutes-nlp admin use-model {name}'").format(name=target.name)
    )


@admin.command(
    "use-model", help=N_("Make the installed model NAME the service's model (restart the service, then reanalyze).")
)
@click.argument("name")
@_DATA
def use_model(name: str, data_dir: Path | None) -> None:
    from minutes_nlp.errors import MinutesError
    from minutes_nlp.web import lifecycle

    settings = _settings(data_dir, None)
    try:
        target = lifecycle.use(settings.data_dir, name)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_("the service now uses {path}; restart it and run 'minutes-nlp admin reanalyze'").format(path=target))


def _run(data_dir: Path | None, database_url: str | None, action):
    """Run action(session, lib, actor) on the database; an AdminError becomes one clear line."""
    from minutes_nlp.web import admin as lib
    from minutes_nlp.web.audit import cli_actor

    with _session(_settings(data_dir, database_url)) as session:
        try:
            return action(session, lib, cli_actor())
        except lib.AdminError as exc:
            raise click.ClickException(str(exc)) from None


@admin.command("list-tokens", help=N_("List access tokens (never the tokens themselves), of USERNAME or of everyone."))
@click.argument("username", required=False)
@_DATA
@_DB
def list_tokens(username: str | None, data_dir: Path | None, database_url: str | None) -> None:
    rows = _run(data_dir, database_url, lambda s, lib, actor: lib.list_tokens(s, username))
    for t in rows:
        state = _("revoked") if t["revoked"] else _("valid")
        used = (t["last_used_at"] or "-")[:16]
        click.echo(f"{t['id']}\t{t['username']}\t{t['name'] or '-'}\t{t['created_at'][:16]}\t{used}\t{state}")


@admin.command(
    "revoke-token", help=N_("Revoke the access token numbered TOKEN_ID (see list-tokens); it stops working at once.")
)
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
@_DATA
@_DB
def revoke_token(token_id: int, data_dir: Path | None, database_url: str | None) -> None:
    token = _run(data_dir, database_url, lambda s, lib, actor: lib.revoke_token(s, token_id, actor))
    click.echo(_("Access token number {id} of {name} revoked.").format(id=token.id, name=token.user.username))


@admin.command(help=N_("Deactivate USERNAME: their sessions end and their tokens stop working; nothing is deleted."))
@click.argument("username")
@_DATA
@_DB
def deactivate(username: str, data_dir: Path | None, database_url: str | None) -> None:
    n = _run(data_dir, database_url, lambda s, lib, actor: lib.set_active(s, lib.find_user(s, username), False, actor))
    click.echo(_("{name} deactivated; {n} session(s) ended.").format(name=username, n=n))


@admin.command(help=N_("Reactivate USERNAME: they can sign in and use their tokens again."))
@click.argument("username")
@_DATA
@_DB
def reactivate(username: str, data_dir: Path | None, database_url: str | None) -> None:
    _run(data_dir, database_url, lambda s, lib, actor: lib.set_active(s, lib.find_user(s, username), True, actor))
    click.echo(_("{name} can sign in again.").format(name=username))


@admin.command(
    "set-password",
    help=N_(
        "Set the password of USERNAME (asked for twice, or made up with --generate and printed once); their "
        "sessions end and their sign-in lock is lifted."
    ),
)
@click.argument("username")
@option("--generate", is_flag=True, help=N_("Make up a random password and print it."))
@option(
    "--password",
    default=None,
    envvar="MINUTES_NLP_PASSWORD",
    help=N_("The new password, at least 8 characters (asked for when not given) [env MINUTES_NLP_PASSWORD]."),
)
@_DATA
@_DB
def set_password(
    username: str, generate: bool, password: str | None, data_dir: Path | None, database_url: str | None
) -> None:
    from minutes_nlp.web.admin import generate_password

    if generate:
        password = generate_password()
    elif password is None:
        password = click.prompt(_("New password (at least 8 characters)"), hide_input=True, confirmation_prompt=True)
    n = _run(
        data_dir, database_url, lambda s, lib, actor: lib.set_password(s, lib.find_user(s, username), password, actor)
    )
    if generate:
        click.echo(password)
    click.echo(_("Password of {name} set; {n} session(s) ended.").format(name=username, n=n), err=generate)


@admin.command("move-user", help=N_("Move USERNAME to UNIT (id or exact name); their sessions end."))
@click.argument("username")
@click.argument("unit")
@_DATA
@_DB
def move_user(username: str, unit: str, data_dir: Path | None, database_url: str | None) -> None:
    def move(s, lib, actor):
        target = lib.find_unit(s, unit)
        return target.name, lib.move_user(s, lib.find_user(s, username), target, actor)

    name, n = _run(data_dir, database_url, move)
    click.echo(_("{name} moved to {unit}; {n} session(s) ended.").format(name=username, unit=name, n=n))


@admin.command(help=N_("Lift the sign-in lock (and the failures counted) of the account USERNAME or of an address."))
@click.argument("username", required=False)
@option("--address", default=None, help=N_("A client address to unlock instead of (or as well as) an account."))
@_DATA
@_DB
def unlock(username: str | None, address: str | None, data_dir: Path | None, database_url: str | None) -> None:
    _run(data_dir, database_url, lambda s, lib, actor: lib.unlock(s, username=username, client=address, actor=actor))
    click.echo(_("Unlocked: {key}.").format(key=", ".join(k for k in (username, address) if k)))


@admin.command("sign-in-limits", help=N_("List accounts and addresses with failed sign-ins counted, and their locks."))
@_DATA
@_DB
def sign_in_limits(data_dir: Path | None, database_url: str | None) -> None:
    from minutes_nlp.web.limits import current

    settings = _settings(data_dir, database_url)
    with _session(settings) as session:
        rows = current(session, settings.sign_in)
    for r in rows:
        if r["locked"]:
            state = _("locked")
        elif r["retry_after"]:
            state = _("waiting {seconds} s").format(seconds=r["retry_after"])
        else:
            state = "-"
        click.echo(f"{r['kind']}\t{r['key']}\t{r['failures']}\t{state}\t{(r['last_failure_at'] or '-')[:19]}")


@admin.command(
    help=N_("Print the audit trail, newest first: sign-ins, refusals, locks, denied accesses, admin actions.")
)
@option("--user", "username", default=None, help=N_("Only events of this user (as subject or as actor)."))
@option("--event", default=None, help=N_("Only this event code (sign_in, sign_in_failed, locked, denied, ...)."))
@option("--limit", type=click.IntRange(1, 100000), default=50, show_default=True, help=N_("How many events."))
@option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help=N_("table: one line an event; json: the records with machine codes."),
)
@_DATA
@_DB
def audit(
    username: str | None, event: str | None, limit: int, fmt: str, data_dir: Path | None, database_url: str | None
) -> None:
    from minutes_nlp.vocabulary import AUDIT_EVENT_NAMES
    from minutes_nlp.web.audit import EVENTS, events

    if event is not None and event not in EVENTS:
        raise click.BadParameter(
            _("{event} is not an event code; one of {codes}").format(event=repr(event), codes=", ".join(EVENTS)),
            param_hint="--event",
        )
    with _session(_settings(data_dir, database_url)) as session:
        rows, _total = events(session, username=username, event=event, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for e in rows:
        fields = [
            e["at"][:19],
            AUDIT_EVENT_NAMES[e["event"]],
            e["username"],
            e["actor"],
            e["address"],
            e["target"],
            e["detail"],
        ]
        click.echo("\t".join(f or "-" for f in fields))
