"""The ``minutes-nlp`` command: thin click wrappers over the library, in the language in force."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from minutes_nlp.cli.corpus import corpus
from minutes_nlp.cli.jobs import jobs_option
from minutes_nlp.cli.language import Main, Option, lang_option, option, use_catalogs
from minutes_nlp.cli.ocr import OCR_OPTION, PageBar
from minutes_nlp.cli.outputs import check_out, write_out
from minutes_nlp.errors import MinutesError
from minutes_nlp.extras import MissingExtra, explain
from minutes_nlp.i18n import N_, _
from minutes_nlp.segmentation.pipeline import segment_file
from minutes_nlp.vocabulary import KIND_NAMES, ROLE_NAMES, name_of

use_catalogs()

# The format analyze writes when --out names a file and --format is not given.
FORMAT_OF_SUFFIX = {
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".txt": "table",
}


def _first_words(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _table(record: dict) -> str:
    text = record["text"]
    rows = [("#", _("speaker"), _("role"), _("kind"), _("text"))]
    for i, seg in enumerate(record["segments"], 1):
        rows.append(
            (
                str(i),
                seg["speaker"] or "-",
                name_of(ROLE_NAMES, seg["role"], "-"),
                name_of(KIND_NAMES, seg["kind"]),
                _first_words(text[seg["start"] : seg["end"]], 60),
            )
        )
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = [f"== {record['source_file']} =="]
    for r in rows:
        lines.append("  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4])
    meta = record["meta"]
    lines.append(
        _("{n} contributions to the discussion; party members: {total} in total, {present} present").format(
            n=len([s for s in record["segments"] if s["kind"] == "discussion"]),
            total=meta.get("members_total", "?"),
            present=meta.get("members_present", "?"),
        )
    )
    return "\n".join(lines)


class _Main(Main):
    """The command group; an optional extra missing anywhere below ends in one line, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MissingExtra as exc:
            raise click.ClickException(str(exc)) from None
        except ModuleNotFoundError as exc:
            missing = explain(exc, f"minutes-nlp {ctx.invoked_subcommand}")
            if missing is None:
                raise
            raise click.ClickException(str(missing)) from None


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Read Vietnamese party-cell meeting minutes and measure their discussion."),
)
@click.version_option(package_name="minutes-nlp", cls=Option)
@lang_option
def main() -> None:
    pass


