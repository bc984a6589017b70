"""``minutes-nlp flag`` and ``minutes-nlp survey``: thin click wrappers over minutes_nlp.reports.supervise."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minutes_nlp.errors import MinutesError
from minutes_nlp.extras import require
from minutes_nlp.reports import supervise


def load_analyzer(model: str):
    """The Analyzer the commands use (a function, so tests can hand in one already loaded)."""
    from minutes_nlp.analysis.analyzer import Analyzer

    return Analyzer(model)


def _analyze(paths: tuple[Path, ...], model: str) -> tuple[list, int]:
    """Collect and analyse paths; print one stderr line per failure; return meetings and the failure count."""
    errors: list[MinutesError] = []
    items = supervise.collect(paths, errors)
    if not items and not errors:
        raise click.ClickException(
            "không tìm thấy biên bản nào (.txt, .docx, .pdf, .doc, .html, .htm hoặc .zip) trong các đường dẫn đã cho"
        )
    meetings: list = []
    if items:
        try:
            analyzer = load_analyzer(model)
        except MinutesError as exc:
            raise click.ClickException(str(exc)) from None
        meetings, failures = supervise.analyze_items(analyzer, items)
        errors += failures
    for exc in errors:
        click.echo(f"minutes-nlp: {exc}", err=True)
    return meetings, len(errors)


def _suffix(out: Path | None, allowed: tuple[str, ...]) -> str | None:
    if out is None:
        return None
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise click.UsageError(f"--out phải là tệp {' hoặc '.join(allowed)}, không phải {out.name!r}")
    return suffix


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--only",
    "codes",
    multiple=True,
    metavar="CODE",
    help="Chỉ giữ các biên bản có cảnh báo mã này (lặp lại được), ví dụ --only NO_PROPOSALS.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ghi ra tệp .csv hoặc .xlsx thay vì in bảng.",
)
@click.option("--model", default="default", show_default=True, help="Tên hoặc thư mục mô hình phân loại.")
def flag(paths: tuple[Path, ...], codes: tuple[str, ...], out: Path | None, model: str) -> None:
    """Xếp các biên bản theo cảnh báo: mỗi biên bản một dòng, biên bản đáng lo nhất lên đầu.

    PATHS là tệp biên bản, thư mục (đọc cả thư mục con) hoặc tệp nén .zip.
    Thứ tự: nhiều cảnh báo (warning) hơn trước, cùng số cảnh báo thì điểm
    thấp hơn trước. Tệp không đọc được báo một dòng trên stderr, các tệp khác
    vẫn được phân tích và mã thoát là 1.
    """
    unknown = supervise.unknown_codes(codes)
    if unknown:
        raise click.BadParameter(
            f"mã cảnh báo không có: {', '.join(unknown)}; các mã: {', '.join(supervise.FLAG_CODES)}",
            param_hint="--only",
        )
    suffix = _suffix(out, (".csv", ".xlsx"))
    meetings, failed = _analyze(paths, model)
    rows = supervise.flag_rows(meetings, codes)
    if suffix == ".csv":
        supervise.write_flag_csv(rows, out)
    elif suffix == ".xlsx":
        from minutes_nlp.reports.xlsx import write_records_xlsx

        write_records_xlsx(supervise.flag_records(rows), out, "Cảnh báo")
    elif rows:
        click.echo(supervise.flag_table(rows))
    else:
        click.echo("Không có biên bản nào" + (" có các cảnh báo đã chọn." if codes else "."))
    if out is not None:
        click.echo(f"{len(rows)} biên bản → {out}", err=True)
    if failed:
        sys.exit(1)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--by",
    type=click.Choice(supervise.GROUPINGS),
    default=None,
    help="Chia nhóm theo loại chi bộ, đảng bộ hoặc tháng họp.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Ghi ra tệp .xlsx hoặc .html (có biểu đồ) thay vì in bảng.",
)
@click.option("--model", default="default", show_default=True, help="Tên hoặc thư mục mô hình phân loại.")
def survey(paths: tuple[Path, ...], by: str | None, out: Path | None, model: str) -> None:
    """Tính các chỉ số của cuộc khảo sát TP.HCM trên nhiều biên bản, chung và theo nhóm.

    Tỷ lệ cuộc họp theo mức điểm, tỷ lệ cuộc họp có trên 50% đảng viên có mặt
    phát biểu (trong các biên bản có ghi số có mặt), cơ cấu ý kiến theo nhãn
    chính, tỷ lệ cuộc họp không có đề xuất, điểm bình quân. PATHS là tệp,
    thư mục hoặc tệp nén .zip; tệp lỗi báo trên stderr, mã thoát là 1.
    """
    suffix = _suffix(out, (".xlsx", ".html", ".htm"))
    if suffix in (".html", ".htm"):
        require("plots", str(out))
    meetings, failed = _analyze(paths, model)
    if not meetings:
        raise click.ClickException("không phân tích được biên bản nào")
    result = supervise.survey(meetings, by)
    if suffix == ".xlsx":
        from minutes_nlp.reports.xlsx import write_survey_xlsx

        write_survey_xlsx(result, out)
    elif suffix in (".html", ".htm"):
        from minutes_nlp.reports.html import render_survey_html

        out.write_text(render_survey_html(result), encoding="utf-8")
    else:
        click.echo(supervise.survey_table(result))
    if out is not None:
        click.echo(f"{len(meetings)} biên bản → {out}", err=True)
    if failed:
        sys.exit(1)
