"""The ``minutes-nlp`` command: thin click wrappers over the library."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from minutes_nlp.cli.corpus import corpus
from minutes_nlp.errors import MinutesError
from minutes_nlp.extras import MissingExtra, explain
from minutes_nlp.segmentation.pipeline import segment_file


def _first_words(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _table(record: dict) -> str:
    text = record["text"]
    rows = [("#", "người nói", "vai trò", "loại", "nội dung")]
    for i, seg in enumerate(record["segments"], 1):
        rows.append(
            (
                str(i),
                seg["speaker"] or "-",
                seg["role"] or "-",
                seg["kind"],
                _first_words(text[seg["start"] : seg["end"]], 60),
            )
        )
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = [f"== {record['source_file']} =="]
    for r in rows:
        lines.append("  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4])
    meta = record["meta"]
    lines.append(
        f"{len([s for s in record['segments'] if s['kind'] == 'discussion'])} ý kiến thảo luận; "
        f"đảng viên: tổng {meta.get('members_total', '?')}, có mặt {meta.get('members_present', '?')}"
    )
    return "\n".join(lines)


class _Main(click.Group):
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


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="minutes-nlp")
def main() -> None:
    """Read Vietnamese party-cell meeting minutes and measure their discussion."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
    help="table: readable summary; json/jsonl: corpus-format records.",
)
def segment(files: tuple[Path, ...], fmt: str) -> None:
    """Cut minutes FILES (.txt, .docx, .pdf, .doc, .html) into contributions.

    Each file is read, normalised and segmented; a file that cannot be read is
    reported on stderr and the others are still processed (exit code 1).
    """
    failed = 0
    records = []
    for path in files:
        try:
            record = segment_file(path)
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