@main.command(
    help=N_(
        "Cut minutes FILES (.txt, .docx, .pdf, .doc, .html) into contributions.\n\n"
        "Each file is read, normalised and segmented; a file that cannot be read is reported on stderr "
        "and the others are still processed (exit code 1)."
    )
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
    help=N_("table: a readable summary; json/jsonl: corpus-format records."),
)
@OCR_OPTION
def segment(files: tuple[Path, ...], fmt: str, ocr: str) -> None:
    failed = 0
    records = []
    for path in files:
        try:
            with PageBar(path) as bar:
                record = segment_file(path, ocr, bar)
        except MinutesError as exc:
            failed += 1
            click.echo(f"minutes-nlp: {exc}", err=True)
            continue
        if fmt == "table":
            click.echo(_table(record))
        elif fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            records.append(record)
    if fmt == "json" and records:
        click.echo(json.dumps(records[0] if len(records) == 1 else records, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)


CORPUS_HELP = N_("Corpus JSONL (default: corpora/minutes/minutes.jsonl).")
MODEL_HELP = N_("Model name or directory.")


@main.command(help=N_("Train a sentence classifier on the corpus and write a model directory (model, card, metrics)."))
@option(
    "--classifier", "name", required=True, help=N_("Registered classifier name: rules, linear, spacy or a plug-in.")
)
@option("--corpus", "corpus_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help=CORPUS_HELP)
@option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help=N_("Model directory to write."))
@option("--seed", type=int, default=13, show_default=True, help=N_("Random seed; same seed, same model."))
@option(
    "--split",
    "train_split",
    default="train",
    show_default=True,
    help=N_("Split(s) to train on, e.g. train or train+dev."),
)
@option(
    "--param", "params", multiple=True, metavar="KEY=VALUE", help=N_("Classifier parameter (JSON value), repeatable.")
)
@option(
    "--baseline",
    "baselines",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=N_("Another model directory whose test scores the card lists beside this model; repeatable."),
)
@option(
    "--extra",
    "extras",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Another corpus JSONL to train on whole (e.g. from 'corrections export'); repeatable."),
)
def train(
    name: str,
    corpus_path: Path | None,
    out: Path,
    seed: int,
    train_split: str,
    params: tuple[str, ...],
    baselines: tuple[Path, ...],
    extras: tuple[Path, ...],
) -> None:
    from minutes_nlp.classifiers.train import train as train_model

    parsed = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep:
            raise click.BadParameter(_("expected KEY=VALUE, got {value}").format(value=repr(p)), param_hint="--param")
        try:
            parsed[key] = json.loads(value)
        except ValueError:
            parsed[key] = value
    for baseline in baselines:
        if not baseline.is_dir():
            raise click.ClickException(_("{path}: no such model directory").format(path=baseline))
    try:
        results = train_model(
            name,
            corpus_path,
            out,
            seed=seed,
            params=parsed,
            train_split=train_split,
            baselines=list(baselines),
            extra=list(extras),
        )
    except (MinutesError, KeyError, ValueError) as exc:
        raise click.ClickException(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc)) from None
    for split, m in results.items():
        click.echo(
            _("{split}: macro-F1 {f1}, accuracy {accuracy} ({n} sentences)").format(
                split=split, f1=f"{m['macro_f1']:.3f}", accuracy=f"{m['accuracy']:.3f}", n=m["n"]
            )
        )
    click.echo(_("model written to {path}").format(path=out))


@main.command(
    "train-segmenter",
    help=N_("Train the turn finder on the corpus re-rendered in many layouts; write a model directory."),
)
@option("--corpus", "corpus_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help=CORPUS_HELP)
@option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("models/segmenter"),
    show_default=True,
    help=N_("Model directory to write."),
)
@option("--split", default="train+dev", show_default=True, help=N_("Split(s) to train on, e.g. train or train+dev."))
@option("--per-record", type=int, default=7, show_default=True, help=N_("Layout re-renderings per meeting."))
@option("--held-out", is_flag=True, help=N_("Leave the held-out layout templates out (to measure generalisation)."))
@option("--seed", type=int, default=13, show_default=True, help=N_("Random seed; same seed, same model."))
@option(
    "--extra",
    "extras",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_(
        "Another corpus JSONL to train on whole and re-render (minutes by other hands, 'corrections export'); "
        "repeatable."
    ),
)
def train_segmenter(
    corpus_path: Path | None,
    out: Path,
    split: str,
    per_record: int,
    held_out: bool,
    seed: int,
    extras: tuple[Path, ...],
) -> None:
    from minutes_nlp.classifiers.train import default_corpus
    from minutes_nlp.segmentation.turn_model import train_from_corpus

    try:
        info = train_from_corpus(
            corpus_path or default_corpus(),
            out,
            split=split,
            held_out=held_out,
            per_record=per_record,
            seed=seed,
            extra=list(extras),
        )
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        _("{path}: {records} records, {units} units, {seconds} s").format(
            path=out, records=info["train_records"], units=info["units"], seconds=info["train_seconds"]
        )
    )
    test = info.get("test")
    if test:
        click.echo(
            _("test split: contribution F1 {f1}, speaker {speaker}, role {role}, attendance {attendance}").format(
                f1=f"{test['contribution_f1']:.3f}",
                speaker=f"{test['speaker_accuracy']:.3f}",
                role=f"{test['role_accuracy']:.3f}",
                attendance=f"{test['attendance_field_accuracy']:.3f}",
            )
        )


