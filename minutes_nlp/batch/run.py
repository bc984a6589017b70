"""``minutes-nlp batch`` on Dask: stream the sources, cut them into chunks, analyse each chunk on a worker.

The driver never holds the list of sources: it reads them one at a time
(``sources.py``), closes a chunk after a source whose name hashes to a
boundary (so that a file added to the input changes only the chunk it falls
in) and keeps a bounded number of chunks in flight. A chunk already written for
the same sources and model is skipped. Each worker loads the model the first
time it needs it and keeps it (``_analyzer``). Dask reruns the chunks of a
worker that dies; chunks are written under deterministic names (``store.py``),
so a rerun neither loses nor duplicates a row.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from minutes_nlp.batch import sources as S
from minutes_nlp.batch import store
from minutes_nlp.errors import MinutesError
from minutes_nlp.i18n import _

_analyzers: dict = {}  # this worker's Analyzers, by model name: loaded once per worker process


def _analyzer(model: str):
    if model not in _analyzers:
        from minutes_nlp.analysis.analyzer import Analyzer

        _analyzers[model] = Analyzer(model)
    return _analyzers[model]


def model_version(model: str) -> str:
    """The version of a model as Analyzer reports it (the start of its file's SHA-256), without loading it."""
    from minutes_nlp.classifiers.model_store import read_card, resolve

    return (read_card(resolve(model)).get("model_sha256") or "")[:12] or "unversioned"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class Chunk:
    sources: list[S.Source]
    start: str
    digest: str

    @property
    def part(self) -> str:
        return store.part_name(self.start, self.digest)


def chunks(sources: Iterable[S.Source], version: str, size: int, anchor: str = "") -> Iterator[Chunk]:
    """Cut the stream of sources into chunks of about size sources (at most 4 × size), by content, not by count.

    A chunk's start is named after the source that closed the chunk before it
    (the first chunk after anchor, the input as given), so a file added at the
    head of a chunk keeps the chunk's name and only changes its digest.
    """
    current: list[S.Source] = []
    before = "\0" + anchor

    def close() -> Chunk:
        names = [S.name_of(s) for s in current]
        return Chunk(list(current), _hash(version, before)[:16], _hash(version, *names)[:16])

    for source in sources:
        current.append(source)
        if int(_hash(S.name_of(source))[:8], 16) % size == 0 or len(current) >= 4 * size:
            yield close()
            before = S.name_of(source)
            current = []
    if current:
        yield close()


# ---------------------------------------------------------------- on a worker


def _rows(meeting, key: dict, source: str, rows: dict[str, list[dict]]) -> None:
    text, x, meta = meeting.text, meeting.metrics, meeting.meta
    rows["meetings"].append(
        {
            **key,
            "source": source,
            "meeting_id": meeting.id,
            **{k: meta.get(k) for k in ("committee", "cell", "cell_type", "date", "meeting_type")},
            "members_total": meta.get("members_total"),
            "members_present": meta.get("members_present"),
            **{k: x.get(k) for k in ("attendance_rate", "participation_rate", "duration_minutes")},
            **{k: x.get(k) for k in ("contributions", "member_speakers", "proposal_count", "specific_proposal_count")},
            **{f"share_{k}": v for k, v in x["label_shares"].items()},
            "has_proposal": x.get("has_proposal"),
            "has_conclusion": x.get("has_conclusion"),
            "score": meeting.score["substantive"],
            "level": meeting.score["level"],
            "flags": ", ".join(f.code for f in meeting.flags),
            "characters": len(text),
        }
    )
    for i, c in enumerate(meeting.contributions):
        rows["contributions"].append(
            {
                **key,
                "source": source,
                "index": i,
                "speaker": c.speaker,
                "role": c.role,
                "primary_label": c.primary_label,
                "labels": ", ".join(c.labels),
                "sentences": len(c.sentences),
                "start": c.start,
                "end": c.end,
                "text": text[c.start : c.end],
            }
        )
        for j, s in enumerate(c.sentences):
            rows["sentences"].append(
                {
                    **key,
                    "source": source,
                    "contribution": i,
                    "index": j,
                    "label": s.label,
                    "confidence": s.confidence,
                    "specific": s.specific,
                    "start": s.start,
                    "end": s.end,
                    "text": text[s.start : s.end],
                }
            )
    for f in meeting.flags:
        rows["flags"].append({**key, "source": source, "code": f.code, "severity": f.severity, "message": f.message})


def _error(key: dict, source: str, exc: Exception) -> dict:
    internal = not isinstance(exc, MinutesError)
    return {
        **key,
        "source": source,
        "kind": type(exc).__name__,
        "reason": f"{type(exc).__name__}: {exc}" if internal else exc.reason,
        "message": f"{source}: {exc}" if internal else str(exc),
    }


def analyze_chunk(chunk: list[S.Source], model: str, version: str, out: str, part: str, language: str) -> dict:
    """Analyse the sources of one chunk and write its parts; return how many meetings and errors it holds.

    The chunk goes through ``Analyzer.pipe``, which labels the sentences of many
    meetings in one call of the classifier. Every source ends as a meeting row or
    an error row, whatever goes wrong with it; only a failure to write the parts
    fails the chunk (and Dask retries it).
    """
    from minutes_nlp.i18n import set_language

    set_language(language)  # error messages and flag titles in the driver's language
    analyzer = _analyzer(model)
    if (analyzer.model_info["version"] or "unversioned") != version:
        raise RuntimeError(
            _(
                "the model {model} on this worker is not version {version}; install the same minutes-nlp everywhere"
            ).format(model=repr(model), version=version)
        )
    rows: dict[str, list[dict]] = {name: [] for name in store.DATASETS}
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-batch-") as tmp:
        loaded = []  # (name, key, path to read): the sources whose bytes could be had
        for i, source in enumerate(chunk):
            name = S.name_of(source)
            key = {"content_hash": None, "model_version": version}
            try:
                data = S.load(source)
                key["content_hash"] = hashlib.sha256(data).hexdigest()
            except Exception as exc:  # noqa: BLE001  one bad file is an error row, never a lost chunk
                rows["errors"].append(_error(key, name, exc))
                continue
            path = Path(source[0])
            if source[1] is not None:  # a zip member: written under its own name, so reading sees the extension
                path = Path(tmp) / str(i) / PurePosixPath(source[1]).name
                path.parent.mkdir()
                path.write_bytes(data)
            loaded.append((name, key, path))
        for (name, key, _path), result in zip(loaded, _analysed(analyzer, [p for _n, _k, p in loaded]), strict=True):
            if isinstance(result, MinutesError):
                rows["errors"].append(_error(key, name, type(result)(name, result.reason, result.fix)))
            elif isinstance(result, Exception):
                rows["errors"].append(_error(key, name, result))
            else:
                result.source_file = name
                _rows(result, key, name, rows)
    store.write_chunk(Path(out), part, rows)
    return {"meetings": len(rows["meetings"]), "errors": len(rows["errors"])}


def _analysed(analyzer, paths: list[Path]) -> list:
    """A Meeting or an exception for each path, in order: the batched pipe, or one by one if the pipe fails.

    An unexpected error in one meeting would end the pipe for the whole chunk;
    the chunk is then analysed again one file at a time, so that only that file
    becomes an error row.
    """
    try:
        return list(analyzer.pipe(paths))
    except Exception:  # noqa: BLE001  isolated below, file by file
        pass
    results = []
    for path in paths:
        try:
            results.append(analyzer(path))
        except Exception as exc:  # noqa: BLE001  this file's error row
            results.append(exc)
    return results


# ---------------------------------------------------------------- the driver


@dataclass
class Summary:
    files: int = 0
    meetings: int = 0
    errors: int = 0
    skipped: int = 0  # sources in chunks written by an earlier run
    failed_chunks: list[tuple[str, str]] = field(default_factory=list)  # (first source, reason) of chunks not written


def run(
    paths: Iterable[str | Path],
    out: Path,
    client,
    model: str = "default",
    chunk_size: int = 100,
    progress: bool = True,
    on_chunk: Callable[[dict], None] | None = None,
) -> Summary:
    """Analyse every source under paths on the Dask client's cluster; write the datasets under out."""
    from distributed import as_completed
    from tqdm import tqdm

    from minutes_nlp.i18n import current_language

    paths = list(paths)  # walked twice: once to count for the progress bar, once to work
    version = model_version(model)
    store.prepare(out)
    written = store.done(out)
    total = sum(1 for _ in S.iter_sources(paths))
    summary = Summary()
    inflight = as_completed()
    pending: dict[str, Chunk] = {}
    limit = max(4, 3 * len(client.scheduler_info().get("workers", {})))
    bar = tqdm(total=total, unit=" files", disable=not progress, file=sys.stderr, dynamic_ncols=True)

    def finish(future) -> None:
        chunk = pending.pop(future.key)
        try:
            counts = future.result()
        except Exception as exc:  # noqa: BLE001  a chunk that kills its workers or cannot be written: reported
            summary.failed_chunks.append((S.name_of(chunk.sources[0]), f"{type(exc).__name__}: {exc}"))
            counts = {"meetings": 0, "errors": 0}
        else:
            store.remove_stale(out, chunk.start, chunk.digest)
        summary.meetings += counts["meetings"]
        summary.errors += counts["errors"]
        bar.update(len(chunk.sources))
        if on_chunk:
            on_chunk(counts)

    with bar:
        anchor = "\0".join(str(p) for p in paths)
        for chunk in chunks(S.iter_sources(paths), version, chunk_size, anchor):
            summary.files += len(chunk.sources)
            if chunk.digest in written.get(chunk.start, ()):
                summary.skipped += len(chunk.sources)
                bar.update(len(chunk.sources))
                continue
            future = client.submit(
                analyze_chunk,
                chunk.sources,
                model,
                version,
                str(out),
                chunk.part,
                current_language(),
                key=f"minutes-{chunk.part}",
            )
            pending[future.key] = chunk
            inflight.add(future)
            while inflight.count() >= limit:
                finish(next(inflight))
        for future in inflight:
            finish(future)
    for tmp in (p for name in store.DATASETS for p in (out / name).glob(".part-*.tmp")):
        tmp.unlink(missing_ok=True)  # left by workers killed mid-write
    return summary


def client_for(scheduler: str | None, workers: int | None):
    """A Dask client: of the cluster at scheduler, or of a LocalCluster of worker processes on this machine."""
    import logging

    from distributed import Client, LocalCluster

    from minutes_nlp.batch.pool import default_jobs

    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(
        n_workers=workers or default_jobs(),
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: never a clash with another cluster on the machine
        silence_logs=logging.ERROR,
    )
    return Client(cluster)


def close(client) -> None:
    """Close the client, then the LocalCluster it started, if any (in that order, so no worker is left talking)."""
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()
