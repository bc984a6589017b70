"""``minutes-nlp flag`` and ``minutes-nlp survey``: thin click wrappers over minutes_nlp.reports.supervise."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minutes_nlp.batch import pool
from minutes_nlp.cli.jobs import jobs_option
from minutes_nlp.cli.language import Command, option
from minutes_nlp.cli.ocr import OCR_OPTION
from minutes_nlp.cli.outputs import check_out, write_out
from minutes_nlp.errors import MinutesError
from minutes_nlp.extras import require
from minutes_nlp.i18n import N_, _
from minutes_nlp.reports import supervise

MODEL_HELP = N_("Name or directory of the classification model.")


def load_analyzer(model: str):
    """The Analyzer the commands use (a function, so tests can hand in one already loaded)."""
    from minutes_nlp.analysis.analyzer import Analyzer

    return Analyzer(model)


def _analyze(paths: tuple[Path, ...], model: str, jobs: int | None, ocr: str) -> tuple[list, int]:
    """Collect and analyse paths; print one stderr line per failure; return meetings and the failure count."""
    errors: list[MinutesError] = []
    items = supervise.collect(paths, errors)
    if not items and not errors:
        raise click.ClickException(
            _("no minutes (.txt, .docx, .pdf, .doc, .html, .htm or .zip) found in the paths given")
        )
    meetings: list = []
    if items:
        try:
            analyzer = load_analyzer(model)
        except MinutesError as exc:
            raise click.ClickException(str(exc)) from None
        analyzer.ocr = ocr  # set before the workers start, so each holds it
        for result in pool.run(analyzer, pool.analyze_item, items, jobs or pool.default_jobs()):
            (errors if isinstance(result, MinutesError) else meetings).append(result)
    for exc in errors:
        click.echo(f"minutes-nlp: {exc}", err=True)
    return meetings, len(errors)


def _suffix(out: Path | None, allowed: tuple[str, ...]) -> str | None:
    """The suffix of --out when it is one of allowed and the file can be written there (checked before any work)."""
    if out is None:
        return None
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise click.UsageError(
            _("--out must be a {types} file, not {name}").format(types=_(" or ").join(allowed), name=repr(out.name))
        )
    check_out(out)
    return suffix


@click.command(
    cls=Command,
    help=N_(
        "Rank minutes by their flags: one line a meeting, the most worrying first.\n\n"
        "PATHS are minutes files, folders (read with their subfolders) or .zip archives. Order: more warnings "
        "first, then the lower score first. A file that cannot be read is reported on one line on stderr, "
        "the other files are still analysed and the exit code is 1."
    ),
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--only",
    "codes",
    multiple=True,
    metavar="CODE",
    help=N_("Keep only the minutes with this flag code (repeatable), e.g. --only NO_PROPOSALS."),
)
@option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("Write a .csv or .xlsx file instead of printing the table; its folder must exist."),
)
@option("--model", default="default", show_default=True, help=MODEL_HELP)
@jobs_option
@OCR_OPTION
def flag(
    paths: tuple[Path, ...], codes: tuple[str, ...], out: Path | None, model: str, jobs: int | None, ocr: str
) -> None:
    unknown = supervise.unknown_codes(codes)
    if unknown:
        raise click.BadParameter(
            _("unknown flag code: {codes}; the codes are: {known}").format(
                codes=", ".join(unknown), known=", ".join(supervise.FLAG_CODES)
            ),
            param_hint="--only",
        )
    suffix = _suffix(out, (".csv", ".xlsx"))
    meetings, failed = _analyze(paths, model, jobs, ocr)
    rows = supervise.flag_rows(meetings, codes)
    if suffix == ".csv":
        write_out(out, write=lambda: supervise.write_flag_csv(rows, out))
    elif suffix == ".xlsx":
        from minutes_nlp.reports.xlsx import write_records_xlsx

        write_out(out, write=lambda: write_records_xlsx(supervise.flag_records(rows), out, _("Flags")))
    elif rows:
        click.echo(supervise.flag_table(rows))
    else:
        click.echo(_("No minutes with the chosen flags.") if codes else _("No minutes."))
    if out is not None:
        click.echo(_("{n} minutes → {path}").format(n=len(rows), path=out), err=True)
    if failed:
        sys.exit(1)


@click.command(
    cls=Command,
    help=N_(
        "Compute the figures of the Ho Chi Minh City survey over many minutes, overall and by group.\n\n"
        "Share of meetings by score level, share of meetings where more than half (50%) of the members "
        "present spoke (among the minutes that record attendance), contribution mix by main label, share of meetings "
        "without a proposal, mean score. PATHS are files, folders or .zip archives; a file that cannot be "
        "read is reported on stderr and the exit code is 1."
    ),
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--by",
    type=click.Choice(supervise.GROUPINGS),
    default=None,
    help=N_("Group by cell type, party committee or month of the meeting."),
)
@option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("Write an .xlsx or .html file (with charts) instead of printing the table; its folder must exist."),
)
@option("--model", default="default", show_default=True, help=MODEL_HELP)
@jobs_option
@OCR_OPTION
def survey(paths: tuple[Path, ...], by: str | None, out: Path | None, model: str, jobs: int | None, ocr: str) -> None:
    suffix = _suffix(out, (".xlsx", ".html", ".htm"))
    if suffix in (".html", ".htm"):
        require("plots", str(out))
    meetings, failed = _analyze(paths, model, jobs, ocr)
    if not meetings:
        raise click.ClickException(_("no minutes could be analysed"))
    result = supervise.survey(meetings, by)
    if suffix == ".xlsx":
        from minutes_nlp.reports.xlsx import write_survey_xlsx

        write_out(out, write=lambda: write_survey_xlsx(result, out))
    elif suffix in (".html", ".htm"):
        from minutes_nlp.reports.html import render_survey_html

        write_out(out, render_survey_html(result))
    else:
        click.echo(supervise.survey_table(result))
    if out is not None:
        click.echo(_("{n} minutes → {path}").format(n=len(meetings), path=out), err=True)
    if failed:
        sys.exit(1)
