"""Read the test split from scans and phone photos and compare with reading the same meetings from text.

Usage: python benchmarks/ocr.py [--split test] [--limit N] [--kinds scan,photo] [--out benchmarks/results/ocr.json]
       python benchmarks/ocr.py --kinds "" --upload --out benchmarks/results/ocr-upload.json

Each meeting's text is typeset to PDF (tests/scans.py: fpdf2, DejaVu Serif, a page number on each page),
rasterised at 300 dpi (a scanner) and, separately, degraded as phone photos (200 dpi, tilted 2-3 degrees,
blurred, unevenly lit, JPEG quality 55), each put back into an image-only PDF and read with
minutes_nlp.reading.read (OCR). Reported per kind: character error rate against the text (edit distance
over the text's length, after aligning words), and contribution F1, speaker accuracy and sentence-label
agreement of the OCR reading relative to the text reading (OCR figure / text figure; label agreement is
the share of the text reading's sentences whose overlapping OCR sentence has the same label), pages per
second on one core (wall clock, and per CPU second: the machine is shared), and the OCR lines under the
low-confidence mark. --upload also times a 4-page
scan from upload to report through the web service's ingest (SQLite, one process).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract on one core
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.errors import MinutesError
from minutes_nlp.reading.documents import read
from minutes_nlp.segmentation.evaluate import overlap, score_meeting
from minutes_nlp.segmentation.turns import segment
from minutes_nlp.types import Segment, SegmentedDocument
from tests.scans import image_pdf, photo, rasterise, text_pdf

LOW = 0.75  # the report's low-confidence mark (analysis.toml [ocr] low_line)


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def align(gold: str, ocr: str) -> tuple[int, list[tuple[int, int]]]:
    """(character edits, anchor pairs (ocr offset, gold offset)) from a word alignment of the two texts."""
    gw = [(m.start(), m.group()) for m in _words(gold)]
    ow = [(m.start(), m.group()) for m in _words(ocr)]
    sm = SequenceMatcher(None, [w for _s, w in gw], [w for _s, w in ow], autojunk=False)
    edits, anchors = 0, [(0, 0)]
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            anchors += [(ow[j][0], gw[i][0]) for i, j in zip(range(i1, i2), range(j1, j2))]
        else:
            edits += levenshtein(" ".join(w for _s, w in gw[i1:i2]), " ".join(w for _s, w in ow[j1:j2]))
            if j1 < len(ow) and i1 < len(gw):
                anchors.append((ow[j1][0], gw[i1][0]))
    anchors.append((len(ocr), len(gold)))
    return edits, anchors


def _words(text: str):
    import re

    return re.finditer(r"\S+", text)


def to_gold(pos: int, anchors: list[tuple[int, int]]) -> int:
    """The gold offset of an OCR offset: the nearest anchor at or before it, shifted."""
    import bisect

    k = bisect.bisect_right([a for a, _g in anchors], pos) - 1
    a, g = anchors[max(k, 0)]
    return g + (pos - a)


def mapped(seg: SegmentedDocument, anchors) -> SegmentedDocument:
    segs = [
        Segment(to_gold(s.start, anchors), to_gold(s.end, anchors), s.kind, s.speaker, s.role) for s in seg.segments
    ]
    return SegmentedDocument(text="", header=seg.header, segments=segs)


def label_agreement(text_meeting, ocr_meeting, anchors) -> tuple[int, int]:
    gold = [s for c in text_meeting.contributions for s in c.sentences]
    ocr = [
        (to_gold(s.start, anchors), to_gold(s.end, anchors), s.label)
        for c in ocr_meeting.contributions
        for s in c.sentences
    ]
    same = 0
    for s in gold:
        best = max(ocr, key=lambda o: overlap((s.start, s.end), (o[0], o[1])), default=None)
        if best and overlap((s.start, s.end), (best[0], best[1])) >= 0.5 and best[2] == s.label:
            same += 1
    return same, len(gold)


def make(kind: str, text: str, folder: Path, seed: int) -> Path:
    pages = rasterise(text_pdf(text, folder / "typed.pdf"), 300)
    if kind == "scan":
        return image_pdf(pages, folder / "scan.pdf", 300)
    return image_pdf([photo(p, seed + i) for i, p in enumerate(pages)], folder / "photo.pdf", 200)


def cpu() -> float:
    """CPU seconds of this process and the Tesseract processes it waited for: the clock other sessions cannot slow."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def f1(tp: int, pred: int, gold: int) -> float:
    return 2 * tp / (pred + gold) if pred + gold else 0.0


def totals(rows: list[dict]) -> dict:
    return {k: sum(r[k] for r in rows) for k in rows[0] if isinstance(rows[0][k], int)}


