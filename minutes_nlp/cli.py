"""The ``minutes-nlp`` command: thin click wrappers over the library."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .corpus_cli import corpus
from .errors import MinutesError
from .pipeline import segment_file


def _first_words(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _table(record: dict) -> str:
    text = record["text"]
    rows = [("#", "người nói", "vai trò", "loại", "nội dung")]
    for i, seg in enumerate(record["segments"], 1):
        rows.append((str(i), seg["speaker"] or "-", seg["role"] or "-", seg["kind"],
                     _first_words(text[seg["start"]:seg["end"]], 60)))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = [f"== {record['source_file']} =="]
    for r in rows:
        lines.append("  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4])
    meta = record["meta"]
    lines.append(f"{len([s for s in record['segments'] if s['kind'] == 'discussion'])} ý kiến thảo luận; "
                 f"đảng viên: tổng {meta.get('members_total', '?')}, có mặt {meta.get('members_present', '?')}")
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="minutes-nlp")
def main() -> None:
    """Read Vietnamese party-cell meeting minutes and measure their discussion."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table",
              show_default=True, help="table: readable summary; json/jsonl: corpus-format records.")
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


main.add_command(corpus)

if __name__ == "__main__":
    main()