@main.command(
    help=N_("Score a model on a corpus split: per-label precision/recall/F1, macro-F1, accuracy, confusions.")
)
@option("--model", "model_dir", default="default", show_default=True, help=MODEL_HELP)
@option("--corpus", "corpus_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help=CORPUS_HELP)
@option(
    "--split",
    type=click.Choice(["dev", "test", "train"]),
    default="test",
    show_default=True,
    help=N_("The split to score."),
)
@option("--cv", "folds", type=int, default=0, help=N_("Also cross-validate with this many folds grouped by meeting."))
@option(
    "--png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Write the confusion matrix PNG here."),
)
@option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help=N_("table: readable tables; json: the metrics."),
)
def evaluate(model_dir: str, corpus_path: Path | None, split: str, folds: int, png: Path | None, fmt: str) -> None:
    from sklearn.base import clone

    from minutes_nlp.classifiers import sentence_items
    from minutes_nlp.classifiers.evaluate import confusion_table, cross_validate, metrics, plot_confusion, report_table
    from minutes_nlp.classifiers.labels import load_model
    from minutes_nlp.classifiers.train import default_corpus
    from minutes_nlp.corpus.dataset import load as load_corpus
    from minutes_nlp.extras import require

    if png is not None:
        check_out(png)
    try:
        if png:
            require("plots", str(png))
        estimator = load_model(model_dir)
        records = load_corpus(corpus_path or default_corpus())
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    items, labels, _groups = sentence_items(records, split)
    if not items:
        raise click.ClickException(_("no labelled sentences in split {split}").format(split=repr(split)))
    result = {"split": split, **metrics(labels, list(estimator.predict(items)))}
    if folds:
        x, y, groups = [], [], []
        for s in ("train", "dev"):
            a, b, c = sentence_items(records, s)
            x, y, groups = x + a, y + b, groups + c
        result["cv"] = cross_validate(clone(estimator), x, y, groups, folds=folds)
    if png:
        plot_confusion(result, png, f"{model_dir}: {split}")
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(_("{model} on {split} ({n} sentences)").format(model=model_dir, split=split, n=result["n"]))
    click.echo(report_table(result))
    click.echo("\n" + confusion_table(result))
    if folds:
        cv = result["cv"]
        click.echo(
            "\n"
            + _("{folds}-fold CV by meeting (train+dev): macro-F1 {mean} ± {std}").format(
                folds=folds, mean=f"{cv['macro_f1_mean']:.3f}", std=f"{cv['macro_f1_std']:.3f}"
            )
        )


@main.command(help=N_("Print a leaderboard of model directories by macro-F1 (from their metrics.json)."))
@click.argument("model_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--split",
    type=click.Choice(["dev", "test"]),
    default="test",
    show_default=True,
    help=N_("The split whose scores are compared."),
)
def compare(model_dirs: tuple[Path, ...], split: str) -> None:
    rows = []
    for d in model_dirs:
        try:
            m = json.loads((d / "metrics.json").read_text(encoding="utf-8"))[split]
            card = json.loads((d / "card.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError):
            message = _("{path}: no {split} metrics (train it with 'minutes-nlp train')").format(path=d, split=split)
            click.echo(f"minutes-nlp: {message}", err=True)
            continue
        rows.append((m["macro_f1"], m["accuracy"], d, card.get("classifier", "?"), m["per_label"]))
    rows.sort(key=lambda r: -r[0])
    labels = ("proposal", "complaint", "report", "agreement", "other")
    click.echo(
        f"{'#':<3}{_('model'):<28}{_('classifier'):<12}{'macro-F1':>9}{'acc':>7}"
        + "".join(f"{lab[:8]:>10}" for lab in labels)
    )
    for i, (f1, acc, d, name, per) in enumerate(rows, 1):
        click.echo(
            f"{i:<3}{str(d)[-27:]:<28}{name:<12}{f1:>9.3f}{acc:>7.3f}"
            + "".join(f"{per.get(lab, {}).get('f1', 0):>10.3f}" for lab in labels)
        )


@main.command(
    help=N_(
        "Label sentences, one per line of SOURCE (a file or - for standard input).\n\n"
        "SOURCE is read like a minutes .txt file: UTF-8, UTF-16, Windows-1258 or a legacy font encoding; "
        "binary content is refused."
    )
)
@click.argument("source", default="-")
@option("--model", "model_dir", default="default", show_default=True, help=MODEL_HELP)
@option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "table"]),
    default="jsonl",
    show_default=True,
    help=N_("jsonl: one JSON object a sentence; table: label, confidence and text."),
)
@option("--explain", is_flag=True, help=N_("Add the features that drove each decision."))
def classify(source: str, model_dir: str, fmt: str, explain: bool) -> None:
    from minutes_nlp.classifiers.labels import classify as classify_sentences
    from minutes_nlp.reading.documents import read_lines

    try:
        if source == "-":
            lines = read_lines(_("standard input"), sys.stdin.buffer.read())
        else:
            lines = read_lines(source)
        results = classify_sentences(lines, model_dir, explain=explain)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    for row in results:
        if fmt == "jsonl":
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            extra = f"  [{'; '.join(row['explain'])}]" if explain else ""
            click.echo(f"{row['label']:<10}{row['confidence']:.2f}  {row['text']}{extra}")