@main.command()
@click.option(
    "--classifier", "name", required=True, help="Registered classifier name: rules, linear, spacy or a plug-in."
)
@click.option(
    "--corpus",
    "corpus_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Corpus JSONL (default: corpora/minutes/minutes.jsonl).",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Model directory to write."
)
@click.option("--seed", type=int, default=13, show_default=True, help="Random seed; same seed, same model.")
@click.option(
    "--split", "train_split", default="train", show_default=True, help="Split(s) to train on, e.g. train or train+dev."
)
@click.option(
    "--param", "params", multiple=True, metavar="KEY=VALUE", help="Classifier parameter (JSON value), repeatable."
)
@click.option(
    "--baseline",
    "baselines",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Another model directory whose test scores the card lists beside this model; repeatable.",
)
def train(
    name: str,
    corpus_path: Path | None,
    out: Path,
    seed: int,
    train_split: str,
    params: tuple[str, ...],
    baselines: tuple[Path, ...],
) -> None:
    """Train a sentence classifier on the corpus and write a model directory (model, card, metrics)."""
    from minutes_nlp.classifiers.train import train as train_model

    parsed = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep:
            raise click.BadParameter(f"expected KEY=VALUE, got {p!r}", param_hint="--param")
        try:
            parsed[key] = json.loads(value)
        except ValueError:
            parsed[key] = value
    try:
        results = train_model(
            name,
            corpus_path,
            out,
            seed=seed,
            params=parsed,
            train_split=train_split,
            baselines=list(baselines),
        )
    except (MinutesError, KeyError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for split, m in results.items():
        click.echo(f"{split}: macro-F1 {m['macro_f1']:.3f}, accuracy {m['accuracy']:.3f} ({m['n']} sentences)")
    click.echo(f"model written to {out}")


@main.command()
@click.option("--model", "model_dir", default="default", show_default=True, help="Model name or directory.")
@click.option(
    "--corpus",
    "corpus_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Corpus JSONL (default: corpora/minutes/minutes.jsonl).",
)
@click.option("--split", type=click.Choice(["dev", "test", "train"]), default="test", show_default=True)
@click.option("--cv", "folds", type=int, default=0, help="Also cross-validate with this many folds grouped by meeting.")
@click.option(
    "--png", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the confusion matrix PNG here."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def evaluate(model_dir: str, corpus_path: Path | None, split: str, folds: int, png: Path | None, fmt: str) -> None:
    """Score a model on a corpus split: per-label precision/recall/F1, macro-F1, accuracy, confusions."""
    from sklearn.base import clone

    from minutes_nlp.classifiers import sentence_items
    from minutes_nlp.classifiers.evaluate import confusion_table, cross_validate, metrics, plot_confusion, report_table
    from minutes_nlp.classifiers.labels import load_model
    from minutes_nlp.classifiers.train import default_corpus
    from minutes_nlp.corpus.dataset import load as load_corpus
    from minutes_nlp.extras import require

    try:
        if png:
            require("plots", str(png))
        estimator = load_model(model_dir)
        records = load_corpus(corpus_path or default_corpus())
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    items, labels, _ = sentence_items(records, split)
    if not items:
        raise click.ClickException(f"no labelled sentences in split {split!r}")
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
    click.echo(f"{model_dir} on {split} ({result['n']} sentences)")
    click.echo(report_table(result))
    click.echo("\n" + confusion_table(result))
    if folds:
        cv = result["cv"]
        click.echo(
            f"\n{folds}-fold CV by meeting (train+dev): macro-F1 {cv['macro_f1_mean']:.3f} ± {cv['macro_f1_std']:.3f}"
        )


@main.command()
@click.argument("model_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
def compare(model_dirs: tuple[Path, ...], split: str) -> None:
    """Print a leaderboard of model directories by macro-F1 (from their metrics.json)."""
    rows = []
    for d in model_dirs:
        try:
            m = json.loads((d / "metrics.json").read_text(encoding="utf-8"))[split]
            card = json.loads((d / "card.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError):
            click.echo(f"minutes-nlp: {d}: no {split} metrics (train it with 'minutes-nlp train')", err=True)
            continue
        rows.append((m["macro_f1"], m["accuracy"], d, card.get("classifier", "?"), m["per_label"]))
    rows.sort(key=lambda r: -r[0])
    labels = ("proposal", "complaint", "report", "agreement", "other")
    click.echo(
        f"{'#':<3}{'model':<28}{'classifier':<12}{'macro-F1':>9}{'acc':>7}"
        + "".join(f"{lab[:8]:>10}" for lab in labels)
    )
    for i, (f1, acc, d, name, per) in enumerate(rows, 1):
        click.echo(
            f"{i:<3}{str(d)[-27:]:<28}{name:<12}{f1:>9.3f}{acc:>7.3f}"
            + "".join(f"{per.get(lab, {}).get('f1', 0):>10.3f}" for lab in labels)
        )


@main.command()
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--model", "model_dir", default="default", show_default=True, help="Model name or directory.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True)
@click.option("--explain", is_flag=True, help="Add the features that drove each decision.")
def classify(source, model_dir: str, fmt: str, explain: bool) -> None:
    """Label sentences, one per line of SOURCE (a file or - for stdin)."""
    from minutes_nlp.classifiers.labels import classify as classify_sentences
    from minutes_nlp.reading.text import normalize

    lines = [normalize(line.strip()) for line in source if line.strip()]
    try:
        results = classify_sentences(lines, model_dir, explain=explain)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    for row in results:
        if fmt == "jsonl":
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            extra = f"  [{'; '.join(row['explain'])}]" if explain else ""
            click.echo(f"{row['label']:<10}{row['confidence']:.2f}  {row['text']}{extra}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "html", "xlsx"]),
    default="table",
    show_default=True,
    help="table: Vietnamese summary; json/jsonl: the report of docs/report.md (schema docs/report.schema.json); "
    "html/xlsx: files.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (xlsx) or folder (html, one report per file); html of one file goes to stdout without it.",
)
@click.option("--model", default="default", show_default=True, help="Model name or directory.")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="TOML file overriding score weights and flag thresholds (see minutes_nlp/analysis/analysis.toml).",
)
@click.option(
    "--profile",
    default="hd12-2018",
    show_default=True,
    help="Official-criteria profile: hd12-2018, vi-du-phuong-2025 or a TOML path (docs/report.md, criteria).",
)
def analyze(files: tuple[Path, ...], fmt: str, out: Path | None, model: str, config: Path | None, profile: str) -> None:
    """Analyse minutes FILES: contributions and labels, measures, score, flags, official criteria.

    A file that cannot be read is reported on stderr and the others continue;
    the exit code is 1 if any failed.
    """
    from minutes_nlp.analysis.analyzer import Analyzer
    from minutes_nlp.reports.text import summary

    try:
        analyzer = Analyzer(model, config=config, profile=profile)
    except MinutesError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE.xlsx")
    meetings, failed = [], 0
    show = len(files) > 1 and sys.stderr.isatty()
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(click.progressbar(files, label="Đang phân tích", file=sys.stderr)) if show else files
        for path in bar:
            try:
                meeting = analyzer(path)
            except MinutesError as exc:
                failed += 1
                click.echo(f"minutes-nlp: {exc}", err=True)
                continue
            if fmt == "table":
                click.echo(summary(meeting))
            elif fmt == "jsonl":
                click.echo(json.dumps(meeting.to_dict(), ensure_ascii=False))
            elif fmt == "json" and len(files) > 1:
                meetings.append(meeting.to_dict())
            elif fmt == "json":
                click.echo(json.dumps(meeting.to_dict(), ensure_ascii=False, indent=2))
            else:
                meetings.append(meeting)
    if fmt == "json" and meetings:
        click.echo(json.dumps(meetings, ensure_ascii=False, indent=2))
    if fmt in ("html", "xlsx") and meetings:
        _write_reports(meetings, fmt, out)
    if failed:
        sys.exit(1)


def _write_reports(meetings: list, fmt: str, out: Path | None) -> None:
    if fmt == "xlsx":
        from minutes_nlp.reports.xlsx import write_xlsx

        write_xlsx(meetings, out)
        click.echo(f"{len(meetings)} biên bản → {out}", err=True)
        return
    from minutes_nlp.reports.html import render_html

    if out is None and len(meetings) == 1:
        click.echo(render_html(meetings[0]))
        return
    folder = out or Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    for m in meetings:
        target = folder / f"{Path(m.source_file or m.id).stem}.html"
        target.write_text(render_html(m), encoding="utf-8")
        click.echo(f"→ {target}", err=True)


from minutes_nlp.cli.supervise import flag, survey  # noqa: E402

main.add_command(flag)
main.add_command(survey)
from minutes_nlp.cli.web import admin, serve  # noqa: E402  (web dependencies load only when these run)

main.add_command(serve)
main.add_command(admin)
main.add_command(corpus)

if __name__ == "__main__":
    main()
