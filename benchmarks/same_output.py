"""Check that a speed-up changed nothing: read() and the analysis report of every meeting, byte for byte.

Usage: python benchmarks/same_output.py --write before.jsonl   (on the code before the change)
       python benchmarks/same_output.py --check before.jsonl   (after it; exits 1 on any difference)

Every corpus and challenge meeting and every text under tests/data is written as a UTF-8 .txt file and in
the forms readers meet: BOM, UTF-16, Windows-1258 with combining tones, TCVN3 and VNI bytes, mojibake with
C1 controls kept and with bytes lost (U+FFFD), NFD, new-style tones (hoá) with CRLF and odd spaces, hard
wraps; a sample of them also as .docx (with a table, and in a .VnTime font), .html and .pdf. For each file the
output holds read()'s text, tables and source fields; for the .txt, .docx and .pdf files also the full
``Meeting.to_dict()`` report of ``Analyzer.pipe`` (the ``analyze`` command's JSON, which has no timing fields).
The inputs are rebuilt the same way on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minutes_nlp.reading.legacy import TCVN3, VNI  # noqa: E402  (fixed tables, used to encode)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _texts() -> list[tuple[str, str]]:
    out = []
    sources = [
        ROOT / "corpora" / "minutes" / "minutes.jsonl",
        *sorted((ROOT / "corpora" / "challenge").glob("*.jsonl")),
    ]
    sources += sorted((ROOT / "tests" / "data").rglob("*.jsonl"))
    seen = set()
    for src in sources:
        with open(src, encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                try:
                    rec = json.loads(line)
                except ValueError:  # tests/data holds deliberately broken files
                    continue
                text = rec.get("text") if isinstance(rec, dict) else None
                if isinstance(text, str) and text.strip() and text not in seen:
                    seen.add(text)
                    out.append((f"{src.stem}-{k:04d}", text))
    for src in sorted((ROOT / "tests" / "data").rglob("*.txt")):
        out.append((f"data-{src.stem}", src.read_text(encoding="utf-8")))
    return out


def _cp1258(text: str) -> bytes:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        dec = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in dec if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in dec if c not in _TONES)) + tone)
    return "".join(out).encode("cp1258", errors="replace")


def _encoder(table: dict[str, str], same_case: bool) -> dict[str, str]:
    inverse: dict[str, str] = {}
    for legacy, letter in sorted(table.items(), key=lambda kv: len(kv[0])):
        if not same_case or all(ch.islower() == letter.islower() for ch in legacy):
            inverse.setdefault(letter, legacy)
    return inverse


_TO_TCVN3, _TO_VNI = _encoder(TCVN3, False), _encoder(VNI, True)


def _legacy(text: str, inverse: dict[str, str]) -> bytes:
    return "".join(inverse.get(ch, ch) for ch in unicodedata.normalize("NFC", text)).encode("latin-1", errors="replace")


def _new_tones(text: str) -> str:
    """hóa → hoá, thủy → thuỷ: the tone on the second vowel of oa, oe, uy."""

    def move(m: re.Match) -> str:
        first, second = m.group(1), m.group(2)
        dec = unicodedata.normalize("NFD", first)
        tone = "".join(c for c in dec if c in _TONES)
        base = "".join(c for c in dec if c not in _TONES)
        return base + unicodedata.normalize("NFC", second + tone)

    return re.sub(r"\b(?:[hHtTxXkK]|[tT]h|[qQ])?([óòỏõọúùủũụ])([aey])\b", move, unicodedata.normalize("NFC", text))


def _odd(text: str) -> str:
    """CRLF line ends, no-break and zero-width spaces, a soft hyphen, NFD, trailing blanks."""
    text = text.replace(" đồng chí ", " đồng\u00a0chí ").replace("Chi bộ", "Chi\u200b bộ").replace("ĐẢNG", "ĐẢ\u00adNG")
    return unicodedata.normalize("NFD", _new_tones(text)).replace("\n", "  \r\n")


def _wrapped(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        while len(line) > 70:
            cut = line.rfind(" ", 0, 70)
            if cut <= 0:
                break
            lines.append(line[:cut])
            line = line[cut + 1 :]
        lines.append(line)
    return "\n".join(lines)


def _docx(path: Path, text: str, font: str | None = None) -> None:
    import docx

    d = docx.Document()
    lines = text.split("\n")
    for line in lines[: len(lines) // 2]:
        run = d.add_paragraph().add_run(line)
        if font:
            run.font.name = font
    rows = [line for line in lines[len(lines) // 2 :] if line.strip()][:6]
    if rows and not font:
        table = d.add_table(rows=len(rows), cols=3)
        for r, line in enumerate(rows):
            head, _, rest = line.partition(":")
            for c, value in enumerate((str(r + 1), head, rest)):
                table.cell(r, c).text = value
    for line in lines[len(lines) // 2 + len(rows) :] if not font else lines[len(lines) // 2 :]:
        run = d.add_paragraph().add_run(line)
        if font:
            run.font.name = font
    d.save(path)


def _pdf(path: Path, text: str) -> bool:
    try:
        import fpdf
    except ImportError:
        return False
    if not FONT.exists():
        return False
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return True


def build_inputs(folder: Path) -> list[tuple[Path, bool]]:
    """Write every input file; return (path, analyse it too)."""
    files: list[tuple[Path, bool]] = []

    def put(name: str, data: bytes, analyse: bool = False) -> None:
        path = folder / name
        path.write_bytes(data)
        files.append((path, analyse))

    for k, (name, text) in enumerate(_texts()):
        put(f"{name}.txt", text.encode("utf-8"), analyse=True)
        put(f"{name}.bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
        put(f"{name}.utf16.txt", text.encode("utf-16"))
        put(f"{name}.cp1258.txt", _cp1258(text))
        put(f"{name}.tcvn3.txt", _legacy(text, _TO_TCVN3))
        put(f"{name}.vni.txt", _legacy(text, _TO_VNI))
        put(f"{name}.mojibake.txt", text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"))
        put(f"{name}.odd.txt", _odd(text).encode("utf-8"), analyse=k % 5 == 0)
        put(f"{name}.wrapped.txt", _wrapped(text).encode("utf-8"), analyse=k % 5 == 1)
        if k % 3 == 0:
            put(f"{name}.c1.txt", text.encode("utf-8").decode("latin-1").encode("utf-8"))
        if k % 10 == 0:
            _docx(folder / f"{name}.docx", text)
            files.append((folder / f"{name}.docx", True))
            _docx(folder / f"{name}.vntime.docx", "".join(_TO_TCVN3.get(c, c) for c in text), ".VnTime")
            files.append((folder / f"{name}.vntime.docx", False))
            html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n")) + "</body></html>"
            put(f"{name}.html", html.encode("utf-8"))
        if k % 25 == 0 and _pdf(folder / f"{name}.pdf", text):
            files.append((folder / f"{name}.pdf", True))
    return files


def dump(folder: Path) -> dict[str, dict]:
    from minutes_nlp.analysis.analyzer import Analyzer
    from minutes_nlp.errors import MinutesError
    from minutes_nlp.reading.documents import read

    files = build_inputs(folder)
    out: dict[str, dict] = {}
    for path, _analyse in files:
        try:
            doc = read(path)
            s = doc.source
            out[path.name] = {
                "text": doc.text,
                "tables": repr(doc.tables),
                "source": [s.format, s.encoding, s.legacy_font, s.repaired_mojibake],
            }
        except MinutesError as exc:
            out[path.name] = {"error": str(exc).replace(str(folder), "")}
    analysed = [path for path, analyse in files if analyse]
    analyzer = Analyzer("default")
    for path, meeting in zip(analysed, analyzer.pipe(analysed)):
        if isinstance(meeting, MinutesError):
            out[path.name]["report"] = str(meeting).replace(str(folder), "")
        else:
            out[path.name]["report"] = json.dumps(meeting.to_dict(), ensure_ascii=False, sort_keys=True)
    # one meeting at a time too (labelled alone, not in a batch of 64)
    for path in analysed[:40]:
        try:
            report = json.dumps(analyzer(path).to_dict(), ensure_ascii=False, sort_keys=True)
        except MinutesError as exc:
            report = str(exc).replace(str(folder), "")
        out[path.name]["report_alone"] = report
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the outputs here (JSONL, one file a line)")
    group.add_argument("--check", type=Path, help="compare the outputs with the ones written before")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = dump(Path(tmp))
    if args.write:
        with open(args.write, "w", encoding="utf-8") as fh:
            for name, value in out.items():
                fh.write(json.dumps({"file": name, **value}, ensure_ascii=False, sort_keys=True) + "\n")
        digest = hashlib.sha256(args.write.read_bytes()).hexdigest()[:16]
        print(json.dumps({"files": len(out), "analysed": sum("report" in v for v in out.values()), "sha256": digest}))
        return
    with open(args.check, encoding="utf-8") as fh:
        before = {r.pop("file"): r for r in map(json.loads, fh)}
    differ = sorted(name for name in before.keys() | out.keys() if before.get(name) != out.get(name))
    for name in differ[:20]:
        old, new = before.get(name) or {}, out.get(name) or {}
        keys = [k for k in old.keys() | new.keys() if old.get(k) != new.get(k)]
        print(f"DIFFERS {name}: {', '.join(sorted(keys))}")
    print(json.dumps({"files": len(out), "differ": len(differ)}))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