@main.command(
    help=N_(
        "Analyse minutes FILES: contributions and labels, measures, score, flags, official criteria.\n\n"
        "Without --format the format follows the extension of --out (.xlsx, .html, .json, .jsonl, .txt for "
        "the table), else it is the table. A file that cannot be read is reported on stderr and the others "
        "continue; the exit code is 1 if any failed."
    )
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "html", "xlsx"]),
    default=None,
    help=N_(
        "table: a summary to read; json/jsonl: the full report with machine codes (docs/report.md, schema "
        "docs/report.schema.json); html: a printable report; "
        "xlsx: a workbook. [default: from the extension of --out, else table]"
    ),
)
@option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help=N_(
        "Write to this file (a folder for html of several files: one report each); its folder must exist. "
        "Without it the output goes to standard output."
    ),
)
@option("--model", default="default", show_default=True, help=MODEL_HELP)
@option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("TOML file overriding score weights and flag thresholds (see minutes_nlp/analysis/analysis.toml)."),
)
@option(
    "--profile",
    default="hd12-2018",
    show_default=True,
    help=N_("Official-criteria profile: a name in minutes_nlp/analysis/profiles or a TOML path."),
)
@jobs_option
@OCR_OPTION
def analyze(
    files: tuple[Path, ...],
    fmt: str | None,
    out: Path | None,
    model: str,
    config: Path | None,
    profile: str,
    jobs: int | None,
    ocr: str,
) -> None:
    from minutes_nlp.analysis.analyzer import Analyzer
    from minutes_nlp.batch import pool
    from minutes_nlp.reports.text import summary

    fmt, html_file = _analyze_output(fmt, out, len(files))
    try:
        analyzer = Analyzer(model, config=config, profile=profile, ocr=ocr)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    meetings, texts, failed = [], [], 0
    emit = texts.append if out is not None else click.echo
    show = len(files) > 1 and sys.stderr.isatty()
    with contextlib.ExitStack() as stack:
        n_jobs = jobs or pool.default_jobs()
        if n_jobs == 1 or len(files) == 1:
            results = _one_by_one(analyzer, files)  # here, with a bar per page while OCR reads a scan
        else:
            results = pool.run(analyzer, pool.analyze_path, files, n_jobs)
        if show:
            results = stack.enter_context(
                click.progressbar(results, length=len(files), label=_("Analysing"), file=sys.stderr)
            )
        for meeting in results:
            if isinstance(meeting, MinutesError):
                failed += 1
                click.echo(f"minutes-nlp: {meeting}", err=True)
                continue
            if fmt == "table":
                emit(summary(meeting))
            elif fmt == "jsonl":
                emit(json.dumps(meeting.to_dict(), ensure_ascii=False))
            elif fmt == "json" and len(files) > 1:
                meetings.append(meeting.to_dict())
            elif fmt == "json":
                emit(json.dumps(meeting.to_dict(), ensure_ascii=False, indent=2))
            else:
                meetings.append(meeting)
    if fmt == "json" and meetings:
        emit(json.dumps(meetings, ensure_ascii=False, indent=2))
    if out is not None and texts:
        write_out(out, "\n".join(texts) + "\n")
        click.echo(_("{n} minutes → {path}").format(n=len(files) - failed, path=out), err=True)
    if fmt in ("html", "xlsx") and meetings:
        _write_reports(meetings, fmt, out, html_file)
    if failed:
        sys.exit(1)


