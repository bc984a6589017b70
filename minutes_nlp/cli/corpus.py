"""``minutes-nlp corpus``: validate, count, export, import and build the annotated corpus.

Each command parses its options and calls minutes_nlp.corpus.dataset, minutes_nlp.corpus.exchange
or minutes_nlp.corpus.markup; expected failures become one line on stderr and exit 1.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from minutes_nlp.cli.language import Group, option
from minutes_nlp.corpus import dataset as corpus_lib
from minutes_nlp.corpus import exchange
from minutes_nlp.corpus.markup import MarkupError
from minutes_nlp.corpus.markup import build as build_records
from minutes_nlp.errors import MinutesError, reason_of
from minutes_nlp.i18n import N_, _

if TYPE_CHECKING:
    import pandas as pd


class _Fail(click.ClickException):
    """One line on stderr, exit 1."""


def _guard(call, *args, **kwargs):
    """Run a library call; expected failures become a one-line click error."""
    try:
        return call(*args, **kwargs)
    except (MinutesError, MarkupError) as exc:
        raise _Fail(str(exc)) from None
    except OSError as exc:
        raise _Fail(f"{exc.filename or ''}: {reason_of(exc)}") from None


def _report(violations: list[corpus_lib.Violation], n_records: int, err: bool = False) -> None:
    for v in violations:
        click.echo(str(v), err=err)
    meetings = len({v.meeting_id for v in violations})
    click.echo(
        _("{n} violation(s) in {meetings} of {total} meetings").format(
            n=len(violations), meetings=meetings, total=n_records
        ),
        err=err,
    )


@click.group(
    cls=Group, help=N_("Validate, count, export, import and build the annotated minutes corpus (corpus-format.md).")
)
def corpus() -> None:
    pass


@corpus.command(
    help=N_(
        "Check a corpus file against corpus-format.md.\n\n"
        "Prints each violation as ID  RULE  [start:end]  message, then a summary; exits 1 if there is any."
    )
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def validate(file: Path) -> None:
    records = _guard(corpus_lib.load, file)
    violations = corpus_lib.validate(records)
    if violations:
        _report(violations, len(records))
        raise SystemExit(1)
    click.echo(_("{n} meetings valid").format(n=len(records)))


def _json_frame(name: str, frame: pd.DataFrame):
    if name == "totals":
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in frame["value"].items()}
    if name != "near_duplicates":
        frame = frame.reset_index()
    return json.loads(frame.to_json(orient="records", force_ascii=False))


@corpus.command(
    help=N_(
        "Print counts of a corpus file.\n\nLabels, cell types, splits, layouts, meeting types, years, "
        "provinces, totals, and near-duplicate sentences (with those across train/test)."
    )
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help=N_("Readable tables, or one JSON object keyed by table name."),
)
@option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.8,
    show_default=True,
    help=N_("Jaccard similarity of character 5-grams at which two sentences are near-duplicates."),
)
@option(
    "--show",
    type=int,
    default=20,
    show_default=True,
    help=N_("Near-duplicate pairs to list in table format (train/test crossings first)."),
)
def stats(file: Path, fmt: str, threshold: float, show: int) -> None:
    records = _guard(corpus_lib.load, file)
    tables = corpus_lib.stats(records, threshold=threshold)
    if fmt == "json":
        click.echo(
            json.dumps({name: _json_frame(name, frame) for name, frame in tables.items()}, ensure_ascii=False, indent=1)
        )
        return
    for name, frame in tables.items():
        if name == "near_duplicates":
            continue
        click.echo(f"== {name} ==")
        click.echo(frame.to_string() if len(frame) else "(" + _("none") + ")")
        click.echo("")
    pairs = tables["near_duplicates"]
    leaks = pairs["train_test"] & ~pairs["stock_formula"]
    click.echo(
        "== near_duplicates (Jaccard >= {threshold}): ".format(threshold=threshold)
        + _("{pairs} pairs, {crossing} across train/test, {leaks} of them beyond stock formulas").format(
            pairs=len(pairs), crossing=int(pairs["train_test"].sum()), leaks=int(leaks.sum())
        )
        + " =="
    )
    if len(pairs) and show > 0:
        shown = pairs.assign(leak=leaks).sort_values(["leak", "train_test", "jaccard"], ascending=False).head(show)
        for row in shown.itertuples(index=False):
            cross = ("  TRAIN/TEST" + ("" if row.leak else " (" + _("stock formula") + ")")) if row.train_test else ""
            click.echo(
                f"{row.jaccard:.2f}  {row.meeting_a}@{row.start_a} ({row.split_a})  "
                f"{row.meeting_b}@{row.start_b} ({row.split_b}){cross}"
            )
            click.echo(f"      {row.text_a[:100]}")
            click.echo(f"      {row.text_b[:100]}")


@corpus.command(
    help=N_(
        "Export a corpus file for another tool.\n\ncsv (one row per sentence), spacy (.spacy "
        "DocBin), doccano (JSONL) or label-studio (JSON tasks)."
    )
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@option("--to", "fmt", type=click.Choice(list(exchange.EXPORT_FORMATS)), required=True, help=N_("Target format."))
@option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help=N_("File to write."))
def export(file: Path, fmt: str, out: Path) -> None:
    records = _guard(corpus_lib.load, file)
    _guard(exchange.export, records, fmt, out)
    click.echo(_("{n} meetings exported as {fmt} to {path}").format(n=len(records), fmt=fmt, path=out))


@corpus.command(
    name="import",
    help=N_(
        "Import a doccano or Label Studio file.\n\nReads an export made by 'corpus export' "
        "(and annotated there) back into corpus JSONL, and validates it."
    ),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@option("--from", "fmt", type=click.Choice(list(exchange.IMPORT_FORMATS)), required=True, help=N_("Format of FILE."))
@option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help=N_("Corpus JSONL file to write."))
@option("--force", is_flag=True, help=N_("Write OUT even when the imported records break corpus rules."))
def import_(file: Path, fmt: str, out: Path, force: bool) -> None:
    records = _guard(exchange.import_records, file, fmt)
    violations = corpus_lib.validate(records)
    if violations:
        _report(violations, len(records), err=True)
        if not force:
            raise _Fail(
                _(
                    "{path}: imported records break corpus-format.md; nothing written "
                    "(fix them in the tool, or pass --force)"
                ).format(path=file)
            )
    _guard(corpus_lib.write, records, out)
    click.echo(_("{n} meetings imported from {fmt} to {path}").format(n=len(records), fmt=fmt, path=out))
    if violations:
        raise SystemExit(1)


@corpus.command(
    help=N_(
        "Build the corpus from authored meetings.\n\nParses every SRC/**/*.txt, keeps the splits "
        "of splits.tsv beside OUT and assigns new ids, writes OUT and splits.tsv, then validates."
    )
)
@option(
    "--src",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("corpora/src"),
    show_default=True,
    help=N_("Folder of authored meeting files (corpora/src/README.md)."),
)
@option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("corpora/minutes/minutes.jsonl"),
    show_default=True,
    help=N_("Corpus JSONL to write; splits.tsv is read and written in the same folder."),
)
@option("--seed", type=int, default=13, show_default=True, help=N_("Seed for assigning new ids to splits."))
def build(src: Path, out: Path, seed: int) -> None:
    if not src.is_dir():
        raise _Fail(_("{path}: no such folder of authored meetings").format(path=src))
    records = _guard(build_records, src)
    if not records:
        raise _Fail(_("{path}: no .txt meeting files found").format(path=src))
    splits_path = out.parent / "splits.tsv"
    existing = _guard(corpus_lib.read_splits, splits_path) if splits_path.exists() else {}
    splits = corpus_lib.assign_splits(records, existing, seed)
    for record in records:
        record["meta"]["split"] = splits[record["id"]]
    _guard(corpus_lib.write_splits, splits, splits_path)
    _guard(corpus_lib.write, records, out)
    counts = Counter(r["meta"]["split"] for r in records)
    new = sum(1 for r in records if r["id"] not in existing)
    click.echo(
        _(
            "{n} meetings written to {path} ({new} new); train {train}, dev {dev}, test {test}; splits in {splits}"
        ).format(
            n=len(records),
            path=out,
            new=new,
            train=counts["train"],
            dev=counts["dev"],
            test=counts["test"],
            splits=splits_path,
        )
    )
    violations = corpus_lib.validate(records)
    if violations:
        _report(violations, len(records))
        raise SystemExit(1)
    click.echo(_("{n} meetings valid").format(n=len(records)))


if __name__ == "__main__":
    corpus()
