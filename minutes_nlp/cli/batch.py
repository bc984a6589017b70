"""``minutes-nlp batch``: a thin click wrapper over minutes_nlp.batch.run (docs/batch.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minutes_nlp.cli.language import Command, option
from minutes_nlp.errors import MinutesError
from minutes_nlp.extras import require
from minutes_nlp.i18n import N_, _


@click.command(
    cls=Command,
    help=N_(
        "Analyse an archive of minutes on a Dask cluster and write Parquet datasets.\n\n"
        "PATHS are files, folders (with their subfolders) or .zip archives of any size. Under --out come the "
        "datasets meetings, contributions, sentences, flags and errors, keyed by the content hash of each file "
        "and the model version. Run again over the same input, it skips what is done. A file that cannot be "
        "read goes to errors with its reason; the exit code is then 1. See docs/batch.md."
    ),
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help=N_("Folder of the datasets (created if missing; its parent folder must exist)."),
)
@option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help=N_("Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 [default: a cluster on this machine]."),
)
@option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help=N_("Worker processes of the cluster on this machine [default: the number of cores]."),
)
@option("--model", default="default", show_default=True, help=N_("Model name or directory."))
@option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help=N_("Files per task, on average; each task writes one file per dataset."),
)
def batch(
    paths: tuple[Path, ...], out: Path, scheduler: str | None, workers: int | None, model: str, chunk_size: int
) -> None:
    require("batch", "minutes-nlp batch")
    from minutes_nlp.batch.run import client_for, close, model_version, run

    if scheduler and workers:
        raise click.UsageError(_("--workers is for the cluster on this machine; a cluster at --scheduler has its own"))
    if not out.parent.is_dir():
        raise click.ClickException(
            _("--out {path}: the folder {folder} does not exist; create it first").format(path=out, folder=out.parent)
        )
    try:
        model_version(model)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        client = client_for(scheduler, workers)
    except OSError as exc:
        raise click.ClickException(
            _("cannot reach the Dask scheduler at {address} ({reason})").format(address=scheduler, reason=exc)
        ) from None
    try:
        summary = run(paths, out, client, model=model, chunk_size=chunk_size, progress=sys.stderr.isatty())
    finally:
        close(client)
    for first, reason in summary.failed_chunks:
        click.echo(
            "minutes-nlp: "
            + _("{path}: the task holding this file and the next ones failed ({reason}); run the command again").format(
                path=first, reason=reason
            ),
            err=True,
        )
    click.echo(
        _("{files} files: {meetings} meetings and {errors} errors written, {skipped} already done → {path}").format(
            files=summary.files, meetings=summary.meetings, errors=summary.errors, skipped=summary.skipped, path=out
        ),
        err=True,
    )
    if summary.errors or summary.failed_chunks:
        sys.exit(1)