def upload_time(text: str) -> dict:
    """Seconds from a 4-page scan's upload to its report JSON, against a live `minutes-nlp serve`."""
    import subprocess

    import httpx

    from benchmarks.web import free_port, prepare, upload_to_report

    with tempfile.TemporaryDirectory(prefix="minutes-nlp-ocr-") as tmp:
        folder = Path(tmp)
        while len(rasterise(text_pdf(text, folder / "typed.pdf"), 10)) < 4:
            text += "\n" + text
        pages = rasterise(text_pdf(text, folder / "typed.pdf"), 300)[:4]
        pdf = image_pdf(pages, folder / "scan.pdf", 300)
        token = prepare(folder)
        port = free_port()
        cmd = [sys.executable, "-m", "minutes_nlp.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
        root = str(Path(__file__).resolve().parents[1])
        server = subprocess.Popen(
            [*cmd, "--data-dir", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": root},
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _try in range(600):
                try:
                    if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600) as client:
                size = pdf.stat().st_size
                seconds = upload_to_report(client, "ban-chup.pdf", pdf.read_bytes())
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"pages": 4, "megabytes": round(size / 2**20, 1), "seconds": round(seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=0, help="only the first N meetings (for a quick run)")
    ap.add_argument("--kinds", default="scan,photo")
    ap.add_argument("--out", default="benchmarks/results/ocr.json")
    ap.add_argument("--upload", action="store_true", help="also time a 4-page scan's upload to report")
    ap.add_argument("--keep", help="keep the OCR texts in this folder, to look at the errors")
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    records = [r for r in records if args.split == "all" or r["meta"].get("split") == args.split]
    if args.limit:
        records = records[: args.limit]
    analyzer = Analyzer("default")
    result: dict = {"split": args.split, "meetings": len(records)}
    for kind in filter(None, args.kinds.split(",")):
        rows, pages, seconds, cpu_seconds, low, lines, confidence = [], 0, 0.0, 0.0, 0, 0, []
        for n, rec in enumerate(records):
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                txt = folder / "text.txt"
                txt.write_text(rec["text"], encoding="utf-8")
                text_meeting = analyzer(txt)
                pdf = make(kind, rec["text"], folder, seed=n * 10)
                t0, c0 = time.perf_counter(), cpu()
                try:
                    doc = read(pdf)
                except MinutesError as exc:
                    print(f"{rec['id']}: {exc}", file=sys.stderr)
                    continue
                seconds += time.perf_counter() - t0
                cpu_seconds += cpu() - c0
            pages += doc.source.ocr_pages
            if args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                Path(args.keep, f"{rec['id']}.{kind}.txt").write_text(doc.text, encoding="utf-8")
            edits, anchors = align(rec["text"], doc.text)
            seg = segment(doc.text, rec["id"])
            ocr_meeting = analyzer.analyze_segmented(seg, rec["id"], None)
            text_seg = SegmentedDocument(text="", header=None, segments=text_meeting.segments)
            t_score = score_meeting(rec, _with_header(text_seg, segment(rec["text"], rec["id"]).header))
            o_score = score_meeting(rec, mapped(seg, anchors))
            same, total = label_agreement(text_meeting, ocr_meeting, anchors)
            lines += len(doc.ocr_lines)
            low += sum(line.confidence < LOW for line in doc.ocr_lines)
            confidence.append(doc.source.ocr_confidence or 0)
            rows.append(
                {
                    "chars": len(rec["text"]),
                    "edits": edits,
                    "gold": t_score["gold"],
                    "t_pred": t_score["pred"],
                    "t_tp": t_score["tp"],
                    "t_speaker": t_score["speaker_ok"],
                    "o_pred": o_score["pred"],
                    "o_tp": o_score["tp"],
                    "o_speaker": o_score["speaker_ok"],
                    "same_label": same,
                    "sentences": total,
                    "id": rec["id"],
                }
            )
            print(f"{kind} {n + 1}/{len(records)} {rec['id']}: CER {edits / len(rec['text']):.4f}", file=sys.stderr)
        t = totals(rows)
        text_f1, ocr_f1 = f1(t["t_tp"], t["t_pred"], t["gold"]), f1(t["o_tp"], t["o_pred"], t["gold"])
        result[kind] = {
            "meetings": len(rows),
            "pages": pages,
            "cer": round(t["edits"] / t["chars"], 4),
            "text_contribution_f1": round(text_f1, 3),
            "ocr_contribution_f1": round(ocr_f1, 3),
            "contribution_f1_ratio": round(ocr_f1 / text_f1, 3),
            "text_speaker_accuracy": round(t["t_speaker"] / t["gold"], 3),
            "ocr_speaker_accuracy": round(t["o_speaker"] / t["gold"], 3),
            "speaker_accuracy_ratio": round(t["o_speaker"] / max(t["t_speaker"], 1), 3),
            "sentence_label_agreement": round(t["same_label"] / max(t["sentences"], 1), 3),
            "mean_confidence": round(sum(confidence) / max(len(confidence), 1), 3),
            "low_confidence_lines": f"{low}/{lines}",
            "pages_per_s_one_core": round(pages / seconds, 3),
            "pages_per_cpu_s": round(pages / cpu_seconds, 3),
            "worst_cer": sorted(((round(r["edits"] / r["chars"], 4), r["id"]) for r in rows), reverse=True)[:3],
        }
    if args.upload:
        result["upload_to_report_4_pages"] = upload_time(records[0]["text"])
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if not args.limit:
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _with_header(seg: SegmentedDocument, header) -> SegmentedDocument:
    seg.header = header
    return seg


if __name__ == "__main__":
    main()
