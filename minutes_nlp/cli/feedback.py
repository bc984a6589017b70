"""``minutes-nlp calibrate`` and ``minutes-nlp corrections export``: people's ratings, corrections and labels, back.

calibrate fits the score's weights and curve (minutes_nlp/analysis/calibration.py) to an organisation's
own ratings, from a CSV beside minutes files or from the supervisors' ratings in the service's database.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click

from minutes_nlp.cli.language import Command, Group, option
from minutes_nlp.cli.outputs import check_out, write_out
from minutes_nlp.cli.web import _DATA, _DB, _session, _settings
from minutes_nlp.errors import MinutesError, reason_of
from minutes_nlp.i18n import N_, _

MIN_RATED = 8  # below this a cross-validated correlation says nothing


def read_ratings(path: Path) -> dict[str, float]:
    """file name -> rating (0-100) from a CSV with the columns file and substantive."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise click.ClickException(
            _("{path}: cannot read the ratings ({reason})").format(path=path, reason=reason_of(exc))
        ) from None
    if not rows or not {"file", "substantive"} <= set(rows[0]):
        raise click.ClickException(_("{path}: the ratings need the columns file and substantive").format(path=path))
    out = {}
    for number, row in enumerate(rows, 2):
        try:
            value = float((row["substantive"] or "").replace(",", "."))
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100:
            raise click.ClickException(
                _("{path}, line {line}: the rating {value} is not a number from 0 to 100").format(
                    path=path, line=number, value=repr(row["substantive"])
                )
            )
        out[Path(row["file"].strip()).name] = value
    return out


def _file_rows(files, ratings: dict[str, float], model: str, config: Path | None, score_cfg: dict):
    from minutes_nlp.analysis.analyzer import Analyzer
    from minutes_nlp.analysis.calibration import component_row

    analyzer = Analyzer(model, config=config)
    rows, target = [], []
    for path in files:
        if path.name not in ratings:
            click.echo(
                "minutes-nlp: " + _("{path}: no rating in the ratings file; left out").format(path=path), err=True
            )
            continue
        try:
            meeting = analyzer(path)
        except MinutesError as exc:
            click.echo(f"minutes-nlp: {exc}", err=True)
            continue
        rows.append(component_row(meeting.metrics, score_cfg))
        target.append(ratings[path.name])
    return rows, target


def _db_rows(data_dir, database_url, score_cfg: dict):
    from minutes_nlp.analysis.calibration import component_row
    from minutes_nlp.web.feedback import rated_reports

    with _session(_settings(data_dir, database_url)) as session:
        pairs = rated_reports(session)
    return [component_row(report["metrics"], score_cfg) for report, _r in pairs], [r for _m, r in pairs]


@click.command(
    cls=Command,
    help=N_(
        "Fit the score's weights to your own ratings and write a settings file for analyze --config and the "
        "service.\n\nFILES are minutes rated in --ratings (a CSV with the columns file and substantive, 0-100), or "
        "give --from-db to use the supervisors' ratings recorded in the web service. Prints the cross-validated "
        "Spearman correlation with the ratings before and after, with 95% bootstrap intervals."
    ),
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@option(
    "--ratings",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("CSV of ratings: file, substantive."),
)
@option("--from-db", is_flag=True, help=N_("Use the supervisors' ratings stored in the web service's database."))
@option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=N_("The settings file (TOML) to write."),
)
@option("--model", default="default", show_default=True, help=N_("Model name or directory."))
@option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Settings in force now (the 'before' and the starting point); default: the shipped ones."),
)
@option("--folds", type=int, default=5, show_default=True, help=N_("Cross-validation folds."))
@option(
    "--prior-strength",
    type=float,
    default=None,
    help=N_("How many meetings' worth the current weights count for (default: chosen by cross-validation)."),
)
@_DATA
@_DB
def calibrate(files, ratings, from_db, out, model, config, folds, prior_strength, data_dir, database_url) -> None:
    from minutes_nlp.analysis.calibration import calibrate as fit
    from minutes_nlp.analysis.calibration import to_toml
    from minutes_nlp.analysis.config import load_config

    if from_db == bool(files or ratings):
        raise click.UsageError(_("give FILES with --ratings, or --from-db"))
    if files and ratings is None:
        raise click.UsageError(_("FILES need --ratings ratings.csv"))
    check_out(out)
    try:
        score_cfg = load_config(config)["score"]
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    if from_db:
        rows, target = _db_rows(data_dir, database_url, score_cfg)
        source = _("the service's ratings")
    else:
        try:
            rows, target = _file_rows(files, read_ratings(ratings), model, config, score_cfg)
        except MinutesError as exc:
            raise click.ClickException(str(exc)) from None
        source = ratings.name
    if len(target) < MIN_RATED:
        raise click.ClickException(
            _("only {n} rated meetings; at least {min} are needed to calibrate").format(n=len(target), min=MIN_RATED)
        )
    result = fit(rows, target, score_cfg, folds=folds, strength=prior_strength)
    write_out(out, to_toml(result, f"{source}, {len(target)} meetings"))
    r = result["report"]
    for when, label in (("before", _("before")), ("after", _("after"))):
        low, high = r[when]["interval"]
        click.echo(
            _("{when}: Spearman {value} (95 percent interval {low} to {high})").format(
                when=label, value=r[when]["spearman"], low=low, high=high
            )
        )
    click.echo(
        _("{n} meetings, {folds}-fold cross-validation, prior strength {strength}; written to {path}").format(
            n=r["meetings"], folds=r["folds"], strength=r["prior_strength"], path=out
        )
    )


@click.group(cls=Group, help=N_("Corrections that people made in the web service."))
def corrections() -> None:
    pass


@corrections.command(
    "export",
    help=N_(
        "Write the corrected meetings and the sentences labelled in the annotation queue, anonymised, as corpus "
        "JSONL (passes 'corpus validate'); train on them with 'minutes-nlp train --extra FILE'."
    ),
)
@option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help=N_("The JSONL file to write."))
@_DATA
@_DB
def export_corrections(out: Path, data_dir, database_url) -> None:
    from minutes_nlp.web.training_data import export_records

    check_out(out)
    with _session(_settings(data_dir, database_url)) as session:
        records, counts = export_records(session)
    write_out(out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    sentences = sum(len(s.get("sentences", [])) for r in records for s in r["segments"])
    click.echo(
        _(
            "{n} corrected meetings, {q} more meetings with sentences labelled in the annotation queue, "
            "{s} labelled sentences in all ({labels} from the queue) → {path}"
        ).format(
            n=counts["corrected"], q=counts["queue_meetings"], s=sentences, labels=counts["queue_labels"], path=out
        )
    )