def _one_by_one(analyzer, files: tuple[Path, ...]):
    """Each file's Meeting or MinutesError, in order, analysed in this process."""
    for path in files:
        try:
            with PageBar(path) as pages:
                yield analyzer(path, progress=pages)
        except MinutesError as exc:
            yield exc


def _analyze_output(fmt: str | None, out: Path | None, n_files: int) -> tuple[str, bool]:
    """The format analyze writes and whether html goes to one file; refuses what cannot work, before any work."""
    if out is None:
        if fmt == "xlsx":
            raise click.UsageError(_("--format xlsx needs --out FILE.xlsx"))
        return fmt or "table", False
    from_suffix = FORMAT_OF_SUFFIX.get(out.suffix.lower())
    if fmt is None:
        if from_suffix is None:
            raise click.UsageError(
                _(
                    "--out {path}: cannot tell the format from the extension; give --format, or an --out ending "
                    "in .xlsx, .html, .json, .jsonl or .txt"
                ).format(path=out)
            )
        fmt = from_suffix
    elif from_suffix is not None and from_suffix != fmt:
        raise click.UsageError(
            _("--format {fmt} does not match --out {path}; change one of them").format(fmt=fmt, path=out)
        )
    html_file = fmt == "html" and from_suffix == "html"
    if html_file and n_files > 1:
        raise click.UsageError(
            _("--out {path} is one HTML file but {n} minutes files were given; give a folder").format(
                path=out, n=n_files
            )
        )
    check_out(out, folder=fmt == "html" and not html_file)
    return fmt, html_file


def _write_reports(meetings: list, fmt: str, out: Path | None, html_file: bool) -> None:
    if fmt == "xlsx":
        from minutes_nlp.reports.xlsx import write_xlsx

        write_out(out, write=lambda: write_xlsx(meetings, out))
        click.echo(_("{n} minutes → {path}").format(n=len(meetings), path=out), err=True)
        return
    from minutes_nlp.reports.html import render_html

    if out is None and len(meetings) == 1:
        click.echo(render_html(meetings[0]))
        return
    if html_file:
        write_out(out, render_html(meetings[0]))
        click.echo(f"→ {out}", err=True)
        return
    folder = out or Path(".")
    write_out(folder, write=lambda: folder.mkdir(exist_ok=True))
    for m in meetings:
        target = folder / f"{Path(m.source_file or m.id).stem}.html"
        write_out(target, render_html(m))
        click.echo(f"→ {target}", err=True)


from minutes_nlp.cli.supervise import flag, survey  # noqa: E402

main.add_command(flag)
main.add_command(survey)
from minutes_nlp.cli.web import admin, serve  # noqa: E402  (web dependencies load only when these run)

main.add_command(serve)
main.add_command(admin)
main.add_command(corpus)
from minutes_nlp.cli.feedback import calibrate, corrections  # noqa: E402

main.add_command(calibrate)
main.add_command(corrections)

from minutes_nlp.cli.batch import batch  # noqa: E402  (dask loads only when it runs)

main.add_command(batch)

if __name__ == "__main__":
    main()
